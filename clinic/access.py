"""Who may see and do what, for every kind of record: the clinic's access rule, written once.

Pages, the API and the services all ask here, so no door can be more generous than another.

- The owner runs the clinic and reads everything.
- A therapist works their own calendar and reads their clients' records. A therapist's
  clients are those with a non-cancelled appointment with them: a cancelled one makes no
  relationship (else booking a stranger and cancelling at once would open their file).
  New clients, with no non-cancelled appointment with anyone, are everybody's to screen.
- The front desk schedules for everyone (calendars, appointments, care plans, contact
  details, clearance status and queue) and never reads clinical content.
- A client reads their own records only.

A record that is not the actor's to see is reported as missing (404, never revealing that
it exists) and the attempt leaves an audit entry; something the actor's role never does
is a 403.
"""

from sqlalchemy import ColumnElement, exists, false, or_, select, true
from sqlalchemy.orm import joinedload

from clinic.audit import record_audit
from clinic.errors import Forbidden, NotFound
from clinic.extensions import db
from clinic.models import (
    Appointment,
    AppointmentStatus,
    CarePlan,
    Clearance,
    Client,
    Intake,
    Role,
    SessionNote,
    User,
)

# -- refusals ----------------------------------------------------------------------------------


class RecordHidden(NotFound):
    """A record refused as missing. Once the request is refused (and rolled back), the
    attempt is kept in the audit trail: probing for other people's records shows."""

    def __init__(self, actor: User | None, record_type: str, record_id: int | None,
                 client_id: int | None = None, message: str | None = None):
        super().__init__(message or f"No such {record_type.replace('_', ' ')}.")
        self.actor = actor
        self.record_type = record_type
        self.record_id = record_id
        self.client_id = client_id

    def on_refused(self) -> None:
        db.session.rollback()
        record_audit(self.actor, "access.refused", self.record_type, self.record_id, client_id=self.client_id)
        db.session.commit()


def _hidden(actor: User, record_type: str, record_id: int | None, client_id: int | None = None):
    return RecordHidden(actor, record_type, record_id, client_id)


# -- roles -------------------------------------------------------------------------------------


def sees_everyone(user: User) -> bool:
    """The owner and the front desk: every calendar, appointment, care plan and client's details."""
    return user.role in (Role.OWNER, Role.FRONT_DESK)


def is_clinician(user: User) -> bool:
    """Staff who may read clinical content (each record then has its own rule below)."""
    return user.role in (Role.OWNER, Role.THERAPIST)


def require_reports(user: User) -> None:
    """Reports (figures over every client and therapist): the owner only."""
    if user.role != Role.OWNER:
        raise Forbidden("Only the clinic owner reads reports.")


def require_owner(user: User) -> None:
    if user.role != Role.OWNER:
        raise Forbidden("Only the clinic owner can do that.")


def require_staff(user: User) -> None:
    if not user.is_staff:
        raise Forbidden("Only clinic staff can do that.")


def require_scheduler(user: User) -> None:
    """Booking for others, no-shows and care plans: the owner, the front desk and therapists."""
    require_staff(user)


# -- relationships -----------------------------------------------------------------------------

_LIVE = Appointment.status != AppointmentStatus.CANCELLED


def clients_of(therapist_id: int) -> ColumnElement[bool]:
    """SQL: the Client row has a non-cancelled appointment with this therapist."""
    return Client.id.in_(select(Appointment.client_id).where(Appointment.therapist_id == therapist_id, _LIVE))


def new_clients() -> ColumnElement[bool]:
    """SQL: the Client row has no non-cancelled appointment with anyone."""
    return ~exists().where(Appointment.client_id == Client.id, _LIVE)


def _own_client_id(user: User) -> int:
    return user.client.id if user.is_client and user.client is not None else -1


def client_scope(actor: User) -> ColumnElement[bool]:
    """SQL over Client: whose record and contact details `actor` may see (and book for)."""
    if sees_everyone(actor):
        return true()
    if actor.role == Role.THERAPIST:
        return or_(clients_of(actor.id), new_clients())
    if actor.is_client:
        return Client.id == _own_client_id(actor)
    return false()


def _client_matches(client_id: int, clause: ColumnElement[bool]) -> bool:
    return bool(db.session.scalar(select(exists().where(Client.id == client_id, clause))))


def treats(therapist_id: int, client_id: int) -> bool:
    """The client has a non-cancelled appointment with this therapist."""
    return _client_matches(client_id, clients_of(therapist_id))


def is_new_client(client_id: int) -> bool:
    return _client_matches(client_id, new_clients())


def may_see_client(actor: User, client: Client) -> bool:
    """The client's record and contact details (name, email, phone, clearance status)."""
    if sees_everyone(actor):
        return True
    if actor.is_client:
        return client.id == _own_client_id(actor)
    return actor.role == Role.THERAPIST and _client_matches(client.id, client_scope(actor))


