"""The time-grid calendars and the booking forms that show free time: a therapist books from
a free cell, and a care-plan preview shows a clash before anything is saved. Each journey
runs without JavaScript too; axe-core (which needs JavaScript) finds nothing serious at
desktop and 390 px phone width."""

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from clinic import clock
from clinic.extensions import db
from clinic.models import Appointment, CarePlan, Client, Service, User
from tests.browser.conftest import DESKTOP, assert_accessible, assert_fits_phone_width, login
from tests.factories import make_appointment

pytestmark = pytest.mark.browser

PHONE_390 = {"width": 390, "height": 844}
MAYA = "maya@demo.clinic"
HIP = "Hip relief massage 60 min"


def _weekday_ahead(live_server, days: int, quiet_weeks: int = 0):
    """A weekday this many days ahead; with `quiet_weeks`, the first from which Maya and Clara
    have nothing booked for that many weeks (the demo's care plans book months ahead)."""
    with live_server.app.app_context():
        with_hours = clock.today() + timedelta(days=days)
        busy = {clock.to_local(start).date() for start in db.session.scalars(
            select(Appointment.starts_at).join(Client).join(User, User.id == Appointment.therapist_id)
            .where(Appointment.status != "cancelled")
            .where((User.email == MAYA) | (Client.email == "clara@demo.clinic")))} if quiet_weeks else set()
    while with_hours.weekday() >= 5 or any(
            with_hours + timedelta(days=d) in busy for d in range(7 * quiet_weeks)):
        with_hours += timedelta(days=1)
    return with_hours


SCRIPTED = {}  # page -> whether JavaScript runs in it


def _context_page(browser, viewport, script: bool):
    context = browser.new_context(viewport=viewport, java_script_enabled=script)
    page = context.new_page()
    page.set_default_timeout(10_000)
    SCRIPTED[page] = script
    return context, page


@pytest.fixture(params=[(DESKTOP, True), (PHONE_390, True), (DESKTOP, False)],
                ids=["desktop", "phone-390", "desktop-no-javascript"])
def any_page(request, browser):
    context, page = _context_page(browser, *request.param)
    yield page
    context.close()
    SCRIPTED.pop(page)


@pytest.fixture(params=[True, False], ids=["desktop", "desktop-no-javascript"])
def desktop_page(request, browser):
    context, page = _context_page(browser, DESKTOP, request.param)
    yield page
    context.close()
    SCRIPTED.pop(page)


def _check(page) -> None:
    """axe-core where JavaScript runs (its promise never settles in a page without it), and
    nothing wider than a phone at phone width."""
    if SCRIPTED[page]:
        assert_accessible(page)
    if page.viewport_size["width"] <= 600:
        assert_fits_phone_width(page)


def _cancel(live_server, condition):
    with live_server.app.app_context():
        for appointment in db.session.scalars(select(Appointment).where(condition)):
            appointment.status = "cancelled"
        db.session.commit()


def test_a_therapist_books_from_a_free_cell_on_the_day_grid(desktop_page, live_server):
    page = desktop_page
    day = _weekday_ahead(live_server, 60 if SCRIPTED[page] else 61)
    login(page, live_server, MAYA)
    page.goto(live_server(f"/calendar?day={day.isoformat()}"))
    _check(page)
    page.get_by_role("link", name=f"Book Maya Lindqvist, {day:%a %d %b} at 10:00").click()
    page.wait_for_load_state()
    assert page.get_by_label("Start time", exact=True).input_value() == "10:00"
    assert page.get_by_label("Day", exact=True).input_value() == day.isoformat()
    assert page.get_by_role("heading", name="Open times: Maya Lindqvist").is_visible()
    _check(page)
    page.get_by_label("Client", exact=True).select_option(label="Clara Jensen (clara@demo.clinic)")
    page.get_by_label("Service", exact=True).select_option(label=HIP)
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("Appointment booked.").is_visible()
    try:
        page.goto(live_server(f"/calendar?day={day.isoformat()}"))
        block = page.locator("a.tg-appt", has_text="Clara Jensen")
        assert block.is_visible() and "10:00–11:00" in block.inner_text()
        assert page.get_by_role("link", name=f"Book Maya Lindqvist, {day:%a %d %b} at 10:00").count() == 0
    finally:
        _cancel(live_server, func.date(Appointment.starts_at) == day)


