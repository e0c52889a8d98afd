from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from clinic import access, clock
from clinic.api.parsing import parse_day, parse_id, parse_instant
from clinic.auth.decorators import client_required, owner_required, role_required, staff_required
from clinic.clinic_settings.rules import major_units
from clinic.clinic_settings.services import clinic_profile
from clinic.errors import BookingConflict, DomainError
from clinic.extensions import db
from clinic.home.panels import client_panel, dashboard_panel, nav_link, own_record_panel
from clinic.intake.services import has_intake
from clinic.intake.status import REQUIRED, clearance_status, clearance_summaries
from clinic.models import Appointment, AppointmentStatus, Client, Therapist, TimeOff, User
from clinic.scheduling import forms, services, timegrid
from clinic.scheduling.ical import calendar_bytes
from clinic.scheduling.open_times import by_day_part, open_times
from clinic.scheduling.slots import overlaps

bp = Blueprint("scheduling", __name__)

nav_link("Book", "scheduling.book", roles=("client",), order=10)
nav_link("My appointments", "scheduling.my_appointments", roles=("client",), order=20)
nav_link("Calendar", "scheduling.calendar", roles=("therapist", "owner", "front_desk"), order=10)
nav_link("Book for a client", "scheduling.staff_book", roles=("therapist", "owner", "front_desk"), order=15)
nav_link("My hours", "scheduling.my_hours", roles=("therapist",), order=80)
nav_link("Setup", "scheduling.setup", roles=("owner",), order=80)

DAYS_SHOWN = 7


@bp.app_template_filter("sched_time")
def _time_filter(instant: datetime) -> str:
    return clock.to_local(instant).strftime("%H:%M")


@bp.app_template_filter("sched_when")
def _when_filter(instant: datetime) -> str:
    return clock.to_local(instant).strftime("%a %d %b %Y, %H:%M")


@bp.app_template_filter("sched_local_date")
def _local_date_filter(instant: datetime) -> date:
    return clock.to_local(instant).date()


@bp.app_template_filter("sched_iso_day")
def _iso_day_filter(instant: datetime) -> str:
    return clock.to_local(instant).date().isoformat()


@bp.app_template_filter("sched_day")
def _day_filter(day: date) -> str:
    return day.strftime("%a %d %b %Y")


@bp.app_template_filter("sched_money")
def _money_filter(cents: int) -> str:
    return clinic_profile().money(cents)


def _day_arg(name: str = "day") -> date:
    day = parse_day(request.args.get(name))
    if day is None or not services.EARLIEST_DAY <= day <= services.LATEST_DAY:
        return clock.today()
    return day


def _describe(error: DomainError) -> str:
    if error.fields:
        return " ".join(problem for problems in error.fields.values() for problem in problems)
    return error.message


def _local(day: date, wall_clock: time) -> datetime:
    """The instant of a clinic wall-clock time; a day beyond the calendar is a field error."""
    services.check_days(day=day)
    return clock.local_datetime(day, wall_clock)


def _day_strip(day: date) -> list[date]:
    """Links to nearby days for the day picker, never before today."""
    days = (day + timedelta(days=i) for i in range(-3, DAYS_SHOWN))
    return [d for d in days if d >= clock.today()]


def _int_arg(name: str) -> int | None:
    return parse_id(request.args.get(name))


# -- clients: booking ----------------------------------------------------------------------


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


# -- one appointment -----------------------------------------------------------------------


@bp.get("/appointments/<int:appointment_id>")
@login_required
def appointment(appointment_id: int):
    item = services.appointment_for(current_user, appointment_id)
    summary = clearance_summaries([item.client_id], clock.today())[item.client_id]
    return render_template(
        "scheduling/appointment.html", item=item, summary=summary,
        action_form=forms.ActionForm(),
        client_may_change=not services.inside_cancellation_notice(item),
        started=item.starts_at <= clock.now(),
    )


