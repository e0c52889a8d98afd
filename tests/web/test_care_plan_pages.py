import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from clinic.care_plans import reading, services
from clinic.extensions import db
from clinic.models import Appointment, CarePlan
from tests.factories import (
    PASSWORD,
    at,
    make_appointment,
    make_client,
    make_note,
    make_service,
    make_therapist,
    monday,
)


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code in (302, 303)


@pytest.fixture
def scene(app):
    return {"therapist": make_therapist(hours=True), "client": make_client(), "service": make_service()}


def form(scene, day, at="10:00", weekly=3, maintenance=1):
    return {
        "client_id": scene["client"].id,
        "service_id": scene["service"].id,
        "therapist_id": scene["therapist"].id,
        "first_day": day.isoformat(),
        "first_time": at,
        "weekly_sessions": str(weekly),
        "maintenance_sessions": str(maintenance),
    }


def make_plan(scene, first_start, weekly=4, maintenance=1):
    return services.create_care_plan(
        scene["therapist"].user,
        client_id=scene["client"].id,
        therapist_id=scene["therapist"].id,
        service_id=scene["service"].id,
        first_start=first_start,
        weekly_sessions=weekly,
        maintenance_sessions=maintenance,
    )


def test_nav_shows_care_plans_for_staff_and_clients(client, scene):
    login(client, scene["therapist"].user)
    page = client.get("/care-plans/")
    assert page.status_code == 200
    assert 'href="/care-plans/"' in page.get_data(as_text=True)
    assert "Start a care plan" in page.get_data(as_text=True)


def test_therapist_starts_a_plan_from_the_form(client, scene):
    login(client, scene["therapist"].user)
    assert client.get("/care-plans/new").status_code == 200
    response = client.post("/care-plans/new", data=form(scene, monday(2)))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    plan = db.session.scalar(select(CarePlan).where(CarePlan.client_id == scene["client"].id))
    assert response.headers["Location"].endswith(f"/care-plans/{plan.id}")
    assert len(reading.plan_appointments(plan)) == 4
    page = client.get(f"/care-plans/{plan.id}").get_data(as_text=True)
    assert "weekly" in page
    assert "Extend the weekly phase" in page
    assert "End the plan early" in page


def test_conflicts_are_listed_on_the_page_and_nothing_is_booked(client, scene):
    make_appointment(therapist=scene["therapist"], start=at(monday(3), 10))
    before = db.session.scalar(select(func.count(Appointment.id)))
    login(client, scene["therapist"].user)
    response = client.post("/care-plans/new", data=form(scene, monday(2)))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Nothing was booked" in html
    assert monday(3).isoformat() in html
    assert "overlaps another appointment" in html
    assert db.session.scalar(select(func.count(Appointment.id))) == before
    assert (
        db.session.scalar(select(func.count(CarePlan.id)).where(CarePlan.client_id == scene["client"].id))
        == 0
    )


def test_a_first_day_beyond_the_calendar_is_explained_beside_the_day(client, scene):
    login(client, scene["therapist"].user)
    response = client.post("/care-plans/new", data=form(scene, datetime(9999, 6, 7).date()))
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="first_day-error">([^<]+)</p>', response.get_data(as_text=True))
    assert error and error.group(1).startswith("Must be between")
    assert db.session.scalar(select(func.count(CarePlan.id))) == 0


def test_the_plan_form_finds_clients_by_search_and_keeps_the_chosen_one(client, scene):
    make_client(name="Zoe Searchable")
    login(client, scene["therapist"].user)
    html = client.get("/care-plans/new?q=searchable").get_data(as_text=True)
    assert "Zoe Searchable" in html
    assert scene["client"].name not in html
    chosen = client.get(f"/care-plans/new?q=searchable&client_id={scene['client'].id}").get_data(as_text=True)
    assert scene["client"].name in chosen and "Zoe Searchable" in chosen
    assert client.get("/care-plans/new?client_id=99999999999999999999").status_code == 200


def test_clients_cannot_open_the_new_plan_form(client, scene):
    login(client, scene["client"].user)
    assert client.get("/care-plans/new").status_code == 403


def test_ready_for_maintenance_is_said_plainly(client, scene):
    plan = make_plan(scene, datetime.combine(monday(-4), time(10), tzinfo=UTC), weekly=6, maintenance=1)
    past = [a for a in reading.plan_appointments(plan) if a.starts_at < datetime.now(UTC)][:3]
    for appointment, pain in zip(past, [7, 5, 4], strict=True):
        make_note(appointment, pain_before=pain, pain_after=pain - 2)
    login(client, scene["client"].user)
    html = client.get(f"/care-plans/{plan.id}").get_data(as_text=True)
    assert 'id="ready-for-maintenance"' in html
    assert 'id="pain-rising"' not in html
    assert "Sessions done" in html and "Sessions to come" in html
    assert "Pain on arrival: 7/10 at the first noted session, 4/10 at the latest" in html


