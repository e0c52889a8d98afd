"""Physician clearances, the clearance queue, and the gate on online booking, over HTTP."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from clinic import clock
from clinic.extensions import db
from clinic.intake import clearances
from clinic.intake.clearances import Letter
from clinic.models import AuditEntry, Clearance
from tests.factories import (
    bearer,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
    monday,
)
from tests.intake_factories import CLEAR_JSON

API = "/api/v1"
PDF = b"%PDF-1.4\n%%EOF\n"


def post_intake(client, headers, client_id, **changes):
    return client.post(f"{API}/clients/{client_id}/intakes", json={**CLEAR_JSON, **changes}, headers=headers)


def clearance_body(**changes):
    body = {"physician_name": "Dr. Ana Ruiz", "cleared_on": clock.today().isoformat(), **changes}
    return {k: v for k, v in body.items() if v is not ...}


def post_clearance(client, headers, client_id, **changes):
    return client.post(f"{API}/clients/{client_id}/clearances", json=clearance_body(**changes), headers=headers)


def status_of(client, headers, client_id) -> str:
    return client.get(f"{API}/clients/{client_id}", headers=headers).get_json()["clearance_status"]


@pytest.fixture
def held(app, client):
    """A client held for clearance (severe pain), with their token, and the owner's token."""
    person = make_client()
    mine = bearer(client, person.email)
    assert post_intake(client, mine, person.id, pain_level=9).status_code == 201
    return person, mine, bearer(client, make_owner())


def test_the_owner_grants_a_clearance(client, held):
    person, mine, owner = held
    response = post_clearance(client, owner, person.id, restrictions="Gentle pressure only",
                              valid_until=(clock.today() + timedelta(days=30)).isoformat(),
                              evidence="Letter from Dr. Ruiz, seen at the desk")
    assert response.status_code == 201
    body = response.get_json()
    assert body["physician_name"] == "Dr. Ana Ruiz"
    assert body["restrictions"] == "Gentle pressure only"
    assert body["evidence"] == "Letter from Dr. Ruiz, seen at the desk"
    assert body["granted_by"]["name"]
    assert body["clearance_status"] == "granted"
    assert status_of(client, mine, person.id) == "granted"
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "clearance.granted"))
    assert audit.subject_id == body["id"]
    assert "Letter from Dr. Ruiz" in audit.detail


def test_a_clearance_that_has_lapsed_holds_the_client_again(client, held):
    person, mine, owner = held
    yesterday = clock.today() - timedelta(days=1)
    response = post_clearance(client, owner, person.id, cleared_on=(yesterday - timedelta(days=5)).isoformat(),
                              valid_until=yesterday.isoformat())
    assert response.status_code == 201
    assert status_of(client, mine, person.id) == "required"
    assert post_clearance(client, owner, person.id, valid_until=clock.today().isoformat()).status_code == 201
    assert status_of(client, mine, person.id) == "granted"


def test_a_newer_flagged_intake_needs_a_new_clearance(client, held):
    person, mine, owner = held
    assert post_clearance(client, owner, person.id).status_code == 201
    assert status_of(client, mine, person.id) == "granted"
    assert post_intake(client, mine, person.id, loss_of_mobility=True).status_code == 201
    assert status_of(client, mine, person.id) == "required"


def test_a_clearance_for_a_client_without_a_flag_changes_nothing(client, app):
    person = make_client()
    mine = bearer(client, person.email)
    assert post_clearance(client, bearer(client, make_owner()), person.id).status_code == 201
    assert status_of(client, mine, person.id) == "not_required"


def test_clients_cannot_grant_and_strangers_get_404(client, held):
    person, mine, _ = held
    response = post_clearance(client, mine, person.id)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    make_appointment(client=person, therapist=make_therapist())  # no longer new: another's client
    stranger = bearer(client, make_therapist().user)
    assert post_clearance(client, stranger, person.id).status_code == 404
    assert post_clearance(client, {}, person.id).status_code == 401
    assert db.session.scalar(select(func.count(Clearance.id))) == 0
    assert status_of(client, mine, person.id) == "required"


