"""open_slots and start_problem: tables of cases, a DST check, and hypothesis properties."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.scheduling.slots import (
    Busy,
    Interval,
    WeeklyHours,
    on_grid,
    open_slots,
    overlaps,
    start_problem,
    weekly_hours_problems,
    working_intervals,
)

UTCZ = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2030, 3, 4)
NINE_TO_FIVE = [WeeklyHours(d, time(9), time(17)) for d in range(5)]


def at(day, hour, minute=0, zone=UTCZ):
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def slots_on(day, **kw):
    kw.setdefault("hours", NINE_TO_FIVE)
    kw.setdefault("zone", UTCZ)
    kw.setdefault("duration_minutes", 60)
    return open_slots(first_day=day, last_day=day, **kw)


def test_empty_day_offers_every_quarter_hour_that_fits():
    starts = slots_on(MONDAY)
    assert starts[0] == at(MONDAY, 9)
    assert starts[-1] == at(MONDAY, 16)
    assert len(starts) == 29
    assert all(b - a == timedelta(minutes=15) for a, b in itertools.pairwise(starts))


def test_no_hours_no_slots():
    saturday = MONDAY + timedelta(days=5)
    assert slots_on(saturday) == []


def test_odd_working_hours_start_on_the_next_grid_point():
    hours = [WeeklyHours(0, time(9, 10), time(11, 0))]
    assert slots_on(MONDAY, hours=hours) == [at(MONDAY, 9, 15), at(MONDAY, 9, 30), at(MONDAY, 9, 45),
                                             at(MONDAY, 10)]


def test_busy_blocks_with_the_larger_buffer():
    busy = [Busy(at(MONDAY, 12), at(MONDAY, 13), buffer_minutes=10)]
    starts = set(slots_on(MONDAY, busy=busy, buffer_minutes=30))
    assert at(MONDAY, 10, 30) in starts  # ends 11:30, 30 minutes before 12:00
    assert at(MONDAY, 10, 45) not in starts
    assert at(MONDAY, 13, 15) not in starts
    assert at(MONDAY, 13, 30) in starts


def test_the_busy_appointments_buffer_counts_when_it_is_larger():
    busy = [Busy(at(MONDAY, 12), at(MONDAY, 13), buffer_minutes=45)]
    starts = set(slots_on(MONDAY, busy=busy, buffer_minutes=0))
    assert at(MONDAY, 10, 15) in starts
    assert at(MONDAY, 10, 30) not in starts
    assert at(MONDAY, 13, 30) not in starts
    assert at(MONDAY, 13, 45) in starts


def test_buffers_reach_outside_working_hours():
    """An appointment the evening before (outside hours) still keeps its gap."""
    busy = [Busy(at(MONDAY, 8, 30), at(MONDAY, 9, 0), buffer_minutes=30)]
    assert slots_on(MONDAY, busy=busy)[0] == at(MONDAY, 9, 30)


def test_touching_appointments_without_buffers_are_fine():
    busy = [Busy(at(MONDAY, 10), at(MONDAY, 11))]
    starts = set(slots_on(MONDAY, busy=busy))
    assert at(MONDAY, 9) in starts
    assert at(MONDAY, 11) in starts
    assert at(MONDAY, 9, 15) not in starts


def test_time_off_removes_slots():
    off = [Interval(at(MONDAY, 9), at(MONDAY, 12))]
    assert slots_on(MONDAY, time_off=off)[0] == at(MONDAY, 12)


def test_not_before_keeps_the_notice():
    starts = slots_on(MONDAY, not_before=at(MONDAY, 11, 7))
    assert starts[0] == at(MONDAY, 11, 15)


def test_several_days_in_order():
    starts = open_slots(hours=NINE_TO_FIVE, first_day=MONDAY, last_day=MONDAY + timedelta(days=6),
                        zone=UTCZ, duration_minutes=60)
    assert len(starts) == 5 * 29
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (at(MONDAY, 10), None),
        (at(MONDAY, 10, 5), "grid"),
        (at(MONDAY, 8, 45), "working hours"),
        (at(MONDAY, 16, 15), "working hours"),
        (at(MONDAY, 12, 30), "overlaps"),
        (at(MONDAY, 13), "too close"),
        (at(MONDAY, 15, 30), "away"),
    ],
)
def test_start_problem_names_the_reason(start, expected):
    problem = start_problem(
        start,
        hours=NINE_TO_FIVE,
        zone=UTCZ,
        duration_minutes=60,
        buffer_minutes=15,
        busy=[Busy(at(MONDAY, 12), at(MONDAY, 13))],
        time_off=[Interval(at(MONDAY, 16), at(MONDAY, 17))],
    )
    if expected is None:
        assert problem is None
    else:
        assert expected in problem


def test_start_problem_applies_notice_only_when_given():
    kw = {"hours": NINE_TO_FIVE, "zone": UTCZ, "duration_minutes": 60}
    assert start_problem(at(MONDAY, 10), **kw) is None
    assert "too soon" in start_problem(at(MONDAY, 10), not_before=at(MONDAY, 11), **kw)


@pytest.mark.parametrize(
    ("hours", "bad"),
    [
        ([WeeklyHours(0, time(9), time(12)), WeeklyHours(0, time(11), time(14))], {1}),
        ([WeeklyHours(0, time(9), time(12)), WeeklyHours(0, time(12), time(14))], set()),
        ([WeeklyHours(0, time(9), time(12)), WeeklyHours(1, time(11), time(14))], set()),
        ([WeeklyHours(0, time(12), time(9))], {0}),
        ([WeeklyHours(0, time(9), time(9))], {0}),
        ([WeeklyHours(7, time(9), time(10))], {0}),
    ],
)
def test_weekly_hours_problems(hours, bad):
    assert set(weekly_hours_problems(hours)) == bad


# -- daylight saving -----------------------------------------------------------------------


def test_nine_stays_nine_across_the_berlin_spring_change():
    """Berlin moves from UTC+1 to UTC+2 on Sunday 2030-03-31."""
    hours = [WeeklyHours(d, time(9), time(17)) for d in range(7)]
    before, after = date(2030, 3, 29), date(2030, 4, 1)
    first_before = open_slots(hours=hours, first_day=before, last_day=before, zone=BERLIN, duration_minutes=60)[0]
    first_after = open_slots(hours=hours, first_day=after, last_day=after, zone=BERLIN, duration_minutes=60)[0]
    assert first_before.astimezone(BERLIN).time() == time(9)
    assert first_after.astimezone(BERLIN).time() == time(9)
    assert first_before.hour == 8 and first_after.hour == 7  # in UTC
    change_day = open_slots(hours=hours, first_day=date(2030, 3, 31), last_day=date(2030, 3, 31),
                            zone=BERLIN, duration_minutes=60)
    assert [s.astimezone(BERLIN).time() for s in change_day][:2] == [time(9), time(9, 15)]
    assert len(change_day) == 29


def test_nine_stays_nine_across_the_berlin_autumn_change():
    hours = [WeeklyHours(d, time(9), time(17)) for d in range(7)]
    windows = working_intervals(hours, date(2030, 10, 25), date(2030, 10, 28), BERLIN)
    assert [w.start.astimezone(BERLIN).time() for w in windows] == [time(9)] * 4
    assert [w.end - w.start for w in windows] == [timedelta(hours=8)] * 4


def test_night_hours_across_the_spring_gap_stay_on_the_grid():
    hours = [WeeklyHours(6, time(0), time(6))]
    starts = open_slots(hours=hours, first_day=date(2030, 3, 31), last_day=date(2030, 3, 31),
                        zone=BERLIN, duration_minutes=30)
    assert all(on_grid(s, BERLIN) for s in starts)
    # Only five real hours that night: 02:00-03:00 does not exist.
    assert len(starts) == 5 * 4 - 1


# -- properties ----------------------------------------------------------------------------

ZONES = [UTCZ, BERLIN, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]
quarter = st.integers(min_value=0, max_value=24 * 60 - 1)


@st.composite
def weekly_hours(draw):
    hours = []
    for weekday in range(7):
        for _ in range(draw(st.integers(0, 2))):
            a = draw(st.integers(0, 23 * 60 - 1))
            b = draw(st.integers(a + 5, 24 * 60 - 1))
            hours.append(WeeklyHours(weekday, time(a // 60, a % 60), time(b // 60, b % 60)))
    problems = weekly_hours_problems(hours)
    return [h for i, h in enumerate(hours) if i not in problems]


@st.composite
def scenes(draw):
    zone = draw(st.sampled_from(ZONES))
    first = date(2030, 3, 25) + timedelta(days=draw(st.integers(0, 220)))
    last = first + timedelta(days=draw(st.integers(0, 3)))
    origin = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC) - timedelta(hours=6)
    span_minutes = ((last - first).days + 1) * 24 * 60 + 12 * 60

    def instant():
        return origin + timedelta(minutes=draw(st.integers(0, span_minutes)))

    busy = []
    for _ in range(draw(st.integers(0, 8))):
        start = instant()
        busy.append(Busy(start, start + timedelta(minutes=draw(st.integers(5, 180))), draw(st.integers(0, 60))))
    time_off = []
    for _ in range(draw(st.integers(0, 2))):
        start = instant()
        time_off.append(Interval(start, start + timedelta(minutes=draw(st.integers(1, 600)))))
    not_before = instant() if draw(st.booleans()) else None
    return {
        "hours": draw(weekly_hours()),
        "first_day": first,
        "last_day": last,
        "zone": zone,
        "duration_minutes": draw(st.integers(5, 180)),
        "buffer_minutes": draw(st.integers(0, 60)),
        "busy": busy,
        "time_off": time_off,
        "not_before": not_before,
    }


@settings(max_examples=300, deadline=None)
@given(scenes())
def test_no_offered_slot_overlaps_busy_time_or_leaves_working_hours(scene):
    starts = open_slots(**scene)
    duration = timedelta(minutes=scene["duration_minutes"])
    windows = working_intervals(scene["hours"], scene["first_day"], scene["last_day"], scene["zone"])
    assert starts == sorted(set(starts))
    for start in starts:
        end = start + duration
        assert on_grid(start, scene["zone"])
        assert any(w.start <= start and end <= w.end for w in windows)
        assert scene["not_before"] is None or start >= scene["not_before"]
        for off in scene["time_off"]:
            assert not overlaps(start, end, off.start, off.end)
        for busy in scene["busy"]:
            gap = timedelta(minutes=max(scene["buffer_minutes"], busy.buffer_minutes))
            assert not overlaps(start - gap, end + gap, busy.start, busy.end)


@settings(max_examples=150, deadline=None)
@given(scenes())
def test_open_slots_offers_exactly_the_starts_without_a_problem(scene):
    """Completeness: every grid start that start_problem accepts is offered, and only those."""
    offered = set(open_slots(**scene))
    zone = scene["zone"]
    args = {k: v for k, v in scene.items() if k not in ("first_day", "last_day")}
    candidate = datetime.combine(scene["first_day"], time(0), tzinfo=zone).astimezone(UTC)
    stop = datetime.combine(scene["last_day"] + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    while candidate < stop:
        accepted = start_problem(candidate, **args) is None
        assert accepted == (candidate in offered), candidate
        candidate += timedelta(minutes=15)
