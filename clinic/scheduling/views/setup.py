"""Setup pages: the owner's services, a therapist's working hours and time off, and renewing
a therapist's calendar feed address.
"""

from datetime import time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from clinic import access, clock
from clinic.auth.decorators import owner_required, role_required, staff_required
from clinic.clinic_settings.rules import major_units
from clinic.clinic_settings.services import clinic_profile
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.models import Appointment, Therapist, TimeOff
from clinic.scheduling import forms, services
from clinic.scheduling.views.base import _describe, _local, bp


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
