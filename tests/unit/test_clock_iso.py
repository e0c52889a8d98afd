"""clock.iso_strings writes what isoformat in the clinic's zone writes, across offset changes."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.clock import iso_strings

ZONES = ["UTC", "Europe/London", "America/St_Johns", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham"]


def _expected(instants, zone):
    return {s: datetime.fromtimestamp(s, zone).isoformat() for s in instants}


@pytest.mark.parametrize("name", ZONES)
def test_every_quarter_hour_around_the_daylight_saving_changes(name):
    zone = ZoneInfo(name)
    instants = []
    for month_day in [(2026, 3, 27), (2026, 10, 23), (2026, 4, 3), (2026, 9, 25), (2026, 3, 6), (2026, 10, 30)]:
        begin = int(datetime(*month_day, tzinfo=UTC).timestamp())
        instants += range(begin, begin + 5 * 86_400, 900)
    assert iso_strings(instants, zone) == _expected(instants, zone)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.lists(st.integers(min_value=86_400, max_value=4_000_000_000), max_size=40),
)
def test_any_instants(name, instants):
    zone = ZoneInfo(name)
    assert iso_strings(instants, zone) == _expected(instants, zone)
