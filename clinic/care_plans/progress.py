"""Pain over a course of care: the trend, readiness for maintenance, and relapse.

Seed article, "Recovery": "Monitor Your Progress: Keep track of your pain levels and
mobility improvements", relief comes "within the first few massage sessions", and "after
the initial recovery, monthly sessions may help maintain" it. The rules below turn the
signed notes' pain scores (0-10 numeric rating scale) into plain statements.

The pain a client arrives with (`pain_before`) measures lasting change between sessions;
`pain_after` only shows the relief of the day, so the rules follow `pain_before`.

Pure rules: no Flask, no database.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

# "Ready for maintenance": pain down by at least this many points, or this fraction,
# from the first session, held for this many consecutive (latest) sessions.
READY_DROP_POINTS = 2
READY_DROP_FRACTION = 0.30
READY_HELD_SESSIONS = 2
# "Rising again": the latest pain is this many points above the lowest before it.
RISING_POINTS = 2
# A least-squares slope (points per session) beyond this counts as a trend.
TREND_SLOPE = 0.25


class Trend(StrEnum):
    IMPROVING = "improving"
    STEADY = "steady"
    WORSENING = "worsening"
    UNKNOWN = "unknown"  # fewer than two sessions with a note


@dataclass(frozen=True)
class PainPoint:
    """One signed session note's pain scores."""

    appointment_id: int
    day: date
    pain_before: int
    pain_after: int
    techniques: tuple[str, ...] = ()

    @property
    def relief(self) -> int:
        return self.pain_before - self.pain_after


@dataclass(frozen=True)
class Progress:
    trend: Trend
    baseline: int | None
    latest: int | None
    ready_for_maintenance: bool
    rising_again: bool
    mean_relief: float | None

    @property
    def change(self) -> int | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest - self.baseline


def slope(values: list[int]) -> float:
    """Least-squares slope of `values` against their position (0 for fewer than two)."""
    n = len(values)
    if n < 2:
        return 0.0
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    num = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    den = sum((x - mean_x) ** 2 for x in range(n))
    return num / den


def pain_trend(points: list[PainPoint]) -> Trend:
    """Improving, steady or worsening pain on arrival over the sessions, oldest first."""
    if len(points) < 2:
        return Trend.UNKNOWN
    s = slope([p.pain_before for p in points])
    if s <= -TREND_SLOPE:
        return Trend.IMPROVING
    if s >= TREND_SLOPE:
        return Trend.WORSENING
    return Trend.STEADY


def meets_readiness_drop(baseline: int, pain: int) -> bool:
    """Down by at least 2 points or by at least 30% from the baseline."""
    drop = baseline - pain
    if drop <= 0:
        return False
    return drop >= READY_DROP_POINTS or drop >= READY_DROP_FRACTION * baseline


def ready_for_maintenance(points: list[PainPoint]) -> bool:
    """The drop from the first session has held for the latest two sessions."""
    if len(points) < 1 + READY_HELD_SESSIONS:
        return False
    baseline = points[0].pain_before
    return all(meets_readiness_drop(baseline, p.pain_before) for p in points[-READY_HELD_SESSIONS:])


def rising_again(points: list[PainPoint]) -> bool:
    """Pain on arrival climbs over the latest sessions.

    Either it rose at each of the last two sessions, or the latest rose and sits at least
    2 points above the lowest pain seen before it (a relapse after relief).
    """
    if len(points) < 3:
        return False
    values = [p.pain_before for p in points]
    if values[-1] > values[-2] > values[-3]:
        return True
    return values[-1] > values[-2] and values[-1] - min(values[:-1]) >= RISING_POINTS


def progress_of(points: list[PainPoint]) -> Progress:
    """Everything the plan page says about pain, from the notes oldest first."""
    points = sorted(points, key=lambda p: p.day)
    return Progress(
        trend=pain_trend(points),
        baseline=points[0].pain_before if points else None,
        latest=points[-1].pain_before if points else None,
        ready_for_maintenance=ready_for_maintenance(points),
        rising_again=rising_again(points),
        mean_relief=(sum(p.relief for p in points) / len(points)) if points else None,
    )
