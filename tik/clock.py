"""The one source of "now" and "today", so tests can move time.

Times are stored in UTC (naive). Dates are the municipality's: "today" and every date rule (consent
validity, deadlines, overdue, evaluation due, reopening, retention) use the local date in the time zone
TIK_TIMEZONE names (Europe/Oslo unless set), so a consent that runs to 24 December ends at midnight in
Norway, not at 01:00 (02:00 in summer)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tik.config import local_timezone

_offset = timedelta(0)

LOCAL = local_timezone()
_zone_of_scope = None  # set by tik/municipalities: the time zone name of the current municipality, or None


def zone_source(source) -> None:
    """Where the current municipality's time zone comes from (a function returning an IANA name or None)."""
    global _zone_of_scope
    _zone_of_scope = source


def overdue(due: date | None, on: date | None = None) -> bool:
    """Whether a deadline or an evaluation date has passed: it lies before `on` (the local today when not given).
    On the day itself it is due, not overdue."""
    return due is not None and due < (on or today())


def zone() -> ZoneInfo:
    """The municipality's time zone: the current municipality's, else TIK_TIMEZONE's."""
    name = _zone_of_scope() if _zone_of_scope is not None else None
    return ZoneInfo(name or LOCAL)


def now() -> datetime:
    """The current time in UTC (naive, as stored), moved by any test offset."""
    return (datetime.now(UTC) + _offset).replace(tzinfo=None)


def today() -> date:
    """The municipality's date now: the day every date rule counts from."""
    return local_date(now())


def local_date(moment: datetime) -> date:
    """The municipality's date at a stored (naive UTC) time: the day a case opened or closed, locally."""
    return utc_to_local(moment).date()


def travel(to: date | datetime) -> None:
    """Move the clock so that now() is `to` (tests only): a naive datetime is UTC, a date is noon UTC,
    an aware datetime is converted (travel(datetime(2026, 12, 24, 23, 59, tzinfo=zone())))."""
    global _offset
    target = to if isinstance(to, datetime) else datetime.combine(to, datetime.min.time().replace(hour=12))
    if target.tzinfo is not None:
        target = target.astimezone(UTC).replace(tzinfo=None)
    _offset = target - datetime.now(UTC).replace(tzinfo=None)


def reset() -> None:
    global _offset
    _offset = timedelta(0)


def local_to_utc(moment: datetime) -> datetime:
    """A wall-clock time in the municipality (as people type it) as the naive UTC time the database keeps."""
    return moment.replace(tzinfo=zone()).astimezone(UTC).replace(tzinfo=None)


def utc_to_local(moment: datetime) -> datetime:
    """A stored (naive UTC) time as the municipality's wall-clock time, naive."""
    return moment.replace(tzinfo=UTC).astimezone(zone()).replace(tzinfo=None)
