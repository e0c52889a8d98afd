"""API routes: clinic setup, availability and appointments."""

from typing import Annotated, ClassVar

from flask import Response, current_app, jsonify, request
from pydantic import Field

from clinic import clock
from clinic.api.blueprint import bp, current_actor, optional_actor, roles_required
from clinic.api.bodies import (
    Body,
    Clock,
    Instant,
    ListBody,
    Reason,
    RecordId,
    Text,
    Whole,
    read_array_body,
    read_body,
    read_optional_body,
)
from clinic.api.openapi import operation
from clinic.api.parsing import ID_SCHEMA, query_day, query_id, query_reader
from clinic.errors import Unauthenticated
from clinic.extensions import db
from clinic.models import Appointment, Service, TimeOff, WorkingHours
from clinic.records.services import record_feed_read
from clinic.scheduling import services
from clinic.scheduling.ical import calendar_bytes

SERVICE_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "duration_minutes": {"type": "integer"},
        "price_cents": {"type": "integer"},
        "buffer_minutes": {"type": "integer"},
        "description": {"type": "string", "maxLength": services.MAX_DESCRIPTION_LENGTH},
    },
}
HOURS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["weekday", "start", "end"],
        "properties": {
            "weekday": {"type": "integer", "minimum": 0, "maximum": 6},
            "start": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
            "end": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
        },
    },
}
APPOINTMENT_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "client_id": {"type": "integer"},
        "therapist_id": {"type": "integer"},
        "service_id": {"type": "integer"},
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "status": {"enum": ["booked", "completed", "cancelled", "no_show"]},
        "care_plan_id": {"type": ["integer", "null"]},
    },
}
DAY_QUERY = {"type": "string", "format": "date"}
MAX_INTERVALS = 50


class NewService(Body):
    name: Text(120)
    duration_minutes: Whole(5, services.MAX_DURATION_MINUTES)
    price_cents: Whole(0, 10_000_000)
    buffer_minutes: Whole(0, services.MAX_BUFFER_MINUTES) | None = None
    description: Text(services.MAX_DESCRIPTION_LENGTH, blank="keep") | None = None


class WorkingInterval(Body):
    """One stretch of a weekday (0 is Monday) a therapist works."""

    weekday: Whole(0, 6)
    start: Clock
    end: Clock


class WeeklyHours(ListBody):
    root: Annotated[list[WorkingInterval], Field(max_length=MAX_INTERVALS)]
    messages: ClassVar[dict[str, str]] = {
        "too_long": f"At most {MAX_INTERVALS} intervals.",
        "model_type": "Must be an object with weekday, start and end.",
    }


class NewTimeOff(Body):
    start: Instant
    end: Instant
    reason: Text(200, blank="absent") | None = None


class Booking(Body):
    """A client books for themself; staff name the client."""

    service_id: RecordId
    therapist_id: RecordId
    start: Instant
    client_id: RecordId | None = None


class Reschedule(Body):
    start: Instant


def service_json(service: Service) -> dict:
    return {
        "id": service.id,
        "name": service.name,
        "duration_minutes": service.duration_minutes,
        "price_cents": service.price_cents,
        "buffer_minutes": service.buffer_minutes,
        "description": service.description,
    }


def hours_json(row: WorkingHours) -> dict:
    return {
        "weekday": row.weekday,
        "start": row.starts_at.strftime("%H:%M"),
        "end": row.ends_at.strftime("%H:%M"),
    }


def time_off_json(row: TimeOff) -> dict:
    return {
        "id": row.id,
        "therapist_id": row.therapist_id,
        "start": clock.iso(row.starts_at),
        "end": clock.iso(row.ends_at),
        "reason": row.reason,
    }


def appointment_json(appointment: Appointment) -> dict:
    return {
        "id": appointment.id,
        "client_id": appointment.client_id,
        "therapist_id": appointment.therapist_id,
        "service_id": appointment.service_id,
        "start": clock.iso(appointment.starts_at),
        "end": clock.iso(appointment.ends_at),
        "status": appointment.status,
        "care_plan_id": appointment.care_plan_id,
    }


# -- setup ---------------------------------------------------------------------------------


