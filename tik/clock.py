"""The one source of "now" and "today", so tests can move time."""

from datetime import UTC, date, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    """The current time in UTC (naive, as stored), moved by any test offset."""
    return (datetime.now(UTC) + _offset).replace(tzinfo=None)


def today() -> date:
    return now().date()


def travel(to: date | datetime) -> None:
    """Move the clock so that now() is `to` (tests only)."""
    global _offset
    target = to if isinstance(to, datetime) else datetime.combine(to, datetime.min.time().replace(hour=12))
    _offset = target - datetime.now(UTC).replace(tzinfo=None)


def reset() -> None:
    global _offset
    _offset = timedelta(0)


LOCAL = "Europe/Oslo"


def local_to_utc(moment: datetime) -> datetime:
    """A wall-clock time in Norway (as people type it) as the naive UTC time the database keeps."""
    from zoneinfo import ZoneInfo

    return moment.replace(tzinfo=ZoneInfo(LOCAL)).astimezone(UTC).replace(tzinfo=None)


def utc_to_local(moment: datetime) -> datetime:
    """A stored (naive UTC) time as Norwegian wall-clock time, naive."""
    from zoneinfo import ZoneInfo

    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(LOCAL)).replace(tzinfo=None)
