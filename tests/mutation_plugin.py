"""Loaded by `make mutate` only (`-p tests.mutation_plugin` in `[tool.mutmut]`): argon2 at its cheapest.

The library's recommended parameters cost about 0.35 s of CPU per hash and check; the security tests create
and log in hundreds of users, once per mutant that reaches them. The parameters are a cost setting, not a
rule any test states, and no mutant can touch them (they are set where the module loads, which mutmut does
not mutate), so cheap hashes change nothing but the run time. `make test` keeps the real parameters.
"""

from __future__ import annotations

from argon2 import PasswordHasher


def pytest_configure(config):
    from tik.auth import mfa, service

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    service._hasher = mfa._hasher = cheap
    service._DUMMY_HASH = cheap.hash("not-a-real-password")
