"""The care-plan form previews the whole course, naming each clash, and books nothing until
"Create plan"; it also offers the first day's open times."""

import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import Appointment, CarePlan
from tests.factories import (
    at,
    login,
    make_appointment,
    make_client,
    make_service,
    make_therapist,
    make_time_off,
    make_working_hours,
    monday,
)


@pytest.fixture
def scene(app):
    therapist = make_therapist(name="Plan Therapist")
    for weekday in range(5):
        make_working_hours(therapist, weekday, time(9), time(17))
    make_working_hours(therapist, 0, time(17), time(18))  # Mondays run late, other days not
    return {"therapist": therapist, "client": make_client(name="Plan Client"),
            "service": make_service(name="Plan massage", duration_minutes=60, buffer_minutes=15),
            "day": monday(3)}


def _form(scene, at_time="10:00", weekly=4, maintenance=1, day: date | None = None, **extra):
    return {"client_id": scene["client"].id, "service_id": scene["service"].id,
            "therapist_id": scene["therapist"].id, "first_day": (day or scene["day"]).isoformat(),
            "first_time": at_time, "weekly_sessions": str(weekly), "maintenance_sessions": str(maintenance),
            **extra}


def _counts():
    return db.session.scalar(select(func.count(CarePlan.id))), db.session.scalar(select(func.count(Appointment.id)))


def test_preview_lists_every_session_and_names_each_clash_and_saves_nothing(client, scene):
    day, tess = scene["day"], scene["therapist"]
    booked = make_appointment(therapist=tess, start=at(day + timedelta(weeks=1), 10, 30),
                              client=make_client(name="Already Booked"))
    make_time_off(tess, at(day + timedelta(weeks=2), 0), at(day + timedelta(weeks=2, days=1), 0), reason="Course")
    before = _counts()
    login(client, tess.user.email)
    response = client.post("/care-plans/new", data=_form(scene, action="preview"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _counts() == before
    preview = page[page.index('id="plan-preview"'):]
    assert "Preview: 5 sessions, 2 clashes" in preview
    rows = re.findall(r"<tr[^>]*>\s*<td>(\d)</td>", preview)
    assert rows == ["1", "2", "3", "4", "5"]
    assert "That time overlaps another appointment." in preview
    assert f'href="/appointments/{booked.id}">Already Booked' in preview
    assert "The therapist is away at that time." in preview and "Time off: Course" in preview
    assert ">Create plan</button>" not in page


def test_outside_hours_is_named_and_a_clean_preview_offers_create_plan(client, scene):
    login(client, scene["therapist"].user.email)
    # 17:00 is inside Monday's hours only: every session keeps the weekday, so all are fine...
    clean = client.post("/care-plans/new", data=_form(scene, at_time="17:00", action="preview"))
    assert "Every session is free" in clean.get_data(as_text=True)
    assert re.search(r"value=\"create\" class=\"button\">Create plan</button>", clean.get_data(as_text=True))
    # ...and on a Tuesday it is outside working hours.
    late = client.post("/care-plans/new", data=_form(scene, at_time="17:00", day=scene["day"] + timedelta(days=1),
                                                     weekly=1, maintenance=0, action="preview"))
    assert "That time is outside the therapist&#39;s working hours." in late.get_data(as_text=True)
    assert _counts()[0] == 0


def test_create_plan_after_the_preview_books_the_course(client, scene):
    login(client, scene["therapist"].user.email)
    response = client.post("/care-plans/new", data=_form(scene, action="create"))
    assert response.status_code == 302
    assert _counts() == (1, 5)


def test_the_form_offers_the_first_days_open_times_as_links_keeping_the_other_fields(client, scene):
    day, tess = scene["day"], scene["therapist"]
    make_appointment(therapist=tess, service=scene["service"], start=at(day, 12))
    login(client, tess.user.email)
    page = client.get(f"/care-plans/new?client_id={scene['client'].id}&service_id={scene['service'].id}"
                      f"&first_day={day}&weekly_sessions=2&maintenance_sessions=0").get_data(as_text=True)
    offered = re.findall(r'class="slot[^"]*" href="([^"]+)"', page)
    times = [re.search(r"first_time=(\d\d:\d\d)", href).group(1) for href in offered]
    # 12:00-13:00 is booked with 15 minutes' buffer either side; Mondays end at 18:00.
    assert times[:8] == ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30", "10:45"]
    assert "11:00" not in times and "12:15" not in times and "13:15" in times and times[-1] == "17:00"
    picked = client.get(offered[0].replace("&amp;", "&")).get_data(as_text=True)
    assert 'id="first_time" name="first_time" required step="900" type="time" value="09:00"' in picked
    assert 'name="weekly_sessions"' in picked and 'value="2"' in picked


@pytest.mark.parametrize("query", ["first_time=25:99", "first_day=soon", "weekly_sessions=x", "service_id=999999"])
def test_odd_prefills_are_ignored(client, scene, query):
    login(client, scene["therapist"].user.email)
    assert client.get(f"/care-plans/new?{query}").status_code == 200
