"""Calendars with time off and a disabled therapist's visits stay accessible, at both widths."""

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from clinic import clock
from clinic.extensions import db
from clinic.models import Appointment, Client, Service
from tests.browser.conftest import assert_accessible, assert_fits_phone_width, login
from tests.factories import make_appointment, make_therapist, make_time_off

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def leaving_therapist(live_server):
    """A therapist with a visit and time off on one day, then disabled; the visit is
    cancelled afterwards so other tests see the demo clinic as before."""
    with live_server.app.app_context():
        day = clock.today() + timedelta(days=45)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        therapist = make_therapist(hours=True, name="Rui Leaving", email="rui.leaving@example.test")
        service = db.session.scalar(select(Service).where(Service.name == "Hip relief massage 60 min"))
        clara = db.session.scalar(select(Client).where(Client.email == "clara@demo.clinic"))
        visit = make_appointment(service=service, therapist=therapist, client=clara,
                                 start=clock.local_datetime(day, time(10)))
        make_time_off(therapist, clock.local_datetime(day, time(14)), clock.local_datetime(day, time(16)), "Course")
        therapist.user.is_disabled = True
        db.session.commit()
        visit_id = visit.id
    yield day, visit_id
    with live_server.app.app_context():
        db.session.get(Appointment, visit_id).status = "cancelled"
        db.session.commit()


@pytest.mark.parametrize("width", ["page", "phone_page"])
def test_the_owners_day_calendar_and_staff_page_show_what_needs_moving(request, live_server, leaving_therapist,
                                                                       width):
    page = request.getfixturevalue(width)
    day, visit_id = leaving_therapist
    login(page, live_server, "owner@demo.clinic")
    page.goto(live_server(f"/calendar?day={day.isoformat()}"))
    column = page.get_by_role("region", name="Rui Leaving disabled")
    assert column.get_by_text("Time off: Course").is_visible()
    assert column.get_by_text("Clara Jensen").is_visible()
    assert_accessible(page)
    page.goto(live_server("/staff"))
    assert page.locator(f'a[href="/appointments/{visit_id}"]').is_visible()
    assert_accessible(page)
    if width == "phone_page":
        assert_fits_phone_width(page)
