"""The intake part of the JSON API: submitting and reading intakes, check-ins, privacy."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from clinic import clock
from clinic.extensions import db
from clinic.models import AuditEntry, CheckIn, Client, Intake
from tests.factories import bearer, make_appointment, make_client, make_owner, make_therapist
from tests.intake_factories import CLEAR_JSON

API = "/api/v1"


def post_intake(client, headers, client_id, **changes):
    body = {**CLEAR_JSON, **changes}
    body = {k: v for k, v in body.items() if v is not ...}
    return client.post(f"{API}/clients/{client_id}/intakes", json=body, headers=headers)


def status_of(client, headers, client_id) -> str:
    return client.get(f"{API}/clients/{client_id}", headers=headers).get_json()["clearance_status"]


def intake_count() -> int:
    return db.session.scalar(select(func.count(Intake.id)))


@pytest.fixture
def me(app, client):
    person = make_client()
    return person, bearer(client, person.email)


def test_a_clear_intake_is_created_and_needs_no_clearance(client, me):
    person, headers = me
    response = post_intake(client, headers, person.id, medications="Paracetamol", notes="Stiff mornings")
    assert response.status_code == 201
    body = response.get_json()
    assert body["flags"] == []
    assert body["requires_clearance"] is False
    assert isinstance(body["id"], int)
    assert datetime.fromisoformat(body["submitted_at"]).tzinfo is not None
    assert body["conditions"] == ["osteoarthritis"]
    assert body["medications"] == "Paracetamol"
    assert status_of(client, headers, person.id) == "not_required"


def test_a_flagged_intake_requires_clearance(client, me):
    person, headers = me
    surgery = clock.today() - timedelta(days=30)
    response = post_intake(client, headers, person.id, recent_surgery=True, surgery_date=surgery.isoformat(),
                           redness_or_warmth=True)
    assert response.status_code == 201
    body = response.get_json()
    assert body["requires_clearance"] is True
    assert body["flags"] == [
        {"code": "post_surgery", "reason": f"Surgery on {surgery.isoformat()}, within 180 days"},
        {"code": "infection_signs", "reason": "Possible infection or inflammation: redness or warmth"},
    ]
    assert status_of(client, headers, person.id) == "required"


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({"pain_level": 7}, []),
        ({"pain_level": 8}, ["severe_pain"]),
        ({"pain_level": 10}, ["severe_pain"]),
        ({"fever_or_chills": True}, ["infection_signs"]),
        ({"redness_or_warmth": True}, ["infection_signs"]),
        ({"sudden_swelling": True}, ["sudden_swelling"]),
        ({"loss_of_mobility": True}, ["loss_of_mobility"]),
        ({"chronic_pain_unimproved": True}, ["chronic_pain_unimproved"]),
        ({"recent_surgery": True}, ["post_surgery"]),
        ({"recent_surgery": True, "surgery_date": None}, ["post_surgery"]),
        ({"recent_surgery": True, "surgery_date": "edge"}, ["post_surgery"]),
        ({"recent_surgery": True, "surgery_date": "past_edge"}, []),
        ({"recent_surgery": True, "surgery_date": "today"}, ["post_surgery"]),
        ({"recent_surgery": False, "surgery_date": "today"}, []),
        ({"conditions": ["osteoarthritis", "rheumatoid_arthritis", "bursitis", "labral_tear", "sciatica",
                         "injury", "other"]}, []),
        ({"conditions": []}, []),
    ],
)
def test_each_contract_rule(client, me, changes, codes):
    person, headers = me
    today = clock.today()
    dates = {"edge": today - timedelta(days=180), "past_edge": today - timedelta(days=181), "today": today}
    if changes.get("surgery_date") in dates:
        changes = {**changes, "surgery_date": dates[changes["surgery_date"]].isoformat()}
    response = post_intake(client, headers, person.id, **changes)
    assert response.status_code == 201, response.get_json()
    assert [f["code"] for f in response.get_json()["flags"]] == codes
    assert response.get_json()["requires_clearance"] is bool(codes)
    assert status_of(client, headers, person.id) == ("required" if codes else "not_required")


def test_only_consent_and_pain_are_required(client, me):
    person, headers = me
    response = client.post(f"{API}/clients/{person.id}/intakes", json={"consent": True, "pain_level": 2},
                           headers=headers)
    assert response.status_code == 201
    assert response.get_json()["conditions"] == []


def test_the_latest_intake_counts(client, me):
    person, headers = me
    assert post_intake(client, headers, person.id, sudden_swelling=True).status_code == 201
    assert status_of(client, headers, person.id) == "required"
    assert post_intake(client, headers, person.id).status_code == 201
    assert status_of(client, headers, person.id) == "not_required"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"consent": ...}, "consent"),
        ({"consent": False}, "consent"),
        ({"consent": None}, "consent"),
        ({"consent": "true"}, "consent"),
        ({"pain_level": ...}, "pain_level"),
        ({"pain_level": None}, "pain_level"),
        ({"pain_level": 11}, "pain_level"),
        ({"pain_level": -1}, "pain_level"),
        ({"pain_level": "5"}, "pain_level"),
        ({"pain_level": 5.5}, "pain_level"),
        ({"pain_level": True}, "pain_level"),
        ({"recent_surgery": True, "surgery_date": "future"}, "surgery_date"),
        ({"recent_surgery": True, "surgery_date": "2027-13-01"}, "surgery_date"),
        ({"recent_surgery": True, "surgery_date": "01/02/2026"}, "surgery_date"),
        ({"recent_surgery": True, "surgery_date": 20260101}, "surgery_date"),
        ({"conditions": ["gout"]}, "conditions"),
        ({"conditions": ["osteoarthritis", "Osteoarthritis"]}, "conditions"),
        ({"conditions": "osteoarthritis"}, "conditions"),
        ({"conditions": [1, 2]}, "conditions"),
        ({"fever_or_chills": "no"}, "fever_or_chills"),
        ({"recent_surgery": 1}, "recent_surgery"),
        ({"sudden_swelling": []}, "sudden_swelling"),
        ({"medications": 42}, "medications"),
        ({"notes": "x" * 2001}, "notes"),
    ],
)
def test_bad_input_is_a_422_and_nothing_is_saved(client, me, changes, field):
    person, headers = me
    if changes.get("surgery_date") == "future":
        changes = {**changes, "surgery_date": (clock.today() + timedelta(days=1)).isoformat()}
    response = post_intake(client, headers, person.id, **changes)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"]
    assert intake_count() == 0
    assert status_of(client, headers, person.id) == "not_required"


@pytest.mark.parametrize("data", ["[1, 2]", '"text"', "not json", "", "null"])
def test_a_body_that_is_not_a_json_object_is_a_400(client, me, data):
    person, headers = me
    response = client.post(f"{API}/clients/{person.id}/intakes", data=data, headers=headers,
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    assert intake_count() == 0


def test_no_token_is_a_401(client, me):
    person, _ = me
    assert post_intake(client, {}, person.id).status_code == 401
    assert client.get(f"{API}/clients/{person.id}/intakes").status_code == 401
    assert client.get(f"{API}/clearance-queue").status_code == 401


def test_staff_may_submit_for_their_client_and_others_get_404(client, app):
    walk_in = make_client(login=False)
    therapist = make_therapist()
    make_appointment(client=walk_in, therapist=therapist)
    owner = make_owner()
    assert post_intake(client, bearer(client, owner), walk_in.id).status_code == 201
    response = post_intake(client, bearer(client, therapist.user), walk_in.id, pain_level=9)
    assert response.status_code == 201
    assert response.get_json()["submitted_by"]["id"] == therapist.id
    for stranger in (make_client().email, make_therapist().user.email):
        response = post_intake(client, bearer(client, stranger), walk_in.id)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    assert post_intake(client, bearer(client, owner), 999_999).status_code == 404
    assert intake_count() == 2


def test_reading_intakes_is_private(client, app):
    person = make_client()
    therapist = make_therapist()
    make_appointment(client=person, therapist=therapist)
    mine = bearer(client, person.email)
    first = post_intake(client, mine, person.id, pain_level=9).get_json()
    second = post_intake(client, mine, person.id).get_json()
    for headers in (mine, bearer(client, therapist.user), bearer(client, make_owner())):
        listed = client.get(f"{API}/clients/{person.id}/intakes", headers=headers)
        assert listed.status_code == 200
        assert [i["id"] for i in listed.get_json()] == [first["id"], second["id"]]
        one = client.get(f"{API}/intakes/{first['id']}", headers=headers)
        assert one.status_code == 200
        assert one.get_json()["flags"] == first["flags"]
        assert one.get_json()["pain_level"] == 9
    for stranger in (make_client().email, make_therapist().user.email):
        headers = bearer(client, stranger)
        assert client.get(f"{API}/clients/{person.id}/intakes", headers=headers).status_code == 404
        assert client.get(f"{API}/intakes/{first['id']}", headers=headers).status_code == 404
    assert client.get(f"{API}/intakes/999999", headers=mine).status_code == 404
    viewed = db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == "intake.viewed",
                                                AuditEntry.subject_id == first["id"])
    )
    assert viewed == 3


def test_the_intake_routes_are_in_the_openapi_document(client):
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/clients/{client_id}/intakes"]
    assert "get" in paths["/api/v1/intakes/{intake_id}"]
    assert "post" in paths["/api/v1/clients/{client_id}/clearances"]
    assert "get" in paths["/api/v1/clearance-queue"]
    assert "post" in paths["/api/v1/appointments/{appointment_id}/check-ins"]


# --- Pre-visit check-ins -----------------------------------------------------------------------

def soon(hours: float) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0)


def test_the_client_checks_in_and_a_red_flag_holds_them(client, me):
    person, headers = me
    assert post_intake(client, headers, person.id).status_code == 201
    appointment = make_appointment(client=person, start=soon(24))
    response = client.post(f"{API}/appointments/{appointment.id}/check-ins",
                           json={"pain_level": 3, "fever_or_chills": True}, headers=headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["appointment_id"] == appointment.id
    assert body["requires_clearance"] is True
    assert [f["code"] for f in body["flags"]] == ["infection_signs"]
    assert status_of(client, headers, person.id) == "required"
    listed = client.get(f"{API}/appointments/{appointment.id}/check-ins", headers=headers)
    assert [c["id"] for c in listed.get_json()] == [body["id"]]


def test_a_check_in_too_early_or_bad_is_refused(client, me):
    person, headers = me
    later = make_appointment(client=person, start=soon(49))
    response = client.post(f"{API}/appointments/{later.id}/check-ins", json={"pain_level": 3}, headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "check_in_not_open"
    near = make_appointment(client=person, start=soon(5), therapist=make_therapist())
    for body in ({"pain_level": 11}, {"pain_level": 3, "new_swelling": "yes"}, {}):
        response = client.post(f"{API}/appointments/{near.id}/check-ins", json=body, headers=headers)
        assert response.status_code == 422
    response = client.post(f"{API}/appointments/{near.id}/check-ins", json=[1], headers=headers)
    assert response.status_code == 400
    stranger = bearer(client, make_client().email)
    response = client.post(f"{API}/appointments/{near.id}/check-ins", json={"pain_level": 3}, headers=stranger)
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(CheckIn.id))) == 0
    assert db.session.get(Client, person.id).flagged_since is None


def test_the_therapist_checks_in_at_the_session(client, app):
    person = make_client()
    therapist = make_therapist()
    appointment = make_appointment(client=person, therapist=therapist,
                                   start=datetime.combine(clock.today(), time(0), tzinfo=UTC) + timedelta(
                                       minutes=1))
    response = client.post(f"{API}/appointments/{appointment.id}/check-ins",
                           json={"pain_level": 2}, headers=bearer(client, therapist.user))
    assert response.status_code == 201
    assert response.get_json()["requires_clearance"] is False
