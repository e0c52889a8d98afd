from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from clinic import access, clock
from clinic.auth.decorators import client_required, staff_required
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.home.panels import client_panel, dashboard_panel, nav_link, own_record_panel
from clinic.home.views import render_my_record
from clinic.intake import clearances, questions, services
from clinic.intake.forms import CheckInForm, ClearanceForm, IntakeForm, LetterUploadForm
from clinic.intake.questions import CONDITIONS
from clinic.intake.screening import CheckInAnswers, IntakeAnswers
from clinic.intake.status import active_clearance, clearance_status
from clinic.models import AppointmentStatus, CheckIn
from clinic.security import is_safe_next

bp = Blueprint("intake", __name__)

nav_link("Health intake", "intake.mine", roles=("client",), order=20)
nav_link("Clearance queue", "intake.queue", roles=("owner", "therapist", "front_desk"), order=40)

@dataclass(frozen=True)
class CheckInLink:
    url: str
    answered_at: datetime | None


@bp.app_template_global()
def check_in_link(appointment) -> CheckInLink | None:
    """For the appointment page (scheduling's view): the check-in while it is open to the
    appointment's client or therapist, coming back to that page afterwards."""
    if appointment.status != AppointmentStatus.BOOKED:
        return None
    if not access.client_checks_in(current_user, appointment):
        return None
    opens, closes = services.check_in_window(appointment, current_user)
    if not opens <= clock.now() < closes:
        return None
    previous = services.check_in_for_appointment(appointment.id)
    return CheckInLink(
        url_for("intake.check_in", appointment_id=appointment.id, next=request.path),
        previous.submitted_at if previous else None,
    )


@dataclass(frozen=True)
class Hold:
    source: str  # "intake" or "check-in"
    raised_at: datetime


@bp.app_template_global()
def clearance_hold(client) -> Hold | None:
    """What put a held client on hold, for wording that names it: the latest flagged check-in
    since the latest intake (up to the hold's start), else that intake. None when not held."""
    since = client.flagged_since if client is not None else None
    if since is None:
        return None
    intake = services.latest_intake(client.id)
    query = select(CheckIn).where(CheckIn.client_id == client.id, CheckIn.submitted_at <= since)
    if intake is not None:
        query = query.where(CheckIn.submitted_at >= intake.submitted_at)
    for check_in in db.session.scalars(query.order_by(CheckIn.submitted_at.desc(), CheckIn.id.desc())):
        if check_in.flags:
            return Hold("check-in", check_in.submitted_at)
    return Hold("intake", intake.submitted_at if intake is not None else since)


@bp.app_context_processor
def intake_template_names():
    return {"CONDITION_LABELS": CONDITIONS, "INTAKE_QUESTIONS": questions.INTAKE,
            "CHECK_IN_QUESTIONS": questions.CHECK_IN, "question_sections": questions.sections}


def _attach(form, error: DomainError) -> None:
    """Show a service's refusal beside the fields it names, or above the form."""
    for name, problems in (error.fields or {}).items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, *problems]
        else:
            form.form_errors.append(f"{name}: {' '.join(problems)}")
    if not error.fields:
        form.form_errors.append(error.message)


def _intake_answers(form: IntakeForm) -> IntakeAnswers:
    answers = {key: form[key].data for key in questions.keys(questions.INTAKE)}
    return IntakeAnswers(**{**answers, "conditions": answers["conditions"] or []})


def _check_in_answers(form: CheckInForm) -> CheckInAnswers:
    return CheckInAnswers(**{key: form[key].data for key in questions.keys(questions.CHECK_IN)})


def _prefill(form: IntakeForm, client_id: int) -> None:
    """Start from the latest answers, so 'whenever something changes' is a small edit."""
    latest = services.latest_intake(client_id)
    if latest is None or request.method != "GET":
        return
    for key in questions.keys(questions.INTAKE):
        if key != "consent":
            form[key].data = getattr(latest, key)


@bp.get("/intake")
@client_required
def mine():
    if current_user.client is None:
        abort(404)
    return redirect(url_for("intake.new", client_id=current_user.client.id))


