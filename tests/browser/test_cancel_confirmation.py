"""A client books with "Any therapist" and cancels only after a step that states the notice policy."""

import re

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import Appointment
from tests.browser.conftest import assert_accessible, assert_fits_phone_width, login
from tests.browser.test_booking_journey import _next_free_weekday, _with_intake

pytestmark = pytest.mark.browser

PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture(params=["desktop", "phone"])
def any_page(request, browser):
    """The journey at desktop width and on a 390 px phone; console errors fail the test."""
    viewport = {"width": 1280, "height": 900} if request.param == "desktop" else PHONE_390
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_default_timeout(10_000)
    yield page, request.param
    context.close()
    assert problems == []


def test_a_client_cancels_only_after_confirming(any_page, live_server):
    page, width = any_page
    email = "clara@demo.clinic"
    _with_intake(live_server, email)
    login(page, live_server, email)
    day = _next_free_weekday(live_server, email, days_ahead=9 if width == "desktop" else 10)
    page.goto(live_server(f"/book?day={day.isoformat()}"))
    # The page's script shows the times as soon as a treatment is tapped.
    page.get_by_role("radio", name=re.compile("^Hip relief massage 60 min")).click()
    page.wait_for_url(re.compile(r"service_id=\d+"))
    assert page.get_by_role("heading", name="Morning").is_visible()
    assert_accessible(page)
    if width == "phone":
        assert_fits_phone_width(page)
    page.locator("a.slot").first.click()
    assert page.get_by_role("heading", name="Confirm your booking").is_visible()
    assert "GBP" in page.locator("main").inner_text() or "EUR" in page.locator("main").inner_text()
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_load_state()
    appointment_id = int(re.search(r"/appointments/(\d+)", page.url).group(1))

    page.get_by_role("link", name="Cancel appointment…").click()
    assert page.get_by_role("heading", name="Cancel this appointment?").is_visible()
    policy = page.locator("#notice-policy").inner_text()
    assert "hours before they start" in policy and "+44 20 7946 0321" in policy
    assert_accessible(page)
    if width == "phone":
        assert_fits_phone_width(page)
    with live_server.app.app_context():
        assert db.session.get(Appointment, appointment_id).status == "booked"  # the step changed nothing

    page.get_by_label("Reason (optional)").fill("Travelling that week")
    page.get_by_role("button", name="Yes, cancel the appointment").click()
    page.wait_for_load_state()
    assert page.get_by_text("The appointment is cancelled.").is_visible()
    assert_accessible(page)
    with live_server.app.app_context():
        cancelled = db.session.scalar(select(Appointment).where(Appointment.id == appointment_id))
        assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Travelling that week")
