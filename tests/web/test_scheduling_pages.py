"""Scheduling pages: setup, client booking without JavaScript, staff actions, calendars."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import event

from clinic.extensions import db
from clinic.models import Appointment, Service, TimeOff, WorkingHours
from tests.factories import (
    at,
    login,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
    monday,
)
from tests.intake_factories import clear_client


@pytest.fixture
def scene(app):
    owner, client = make_owner(), make_client()
    clear_client(owner, client)  # online booking waits for a health intake
    return {
        "owner": owner,
        "therapist": make_therapist(hours=True),
        "service": make_service(duration_minutes=60, buffer_minutes=15, name="Hip relief 60"),
        "client": client,
        "day": monday(2),
    }


def test_client_books_through_get_links_and_one_post(client, scene):
    login(client, scene["client"].email)
    day = scene["day"]
    first = client.get("/book")
    assert first.status_code == 200
    assert "Hip relief 60" in first.get_data(as_text=True)
    times = client.get(f"/book?service_id={scene['service'].id}&therapist_id=&day={day}").get_data(as_text=True)
    assert "Any therapist" in times
    assert f"with {scene['therapist'].name}" in times
    links = re.findall(r'href="(/book/confirm\?[^"]+)"', times)
    assert len(links) == 29
    confirm = client.get(links[4].replace("&amp;", "&"))
    assert confirm.status_code == 200
    hidden = dict(re.findall(r'name="(service_id|therapist_id|start)"[^>]*value="([^"]+)"', confirm.get_data(as_text=True)))
    booked = client.post("/book", data=hidden)
    assert booked.status_code == 302
    appointment = db.session.query(Appointment).one()
    assert appointment.starts_at == at(day, 10)
    page = client.get(booked.headers["Location"]).get_data(as_text=True)
    assert "Add to my calendar (.ics)" in page
    ics = client.get(f"/appointments/{appointment.id}/calendar.ics")
    assert ics.mimetype == "text/calendar"
    assert b"BEGIN:VEVENT" in ics.data
    mine = client.get("/my-appointments").get_data(as_text=True)
    assert f"/appointments/{appointment.id}" in mine
    assert "Your upcoming appointments" in client.get("/").get_data(as_text=True)


def test_a_taken_slot_sends_the_client_back_with_a_message(client, scene):
    make_appointment(service=scene["service"], therapist=scene["therapist"], start=at(scene["day"], 10))
    login(client, scene["client"].email)
    data = {"service_id": scene["service"].id, "therapist_id": scene["therapist"].id,
            "start": at(scene["day"], 10).isoformat()}
    response = client.post("/book", data=data, follow_redirects=True)
    assert "overlaps another appointment" in response.get_data(as_text=True)
    assert db.session.query(Appointment).count() == 1


def test_held_client_sees_what_to_bring_instead_of_times(client, scene):
    scene["client"].flagged_since = datetime.now(UTC)
    db.session.flush()
    login(client, scene["client"].email)
    page = client.get(f"/book?service_id={scene['service'].id}&day={scene['day']}").get_data(as_text=True)
    assert "letter or note from your physician" in page
    assert "/book/confirm" not in page


def test_a_client_held_after_a_check_in_is_told_it_was_the_check_in(client, scene):
    from clinic.intake import services as intake_services

    appointment = make_appointment(service=scene["service"], therapist=scene["therapist"],
                                   client=scene["client"], start=datetime.now(UTC) + timedelta(hours=20))
    intake_services.submit_check_in(scene["client"].user, appointment.id, {"pain_level": 3, "fever_or_chills": True})
    login(client, scene["client"].email)
    page = client.get(f"/book?service_id={scene['service'].id}&day={scene['day']}").get_data(as_text=True)
    assert "Your pre-visit check-in of" in page
    assert "Your health intake" not in page


def test_client_reschedules_and_cancels_on_pages(client, scene):
    appointment = make_appointment(service=scene["service"], therapist=scene["therapist"],
                                   client=scene["client"], start=at(scene["day"], 10))
    login(client, scene["client"].email)
    page = client.get(f"/appointments/{appointment.id}/reschedule?day={scene['day']}").get_data(as_text=True)
    assert '/reschedule/confirm?start=' in page
    moved = client.post(f"/appointments/{appointment.id}/reschedule", data={"start": at(scene["day"], 14).isoformat()})
    assert moved.status_code == 302
    assert appointment.starts_at == at(scene["day"], 14)
    cancelled = client.post(f"/appointments/{appointment.id}/cancel", data={"reason": "Travel"})
    assert cancelled.status_code == 302
    assert appointment.status == "cancelled"


def test_other_peoples_appointments_are_404(client, scene):
    appointment = make_appointment(service=scene["service"], therapist=scene["therapist"], start=at(scene["day"], 10))
    login(client, scene["client"].email)
    assert client.get(f"/appointments/{appointment.id}").status_code == 404
    assert client.get(f"/appointments/{appointment.id}/calendar.ics").status_code == 404
    assert client.post(f"/appointments/{appointment.id}/cancel").status_code == 404


def test_staff_book_move_and_mark_no_show(client, scene):
    login(client, scene["owner"].email)
    form = client.get("/appointments/new").get_data(as_text=True)
    assert scene["client"].name in form
    data = {"client_id": scene["client"].id, "service_id": scene["service"].id,
            "therapist_id": scene["therapist"].id, "day": monday(-1).isoformat(), "start_time": "09:00"}
    booked = client.post("/appointments/new", data=data)
    assert booked.status_code == 302
    appointment = db.session.query(Appointment).one()
    outside = client.post("/appointments/new", data={**data, "start_time": "20:00"})
    assert "outside the therapist" in outside.get_data(as_text=True)
    moved = client.post(f"/appointments/{appointment.id}/reschedule",
                        data={"day": monday(-1).isoformat(), "start_time": "11:00"})
    assert moved.status_code == 302
    assert appointment.starts_at == at(monday(-1), 11)
    assert client.post(f"/appointments/{appointment.id}/no-show").status_code == 302
    assert appointment.status == "no_show"


def test_owner_manages_services_hours_and_time_off(client, scene):
    login(client, scene["owner"].email)
    assert client.get("/setup").status_code == 200
    added = client.post("/setup", data={"name": "Deep tissue 90", "duration_minutes": 90, "price": "90.00",
                                        "buffer_minutes": 15})
    assert added.status_code == 302
    assert db.session.query(Service).filter_by(name="Deep tissue 90").one().price_cents == 9000
    tid = scene["therapist"].id
    page = client.get(f"/setup/therapists/{tid}").get_data(as_text=True)
    assert 'value="09:00"' in page
    hours = {"d0_0_start": "08:00", "d0_0_end": "12:00", "d0_1_start": "13:00", "d0_1_end": "17:00",
             "d5_0_start": "09:00", "d5_0_end": "13:00"}
    assert client.post(f"/setup/therapists/{tid}", data=hours).status_code == 302
    rows = db.session.query(WorkingHours).filter_by(therapist_id=tid).all()
    assert sorted((r.weekday, r.starts_at) for r in rows) == [(0, time(8)), (0, time(13)), (5, time(9))]
    bad = client.post(f"/setup/therapists/{tid}", data={"d0_0_start": "12:00", "d0_0_end": "09:00"})
    assert "The end must be after the start." in bad.get_data(as_text=True)
    assert db.session.query(WorkingHours).filter_by(therapist_id=tid).count() == 3
    day = scene["day"]
    off = {"start_day": day.isoformat(), "start_time": "00:00", "end_day": (day + timedelta(days=1)).isoformat(),
           "end_time": "00:00", "reason": "Course"}
    assert client.post(f"/setup/therapists/{tid}/time-off", data=off).status_code == 302
    inverted = client.post(f"/setup/therapists/{tid}/time-off", data={**off, "end_day": day.isoformat()})
    assert "The end must be after the start." in inverted.get_data(as_text=True)
    assert db.session.query(TimeOff).count() == 1


def test_therapist_edits_own_hours_only(client, scene):
    login(client, scene["therapist"].user.email)
    assert client.get("/my-hours").status_code == 302
    assert client.get(f"/setup/therapists/{scene['therapist'].id}").status_code == 200
    other = make_therapist()
    assert client.get(f"/setup/therapists/{other.id}").status_code == 404
    assert client.get("/setup").status_code == 403


@pytest.mark.parametrize("url", ["/book", "/my-appointments"])
def test_client_pages_are_for_clients(client, scene, url):
    login(client, scene["owner"].email)
    assert client.get(url).status_code == 403


def _count_queries(client, url) -> int:
    engine = db.session.get_bind().engine
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()  # start both counts from the same, empty identity map
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def _fill_day(scene, therapists, per_therapist):
    day = scene["day"]
    for therapist in therapists:
        for i in range(per_therapist):
            make_appointment(service=scene["service"], therapist=therapist, client=make_client(),
                             start=at(day, 9 + i))


@pytest.mark.parametrize("url", ["/calendar?day={day}", "/calendar/week?day={day}", "/"])
def test_calendar_pages_make_a_fixed_number_of_queries(client, scene, url):
    """No N+1: more therapists and seven times the appointments cost no extra queries."""
    therapists = [scene["therapist"], make_therapist(hours=True)]
    login(client, scene["owner"].email if "calendar" in url else scene["therapist"].user.email)
    target = url.format(day=scene["day"])
    _fill_day(scene, therapists, 1)
    few = _count_queries(client, target)
    therapists += [make_therapist(hours=True) for _ in range(3)]
    for therapist in therapists:
        for i in range(1, 7):
            make_appointment(service=make_service(), therapist=therapist, client=make_client(),
                             start=at(scene["day"], 9 + i, 30))
    many = _count_queries(client, target)
    assert many == few


def test_calendar_shows_clients_services_and_clearance(client, scene):
    held = make_client(name="Held Client")
    held.flagged_since = datetime.now(UTC)
    make_appointment(service=scene["service"], therapist=scene["therapist"], client=held, start=at(scene["day"], 9))
    login(client, scene["therapist"].user.email)
    day_page = client.get(f"/calendar?day={scene['day']}").get_data(as_text=True)
    assert "Held Client" in day_page and "Hip relief 60" in day_page and "Clearance required" in day_page
    week_page = client.get(f"/calendar/week?day={scene['day']}").get_data(as_text=True)
    assert "Held Client" in week_page


def test_owner_sees_all_therapists_side_by_side(client, scene):
    second = make_therapist(hours=True, name="Second Therapist")
    make_appointment(service=scene["service"], therapist=second, start=at(scene["day"], 9))
    login(client, scene["owner"].email)
    page = client.get(f"/calendar?day={scene['day']}").get_data(as_text=True)
    assert scene["therapist"].name in page and "Second Therapist" in page
    therapist_page = client.get(f"/calendar/week?therapist_id={second.id}&day={scene['day']}")
    assert therapist_page.status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/book", "/book/confirm", "/my-appointments", "/appointments/new", "/calendar", "/calendar/week",
     "/setup", "/my-hours", "/appointments/1", "/appointments/1/reschedule", "/appointments/1/calendar.ics"],
)
def test_pages_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", ["/calendar", "/calendar/week", "/appointments/new", "/setup", "/my-hours"])
def test_clients_cannot_open_staff_pages(client, scene, url):
    login(client, scene["client"].email)
    assert client.get(url).status_code == 403


def test_client_page_lists_appointments_with_a_booking_link(client, scene):
    appointment = make_appointment(service=scene["service"], therapist=scene["therapist"],
                                   client=scene["client"], start=at(scene["day"], 9))
    login(client, scene["owner"].email)
    page = client.get(f"/clients/{scene['client'].id}").get_data(as_text=True)
    assert f"/appointments/{appointment.id}" in page
    assert f"/appointments/new?client_id={scene['client'].id}" in page


def test_therapist_dashboard_lists_today(client, scene, app):
    from clinic import clock

    with app.test_request_context():
        today = clock.today()
    start = at(today, 23, 45)
    held = make_client(name="Today Client")
    make_appointment(service=make_service(duration_minutes=15), therapist=scene["therapist"], client=held,
                     start=start)
    login(client, scene["therapist"].user.email)
    page = client.get("/").get_data(as_text=True)
    assert "Today's appointments" in page and "Today Client" in page


def test_therapist_calendar_offers_the_feed_address(client, scene):
    login(client, scene["therapist"].user.email)
    page = client.get("/calendar").get_data(as_text=True)
    assert f"token={scene['therapist'].calendar_token}" in page


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2030-02-30", "soon"])
def test_odd_days_in_page_links_fall_back_to_today(client, scene, day):
    login(client, scene["owner"].email)
    assert client.get(f"/calendar?day={day}").status_code == 200
    assert client.get(f"/calendar/week?day={day}").status_code == 200


def test_staff_form_refuses_a_day_beyond_the_calendar(client, scene):
    login(client, scene["owner"].email)
    data = {"client_id": scene["client"].id, "service_id": scene["service"].id,
            "therapist_id": scene["therapist"].id, "day": "9999-12-31", "start_time": "23:45"}
    response = client.post("/appointments/new", data=data)
    assert response.status_code == 200
    assert "Must be between" in response.get_data(as_text=True)
    assert db.session.query(Appointment).count() == 0


@pytest.mark.parametrize(
    "data",
    [
        {"service_id": "abc", "therapist_id": "1", "start": "2030-01-07T10:00:00+00:00"},
        {"service_id": "1", "therapist_id": "1", "start": "tomorrow"},
        {"service_id": "999999", "therapist_id": "999999", "start": "2030-01-07T10:00:00+00:00"},
        {"service_id": "1", "therapist_id": "1", "start": "9999-12-31T23:45:00+00:00"},
        {},
    ],
)
def test_tampered_booking_posts_are_refused_politely(client, scene, data):
    login(client, scene["client"].email)
    response = client.post("/book", data=data)
    assert response.status_code == 302
    assert db.session.query(Appointment).count() == 0


@pytest.mark.parametrize(("price", "cents"), [("65", 6500), ("65.5", 6550), ("65,05", 6505), ("nan", None),
                                              ("1e9", None), ("-3", None), ("", None)])
def test_service_price_is_read_exactly(client, scene, price, cents):
    login(client, scene["owner"].email)
    response = client.post("/setup", data={"name": "Priced", "duration_minutes": 30, "price": price,
                                           "buffer_minutes": 0})
    service = db.session.query(Service).filter_by(name="Priced").one_or_none()
    if cents is None:
        assert response.status_code == 200 and service is None
    else:
        assert response.status_code == 302 and service.price_cents == cents


def test_owner_dashboard_counts_today(client, scene):
    login(client, scene["owner"].email)
    page = client.get("/").get_data(as_text=True)
    assert "Today in the clinic" in page and scene["therapist"].name in page


def test_owner_edits_and_withdraws_a_service(client, scene):
    login(client, scene["owner"].email)
    url = f"/setup/services/{scene['service'].id}"
    assert 'value="65.00"' in client.get(url).get_data(as_text=True)
    data = {"name": "Hip relief 60", "duration_minutes": 60, "price": "70.00", "buffer_minutes": 10}
    assert client.post(url, data=data).status_code == 302  # is_active unticked: withdrawn
    assert scene["service"].price_cents == 7000 and scene["service"].is_active is False
    assert client.get("/api/v1/services").get_json() == []
    other = make_service(name="Taken name")
    clash = client.post(url, data={**data, "name": other.name, "is_active": "y"})
    assert "already exists" in clash.get_data(as_text=True)
    assert client.get("/setup/services/999999").status_code == 404


def test_a_therapist_books_for_their_clients_and_new_ones_but_not_others(client, scene):
    """New clients (no visit anywhere yet) are offered; another therapist's client is not."""
    colleague = make_therapist()
    theirs = make_client(name="Colleague's Client")
    make_appointment(therapist=colleague, client=theirs)
    newcomer = make_client(name="Brand New Client")
    login(client, scene["therapist"].user.email)
    html = client.get("/appointments/new").get_data(as_text=True)
    assert "Brand New Client" in html
    assert "Colleague&#39;s Client" not in html and "Colleague's Client" not in html
    assert newcomer.name in html