@bp.route("/clients/<int:client_id>/intake", methods=["GET", "POST"])
@login_required
def new(client_id: int):
    client = access.clinical_client(current_user, client_id)
    form = IntakeForm()
    _prefill(form, client.id)
    if form.validate_on_submit():
        try:
            intake = services.submit_intake(current_user, client.id, _intake_answers(form))
        except DomainError as error:
            _attach(form, error)
        else:
            db.session.commit()
            if intake.flags:
                flash("Thank you. Some answers need a doctor's opinion before massage: see below.", "warning")
                return redirect(url_for("intake.show", intake_id=intake.id))
            flash("Thank you. Your health intake is saved.", "success")
            # Back to where the intake was asked for (the booking page), when that is on this site.
            back = request.args.get("next")
            return redirect(back if is_safe_next(back) else url_for("intake.show", intake_id=intake.id))
    return render_template("intake/form.html", form=form, client=client,
                           for_self=client.user_id == current_user.id)


@bp.get("/intakes/<int:intake_id>")
@login_required
def show(intake_id: int):
    intake = services.get_intake(current_user, intake_id)
    db.session.commit()
    return render_template("intake/show.html", intake=intake, client=intake.client,
                           status=clearance_status(intake.client, clock.today()))


@bp.get("/clearance-queue")
@staff_required
def queue():
    page = render_template("intake/queue.html", entries=clearances.clearance_queue(current_user),
                           clinical=access.is_clinician(current_user))
    db.session.commit()  # the read's audit entry; after drawing, as a commit expires every row
    return page


@bp.route("/clients/<int:client_id>/clearances/new", methods=["GET", "POST"])
@staff_required
def grant(client_id: int):
    client = access.client_for_clearance(current_user, client_id)
    hold = clearance_hold(client)
    form = ClearanceForm(hold_day=clock.to_local(hold.raised_at).date() if hold else None)
    waiting = clearances.letters_waiting([client.id]).get(client.id, [])
    chosen = next((w for w in waiting if w.id == request.args.get("letter", type=int)), None)
    if chosen is None and waiting:
        chosen = waiting[0]
    if form.validate_on_submit():
        try:
            clearance = clearances.grant_clearance(
                current_user, client.id, form.physician_name.data, form.cleared_on.data,
                restrictions=form.restrictions.data, valid_until=form.valid_until.data,
                evidence=form.evidence.data, letter=clearances.uploaded_letter(form.letter.data),
                uploaded_letter_id=chosen.id if chosen else None,
            )
        except DomainError as error:
            _attach(form, error)
        else:
            db.session.commit()
            flash(f"Clearance by {clearance.physician_name} recorded for {client.name}.", "success")
            return redirect(url_for("home.client_page", client_id=client.id))
    history = clearances.list_clearances(current_user, client.id)
    flags = clearances.client_open_flags(client)
    db.session.commit()
    return render_template("intake/clearance_form.html", form=form, client=client, history=history,
                           flags=flags, hold=hold, status=clearance_status(client, clock.today()),
                           uploaded=chosen)


@bp.get("/clearances/<int:clearance_id>/letter")
@staff_required
def letter(clearance_id: int):
    clearance, path = clearances.clearance_letter(current_user, clearance_id)
    db.session.commit()
    return send_file(path, mimetype=clearance.letter_content_type, as_attachment=True,
                     download_name=clearance.letter_filename or path.name)


@bp.post("/my-record/letter")
@client_required
def upload_letter():
    client = current_user.client
    if client is None:
        abort(404)
    form = LetterUploadForm()
    if form.validate_on_submit():
        try:
            clearances.upload_clearance_letter(current_user, client.id,
                                             clearances.uploaded_letter(form.letter.data))
        except DomainError as error:
            _attach(form, error)
        else:
            db.session.commit()
            flash("Thank you: your doctor's letter is with the clinic. We will email you once "
                  "we have read it and recorded your clearance.", "success")
            return redirect(url_for("home.my_record"))
    g.letter_form = form
    return render_my_record(status=422)