@bp.get("/appointments/<int:appointment_id>/calendar.ics")
@login_required
def appointment_ics(appointment_id: int):
    item = services.appointment_for(current_user, appointment_id)
    body = calendar_bytes([item], name="Massage appointment",
                          summary=lambda a: f"{a.service.name} with {a.therapist.name}")
    return body, 200, {
        "Content-Type": "text/calendar; charset=utf-8",
        "Content-Disposition": f'attachment; filename="appointment-{item.id}.ics"',
    }


@bp.get("/appointments/<int:appointment_id>/cancel")
@login_required
def confirm_cancel(appointment_id: int):
    item = services.appointment_for(current_user, appointment_id)
    if item.status != AppointmentStatus.BOOKED:
        return redirect(url_for(".appointment", appointment_id=item.id))
    return render_template("scheduling/confirm_cancel.html", item=item, form=forms.CancelForm(),
                           late=services.inside_cancellation_notice(item))


@bp.get("/appointments/<int:appointment_id>/reschedule/confirm")
@login_required
def confirm_reschedule(appointment_id: int):
    """The step between choosing a new time and moving: what changes, and the notice policy."""
    item = services.appointment_for(current_user, appointment_id)
    if item.status != AppointmentStatus.BOOKED:
        return redirect(url_for(".appointment", appointment_id=item.id))
    if current_user.is_client:
        start = parse_instant(request.args.get("start", ""))
        if start is None:
            return redirect(url_for(".reschedule", appointment_id=item.id))
        fields = {"start": start.isoformat()}
    else:
        form = forms.RescheduleForm(formdata=request.args, meta={"csrf": False})
        start = None
        if form.validate():
            try:
                start = _local(form.day.data, form.start_time.data)
            except DomainError as error:
                form.start_time.errors.append(_describe(error))
        if start is None:
            return render_template("scheduling/reschedule_staff.html", item=item, form=form)
        fields = {"day": form.day.data.isoformat(), "start_time": form.start_time.data.strftime("%H:%M")}
    return render_template("scheduling/confirm_reschedule.html", item=item, start=start, fields=fields,
                           late=services.inside_cancellation_notice(item))


@bp.post("/appointments/<int:appointment_id>/cancel")
@login_required
def cancel(appointment_id: int):
    services.appointment_for(current_user, appointment_id)  # 404 when not yours
    form = forms.CancelForm()
    if form.validate_on_submit():
        try:
            services.cancel_appointment(current_user, appointment_id, form.reason.data)
            db.session.commit()
            flash("The appointment is cancelled.", "success")
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "warning")
    return redirect(url_for(".appointment", appointment_id=appointment_id))


@bp.post("/appointments/<int:appointment_id>/no-show")
@staff_required
def no_show(appointment_id: int):
    services.appointment_for(current_user, appointment_id)  # 404 when not yours
    if forms.ActionForm().validate_on_submit():
        try:
            services.mark_no_show(current_user, appointment_id)
            db.session.commit()
            flash("Marked as a no-show.", "success")
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "warning")
    return redirect(url_for(".appointment", appointment_id=appointment_id))


@bp.route("/appointments/<int:appointment_id>/reschedule", methods=["GET", "POST"])
@login_required
def reschedule(appointment_id: int):
    item = services.appointment_for(current_user, appointment_id)
    if current_user.is_client:
        return _client_reschedule(item)
    local = clock.to_local(item.starts_at)
    form = forms.RescheduleForm(day=local.date(), start_time=local.time())
    if form.validate_on_submit():
        try:
            start = _local(form.day.data, form.start_time.data)
            services.reschedule_appointment(current_user, item.id, start)
            db.session.commit()
            flash("The appointment is moved.", "success")
            return redirect(url_for(".appointment", appointment_id=item.id))
        except DomainError as error:
            db.session.rollback()
            form.start_time.errors.append(_describe(error))
    return render_template("scheduling/reschedule_staff.html", item=item, form=form)


