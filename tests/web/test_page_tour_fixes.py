"""Defects a walk through the demo clinic found: markup leaking into a page title, a link the
front desk may not follow, labels tied to the wrong element on the account page, and a
physician's restrictions (clinical) shown to the front desk."""

import re
from datetime import UTC, datetime, time, timedelta

from freezegun import freeze_time

from clinic import clock
from clinic.care_plans import services as care_plans
from clinic.extensions import db
from clinic.models import Role
from tests.factories import (
    at,
    login,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
    make_user,
    monday,
)
from tests.intake_factories import clear_client, flag_client, grant


def _ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def test_the_care_plan_page_title_is_plain_text(client):
    therapist = make_therapist(hours=True)
    plan = care_plans.create_care_plan(
        therapist.user, client_id=make_client(name="Tess Title").id, therapist_id=therapist.id,
        service_id=make_service().id, first_start=at(monday(2), 10), weekly_sessions=2, maintenance_sessions=0,
    )
    login(client, therapist.user.email)
    html = client.get(f"/care-plans/{plan.id}").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith("Care plan for Tess Title")
    assert "<" not in title
    head = html.split("</head>", 1)[0]
    assert "</div>" not in head


def test_only_the_owner_is_offered_services_and_hours_from_the_home_page(client):
    desk = make_user(Role.FRONT_DESK)
    login(client, desk.email)
    assert 'href="/setup"' not in client.get("/").get_data(as_text=True)
    client.post("/logout")
    owner = make_owner()
    login(client, owner.email)
    assert 'href="/setup"' in client.get("/").get_data(as_text=True)


def test_every_password_label_on_the_account_page_names_its_own_input(client):
    owner = make_owner()
    login(client, owner.email)
    owner.two_factor_enabled_at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    db.session.flush()
    html = client.get("/account").get_data(as_text=True)
    assert "Turn two-step sign-in off" in html
    ids = _ids(html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for target in re.findall(r'<label for="([^"]+)"', html):
        assert re.search(rf'<input[^>]*\sid="{re.escape(target)}"', html), target


def test_the_front_desk_sees_the_clearance_but_not_the_physicians_restrictions(client):
    owner = make_owner()
    person = make_client(name="Rita Restricted")
    flag_client(owner, person)
    grant(owner, person, cleared_on=clock.today(), restrictions="No deep tissue over the right hip")
    start = clock.local_datetime(clock.today() + timedelta(days=1), time(10))
    appointment = make_appointment(client=person, therapist=make_therapist(), start=start)
    db.session.flush()
    day = clock.to_local(appointment.starts_at).date().isoformat()
    login(client, make_user(Role.FRONT_DESK).email)
    pages = [
        client.get(f"/appointments/{appointment.id}"),
        client.get(f"/calendar?day={day}"),
        client.get(f"/calendar/week?therapist_id={appointment.therapist_id}&day={day}"),
    ]
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Rita Restricted" in html and "Cleared" in html
        assert "No deep tissue" not in html and "Restrictions" not in html


def test_the_booking_page_does_not_repeat_a_length_the_treatment_name_already_gives(client):
    make_therapist(hours=True)
    make_service(name="Hip relief 60 min", duration_minutes=60)
    make_service(name="Swedish", duration_minutes=45)
    person = make_client()
    clear_client(person.user, person)
    login(client, person.email)
    text = re.sub(r"<[^>]+>", "", client.get("/book").get_data(as_text=True))
    assert "Hip relief 60 min · 60 min" not in text
    assert re.search(r"Hip relief 60 min · \S+ ?65", text)
    assert "Swedish · 45 min ·" in text


def test_a_visit_under_way_is_listed_once_on_the_clients_record(client):
    with freeze_time("2030-01-07 10:30:00"):
        person = make_client(name="Una Underway")
        make_appointment(client=person, start=datetime(2030, 1, 7, 10, tzinfo=UTC))
        db.session.flush()
        login(client, person.email)
        html = client.get("/my-record").get_data(as_text=True)
    assert "Upcoming" in html
    assert html.count(">Mon 7 Jan 2030, 10:00</a>") == 1  # the visit itself (a check-in link names it too)


def test_the_waitlist_and_staff_pickers_do_not_repeat_a_length_the_name_gives(client):
    make_therapist(hours=True)
    make_service(name="Deep 90 min", duration_minutes=90)
    make_service(name="Swedish", duration_minutes=45)
    person = make_client()
    clear_client(person.user, person)
    login(client, person.email)
    waitlist = client.get("/waitlist/join").get_data(as_text=True)
    assert ">Deep 90 min</option>" in waitlist and ">Swedish (45 min)</option>" in waitlist
    client.post("/logout")
    login(client, make_owner().email)
    booking = client.get("/appointments/new").get_data(as_text=True)
    assert ">Deep 90 min</option>" in booking and ">Swedish (45 min)</option>" in booking


def test_a_held_client_is_told_they_can_send_the_letter_from_my_record(client):
    person = make_client()
    flag_client(person.user, person)
    db.session.flush()
    login(client, person.email)
    html = client.get("/book").get_data(as_text=True)
    assert "We need a note from your doctor first" in html
    assert 'href="/my-record"' in html.split("We need a note", 1)[1]
