"""With TIK_REDIS_URL, rate limits live in Redis: every app process counts the same attempts."""

from __future__ import annotations

import secrets

import pytest
import redis


@pytest.fixture
def redis_url():
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError as error:
        pytest.fail(f"Redis at {url} is not reachable: {error}")
    return url


def test_two_processes_share_the_login_limit(redis_url, database_url, _schema, monkeypatch):
    from tik import create_app

    monkeypatch.setenv("TIK_REDIS_URL", redis_url)
    prefix = f"tik-test-{secrets.token_hex(4)}"
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False,
              "RATELIMIT_ENABLED": True, "RATELIMIT_KEY_PREFIX": prefix}
    worker_a, worker_b = create_app(config), create_app(config)
    assert worker_a.config["RATELIMIT_STORAGE_URI"] == redis_url
    a, b = worker_a.test_client(), worker_b.test_client()
    statuses = [c.post("/login", data={"username": "x", "password": "y"}).status_code for c in (a, b) * 6]
    assert statuses[:10].count(429) == 0 and statuses[10:] == [429, 429]
    # The count lives in Redis, where any worker on any machine reads it, not in this process.
    server = redis.Redis.from_url(redis_url)
    keys = server.keys(f"*{prefix}*")
    assert keys, "no rate-limit counter in Redis"
    server.delete(*keys)