@bp.get("/clearance-letters/<int:letter_id>")
@login_required
def uploaded_letter(letter_id: int):
    uploaded, path = clearances.uploaded_letter_file(current_user, letter_id)
    db.session.commit()
    return send_file(path, mimetype=uploaded.content_type, as_attachment=True,
                     download_name=uploaded.filename or path.name)


@bp.route("/appointments/<int:appointment_id>/check-in", methods=["GET", "POST"])
@login_required
def check_in(appointment_id: int):
    appointment = services.check_in_appointment(current_user, appointment_id)
    form = CheckInForm()
    opens, closes = services.check_in_window(appointment, current_user)
    if form.validate_on_submit():
        try:
            answered = services.submit_check_in(current_user, appointment.id, _check_in_answers(form))
        except DomainError as error:
            _attach(form, error)
        else:
            db.session.commit()
            _flash_check_in(appointment.client, answered.flags)
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("home.index"))
    return render_template("intake/check_in.html", form=form, appointment=appointment, opens=opens,
                           closes=closes, now=clock.now(),
                           previous=services.check_in_for_appointment(appointment.id))


def _flash_check_in(client, flags) -> None:
    if current_user.is_client:
        if flags:
            flash("Thank you. Your answers need a doctor's opinion before massage: "
                  "please contact your doctor and the clinic.", "warning")
        else:
            flash("Thank you, your check-in is saved.", "success")
    elif flags:
        flash(f"Check-in saved for {client.name}. Some answers need a doctor's opinion: no massage "
              f"and no session note until a physician's clearance is recorded.", "warning")
    else:
        flash(f"Check-in saved for {client.name}.", "success")


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    return render_template(
        "errors/error.html", status=413,
        message=f"That file is too large. Letters may be at most {clearances.letter_limit_text()}.",
    ), 413


# --- Panels ------------------------------------------------------------------------------------

@dashboard_panel("client", order=10)
def client_health_panel(user):
    client = user.client
    if client is None:
        return None
    today = clock.today()
    latest = services.latest_intake(client.id)
    status = clearance_status(client, today)
    flags = clearances.client_open_flags(client)
    return render_template(
        "intake/_client_status_panel.html", client=client, latest=latest, status=status, flags=flags,
        clearance=active_clearance(client, today), due=services.check_ins_due(client),
    )


@dashboard_panel("owner", "therapist", "front_desk", order=15)
def staff_queue_panel(user):
    return render_template("intake/_staff_queue_panel.html", total=clearances.clearance_queue_size(user))


@dashboard_panel("therapist", order=12)
def therapist_check_in_panel(user):
    appointments = services.check_ins_to_ask(user)
    return render_template("intake/_therapist_check_in_panel.html", appointments=appointments)


@client_panel(order=20, side=True)
def client_health_record_panel(viewer, client):
    if not access.may_read_clinical(viewer, client):
        return None
    today = clock.today()
    intakes = services.list_intakes(viewer, client.id)  # audited as a read of the intakes
    history = clearances.list_clearances(viewer, client.id)
    return render_template(
        "intake/_client_panel.html", viewer=viewer, client=client, intakes=intakes,
        latest=intakes[-1] if intakes else None, history=history,
        status=clearance_status(client, today), clearance=active_clearance(client, today),
        flags=clearances.client_open_flags(client),
        may_grant=clearances.may_grant_clearance(viewer, client),
        waiting=clearances.letters_waiting([client.id]).get(client.id, []),
    )


@own_record_panel(order=10, side=True)
def own_health_panel(viewer, client):
    today = clock.today()
    return render_template(
        "intake/_own_health_panel.html", client=client, latest=services.latest_intake(client.id),
        status=clearance_status(client, today), flags=clearances.client_open_flags(client),
        clearance=active_clearance(client, today), due=services.check_ins_due(client),
        waiting=clearances.letters_waiting([client.id]).get(client.id, []),
        sent=clearances.letters_sent(client.id),
        letter_form=g.get("letter_form") or LetterUploadForm(),
    )