def _client_reschedule(item: Appointment):
    form = forms.SlotRescheduleForm()
    if form.validate_on_submit():
        start = parse_instant(form.start.data)
        try:
            if start is None:
                raise BookingConflict("Choose one of the times shown.")
            services.reschedule_appointment(current_user, item.id, start)
            db.session.commit()
            flash("Your appointment is moved.", "success")
            return redirect(url_for(".appointment", appointment_id=item.id))
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "warning")
    if clearance_status(item.client, clock.today()) == REQUIRED:
        return render_template("scheduling/reschedule_client.html", item=item, held=True)
    if item.therapist.user.is_disabled:
        return render_template("scheduling/reschedule_client.html", item=item, therapist_gone=True)
    current_day = clock.to_local(item.starts_at).date()
    day = max(_day_arg() if request.args.get("day") else current_day, clock.today())
    too_late = services.inside_cancellation_notice(item)
    starts = []
    if item.status == AppointmentStatus.BOOKED and not too_late:
        slots = _client_free(item.client, services.availability(
            item.service_id, day, day, item.therapist_id, ignore_appointment_id=item.id
        ), day, moving=item.id)
        starts = [(slot.start, False) for slot in slots if slot.start != item.starts_at]
        if day == current_day:
            starts = sorted([*starts, (item.starts_at, True)])
    return render_template("scheduling/reschedule_client.html", item=item, starts=starts, day=day,
                           days=_day_strip(day), form=form, too_late=too_late)


# -- staff ---------------------------------------------------------------------------------


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


def _calendar_rows(therapist_ids: list[int], first: date, last: date) -> tuple[list[Appointment], dict]:
    start, end = clock.day_range(first, last)
    rows = services.appointments_between(therapist_ids, start, end)
    summaries = clearance_summaries({a.client_id for a in rows}, clock.today())
    return rows, summaries


@dataclass(frozen=True)
class TimeOffBlock:
    """Time off as one local day of the calendar shows it."""

    starts_at: datetime
    when: str
    reason: str | None


def _time_off_block(off: TimeOff, day_start: datetime, day_end: datetime) -> TimeOffBlock:
    starts, ends = max(off.starts_at, day_start), min(off.ends_at, day_end)
    if starts == day_start and ends == day_end:
        when = "All day"
    elif ends == day_end:
        when = f"From {_time_filter(starts)}"
    elif starts == day_start:
        when = f"Until {_time_filter(ends)}"
    else:
        when = f"{_time_filter(starts)}–{_time_filter(ends)}"
    return TimeOffBlock(starts, when, off.reason)


def _day_entries(day: date, appointments, time_off) -> list[tuple[str, object]]:
    """One column of a calendar: a day's appointments and time off, in time order, and on
    today's the current time (the agenda's counterpart of the grid's line)."""
    day_start, day_end = clock.day_range(day, day)
    entries = [(a.starts_at, 1, "appointment", a) for a in appointments]
    now = clock.now()
    if day_start <= now < day_end:
        entries.append((now, 2, "now", now))
    entries += [
        (block.starts_at, 0, "time_off", block)
        for block in (_time_off_block(off, day_start, day_end) for off in time_off
                      if off.starts_at < day_end and off.ends_at > day_start)
    ]
    return [(kind, entry) for _start, _order, kind, entry in sorted(entries, key=lambda e: e[:2])]


