from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import Appointment, CarePlan
from tests.factories import (
    bearer,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
    make_time_off,
    monday,
)


@pytest.fixture
def scene(app):
    return {
        "therapist": make_therapist(hours=True),
        "client": make_client(),
        "service": make_service(duration_minutes=60),
    }


def body(scene, first_start: datetime, weekly=3, maintenance=2) -> dict:
    return {
        "client_id": scene["client"].id,
        "therapist_id": scene["therapist"].id,
        "service_id": scene["service"].id,
        "first_start": first_start.isoformat(),
        "weekly_sessions": weekly,
        "maintenance_sessions": maintenance,
    }


def first(weeks=2, hour=10) -> datetime:
    return datetime.combine(monday(weeks), time(hour), tzinfo=UTC)


def test_staff_create_a_plan_and_get_it_back(client, scene):
    headers = bearer(client, scene["therapist"].user)
    response = client.post("/api/v1/care-plans", json=body(scene, first()), headers=headers)
    assert response.status_code == 201, response.get_json()
    plan = response.get_json()
    assert plan["phase"] == "weekly"
    assert len(plan["appointments"]) == 5
    starts = [datetime.fromisoformat(a["start"]) for a in plan["appointments"]]
    assert starts[:3] == [first() + timedelta(weeks=k) for k in range(3)]
    assert all(a["care_plan_id"] == plan["id"] and a["status"] == "booked" for a in plan["appointments"])
    assert [a["plan_phase"] for a in plan["appointments"]] == ["weekly"] * 3 + ["maintenance"] * 2
    fetched = client.get(f"/api/v1/care-plans/{plan['id']}", headers=headers)
    assert fetched.status_code == 200
    got = fetched.get_json()
    assert {k: got[k] for k in ("id", "client_id", "therapist_id", "phase")} == {
        "id": plan["id"],
        "client_id": scene["client"].id,
        "therapist_id": scene["therapist"].id,
        "phase": "weekly",
    }
    assert got["appointments"] == plan["appointments"]


def test_conflicts_are_409_with_every_clashing_start_and_nothing_is_booked(client, scene):
    start = first()
    make_appointment(therapist=scene["therapist"], start=start + timedelta(weeks=1))
    make_time_off(scene["therapist"], start + timedelta(weeks=2), start + timedelta(weeks=2, hours=2))
    plans_before = db.session.scalar(select(func.count(CarePlan.id)))
    appointments_before = db.session.scalar(select(func.count(Appointment.id)))
    response = client.post(
        "/api/v1/care-plans", json=body(scene, start), headers=bearer(client, scene["therapist"].user)
    )
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "schedule_conflict"
    assert [datetime.fromisoformat(s) for s in error["conflicts"]] == [
        start + timedelta(weeks=1),
        start + timedelta(weeks=2),
    ]
    assert db.session.scalar(select(func.count(CarePlan.id))) == plans_before
    assert db.session.scalar(select(func.count(Appointment.id))) == appointments_before


def test_clients_may_not_create_plans(client, scene):
    response = client.post(
        "/api/v1/care-plans", json=body(scene, first()), headers=bearer(client, scene["client"].user)
    )
    assert response.status_code == 403


def test_create_without_a_token_is_401(client, scene):
    assert client.post("/api/v1/care-plans", json=body(scene, first())).status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"first_start": "2030-01-07T10:00:00"}, "first_start"),  # no offset
        ({"weekly_sessions": -1}, "weekly_sessions"),
        ({"weekly_sessions": "4"}, "weekly_sessions"),
        ({"maintenance_sessions": None}, "maintenance_sessions"),
        ({"client_id": True}, "client_id"),
    ],
)
def test_invalid_fields_are_422(client, scene, change, field):
    response = client.post(
        "/api/v1/care-plans",
        json={**body(scene, first()), **change},
        headers=bearer(client, scene["therapist"].user),
    )
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_a_plan_with_no_sessions_is_422(client, scene):
    response = client.post(
        "/api/v1/care-plans",
        json=body(scene, first(), weekly=0, maintenance=0),
        headers=bearer(client, scene["therapist"].user),
    )
    assert response.status_code == 422


def test_plan_is_visible_to_its_client_and_owner_but_not_to_others(client, scene):
    created = client.post(
        "/api/v1/care-plans", json=body(scene, first()), headers=bearer(client, scene["therapist"].user)
    ).get_json()
    url = f"/api/v1/care-plans/{created['id']}"
    assert client.get(url, headers=bearer(client, scene["client"].user)).status_code == 200
    assert client.get(url, headers=bearer(client, make_owner())).status_code == 200
    assert client.get(url, headers=bearer(client, make_client().user)).status_code == 404
    assert client.get(url, headers=bearer(client, make_therapist().user)).status_code == 404
    assert client.get("/api/v1/care-plans/999999", headers=bearer(client, make_owner())).status_code == 404


