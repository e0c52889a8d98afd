from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from clinic.errors import Forbidden, NotFound, ValidationFailed
from clinic.extensions import db
from clinic.intake import clearances
from clinic.intake.clearances import MAX_LETTER_BYTES, Letter
from clinic.intake.status import (
    GRANTED,
    NOT_REQUIRED,
    REQUIRED,
    clearance_status,
    clearance_status_expression,
    clearance_summaries,
    valid_on,
)
from clinic.models import AuditEntry, Clearance, Client
from tests.factories import make_appointment, make_client, make_owner, make_therapist
from tests.intake_factories import clear_client, flag_client, grant

NOW = datetime(2027, 3, 2, 10, 0, tzinfo=UTC)
TODAY = date(2027, 3, 2)
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture
def frozen():
    with freeze_time(NOW) as frozen:
        yield frozen


def letters_folder(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"]) / "letters"


def stored_letters(app) -> set[str]:
    folder = letters_folder(app)
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def held_client(frozen, **kw):
    client = make_client()
    flag_client(client.user, client, **kw)
    frozen.tick(60)
    return client


def test_a_clearance_lifts_the_hold_and_records_who_on_what_evidence(app, frozen):
    owner = make_owner()
    client = held_client(frozen)
    clearance = grant(owner, client, restrictions="No deep tissue over the left hip",
                      evidence="Letter seen at the desk")
    assert clearance_status(client, TODAY) == GRANTED
    assert clearance.granted_by_id == owner.id
    assert clearance.granted_at == NOW + timedelta(seconds=60)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "clearance.granted"))
    assert entry.actor_id == owner.id
    assert entry.subject_id == clearance.id
    assert entry.client_id == client.id
    assert "Dr. Ana Ruiz" in entry.detail
    assert "Letter seen at the desk" in entry.detail
    summary = clearance_summaries([client.id], TODAY)[client.id]
    assert summary.restrictions == "No deep tissue over the left hip"


def test_the_therapist_of_the_client_may_grant(app, frozen):
    therapist = make_therapist()
    client = held_client(frozen)
    make_appointment(client=client, therapist=therapist)
    grant(therapist.user, client)
    assert clearance_status(client, TODAY) == GRANTED


def test_clients_may_not_grant_themselves_a_clearance(app, frozen):
    client = held_client(frozen)
    with pytest.raises(Forbidden):
        grant(client.user, client)
    assert db.session.scalar(select(func.count(Clearance.id))) == 0


def test_a_therapist_of_someone_else_gets_not_found(app, frozen):
    client = held_client(frozen)
    make_appointment(client=client)  # another therapist's client: no longer new
    with pytest.raises(NotFound):
        grant(make_therapist().user, client)


def test_a_newer_flagged_intake_needs_a_new_clearance(app, frozen):
    owner = make_owner()
    client = held_client(frozen)
    grant(owner, client)
    frozen.tick(60)
    flag_client(client.user, client, sudden_swelling=True)
    assert clearance_status(client, TODAY) == REQUIRED
    frozen.tick(60)
    grant(owner, client)
    assert clearance_status(client, TODAY) == GRANTED


def test_a_clearance_lasts_through_its_valid_until_day_then_lapses(app, frozen):
    client = held_client(frozen)
    grant(make_owner(), client, valid_until=date(2027, 3, 20))
    assert clearance_status(client, date(2027, 3, 20)) == GRANTED
    assert clearance_status(client, date(2027, 3, 21)) == REQUIRED
    frozen.move_to(datetime(2027, 3, 21, 12, tzinfo=UTC))
    assert [e.client for e in clearances.clearance_queue(make_owner())] == [client]


@pytest.mark.parametrize("day, expected", [
    (date(2027, 3, 19), GRANTED), (date(2027, 3, 20), GRANTED), (date(2027, 3, 21), REQUIRED),
])
def test_the_one_clearance_rule_reads_the_same_for_one_client_many_and_in_sql(app, frozen, day, expected):
    client = held_client(frozen)
    grant(make_owner(), client, valid_until=date(2027, 3, 20))
    sql = db.session.scalar(select(clearance_status_expression(day)).where(Client.id == client.id))
    assert clearance_status(client, day) == clearance_summaries([client.id], day)[client.id].status == sql == expected
    assert valid_on(date(2027, 3, 20), day) == (expected == GRANTED)
    assert valid_on(None, day)