@pytest.mark.parametrize("path", ["/calendar?day={day}", "/calendar/week?day={day}",
                                  "/appointments/new?day={day}&start_time=09:00"])
def test_grids_and_the_booking_form_are_accessible_and_fit(any_page, live_server, path):
    page = any_page
    login(page, live_server, MAYA)
    page.goto(live_server(path.format(day=_weekday_ahead(live_server, 3).isoformat())))
    assert page.get_by_role("heading", level=1).is_visible()
    _check(page)
    if "calendar" in path:
        phone = page.viewport_size["width"] <= 600
        assert page.locator(".tg-wrap").is_visible() != phone
        assert page.locator(".agenda").first.is_visible() == phone


def test_a_care_plan_preview_shows_a_clash_and_nothing_is_saved_until_confirmed(any_page, live_server):
    page = any_page
    day = _weekday_ahead(live_server, 70 + 20 * (page.viewport_size["width"] <= 600) + 40 * (not SCRIPTED[page]),
                         quiet_weeks=6)
    with live_server.app.app_context():
        maya = db.session.scalar(select(User).where(User.email == MAYA))
        service = db.session.scalar(select(Service).where(Service.name == HIP))
        other = db.session.scalar(select(Client).where(Client.email != "clara@demo.clinic").order_by(Client.id))
        other_name = other.name
        start = clock.local_datetime(day + timedelta(weeks=1), time(14))
        make_appointment(service=service, therapist=maya.therapist, client=other,
                         start=start)
        db.session.commit()

    def plans():
        with live_server.app.app_context():
            return db.session.scalar(select(func.count(CarePlan.id)))

    before = plans()
    try:
        login(page, live_server, MAYA)
        page.goto(live_server("/care-plans/new"))
        page.get_by_label("Client", exact=True).select_option(label="Clara Jensen (clara@demo.clinic)")
        page.get_by_label("Service", exact=True).select_option(label=HIP)
        page.get_by_label("First session date").fill(day.isoformat())
        page.get_by_label("Start time", exact=True).fill("14:00")
        page.get_by_label("Weekly sessions").fill("2")
        page.get_by_label("Monthly maintenance sessions").fill("0")
        page.get_by_role("button", name="Preview").click()
        page.wait_for_load_state()
        preview = page.locator("#plan-preview")
        assert preview.get_by_role("heading", name="Preview: 2 sessions, 1 clash").is_visible()
        assert preview.get_by_text("That time overlaps another appointment.").is_visible()
        assert preview.get_by_role("link", name=f"{other_name}, {HIP}, 14:00–15:00").is_visible()
        assert page.get_by_role("button", name="Create plan").count() == 0
        assert plans() == before
        _check(page)
        page.get_by_role("link", name="11:00", exact=True).click()  # the first day's open times fill the time
        page.wait_for_load_state()
        assert page.get_by_label("Start time", exact=True).input_value() == "11:00"
        page.get_by_role("button", name="Preview").click()
        page.wait_for_load_state()
        assert page.get_by_text("Every session is free.").is_visible()
        assert plans() == before
        page.get_by_role("button", name="Create plan").click()
        page.wait_for_load_state()
        assert page.get_by_text("Care plan booked: 2 sessions.").is_visible()
        assert plans() == before + 1
    finally:
        with live_server.app.app_context():
            since = clock.local_datetime(day, time(0))
        _cancel(live_server, Appointment.starts_at >= since)
