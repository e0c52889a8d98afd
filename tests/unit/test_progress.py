from datetime import date, timedelta

import pytest

from clinic.care_plans.progress import (
    PainPoint,
    Trend,
    meets_readiness_drop,
    pain_trend,
    progress_of,
    ready_for_maintenance,
    rising_again,
    slope,
)


def points(*before: int, after_drop: int = 2) -> list[PainPoint]:
    start = date(2027, 3, 2)
    return [
        PainPoint(i + 1, start + timedelta(weeks=i), b, max(b - after_drop, 0), ("swedish",))
        for i, b in enumerate(before)
    ]


@pytest.mark.parametrize(
    ("baseline", "pain", "expected"),
    [
        (7, 5, True),  # 2 points
        (7, 6, False),  # 1 point, 14%
        (3, 2, True),  # 1 point but 33%
        (4, 3, False),  # 1 point, 25%
        (10, 8, True),
        (0, 0, False),  # nothing to improve
        (5, 6, False),
    ],
)
def test_readiness_drop_is_two_points_or_thirty_percent(baseline, pain, expected):
    assert meets_readiness_drop(baseline, pain) is expected


def test_ready_when_the_drop_holds_for_the_latest_two_sessions():
    assert ready_for_maintenance(points(7, 6, 5, 4))
    assert ready_for_maintenance(points(7, 5, 5))


def test_not_ready_after_a_single_good_session():
    assert not ready_for_maintenance(points(7, 6, 4))
    assert not ready_for_maintenance(points(7, 4))


def test_not_ready_when_the_latest_session_lost_the_drop():
    assert not ready_for_maintenance(points(7, 4, 4, 6))


def test_rising_again_after_relief():
    assert rising_again(points(7, 5, 3, 5))  # 2 above the lowest, and up from last time
    assert rising_again(points(7, 4, 5, 6))  # two rises in a row


def test_not_rising_when_falling_or_flat_or_one_small_bump():
    assert not rising_again(points(7, 6, 5, 4))
    assert not rising_again(points(5, 5, 5))
    assert not rising_again(points(7, 4, 3, 4))
    assert not rising_again(points(3, 4))  # too few sessions to call it


def test_trend_follows_the_slope_of_pain_on_arrival():
    assert pain_trend(points(7, 6, 5, 4, 3)) is Trend.IMPROVING
    assert pain_trend(points(3, 4, 5)) is Trend.WORSENING
    assert pain_trend(points(5, 5, 4, 5, 5)) is Trend.STEADY
    assert pain_trend(points(5)) is Trend.UNKNOWN
    assert pain_trend([]) is Trend.UNKNOWN


def test_slope_is_least_squares():
    assert slope([7, 6, 5, 4]) == pytest.approx(-1.0)
    assert slope([1, 3]) == pytest.approx(2.0)
    assert slope([4]) == 0.0


def test_progress_summary_sorts_by_day_and_reports_change_and_relief():
    p = points(7, 5, 4, 3)
    summary = progress_of(list(reversed(p)))
    assert summary.baseline == 7
    assert summary.latest == 3
    assert summary.change == -4
    assert summary.mean_relief == pytest.approx(2.0)
    assert summary.ready_for_maintenance
    assert not summary.rising_again
    assert summary.trend is Trend.IMPROVING


def test_progress_of_no_notes():
    summary = progress_of([])
    assert summary.baseline is None and summary.change is None and summary.mean_relief is None
    assert summary.trend is Trend.UNKNOWN
    assert not summary.ready_for_maintenance
