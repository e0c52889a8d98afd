"""The README's screenshots, taken from the demo clinic: `CLINIC_TIMEZONE=Europe/London SCREENSHOTS=1
pytest tests/browser/test_readme_screenshots.py` rewrites docs/screenshots/ (in the demo's zone, as
`make run` serves it). Skipped otherwise (it writes files)."""

import os
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from clinic import clock
from clinic.extensions import db
from clinic.models import Appointment
from tests.browser.conftest import ROOT, login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="set SCREENSHOTS=1 to retake the README screenshots"),
]

SHOTS = ROOT / "docs" / "screenshots"


def _next_tuesday(live_server):
    """A day a week or so ahead, when the demo therapists still have open times."""
    with live_server.app.app_context():
        day = clock.today() + timedelta(days=7)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def _busiest_day_this_week(live_server):
    """The demo is random: the day of the coming week with the most visits fills the grid best."""
    with live_server.app.app_context():
        today = clock.today()
        start, end = clock.day_range(today, today + timedelta(days=6))
        starts = db.session.scalars(select(Appointment.starts_at).where(
            Appointment.starts_at >= start, Appointment.starts_at < end, Appointment.status != "cancelled"))
        days = [clock.to_local(s).date() for s in starts]
    return max(sorted(set(days)), key=days.count)


def test_client_booking(page, live_server):
    login(page, live_server, "clara@demo.clinic")
    page.goto(live_server("/book"))
    page.get_by_label("Hip relief massage 60 min").click()
    page.wait_for_url(re.compile(r"service_id=\d+"))
    page.get_by_label("Day", exact=True).fill(_next_tuesday(live_server).isoformat())
    page.get_by_role("button", name="Show open times").click()
    page.wait_for_load_state()
    assert page.locator("a.slot").count() > 0
    page.screenshot(path=str(SHOTS / "client-booking.png"), full_page=True)


def test_client_pain_trend(page, live_server):
    login(page, live_server, "clara@demo.clinic")
    page.goto(live_server("/my-record"))
    page.locator("section.pain-panel").screenshot(path=str(SHOTS / "client-pain-trend.png"))


def test_therapists_week(page, live_server):
    login(page, live_server, "maya@demo.clinic")
    page.goto(live_server("/calendar/week"))
    page.screenshot(path=str(SHOTS / "therapist-week.png"), full_page=True)


def test_owner_day(page, live_server):
    login(page, live_server, "owner@demo.clinic")
    page.goto(live_server(f"/calendar?day={_busiest_day_this_week(live_server).isoformat()}"))
    page.screenshot(path=str(SHOTS / "owner-day.png"), full_page=True)


def test_owner_reports(page, live_server):
    login(page, live_server, "owner@demo.clinic")
    page.goto(live_server("/reports"))
    page.screenshot(path=str(SHOTS / "owner-reports.png"), full_page=True)


def test_client_phone(phone_page, live_server):
    login(phone_page, live_server, "clara@demo.clinic")
    phone_page.goto(live_server("/"))
    phone_page.screenshot(path=str(SHOTS / "client-phone.png"), full_page=True)
