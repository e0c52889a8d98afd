"""The calendars as time grids and the staff booking form's open times, at a frozen instant."""

import re
from datetime import UTC, date, datetime, time

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import Appointment
from tests.factories import (
    at,
    login,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
    make_time_off,
    make_working_hours,
)

DAY = date(2030, 1, 7)  # a Monday
NOW = datetime(2030, 1, 7, 10, 37, tzinfo=UTC)


@pytest.fixture
def scene(app):
    therapist = make_therapist(name="Tess Grid")
    make_working_hours(therapist, 0, time(9), time(12))
    make_working_hours(therapist, 0, time(13), time(17))
    service = make_service(name="Hip relief 60", duration_minutes=60, buffer_minutes=15)
    visit = make_appointment(service=service, therapist=therapist, start=at(DAY, 11),
                             client=make_client(name="Grid Client"))
    make_time_off(therapist, at(DAY, 14), at(DAY, 15), reason="Dentist")
    return {"therapist": therapist, "service": service, "visit": visit, "owner": make_owner()}


def _get(client, email, url):
    with freeze_time(NOW):
        login(client, email)
        response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _classes(page, tag_class):
    return [m.group(1) for m in re.finditer(rf'class="({tag_class}[^"]*)"', page)]


def test_day_grid_draws_visits_by_duration_with_buffers_hours_time_off_and_now(client, scene):
    page = _get(client, scene["therapist"].user.email, f"/calendar?day={DAY}")
    # The window is 09:00-17:00: row 1 is 09:00, so 11:00 is row 9 and an hour is four rows.
    assert re.search(rf'class="tg-block tg-appt tg-status-booked tg-r9 tg-s4" href="/appointments/{scene["visit"].id}"',
                     page)
    assert "tg-block tg-buffer tg-r8 tg-s1" in page and "tg-block tg-buffer tg-r13 tg-s1" in page
    assert re.search(r'class="tg-block tg-off tg-r21 tg-s4"><strong>Time off: Dentist</strong> <span>14:00–15:00</span>',
                     page)
    closed = [c for c in _classes(page, "tg-cell") if "tg-closed" in c]
    assert [re.search(r"tg-r(\d+)", c).group(1) for c in closed] == ["13", "14", "15", "16"]  # 12:00-13:00
    assert 'class="tg-now tg-r7 tg-m7"' in page and "Now 10:37" in page


def test_free_quarter_hours_from_now_on_link_to_the_prefilled_booking_form(client, scene):
    page = _get(client, scene["therapist"].user.email, f"/calendar?day={DAY}")
    free = re.findall(r'class="tg-cell tg-free[^"]*" href="([^"]+)"', page)
    times = [re.search(r"start_time=(\d\d):(\d\d)", href).groups() for href in free]
    starts = [f"{h}:{m}" for h, m in times]
    # 10:45 is too close to the 11:00 visit (15 minutes' buffer); 12:00-13:00 is outside
    # working hours; 14:00-15:00 is time off; before 10:37 is past.
    assert starts == ["13:00", "13:15", "13:30", "13:45", "15:00", "15:15", "15:30", "15:45",
                      "16:00", "16:15", "16:30", "16:45"]
    tid = scene["therapist"].id
    assert free[0] == f"/appointments/new?therapist_id={tid}&amp;day={DAY}&amp;start_time=13:00"
    assert "Book Tess Grid, Mon 07 Jan at </span>" in page


def test_owner_sees_a_lane_per_therapist_and_a_disabled_one_is_not_bookable(client, scene):
    other = make_therapist(hours=True, name="Other Lane")
    gone = make_therapist(hours=True, name="Gone Lane")
    make_appointment(therapist=gone, start=at(DAY, 13))
    gone.user.is_disabled = True
    db.session.flush()
    page = _get(client, scene["owner"].email, f"/calendar?day={DAY}")
    for therapist in (scene["therapist"], other, gone):
        assert f'aria-labelledby="lane-{therapist.id}"' in page
    assert f"therapist_id={other.id}&amp;day" in page
    assert f"therapist_id={gone.id}&amp;day" not in page


