"""The owner's audit log page: newest first, paginated, filtered by client, downloadable."""

import csv
import io
from datetime import timedelta

from clinic import clock
from clinic.extensions import db
from clinic.models import AuditEntry
from clinic.reports.services import AUDIT_PAGE_SIZE
from tests.factories import PASSWORD, make_client, make_owner, make_therapist


def login(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def _entry(actor, action, client_id, minutes_ago, subject_id=1):
    entry = AuditEntry(actor_id=actor.id if actor else None, action=action, subject_type="session_note",
                       subject_id=subject_id, client_id=client_id,
                       created_at=clock.now() - timedelta(minutes=minutes_ago))
    db.session.add(entry)
    return entry


def _audit_scene():
    owner = make_owner(name="Olive Owner")
    therapist = make_therapist(name="Theo Therapist")
    anna, bert = make_client(name="Anna Archer"), make_client(name="Bert Baker")
    _entry(therapist.user, "note_read", anna.id, 30)
    _entry(therapist.user, "note_signed", bert.id, 20, subject_id=7)
    _entry(None, "intake_submitted", anna.id, 10)
    db.session.flush()
    return owner, anna, bert


def test_entries_are_newest_first_with_who_what_when_and_client(client):
    owner, _anna, bert = _audit_scene()
    login(client, owner)
    page = client.get("/reports/audit").get_data(as_text=True)
    body = page[page.index("<tbody>"):]
    assert body.index("intake submitted") < body.index("note signed") < body.index("note read")
    assert "Theo Therapist" in body and "System" in body and "session note #7" in body
    assert f'href="/clients/{bert.id}">Bert Baker</a>' in body


def test_filtering_by_client_shows_only_their_entries(client):
    owner, anna, _bert = _audit_scene()
    login(client, owner)
    page = client.get(f"/reports/audit?client_id={anna.id}").get_data(as_text=True)
    body = page[page.index("<tbody>"):]
    assert "note read" in body and "intake submitted" in body and "note signed" not in body
    assert "2 entries" in page
    assert f'<option selected value="{anna.id}">Anna Archer</option>' in page


def test_an_unknown_client_filter_shows_everything_instead_of_failing(client):
    owner, _anna, _bert = _audit_scene()
    login(client, owner)
    response = client.get("/reports/audit?client_id=banana&page=x")
    assert response.status_code == 200
    assert "4 entries" in response.get_data(as_text=True)  # the scene's three and the login


def test_pages_hold_a_fixed_number_of_entries(client):
    owner = make_owner()
    patient = make_client()
    for n in range(AUDIT_PAGE_SIZE + 3):
        _entry(owner, f"action_{n:03d}", patient.id, minutes_ago=n)
    db.session.flush()
    login(client, owner)
    first = client.get("/reports/audit").get_data(as_text=True)
    assert "page 1 of 2" in first and "action 000" in first and f"action {AUDIT_PAGE_SIZE:03d}" not in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/reports/audit?page=2").get_data(as_text=True)
    assert second.count("<tr>") == 4 + 1  # four rows (the owner's login is one more) and the header
    assert f"action {AUDIT_PAGE_SIZE + 2:03d}" in second and 'rel="prev"' in second
    beyond = client.get("/reports/audit?page=99").get_data(as_text=True)
    assert "page 2 of 2" in beyond


def test_the_audit_log_downloads_as_csv_with_the_filter(client):
    owner, anna, _bert = _audit_scene()
    login(client, owner)
    response = client.get(f"/reports/audit.csv?client_id={anna.id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["when", "who", "action", "record", "record_id", "client_id", "client", "detail"]
    assert [(r[1], r[2], r[6]) for r in rows[1:]] == [
        ("system", "intake_submitted", "Anna Archer"),
        ("Theo Therapist", "note_read", "Anna Archer"),
    ]
