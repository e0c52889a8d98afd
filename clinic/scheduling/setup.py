"""Setting the clinic up: services, therapists and their working hours and time off, and
each therapist's secret calendar feed address. Owner or schedule-editor only; the
lookups get_service and get_therapist are the 404s every other use case starts from.
"""

import secrets
from datetime import datetime, time

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import contains_eager

from clinic import access
from clinic.access import require_owner
from clinic.database import lock_therapist_schedule
from clinic.errors import Forbidden, NotFound, ValidationFailed
from clinic.extensions import db
from clinic.models import Appointment, AppointmentStatus, Service, Therapist, TimeOff, User, WorkingHours
from clinic.scheduling import slots
from clinic.scheduling.common import (
    MAX_BUFFER_MINUTES,
    MAX_DESCRIPTION_LENGTH,
    MAX_DURATION_MINUTES,
    check_instants,
)


def active_services() -> list[Service]:
    return list(db.session.scalars(select(Service).where(Service.is_active).order_by(Service.name)))


def _therapists_where(*conditions) -> list[Therapist]:
    return list(
        db.session.scalars(
            select(Therapist)
            .join(Therapist.user)
            .options(contains_eager(Therapist.user))
            .where(*conditions)
            .order_by(User.name, Therapist.id)
        )
    )


def active_therapists() -> list[Therapist]:
    return _therapists_where(User.is_disabled.is_(False))


def therapists_with_hours() -> list[Therapist]:
    """Active therapists with working hours: the others have no time a client could book."""
    return _therapists_where(
        User.is_disabled.is_(False), exists().where(WorkingHours.therapist_id == Therapist.id)
    )


def calendar_therapists(start: datetime, end: datetime | None = None) -> list[Therapist]:
    """Active therapists, and disabled ones with non-cancelled appointments starting in
    [start, end) (`end` None: from `start` on).

    Disabling an account does not cancel its visits: they stay on the clinic's calendar
    until the owner moves or cancels them.
    """
    still_booked = exists().where(
        Appointment.therapist_id == Therapist.id,
        Appointment.status != AppointmentStatus.CANCELLED,
        Appointment.starts_at >= start,
    )
    if end is not None:
        still_booked = still_booked.where(Appointment.starts_at < end)
    return _therapists_where(or_(User.is_disabled.is_(False), still_booked))


def get_service(service_id: int, *, active_only: bool = True) -> Service:
    service = db.session.get(Service, service_id)
    if service is None or (active_only and not service.is_active):
        raise NotFound("No such service.")
    return service


def get_therapist(therapist_id: int) -> Therapist:
    therapist = db.session.get(Therapist, therapist_id)
    if therapist is None or therapist.user.is_disabled:
        raise NotFound("No such therapist.")
    return therapist


def _check_service_fields(
    name: str,
    duration_minutes: int,
    price_cents: int,
    buffer_minutes: int,
    *,
    description: str = "",
    exclude_id: int | None = None,
) -> str:
    fields: dict[str, list[str]] = {}
    name = (name or "").strip()
    if len(description or "") > MAX_DESCRIPTION_LENGTH:
        fields["description"] = [f"Use at most {MAX_DESCRIPTION_LENGTH} characters."]
    same_name = select(func.count(Service.id)).where(func.lower(Service.name) == name.lower())
    if exclude_id is not None:
        same_name = same_name.where(Service.id != exclude_id)
    if not name:
        fields["name"] = ["Enter a name."]
    elif len(name) > 120:
        fields["name"] = ["Use at most 120 characters."]
    elif db.session.scalar(same_name):
        fields["name"] = ["A service with this name already exists."]
    if not 5 <= duration_minutes <= MAX_DURATION_MINUTES:
        fields["duration_minutes"] = [f"Must be between 5 and {MAX_DURATION_MINUTES} minutes."]
    if price_cents < 0:
        fields["price_cents"] = ["Must not be negative."]
    if not 0 <= buffer_minutes <= MAX_BUFFER_MINUTES:
        fields["buffer_minutes"] = [f"Must be between 0 and {MAX_BUFFER_MINUTES} minutes."]
    if fields:
        raise ValidationFailed(fields=fields)
    return name


