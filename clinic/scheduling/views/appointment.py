"""One appointment's pages: the details and its calendar file, and cancelling, moving and
marking a no-show, each through a confirming step.
"""


from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from clinic import clock
from clinic.auth.decorators import staff_required
from clinic.errors import BookingConflict, DomainError
from clinic.extensions import db
from clinic.intake.status import REQUIRED, clearance_status, clearance_summaries
from clinic.models import Appointment, AppointmentStatus
from clinic.parsing import parse_instant
from clinic.scheduling import forms, services
from clinic.scheduling.ical import calendar_bytes
from clinic.scheduling.views.base import _day_arg, _day_strip, _describe, _local, bp
from clinic.scheduling.views.booking import _client_free


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
