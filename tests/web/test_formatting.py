"""One format for each way the clinic writes a day or a time (clinic/formatting.py), the same
on every page (the Jinja filters) as in flashes and emails."""

from datetime import UTC, date, datetime

import pytest

from clinic import formatting

INSTANT = datetime(2027, 3, 1, 23, 30, tzinfo=UTC)  # already 2 March in Athens


@pytest.fixture
def athens(app, monkeypatch):
    monkeypatch.setitem(app.config, "CLINIC_TIMEZONE", "Europe/Athens")
    with app.app_context():
        yield app


def test_each_format_in_the_clinic_zone(athens):
    assert formatting.local_time(INSTANT) == "01:30"
    assert formatting.local_date(INSTANT) == date(2027, 3, 2)
    assert formatting.local_iso_date(INSTANT) == "2027-03-02"
    assert formatting.weekday_date(INSTANT) == formatting.weekday_date(date(2027, 3, 2)) == "Tue 2 Mar 2027"
    assert formatting.local_datetime(INSTANT) == "Tue 2 Mar 2027, 01:30"
    assert formatting.local_datetime(None) == "—"
    assert formatting.spelled_datetime(INSTANT) == "Tuesday 2 March 2027 at 01:30"


def test_pages_use_the_same_functions_as_filters(athens):
    for function in formatting.FILTERS:
        assert athens.jinja_env.filters[function.__name__] is function
    rendered = athens.jinja_env.from_string("{{ t|local_datetime }} {{ t|local_time }}").render(t=INSTANT)
    assert rendered == "Tue 2 Mar 2027, 01:30 01:30"