@bp.get("/services")
@operation(
    "Services the clinic offers", auth=False, tag="setup", response={"type": "array", "items": SERVICE_SCHEMA}
)
def list_services():
    return jsonify([service_json(s) for s in services.active_services()])


@bp.post("/services")
@operation(
    "Add a service (owner)",
    tag="setup",
    body=NewService,
    response=SERVICE_SCHEMA,
    statuses=(201, 400, 401, 403, 422),
)
@roles_required("owner")
def create_service():
    new = read_body(NewService)
    service = services.create_service(
        current_actor(), name=new.name, duration_minutes=new.duration_minutes, price_cents=new.price_cents,
        buffer_minutes=new.buffer_minutes or 0, description=new.description or "",
    )
    db.session.commit()
    return jsonify(service_json(service)), 201


@bp.get("/therapists")
@operation(
    "Therapists who take bookings",
    auth=False,
    tag="setup",
    response={"type": "array", "items": {"type": "object", "properties": {"id": {}, "name": {}}}},
)
def list_therapists():
    return jsonify([{"id": t.id, "name": t.name} for t in services.active_therapists()])


@bp.get("/therapists/<int:therapist_id>/working-hours")
@operation(
    "A therapist's weekly working hours", auth=False, tag="setup", response=HOURS_SCHEMA, statuses=(404,)
)
def get_working_hours(therapist_id: int):
    therapist = services.get_therapist(therapist_id)
    return jsonify([hours_json(row) for row in therapist.working_hours])


@bp.put("/therapists/<int:therapist_id>/working-hours")
@operation(
    "Replace a therapist's weekly working hours (owner, or that therapist)",
    tag="setup",
    body=WeeklyHours,
    response=HOURS_SCHEMA,
    statuses=(200, 400, 401, 403, 404, 422),
)
def put_working_hours(therapist_id: int):
    actor = current_actor()
    intervals = [(i.weekday, i.start, i.end) for i in read_array_body(WeeklyHours).root]
    rows = services.set_working_hours(actor, therapist_id, intervals)
    db.session.commit()
    return jsonify([hours_json(row) for row in rows])


@bp.post("/therapists/<int:therapist_id>/time-off")
@operation(
    "Add time off (owner, or that therapist); no slots are offered inside it",
    tag="setup",
    body=NewTimeOff,
    statuses=(201, 400, 401, 403, 404, 422),
)
def post_time_off(therapist_id: int):
    actor = current_actor()
    new = read_body(NewTimeOff)
    row = services.add_time_off(actor, therapist_id, start=new.start, end=new.end, reason=new.reason)
    db.session.commit()
    return jsonify(time_off_json(row)), 201


# -- availability and appointments ---------------------------------------------------------


@bp.get("/availability")
@operation(
    "Bookable starts for a service (public)",
    auth=False,
    tag="appointments",
    query={
        "service_id": {**ID_SCHEMA, "required": True},
        "from": {**DAY_QUERY, "required": True},
        "to": {**DAY_QUERY, "required": True},
        "therapist_id": ID_SCHEMA,
    },
    response={
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"therapist_id": {"type": "integer"}, "start": {}, "end": {}},
        },
    },
    statuses=(404, 422),
)
def get_availability():
    reader = query_reader()
    service_id = query_id(reader, "service_id")
    first = query_day(reader, "from")
    last = query_day(reader, "to")
    therapist_id = query_id(reader, "therapist_id", required=False)
    reader.check()
    services.check_range(first, last)
    found = services.bookable_starts(service_id, first, last, therapist_id)
    return availability_response(found)


def availability_response(found: services.BookableStarts) -> Response:
    """The slots as JSON, written directly: the same text jsonify gives (sorted keys, compact)
    at a fraction of its cost for thousands of slots. Therapists share starts, so each start's
    text up to the therapist id is made once."""
    duration = found.duration_seconds
    starts = {start for start, _therapist_id in found.starts}
    iso = clock.iso_strings(starts | {start + duration for start in starts}, clock.clinic_zone())
    head = {
        start: f'{{"end":"{iso[start + duration]}","start":"{iso[start]}","therapist_id":' for start in starts
    }
    body = "},".join([f"{head[start]}{therapist_id}" for start, therapist_id in found.starts])
    text = f"[{body}}}]\n" if body else "[]\n"
    return current_app.response_class(text, mimetype=current_app.json.mimetype)


