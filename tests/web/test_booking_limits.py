"""Clients booking online: at most CLIENT_MAX_OPEN_BOOKINGS open visits booked themselves, and
nothing after today + BOOKING_HORIZON_DAYS (staff are not limited by either)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from clinic.extensions import db
from clinic.intake.services import submit_intake
from tests.factories import (
    at,
    bearer,
    login,
    make_client,
    make_owner,
    make_service,
    make_therapist,
    make_user,
)
from tests.intake_factories import CLEAR

API = "/api/v1"
NOW = datetime(2027, 3, 3, 6, 0, tzinfo=UTC)  # Wednesday 2027-03-03, clinic time UTC
HORIZON = date(2027, 6, 1)  # today + 90 days, a Tuesday


@pytest.fixture
def scene(app):
    with freeze_time(NOW):
        therapist = make_therapist(hours=True)
        service = make_service(duration_minutes=60)
        me = make_client()
        db.session.commit()
        yield {"therapist": therapist, "service": service, "me": me, "owner": make_owner()}


def book(client, headers, scene, start: datetime, **extra):
    body = {"service_id": scene["service"].id, "therapist_id": scene["therapist"].id,
            "start": start.isoformat(), **extra}
    return client.post(f"{API}/appointments", json=body, headers=headers)


def test_a_client_holds_at_most_six_open_bookings(client, scene):
    mine = bearer(client, scene["me"].email)
    for hour in range(9, 15):
        assert book(client, mine, scene, at(date(2027, 3, 4), hour)).status_code == 201
    response = book(client, mine, scene, at(date(2027, 3, 4), 15))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "booking_limit"
    owner = bearer(client, scene["owner"])
    assert book(client, owner, scene, at(date(2027, 3, 4), 15), client_id=scene["me"].id).status_code == 201


def test_a_cancelled_booking_frees_a_place_under_the_limit(client, scene, app):
    app.config["CLIENT_MAX_OPEN_BOOKINGS"] = 1
    try:
        mine = bearer(client, scene["me"].email)
        first = book(client, mine, scene, at(date(2027, 3, 4), 9)).get_json()
        assert book(client, mine, scene, at(date(2027, 3, 4), 11)).status_code == 409
        client.post(f"{API}/appointments/{first['id']}/cancel", headers=mine)
        assert book(client, mine, scene, at(date(2027, 3, 4), 11)).status_code == 201
    finally:
        app.config["CLIENT_MAX_OPEN_BOOKINGS"] = 6


def test_the_booking_page_says_why_the_limit_refused(client, scene, app):
    app.config["CLIENT_MAX_OPEN_BOOKINGS"] = 0
    try:
        submit_intake(scene["me"].user, scene["me"].id, CLEAR)
        db.session.commit()
        login(client, scene["me"].email)
        form = {"service_id": scene["service"].id, "therapist_id": scene["therapist"].id,
                "start": at(date(2027, 3, 4), 9).isoformat()}
        page = client.post("/book", data=form, follow_redirects=True).get_data(as_text=True)
        assert "call the clinic to book more" in page
    finally:
        app.config["CLIENT_MAX_OPEN_BOOKINGS"] = 6


def test_availability_stops_at_the_horizon(client, scene):
    url = (f"{API}/availability?service_id={scene['service'].id}"
           f"&from={(HORIZON - timedelta(days=1)).isoformat()}&to={(HORIZON + timedelta(days=3)).isoformat()}")
    days = {slot["start"][:10] for slot in client.get(url).get_json()}
    assert max(days) == HORIZON.isoformat()
    beyond = f"{API}/availability?service_id={scene['service'].id}&from=8999-01-04&to=8999-01-05"
    assert client.get(beyond).get_json() == []


def test_clients_cannot_book_beyond_the_horizon_but_staff_can(client, scene):
    mine = bearer(client, scene["me"].email)
    assert book(client, mine, scene, at(HORIZON, 9)).status_code == 201
    for day in (HORIZON + timedelta(days=3), date(8999, 1, 4)):
        response = book(client, mine, scene, at(day, 9))
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "slot_unavailable"
    desk = bearer(client, make_user("front_desk"))
    assert book(client, desk, scene, at(HORIZON + timedelta(days=3), 9), client_id=scene["me"].id).status_code == 201


def test_a_client_cannot_move_a_visit_beyond_the_horizon(client, scene):
    mine = bearer(client, scene["me"].email)
    booked = book(client, mine, scene, at(date(2027, 3, 4), 9)).get_json()
    response = client.patch(f"{API}/appointments/{booked['id']}",
                            json={"start": at(HORIZON + timedelta(days=3), 9).isoformat()}, headers=mine)
    assert response.status_code == 409
