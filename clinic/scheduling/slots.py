"""Pure scheduling rules: overlap, weekly working hours, and bookable starts.

No Flask, no database: inputs are plain values. Instants are timezone-aware datetimes;
working hours are wall-clock times in the clinic's zone, so a 09:00 start stays 09:00
on both sides of a daylight-saving change.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

GRID_MINUTES = 15
_GRID_SECONDS = GRID_MINUTES * 60


def overlaps(a_start, a_end, b_start, b_end) -> bool:
    """Half-open intervals [a_start, a_end) and [b_start, b_end) share a moment.

    Touching intervals (one ends when the other starts) do not overlap. The SQL twin is
    clinic.scheduling.common.overlap_clause, which uses the same two comparisons.
    """
    return a_start < b_end and b_start < a_end


@dataclass(frozen=True)
class WeeklyHours:
    """One interval of a therapist's week, in clinic wall-clock time (Monday = 0)."""

    weekday: int
    start: time
    end: time


class Interval(NamedTuple):
    start: datetime
    end: datetime


class Busy(NamedTuple):
    """An appointment already on the calendar, with the buffer its service asked for.

    A NamedTuple rather than a dataclass: availability builds thousands per request.
    """

    start: datetime
    end: datetime
    buffer_minutes: int = 0


def weekly_hours_problems(hours: Sequence[WeeklyHours]) -> dict[int, str]:
    """Index -> problem for intervals that are inverted, empty, or overlap another that day."""
    problems: dict[int, str] = {}
    for i, h in enumerate(hours):
        if not 0 <= h.weekday <= 6:
            problems[i] = "weekday must be 0 (Monday) to 6 (Sunday)"
        elif h.end <= h.start:
            problems[i] = "end must be after start"
    for i, a in enumerate(hours):
        for j, b in enumerate(hours):
            if (
                i < j
                and i not in problems
                and j not in problems
                and a.weekday == b.weekday
                and overlaps(a.start, a.end, b.start, b.end)
            ):
                problems[j] = f"overlaps another interval on weekday {a.weekday}"
    return problems


def working_intervals(
    hours: Iterable[WeeklyHours], first_day: date, last_day: date, zone: ZoneInfo
) -> list[Interval]:
    """The working intervals as UTC instants for each local day in [first_day, last_day]."""
    by_weekday: dict[int, list[WeeklyHours]] = {}
    for h in hours:
        by_weekday.setdefault(h.weekday, []).append(h)
    result = []
    day = first_day
    while day <= last_day:
        for h in sorted(by_weekday.get(day.weekday(), ()), key=lambda h: h.start):
            start = datetime.combine(day, h.start, tzinfo=zone).astimezone(UTC)
            end = datetime.combine(day, h.end, tzinfo=zone).astimezone(UTC)
            if end > start:
                result.append(Interval(start, end))
        day += timedelta(days=1)
    return result


def on_grid(instant: datetime, zone: ZoneInfo) -> bool:
    """True when `instant` falls on :00, :15, :30 or :45 clinic time, to the second."""
    local = instant.astimezone(zone)
    return local.second == 0 and local.microsecond == 0 and local.minute % GRID_MINUTES == 0


class Window(NamedTuple):
    """A working interval in Unix seconds, with the clinic's UTC offset at its start: the
    15-minute grid is clinic time, which is not UTC's grid in every zone."""

    start: int
    end: int
    offset: int


def working_windows(
    hours: Iterable[WeeklyHours], first_day: date, last_day: date, zone: ZoneInfo
) -> list[Window]:
    """working_intervals as Unix seconds, the form open_starts works in."""
    return [
        Window(_epoch(w.start), _epoch(w.end), int(w.start.astimezone(zone).utcoffset().total_seconds()))
        for w in working_intervals(hours, first_day, last_day, zone)
    ]


def _ceil_to_grid(seconds: int, offset_seconds: int) -> int:
    """The first grid instant at or after `seconds` (epoch), the grid aligned to local time."""
    return seconds + (-(seconds + offset_seconds)) % _GRID_SECONDS


