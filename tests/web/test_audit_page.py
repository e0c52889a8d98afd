"""The owner's audit log reads plainly: labels for actions, names and roles for people, links
to the records, and filters by who, what and when beside the client filter."""

import ast
import csv
import io
import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event

import clinic
from clinic import clock
from clinic.audit import ACTION_LABELS
from clinic.extensions import db
from clinic.models import AuditEntry
from clinic.reports.services import AUDIT_PAGE_SIZE
from tests.factories import PASSWORD, make_client, make_owner, make_therapist


def login(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def _entry(actor, action, subject_type, subject_id, client_id=None, *, days_ago=0, minutes_ago=0, detail=None):
    entry = AuditEntry(
        actor_id=actor.id if actor else None, action=action, subject_type=subject_type, subject_id=subject_id,
        client_id=client_id, detail=detail,
        created_at=clock.now() - timedelta(days=days_ago, minutes=minutes_ago),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _body(response) -> str:
    html = response.get_data(as_text=True)
    return html[html.index("<tbody>"):html.index("</tbody>")]


def _recorded_actions() -> set[str]:
    """Every action code passed to record_audit(...) anywhere under clinic/."""
    codes = set()
    for path in Path(clinic.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record_audit":
                action = node.args[1] if len(node.args) > 1 else next(k.value for k in node.keywords if k.arg == "action")
                codes |= {c.value for c in ast.walk(action) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return codes


def test_every_action_the_code_records_has_a_plain_label():
    recorded = _recorded_actions()
    assert {"progress.viewed", "clearance.listed", "staff.disabled", "staff.enabled"} <= recorded
    assert recorded - ACTION_LABELS.keys() == set()


def test_entries_read_as_labels_names_and_links(client):
    owner = make_owner(name="Olive Owner")
    theo = make_therapist(name="Theo Therapist")
    anna = make_client(name="Anna Archer")
    _entry(theo.user, "progress.viewed", "client", anna.id, anna.id, minutes_ago=7)
    _entry(theo.user, "clearance.listed", "client", anna.id, anna.id, minutes_ago=6, detail="0 clearances")
    _entry(theo.user, "note.viewed", "session_note", 41, anna.id, minutes_ago=5)
    _entry(theo.user, "check_in.listed", "appointment", 42, anna.id, minutes_ago=4)
    _entry(theo.user, "care_plan.created", "care_plan", 43, anna.id, minutes_ago=3)
    _entry(owner, "staff.disabled", "user", theo.id, minutes_ago=2)
    _entry(None, "legacy_import", "check_in", 44, anna.id, minutes_ago=1)
    login(client, owner)
    body = _body(client.get("/reports/audit"))
    for label in ("Read the pain trend", "Read the list of clearances", "Read a session note",
                  "Read a visit&#39;s check-ins", "Started a care plan", "Disabled a staff account"):
        assert label in body
    assert "progress.viewed" not in body and "clearance.listed" not in body
    assert '<span class="muted">0 clearances</span>' in body
    assert "legacy import" in body  # a code without a label shows as it is
    assert "Theo Therapist<br><span class=\"muted\">therapist</span>" in body
    assert "Olive Owner<br><span class=\"muted\">owner</span>" in body
    assert "user #" not in body and f"account #{theo.id}" not in body
    assert 'Theo Therapist <span class="muted">(therapist)</span>' in body
    assert f'<a href="/clients/{anna.id}">Anna Archer</a>' in body
    assert '<a href="/notes/41">session note #41</a>' in body
    assert '<a href="/appointments/42">appointment #42</a>' in body
    assert '<a href="/care-plans/43">care plan #43</a>' in body
    assert "check-in #44" in body and 'href="/check' not in body


def _two_therapists_scene():
    owner = make_owner()
    theo, tess = make_therapist(name="Theo Therapist"), make_therapist(name="Tess Therapist")
    anna = make_client(name="Anna Archer")
    _entry(theo.user, "note.viewed", "session_note", 1, anna.id, days_ago=9)
    _entry(theo.user, "intake.viewed", "intake", 2, anna.id, days_ago=5)
    _entry(tess.user, "note.viewed", "session_note", 3, anna.id, days_ago=5)
    _entry(tess.user, "note.signed", "session_note", 4, anna.id, days_ago=1)
    return owner, theo, tess, anna


def test_filtering_by_who_lists_people_with_their_role(client):
    owner, theo, tess, _anna = _two_therapists_scene()
    login(client, owner)
    html = client.get(f"/reports/audit?actor_id={tess.id}").get_data(as_text=True)
    assert "2 entries" in html
    assert "Theo" not in _body_or_empty(html)
    assert f'<option selected value="{tess.id}">Tess Therapist (therapist)</option>' in html
    assert f'<option value="{theo.id}">Theo Therapist (therapist)</option>' in html
    assert '<option selected value="">Everyone</option>' not in html


def _body_or_empty(html: str) -> str:
    return html[html.index("<tbody>"):html.index("</tbody>")] if "<tbody>" in html else ""


def test_filtering_by_what(client):
    owner, _theo, _tess, _anna = _two_therapists_scene()
    login(client, owner)
    html = client.get("/reports/audit?action=note.viewed").get_data(as_text=True)
    assert "2 entries" in html
    assert '<option selected value="note.viewed">Read a session note</option>' in html
    assert "Read a health intake" not in _body_or_empty(html) and "Signed" not in _body_or_empty(html)


def test_filtering_by_clinic_days_includes_both_ends(client):
    owner, _theo, _tess, _anna = _two_therapists_scene()
    login(client, owner)
    day = (clock.to_local(clock.now() - timedelta(days=5))).date()
    html = client.get(f"/reports/audit?from={day}&to={day}").get_data(as_text=True)
    assert "2 entries" in html and f'value="{day}"' in html
    since = client.get(f"/reports/audit?from={day}").get_data(as_text=True)
    assert "4 entries" in since  # the scene's three and the owner's login today
    until = client.get(f"/reports/audit?to={day}").get_data(as_text=True)
    assert "3 entries" in until


def test_filters_combine_with_the_client_filter(client):
    owner, theo, _tess, anna = _two_therapists_scene()
    bert = make_client(name="Bert Baker")
    _entry(theo.user, "note.viewed", "session_note", 9, bert.id)
    login(client, owner)
    html = client.get(f"/reports/audit?client_id={anna.id}&actor_id={theo.id}&action=note.viewed").get_data(
        as_text=True
    )
    assert "1 entry" in html


def test_a_backwards_or_impossible_range_is_explained_not_a_failure(client):
    owner, *_ = _two_therapists_scene()
    login(client, owner)
    backwards = client.get("/reports/audit?from=2026-05-10&to=2026-05-01")
    assert backwards.status_code == 422
    assert "The last day must be on or after the first." in backwards.get_data(as_text=True)
    for query in ("from=0001-01-01", "to=9999-12-31", "from=banana"):
        response = client.get(f"/reports/audit?{query}")
        assert response.status_code == 422, query
        assert "5 entries" in response.get_data(as_text=True)  # and the owner's login
        # The download refuses rather than export more than was asked for.
        assert client.get(f"/reports/audit.csv?{query}").status_code == 422
    assert client.get("/reports/audit.csv?from=2026-05-10&to=2026-05-01").status_code == 422


def test_pages_and_the_csv_link_keep_the_filters(client):
    owner = make_owner()
    theo = make_therapist(name="Theo Therapist")
    patient = make_client()
    for n in range(AUDIT_PAGE_SIZE + 2):
        _entry(theo.user, "note.viewed", "session_note", n + 1, patient.id, minutes_ago=n)
    _entry(owner, "intake.viewed", "intake", 1, patient.id)
    login(client, owner)
    day = clock.today() - timedelta(days=1)  # the entries span the last 52 minutes, maybe past midnight
    html = client.get(f"/reports/audit?actor_id={theo.id}&action=note.viewed&from={day}").get_data(as_text=True)
    assert f"{AUDIT_PAGE_SIZE + 2} entries, page 1 of 2" in html
    following = re.search(r'<a href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")
    assert f"actor_id={theo.id}" in following and "action=note.viewed" in following and f"from={day}" in following
    second = client.get(following).get_data(as_text=True)
    assert "page 2 of 2" in second and second.count("<tr>") == 2 + 1
    csv_link = re.search(r'<a class="csv-link" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    rows = list(csv.reader(io.StringIO(client.get(csv_link).get_data(as_text=True))))
    assert len(rows) == 1 + AUDIT_PAGE_SIZE + 2
    assert {(r[1], r[2]) for r in rows[1:]} == {("Theo Therapist", "note.viewed")}


def _statements(client, url) -> int:
    engine = db.session.get_bind().engine
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    db.session.expire_all()
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_names_are_loaded_in_bulk(client):
    """No N+1: more people and records on the page cost no extra queries."""
    owner = make_owner()
    login(client, owner)

    def add_entries(n):
        for _ in range(n):
            therapist, person = make_therapist(), make_client()
            _entry(therapist.user, "progress.viewed", "client", person.id, person.id)
            _entry(owner, "staff.enabled", "user", therapist.id)
            _entry(therapist.user, "note.viewed", "session_note", 1, person.id)

    add_entries(1)
    few = _statements(client, "/reports/audit")
    add_entries(8)
    assert _statements(client, "/reports/audit") == few