def test_the_therapist_of_the_client_grants(client, held):
    person, mine, _ = held
    therapist = make_therapist()
    make_appointment(client=person, therapist=therapist)
    assert post_clearance(client, bearer(client, therapist.user), person.id).status_code == 201
    assert status_of(client, mine, person.id) == "granted"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"physician_name": ...}, "physician_name"),
        ({"physician_name": "  "}, "physician_name"),
        ({"physician_name": 7}, "physician_name"),
        ({"cleared_on": ...}, "cleared_on"),
        ({"cleared_on": "yesterday"}, "cleared_on"),
        ({"cleared_on": "future"}, "cleared_on"),
        ({"valid_until": "2020-01-01"}, "valid_until"),
        ({"valid_until": "2027-02-30"}, "valid_until"),
        ({"restrictions": ["none"]}, "restrictions"),
        ({"evidence": 3}, "evidence"),
    ],
)
def test_bad_clearances_are_a_422_and_nothing_is_saved(client, held, changes, field):
    person, mine, owner = held
    if changes.get("cleared_on") == "future":
        changes = {"cleared_on": (clock.today() + timedelta(days=1)).isoformat()}
    response = post_clearance(client, owner, person.id, **changes)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count(Clearance.id))) == 0
    assert status_of(client, mine, person.id) == "required"


def test_a_clearance_body_must_be_an_object(client, held):
    person, _, owner = held
    response = client.post(f"{API}/clients/{person.id}/clearances", json=["Dr. Ruiz"], headers=owner)
    assert response.status_code == 400


def test_clearances_are_listed_for_the_client_and_staff(client, held):
    person, mine, owner = held
    granted = post_clearance(client, owner, person.id).get_json()
    for headers in (mine, owner):
        listed = client.get(f"{API}/clients/{person.id}/clearances", headers=headers)
        assert [c["id"] for c in listed.get_json()] == [granted["id"]]
    stranger = bearer(client, make_client().email)
    assert client.get(f"{API}/clients/{person.id}/clearances", headers=stranger).status_code == 404


def test_the_letter_is_served_only_to_staff_of_the_client(client, held):
    person, mine, owner = held
    therapist = make_therapist()
    make_appointment(client=person, therapist=therapist)
    clearance = clearances.grant_clearance(make_owner(), person.id, "Dr. Ruiz", clock.today(),
                                         letter=Letter("ruiz.pdf", PDF))
    db.session.flush()
    url = f"{API}/clearances/{clearance.id}/letter"
    for headers in (owner, bearer(client, therapist.user)):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert response.data == PDF
        assert response.mimetype == "application/pdf"
        assert "attachment" in response.headers["Content-Disposition"]
        response.close()
    assert client.get(url, headers=mine).status_code == 403
    assert client.get(url, headers=bearer(client, make_therapist().user)).status_code == 404
    assert client.get(url).status_code == 401
    listed = client.get(f"{API}/clients/{person.id}/clearances", headers=owner).get_json()
    assert listed[0]["letter"] == {"filename": "ruiz.pdf", "content_type": "application/pdf"}


# --- The queue ---------------------------------------------------------------------------------

def test_the_queue_is_oldest_first_with_since_and_flags(client, app):
    owner = bearer(client, make_owner())
    first, second, cleared, calm = (make_client() for _ in range(4))
    assert post_intake(client, bearer(client, first.email), first.id, pain_level=8).status_code == 201
    assert post_intake(client, bearer(client, second.email), second.id, sudden_swelling=True).status_code == 201
    assert post_intake(client, bearer(client, cleared.email), cleared.id, pain_level=9).status_code == 201
    assert post_intake(client, bearer(client, calm.email), calm.id).status_code == 201
    assert post_clearance(client, owner, cleared.id).status_code == 201
    response = client.get(f"{API}/clearance-queue", headers=owner)
    assert response.status_code == 200
    queue = response.get_json()
    assert [entry["client_id"] for entry in queue] == [first.id, second.id]
    assert queue[0]["name"] == first.name
    assert queue[0]["flags"] == [{"code": "severe_pain", "reason": "Severe pain: 8 out of 10"}]
    assert [f["code"] for f in queue[1]["flags"]] == ["sudden_swelling"]
    since = [datetime.fromisoformat(entry["since"]) for entry in queue]
    assert since[0] <= since[1]
    assert all(s.tzinfo is not None for s in since)