def _epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def _merge_open_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint open ranges; (a, b) and (b, c) stay apart because b is in neither."""
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo < merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def open_slots(
    *,
    hours: Iterable[WeeklyHours],
    first_day: date,
    last_day: date,
    zone: ZoneInfo,
    duration_minutes: int,
    buffer_minutes: int = 0,
    busy: Iterable[Busy] = (),
    time_off: Iterable[Interval] = (),
    not_before: datetime | None = None,
) -> list[datetime]:
    """Bookable starts (aware UTC datetimes, ascending) for one therapist and one service.

    A start is bookable when it is on the 15-minute clinic-time grid, the whole appointment
    lies inside one working interval, it does not overlap time off, it is not before
    `not_before` (the client's minimum notice), and it keeps from every busy appointment a
    gap of at least the larger of the two buffers (buffers may reach outside working hours).
    """
    floor = None
    if not_before is not None:
        floor = _epoch(not_before) + (1 if not_before.microsecond else 0)
    starts = open_starts(
        windows=working_windows(hours, first_day, last_day, zone),
        duration_minutes=duration_minutes,
        buffer_minutes=buffer_minutes,
        busy=[(_epoch(b.start), _epoch(b.end), b.buffer_minutes) for b in busy],
        time_off=[(_epoch(off.start), _epoch(off.end)) for off in time_off],
        not_before=floor,
    )
    return [datetime.fromtimestamp(s, UTC) for s in starts]


def open_starts(
    *,
    windows: Iterable[Window],
    duration_minutes: int,
    buffer_minutes: int = 0,
    busy: Iterable[tuple[int, int, int]] = (),
    time_off: Iterable[tuple[int, int]] = (),
    not_before: int | None = None,
) -> list[int]:
    """open_slots in Unix seconds: busy as (start, end, buffer_minutes), time off as
    (start, end), the result ascending. Availability calls this directly; converting
    thousands of instants to datetimes and back was most of its time.
    """
    duration = duration_minutes * 60
    # Each obstacle forbids an open range of starts (lo, hi): a start s clashes with a busy
    # [bs, be) and gap g exactly when bs - g - duration < s < be + g.
    forbidden: list[tuple[int, int]] = []
    for start, end, other_buffer in busy:
        gap = max(buffer_minutes, other_buffer or 0) * 60
        forbidden.append((start - gap - duration, end + gap))
    for start, end in time_off:
        forbidden.append((start - duration, end))
    merged = _merge_open_ranges(forbidden)
    count = len(merged)

    starts: list[int] = []
    j = 0
    for window in windows:
        first = window.start
        last = window.end - duration
        if not_before is not None and not_before > first:
            first = not_before
        if first > last:
            continue
        s = _ceil_to_grid(first, window.offset)
        while s <= last:
            while j < count and merged[j][1] <= s:
                j += 1
            if j < count and merged[j][0] < s:
                s = _ceil_to_grid(merged[j][1], window.offset)
                continue
            # Free from s up to the next forbidden range's open lower end (or the window's end).
            limit = last if j == count or merged[j][0] > last else merged[j][0]
            starts.extend(range(s, limit + 1, _GRID_SECONDS))
            s += ((limit - s) // _GRID_SECONDS + 1) * _GRID_SECONDS
    return starts


def horizon_day(today: date, horizon_days: int) -> date:
    """The last clinic-local day whose starts are offered (and clients may book):
    today + BOOKING_HORIZON_DAYS. A calendar kept open to year 8999 invites hoarding."""
    return today + timedelta(days=max(horizon_days, 0))


def over_booking_limit(open_bookings: int, limit: int) -> bool:
    """Whether one more online booking would take a client past CLIENT_MAX_OPEN_BOOKINGS
    future visits booked themselves (one person cannot empty a therapist's week)."""
    return open_bookings >= limit


def start_problem(
    start: datetime,
    *,
    hours: Iterable[WeeklyHours],
    zone: ZoneInfo,
    duration_minutes: int,
    buffer_minutes: int = 0,
    busy: Iterable[Busy] = (),
    time_off: Iterable[Interval] = (),
    not_before: datetime | None = None,
    last_day: date | None = None,
) -> str | None:
    """Why `start` cannot be booked (a short sentence), or None when it can.

    The same rules as open_slots, checked for one start so the reason can be told;
    `last_day` is the client's booking horizon (see horizon_day).
    """
    end = start + timedelta(minutes=duration_minutes)
    if not on_grid(start, zone):
        return "That time is off the 15-minute grid: appointments start at :00, :15, :30 or :45."
    if not_before is not None and start < not_before:
        return "That time is too soon to book online."
    local_day = start.astimezone(zone).date()
    if last_day is not None and local_day > last_day:
        return f"That day is too far ahead to book online: bookings open up to {last_day.isoformat()}."
    windows = working_intervals(hours, local_day - timedelta(days=1), local_day + timedelta(days=1), zone)
    if not any(w.start <= start and end <= w.end for w in windows):
        return "That time is outside the therapist's working hours."
    for off in time_off:
        if overlaps(start, end, off.start, off.end):
            return "The therapist is away at that time."
    for b in busy:
        if overlaps(start, end, b.start, b.end):
            return "That time overlaps another appointment."
    for b in busy:
        gap = timedelta(minutes=max(buffer_minutes, b.buffer_minutes))
        if overlaps(start - gap, end + gap, b.start, b.end):
            return "That time is too close to another appointment (preparation time between sessions)."
    return None
