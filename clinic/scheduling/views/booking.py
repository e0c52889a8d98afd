"""Booking pages: a client booking online (choose, confirm, book) and their list of
appointments, and the staff form that books for any client.
"""

from datetime import date, datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clinic import clock
from clinic.auth.decorators import client_required, staff_required
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.intake.services import has_intake
from clinic.intake.status import REQUIRED, clearance_status
from clinic.models import Client, Therapist
from clinic.parsing import parse_id, parse_instant
from clinic.scheduling import forms, services
from clinic.scheduling.open_times import by_day_part, open_times
from clinic.scheduling.slots import overlaps
from clinic.scheduling.views.base import _day_arg, _day_strip, _describe, _int_arg, _local, bp


def _intake_missing(client: Client | None) -> bool:
    """Online booking waits for a health intake, so red flags are screened before a first visit.

    Pages only: the API contract lets a client without an intake book.
    """
    return client is None or not has_intake(client.id)


@bp.get("/book")
@client_required
def book():
    client = current_user.client
    if client is None:
        abort(404)
    if clearance_status(client, clock.today()) == REQUIRED:
        return render_template("scheduling/book_held.html")
    if _intake_missing(client):
        chosen = {name: value for name, value in request.args.items()
                  if name in ("service_id", "therapist_id", "day")}
        return render_template("scheduling/book_intake_needed.html", client=client,
                               back=url_for(".book", **chosen))
    service_id, therapist_id, day = _int_arg("service_id"), _int_arg("therapist_id"), _day_arg()
    day = max(day, clock.today())
    context = {"services": services.active_services(), "therapists": services.therapists_with_hours(),
               "service": None, "day": day, "therapist_id": therapist_id, "slots": []}
    if service_id is not None:
        try:
            context["service"] = services.get_service(service_id)
            context["slots"] = services.availability(service_id, day, day, therapist_id)
        except DomainError as error:
            flash(error.message, "warning")
            return redirect(url_for(".book"))
    context["days"] = _day_strip(day)
    context["names"] = {t.id: t.name for t in context["therapists"]}
    times = open_times(((s.therapist_id, s.start) for s in _client_free(client, context["slots"], day)),
                       clock.clinic_zone(), [t.id for t in context["therapists"]])
    context["day_parts"] = by_day_part(times)
    return render_template("scheduling/book.html", **context)


def _client_free(client: Client, slots: list, day: date, moving: int | None = None) -> list:
    """Leave out times the client is in another visit: they would only be refused on confirming."""
    if not slots:
        return slots
    mine = services.client_visit_times(client.id, *clock.day_range(day, day + timedelta(days=1)),
                                       ignore_appointment_id=moving)
    return [s for s in slots if not any(overlaps(s.start, s.end, *visit) for visit in mine)]


@bp.get("/book/confirm")
@client_required
def confirm():
    service_id, therapist_id = _int_arg("service_id"), _int_arg("therapist_id")
    start = parse_instant(request.args.get("start", ""))
    if service_id is None or therapist_id is None or start is None or _intake_missing(current_user.client):
        return redirect(url_for(".book"))
    service, therapist = services.get_service(service_id), services.get_therapist(therapist_id)
    form = forms.ConfirmBookingForm(service_id=service.id, therapist_id=therapist.id, start=start.isoformat())
    choices = [therapist]
    if request.args.get("any"):
        choices = _free_at(service.id, start, first=therapist)
    return render_template(
        "scheduling/confirm.html", form=form, service=service, therapist=therapist, start=start,
        choices=choices,
    )


def _free_at(service_id: int, start: datetime, *, first: Therapist) -> list[Therapist]:
    """Every therapist a client could book at `start`, the one offered by default first."""
    day = clock.to_local(start).date()
    free = {slot.therapist_id for slot in services.availability(service_id, day, day) if slot.start == start}
    others = [t for t in services.therapists_with_hours() if t.id in free and t.id != first.id]
    return [first, *others]


@bp.post("/book")
@client_required
def book_post():
    form = forms.ConfirmBookingForm()
    start = parse_instant(form.start.data or "")
    service_id, therapist_id = parse_id(str(form.service_id.data)), parse_id(str(form.therapist_id.data))
    if not (form.validate_on_submit() and start and service_id and therapist_id):
        return redirect(url_for(".book"))
    if _intake_missing(current_user.client):
        flash("Please fill in your health intake before booking.", "warning")
        return redirect(url_for(".book"))
    try:
        appointment = services.book_appointment(
            current_user, service_id=service_id, therapist_id=therapist_id, start=start
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(url_for(".book", service_id=form.service_id.data, therapist_id=form.therapist_id.data,
                                day=clock.to_local(start).date().isoformat()))
    db.session.commit()
    flash("Your appointment is booked.", "success")
    return redirect(url_for(".appointment", appointment_id=appointment.id))


@bp.get("/my-appointments")
@client_required
def my_appointments():
    if current_user.client is None:
        abort(404)
    upcoming = services.upcoming_for_client(current_user.client, limit=100)
    past = services.list_appointments(current_user, None, clock.today(), shown=True)
    past = [a for a in past if a not in upcoming][-20:][::-1]
    return render_template("scheduling/my_appointments.html", upcoming=upcoming, past=past)


@bp.route("/appointments/new", methods=["GET", "POST"])
@staff_required
def staff_book():
    search = request.args.get("q", "").strip()[:100]
    form = forms.StaffBookingForm(
        client_id=_int_arg("client_id"), therapist_id=_int_arg("therapist_id"), day=_day_arg(),
        service_id=_int_arg("service_id"), start_time=_time_arg("start_time"),
    )
    clients, more_clients = _client_choices(search)
    forms.fill_staff_choices(
        form, actor=current_user, clients=clients,
        services=services.active_services(), therapists=services.active_therapists(),
    )
    if "show_times" not in request.form and form.validate_on_submit():
        try:
            item = services.book_appointment(
                current_user, service_id=form.service_id.data, therapist_id=form.therapist_id.data,
                start=_local(form.day.data, form.start_time.data),
                client_id=form.client_id.data,
            )
            db.session.commit()
            flash("Appointment booked.", "success")
            return redirect(url_for(".appointment", appointment_id=item.id))
        except DomainError as error:
            db.session.rollback()
            if error.status == 404:
                raise
            form.start_time.errors.append(_describe(error))
    open_times = services.staff_open_times(forms.chosen(form.service_id), forms.chosen(form.therapist_id),
                                           form.day.data)
    return render_template("scheduling/staff_book.html", form=form, search=search, more_clients=more_clients,
                           open_times=open_times)


def _time_arg(name: str) -> time | None:
    try:
        return datetime.strptime(request.args.get(name, ""), "%H:%M").time()
    except ValueError:
        return None


def _client_choices(search: str) -> tuple[list[Client], bool]:
    source = request.form if request.method == "POST" else request.args
    return services.client_choices(current_user, search, parse_id(source.get("client_id")))
