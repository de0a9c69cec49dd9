"""National identity numbers per country. The guidebook's `country` (no|se) chooses the rules; every module here
gives the same names: LABEL, HINT, INVALID, MISMATCH, GUARDIAN_LABEL (form texts), `normalise(number) -> str`
(the number as stored and hashed; raises InvalidNationalId) and `birth_date_of(number) -> date`."""

from __future__ import annotations

from types import ModuleType

from tik.identity import no, se
from tik.identity.nin import InvalidNationalId

RULES: dict[str, ModuleType] = {"no": no, "se": se}

__all__ = ["InvalidNationalId", "RULES", "rules", "current"]


def rules(country: str) -> ModuleType:
    """The identity rules of `country` (a key of RULES; the guidebook loader refuses any other)."""
    return RULES[country]


def current() -> ModuleType:
    """The identity rules of the country of the guidebook the app runs (new cases are registered under it)."""
    from tik.guidebook import current_guide  # here: the identity rules themselves need no app

    return rules(current_guide().country)
