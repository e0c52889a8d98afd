"""Schedule changes that strand booked visits: a disabled therapist, time off over bookings."""

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import event

from clinic import clock
from clinic.extensions import db
from clinic.models import TimeOff
from tests.factories import (
    at,
    login,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
    make_time_off,
    monday,
)


@pytest.fixture
def scene(app):
    return {
        "owner": make_owner(),
        "therapist": make_therapist(hours=True, name="Tess Leaving"),
        "colleague": make_therapist(hours=True, name="Cora Staying"),
        "service": make_service(duration_minutes=60, name="Hip relief 60"),
        "day": monday(2),
    }


def _disable(client, scene):
    login(client, scene["owner"].email)
    return client.post(f"/staff/{scene['therapist'].id}/access", data={"action": "disable"},
                       follow_redirects=True).get_data(as_text=True)


# -- a disabled therapist's visits ----------------------------------------------------------


def test_disabling_a_therapist_lists_the_visits_still_booked_with_them(client, scene):
    day, tess = scene["day"], scene["therapist"]
    ahead = [make_appointment(service=scene["service"], therapist=tess, start=at(day, h),
                              client=make_client(name=f"Booked Client {h}")) for h in (9, 11)]
    cancelled = make_appointment(service=scene["service"], therapist=tess, start=at(day, 14), status="cancelled")
    past = make_appointment(service=scene["service"], therapist=tess, start=at(monday(-2), 9))
    page = _disable(client, scene)
    assert "Tess Leaving is disabled, but 2 visits ahead are still booked with them" in page
    assert "Visits booked with disabled therapists" in page
    for appointment in ahead:
        assert f'href="/appointments/{appointment.id}"' in page
    assert "Booked Client 9" in page and "Booked Client 11" in page
    assert f'href="/appointments/{cancelled.id}"' not in page
    assert f'href="/appointments/{past.id}"' not in page


def test_disabling_a_therapist_without_visits_ahead_says_so(client, scene):
    page = _disable(client, scene)
    assert "Tess Leaving is disabled. They had no visits booked ahead." in page
    assert "Visits booked with disabled therapists" not in page


def test_a_disabled_therapist_keeps_a_marked_column_on_days_they_still_have_visits(client, scene):
    day, tess = scene["day"], scene["therapist"]
    make_appointment(service=scene["service"], therapist=tess, start=at(day, 10),
                     client=make_client(name="Still Expected"))
    _disable(client, scene)
    page = client.get(f"/calendar?day={day}").get_data(as_text=True)
    column = re.search(r'<section class="cal-column cal-disabled".*?</section>', page, re.S).group(0)
    assert "Tess Leaving" in column and "disabled" in column and "Still Expected" in column
    assert "Cora Staying" in page
    empty_day = client.get(f"/calendar?day={day + timedelta(days=1)}").get_data(as_text=True)
    assert "Tess Leaving" not in empty_day and "Cora Staying" in empty_day


def test_a_cancelled_visit_does_not_bring_back_a_disabled_therapists_column(client, scene):
    day = scene["day"]
    make_appointment(service=scene["service"], therapist=scene["therapist"], start=at(day, 10), status="cancelled")
    _disable(client, scene)
    assert "Tess Leaving" not in client.get(f"/calendar?day={day}").get_data(as_text=True)


def test_the_week_picker_offers_a_disabled_therapist_while_they_have_visits(client, scene):
    day, tess = scene["day"], scene["therapist"]
    appointment = make_appointment(service=scene["service"], therapist=tess, start=at(day, 10))
    _disable(client, scene)
    page = client.get("/calendar/week").get_data(as_text=True)
    assert f'<option value="{tess.id}">Tess Leaving (disabled)</option>' in page
    week = client.get(f"/calendar/week?therapist_id={tess.id}&day={day}").get_data(as_text=True)
    assert "This account is disabled" in week and f"/appointments/{appointment.id}" in week
    appointment.status = "cancelled"
    db.session.flush()
    assert "Tess Leaving" not in client.get("/calendar/week").get_data(as_text=True)


def test_the_owners_home_counts_a_disabled_therapists_visits_today(client, scene, app):
    today = clock.today()
    start = clock.local_datetime(today, time(0, 15))
    make_appointment(service=make_service(duration_minutes=15), therapist=scene["therapist"], start=start)
    _disable(client, scene)
    page = client.get("/").get_data(as_text=True)
    assert re.search(r"<p>1 appointment on ", page)
    assert re.search(r"Tess Leaving <span class=\"badge badge-bad\">disabled</span>: 1", page)


# -- time off over booked visits -------------------------------------------------------------


