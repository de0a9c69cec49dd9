"""How TIK shows a date or a time to a reader: the one path every page, print, letter, calendar text,
e-mail and export goes through.

Stored times are naive UTC; they are shown as the municipality's wall-clock time (tik.clock's zone),
formatted by Babel in the reader's language. "short" is TIK's dd.MM.yyyy in every language (Latin digits,
as Norwegian forms and letters write it); "long" and "medium" are the language's own ("15. januar 2027",
"15 stycznia 2027", "15 يناير 2027"). Times are HH:mm (24 hours) in every language."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache

from babel.dates import format_date, format_time

from tik import clock

SHORT = "dd.MM.yyyy"
SHORT_BY_LANGUAGE = {"sv": "yyyy-MM-dd"}  # Swedish writes dates the ISO way (2026-11-20)
TIME = "HH:mm"
# What a date field accepts: the date input's yyyy-mm-dd, and dd.mm.yyyy typed by hand.
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
# A date typed rather than picked (a birth date): shown as dd.mm.åååå, typed with or without the dots, or as ISO.
TYPED_DATE_FORMATS = ["%d.%m.%Y", "%d%m%Y", "%Y-%m-%d"]


def local(moment: datetime) -> datetime:
    """A stored time (naive UTC, or aware) as the municipality's wall-clock time (aware)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(clock.zone())


def show_date(value: date | datetime | str | None, lang: str = "nb", fmt: str = "short") -> str:
    """The date of `value` for a reader of `lang`; a stored time gives its local date. ISO text is read."""
    value = _parsed(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    pattern = SHORT_BY_LANGUAGE.get(lang, SHORT) if fmt == "short" else fmt
    return _date_text(value, pattern, lang)


def show_time(value: datetime | str | None, lang: str = "nb") -> str:
    """The local wall-clock time of a stored time, "14:00"."""
    value = _parsed(value)
    if not isinstance(value, datetime):
        return ""
    moment = local(value)
    return _time_text(moment.hour, moment.minute, lang)


# A page writes ≈ 60 dates, most of them the same few days and minutes: Babel formats each once per worker.
@lru_cache(maxsize=4096)
def _date_text(day: date, pattern: str, lang: str) -> str:
    return format_date(day, pattern, locale=_locale(lang))


@lru_cache(maxsize=4096)
def _time_text(hour: int, minute: int, lang: str) -> str:
    return format_time(time(hour, minute), TIME, locale=_locale(lang))


def show_datetime(value: datetime | str | None, lang: str = "nb", fmt: str = "short") -> str:
    """Date and local time of a stored time: "24.12.2026 14:00"."""
    value = _parsed(value)
    if not isinstance(value, datetime):
        return show_date(value, lang, fmt)
    return f"{show_date(value, lang, fmt)} {show_time(value, lang)}"


def _parsed(value: date | datetime | str | None) -> date | datetime | None:
    """ISO text as exported rows carry it ("2026-12-24T13:00:00"), as a date or time; others as they are."""
    if isinstance(value, str):
        if not value:
            return None
        return datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
    return value


@lru_cache(maxsize=64)
def _locale(lang: str) -> str:
    """Babel's name for a TIK language (nb, nn, en, pl, ar, ti, so …); unknown ones read as bokmål."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(lang.replace("-", "_"))
        return lang.replace("-", "_")
    except (UnknownLocaleError, ValueError, TypeError, AttributeError):
        return "nb"


def parse_day(text: str) -> date | None:
    """A day typed as yyyy-mm-dd (a date field's value), or None when it is not one."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None
