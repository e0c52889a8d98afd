"""A client asks to hear when a time frees up, then books the freed time from the offer link."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from clinic import clock
from clinic.extensions import db
from clinic.models import Appointment, OutboundEmail, Service, User
from clinic.scheduling import services as scheduling
from tests.browser.conftest import assert_accessible, assert_fits_phone_width, login, main_menu
from tests.factories import PASSWORD, make_client
from tests.intake_factories import clear_client

pytestmark = pytest.mark.browser

SERVICE = "Hip relief massage 60 min"


def _free_day_and_start(live_server, therapist_id: int, service_id: int):
    """A weekday ahead with an open start for the therapist, and that start."""
    with live_server.app.app_context():
        day = clock.today() + timedelta(days=9)
        for _ in range(30):
            if day.weekday() < 5:
                slots = scheduling.availability(service_id, day, day, therapist_id)
                if slots:
                    return day, slots[0].start
            day += timedelta(days=1)
    raise AssertionError("no open start in the demo calendar")


def test_a_client_joins_the_waitlist_and_claims_a_freed_time(phone_page, live_server):
    page = phone_page
    with live_server.app.app_context():
        client = make_client(name="Wendy Waitlist", email="wendy.waitlist@example.test")
        clear_client(client.user, client)
        maya = db.session.scalar(select(User).where(User.email == "maya@demo.clinic"))
        service = db.session.scalar(select(Service).where(Service.name == "Hip relief massage 60 min"))
        other = make_client(name="Otto Other", email="otto.other@example.test")
        db.session.commit()
        ids = {"client": client.id, "maya": maya.id, "service": service.id, "other": other.id}
    day, start = _free_day_and_start(live_server, ids["maya"], ids["service"])

    login(page, live_server, "wendy.waitlist@example.test", PASSWORD)
    main_menu(page).get_by_role("link", name="Book", exact=True).click()  # the phone menu opens first
    page.get_by_label(SERVICE).click()
    page.wait_for_url(re.compile(r"service_id=\d+"))
    page.get_by_label("Maya Lindqvist").click()
    page.wait_for_url(re.compile(r"therapist_id=\d+"))
    page.get_by_label("Day", exact=True).fill(day.isoformat())
    page.get_by_role("button", name="Show open times").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Tell me if something frees up").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Tell me if something frees up").is_visible()
    assert page.get_by_label("From").input_value() == day.isoformat()
    assert page.get_by_label("Therapist").input_value() == str(ids["maya"])
    assert_accessible(page)
    assert_fits_phone_width(page)
    page.get_by_role("button", name="Add to the waitlist").click()
    page.wait_for_load_state()
    assert page.get_by_text("We will email as soon as a time like that frees up.").is_visible()
    assert page.get_by_text(f"{SERVICE} with Maya Lindqvist").first.is_visible()
    assert_accessible(page)

    # Someone else books the open start and cancels it: the waitlist hears at once.
    with live_server.app.test_request_context(base_url=live_server.url):
        owner = db.session.scalar(select(User).where(User.email == "owner@demo.clinic"))
        visit = scheduling.book_appointment(owner, service_id=ids["service"], therapist_id=ids["maya"],
                                            start=start, client_id=ids["other"])
        db.session.commit()
        scheduling.cancel_appointment(owner, visit.id)
        db.session.commit()
        body = db.session.scalar(select(OutboundEmail.body).where(
            OutboundEmail.kind == "waitlist_offer", OutboundEmail.recipient == "wendy.waitlist@example.test"))
    link = re.search(r"(http://\S+/waitlist/offer\?offer=\S+)", body).group(1)

    page.goto(link)
    assert page.get_by_role("heading", name="A time has opened up").is_visible()
    assert_accessible(page)
    assert_fits_phone_width(page)
    page.get_by_role("button", name="Book this time").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your appointment is booked.").is_visible()
    with live_server.app.app_context():
        booked = db.session.scalar(select(Appointment).where(
            Appointment.client_id == ids["client"], Appointment.status == "booked"))
        assert booked.starts_at == start

    page.goto(link)
    assert page.get_by_role("heading", name="This time has gone").is_visible()
    assert page.get_by_role("link", name="Choose another time").is_visible()


def test_staff_add_a_client_to_the_waitlist_and_see_everyone_waiting(page, live_server):
    with live_server.app.app_context():
        client = make_client(name="Sasha Staffadded", email="sasha.staffadded@example.test")
        db.session.commit()
        client_id = client.id
    login(page, live_server, "owner@demo.clinic")
    page.goto(live_server(f"/clients/{client_id}"))
    page.get_by_role("link", name="Add Sasha Staffadded to the waitlist").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Part of day").select_option("afternoon")
    page.get_by_role("button", name="Add to the waitlist").click()
    page.wait_for_load_state()
    assert page.get_by_text("Not waiting for any time.").count() == 0
    main_menu(page).get_by_role("link", name="Waitlist", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Sasha Staffadded").is_visible()
    assert_accessible(page)