def create_service(
    actor: User,
    *,
    name: str,
    duration_minutes: int,
    price_cents: int,
    buffer_minutes: int = 0,
    description: str = "",
) -> Service:
    require_owner(actor)
    description = (description or "").strip()
    name = _check_service_fields(name, duration_minutes, price_cents, buffer_minutes, description=description)
    service = Service(
        name=name, duration_minutes=duration_minutes, price_cents=price_cents, buffer_minutes=buffer_minutes,
        description=description,
    )
    db.session.add(service)
    db.session.flush()
    return service


def update_service(
    actor: User,
    service_id: int,
    *,
    name: str,
    duration_minutes: int,
    price_cents: int,
    buffer_minutes: int,
    is_active: bool = True,
    description: str | None = None,
) -> Service:
    """Change a service for future bookings; booked appointments keep their times, buffers
    and prices."""
    require_owner(actor)
    service = get_service(service_id, active_only=False)
    description = service.description if description is None else description.strip()
    service.name = _check_service_fields(
        name, duration_minutes, price_cents, buffer_minutes, description=description, exclude_id=service.id
    )
    service.description = description
    service.duration_minutes = duration_minutes
    service.price_cents = price_cents
    service.buffer_minutes = buffer_minutes
    service.is_active = is_active
    db.session.flush()
    return service


def all_services() -> list[Service]:
    return list(db.session.scalars(select(Service).order_by(Service.is_active.desc(), Service.name)))


def _require_schedule_editor(actor: User, therapist_id: int) -> Therapist:
    therapist = get_therapist(therapist_id)
    access.require_schedule_editor(actor, therapist.id)
    return therapist


def set_working_hours(
    actor: User, therapist_id: int, intervals: list[tuple[int, time, time]]
) -> list[WorkingHours]:
    """Replace the therapist's week with `intervals` (weekday, start, end), wall-clock time."""
    therapist = _require_schedule_editor(actor, therapist_id)
    hours = [slots.WeeklyHours(w, s, e) for w, s, e in intervals]
    problems = slots.weekly_hours_problems(hours)
    if problems:
        raise ValidationFailed(
            "Working hours must not overlap and must end after they start.",
            fields={f"[{i}]": [problem] for i, problem in sorted(problems.items())},
        )
    lock_therapist_schedule(therapist.id)
    therapist.working_hours.clear()
    db.session.flush()
    for h in sorted(hours, key=lambda h: (h.weekday, h.start)):
        therapist.working_hours.append(
            WorkingHours(therapist_id=therapist.id, weekday=h.weekday, starts_at=h.start, ends_at=h.end)
        )
    db.session.flush()
    return list(therapist.working_hours)


def add_time_off(
    actor: User, therapist_id: int, *, start: datetime, end: datetime, reason: str | None = None
) -> TimeOff:
    therapist = _require_schedule_editor(actor, therapist_id)
    check_instants(start=start, end=end)
    if end <= start:
        raise ValidationFailed(fields={"end": ["Must be after start."]})
    if reason is not None and len(reason) > 200:
        raise ValidationFailed(fields={"reason": ["Use at most 200 characters."]})
    lock_therapist_schedule(therapist.id)
    row = TimeOff(
        therapist_id=therapist.id, starts_at=start, ends_at=end, reason=(reason or "").strip() or None
    )
    db.session.add(row)
    db.session.flush()
    return row


def delete_time_off(actor: User, time_off_id: int) -> None:
    row = db.session.get(TimeOff, time_off_id)
    if row is None:
        raise NotFound("No such time off.")
    _require_schedule_editor(actor, row.therapist_id)
    db.session.delete(row)
    db.session.flush()


def feed_therapist(actor: User | None, therapist_id: int, token: str | None) -> Therapist:
    """The therapist whose calendar feed is asked for: by its secret address (no login), or
    by the therapist themself, the owner or the front desk. A disabled therapist has none."""
    therapist = db.session.get(Therapist, therapist_id)
    if token is not None:
        allowed = therapist is not None and secrets.compare_digest(
            token.encode("utf-8"), therapist.calendar_token.encode("utf-8")
        )
    else:
        allowed = therapist is not None and actor is not None and access.may_see_calendar(actor, therapist.id)
    if not allowed or therapist.user.is_disabled:
        raise NotFound("No such calendar.")
    return therapist


def renew_calendar_feed(actor: User) -> Therapist:
    """A new secret feed address for the therapist; the old one stops working at once
    (for a feed address that was shared by mistake)."""
    if not actor.is_therapist or actor.therapist is None:
        raise Forbidden("Only therapists have a calendar feed.")
    actor.therapist.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    return actor.therapist
