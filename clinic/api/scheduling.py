"""API routes: clinic setup, availability and appointments."""

from datetime import time

from flask import Response, current_app, jsonify, request

from clinic import clock
from clinic.api.blueprint import bp, current_actor, optional_actor, roles_required
from clinic.api.openapi import operation
from clinic.api.parsing import (
    ID_SCHEMA,
    OPTIONAL_REASON_BODY,
    Reader,
    json_array,
    json_object,
    optional_reason,
    query_day,
    query_id,
    query_reader,
)
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
    body={
        "type": "object",
        "required": ["name", "duration_minutes", "price_cents"],
        "properties": {k: v for k, v in SERVICE_SCHEMA["properties"].items() if k != "id"},
    },
    response=SERVICE_SCHEMA,
    statuses=(201, 400, 401, 403, 422),
)
@roles_required("owner")
def create_service():
    reader = Reader(json_object())
    name = reader.text("name", max_length=120)
    duration = reader.integer("duration_minutes", minimum=5, maximum=services.MAX_DURATION_MINUTES)
    price = reader.integer("price_cents", minimum=0, maximum=10_000_000)
    buffer = reader.integer("buffer_minutes", required=False, minimum=0, maximum=services.MAX_BUFFER_MINUTES)
    description = reader.text("description", required=False, max_length=services.MAX_DESCRIPTION_LENGTH,
                              allow_blank=True)
    reader.check()
    service = services.create_service(
        current_actor(), name=name, duration_minutes=duration, price_cents=price, buffer_minutes=buffer or 0,
        description=description or "",
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


def _parse_clock(reader: Reader, name: str) -> time | None:
    raw = reader.text(name, max_length=5)
    if raw is None:
        return None
    try:
        if len(raw) != 5 or raw[2] != ":":
            raise ValueError
        return time(int(raw[:2]), int(raw[3:]))
    except ValueError:
        reader.problem(name, "Must be a time as HH:MM (00:00-23:59).")
        return None


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
    body=HOURS_SCHEMA,
    response=HOURS_SCHEMA,
    statuses=(200, 400, 401, 403, 404, 422),
)
def put_working_hours(therapist_id: int):
    actor = current_actor()
    items = json_array()
    outer = Reader({})
    intervals = []
    if len(items) > 50:
        outer.problem("items", "At most 50 intervals.")
    for index, item in enumerate(items[:50]):
        if not isinstance(item, dict):
            outer.problem(f"[{index}]", "Must be an object with weekday, start and end.")
            continue
        reader = Reader(item, prefix=f"[{index}].")
        weekday = reader.integer("weekday", minimum=0, maximum=6)
        start = _parse_clock(reader, "start")
        end = _parse_clock(reader, "end")
        outer.errors.update(reader.errors)
        if not reader.errors:
            intervals.append((weekday, start, end))
    outer.check()
    rows = services.set_working_hours(actor, therapist_id, intervals)
    db.session.commit()
    return jsonify([hours_json(row) for row in rows])


@bp.post("/therapists/<int:therapist_id>/time-off")
@operation(
    "Add time off (owner, or that therapist); no slots are offered inside it",
    tag="setup",
    body={
        "type": "object",
        "required": ["start", "end"],
        "properties": {
            "start": {"type": "string", "format": "date-time"},
            "end": {"type": "string", "format": "date-time"},
            "reason": {"type": "string"},
        },
    },
    statuses=(201, 400, 401, 403, 404, 422),
)
def post_time_off(therapist_id: int):
    actor = current_actor()
    reader = Reader(json_object())
    start = reader.instant("start")
    end = reader.instant("end")
    reason = reader.text("reason", required=False, max_length=200)
    reader.check()
    row = services.add_time_off(actor, therapist_id, start=start, end=end, reason=reason)
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
    body={
        "type": "object",
        "required": ["service_id", "therapist_id", "start"],
        "properties": {
            "service_id": ID_SCHEMA,
            "therapist_id": ID_SCHEMA,
            "start": {"type": "string", "format": "date-time"},
            "client_id": ID_SCHEMA,
        },
    },
    response=APPOINTMENT_SCHEMA,
    statuses=(201, 400, 401, 403, 404, 409, 422),
)
def post_appointment():
    actor = current_actor()
    reader = Reader(json_object())
    service_id = reader.record_id("service_id")
    therapist_id = reader.record_id("therapist_id")
    start = reader.instant("start")
    client_id = reader.record_id("client_id", required=False)
    reader.check()
    appointment = services.book_appointment(
        actor, service_id=service_id, therapist_id=therapist_id, start=start, client_id=client_id
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
    body={"type": "object", "required": ["start"], "properties": {"start": {"type": "string"}}},
    response=APPOINTMENT_SCHEMA,
    statuses=(200, 400, 401, 404, 409, 422),
)
def patch_appointment(appointment_id: int):
    actor = current_actor()
    reader = Reader(json_object())
    start = reader.instant("start")
    reader.check()
    appointment = services.reschedule_appointment(actor, appointment_id, start)
    db.session.commit()
    return jsonify(appointment_json(appointment))


@bp.post("/appointments/<int:appointment_id>/cancel")
@operation(
    "Cancel an appointment; the slot is offered again at once",
    tag="appointments",
    body=OPTIONAL_REASON_BODY,
    response=APPOINTMENT_SCHEMA,
    statuses=(200, 400, 401, 404, 409, 422),
)
def cancel_appointment(appointment_id: int):
    actor = current_actor()
    reason = optional_reason()
    appointment = services.cancel_appointment(actor, appointment_id, reason)
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
