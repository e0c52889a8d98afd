"""Care plans in the API: book a whole course of care, read its phase, end, extend, cancel."""

from flask import jsonify

from clinic import clock
from clinic.api.blueprint import bp, current_actor
from clinic.api.bodies import Body, Instant, Reason, RecordId, Whole, read_body, read_optional_body
from clinic.api.openapi import operation
from clinic.api.scheduling import APPOINTMENT_SCHEMA, appointment_json
from clinic.care_plans import cadence, reading, services
from clinic.extensions import db
from clinic.models import Appointment, CarePlan
from clinic.records.services import read_care_plan

PLAN_APPOINTMENT_SCHEMA = {
    **APPOINTMENT_SCHEMA,
    "properties": {
        **APPOINTMENT_SCHEMA["properties"],
        "care_plan_id": {"type": "integer"},
        "plan_phase": {"enum": ["weekly", "maintenance"]},
    },
}
PLAN_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "client_id": {"type": "integer"},
        "therapist_id": {"type": "integer"},
        "service_id": {"type": "integer"},
        "phase": {"enum": [p.value for p in cadence.Phase]},
        "weekly_sessions": {"type": "integer"},
        "maintenance_sessions": {"type": "integer"},
        "first_start": {"type": "string", "format": "date-time"},
        "ended_at": {"type": ["string", "null"], "format": "date-time"},
        "appointments": {"type": "array", "items": PLAN_APPOINTMENT_SCHEMA},
    },
}
CANCEL_SCHEMA = {
    "type": "object",
    "properties": {
        "cancelled": {"type": "array", "items": PLAN_APPOINTMENT_SCHEMA},
        "too_late": {"type": "array", "items": PLAN_APPOINTMENT_SCHEMA},
        "alternatives": {"type": "array", "items": {"type": "string", "format": "date-time"}},
    },
}


class CarePlanBooking(Body):
    """A course of care: weekly sessions from first_start, then monthly maintenance."""

    client_id: RecordId
    therapist_id: RecordId
    service_id: RecordId
    first_start: Instant
    weekly_sessions: Whole(0, cadence.MAX_WEEKLY_SESSIONS)
    maintenance_sessions: Whole(0, cadence.MAX_MAINTENANCE_SESSIONS)


class Extension(Body):
    weeks: Whole(1, cadence.MAX_WEEKLY_SESSIONS)


class PlanSession(Body):
    start: Instant


def _appointment_json(plan: CarePlan, appointment: Appointment) -> dict:
    return {
        **appointment_json(appointment),
        "plan_phase": reading.session_phase_of(plan, appointment).value,
    }


def plan_json(plan: CarePlan, appointments: list[Appointment] | None = None) -> dict:
    """A plan with its sessions; a list passes each plan's sessions, read for all at once."""
    if appointments is None:
        appointments = reading.plan_appointments(plan)
    return {
        "id": plan.id,
        "client_id": plan.client_id,
        "therapist_id": plan.therapist_id,
        "service_id": plan.service_id,
        "phase": reading.plan_phase(plan, appointments).value,
        "weekly_sessions": plan.weekly_sessions,
        "maintenance_sessions": plan.maintenance_sessions,
        "first_start": clock.iso(plan.first_start),
        "ended_at": clock.iso(plan.ended_at),
        "appointments": [_appointment_json(plan, a) for a in appointments],
    }


def _cancel_json(plan: CarePlan, result: services.CancelResult) -> dict:
    return {
        "cancelled": [_appointment_json(plan, a) for a in result.cancelled],
        "too_late": [_appointment_json(plan, a) for a in result.too_late],
        "alternatives": [clock.iso(s) for s in result.alternatives],
    }


@bp.post("/care-plans")
@operation(
    "Book a course of care (staff): weekly sessions, then monthly maintenance; all or nothing",
    tag="care plans",
    body=CarePlanBooking,
    response=PLAN_SCHEMA,
    statuses=(201, 400, 401, 403, 404, 409, 422),
)
def create_care_plan():
    actor = current_actor()
    plan = services.create_care_plan(actor, **dict(read_body(CarePlanBooking)))
    db.session.commit()
    return jsonify(plan_json(plan)), 201


