"""Reads of a client's record, care plans, progress, the calendar feed and the audit log
itself leave audit entries; GET /audit lists them oldest first for the owner; the owner's
audit page says whether the chain is intact and names the first entry that is not."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time
from sqlalchemy import select

from clinic.audit import record_audit
from clinic.extensions import db
from clinic.models import AuditEntry, CarePlan
from tests.factories import (
    bearer,
    login,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
)

NOW = datetime(2030, 3, 6, 12, tzinfo=UTC)


@pytest.fixture
def scene(app):
    owner, therapist, service = make_owner(), make_therapist(), make_service()
    person = make_client()
    plan = CarePlan(client_id=person.id, therapist_id=therapist.id, service_id=service.id, weekly_sessions=1,
                    maintenance_sessions=0, first_start=NOW + timedelta(days=2), created_by_id=owner.id)
    db.session.add(plan)
    db.session.flush()
    make_appointment(client=person, therapist=therapist, service=service, start=plan.first_start,
                     care_plan_id=plan.id)
    return {"owner": owner, "therapist": therapist, "client": person, "plan": plan}


def _actions(**where) -> list[tuple]:
    conditions = [getattr(AuditEntry, name) == value for name, value in where.items()]
    return [
        (e.action, e.actor_id, e.subject_type, e.subject_id)
        for e in db.session.scalars(select(AuditEntry).where(*conditions).order_by(AuditEntry.seq))
    ]


def test_reading_a_client_record_through_the_api_and_the_page_is_audited(client, scene):
    person, therapist = scene["client"], scene["therapist"]
    assert client.get(f"/api/v1/clients/{person.id}", headers=bearer(client, therapist.user)).status_code == 200
    login(client, scene["owner"].email)
    assert client.get(f"/clients/{person.id}").status_code == 200
    viewed = _actions(action="client.viewed", client_id=person.id)
    assert viewed == [("client.viewed", therapist.id, "client", person.id),
                      ("client.viewed", scene["owner"].id, "client", person.id)]
    assert ("progress.viewed", scene["owner"].id, "client", person.id) in _actions(client_id=person.id)


def test_reading_a_care_plan_through_the_api_and_the_page_is_audited(client, scene):
    plan, person = scene["plan"], scene["client"]
    assert client.get(f"/api/v1/care-plans/{plan.id}", headers=bearer(client, person.user)).status_code == 200
    login(client, scene["therapist"].user.email)
    assert client.get(f"/care-plans/{plan.id}").status_code == 200
    assert _actions(action="care_plan.viewed", client_id=person.id) == [
        ("care_plan.viewed", person.user.id, "care_plan", plan.id),
        ("care_plan.viewed", scene["therapist"].id, "care_plan", plan.id),
    ]


def test_a_refused_read_leaves_no_read_entry(client, scene):
    stranger = make_client()
    response = client.get(f"/api/v1/clients/{scene['client'].id}", headers=bearer(client, stranger.user))
    assert response.status_code == 404
    assert _actions(action="client.viewed") == []


def test_fetching_the_calendar_feed_is_audited_by_secret_and_by_login(client, scene):
    therapist = scene["therapist"]
    url = f"/api/v1/therapists/{therapist.id}/calendar.ics"
    assert client.get(f"{url}?token={therapist.calendar_token}").status_code == 200
    assert client.get(url, headers=bearer(client, scene["owner"])).status_code == 200
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "calendar_feed.read").order_by(AuditEntry.seq)
    ).all()
    assert [(e.actor_id, e.subject_id) for e in entries] == [(therapist.id, therapist.id),
                                                            (scene["owner"].id, therapist.id)]
    assert "secret" in entries[0].detail and entries[1].detail is None


def test_downloading_the_audit_log_is_audited(client, scene):
    record_audit(scene["therapist"].user, "note.viewed", "session_note", 1, client_id=scene["client"].id)
    db.session.flush()
    login(client, scene["owner"].email)
    response = client.get(f"/reports/audit.csv?client_id={scene['client'].id}")
    assert response.status_code == 200
    response.get_data()
    exported = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "audit.exported")).all()
    assert len(exported) == 1 and f"client {scene['client'].id}" in exported[0].detail


def test_the_api_lists_entries_oldest_first_ties_by_id_with_the_contract_fields(client, scene):
    owner, person, other = scene["owner"], scene["client"], make_client()
    with freeze_time(NOW):
        first = record_audit(owner, "note.viewed", "session_note", 5, client_id=person.id)
        second = record_audit(None, "intake.viewed", "intake", 6, client_id=other.id)
        third = record_audit(owner, "client.viewed", "client", person.id, client_id=person.id)
        db.session.flush()
    outside = record_audit(owner, "note.viewed", "session_note", 7, client_id=person.id)
    outside.created_at = NOW - timedelta(days=3)
    db.session.flush()
    headers = bearer(client, owner)
    response = client.get("/api/v1/audit?from=2030-03-06&to=2030-03-06", headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [e["id"] for e in body] == [first.id, second.id, third.id]
    assert {"id", "at", "actor_id", "action", "record_type", "record_id", "client_id"} <= set(body[0])
    assert body[0]["at"] == "2030-03-06T12:00:00+00:00"
    assert (body[1]["actor_id"], body[1]["action"], body[1]["record_type"], body[1]["record_id"]) == (
        None, "intake.viewed", "intake", 6)
    assert len(body[0]["hash"]) == 64
    only = client.get(f"/api/v1/audit?from=2030-03-06&to=2030-03-06&client_id={person.id}", headers=headers)
    assert [e["id"] for e in only.get_json()] == [first.id, third.id]
    assert _actions(action="audit.read")[0][:2] == ("audit.read", owner.id)


def test_the_api_log_is_for_the_owner_with_a_valid_range(client, scene):
    therapist = bearer(client, scene["therapist"].user)
    assert client.get("/api/v1/audit?from=2030-03-06&to=2030-03-06", headers=therapist).status_code == 403
    owner = bearer(client, scene["owner"])
    missing = client.get("/api/v1/audit?from=2030-03-06", headers=owner)
    assert missing.status_code == 422 and "to" in missing.get_json()["error"]["fields"]
    backwards = client.get("/api/v1/audit?from=2030-03-06&to=2030-03-01", headers=owner)
    assert backwards.status_code == 422
    assert client.get("/api/v1/audit?from=2030-03-06&to=2030-03-06").status_code == 401


def test_the_audit_page_says_the_chain_is_intact_or_names_the_first_bad_entry(client, scene):
    owner = scene["owner"]
    entries = [record_audit(owner, "note.viewed", "session_note", n, client_id=scene["client"].id)
               for n in range(3)]
    db.session.flush()
    login(client, owner.email)
    page = client.get("/reports/audit").get_data(as_text=True)
    assert "The log is intact" in page and "tampered" not in page
    db.session.execute(sa.text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
    db.session.execute(sa.text("UPDATE audit_entries SET subject_id = 99 WHERE id = :id"), {"id": entries[1].id})
    db.session.expire_all()
    page = client.get("/reports/audit").get_data(as_text=True)
    assert "The log has been tampered with" in page
    assert f"Entry #{entries[1].id}" in page
