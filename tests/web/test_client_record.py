"""A client's whole record (the right of access): the export holds every kind of record,
goes only to that client and the owner, is audited, costs a fixed number of queries, and has
a printable page; the owner can close a client's account without losing anything."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select

from clinic.extensions import db
from clinic.models import AuditEntry, CarePlan, CheckIn, NoteAmendment
from tests.care_factories import make_clearance, make_intake
from tests.factories import (
    PASSWORD,
    bearer,
    login,
    make_appointment,
    make_client,
    make_note,
    make_owner,
    make_service,
    make_therapist,
)

KINDS = ("appointments", "intakes", "check_ins", "clearances", "care_plans", "notes")


def _record_scene(client_row=None, visits=1):
    """A client with one of everything (and `visits` noted sessions, each amended)."""
    owner = make_owner()
    therapist = make_therapist()
    service = make_service()
    person = client_row or make_client(phone="+49 30 1234")
    make_intake(person)
    make_clearance(person, owner, restrictions="No deep work on the left hip")
    start = datetime(2026, 10, 5, 9, tzinfo=UTC)
    plan = CarePlan(client_id=person.id, therapist_id=therapist.id, service_id=service.id,
                    weekly_sessions=visits, maintenance_sessions=0, first_start=start, created_by_id=owner.id)
    db.session.add(plan)
    db.session.flush()
    for n in range(visits):
        appointment = make_appointment(client=person, therapist=therapist, service=service,
                                       start=start + timedelta(days=7 * n), care_plan_id=plan.id)
        db.session.add(CheckIn(client_id=person.id, appointment_id=appointment.id, submitted_by_id=person.user_id,
                               pain_level=5, submitted_at=appointment.starts_at - timedelta(hours=20)))
        note = make_note(appointment, subjective=f"Visit {n}: hip aches after walking.")
        db.session.add(NoteAmendment(note_id=note.id, author_id=therapist.id, text=f"Visit {n}: left, not right.",
                                     created_at=appointment.ends_at + timedelta(hours=1)))
    db.session.flush()
    return owner, therapist, person


def _entries(action, client_id):
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action, AuditEntry.client_id == client_id)
    ).all()


def test_the_client_gets_everything_the_clinic_holds_on_them(client):
    _owner, therapist, person = _record_scene()
    response = client.get(f"/api/v1/clients/{person.id}/export", headers=bearer(client, person.user))
    assert response.status_code == 200, response.get_json()
    record = response.get_json()
    assert set(record) == {"profile", *KINDS}
    assert record["profile"]["id"] == person.id
    assert record["profile"]["phone"] == "+49 30 1234"
    for kind in KINDS:
        assert len(record[kind]) == 1, kind
        assert isinstance(record[kind][0]["id"], int), kind
    note = record["notes"][0]
    assert note["subjective"] == "Visit 0: hip aches after walking."
    assert note["techniques"] == ["swedish"]
    assert [a["text"] for a in note["amendments"]] == ["Visit 0: left, not right."]
    assert note["amendments"][0]["author_name"] == therapist.user.name
    assert record["clearances"][0]["restrictions"] == "No deep work on the left hip"
    assert "letter_stored_name" not in record["clearances"][0]
    assert record["care_plans"][0]["appointment_ids"] == [record["appointments"][0]["id"]]
    assert datetime.fromisoformat(record["appointments"][0]["start"]) == datetime(2026, 10, 5, 9, tzinfo=UTC)
    assert len(_entries("record.exported", person.id)) == 1


def test_the_owner_may_export_and_nobody_else_learns_the_record_exists(client):
    owner, therapist, person = _record_scene()
    other = make_client()
    url = f"/api/v1/clients/{person.id}/export"
    assert client.get(url, headers=bearer(client, owner)).status_code == 200
    for outsider in (other.user, therapist.user):
        response = client.get(url, headers=bearer(client, outsider))
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/clients/999999/export", headers=bearer(client, owner)).status_code == 404
    assert client.get(url).status_code == 401
    assert [e.actor_id for e in _entries("record.exported", person.id)] == [owner.id]


def _count_queries(client, url, headers=None) -> int:
    engine = db.session.get_bind().engine
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    db.session.expire_all()
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url, headers=headers).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_export_costs_the_same_queries_however_much_the_record_holds(client):
    _owner, _therapist, small = _record_scene(visits=1)
    _owner2, _therapist2, large = _record_scene(visits=6)
    small_headers, large_headers = bearer(client, small.user), bearer(client, large.user)
    few = _count_queries(client, f"/api/v1/clients/{small.id}/export", small_headers)
    many = _count_queries(client, f"/api/v1/clients/{large.id}/export", large_headers)
    assert many == few
    assert len(client.get(f"/api/v1/clients/{large.id}/export", headers=large_headers).get_json()["notes"]) == 6


def test_pages_offer_the_download_and_a_printable_record(client):
    owner, _therapist, person = _record_scene()
    login(client, person.email)
    own_page = client.get("/my-record").get_data(as_text=True)
    assert "Download my record" in own_page
    assert f'href="/clients/{person.id}/record.json"' in own_page
    assert "Download my record" in client.get("/").get_data(as_text=True)
    download = client.get(f"/clients/{person.id}/record.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert set(download.get_json()) == {"profile", *KINDS}
    printable = client.get(f"/clients/{person.id}/record")
    html = printable.get_data(as_text=True)
    assert printable.status_code == 200
    assert "Visit 0: left, not right." in html and "No deep work on the left hip" in html
    assert "css/record.css" in html and "<style" not in html and "<script" not in html
    client.post("/logout")
    login(client, owner.email)
    owner_page = client.get(f"/clients/{person.id}").get_data(as_text=True)
    assert f'href="/clients/{person.id}/record.json"' in owner_page
    assert len(_entries("record.exported", person.id)) == 2


def test_another_client_cannot_open_the_printable_record(client):
    _owner, _therapist, person = _record_scene()
    other = make_client()
    login(client, other.email)
    assert client.get(f"/clients/{person.id}/record").status_code == 404
    assert client.get(f"/clients/{person.id}/record.json").status_code == 404
    assert "Download" not in client.get(f"/clients/{other.id}").get_data(as_text=True).split(other.name, 1)[0]


def test_the_owner_closes_an_account_and_nothing_is_lost(client):
    owner, _therapist, person = _record_scene()
    client_token = bearer(client, person.user)
    response = client.post(f"/api/v1/clients/{person.id}/close", headers=bearer(client, owner))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["email"] == person.email
    assert client.get("/api/v1/me", headers=client_token).status_code == 401
    refused = client.post("/api/v1/tokens", json={"email": person.email, "password": PASSWORD})
    assert refused.status_code == 401
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code != 302
    record = client.get(f"/api/v1/clients/{person.id}/export", headers=bearer(client, owner)).get_json()
    assert record["profile"]["account_closed"] is True
    assert record["profile"]["phone"] == "+49 30 1234"
    assert all(len(record[kind]) == 1 for kind in KINDS)
    assert len(_entries("account.closed", person.id)) == 1


def test_only_the_owner_closes_accounts_and_a_walk_in_has_none(client):
    owner, therapist, person = _record_scene()
    assert client.post(f"/api/v1/clients/{person.id}/close",
                       headers=bearer(client, therapist.user)).status_code == 403
    other = make_client()
    assert client.post(f"/api/v1/clients/{person.id}/close", headers=bearer(client, other.user)).status_code == 404
    walk_in = make_client(login=False)
    response = client.post(f"/api/v1/clients/{walk_in.id}/close", headers=bearer(client, owner))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "no_login"


def test_the_owner_closes_an_account_from_the_client_page(client):
    owner, _therapist, person = _record_scene()
    login(client, owner.email)
    page = client.get(f"/clients/{person.id}").get_data(as_text=True)
    assert f'action="/clients/{person.id}/close"' in page
    response = client.post(f"/clients/{person.id}/close", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Online account closed" in html
    assert person.user.is_disabled


def test_a_therapist_cannot_close_an_account_from_the_page(client):
    _owner, therapist, person = _record_scene()
    login(client, therapist.user.email)
    assert client.post(f"/clients/{person.id}/close").status_code == 403
    assert not person.user.is_disabled