def _add_time_off(client, scene, start_day, end_day, start_time="00:00", end_time="00:00", reason="Ill"):
    login(client, scene["therapist"].user.email)
    data = {"start_day": start_day.isoformat(), "start_time": start_time, "end_day": end_day.isoformat(),
            "end_time": end_time, "reason": reason}
    return client.post(f"/setup/therapists/{scene['therapist'].id}/time-off", data=data, follow_redirects=True)


def test_time_off_over_booked_visits_is_saved_with_a_warning_listing_them(client, scene):
    day, tess = scene["day"], scene["therapist"]
    inside = [make_appointment(service=scene["service"], therapist=tess, start=at(day, h),
                               client=make_client(name=f"Ill Day Client {h}")) for h in (9, 13)]
    outside = make_appointment(service=scene["service"], therapist=tess, start=at(day + timedelta(days=1), 9))
    cancelled = make_appointment(service=scene["service"], therapist=tess, start=at(day, 15), status="cancelled")
    response = _add_time_off(client, scene, day, day + timedelta(days=1))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert db.session.query(TimeOff).filter_by(therapist_id=tess.id).count() == 1
    assert "Time off added, but 2 booked appointments fall inside it" in page
    assert "Still booked inside this time off (2)" in page
    for appointment in inside:
        assert f'href="/appointments/{appointment.id}"' in page
    assert "Ill Day Client 9" in page and "Ill Day Client 13" in page
    assert f'href="/appointments/{outside.id}"' not in page
    assert f'href="/appointments/{cancelled.id}"' not in page


def test_time_off_on_a_free_day_is_simply_added(client, scene):
    page = _add_time_off(client, scene, scene["day"], scene["day"] + timedelta(days=1)).get_data(as_text=True)
    assert "Time off added." in page
    assert "Still booked inside" not in page


def test_day_and_week_calendars_show_time_off(client, scene):
    day, tess = scene["day"], scene["therapist"]
    make_time_off(tess, at(day, 0), at(day + timedelta(days=1), 0), reason="Ill")
    make_time_off(tess, at(day + timedelta(days=1), 13), at(day + timedelta(days=3), 12), reason="Course")
    login(client, tess.user.email)
    page = client.get(f"/calendar?day={day}").get_data(as_text=True)
    assert re.search(r'class="cal-item cal-time-off"><span>All day</span> <strong>Time off: Ill</strong>', page)
    week = client.get(f"/calendar/week?day={day}").get_data(as_text=True)
    assert "<span>All day</span> <strong>Time off: Ill</strong>" in week
    assert "<span>From 13:00</span> <strong>Time off: Course</strong>" in week
    assert "<span>All day</span> <strong>Time off: Course</strong>" in week
    assert "<span>Until 12:00</span> <strong>Time off: Course</strong>" in week


def test_time_off_and_visits_share_a_column_in_time_order(client, scene):
    day, tess = scene["day"], scene["therapist"]
    make_appointment(service=scene["service"], therapist=tess, start=at(day, 9), client=make_client(name="Early Bird"))
    make_appointment(service=scene["service"], therapist=tess, start=at(day, 15), client=make_client(name="Late One"))
    make_time_off(tess, at(day, 12), at(day, 14))
    login(client, scene["owner"].email)
    page = client.get(f"/calendar?day={day}").get_data(as_text=True)
    assert page.index("Early Bird") < page.index("12:00–14:00") < page.index("Late One")
    assert "<strong>Time off</strong>" in page


# -- no N+1 with the new calendar contents ----------------------------------------------------


def _count_queries(client, url) -> int:
    engine = db.session.get_bind().engine
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def _visits_and_time_off(scene, therapist, hours):
    for hour in hours:
        make_appointment(service=scene["service"], therapist=therapist, start=at(scene["day"], hour))
    make_time_off(therapist, at(scene["day"], hours[0]), at(scene["day"], hours[-1] + 1), reason="Ill")


@pytest.mark.parametrize("url", ["/calendar?day={day}", "/calendar/week?day={day}&therapist_id={disabled}", "/",
                                 "/staff", "/setup/therapists/{active}"])
def test_pages_with_disabled_therapists_and_time_off_make_a_fixed_number_of_queries(client, scene, url):
    """No N+1: more disabled therapists, visits and time off cost no extra queries."""
    login(client, scene["owner"].email)
    disabled, active = make_therapist(hours=True), scene["therapist"]
    for therapist in (disabled, active):
        _visits_and_time_off(scene, therapist, [9])
    disabled.user.is_disabled = True
    db.session.flush()
    target = url.format(day=scene["day"], disabled=disabled.id, active=active.id)
    few = _count_queries(client, target)
    for therapist in (disabled, active):
        _visits_and_time_off(scene, therapist, [12, 13, 14])
    for _ in range(3):
        more = make_therapist(hours=True)
        _visits_and_time_off(scene, more, [9, 10, 11])
        more.user.is_disabled = True
    db.session.flush()
    assert _count_queries(client, target) == few
