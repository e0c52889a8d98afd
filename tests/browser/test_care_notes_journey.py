"""A therapist signs a session note and sees it on the client's pain chart; care plan pages
are accessible and fit a phone."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from clinic import clock
from clinic.extensions import db
from clinic.models import Appointment, CarePlan, Client, Service, User
from tests.browser.conftest import assert_accessible, assert_fits_phone_width, login, main_menu

pytestmark = pytest.mark.browser


def _started_appointment(live_server) -> tuple[int, int, str]:
    """A session with Maya that began an hour ago, for Clara (who has an intake)."""
    with live_server.app.app_context():
        maya = db.session.scalar(select(User).where(User.email == "maya@demo.clinic"))
        clara = db.session.scalar(select(Client).where(Client.email == "clara@demo.clinic"))
        service = db.session.scalars(select(Service).order_by(Service.id)).first()
        # A short session that began within the last few hours, clear of Maya's demo visits
        # (the demo calendar is random, so search back from an hour ago for a free gap).
        start = (clock.now() - timedelta(hours=1)).replace(second=0, microsecond=0)
        busy = db.session.execute(
            select(Appointment.starts_at, Appointment.ends_at).where(
                Appointment.therapist_id == maya.id, Appointment.status != "cancelled"
            )
        ).all()
        while any(s < start + timedelta(minutes=5) and e > start for s, e in busy):
            start -= timedelta(minutes=5)
        appointment = Appointment(
            client_id=clara.id,
            therapist_id=maya.id,
            service_id=service.id,
            starts_at=start,
            ends_at=start + timedelta(minutes=5),
            buffer_minutes=0,
            price_cents=service.price_cents,
            status="booked",
        )
        db.session.add(appointment)
        db.session.commit()
        return appointment.id, clara.id, clock.to_local(start).date().isoformat()


def test_therapist_writes_a_note_and_sees_it_on_the_clients_chart(page, live_server):
    appointment_id, client_id, day = _started_appointment(live_server)
    login(page, live_server, "maya@demo.clinic")
    # The demo may already hold a session today with the same scores: count what is there.
    before_dot = page.locator("figure.pain-chart svg circle title", has_text=f"{day}: pain before 2/10")
    after_dot = page.locator("figure.pain-chart svg circle title", has_text=f"{day}: pain after 1/10")
    page.goto(live_server(f"/clients/{client_id}"))
    page.locator("figure.pain-chart svg").wait_for()
    dots_before = (before_dot.count(), after_dot.count())
    page.goto(live_server(f"/notes/appointments/{appointment_id}/new"))
    assert_accessible(page)
    page.get_by_label("Myofascial release").check()
    page.get_by_label("Stretching").check()
    page.get_by_label("Areas treated").fill("left hip, hip flexors")
    page.get_by_label("Pain before the session (0-10)").fill("2")
    page.get_by_label("Pain after the session (0-10)").fill("1")
    page.get_by_label("Subjective").fill("Much easier on the stairs this week.")
    page.get_by_role("button", name="Sign and save note").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Session note").is_visible()
    assert page.get_by_text("left hip, hip flexors").is_visible()
    assert_accessible(page)

    page.goto(live_server(f"/clients/{client_id}"))
    chart = page.locator("figure.pain-chart svg")
    chart.wait_for()
    # One dot per noted session and series; the newest session's scores are in the chart.
    assert (before_dot.count(), after_dot.count()) == (dots_before[0] + 1, dots_before[1] + 1)
    rows = page.locator("table.pain-table tbody tr", has_text=day)
    assert "2" in [rows.nth(i).locator("td").nth(0).inner_text() for i in range(rows.count())]
    assert_accessible(page)


def test_care_plan_pages_are_accessible_and_fit_a_phone(phone_page, live_server):
    with live_server.app.app_context():
        plan = db.session.scalars(select(CarePlan).order_by(CarePlan.id)).first()
        plan_id, client_email = plan.id, plan.client.email
    login(phone_page, live_server, "maya@demo.clinic")
    for path in ("/care-plans/", f"/care-plans/{plan_id}", "/care-plans/new"):
        phone_page.goto(live_server(path))
        assert phone_page.get_by_role("heading", level=1).is_visible()
        assert_accessible(phone_page)
        assert_fits_phone_width(phone_page)
    phone_page.goto(live_server(f"/care-plans/{plan_id}"))
    assert phone_page.locator("#plan-phase").is_visible()
    main_menu(phone_page).get_by_role("button", name="Log out").click()
    login(phone_page, live_server, client_email)
    phone_page.goto(live_server(f"/care-plans/{plan_id}"))
    assert phone_page.get_by_role("button", name="Cancel all remaining sessions").is_visible()
    assert_accessible(phone_page)
    assert_fits_phone_width(phone_page)
