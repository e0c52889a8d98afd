"""Laying out a calendar day on the 15-minute grid: which rows to show, where each block goes.

Pure: no Flask, no database. A column is one therapist on one local day; its rows are the
quarter-hours of clinic wall-clock time, so a block's place is the same arithmetic the
stylesheet's row classes (tg-r1.., tg-s1..) expect. Times are read on the wall clock, as
working hours are, so 09:00 is row "09:00" on a daylight-saving day too.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from clinic.scheduling.slots import GRID_MINUTES

ROWS_PER_DAY = 24 * 60 // GRID_MINUTES
# Shown when a day has no working hours or visits to go by.
DEFAULT_WINDOW = (8 * 4, 18 * 4)


@dataclass(frozen=True)
class Span:
    """Something with a start and an end, and whatever the page needs to draw it."""

    start: datetime
    end: datetime
    item: Any = None
    buffer_minutes: int = 0


@dataclass(frozen=True)
class Block:
    """A block drawn on a column: grid row (1-based, inside the window) and rows spanned."""

    kind: str  # "appointment", "time_off" or "buffer"
    row: int
    span: int
    start: datetime
    end: datetime
    item: Any = None
    clipped: bool = False


@dataclass(frozen=True)
class Cell:
    """One quarter-hour row of a column."""

    row: int
    at: time
    working: bool
    free: bool
    past: bool = False


@dataclass(frozen=True)
class FreeRange:
    """Consecutive free quarter-hours, for the agenda: book from `start`."""

    start: time
    end: time


@dataclass(frozen=True)
class Column:
    day: date
    cells: list[Cell]
    blocks: list[Block]
    now_row: int | None = None
    now_minute: int = 0
    free_ranges: list[FreeRange] = field(default_factory=list)


def _quarter(instant: datetime, day: date, zone: ZoneInfo, *, ceil: bool = False) -> int:
    """The quarter-hour index of `instant` on the local `day` (0 before it, 96 after it)."""
    local = instant.astimezone(zone)
    if local.date() < day:
        return 0
    if local.date() > day:
        return ROWS_PER_DAY
    minutes = local.hour * 60 + local.minute + (1 if ceil and (local.second or local.microsecond) else 0)
    quarters, rest = divmod(minutes, GRID_MINUTES)
    return quarters + (1 if ceil and rest else 0)


def window(
    days: Iterable[date],
    zone: ZoneInfo,
    *,
    hours: Iterable[Span] = (),
    appointments: Iterable[Span] = (),
) -> tuple[int, int]:
    """The quarter-hour rows [first, last) to show for these days: whole hours covering
    every working interval and every visit on them, or 08:00-18:00 when there are none."""
    days = set(days)
    first, last = ROWS_PER_DAY, 0
    for span in [*hours, *appointments]:
        for day in {span.start.astimezone(zone).date(), span.end.astimezone(zone).date()} & days:
            start, end = _quarter(span.start, day, zone), _quarter(span.end, day, zone, ceil=True)
            if end > start:
                first, last = min(first, start), max(last, end)
    if first >= last:
        return DEFAULT_WINDOW
    return first - first % 4, min(ROWS_PER_DAY, last + (-last) % 4)


def _place(kind: str, span: Span, start: datetime, end: datetime, day, zone, rows) -> Block | None:
    first, last = rows
    lo = max(_quarter(start, day, zone), first)
    hi = min(_quarter(end, day, zone, ceil=True), last)
    if hi <= lo:
        return None
    clipped = lo != _quarter(start, day, zone) or hi != _quarter(end, day, zone, ceil=True)
    return Block(kind, lo - first + 1, hi - lo, span.start, span.end, span.item, clipped)


def row_time(quarter: int) -> time:
    return time(quarter // 4, quarter % 4 * GRID_MINUTES) if quarter < ROWS_PER_DAY else time(0)


def column(
    day: date,
    zone: ZoneInfo,
    rows: tuple[int, int],
    *,
    hours: Sequence[Span] = (),
    appointments: Sequence[Span] = (),
    time_off: Sequence[Span] = (),
    free: Iterable[datetime] = (),
    now: datetime | None = None,
) -> Column:
    """One therapist's local day as grid rows and blocks.

    `appointments` are the visits still on the calendar (not cancelled); each one's buffer
    is drawn before and after it. `free` are the starts a visit could be booked at.
    """
    first, last = rows
    working = set()
    for span in hours:
        working.update(range(_quarter(span.start, day, zone), _quarter(span.end, day, zone, ceil=True)))
    free_rows = {
        _quarter(s, day, zone) for s in free if s.astimezone(zone).date() == day
    }
    past = 0
    if now is not None:
        today = now.astimezone(zone).date()
        past = ROWS_PER_DAY if day < today else _quarter(now, day, zone) if day == today else 0
    cells = [
        Cell(q - first + 1, row_time(q), q in working, q in free_rows, q < past) for q in range(first, last)
    ]
    blocks = []
    for span in time_off:
        blocks.append(_place("time_off", span, span.start, span.end, day, zone, rows))
    for span in appointments:
        gap = timedelta(minutes=span.buffer_minutes)
        if gap:
            blocks.append(_place("buffer", span, span.start - gap, span.start, day, zone, rows))
            blocks.append(_place("buffer", span, span.end, span.end + gap, day, zone, rows))
        blocks.append(_place("appointment", span, span.start, span.end, day, zone, rows))
    order = {"time_off": 0, "buffer": 1, "appointment": 2}
    blocks = sorted((b for b in blocks if b), key=lambda b: (b.row, order[b.kind]))
    now_row, now_minute = None, 0
    if now is not None and now.astimezone(zone).date() == day:
        local = now.astimezone(zone)
        quarter, now_minute = divmod(local.hour * 60 + local.minute, GRID_MINUTES)
        if first <= quarter < last:
            now_row = quarter - first + 1
    return Column(day, cells, blocks, now_row, now_minute, _free_ranges(free_rows))


def _free_ranges(free_rows: set[int]) -> list[FreeRange]:
    ranges: list[list[int]] = []
    for q in sorted(free_rows):
        if ranges and ranges[-1][1] == q:
            ranges[-1][1] = q + 1
        else:
            ranges.append([q, q + 1])
    return [FreeRange(row_time(lo), row_time(hi)) for lo, hi in ranges]


def hour_labels(rows: tuple[int, int]) -> list[tuple[int, time]]:
    """(grid row, time) of each whole hour in the window, for the time axis."""
    first, last = rows
    return [(q - first + 1, row_time(q)) for q in range(first, last) if q % 4 == 0]
