"""The client's side of a clearance: told when held and when cleared, and able to send the letter."""

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from clinic import clock
from clinic.errors import NotFound, ValidationFailed
from clinic.extensions import db
from clinic.intake import clearances, services
from clinic.intake.clearances import Letter, NotHeld
from clinic.models import AuditEntry, ClearanceLetter, OutboundEmail
from clinic.notifications.messages import CLEARED, HELD
from clinic.notifications.services import deliver_pending
from tests.factories import make_appointment, make_client, make_owner, make_therapist
from tests.intake_factories import clear_client, flag_client, grant
from tests.notifications_factories import smtp_sink_fixture, use_smtp  # noqa: F401

NOW = datetime(2027, 3, 2, 10, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def frozen():
    with freeze_time(NOW) as frozen:
        yield frozen


def emails(kind: str) -> list[OutboundEmail]:
    return list(db.session.scalars(select(OutboundEmail).where(OutboundEmail.kind == kind)
                                   .order_by(OutboundEmail.id)))


def test_a_flagged_intake_queues_one_plain_words_email_to_the_client(app, frozen):
    client = make_client(name="Hanna Held")
    flag_client(client.user, client)
    [email] = emails(HELD)
    assert email.recipient == client.email and email.appointment_id is None
    assert "Severe pain: 9 out of 10" in email.body
    for words in ("See your doctor", "letter", "upload", "What happens next", "email you"):
        assert words in email.body
    frozen.tick(60)
    flag_client(client.user, client, fever_or_chills=True)  # already waiting: nothing new to do
    assert len(emails(HELD)) == 1


def test_a_clear_intake_sends_no_hold_email(app, frozen):
    client = make_client()
    clear_client(client.user, client)
    assert emails(HELD) == []


def test_a_flagged_check_in_holds_and_tells_the_client(app, frozen):
    client = make_client()
    clear_client(client.user, client)
    appointment = make_appointment(client=client, start=NOW + timedelta(hours=20))
    services.submit_check_in(client.user, appointment.id, {"pain_level": 3, "fever_or_chills": True})
    [email] = emails(HELD)
    assert "pre-visit check-in" in email.body and "fever or chills" in email.body


def test_a_clearance_tells_the_client_with_its_restrictions_and_end_date(app, frozen):
    owner = make_owner()
    client = make_client()
    flag_client(client.user, client)
    frozen.tick(60)
    grant(owner, client, restrictions="No deep tissue over the left hip", valid_until=date(2027, 6, 1),
          cleared_on=date(2027, 3, 2))
    [email] = emails(CLEARED)
    assert email.recipient == client.email
    assert "No deep tissue over the left hip" in email.body
    assert "1 June 2027" in email.body and "Dr. Ana Ruiz" in email.body
    assert "book online again" in email.body


def test_no_email_for_a_client_without_an_address(app, frozen):
    owner = make_owner()
    client = make_client(login=False, email=None)
    flag_client(owner, client)
    grant(owner, client, cleared_on=date(2027, 3, 2))
    assert emails(HELD) == [] and emails(CLEARED) == []


def test_the_client_uploads_the_letter_and_it_waits_in_the_queue(app, frozen):
    owner = make_owner()
    client = make_client()
    flag_client(client.user, client)
    uploaded = clearances.upload_clearance_letter(client.user, client.id, Letter("dr-meyer.pdf", PDF))
    assert uploaded.filename == "dr-meyer.pdf" and not uploaded.reviewed
    [entry] = clearances.clearance_queue(owner)
    assert entry.letter == uploaded
    _, path = clearances.uploaded_letter_file(owner, uploaded.id)
    assert path.read_bytes() == PDF
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"clearance_letter.uploaded", "clearance_letter.viewed"} <= actions


def test_recording_the_clearance_attaches_the_uploaded_letter(app, frozen):
    owner = make_owner()
    client = make_client()
    flag_client(client.user, client)
    uploaded = clearances.upload_clearance_letter(client.user, client.id, Letter("letter.pdf", PDF))
    frozen.tick(60)
    clearance = grant(owner, client, cleared_on=date(2027, 3, 2), uploaded_letter_id=uploaded.id)
    assert clearance.letter_stored_name == uploaded.stored_name
    assert clearance.letter_filename == "letter.pdf"
    assert db.session.get(ClearanceLetter, uploaded.id).clearance_id == clearance.id
    assert clearances.letters_waiting([client.id]) == {}
    _, path = clearances.clearance_letter(owner, clearance.id)
    assert path.read_bytes() == PDF


def test_the_upload_refuses_what_the_staff_upload_refuses(app, frozen):
    client = make_client()
    flag_client(client.user, client)
    for letter in (Letter("letter.exe", b"MZ..."), Letter("letter.pdf", b""),
                   Letter("big.pdf", PDF + b"0" * app.config["MAX_UPLOAD_BYTES"]), None):
        with pytest.raises(ValidationFailed) as refused:
            clearances.upload_clearance_letter(client.user, client.id, letter)
        assert "letter" in refused.value.fields
    assert db.session.scalars(select(ClearanceLetter)).all() == []


def test_only_a_held_client_uploads_and_only_their_own(app, frozen):
    client = make_client()
    clear_client(client.user, client)
    with pytest.raises(NotHeld):
        clearances.upload_clearance_letter(client.user, client.id, Letter("letter.pdf", PDF))
    other = make_client()
    flag_client(other.user, other)
    with pytest.raises(NotFound):
        clearances.upload_clearance_letter(client.user, other.id, Letter("letter.pdf", PDF))
    therapist = make_therapist()
    with pytest.raises(NotFound):
        clearances.upload_clearance_letter(therapist.user, other.id, Letter("letter.pdf", PDF))
    uploaded = clearances.upload_clearance_letter(other.user, other.id, Letter("letter.pdf", PDF))
    with pytest.raises(NotFound):
        clearances.uploaded_letter_file(client.user, uploaded.id)


def test_the_mail_worker_delivers_the_hold_and_clearance_emails(app, smtp_sink, monkeypatch):
    use_smtp(app, monkeypatch, smtp_sink.port)
    owner = make_owner()
    client = make_client(name="Hanna Held", email="hanna@example.test")
    flag_client(client.user, client)
    grant(owner, client, restrictions="Gentle pressure only", cleared_on=clock.today())
    db.session.commit()
    report = deliver_pending()
    assert (report.sent, report.failed) == (2, 0)
    held, cleared = smtp_sink.messages
    assert held["To"] == cleared["To"] == "hanna@example.test"
    assert held["Subject"] == "Before your next massage: we need a note from your doctor"
    assert cleared["Subject"] == "You are cleared for massage"
    assert "Gentle pressure only" in cleared.get_body(("plain",)).get_content()
