import json
from dataclasses import dataclass

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from clinic import access, clock
from clinic.auth.decorators import role_required
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.home.panels import client_panel, dashboard_panel, own_record_panel
from clinic.intake.status import active_clearance
from clinic.notes import services
from clinic.notes.forms import AmendmentForm, NoteForm
from clinic.notes.services import TECHNIQUES, NoteInput

bp = Blueprint("notes", __name__, url_prefix="/notes")


@bp.app_template_filter("technique_name")
def technique_name(code: str) -> str:
    return TECHNIQUES.get(code, code)


@dataclass(frozen=True)
class NoteLink:
    label: str
    url: str


def _note_link(viewer, appointment, note) -> NoteLink | None:
    if note is not None:
        if access.may_read_note(viewer, note):
            return NoteLink("Session note", url_for("notes.show", note_id=note.id))
        return None
    if services.note_is_due(viewer, appointment):
        return NoteLink("Write the session note", url_for("notes.new_note", appointment_id=appointment.id))
    return None


@bp.app_template_global()
def session_note_link(appointment) -> NoteLink | None:
    """For the appointment page (scheduling's view): read its signed note, or write it when due."""
    return _note_link(current_user, appointment, services.note_for_appointment(appointment.id))


def _check_in_prompt(appointment) -> str | None:
    """A link to the pre-visit check-in when the intake part offers one and it is not done yet."""
    if "intake.check_in" not in current_app.view_functions:
        return None
    from clinic.intake.services import check_in_for_appointment

    if check_in_for_appointment(appointment.id) is not None:
        return None
    try:
        return url_for(
            "intake.check_in",
            appointment_id=appointment.id,
            next=url_for("notes.new_note", appointment_id=appointment.id),
        )
    except BuildError:
        return None


def _note_page(form, appointment, blocker=None, status=200):
    context = {
        "form": form,
        "appointment": appointment,
        "blocker": blocker,
        "clearance": active_clearance(appointment.client, clock.today()),
        "check_in_url": _check_in_prompt(appointment),
        "existing": services.note_for_appointment(appointment.id),
    }
    return render_template("notes/new.html", **context), status


@bp.route("/appointments/<int:appointment_id>/new", methods=["GET", "POST"])
@role_required("therapist", "owner")
def new_note(appointment_id: int):
    appointment = services.appointment_for_note(current_user, appointment_id)
    form = NoteForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return _note_page(form, appointment, services.note_blocker(appointment), status)
    data = NoteInput(
        techniques=form.techniques.data,
        areas=form.area_list(),
        pain_before=form.pain_before.data,
        pain_after=form.pain_after.data,
        **{name: getattr(form, name).data for name in services.SOAP_FIELDS},
    )
    try:
        note = services.record_note(current_user, appointment.id, data)
    except DomainError as error:
        db.session.rollback()
        for name, problems in (error.fields or {}).items():
            getattr(form, name).errors = list(problems)
        return _note_page(form, appointment, error if not error.fields else None, error.status)
    db.session.commit()
    flash("The note is signed and the appointment is completed.", "success")
    return redirect(url_for("notes.show", note_id=note.id))


@bp.get("/<int:note_id>")
@login_required
def show(note_id: int):
    note = services.get_note(current_user, note_id)
    db.session.commit()  # the read's audit entry
    return render_template(
        "notes/show.html", note=note, form=AmendmentForm(),
        can_amend=access.may_amend_note(current_user, note),
    )


@bp.post("/<int:note_id>/amendments")
@login_required
def amend(note_id: int):
    form = AmendmentForm()
    if form.validate_on_submit():
        try:
            services.amend_note(current_user, note_id, form.text.data)
        except DomainError as error:
            db.session.rollback()
            if error.status in (403, 404):
                raise
            form.text.errors = [error.message]
        else:
            db.session.commit()
            flash("Amendment added.", "success")
            return redirect(url_for("notes.show", note_id=note_id))
    note = services.get_note(current_user, note_id)
    db.session.commit()
    return render_template("notes/show.html", note=note, form=form, can_amend=True), 422


@bp.get("/waiting")
@role_required("therapist")
def waiting():
    return render_template("notes/waiting.html", appointments=services.notes_waiting(current_user, limit=100))


@dashboard_panel("therapist", order=20)
def notes_waiting_panel(user):
    return render_template("notes/_waiting_panel.html", appointments=services.notes_waiting(user, limit=10))


@client_panel(order=35)
def sessions_panel(viewer, client):
    if not access.may_read_clinical(viewer, client):
        return None
    rows = [
        (appointment, note, _note_link(viewer, appointment, note))
        for appointment, note in services.session_history(viewer, client.id)
    ]
    return render_template(
        "notes/_sessions_panel.html", rows=rows, client=client, limit=services.SESSIONS_LISTED
    )


@own_record_panel(order=30)
@client_panel(order=30)
def pain_trend_panel(viewer, client):
    if not access.may_read_clinical(viewer, client):
        return None
    points = services.client_progress(viewer, client.id)
    data = [
        {"date": p.day.isoformat(), "pain_before": p.pain_before, "pain_after": p.pain_after} for p in points
    ]
    return render_template(
        "notes/_pain_panel.html",
        points=points,
        chart_json=json.dumps(data).replace("<", "\\u003c"),
        client=client,
    )
