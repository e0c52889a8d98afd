from datetime import datetime, time

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from clinic import access, clock
from clinic.auth.decorators import staff_required
from clinic.care_plans import forms, reading, services
from clinic.errors import DomainError, ScheduleConflict
from clinic.extensions import db
from clinic.formatting import local_datetime
from clinic.home.panels import client_panel, nav_link, own_record_panel
from clinic.models import AppointmentStatus
from clinic.parsing import parse_day, parse_id, parse_instant
from clinic.records.services import read_care_plan
from clinic.scheduling import services as scheduling
from clinic.scheduling.forms import chosen, fill_staff_choices

bp = Blueprint("care_plans", __name__, url_prefix="/care-plans")

nav_link("Care plans", "care_plans.index", roles=("owner", "therapist", "front_desk", "client"), order=40)


def _fill_choices(form: forms.PlanForm, search: str) -> bool:
    """Fill the choices; True when more clients match the search than are listed."""
    source = request.form if request.method == "POST" else request.args
    clients, more_clients = scheduling.client_choices(current_user, search, parse_id(source.get("client_id")))
    fill_staff_choices(
        form, actor=current_user, clients=clients,
        services=scheduling.active_services(), therapists=scheduling.active_therapists(),
    )
    return more_clients


@bp.get("/")
@login_required
def index():
    plans = reading.plans_for(current_user)
    phases = reading.phases_for(plans)
    return render_template("care_plans/index.html", plans=plans, phases=phases)


def _prefill() -> dict:
    """A plan form's fields from the query string (an open time's link keeps the others)."""
    args = request.args
    values = {
        "client_id": parse_id(args.get("client_id")),
        "therapist_id": parse_id(args.get("therapist_id")),
        "service_id": parse_id(args.get("service_id")),
        "first_day": parse_day(args.get("first_day")),
        "first_time": _wall_clock(args.get("first_time", "")),
        "weekly_sessions": args.get("weekly_sessions", type=int),
        "maintenance_sessions": args.get("maintenance_sessions", type=int),
    }
    return {name: value for name, value in values.items() if value is not None}


def _wall_clock(text: str) -> time | None:
    try:
        return datetime.strptime(text, "%H:%M").time()
    except ValueError:
        return None


def _course(form: forms.PlanForm) -> dict:
    return {
        "client_id": form.client_id.data,
        "therapist_id": form.therapist_id.data,
        "service_id": form.service_id.data,
        "first_start": clock.local_datetime(form.first_day.data, form.first_time.data),
        "weekly_sessions": form.weekly_sessions.data,
        "maintenance_sessions": form.maintenance_sessions.data,
    }


def _attach_error(form: forms.PlanForm, error: DomainError) -> None:
    for name, problems in (error.fields or {}).items():
        # The service speaks of the first start; the form asks for its day and time.
        field = form.first_time
        if name == "first_start":
            field = form.first_day
        elif name in form:
            field = form[name]
        field.errors = [*field.errors, *problems]
    if not error.fields:
        form.first_time.errors = [error.message]


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    search = request.args.get("q", "").strip()[:100]
    form = forms.PlanForm(**_prefill())
    more_clients = _fill_choices(form, search)
    conflict = preview = None
    if form.validate_on_submit():
        try:
            if request.form.get("action") == "preview":
                preview = services.preview_care_plan(current_user, **_course(form))
            else:
                plan = services.create_care_plan(current_user, **_course(form))
                db.session.commit()
                flash(f"Care plan booked: {len(plan.appointments)} sessions.", "success")
                return redirect(url_for(".show", plan_id=plan.id))
        except ScheduleConflict as error:
            db.session.rollback()
            conflict = error
        except DomainError as error:
            db.session.rollback()
            if error.status == 404:
                raise
            _attach_error(form, error)
    status = 409 if conflict else (422 if form.is_submitted() and preview is None else 200)
    open_times = scheduling.staff_open_times(
        chosen(form.service_id), chosen(form.therapist_id), form.first_day.data
    )
    return render_template(
        "care_plans/new.html", form=form, conflict=conflict, search=search, more_clients=more_clients,
        preview=preview, open_times=open_times,
    ), status


def _show(plan, *, status=200, extend_form=None, offers=None, cancelled=None, too_late=None):
    clinical = access.may_see_plan_progress(current_user, plan)
    overview = reading.plan_overview(plan, with_notes=clinical)
    return render_template(
        "care_plans/show.html",
        overview=overview,
        plan=plan,
        clinical=clinical,
        can_change=access.may_change_plan(current_user, plan),
        is_plan_client=current_user.is_client,
        extend_form=extend_form or forms.ExtendForm(),
        reason_form=forms.ReasonForm(),
        rebook_form=forms.RebookForm(),
        offers=offers,
        cancelled=cancelled,
        too_late=too_late,
    ), status


def _refused(plan, error: DomainError):
    """Roll back a refused change and show the plan with the reason; a 404 stays a 404."""
    db.session.rollback()
    if error.status == 404:
        raise error
    flash(error.message, "error")
    return _show(plan, status=error.status)


@bp.get("/<int:plan_id>")
@login_required
def show(plan_id: int):
    page = _show(read_care_plan(current_user, plan_id))
    db.session.commit()  # the read's audit entry
    return page


