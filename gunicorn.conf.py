"""Gunicorn settings for TIK in production (gunicorn reads ./gunicorn.conf.py from the working directory).

    DATABASE_URL=postgresql+psycopg://tik@db/tik TIK_ENV=production TIK_SECRET_KEY=… TIK_DATA_KEY=… TIK_AUDIT_KEY=… \
    TIK_REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/gunicorn 'tik:create_app()'

Everything comes from the environment: TIK_BIND, TIK_WORKERS (or WEB_CONCURRENCY), TIK_THREADS,
TIK_TIMEOUT, TIK_FORWARDED_ALLOW_IPS. The access log names no person: no client address, no query
string, no referrer or user agent — a case reference in the path is the most it carries.
"""

import logging
import multiprocessing
import os

bind = os.environ.get("TIK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("TIK_WORKERS") or os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("TIK_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("TIK_TIMEOUT", "60"))  # a plan PDF renders in well under a second
graceful_timeout = 30
keepalive = 5
# Workers are replaced now and then, so memory that WeasyPrint or a big page grew is given back.
max_requests = 2000
max_requests_jitter = 200
# The proxy in front sets X-Forwarded-Proto; trust it only from where the proxy runs.
forwarded_allow_ips = os.environ.get("TIK_FORWARDED_ALLOW_IPS", "127.0.0.1")
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # heartbeat files off the disk (containers with slow overlay filesystems)

accesslog = os.environ.get("TIK_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("TIK_LOG_LEVEL", "info")
# %(U)s is the path without the query string; %(M)s the duration in milliseconds.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def when_ready(server) -> None:
    """Say so at start when rate limits would be counted per worker instead of shared."""
    if workers > 1 and not os.environ.get("TIK_REDIS_URL"):
        logging.getLogger("gunicorn.error").warning(
            "TIK_REDIS_URL is not set: with %d workers each keeps its own login rate limits", workers)
