from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import AuditEntry, Role, SessionNote
from tests.care_factories import NOTE_BODY, make_clearance, make_intake, started_appointment
from tests.factories import (
    bearer,
    local_day,
    make_appointment,
    make_client,
    make_owner,
    make_therapist,
    make_user,
)


def post_note(client, appointment, headers, **changes):
    return client.post(
        f"/api/v1/appointments/{appointment.id}/notes", json={**NOTE_BODY, **changes}, headers=headers
    )


def error_code(response):
    return response.get_json()["error"]["code"]


def test_therapist_records_a_signed_note_and_the_appointment_completes(client):
    appointment = started_appointment()
    headers = bearer(client, appointment.therapist.user)
    response = post_note(client, appointment, headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["appointment_id"] == appointment.id
    assert body["signed_at"]
    assert sorted(body["techniques"]) == ["deep_tissue", "stretching"]
    assert body["areas"] == ["left hip", "lower back"]
    assert (body["pain_before"], body["pain_after"]) == (7, 4)
    assert body["amendments"] == []
    db.session.refresh(appointment)
    assert appointment.status == "completed"
    day = local_day(appointment.starts_at)
    listed = client.get(f"/api/v1/appointments?from={day}&to={day}", headers=headers)
    assert [a["status"] for a in listed.get_json() if a["id"] == appointment.id] == ["completed"]
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == body["id"])).all()
    assert "note.signed" in actions


def test_techniques_are_stored_one_row_each(client):
    appointment = started_appointment()
    response = post_note(
        client,
        appointment,
        bearer(client, appointment.therapist.user),
        techniques=["swedish", "heat_therapy", "swedish"],
    )
    note = db.session.get(SessionNote, response.get_json()["id"])
    assert note.technique_codes == ["heat_therapy", "swedish"]


def test_note_before_the_start_is_409_appointment_not_started(client):
    appointment = started_appointment(hours_ago=-2)
    response = post_note(client, appointment, bearer(client, appointment.therapist.user))
    assert response.status_code == 409
    assert error_code(response) == "appointment_not_started"
    assert db.session.scalar(select(SessionNote).where(SessionNote.appointment_id == appointment.id)) is None


def test_note_on_a_cancelled_appointment_is_409(client):
    appointment = started_appointment(status="cancelled")
    response = post_note(client, appointment, bearer(client, appointment.therapist.user))
    assert response.status_code == 409
    assert error_code(response) == "appointment_cancelled"


def test_second_note_is_409_note_exists(client):
    appointment = started_appointment()
    headers = bearer(client, appointment.therapist.user)
    assert post_note(client, appointment, headers).status_code == 201
    response = post_note(client, appointment, headers, pain_before=2)
    assert response.status_code == 409
    assert error_code(response) == "note_exists"


def test_no_intake_on_file_is_409_intake_required(client):
    appointment = started_appointment(intake=False)
    response = post_note(client, appointment, bearer(client, appointment.therapist.user))
    assert response.status_code == 409
    assert error_code(response) == "intake_required"
    db.session.refresh(appointment)
    assert appointment.status == "booked"


def test_clearance_required_is_409_until_a_clearance_is_granted(client):
    appointment = started_appointment(intake=False)
    make_intake(appointment.client, flagged=True)
    headers = bearer(client, appointment.therapist.user)
    response = post_note(client, appointment, headers)
    assert response.status_code == 409
    assert error_code(response) == "clearance_required"
    make_clearance(
        appointment.client, appointment.therapist.user, restrictions="No deep tissue on the left hip"
    )
    assert post_note(client, appointment, headers).status_code == 201


def test_only_the_appointments_therapist_writes_the_note(client):
    appointment = started_appointment()
    other_therapist = make_therapist()
    owner = make_owner()
    assert post_note(client, appointment, bearer(client, other_therapist.user)).status_code == 404
    assert post_note(client, appointment, bearer(client, owner)).status_code == 403
    assert post_note(client, appointment, bearer(client, appointment.client.user)).status_code == 403
    stranger = make_client()
    assert post_note(client, appointment, bearer(client, stranger.user)).status_code == 404
    assert client.post(f"/api/v1/appointments/{appointment.id}/notes", json=NOTE_BODY).status_code == 401


def test_unknown_appointment_is_404(client):
    therapist = make_therapist()
    response = client.post(
        "/api/v1/appointments/999999/notes", json=NOTE_BODY, headers=bearer(client, therapist.user)
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pain_before": 11}, "pain_before"),
        ({"pain_after": -1}, "pain_after"),
        ({"pain_before": "7"}, "pain_before"),
        ({"pain_after": None}, "pain_after"),
        ({"techniques": ["reiki"]}, "techniques"),
        ({"techniques": []}, "techniques"),
        ({"areas": "hip"}, "areas"),
        ({"subjective": 5}, "subjective"),
    ],
)
def test_invalid_fields_are_422_with_fields(client, changes, field):
    appointment = started_appointment()
    response = post_note(client, appointment, bearer(client, appointment.therapist.user), **changes)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_body_that_is_not_an_object_is_400(client):
    appointment = started_appointment()
    response = client.post(
        f"/api/v1/appointments/{appointment.id}/notes",
        json=[1, 2],
        headers=bearer(client, appointment.therapist.user),
    )
    assert response.status_code == 400