def may_read_clinical(actor: User, client: Client) -> bool:
    """The client's intakes, check-ins, clearances and their letters, progress."""
    return actor.role != Role.FRONT_DESK and may_see_client(actor, client)


def visible_client(actor: User, client_id: int) -> Client:
    """The client, if `actor` may see their record; else 404 whether they exist or not."""
    client = db.session.get(Client, client_id, options=[joinedload(Client.user)])
    if client is None or not may_see_client(actor, client):
        raise _hidden(actor, "client", client_id, client.id if client else None)
    return client


def own_client(actor: User, client_id: int) -> Client:
    """Only the client themself (sending their own physician's letter); else 404."""
    client = db.session.get(Client, client_id)
    if client is None or client.id != _own_client_id(actor):
        raise _hidden(actor, "client", client_id, client.id if client else None)
    return client


def may_export_record(actor: User, client: Client) -> bool:
    """The whole record (the right of access): the client themself or the owner."""
    return actor.is_owner or (actor.is_client and client.id == _own_client_id(actor))


def client_for_export(actor: User, client_id: int) -> Client:
    client = db.session.get(Client, client_id)
    if client is None or not may_export_record(actor, client):
        raise _hidden(actor, "client", client_id, client.id if client else None)
    return client


def clinical_client(actor: User, client_id: int) -> Client:
    """The client, if `actor` may read their clinical records; else 404."""
    client = db.session.get(Client, client_id)
    if client is None or not may_read_clinical(actor, client):
        raise _hidden(actor, "client", client_id, client.id if client else None)
    return client


# -- intakes and clearances --------------------------------------------------------------------


def intake_for(actor: User, intake_id: int) -> Intake:
    intake = db.session.get(Intake, intake_id)
    if intake is None or not may_read_clinical(actor, intake.client):
        raise _hidden(actor, "intake", intake_id, intake.client_id if intake else None)
    return intake


def client_for_clearance(actor: User, client_id: int) -> Client:
    """Recording a physician's clearance: the owner, or a therapist of the client or of a new
    client (403 for everyone else: the front desk does not judge a doctor's letter)."""
    if not is_clinician(actor):
        raise Forbidden("Only the owner or a therapist records a physician's clearance.")
    return clinical_client(actor, client_id)


def may_record_clearance(actor: User, client: Client) -> bool:
    return is_clinician(actor) and may_read_clinical(actor, client)


def clearance_with_letter(actor: User, clearance_id: int) -> Clearance:
    """A clearance whose letter `actor` may open: staff who may read the client's records."""
    require_staff(actor)
    clearance = db.session.get(Clearance, clearance_id)
    if clearance is None or not clearance.letter_stored_name or not may_open_letter(actor, clearance):
        raise _hidden(actor, "clearance", clearance_id, clearance.client_id if clearance else None)
    return clearance


def may_open_letter(actor: User, clearance: Clearance) -> bool:
    return actor.is_staff and may_read_clinical(actor, clearance.client)


def clearance_queue_scope(actor: User) -> ColumnElement[bool]:
    """SQL over Client: whom the clearance queue shows (owner and front desk: everyone; a
    therapist: their clients and every new client). Clients get 403."""
    require_staff(actor)
    return client_scope(actor)


# -- appointments and calendars ----------------------------------------------------------------


def appointment_scope(actor: User) -> ColumnElement[bool]:
    """SQL over Appointment: the ones `actor` may see, move and cancel."""
    if sees_everyone(actor):
        return true()
    if actor.role == Role.THERAPIST:
        return Appointment.therapist_id == actor.id
    if actor.is_client:
        return Appointment.client_id == _own_client_id(actor)
    return false()


def may_see_appointment(actor: User, appointment: Appointment) -> bool:
    if sees_everyone(actor):
        return True
    if actor.role == Role.THERAPIST:
        return appointment.therapist_id == actor.id
    return actor.is_client and appointment.client_id == _own_client_id(actor)


def appointment_for(actor: User, appointment_id: int) -> Appointment:
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or not may_see_appointment(actor, appointment):
        raise _hidden(actor, "appointment", appointment_id, appointment.client_id if appointment else None)
    return appointment


def may_see_calendar(actor: User, therapist_id: int) -> bool:
    return sees_everyone(actor) or (actor.role == Role.THERAPIST and actor.id == therapist_id)


def require_calendar(actor: User, therapist_id: int) -> None:
    """A therapist books and plans on their own calendar only (403); others book on any."""
    require_staff(actor)
    if actor.role == Role.THERAPIST and actor.id != therapist_id:
        raise Forbidden("Therapists book on their own calendar.")


def may_edit_schedule(actor: User, therapist_id: int) -> bool:
    """Working hours and time off: the owner, or the therapist themself."""
    return actor.role == Role.OWNER or (actor.role == Role.THERAPIST and actor.id == therapist_id)


