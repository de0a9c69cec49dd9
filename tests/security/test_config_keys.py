"""Production refuses one key used twice: the session secret, the data key and the audit key must all differ."""

from __future__ import annotations

import base64

import pytest
from test_audit import PRODUCTION

from tik.config import ConfigError, settings_from_env

AUDIT = base64.b64encode(bytes.fromhex("9f3a11c47e0b52d8e6a1f09c3b7d24e85a6c0f1e2d3b4a59687766554433e2f1")).decode()


@pytest.fixture
def env(tmp_path):
    return PRODUCTION | {"TIK_INSTANCE_PATH": str(tmp_path), "TIK_AUDIT_KEY": AUDIT}


def test_three_different_keys_are_accepted(env):
    settings = settings_from_env(env)
    assert len({settings["SECRET_KEY"], settings["TIK_DATA_KEY"], settings["TIK_AUDIT_KEY"]}) == 3


@pytest.mark.parametrize("secret_from", ["TIK_DATA_KEY", "TIK_AUDIT_KEY"])
def test_a_secret_key_equal_to_the_data_or_audit_key_is_refused(env, secret_from):
    with pytest.raises(ConfigError, match=f"TIK_SECRET_KEY and {secret_from} must differ"):
        settings_from_env(env | {"TIK_SECRET_KEY": env[secret_from]})


def test_a_secret_key_that_is_the_data_key_s_bytes_is_refused(env):
    """The same key written another way (its 32 bytes as text, the data key as their base64) is one key."""
    secret = "Kq8-vR2mW_k4Tn7xYb1cLp9eHs3dGf6j"
    with pytest.raises(ConfigError, match="TIK_SECRET_KEY and TIK_DATA_KEY must differ"):
        settings_from_env(env | {"TIK_SECRET_KEY": secret, "TIK_DATA_KEY": base64.b64encode(secret.encode()).decode()})


def test_the_audit_key_equal_to_the_data_key_is_refused(env):
    with pytest.raises(ConfigError, match="TIK_DATA_KEY and TIK_AUDIT_KEY must differ"):
        settings_from_env(env | {"TIK_AUDIT_KEY": env["TIK_DATA_KEY"]})
