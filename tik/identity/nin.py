"""The Norwegian national id (fødselsnummer / D-number): both control digits and the birth date."""

from __future__ import annotations

from datetime import date

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


class InvalidNationalId(ValueError):
    """The number is not a valid national id; `reason` says which rule it broke."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def birth_date_of(nin: str) -> date:
    """The birth date a valid national id encodes; raises InvalidNationalId.

    Accepts ordinary numbers, D-numbers (day + 40), H-numbers and NAV's synthetic test numbers
    (month + 40) and Skatteetaten's synthetic test numbers (month + 80).

    Control digits: the second is unchanged, the first follows the rule that applies from 2032
    (the weighted sum including the digit may leave the remainder 0, 1, 2 or 3), which every
    number issued under the old rule (remainder 0) also meets.
    """
    digits = nin.replace(" ", "")
    if len(digits) != 11 or not (digits.isascii() and digits.isdigit()):  # "²" and "٣" are digits too
        raise InvalidNationalId("format")
    d = [int(c) for c in digits]
    if sum(w * x for w, x in zip(W1, d[:10], strict=True)) % 11 not in (0, 1, 2, 3):
        raise InvalidNationalId("control_digit_1")
    if sum(w * x for w, x in zip(W2, d, strict=True)) % 11 != 0:
        raise InvalidNationalId("control_digit_2")
    day, month, yy, individual = int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6:9])
    if day > 40:
        day -= 40  # D-number
    if month > 80:
        month -= 80  # Skatteetaten synthetic
    elif month > 40:
        month -= 40  # H-number / NAV synthetic
    if individual < 500:
        century = 1900
    elif individual < 750 and yy >= 54:
        century = 1800
    elif yy < 40:
        century = 2000
    elif individual >= 900:
        century = 1900
    else:
        raise InvalidNationalId("individual_number")
    try:
        return date(century + yy, month, day)
    except ValueError:
        raise InvalidNationalId("birth_date") from None


def is_valid(nin: str) -> bool:
    try:
        birth_date_of(nin)
    except InvalidNationalId:
        return False
    return True
