"""A client books online, finds the visit in their list, and cancels it; held clients are told why."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from clinic import clock
from clinic.extensions import db
from clinic.intake.services import has_intake
from clinic.models import Appointment, Client
from tests.browser.conftest import assert_accessible, assert_fits_phone_width, login, main_menu
from tests.intake_factories import clear_client

pytestmark = pytest.mark.browser


def _next_free_weekday(live_server, email: str, days_ahead: int = 8):
    """A weekday at least `days_ahead` on with nothing booked for this client (the demo is random)."""
    with live_server.app.app_context():
        day = clock.today() + timedelta(days=days_ahead)
        client = db.session.scalar(select(Client).where(Client.email == email))
        busy = {clock.to_local(a.starts_at).date() for a in db.session.scalars(
            select(Appointment).where(Appointment.client_id == client.id, Appointment.status == "booked"))}
    while day.weekday() >= 5 or day in busy:
        day += timedelta(days=1)
    return day


def _with_intake(live_server, email: str) -> None:
    """Online booking waits for a health intake; the demo's Samuel has not filled his in."""
    with live_server.app.app_context():
        client = db.session.scalar(select(Client).where(Client.email == email))
        if not has_intake(client.id):
            clear_client(client.user, client)
            db.session.commit()


def test_a_client_books_sees_and_cancels_an_appointment(phone_page, live_server):
    page = phone_page
    _with_intake(live_server, "samuel@demo.clinic")
    login(page, live_server, "samuel@demo.clinic")
    main_menu(page).get_by_role("link", name="Book", exact=True).click()
    # The page's script shows times as soon as something changes; wait for each reload.
    page.get_by_label("Hip relief massage 60 min").click()
    page.wait_for_url(re.compile(r"service_id=\d+"))
    page.get_by_label("Maya Lindqvist").click()
    page.wait_for_url(re.compile(r"therapist_id=\d+"))
    page.get_by_label("Day", exact=True).fill(_next_free_weekday(live_server, "samuel@demo.clinic").isoformat())
    page.get_by_role("button", name="Show open times").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert_fits_phone_width(page)
    first_slot = page.locator("a.slot").first
    chosen = first_slot.inner_text().strip()
    first_slot.click()
    assert page.get_by_role("heading", name="Confirm your booking").is_visible()
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Hip relief massage 60 min").is_visible()
    assert page.get_by_role("link", name="Add to my calendar (.ics)").is_visible()
    assert_accessible(page)

    with live_server.app.app_context():
        samuel = db.session.scalar(select(Client).where(Client.email == "samuel@demo.clinic"))
        booked = db.session.scalars(
            select(Appointment).where(Appointment.client_id == samuel.id, Appointment.status == "booked")
            .order_by(Appointment.created_at.desc())
        ).first()
        assert clock.to_local(booked.starts_at).strftime("%H:%M") in chosen

    main_menu(page).get_by_role("link", name="My appointments").click()
    assert page.get_by_text("Hip relief massage 60 min").first.is_visible()
    assert_accessible(page)

    page.goto(live_server(f"/appointments/{booked.id}"))
    page.get_by_role("link", name="Cancel appointment…").click()
    page.get_by_role("button", name="Yes, cancel the appointment").click()
    page.wait_for_load_state()
    with live_server.app.app_context():
        assert db.session.get(Appointment, booked.id).status == "cancelled"


def test_a_client_held_for_clearance_is_told_what_to_bring(page, live_server):
    login(page, live_server, "ingrid@demo.clinic")
    page.goto(live_server("/book"))
    body = page.locator("main").inner_text()
    assert "clearance" in body.lower()
    assert page.locator("a.slot").count() == 0
    assert_accessible(page)