def _calendar_grid(therapists, days: list[date], appointments, time_off) -> tuple[tuple[int, int], dict]:
    """Each (therapist id, day) laid out on the quarter-hour grid, all sharing one window of
    rows; free quarter-hours (from now on) only for therapists who can still be booked."""
    zone, now = clock.clinic_zone(), clock.now()
    ids = [t.id for t in therapists]
    bookable = [t.id for t in therapists if not t.user.is_disabled]
    times = services.calendar_time(ids, days[0], days[-1], bookable=bookable, not_before=now)
    live = [a for a in appointments if a.status != AppointmentStatus.CANCELLED]
    spans = {tid: [timegrid.Span(a.starts_at, a.ends_at, a, a.buffer_minutes) for a in live
                   if a.therapist_id == tid] for tid in ids}
    off = {(tid, day): [timegrid.Span(o.starts_at, o.ends_at, _time_off_block(o, *clock.day_range(day, day)))
                        for o in time_off if o.therapist_id == tid] for tid in ids for day in days}
    hours = {tid: [timegrid.Span(i.start, i.end) for i in times[tid].hours] for tid in ids}
    rows = timegrid.window(days, zone, hours=[h for each in hours.values() for h in each],
                           appointments=[a for each in spans.values() for a in each])
    columns = {
        (tid, day): timegrid.column(day, zone, rows, hours=hours[tid], appointments=spans[tid],
                                    time_off=off[(tid, day)], free=times[tid].free, now=now)
        for tid in ids for day in days
    }
    return rows, columns


@bp.get("/calendar")
@staff_required
def calendar():
    day = _day_arg()
    start, end = clock.day_range(day, day)
    if access.sees_everyone(current_user):
        therapists = services.calendar_therapists(start, end)
    else:
        therapists = [services.get_therapist(current_user.id)]
    ids = [t.id for t in therapists]
    rows, summaries = _calendar_rows(ids, day, day)
    time_off = services.time_off_between(ids, start, end)
    window, grid = _calendar_grid(therapists, [day], rows, time_off)
    columns = [
        (t, _day_entries(day, [a for a in rows if a.therapist_id == t.id],
                         [o for o in time_off if o.therapist_id == t.id]), grid[(t.id, day)])
        for t in therapists
    ]
    return render_template("scheduling/calendar_day.html", day=day, columns=columns, summaries=summaries,
                           hours=timegrid.hour_labels(window), cancelled=_cancelled(rows),
                           today=clock.today(), now=clock.now(),
                           prev_day=day - timedelta(days=1), next_day=day + timedelta(days=1))


def _cancelled(rows: list[Appointment]) -> list[Appointment]:
    """Cancelled visits are listed under the grid: their time is free again."""
    return [a for a in rows if a.status == AppointmentStatus.CANCELLED]


@bp.get("/calendar/week")
@staff_required
def calendar_week():
    day = _day_arg()
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=i) for i in range(7)]
    start, end = clock.day_range(days[0], days[-1])
    therapist_id = _int_arg("therapist_id") if access.sees_everyone(current_user) else current_user.id
    therapists = services.calendar_therapists(start)
    if therapist_id is None and therapists:
        therapist_id = therapists[0].id
    therapist = db.session.get(Therapist, therapist_id) if therapist_id else None
    if therapist is None or not access.may_see_calendar(current_user, therapist.id):
        abort(404)
    if therapist not in therapists:
        therapists.append(therapist)
    rows, summaries = _calendar_rows([therapist.id], days[0], days[-1])
    time_off = services.time_off_between([therapist.id], start, end)
    window, grid = _calendar_grid([therapist], days, rows, time_off)
    by_day = [(d, _day_entries(d, [a for a in rows if clock.to_local(a.starts_at).date() == d], time_off),
               grid[(therapist.id, d)]) for d in days]
    return render_template("scheduling/calendar_week.html", therapist=therapist, therapists=therapists,
                           by_day=by_day, summaries=summaries, hours=timegrid.hour_labels(window),
                           cancelled=_cancelled(rows), today=clock.today(), now=clock.now(),
                           prev_week=monday - timedelta(days=7), next_week=monday + timedelta(days=7))


# -- setup ---------------------------------------------------------------------------------


def _attach_service_error(form, error: DomainError) -> None:
    """A refused service beside the fields it names; a refusal without fields beside the name."""
    for name, problems in (error.fields or {"name": [error.message]}).items():
        getattr(form, name, form.name).errors.extend(problems)