def test_week_grid_has_a_lane_per_day_and_now_only_today(client, scene):
    page = _get(client, scene["therapist"].user.email, f"/calendar/week?day={DAY}")
    assert page.count('class="tg-lane') == 7
    assert page.count('class="tg-now ') == 1
    assert "Mon 07 Jan" in page and "Sun 13 Jan" in page
    # Tuesday to Sunday have no hours: every cell is closed, none free.
    assert len(re.findall(r"tg-cell tg-free", page)) == 12


def test_phones_get_an_agenda_with_the_free_ranges(client, scene):
    page = _get(client, scene["therapist"].user.email, f"/calendar?day={DAY}")
    agenda = page[page.index('<div class="agenda'):]
    assert "Grid Client" in agenda and "Time off: Dentist" in agenda
    assert 'class="cal-now"><span>Now 10:37</span>' in agenda
    assert agenda.index("Now 10:37") < agenda.index("Grid Client") < agenda.index("Time off: Dentist")
    assert re.search(r">13:00–14:00</a>, <a [^>]+>15:00–17:00</a>", agenda)


def test_staff_booking_form_offers_the_open_times_of_the_chosen_day_prefilled_from_a_cell(client, scene):
    tid = scene["therapist"].id
    page = _get(client, scene["therapist"].user.email,
                f"/appointments/new?therapist_id={tid}&day={DAY}&start_time=13:15&service_id={scene['service'].id}")
    assert 'value="13:15"' in page and f'value="{DAY}"' in page
    offered = re.findall(r'class="slot[^"]*" href="[^"]*start_time=(\d\d):(\d\d)"', page)
    # A 60-minute visit with 15 minutes' buffer: 09:00-09:45 (before the 11:00 visit), none
    # in the lunch gap, 13:00 (ending as the time off begins), 15:00-16:00. Staff may book
    # the past.
    assert [f"{h}:{m}" for h, m in offered] == ["09:00", "09:15", "09:30", "09:45", "13:00", "15:00",
                                               "15:15", "15:30", "15:45", "16:00"]
    assert "13:15 is not open for this service" in page


def test_show_open_times_books_nothing(client, scene):
    data = {"client_id": scene["visit"].client_id, "service_id": scene["service"].id,
            "therapist_id": scene["therapist"].id, "day": DAY.isoformat(), "start_time": "09:00",
            "show_times": "1"}
    with freeze_time(NOW):
        login(client, scene["owner"].email)
        response = client.post("/appointments/new", data=data)
    assert response.status_code == 200
    assert "15:45" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Appointment.id))) == 1


def _count_queries(client, url) -> int:
    from sqlalchemy import event

    engine = db.session.get_bind().engine
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()
    event.listen(engine, "before_cursor_execute", count)
    try:
        with freeze_time(NOW):
            response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("url", ["/calendar?day={day}", "/calendar/week?day={day}",
                                 "/appointments/new?day={day}&therapist_id={tid}&service_id={sid}"])
def test_the_grids_and_the_booking_form_make_a_fixed_number_of_queries(client, scene, url):
    """No N+1: many more visits, buffers, time off and free cells cost no extra queries."""
    tess = scene["therapist"]
    with freeze_time(NOW):
        login(client, tess.user.email)
    target = url.format(day=DAY, tid=tess.id, sid=scene["service"].id)
    few = _count_queries(client, target)
    for hour in (9, 13, 15, 16):
        make_appointment(service=make_service(buffer_minutes=10), therapist=tess, client=make_client(),
                         start=at(DAY, hour))
    for day in range(1, 5):
        make_appointment(service=scene["service"], therapist=tess, client=make_client(),
                         start=at(DAY.replace(day=DAY.day + day), 10))
        make_time_off(tess, at(DAY.replace(day=DAY.day + day), 12), at(DAY.replace(day=DAY.day + day), 13))
    assert _count_queries(client, target) == few