def test_note_is_visible_to_author_owner_and_client_only(client):
    appointment = started_appointment()
    note_id = post_note(client, appointment, bearer(client, appointment.therapist.user)).get_json()["id"]
    for viewer in (appointment.therapist.user, make_owner(), appointment.client.user):
        response = client.get(f"/api/v1/notes/{note_id}", headers=bearer(client, viewer))
        assert response.status_code == 200
        assert response.get_json()["id"] == note_id
    for outsider in (make_therapist().user, make_client().user):
        response = client.get(f"/api/v1/notes/{note_id}", headers=bearer(client, outsider))
        assert response.status_code == 404
        assert error_code(response) == "not_found"
    views = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "note.viewed", AuditEntry.subject_id == note_id)
    ).all()
    assert len(views) == 3


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_editing_or_deleting_a_note_is_405_in_the_error_shape(client, method):
    appointment = started_appointment()
    headers = bearer(client, appointment.therapist.user)
    note_id = post_note(client, appointment, headers).get_json()["id"]
    response = getattr(client, method)(f"/api/v1/notes/{note_id}", json={"pain_after": 0}, headers=headers)
    assert response.status_code == 405
    assert error_code(response) == "method_not_allowed"
    assert response.get_json()["error"]["message"]
    assert db.session.get(SessionNote, note_id).pain_after == 4


def test_author_amends_and_amendments_show_with_author_and_time(client):
    appointment = started_appointment()
    headers = bearer(client, appointment.therapist.user)
    note_id = post_note(client, appointment, headers).get_json()["id"]
    response = client.post(
        f"/api/v1/notes/{note_id}/amendments", json={"text": "Pain after was 3, not 4."}, headers=headers
    )
    assert response.status_code == 201
    assert response.get_json()["author_id"] == appointment.therapist_id
    note = client.get(f"/api/v1/notes/{note_id}", headers=headers).get_json()
    assert note["pain_after"] == 4  # the signed note itself never changes
    [amendment] = note["amendments"]
    assert amendment["text"] == "Pain after was 3, not 4."
    assert amendment["author_name"] == appointment.therapist.user.name
    assert datetime.fromisoformat(amendment["created_at"]) > datetime.now(UTC) - timedelta(minutes=5)


def test_only_the_author_amends(client):
    appointment = started_appointment()
    note_id = post_note(client, appointment, bearer(client, appointment.therapist.user)).get_json()["id"]
    owner = make_owner()
    url = f"/api/v1/notes/{note_id}/amendments"
    assert client.post(url, json={"text": "x"}, headers=bearer(client, owner)).status_code == 403
    assert (
        client.post(url, json={"text": "x"}, headers=bearer(client, appointment.client.user)).status_code
        == 403
    )
    assert (
        client.post(url, json={"text": "x"}, headers=bearer(client, make_therapist().user)).status_code == 404
    )
    blank = client.post(url, json={"text": "  "}, headers=bearer(client, appointment.therapist.user))
    assert blank.status_code == 422


def test_progress_lists_pain_in_session_order_for_allowed_viewers(client):
    therapist = make_therapist()
    patient = make_client()
    make_intake(patient)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    later = make_appointment(therapist=therapist, client=patient, start=now - timedelta(days=1))
    earlier = make_appointment(therapist=therapist, client=patient, start=now - timedelta(days=8))
    headers = bearer(client, therapist.user)
    post_note(client, later, headers, pain_before=5, pain_after=3, techniques=["swedish"])
    post_note(client, earlier, headers, pain_before=7, pain_after=5)
    url = f"/api/v1/clients/{patient.id}/progress"
    expected = [
        {
            "appointment_id": earlier.id,
            "date": (now - timedelta(days=8)).date().isoformat(),
            "pain_before": 7,
            "pain_after": 5,
            "techniques": ["deep_tissue", "stretching"],
        },
        {
            "appointment_id": later.id,
            "date": (now - timedelta(days=1)).date().isoformat(),
            "pain_before": 5,
            "pain_after": 3,
            "techniques": ["swedish"],
        },
    ]
    for viewer in (therapist.user, patient.user, make_owner()):
        response = client.get(url, headers=bearer(client, viewer))
        assert response.status_code == 200
        body = response.get_json()
        for row in body:
            row["techniques"] = sorted(row["techniques"])
        assert body == expected
    for outsider in (make_therapist().user, make_client().user):
        assert client.get(url, headers=bearer(client, outsider)).status_code == 404
    assert (
        client.get("/api/v1/clients/999999/progress", headers=bearer(client, make_owner())).status_code == 404
    )


def test_progress_is_empty_without_notes(client):
    owner = make_owner()
    patient = make_client()
    response = client.get(f"/api/v1/clients/{patient.id}/progress", headers=bearer(client, owner))
    assert response.status_code == 200
    assert response.get_json() == []


def test_note_on_a_no_show_is_409(client):
    appointment = started_appointment(status="no_show")
    response = post_note(client, appointment, bearer(client, appointment.therapist.user))
    assert response.status_code == 409
    assert error_code(response) == "appointment_no_show"


def test_client_role_cannot_see_another_clients_note_even_via_guessing(client):
    appointment = started_appointment()
    note_id = post_note(client, appointment, bearer(client, appointment.therapist.user)).get_json()["id"]
    other = make_user(Role.CLIENT)  # a client login without a client record
    assert client.get(f"/api/v1/notes/{note_id}", headers=bearer(client, other)).status_code == 404