@bp.route("/setup", methods=["GET", "POST"])
@owner_required
def setup():
    form = forms.ServiceForm(currency=clinic_profile().currency)
    if form.validate_on_submit():
        try:
            services.create_service(
                current_user, name=form.name.data, duration_minutes=form.duration_minutes.data,
                price_cents=form.price_cents(), buffer_minutes=form.buffer_minutes.data,
                description=form.description.data or "",
            )
            db.session.commit()
            flash("Service added.", "success")
            return redirect(url_for(".setup"))
        except DomainError as error:
            db.session.rollback()
            _attach_service_error(form, error)
    return render_template("scheduling/setup.html", form=form, services=services.all_services(),
                           therapists=services.active_therapists())


@bp.route("/setup/services/<int:service_id>", methods=["GET", "POST"])
@owner_required
def edit_service(service_id: int):
    service = services.get_service(service_id, active_only=False)
    currency = clinic_profile().currency
    form = forms.EditServiceForm(obj=service, price=major_units(service.price_cents, currency),
                                 currency=currency)
    if form.validate_on_submit():
        try:
            services.update_service(
                current_user, service.id, name=form.name.data, duration_minutes=form.duration_minutes.data,
                price_cents=form.price_cents(), buffer_minutes=form.buffer_minutes.data,
                is_active=form.is_active.data, description=form.description.data or "",
            )
            db.session.commit()
            flash("Service saved.", "success")
            return redirect(url_for(".setup"))
        except DomainError as error:
            db.session.rollback()
            _attach_service_error(form, error)
    return render_template("scheduling/edit_service.html", form=form, service=service)


@bp.post("/account/calendar-feed")
@role_required("therapist")
def renew_feed():
    if forms.ActionForm().validate_on_submit():
        services.renew_calendar_feed(current_user)
        db.session.commit()
        flash("Your calendar feed has a new address: give it to your calendar app. "
              "The old address no longer works.", "success")
    return redirect(url_for("auth.account"))


@bp.get("/my-hours")
@role_required("therapist")
def my_hours():
    return redirect(url_for(".therapist_setup", therapist_id=current_user.id))


def _editable_therapist(therapist_id: int) -> Therapist:
    if not access.may_edit_schedule(current_user, therapist_id):
        abort(404)
    return services.get_therapist(therapist_id)


@bp.route("/setup/therapists/<int:therapist_id>", methods=["GET", "POST"])
@staff_required
def therapist_setup(therapist_id: int):
    therapist = _editable_therapist(therapist_id)
    form = forms.WorkingHoursForm()
    if request.method == "GET":
        _fill_hours(form, therapist)
    elif form.validate_on_submit():
        try:
            services.set_working_hours(current_user, therapist.id, form.intervals())
            db.session.commit()
            flash("Working hours saved.", "success")
            return redirect(url_for(".therapist_setup", therapist_id=therapist.id))
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "warning")
    return _therapist_page(therapist, form, forms.TimeOffForm(formdata=None))


def _fill_hours(form: forms.WorkingHoursForm, therapist: Therapist) -> None:
    used: dict[int, int] = {}
    for row in therapist.working_hours:
        slot = used.get(row.weekday, 0)
        if slot < forms.INTERVALS_PER_DAY:
            form[f"d{row.weekday}_{slot}_start"].data = row.starts_at
            form[f"d{row.weekday}_{slot}_end"].data = row.ends_at
        used[row.weekday] = slot + 1


def _therapist_page(therapist, hours_form, off_form):
    upcoming_off = db.session.scalars(
        select(TimeOff).where(TimeOff.therapist_id == therapist.id, TimeOff.ends_at > clock.now())
        .order_by(TimeOff.starts_at)
    ).all()
    return render_template("scheduling/therapist_setup.html", therapist=therapist, form=hours_form,
                           off_form=off_form, time_off=upcoming_off, action_form=forms.ActionForm(),
                           booked_during=services.booked_during(upcoming_off))