def test_a_therapist_sees_their_clients_and_a_client_gets_403(client, held):
    person, mine, _ = held
    make_appointment(client=person, therapist=make_therapist())  # another therapist's client
    therapist = make_therapist()
    assert client.get(f"{API}/clearance-queue", headers=bearer(client, therapist.user)).get_json() == []
    make_appointment(client=person, therapist=therapist)
    queue = client.get(f"{API}/clearance-queue", headers=bearer(client, therapist.user)).get_json()
    assert [entry["client_id"] for entry in queue] == [person.id]
    assert client.get(f"{API}/clearance-queue", headers=mine).status_code == 403


# --- The booking gate (clinic/scheduling/services.py) ------------------------------------------

def test_a_held_client_cannot_book_online_until_cleared(client, held):
    person, mine, owner = held
    therapist = make_therapist(hours=True)
    service = make_service()
    start = datetime.combine(monday(2), time(10), tzinfo=clock.clinic_zone()).astimezone(UTC)
    body = {"service_id": service.id, "therapist_id": therapist.id, "start": start.isoformat()}
    response = client.post(f"{API}/appointments", json=body, headers=mine)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "clearance_required"
    assert "letter from your doctor" in response.get_json()["error"]["message"]
    # Staff may still book them: the gate is on treatment.
    staff_body = {**body, "client_id": person.id, "start": (start + timedelta(hours=2)).isoformat()}
    assert client.post(f"{API}/appointments", json=staff_body, headers=owner).status_code == 201
    assert post_clearance(client, owner, person.id).status_code == 201
    assert client.post(f"{API}/appointments", json=body, headers=mine).status_code == 201


# --- Letters through the API -------------------------------------------------------------------

def multipart(fields: dict, letter: tuple[str, bytes] | None) -> tuple[bytes, str]:
    """A multipart body built by hand, kept in memory by the test client."""
    boundary = "----clinic-api-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    if letter:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="letter"; filename="{letter[0]}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + letter[1] + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_a_letter_can_be_attached_through_the_api(client, held):
    person, _, owner = held
    body, content_type = multipart(clearance_body(evidence="Letter attached"), ("gp.pdf", PDF))
    response = client.post(f"{API}/clients/{person.id}/clearances", data=body, content_type=content_type,
                           headers=owner)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["letter"] == {"filename": "gp.pdf", "content_type": "application/pdf"}
    assert response.get_json()["clearance_status"] == "granted"
    download = client.get(f"{API}/clearances/{response.get_json()['id']}/letter", headers=owner)
    assert download.data == PDF
    download.close()


@pytest.mark.parametrize(
    ("letter", "status"),
    [
        (("gp.pdf", b"GIF89a not a pdf"), 422),
        (("gp.gif", b"GIF89a"), 422),
        (("gp.pdf", PDF + b"0" * clearances.MAX_LETTER_BYTES), 422),
        (("gp.pdf", PDF + b"0" * (5 * 1024 * 1024)), 413),
    ],
)
def test_a_bad_letter_through_the_api_saves_nothing(client, held, letter, status):
    person, mine, owner = held
    body, content_type = multipart(clearance_body(), letter)
    response = client.post(f"{API}/clients/{person.id}/clearances", data=body, content_type=content_type,
                           headers=owner)
    assert response.status_code == status
    if status == 422:
        assert "letter" in response.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count(Clearance.id))) == 0
    assert status_of(client, mine, person.id) == "required"
