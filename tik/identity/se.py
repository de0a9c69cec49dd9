"""Sweden: personnummer and samordningsnummer, on python-stdnum's `stdnum.se.personnummer`.

What stdnum (2.2) does not do, and this module adds: a samordningsnummer (the birth day + 60) is refused by its
`get_birth_date`, and a 10-digit number's century comes from the machine's real date, not from TIK's clock.
So the number is first written in its 12-digit form here (century from `tik.clock.today()` and the separator:
'+' for 100 years and older), then stdnum checks the format and the Luhn control digit.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from stdnum import luhn
from stdnum.exceptions import ValidationError
from stdnum.se import personnummer

from tik.clock import today
from tik.identity.nin import InvalidNationalId

LABEL = _l("Personnummer eller samordningsnummer (valgfritt)")
HINT = _l("12 siffer (ååååmmdd-nnnn). Lagres kryptert.")
INVALID = _l("Personnummeret er ikke gyldig. Sjekk sifrene.")
MISMATCH = _l("Personnummeret passer ikke med fødselsdatoen.")
GUARDIAN_LABEL = _l("Personnummer (12 siffer)")

# The family's e-identification: Swedish BankID or Freja eID through an OpenID Connect broker; brokers name the
# personnummer claim differently (`personal_identity_number`, `se_personnummer` …): settings can name another.
SIGN_IN_LABEL = "BankID"
ID_CLAIM = "personal_identity_number"
# Synthetic personnummer for the demo and the tests: serial numbers 980–999 with a valid control digit (never
# typed from a real person). Replace with numbers from Skatteverket's published test list before a pilot.
SYNTHETIC_SERIALS = range(980, 1000)

COORDINATION = 60  # a samordningsnummer adds 60 to the birth day


def _twelve(number: str) -> str:
    """The number as 12 digits (ååååmmddnnnk); raises InvalidNationalId for a wrong format."""
    compact = personnummer.compact(number)  # "yymmdd-nnnk", "yymmdd+nnnk" or "yyyymmdd-nnnk"
    separator, digits = compact[-5:-4], compact[:-5] + compact[-4:]
    if separator not in ("-", "+") or not (digits.isascii() and digits.isdigit()):
        raise InvalidNationalId("format")
    if len(digits) == 12:
        return digits
    if len(digits) == 10:
        this_year = today().year
        century = this_year // 100 - (int(digits[:2]) > this_year % 100) - (separator == "+")
        return f"{century}{digits}"
    raise InvalidNationalId("format")


def birth_date_of(number: str) -> date:
    """The birth date a valid personnummer or samordningsnummer encodes; raises InvalidNationalId."""
    digits = _twelve(number)
    if not luhn.is_valid(digits[2:]):
        raise InvalidNationalId("control_digit")
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if day > COORDINATION:
        day -= COORDINATION  # samordningsnummer
    else:
        try:
            personnummer.validate(digits)
        except ValidationError:
            raise InvalidNationalId("format") from None
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidNationalId("birth_date") from None


def normalise(number: str) -> str:
    """The 12 digits without separator (so "yymmdd-nnnn" and "yyyymmddnnnn" are the same child); raises
    InvalidNationalId for a number that is not valid."""
    birth_date_of(number)
    return _twelve(number)


def synthetic(born: date, serial: int = 980) -> str:
    """A synthetic personnummer (12 digits) for `born`: serial `serial` (980–999) and its Luhn control digit."""
    if serial not in SYNTHETIC_SERIALS:
        raise ValueError("synthetic serials are 980-999")
    body = f"{born:%y%m%d}{serial:03d}"
    return f"{born:%Y%m%d}{serial:03d}{luhn.calc_check_digit(body)}"


def is_synthetic(number: str) -> bool:
    """A valid personnummer with a synthetic serial (the test provider signs in no one else)."""
    try:
        digits = normalise(number)
    except InvalidNationalId:
        return False
    return int(digits[8:11]) in SYNTHETIC_SERIALS
