"""The clinic's clock: its time zone, the current instant, and local-day bounds.

Instants are stored in UTC; people see and type clinic wall-clock time. Every
conversion goes through here so the zone is read from one setting.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["CLINIC_TIMEZONE"])


_REPLAYED: ContextVar[datetime | None] = ContextVar("clinic_replayed_now", default=None)


def now() -> datetime:
    return _REPLAYED.get() or datetime.now(UTC)


@contextmanager
def replaying(instant: datetime) -> Iterator[None]:
    """Run services as if it were `instant` (in the past): the demo clinic's history is made
    through the real services, so a note is signed minutes after its session, not at seeding."""
    token = _REPLAYED.set(instant)
    try:
        yield
    finally:
        _REPLAYED.reset(token)


def today() -> date:
    return now().astimezone(clinic_zone()).date()


def to_local(instant: datetime) -> datetime:
    return instant.astimezone(clinic_zone())


def iso(instant: datetime | None) -> str | None:
    """ISO 8601 in clinic time with its offset, as the API contract shows date-times."""
    return None if instant is None else to_local(instant).isoformat()


def local_midnight(day: date) -> datetime:
    """The UTC instant at which `day` starts in the clinic (DST-aware)."""
    return datetime.combine(day, time(0), tzinfo=clinic_zone()).astimezone(UTC)


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC bounds of the inclusive local date range [first, last], as a half-open interval."""
    return local_midnight(first), local_midnight(last + timedelta(days=1))


def local_datetime(day: date, wall_clock: time) -> datetime:
    """The UTC instant of a wall-clock time on a local day."""
    return datetime.combine(day, wall_clock, tzinfo=clinic_zone()).astimezone(UTC)