@bp.post("/setup/therapists/<int:therapist_id>/time-off")
@staff_required
def add_time_off(therapist_id: int):
    therapist = _editable_therapist(therapist_id)
    form = forms.TimeOffForm()
    if form.validate_on_submit():
        try:
            row = services.add_time_off(
                current_user, therapist.id,
                start=_local(form.start_day.data, form.start_time.data or time(0)),
                end=_local(form.end_day.data, form.end_time.data or time(0)),
                reason=form.reason.data,
            )
            booked = services.booked_during([row])[row.id]
            db.session.commit()
            _flash_time_off_added(booked)
            return redirect(url_for(".therapist_setup", therapist_id=therapist.id))
        except DomainError as error:
            db.session.rollback()
            form.end_time.errors.append(_describe(error))
    hours_form = forms.WorkingHoursForm(formdata=None)
    _fill_hours(hours_form, therapist)
    return _therapist_page(therapist, hours_form, form)


def _flash_time_off_added(booked: list[Appointment]) -> None:
    if not booked:
        flash("Time off added.", "success")
        return
    visits = f"{len(booked)} booked appointment{'' if len(booked) == 1 else 's'}"
    flash(f"Time off added, but {visits} fall{'s' if len(booked) == 1 else ''} inside it. "
          "Clients still expect them: move or cancel each one (listed under Time off).", "warning")


@bp.post("/setup/time-off/<int:time_off_id>/delete")
@staff_required
def delete_time_off(time_off_id: int):
    row = db.session.get(TimeOff, time_off_id)
    if row is None:
        abort(404)
    therapist_id = row.therapist_id
    if forms.ActionForm().validate_on_submit():
        try:
            services.delete_time_off(current_user, time_off_id)
            db.session.commit()
            flash("Time off removed.", "success")
        except DomainError:
            db.session.rollback()
            abort(404)
    return redirect(url_for(".therapist_setup", therapist_id=therapist_id))


# -- landing-page panels -------------------------------------------------------------------


@dashboard_panel("client", order=10)
def upcoming_panel(user: User):
    if user.client is None:
        return None
    return render_template("scheduling/_upcoming_panel.html",
                           upcoming=services.upcoming_for_client(user.client, limit=5))


@dashboard_panel("therapist", order=10)
def today_panel(user: User):
    today = clock.today()
    rows, summaries = _calendar_rows([user.id], today, today)
    return render_template("scheduling/_today_panel.html", rows=rows, summaries=summaries, day=today)


@own_record_panel(order=20)
@client_panel(order=10)
def client_appointments_panel(viewer: User, client: Client):
    query = (
        services.visible_appointments_query(viewer)
        .options(*services.SHOWN_WITH)
        .where(Appointment.client_id == client.id)
    )
    now = clock.now()
    upcoming = db.session.scalars(
        query.where(Appointment.ends_at > now, Appointment.status == AppointmentStatus.BOOKED)
        .order_by(Appointment.starts_at).limit(10)
    ).all()
    recent = db.session.scalars(  # a visit under way is still upcoming, not yet recent
        query.where(Appointment.ends_at <= now).order_by(Appointment.starts_at.desc()).limit(5)
    ).all()
    return render_template("scheduling/_client_panel.html", client=client, upcoming=upcoming, recent=recent,
                           viewer=viewer)


@dashboard_panel("owner", "front_desk", order=10)
def clinic_today_panel(user: User):
    today = clock.today()
    start, end = clock.day_range(today, today)
    therapists = services.calendar_therapists(start, end)
    rows = services.appointments_between([t.id for t in therapists], start, end)
    live = [a for a in rows if a.status != AppointmentStatus.CANCELLED]
    counts = {t.id: sum(1 for a in live if a.therapist_id == t.id) for t in therapists}
    return render_template("scheduling/_clinic_today_panel.html", therapists=therapists, counts=counts,
                           total=len(live), day=today)
