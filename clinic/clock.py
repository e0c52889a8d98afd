"""The clinic's clock: its time zone, the current instant, and local-day bounds.

Instants are stored in UTC; people see and type clinic wall-clock time. Every
conversion goes through here so the zone is read from one setting.
"""

from collections.abc import Iterable, Iterator
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


def iso_strings(instants: Iterable[int], zone: ZoneInfo) -> dict[int, str]:
    """Unix second -> iso() text for many instants (fromtimestamp(s, zone).isoformat()).

    Availability writes thousands of times; converting each through the zone was most of the
    cost of its JSON. The zone is asked only for the first and last instant of each UTC day:
    when they share an offset, so does everything between (no zone changes its offset twice
    within a day), and the rest is arithmetic. Otherwise each instant of that day is converted.
    """
    by_day: dict[int, list[int]] = {}
    for instant in instants:
        by_day.setdefault(instant // 86_400, []).append(instant)
    texts: dict[int, str] = {}
    dates: dict[int, str] = {}
    times: dict[int, str] = {}
    for day in by_day.values():
        first = datetime.fromtimestamp(min(day), zone)
        suffix = first.isoformat()[19:]  # the offset as isoformat writes it: "+01:00"
        if suffix != datetime.fromtimestamp(max(day), zone).isoformat()[19:]:
            texts.update((s, datetime.fromtimestamp(s, zone).isoformat()) for s in day)
            continue
        shift = int(first.utcoffset().total_seconds())
        for instant in day:
            local_days, clock_seconds = divmod(instant + shift, 86_400)
            date_text = dates.get(local_days)
            if date_text is None:
                date_text = dates[local_days] = date.fromordinal(_EPOCH_ORDINAL + local_days).isoformat()
            time_text = times.get(clock_seconds)
            if time_text is None:
                time_text = times[clock_seconds] = time(
                    hour=clock_seconds // 3600, minute=clock_seconds // 60 % 60, second=clock_seconds % 60
                ).isoformat()
            texts[instant] = f"{date_text}T{time_text}{suffix}"
    return texts


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