def test_rising_pain_is_said_plainly(client, scene):
    plan = make_plan(scene, datetime.combine(monday(-4), time(10), tzinfo=UTC), weekly=6, maintenance=1)
    past = [a for a in reading.plan_appointments(plan) if a.starts_at < datetime.now(UTC)][:4]
    for appointment, pain in zip(past, [7, 4, 5, 6], strict=True):
        make_note(appointment, pain_before=pain, pain_after=pain - 1)
    login(client, scene["therapist"].user)
    html = client.get(f"/care-plans/{plan.id}").get_data(as_text=True)
    assert 'id="pain-rising"' in html


def test_client_cancels_one_session_and_sees_offers_then_books_one(client, scene):
    plan = make_plan(scene, datetime.combine(monday(2), time(10), tzinfo=UTC), weekly=3, maintenance=0)
    second = reading.plan_appointments(plan)[1]
    login(client, scene["client"].user)
    page = client.get(f"/care-plans/{plan.id}").get_data(as_text=True)
    assert "Cancel this session" in page and "Cancel all remaining sessions" in page
    step = client.get(f"/care-plans/{plan.id}/sessions/{second.id}/cancel").get_data(as_text=True)
    assert "Cancel this appointment?" in step and "hours before they start" in step
    assert f'action="/care-plans/{plan.id}/sessions/{second.id}/cancel"' in step
    assert f'href="/care-plans/{plan.id}">No, keep it' in step
    assert second.status == "booked"  # the step changes nothing
    response = client.post(f"/care-plans/{plan.id}/sessions/{second.id}/cancel", data={})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Nearest free times that week" in html
    offer = (second.starts_at - timedelta(hours=1)).isoformat()
    assert f'value="{offer}"' in html
    booked = client.post(f"/care-plans/{plan.id}/rebook", data={"start": offer})
    assert booked.status_code == 302
    starts = [a.starts_at for a in reading.plan_appointments(plan) if a.status == "booked"]
    assert second.starts_at - timedelta(hours=1) in starts


def test_client_cancels_the_rest(client, scene):
    plan = make_plan(scene, datetime.combine(monday(2), time(10), tzinfo=UTC), weekly=2, maintenance=1)
    login(client, scene["client"].user)
    response = client.post(f"/care-plans/{plan.id}/cancel-rest", data={})
    assert response.status_code == 200
    assert all(a.status == "cancelled" for a in reading.plan_appointments(plan))


def test_therapist_extends_and_ends_a_plan_from_the_page(client, scene):
    plan = make_plan(scene, datetime.combine(monday(2), time(10), tzinfo=UTC), weekly=2, maintenance=1)
    login(client, scene["therapist"].user)
    assert client.post(f"/care-plans/{plan.id}/extend", data={"weeks": "2"}).status_code == 302
    assert db.session.get(CarePlan, plan.id).weekly_sessions == 4
    bad = client.post(f"/care-plans/{plan.id}/extend", data={"weeks": "0"})
    assert bad.status_code == 422
    assert client.post(f"/care-plans/{plan.id}/end", data={}).status_code == 302
    html = client.get(f"/care-plans/{plan.id}").get_data(as_text=True)
    assert "finished" in html


def test_extension_conflict_is_listed_on_the_page(client, scene):
    first = datetime.combine(monday(2), time(10), tzinfo=UTC)
    plan = make_plan(scene, first, weekly=2, maintenance=0)
    make_appointment(therapist=scene["therapist"], start=first + timedelta(weeks=2))
    login(client, scene["therapist"].user)
    response = client.post(f"/care-plans/{plan.id}/extend", data={"weeks": "1"})
    assert response.status_code == 409
    assert "nothing was booked" in response.get_data(as_text=True)


def test_other_clients_get_404(client, scene):
    plan = make_plan(scene, datetime.combine(monday(2), time(10), tzinfo=UTC), weekly=1, maintenance=0)
    login(client, make_client().user)
    assert client.get(f"/care-plans/{plan.id}").status_code == 404
    assert client.post(f"/care-plans/{plan.id}/cancel-rest", data={}).status_code == 404


def _count_queries(client, url) -> int:
    from sqlalchemy import event

    engine = db.session.get_bind().engine
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def test_plan_list_and_dashboard_make_a_fixed_number_of_queries(client, scene):
    """No N+1: more plans and more sessions waiting for a note cost no extra queries."""
    login(client, scene["therapist"].user)

    def add_plan(hour):
        person = make_client()
        make_plan({**scene, "client": person}, datetime.combine(monday(-1), time(hour), tzinfo=UTC), 2, 1)

    add_plan(9)
    few = (_count_queries(client, "/care-plans/"), _count_queries(client, "/"))
    for hour in (11, 13, 15):
        add_plan(hour)
    many = (_count_queries(client, "/care-plans/"), _count_queries(client, "/"))
    assert many == few