def test_a_clearance_without_a_flag_changes_nothing_and_does_not_cover_a_later_flag(app, frozen):
    owner = make_owner()
    client = make_client()
    clear_client(client.user, client)
    grant(owner, client)
    assert clearance_status(client, TODAY) == NOT_REQUIRED
    frozen.tick(60)
    flag_client(client.user, client)
    assert clearance_status(client, TODAY) == REQUIRED


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"physician_name": "  "}, "physician_name"),
        ({"physician_name": None}, "physician_name"),
        ({"physician_name": "x" * 201}, "physician_name"),
        ({"cleared_on": TODAY + timedelta(days=1)}, "cleared_on"),
        ({"cleared_on": "2027-03-01"}, "cleared_on"),
        ({"cleared_on": date(2027, 3, 1), "valid_until": date(2027, 2, 28)}, "valid_until"),
        ({"valid_until": "soon"}, "valid_until"),
        ({"restrictions": 5}, "restrictions"),
        ({"evidence": "x" * 2001}, "evidence"),
        ({"letter": Letter("letter.pdf", b"")}, "letter"),
        ({"letter": Letter("letter.pdf", b"<html>not a pdf</html>")}, "letter"),
        ({"letter": Letter("letter.png", PDF)}, "letter"),
        ({"letter": Letter("letter.exe", PDF)}, "letter"),
        ({"letter": Letter("letter", PNG)}, "letter"),
        ({"letter": Letter("letter.pdf", PDF + b"0" * MAX_LETTER_BYTES)}, "letter"),
    ],
)
def test_bad_clearances_are_refused_and_nothing_is_saved(app, frozen, kw, field):
    client = held_client(frozen)
    before = stored_letters(app)
    with pytest.raises(ValidationFailed) as error:
        grant(make_owner(), client, **kw)
    assert list(error.value.fields) == [field]
    assert db.session.scalar(select(func.count(Clearance.id))) == 0
    assert stored_letters(app) == before
    assert clearance_status(client, TODAY) == REQUIRED


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [("letter.pdf", PDF, "application/pdf"), ("Scan.PNG", PNG, "image/png"),
     ("photo.jpeg", JPEG, "image/jpeg"), ("photo.jpg", JPEG, "image/jpeg")],
)
def test_a_letter_is_stored_outside_the_web_root_under_a_random_name(app, frozen, name, data, content_type):
    owner = make_owner()
    client = held_client(frozen)
    clearance = grant(owner, client, letter=Letter(f"../../{name}", data))
    assert clearance.letter_filename == name
    assert clearance.letter_content_type == content_type
    assert name not in clearance.letter_stored_name
    path = letters_folder(app) / clearance.letter_stored_name
    assert path.read_bytes() == data
    assert not str(path.resolve()).startswith(str(Path(app.static_folder).resolve()))
    found, found_path = clearances.clearance_letter(owner, clearance.id)
    assert found is clearance
    assert found_path == path


def test_a_letter_at_the_size_limit_is_accepted(app, frozen):
    client = held_client(frozen)
    data = PDF + b"0" * (MAX_LETTER_BYTES - len(PDF))
    assert grant(make_owner(), client, letter=Letter("big.pdf", data)).letter_stored_name


def test_the_letter_limit_is_the_operators_max_upload_bytes(app, frozen, monkeypatch):
    limit = 1536 * 1024
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", limit)
    client = held_client(frozen)
    with pytest.raises(ValidationFailed) as error:
        grant(make_owner(), client, letter=Letter("letter.pdf", PDF + b"0" * limit))
    assert error.value.fields["letter"] == ["The letter must be at most 1.5 MB."]
    assert grant(make_owner(), client, letter=Letter("letter.pdf", PDF + b"0" * (limit - 100))).letter_stored_name


def test_only_staff_of_the_client_may_download_the_letter(app, frozen):
    therapist = make_therapist()
    client = held_client(frozen)
    make_appointment(client=client, therapist=therapist)
    clearance = grant(make_owner(), client, letter=Letter("letter.pdf", PDF))
    assert clearances.clearance_letter(therapist.user, clearance.id)[0] is clearance
    with pytest.raises(Forbidden):
        clearances.clearance_letter(client.user, clearance.id)
    with pytest.raises(NotFound):
        clearances.clearance_letter(make_therapist().user, clearance.id)
    without_letter = grant(make_owner(), client)
    with pytest.raises(NotFound):
        clearances.clearance_letter(therapist.user, without_letter.id)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.client_id == client.id)).all()
    assert actions.count("clearance.letter_viewed") == 1


def test_clearances_are_listed_oldest_first_for_the_client_and_staff(app, frozen):
    owner = make_owner()
    client = held_client(frozen)
    first = grant(owner, client)
    frozen.tick(60)
    second = grant(owner, client, physician_name="Dr. Lee")
    assert clearances.list_clearances(client.user, client.id) == [first, second]
    assert clearances.list_clearances(owner, client.id) == [first, second]
    with pytest.raises(NotFound):
        clearances.list_clearances(make_client().user, client.id)


# --- The queue ---------------------------------------------------------------------------------

def test_the_queue_lists_held_clients_oldest_first_with_their_flags(app, frozen):
    owner = make_owner()
    older = held_client(frozen, pain_level=8)
    newer = held_client(frozen, pain_level=2, loss_of_mobility=True)
    cleared = held_client(frozen)
    grant(owner, cleared)
    calm = make_client()
    clear_client(calm.user, calm)
    entries = clearances.clearance_queue(owner)
    assert [e.client for e in entries] == [older, newer]
    assert entries[0].since == older.flagged_since
    assert entries[0].flags == [{"code": "severe_pain", "reason": "Severe pain: 8 out of 10"}]
    assert [f["code"] for f in entries[1].flags] == ["loss_of_mobility"]


def test_a_therapist_sees_only_their_clients_in_the_queue(app, frozen):
    therapist = make_therapist()
    mine = held_client(frozen)
    make_appointment(client=held_client(frozen))  # another therapist's client
    make_appointment(client=mine, therapist=therapist)
    assert [e.client for e in clearances.clearance_queue(therapist.user)] == [mine]


def test_clients_cannot_read_the_queue(app, frozen):
    with pytest.raises(Forbidden):
        clearances.clearance_queue(make_client().user)


def test_the_queue_size_matches_the_queue_without_an_audit_entry(app, frozen):
    therapist = make_therapist()
    mine = held_client(frozen)
    make_appointment(client=held_client(frozen))  # another therapist's client
    make_appointment(client=mine, therapist=therapist)
    owner = make_owner()
    assert clearances.clearance_queue_size(owner) == 2
    assert clearances.clearance_queue_size(therapist.user) == 1
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "clearance_queue.viewed")) == 0
    with pytest.raises(Forbidden):
        clearances.clearance_queue_size(mine.user)