@bp.post("/appointments")
@operation(
    "Book an appointment (a client for themself; staff for a named client)",
    tag="appointments",
    body=Booking,
    response=APPOINTMENT_SCHEMA,
    statuses=(201, 400, 401, 403, 404, 409, 422),
)
def post_appointment():
    actor = current_actor()
    booking = read_body(Booking)
    appointment = services.book_appointment(
        actor,
        service_id=booking.service_id,
        therapist_id=booking.therapist_id,
        start=booking.start,
        client_id=booking.client_id,
    )
    db.session.commit()
    return jsonify(appointment_json(appointment)), 201


@bp.get("/appointments")
@operation(
    "Appointments: own for clients and therapists, all for the owner and the front desk",
    tag="appointments",
    query={"from": DAY_QUERY, "to": DAY_QUERY, "therapist_id": ID_SCHEMA},
    response={"type": "array", "items": APPOINTMENT_SCHEMA},
    statuses=(401, 422),
)
def get_appointments():
    actor = current_actor()
    reader = query_reader()
    first = query_day(reader, "from", required=False)
    last = query_day(reader, "to", required=False)
    therapist_id = query_id(reader, "therapist_id", required=False)
    reader.check()
    rows = services.list_appointments(actor, first, last, therapist_id)
    return jsonify([appointment_json(a) for a in rows])


@bp.get("/appointments/<int:appointment_id>")
@operation("One appointment", tag="appointments", response=APPOINTMENT_SCHEMA, statuses=(401, 404))
def get_appointment(appointment_id: int):
    return jsonify(appointment_json(services.appointment_for(current_actor(), appointment_id)))


@bp.patch("/appointments/<int:appointment_id>")
@operation(
    "Reschedule (same rules as booking)",
    tag="appointments",
    body=Reschedule,
    response=APPOINTMENT_SCHEMA,
    statuses=(200, 400, 401, 404, 409, 422),
)
def patch_appointment(appointment_id: int):
    actor = current_actor()
    appointment = services.reschedule_appointment(actor, appointment_id, read_body(Reschedule).start)
    db.session.commit()
    return jsonify(appointment_json(appointment))


@bp.post("/appointments/<int:appointment_id>/cancel")
@operation(
    "Cancel an appointment; the slot is offered again at once",
    tag="appointments",
    body=Reason,
    response=APPOINTMENT_SCHEMA,
    statuses=(200, 400, 401, 404, 409, 422),
)
def cancel_appointment(appointment_id: int):
    actor = current_actor()
    appointment = services.cancel_appointment(actor, appointment_id, read_optional_body(Reason).reason)
    db.session.commit()
    return jsonify(appointment_json(appointment))


@bp.post("/appointments/<int:appointment_id>/no-show")
@operation(
    "Mark a no-show (staff)",
    tag="appointments",
    response=APPOINTMENT_SCHEMA,
    statuses=(200, 401, 403, 404, 409),
)
def no_show(appointment_id: int):
    appointment = services.mark_no_show(current_actor(), appointment_id)
    db.session.commit()
    return jsonify(appointment_json(appointment))


@bp.get("/therapists/<int:therapist_id>/calendar.ics")
@operation(
    "A therapist's iCalendar feed (that therapist, the owner, the front desk, or ?token= feed secret)",
    tag="appointments",
    query={"token": {"type": "string"}},
    statuses=(401, 404),
)
def therapist_calendar(therapist_id: int):
    token = request.args.get("token")
    actor = optional_actor()
    if token is None and actor is None:
        raise Unauthenticated()
    therapist = services.feed_therapist(actor, therapist_id, token)
    appointments = services.feed_appointments(therapist.id)
    body = calendar_bytes(appointments, name=f"{therapist.name} – appointments")
    record_feed_read(therapist, None if token is not None else actor)
    db.session.commit()  # the read's audit entry
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'inline; filename="therapist-{therapist.id}.ics"'},
    )
