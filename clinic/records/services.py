"""Reading and handing over a client's record, and closing a client's account.

Every read of a client record, care plan or calendar feed here leaves an audit entry. The
export is the right of access: everything the clinic holds on the client, for that client or
the owner (others get 404, as for any record they may not see), read in a fixed number of
queries however much the record holds. Nothing clinical is ever deleted: closing an account
only stops its logins.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload, selectinload

from clinic import clock
from clinic.access import client_for_export, visible_client
from clinic.audit import record_audit
from clinic.auth.services import set_user_disabled
from clinic.care_plans.reading import phases_for, plan_for
from clinic.errors import DomainError, Forbidden, NotFound
from clinic.extensions import db
from clinic.intake.status import clearance_status
from clinic.models import (
    Appointment,
    CarePlan,
    CheckIn,
    Clearance,
    Client,
    Intake,
    NoteAmendment,
    SessionNote,
    Therapist,
    User,
)

# Columns that say where something is kept, not what it is: never part of the export.
INTERNAL_COLUMNS = {"letter_stored_name"}


class NoLoginToClose(DomainError):
    status = 409
    code = "no_login"
    message = "This client has no online account (a walk-in), so there is nothing to close."


def read_client(actor: User, client_id: int) -> Client:
    """The client record (contact details and status), audited as a read."""
    client = visible_client(actor, client_id)
    record_audit(actor, "client.viewed", "client", client.id, client_id=client.id)
    return client


def read_care_plan(actor: User, plan_id: int) -> CarePlan:
    """A care plan for the plan page or the API, audited as a read."""
    plan = plan_for(actor, plan_id)
    record_audit(actor, "care_plan.viewed", "care_plan", plan.id, client_id=plan.client_id)
    return plan


def record_feed_read(therapist: Therapist, reader: User | None) -> None:
    """A calendar feed was fetched: by the signed-in therapist or owner, or (reader None) by
    whoever holds the feed's secret address, on the therapist's behalf."""
    detail = None if reader else "Fetched with the secret feed address"
    record_audit(reader or therapist.user, "calendar_feed.read", "therapist", therapist.id, detail=detail)


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return clock.iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _columns(row) -> dict:
    """Every column of a row (so a column added later is exported too), JSON-ready."""
    return {
        attribute.key: _value(getattr(row, attribute.key))
        for attribute in inspect(type(row)).column_attrs
        if attribute.key not in INTERNAL_COLUMNS
    }


def _name(user: User | None) -> str | None:
    return user.name if user else None


def client_record(actor: User, client_id: int) -> dict:
    """Everything the clinic holds on a client, as one JSON-ready document; audited.

    `{profile, appointments, intakes, check_ins, clearances, care_plans, notes}`: each a list
    but `profile`, oldest first, notes with their amendments.
    """
    client = client_for_export(actor, client_id)
    account = client.user
    profile = _columns(client) | {
        "clearance_status": clearance_status(client, clock.today()),
        "has_login": account is not None,
        "account_closed": bool(account and account.is_disabled),
    }
    appointments = db.session.scalars(
        select(Appointment)
        .options(
            joinedload(Appointment.service), joinedload(Appointment.therapist).joinedload(Therapist.user)
        )
        .where(Appointment.client_id == client.id)
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    intakes = db.session.scalars(
        select(Intake).where(Intake.client_id == client.id).order_by(Intake.submitted_at, Intake.id)
    ).all()
    check_ins = db.session.scalars(
        select(CheckIn).where(CheckIn.client_id == client.id).order_by(CheckIn.submitted_at, CheckIn.id)
    ).all()
    clearances = db.session.scalars(
        select(Clearance)
        .options(joinedload(Clearance.granted_by))
        .where(Clearance.client_id == client.id)
        .order_by(Clearance.granted_at, Clearance.id)
    ).all()
    plans = db.session.scalars(
        select(CarePlan)
        .options(joinedload(CarePlan.service), joinedload(CarePlan.therapist).joinedload(Therapist.user))
        .where(CarePlan.client_id == client.id)
        .order_by(CarePlan.first_start, CarePlan.id)
    ).all()
    phases = phases_for(list(plans))
    notes = db.session.scalars(
        select(SessionNote)
        .join(Appointment, Appointment.id == SessionNote.appointment_id)
        .options(
            joinedload(SessionNote.author),
            selectinload(SessionNote.techniques),
            selectinload(SessionNote.amendments).joinedload(NoteAmendment.author),
        )
        .where(Appointment.client_id == client.id)
        .order_by(Appointment.starts_at, SessionNote.id)
    ).all()
    record_audit(actor, "record.exported", "client", client.id, client_id=client.id)
    return {
        "profile": profile,
        "appointments": [
            _columns(a) | {
                "start": clock.iso(a.starts_at), "end": clock.iso(a.ends_at),
                "service_name": a.service.name, "therapist_name": a.therapist.user.name,
            }
            for a in appointments
        ],
        "intakes": [_columns(i) for i in intakes],
        "check_ins": [_columns(c) for c in check_ins],
        "clearances": [
            _columns(c) | {"has_letter": bool(c.letter_stored_name), "granted_by_name": _name(c.granted_by)}
            for c in clearances
        ],
        "care_plans": [
            _columns(p) | {
                "phase": phases[p.id].value,
                "service_name": p.service.name,
                "therapist_name": p.therapist.user.name,
                "appointment_ids": [a.id for a in appointments if a.care_plan_id == p.id],
            }
            for p in plans
        ],
        "notes": [
            _columns(n) | {
                "author_name": _name(n.author),
                "techniques": n.technique_codes,
                "amendments": [_columns(a) | {"author_name": _name(a.author)} for a in n.amendments],
            }
            for n in notes
        ],
    }


def close_client_account(actor: User, client_id: int) -> Client:
    """The owner closes a client's online account: no more logins, its tokens stop working.

    The client's contact details and every record stay: nothing clinical is ever deleted.
    """
    if not actor.is_owner:
        if actor.is_client:
            raise NotFound("No such client.")
        raise Forbidden("Only the clinic owner can close a client's account.")
    client = db.session.get(Client, client_id)
    if client is None:
        raise NotFound("No such client.")
    if client.user is None:
        raise NoLoginToClose()
    if not client.user.is_disabled:
        set_user_disabled(client.user, True)
        record_audit(actor, "account.closed", "client", client.id, client_id=client.id)
    return client