@bp.get("/care-plans")
@operation(
    "Care plans the caller may see (a client's own, a therapist's own, all for the owner), "
    "in order of their first session",
    tag="care plans",
    response={"type": "array", "items": PLAN_SCHEMA},
    statuses=(401,),
)
def list_care_plans():
    plans = reading.plans_for(current_actor(), chronological=True)
    sessions = reading.sessions_of_plans(plans)
    return jsonify([plan_json(p, sessions[p.id]) for p in plans])


@bp.get("/care-plans/<int:plan_id>")
@operation(
    "A care plan with its phase and sessions (staff, and the plan's client). A session is ahead when it "
    "is not cancelled and has not started yet; phase is weekly while a weekly session is ahead, then "
    "maintenance while a maintenance session is ahead, then finished",
    tag="care plans",
    response=PLAN_SCHEMA,
    statuses=(401, 404),
)
def get_care_plan(plan_id: int):
    body = plan_json(read_care_plan(current_actor(), plan_id))
    db.session.commit()  # the read's audit entry
    return jsonify(body)


@bp.post("/care-plans/<int:plan_id>/end")
@operation(
    "End a plan early (its therapist or the owner): future sessions are cancelled",
    tag="care plans",
    body=Reason,
    response=PLAN_SCHEMA,
    statuses=(400, 401, 403, 404, 409, 422),
)
def end_care_plan(plan_id: int):
    actor = current_actor()
    reason = read_optional_body(Reason).reason
    plan = reading.plan_for(actor, plan_id)
    services.end_care_plan(actor, plan_id, reason)
    db.session.commit()
    return jsonify(plan_json(plan))


@bp.post("/care-plans/<int:plan_id>/extend")
@operation(
    "Extend the weekly phase by more weeks (all or nothing; maintenance moves after them)",
    tag="care plans",
    body=Extension,
    response=PLAN_SCHEMA,
    statuses=(400, 401, 403, 404, 409, 422),
)
def extend_care_plan(plan_id: int):
    actor = current_actor()
    plan = services.extend_care_plan(actor, plan_id, read_body(Extension).weeks)
    db.session.commit()
    return jsonify(plan_json(plan))


@bp.post("/care-plans/<int:plan_id>/appointments/<int:appointment_id>/cancel")
@operation(
    "Cancel one session of a plan (notice policy applies); offers the nearest free times that week",
    tag="care plans",
    body=Reason,
    response=CANCEL_SCHEMA,
    statuses=(400, 401, 403, 404, 409, 422),
)
def cancel_plan_session(plan_id: int, appointment_id: int):
    actor = current_actor()
    reason = read_optional_body(Reason).reason
    result = services.cancel_plan_session(actor, plan_id, appointment_id, reason)
    plan = reading.plan_for(actor, plan_id)
    body = _cancel_json(plan, result)
    db.session.commit()
    return jsonify(body)


@bp.post("/care-plans/<int:plan_id>/cancel-rest")
@operation(
    "Cancel every future session of a plan the notice policy allows; lists those too late to cancel",
    tag="care plans",
    body=Reason,
    response=CANCEL_SCHEMA,
    statuses=(400, 401, 403, 404, 409, 422),
)
def cancel_rest_of_plan(plan_id: int):
    actor = current_actor()
    reason = read_optional_body(Reason).reason
    result = services.cancel_rest_of_plan(actor, plan_id, reason)
    plan = reading.plan_for(actor, plan_id)
    body = _cancel_json(plan, result)
    db.session.commit()
    return jsonify(body)


@bp.post("/care-plans/<int:plan_id>/appointments")
@operation(
    "Book one more session of a plan, e.g. an offered time after cancelling one (same booking rules)",
    tag="care plans",
    body=PlanSession,
    response=PLAN_APPOINTMENT_SCHEMA,
    statuses=(201, 400, 401, 403, 404, 409, 422),
)
def book_plan_session(plan_id: int):
    actor = current_actor()
    appointment = services.rebook_plan_session(actor, plan_id, read_body(PlanSession).start)
    plan = reading.plan_for(actor, plan_id)
    body = _appointment_json(plan, appointment)
    db.session.commit()
    return jsonify(body), 201
