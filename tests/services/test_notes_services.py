"""Session note use cases on SQLite and PostgreSQL: signing, the one-note guarantee, audit."""

import pytest
from sqlalchemy import func, select

from clinic.errors import ClearanceRequired, Forbidden, NotFound
from clinic.extensions import db
from clinic.models import AuditEntry, SessionNote
from clinic.notes import services
from clinic.notes.services import IntakeRequired, NoteExists, NoteInput
from tests.care_factories import make_clearance, make_intake, started_appointment
from tests.factories import make_client, make_owner, make_therapist

DATA = NoteInput(
    techniques=["trigger_point", "cold_therapy"],
    areas=["right hip"],
    pain_before=8,
    pain_after=5,
    subjective="  Sharp pain when standing up.  ",
    adverse_reaction="",
)


def test_record_note_signs_completes_and_audits(app):
    appointment = started_appointment()
    note = services.record_note(appointment.therapist.user, appointment.id, DATA)
    assert note.signed_at is not None
    assert appointment.status == "completed"
    assert note.subjective == "Sharp pain when standing up."
    assert note.adverse_reaction is None
    assert sorted(note.technique_codes) == ["cold_therapy", "trigger_point"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "note.signed"))
    assert entry.subject_id == note.id and entry.client_id == appointment.client_id


def test_the_unique_constraint_turns_a_racing_second_note_into_note_exists(app, monkeypatch):
    """Two requests can both pass the friendly check; the database keeps one note."""
    appointment = started_appointment()
    services.record_note(appointment.therapist.user, appointment.id, DATA)
    appointment.status = "booked"  # as the racing request saw it
    monkeypatch.setattr(services, "note_blocker", lambda *_args, **_kw: None)
    with pytest.raises(NoteExists):
        services.record_note(appointment.therapist.user, appointment.id, DATA)
    # The session is still usable and holds exactly the first note.
    assert (
        db.session.scalar(
            select(func.count(SessionNote.id)).where(SessionNote.appointment_id == appointment.id)
        )
        == 1
    )


def test_gates_follow_the_latest_intake_and_clearance(app):
    appointment = started_appointment(intake=False)
    therapist = appointment.therapist.user
    with pytest.raises(IntakeRequired):
        services.record_note(therapist, appointment.id, DATA)
    make_intake(appointment.client, flagged=True)
    with pytest.raises(ClearanceRequired) as caught:
        services.record_note(therapist, appointment.id, DATA)
    assert caught.value.status == 409
    make_clearance(appointment.client, make_owner())
    assert services.record_note(therapist, appointment.id, DATA).id


def test_only_the_author_amends_and_the_note_never_changes(app):
    appointment = started_appointment()
    note = services.record_note(appointment.therapist.user, appointment.id, DATA)
    services.amend_note(appointment.therapist.user, note.id, "Also iced the right knee.")
    with pytest.raises(Forbidden):
        services.amend_note(make_owner(), note.id, "x")
    with pytest.raises(NotFound):
        services.amend_note(make_therapist().user, note.id, "x")
    db.session.expire_all()
    reloaded = services.get_note(appointment.client.user, note.id)
    assert [a.text for a in reloaded.amendments] == ["Also iced the right knee."]
    assert (reloaded.pain_before, reloaded.pain_after) == (8, 5)


def test_notes_waiting_lists_started_booked_appointments_without_a_note(app):
    waiting = started_appointment()
    therapist = waiting.therapist
    done = started_appointment(therapist=therapist, client=make_client(), hours_ago=3)
    services.record_note(therapist.user, done.id, DATA)
    started_appointment(therapist=therapist, client=make_client(), hours_ago=-5)  # not started yet
    assert [a.id for a in services.notes_waiting(therapist.user)] == [waiting.id]
    assert services.notes_waiting(make_owner()) == []