def test_phase_is_maintenance_once_weekly_sessions_are_past(client, scene):
    response = client.post(
        "/api/v1/care-plans",
        json=body(scene, first(weeks=-8), weekly=3, maintenance=3),
        headers=bearer(client, scene["therapist"].user),
    )
    assert response.status_code == 201
    assert response.get_json()["phase"] == "maintenance"


def test_end_extend_and_cancel_through_the_api(client, scene):
    therapist_headers = bearer(client, scene["therapist"].user)
    client_headers = bearer(client, scene["client"].user)
    plan = client.post(
        "/api/v1/care-plans", json=body(scene, first(), weekly=2, maintenance=1), headers=therapist_headers
    ).get_json()
    extended = client.post(
        f"/api/v1/care-plans/{plan['id']}/extend", json={"weeks": 1}, headers=therapist_headers
    )
    assert extended.status_code == 200, extended.get_json()
    assert extended.get_json()["weekly_sessions"] == 3
    live = [a for a in extended.get_json()["appointments"] if a["status"] == "booked"]
    assert len(live) == 4
    assert (
        client.post(
            f"/api/v1/care-plans/{plan['id']}/extend", json={"weeks": 0}, headers=therapist_headers
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"/api/v1/care-plans/{plan['id']}/extend", json={"weeks": 1}, headers=client_headers
        ).status_code
        == 403
    )

    one = live[1]
    cancelled = client.post(
        f"/api/v1/care-plans/{plan['id']}/appointments/{one['id']}/cancel", json={}, headers=client_headers
    )
    assert cancelled.status_code == 200, cancelled.get_json()
    assert [a["id"] for a in cancelled.get_json()["cancelled"]] == [one["id"]]
    assert cancelled.get_json()["alternatives"]

    ended = client.post(f"/api/v1/care-plans/{plan['id']}/end", headers=therapist_headers)
    assert ended.status_code == 200
    assert ended.get_json()["phase"] == "finished"
    assert ended.get_json()["ended_at"]
    again = client.post(f"/api/v1/care-plans/{plan['id']}/end", headers=therapist_headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "plan_ended"


def test_client_cancels_the_rest(client, scene):
    plan = client.post(
        "/api/v1/care-plans",
        json=body(scene, first(), weekly=2, maintenance=1),
        headers=bearer(client, scene["therapist"].user),
    ).get_json()
    response = client.post(
        f"/api/v1/care-plans/{plan['id']}/cancel-rest", headers=bearer(client, scene["client"].user)
    )
    assert response.status_code == 200
    assert len(response.get_json()["cancelled"]) == 3
    assert response.get_json()["too_late"] == []
    fetched = client.get(f"/api/v1/care-plans/{plan['id']}", headers=bearer(client, scene["client"].user))
    assert fetched.get_json()["phase"] == "finished"


def test_list_of_plans_is_scoped_to_the_caller(client, scene):
    plan = client.post(
        "/api/v1/care-plans",
        json=body(scene, first(), weekly=1, maintenance=0),
        headers=bearer(client, scene["therapist"].user),
    ).get_json()
    mine = client.get("/api/v1/care-plans", headers=bearer(client, scene["client"].user)).get_json()
    assert [p["id"] for p in mine] == [plan["id"]]
    assert client.get("/api/v1/care-plans", headers=bearer(client, make_client().user)).get_json() == []


def test_openapi_lists_the_care_plan_and_note_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/care-plans"]
    assert "get" in paths["/api/v1/care-plans/{plan_id}"]
    assert "post" in paths["/api/v1/appointments/{appointment_id}/notes"]
    assert {"get", "put", "patch", "delete"} <= set(paths["/api/v1/notes/{note_id}"])
    assert "get" in paths["/api/v1/clients/{client_id}/progress"]


def test_client_books_an_offered_time_after_cancelling_a_session(client, scene):
    plan = client.post(
        "/api/v1/care-plans",
        json=body(scene, first(), weekly=2, maintenance=0),
        headers=bearer(client, scene["therapist"].user),
    ).get_json()
    headers = bearer(client, scene["client"].user)
    second = plan["appointments"][1]
    offers = client.post(
        f"/api/v1/care-plans/{plan['id']}/appointments/{second['id']}/cancel", headers=headers
    ).get_json()["alternatives"]
    booked = client.post(
        f"/api/v1/care-plans/{plan['id']}/appointments", json={"start": offers[0]}, headers=headers
    )
    assert booked.status_code == 201, booked.get_json()
    assert booked.get_json()["care_plan_id"] == plan["id"]
    assert booked.get_json()["start"] == offers[0]
    taken = client.post(
        f"/api/v1/care-plans/{plan['id']}/appointments", json={"start": offers[0]}, headers=headers
    )
    assert taken.status_code == 409
    assert taken.get_json()["error"]["code"] == "slot_unavailable"
