"""The suite's own shortcuts do not hide what TIK ships: tests/conftest.py makes argon2 cheap for the run,
so the hashers TIK ships with are checked here, before the swap."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.profiles import RFC_9106_LOW_MEMORY
from support import SHIPPED_HASHERS


def test_tik_ships_argon2id_at_the_recommended_cost():
    assert set(SHIPPED_HASHERS) == {"service", "mfa"}  # kept by conftest before the swap, never empty
    for name, hasher in SHIPPED_HASHERS.items():
        assert isinstance(hasher, PasswordHasher), name
        assert hasher.type is Type.ID, name
        assert hasher.time_cost >= RFC_9106_LOW_MEMORY.time_cost, name
        assert hasher.memory_cost >= RFC_9106_LOW_MEMORY.memory_cost, name
        assert hasher.parallelism >= RFC_9106_LOW_MEMORY.parallelism, name


def test_the_suite_hashes_cheaply_and_in_the_same_format():
    from tik.auth import mfa, service

    assert service._hasher is mfa._hasher and service._hasher.memory_cost == 8
    assert service.hash_password("ein-lang-passord").startswith("$argon2id$")
