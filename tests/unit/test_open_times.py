from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from clinic.scheduling.open_times import by_day_part, day_part, open_times

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize("local, part", [
    (time(0), "Morning"), (time(11, 45), "Morning"), (time(12), "Afternoon"),
    (time(16, 45), "Afternoon"), (time(17), "Evening"), (time(21, 30), "Evening"),
])
def test_day_parts_split_at_noon_and_five(local, part):
    assert day_part(local) == part


def test_each_start_is_offered_once_with_every_therapist_free_then_in_preference_order():
    ten = datetime(2030, 7, 1, 9, tzinfo=UTC)  # 10:00 in London (summer time)
    half_past = datetime(2030, 7, 1, 9, 30, tzinfo=UTC)
    times = open_times([(3, ten), (1, half_past), (1, ten), (2, ten)], LONDON, preference=[2, 3, 1])
    assert [t.start for t in times] == [ten, half_past]
    assert times[0].therapist_ids == (2, 3, 1)
    assert times[0].local_start.hour == 10
    assert times[1].therapist_ids == (1,)


def test_parts_of_the_day_follow_clinic_time_not_utc():
    slots = [(1, datetime(2030, 7, 1, hour, tzinfo=UTC)) for hour in (8, 10, 11, 15, 16)]
    groups = by_day_part(open_times(slots, LONDON, preference=[1]))
    assert [(name, [t.local_start.hour for t in entries]) for name, entries in groups] == [
        ("Morning", [9, 11]), ("Afternoon", [12, 16]), ("Evening", [17]),
    ]
    assert [name for name, _ in groups] == ["Morning", "Afternoon", "Evening"]


def test_an_empty_day_has_no_parts():
    assert by_day_part([]) == []
