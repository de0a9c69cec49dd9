"""The national id's rules at their edges (Skatteetaten's rules for the fødselsnummer and D-number):
which century each individual number means, D-numbers, H-numbers and synthetic numbers, both control
digits and the rule for the first that applies from 2032. Each case sits on a boundary, so moving a
boundary by one fails a test."""

from __future__ import annotations

import pytest

from tik.identity.nin import InvalidNationalId, birth_date_of, is_valid


def numbered(first9: str, remainder: int | None = None) -> str:
    """`first9` with control digits: the first leaves `remainder` in its weighted sum (0 before 2032, 0–3
    from then on; by default the first of 0–3 that gives digits), the second leaves 0. Found by trying every
    digit, independently of the code under test."""
    for r in (0, 1, 2, 3) if remainder is None else (remainder,):
        for k1 in "0123456789":
            if sum(w * int(c) for w, c in zip((3, 7, 6, 1, 8, 9, 4, 5, 2, 1), first9 + k1, strict=True)) % 11 != r:
                continue
            for k2 in "0123456789":
                nin = first9 + k1 + k2
                if sum(w * int(c) for w, c in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1), nin, strict=True)) % 11 == 0:
                    return nin
    raise AssertionError(f"{first9} has no control digits leaving {remainder}")


def first9(day: int, month: int, yy: int, individual: int) -> str:
    return f"{day:02}{month:02}{yy:02}{individual:03}"


# Individual numbers 000–499: 1900–1999; 500–749 with 54–99: 1854–1899; 500–999 with 00–39: 2000–2039;
# 900–999 with 40–99: 1940–1999. Nothing else is issued.
@pytest.mark.parametrize("yy, individual, year", [
    (0, 0, 1900), (99, 499, 1999), (39, 499, 1939),
    (54, 500, 1854), (99, 500, 1899), (54, 749, 1854), (99, 749, 1899),
    (0, 500, 2000), (39, 500, 2039), (39, 749, 2039), (39, 750, 2039), (39, 899, 2039), (0, 999, 2000),
    (39, 999, 2039), (40, 900, 1940), (99, 900, 1999), (40, 999, 1940), (53, 900, 1953),
])
def test_the_individual_number_and_the_year_give_the_century(yy, individual, year):
    assert birth_date_of(numbered(first9(15, 6, yy, individual))).year == year


@pytest.mark.parametrize("yy, individual", [
    (53, 500), (53, 749), (40, 500), (40, 749),  # 500–749 only before 1900 from 1854, or from 2000
    (54, 750), (99, 750), (40, 899), (99, 899),  # 750–899 only from 2000
])
def test_individual_numbers_never_issued_for_that_year_are_refused(yy, individual):
    with pytest.raises(InvalidNationalId) as error:
        birth_date_of(numbered(first9(15, 6, yy, individual)))
    assert error.value.reason == "individual_number"


@pytest.mark.parametrize("day, month, born", [
    (41, 1, "1983-01-01"), (71, 12, "1983-12-31"),   # D-number: day + 40
    (1, 41, "1983-01-01"), (31, 52, "1983-12-31"),   # H-number and NAV's synthetic numbers: month + 40
    (1, 81, "1983-01-01"), (31, 92, "1983-12-31"),   # Skatteetaten's synthetic numbers: month + 80
    (41, 81, "1983-01-01"), (71, 52, "1983-12-31"),  # a synthetic D-number
    (1, 1, "1983-01-01"), (31, 12, "1983-12-31"), (29, 2, "1984-02-29"),
])
def test_d_h_and_synthetic_numbers_give_the_real_birth_date(day, month, born):
    yy = int(born[2:4])
    assert birth_date_of(numbered(first9(day, month, yy, 123))).isoformat() == born


@pytest.mark.parametrize("day, month, yy", [
    (0, 1, 83), (32, 1, 83), (40, 1, 83), (72, 1, 83),  # no day 0, 32 (or D-number day 32)
    (1, 0, 83), (1, 13, 83), (1, 40, 83), (1, 53, 83), (1, 80, 83), (1, 93, 83),  # no month 0 or 13
    (29, 2, 83), (69, 2, 83), (29, 42, 83), (29, 82, 83),  # 29 February 1983, however it is written
])
def test_a_date_that_does_not_exist_is_refused(day, month, yy):
    with pytest.raises(InvalidNationalId) as error:
        birth_date_of(numbered(first9(day, month, yy, 123)))
    assert error.value.reason == "birth_date"


def test_the_first_control_digit_may_leave_0_to_3_from_2032_and_nothing_else():
    accepted = set()
    for remainder in range(11):
        try:
            nin = numbered("150632501", remainder)  # individual number 501 in '32: born 2032
        except AssertionError:
            continue  # the control digit would be 10
        if remainder <= 3:
            assert birth_date_of(nin).isoformat() == "2032-06-15"
            accepted.add(remainder)
        else:
            with pytest.raises(InvalidNationalId) as error:
                birth_date_of(nin)
            assert error.value.reason == "control_digit_1"
    assert accepted == {0, 1, 2, 3}


@pytest.mark.parametrize("index", range(11))
def test_changing_any_one_digit_breaks_a_control_digit(index):
    nin = numbered("150583123", 0)
    for digit in "0123456789":
        changed = nin[:index] + digit + nin[index + 1:]
        if changed == nin:
            continue
        with pytest.raises(InvalidNationalId) as error:
            birth_date_of(changed)
        assert error.value.reason in ("control_digit_1", "control_digit_2")


def test_the_second_control_digit_is_checked_on_its_own():
    nin = numbered("150583123", 0)
    wrong = nin[:10] + str((int(nin[10]) + 1) % 10)
    with pytest.raises(InvalidNationalId) as error:
        birth_date_of(wrong)
    assert str(error.value) == error.value.reason == "control_digit_2"


@pytest.mark.parametrize("typed", ["", "1505831234", "150583123456", "1505831234x", "15O58312345"])
def test_anything_but_eleven_digits_is_refused_as_format(typed):
    with pytest.raises(InvalidNationalId) as error:
        birth_date_of(typed)
    assert error.value.reason == "format"


def test_spaces_typed_anywhere_are_ignored_and_is_valid_says_the_same():
    nin = numbered("150583123", 0)
    assert birth_date_of(f" {nin[:6]} {nin[6:]} ").isoformat() == "1983-05-15"
    assert is_valid(nin) is True and is_valid(f"{nin[:6]} {nin[6:]}") is True
    assert is_valid(nin[:10] + str((int(nin[10]) + 1) % 10)) is False
    assert is_valid(numbered(first9(15, 6, 99, 750))) is False


def test_the_national_id_lookup_hash_is_a_stable_format(app):
    """Children (and guardians on "Min familie") are found by the keyed hash stored when they were registered:
    the same number and key must give the same hash in every later version."""
    from tik import crypto

    app.config["TIK_DATA_KEY"] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    assert crypto.lookup_hash("01010750160") == "42c933f3ff0c5034cc12b87bc47b377e45218532ca0b610e2a75007e5be45f4c"