def require_schedule_editor(actor: User, therapist_id: int) -> None:
    if not may_edit_schedule(actor, therapist_id):
        raise Forbidden("Only the owner or the therapist can change this schedule.")


def client_for_booking(actor: User, client_id: int | None) -> Client | None:
    """Whom `actor` may book for: a client themself; the owner and front desk anyone; a
    therapist their own clients and new clients (another therapist's client: 404).

    None when staff named nobody (the caller asks for the field).
    """
    if actor.is_client:
        own = actor.client
        if own is not None and client_id in (None, own.id):
            return own
        if client_id is None:
            raise _hidden(actor, "client", None)
        return visible_client(actor, client_id)  # someone else's: refused as missing
    require_scheduler(actor)
    if client_id is None:
        return None
    return visible_client(actor, client_id)


def client_checks_in(actor: User, appointment: Appointment) -> bool:
    """Whether `actor` answers this appointment's check-in: its client or its therapist."""
    if actor.is_client:
        return appointment.client_id == _own_client_id(actor)
    return actor.role == Role.THERAPIST and appointment.therapist_id == actor.id


def check_in_appointment(actor: User, appointment_id: int) -> Appointment:
    """An appointment whose check-ins `actor` may read and write: its client, its therapist,
    the owner (the front desk: 404, check-ins are clinical)."""
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or not (
        actor.role == Role.OWNER or client_checks_in(actor, appointment)
    ):
        raise _hidden(actor, "appointment", appointment_id, appointment.client_id if appointment else None)
    return appointment


# -- care plans --------------------------------------------------------------------------------


def care_plan_scope(actor: User) -> ColumnElement[bool]:
    """SQL over CarePlan for lists: all for the owner and front desk, a therapist's own plans,
    a client's own."""
    if sees_everyone(actor):
        return true()
    if actor.role == Role.THERAPIST:
        return CarePlan.therapist_id == actor.id
    if actor.is_client:
        return CarePlan.client_id == _own_client_id(actor)
    return false()


def may_see_plan(actor: User, plan: CarePlan) -> bool:
    """Its sessions and phase: owner, front desk, its therapist, the client's therapists, the client."""
    if sees_everyone(actor) or (actor.role == Role.THERAPIST and plan.therapist_id == actor.id):
        return True
    return may_see_client(actor, plan.client)


def may_change_plan(actor: User, plan: CarePlan) -> bool:
    """Extending or ending a plan: the owner, the front desk, the plan's therapist."""
    return sees_everyone(actor) or (actor.role == Role.THERAPIST and plan.therapist_id == actor.id)


def care_plan_for(actor: User, plan_id: int) -> CarePlan:
    plan = db.session.get(CarePlan, plan_id)
    if plan is None or not may_see_plan(actor, plan):
        raise _hidden(actor, "care_plan", plan_id, plan.client_id if plan else None)
    return plan


def plan_to_change(actor: User, plan_id: int) -> CarePlan:
    plan = care_plan_for(actor, plan_id)
    if not may_change_plan(actor, plan):
        raise Forbidden("Only the plan's therapist, the front desk or the owner can change the plan.")
    return plan


def may_see_plan_progress(actor: User, plan: CarePlan) -> bool:
    """The pain trend on a plan's page comes from session notes: clinical."""
    return may_read_clinical(actor, plan.client)


# -- session notes -----------------------------------------------------------------------------


def may_read_note(actor: User, note: SessionNote) -> bool:
    """The author, the owner, and the client the note is about."""
    if actor.role == Role.OWNER or note.author_id == actor.id:
        return True
    return actor.is_client and note.appointment.client_id == _own_client_id(actor)


def may_amend_note(actor: User, note: SessionNote) -> bool:
    """Only the author adds amendments to a signed note."""
    return note.author_id == actor.id


def may_write_note(actor: User, appointment: Appointment) -> bool:
    """Only the appointment's therapist records its session note."""
    return actor.role == Role.THERAPIST and appointment.therapist_id == actor.id


def note_for(actor: User, note: SessionNote | None, note_id: int) -> SessionNote:
    if note is None or not may_read_note(actor, note):
        raise _hidden(actor, "session_note", note_id, note.appointment.client_id if note else None)
    return note


def appointment_for_note(actor: User, appointment_id: int) -> Appointment:
    """The appointment whose note `actor` wants to write: 404 if hidden, 403 if not theirs."""
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or not may_see_appointment(actor, appointment) or actor.role == Role.FRONT_DESK:
        raise _hidden(actor, "appointment", appointment_id, appointment.client_id if appointment else None)
    if not may_write_note(actor, appointment):
        raise Forbidden("Only the appointment's therapist writes its session note.")
    return appointment


def session_history_scope(actor: User) -> ColumnElement[bool]:
    """SQL over Appointment, for a client's sessions with their notes: a therapist sees the
    sessions they gave; the owner and the client see all of theirs."""
    if actor.role == Role.THERAPIST:
        return Appointment.therapist_id == actor.id
    return true()