def _confirm_cancelling(plan, *, ending: bool):
    """The step before cancelling many sessions: what goes, and what the notice period keeps."""
    now = clock.now()
    ahead = [
        a for a in reading.plan_appointments(plan)
        if a.status == AppointmentStatus.BOOKED and a.starts_at > now
    ]
    if plan.ended_at is not None or not ahead:
        flash("This care plan has no sessions left to cancel.", "error")
        return redirect(url_for(".show", plan_id=plan.id))
    late = [a for a in ahead if scheduling.inside_cancellation_notice(a)]
    too_late = late if current_user.is_client else []
    return render_template(
        "care_plans/confirm_cancel.html",
        plan=plan,
        ending=ending,
        to_cancel=[a for a in ahead if a not in too_late],
        late=late,
        too_late=too_late,
        reason_form=forms.ReasonForm(),
    )


@bp.get("/<int:plan_id>/end")
@staff_required
def confirm_end(plan_id: int):
    return _confirm_cancelling(access.plan_to_change(current_user, plan_id), ending=True)


@bp.post("/<int:plan_id>/end")
@staff_required
def end(plan_id: int):
    plan = reading.plan_for(current_user, plan_id)
    form = forms.ReasonForm()
    form.validate()
    try:
        cancelled = services.end_care_plan(current_user, plan.id, form.reason.data)
    except DomainError as error:
        return _refused(plan, error)
    db.session.commit()
    flash(f"The plan has ended; {len(cancelled)} future sessions were cancelled.", "success")
    return redirect(url_for(".show", plan_id=plan_id))


@bp.post("/<int:plan_id>/extend")
@staff_required
def extend(plan_id: int):
    plan = reading.plan_for(current_user, plan_id)
    form = forms.ExtendForm()
    if form.validate_on_submit():
        try:
            services.extend_care_plan(current_user, plan.id, form.weeks.data)
        except DomainError as error:
            db.session.rollback()
            if error.status == 404:
                raise
            conflicts = error.extra.get("conflicts") or []
            form.weeks.errors = [error.message, *[f"Clash: {c}" for c in conflicts]]
            return _show(plan, status=error.status, extend_form=form)
        db.session.commit()
        flash(f"The weekly phase now has {form.weeks.data} more sessions.", "success")
        return redirect(url_for(".show", plan_id=plan.id))
    return _show(plan, status=422, extend_form=form)


@bp.get("/<int:plan_id>/sessions/<int:appointment_id>/cancel")
@login_required
def confirm_cancel_session(plan_id: int, appointment_id: int):
    plan = reading.plan_for(current_user, plan_id)
    item = scheduling.appointment_for(current_user, appointment_id)
    back = url_for(".show", plan_id=plan.id)
    if item.care_plan_id != plan.id or item.status != AppointmentStatus.BOOKED:
        return redirect(back)
    return render_template(
        "scheduling/confirm_cancel.html", item=item, form=forms.ReasonForm(), back=back,
        late=scheduling.inside_cancellation_notice(item),
        action=url_for(".cancel_session", plan_id=plan.id, appointment_id=item.id),
    )


@bp.post("/<int:plan_id>/sessions/<int:appointment_id>/cancel")
@login_required
def cancel_session(plan_id: int, appointment_id: int):
    plan = reading.plan_for(current_user, plan_id)
    form = forms.ReasonForm()
    form.validate()
    try:
        result = services.cancel_plan_session(current_user, plan.id, appointment_id, form.reason.data)
    except DomainError as error:
        return _refused(plan, error)
    db.session.commit()
    flash("The session is cancelled.", "success")
    return _show(plan, offers=result.alternatives, cancelled=result.cancelled)


@bp.get("/<int:plan_id>/cancel-rest")
@login_required
def confirm_cancel_rest(plan_id: int):
    return _confirm_cancelling(reading.plan_for(current_user, plan_id), ending=False)


@bp.post("/<int:plan_id>/cancel-rest")
@login_required
def cancel_rest(plan_id: int):
    plan = reading.plan_for(current_user, plan_id)
    form = forms.ReasonForm()
    form.validate()
    try:
        result = services.cancel_rest_of_plan(current_user, plan.id, form.reason.data)
    except DomainError as error:
        return _refused(plan, error)
    db.session.commit()
    flash(f"{len(result.cancelled)} sessions cancelled.", "success")
    return _show(plan, cancelled=result.cancelled, too_late=result.too_late)


@bp.post("/<int:plan_id>/rebook")
@login_required
def rebook(plan_id: int):
    plan = reading.plan_for(current_user, plan_id)
    form = forms.RebookForm()
    start = parse_instant(form.start.data) if form.validate_on_submit() else None
    if start is None:
        flash("Choose one of the offered times.", "error")
        return _show(plan, status=422)
    try:
        appointment = services.rebook_plan_session(current_user, plan.id, start)
    except DomainError as error:
        return _refused(plan, error)
    db.session.commit()
    flash(f"Booked: {local_datetime(appointment.starts_at)}.", "success")
    return redirect(url_for(".show", plan_id=plan.id))


@own_record_panel(order=40, side=True)
@client_panel(order=40, side=True)
def care_plans_panel(viewer, client):
    plans = reading.plans_of_client(viewer, client)
    if not plans and not viewer.is_staff:
        return None
    phases = reading.phases_for(plans)
    return render_template("care_plans/_client_panel.html", plans=plans, phases=phases, client=client)
