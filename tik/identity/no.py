"""Norway: fødselsnummer and D-nummer (11 digits); the rules themselves are in tik/identity/nin.py."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from tik.identity import nin

LABEL = _l("Fødselsnummer eller D-nummer (valgfritt)")
HINT = _l("11 siffer. Lagres kryptert.")
INVALID = _l("Fødselsnummeret er ikke gyldig. Sjekk sifrene.")
MISMATCH = _l("Fødselsnummeret passer ikke med fødselsdatoen.")
GUARDIAN_LABEL = _l("Fødselsnummer (11 siffer)")
# The family's e-identification: ID-porten, the national id in the `pid` claim (settings can name another).
SIGN_IN_LABEL = "ID-porten"
ID_CLAIM = "pid"


def normalise(number: str) -> str:
    """The 11 digits without spaces; raises InvalidNationalId for a number that is not valid."""
    digits = number.replace(" ", "")
    nin.birth_date_of(digits)
    return digits


def birth_date_of(number: str) -> date:
    """The birth date the number encodes; raises InvalidNationalId."""
    return nin.birth_date_of(number)
