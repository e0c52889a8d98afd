from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from clinic import clock
from clinic.access import visible_client
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.home.panels import client_panel, nav_link, own_record_panel
from clinic.parsing import parse_day, parse_id
from clinic.waitlist import forms, matching, offers, services

bp = Blueprint("waitlist", __name__)

nav_link("Waitlist", "waitlist.entries", roles=("owner", "therapist", "front_desk"), order=30)

# How far ahead the join form's "To" day reaches by default.
DEFAULT_SPAN_DAYS = 14


def _hours(form: forms.WaitlistForm):
    if form.earliest.data or form.latest.data:
        return form.earliest.data, form.latest.data
    return matching.PARTS_OF_DAY.get(form.part_of_day.data or "", (None, None))


def _back_to(client_id: int | None) -> str:
    if client_id is not None and not current_user.is_client:
        return url_for("home.client_page", client_id=client_id)
    return url_for(".entries")


@bp.route("/waitlist/join", methods=["GET", "POST"])
@login_required
def join():
    client_id = None if current_user.is_client else parse_id(request.values.get("client_id"))
    if current_user.is_client and current_user.client is None:
        abort(404)
    client = visible_client(current_user, client_id) if client_id is not None else current_user.client
    if client is None:
        flash("Choose the client first: add them to the waitlist from their page.", "info")
        return redirect(url_for(".entries"))
    first = parse_day(request.args.get("day")) or clock.today()
    if not clock.today() <= first <= clock.today() + timedelta(days=365):
        first = clock.today()
    last = parse_day(request.args.get("to"))
    if last is None or not first <= last <= first + timedelta(days=365):
        last = first + timedelta(days=DEFAULT_SPAN_DAYS)
    form = forms.WaitlistForm(
        service_id=parse_id(request.args.get("service_id")),
        therapist_id=str(parse_id(request.args.get("therapist_id")) or ""),
        first_day=first, last_day=last,
    )
    forms.fill_choices(form, *services.services_and_therapists())
    if form.validate_on_submit():
        earliest, latest = _hours(form)
        try:
            services.join_waitlist(
                current_user, service_id=form.service_id.data, first_day=form.first_day.data,
                last_day=form.last_day.data, therapist_id=parse_id(form.therapist_id.data),
                earliest=earliest, latest=latest, client_id=client_id,
            )
            db.session.commit()
            flash("We will email as soon as a time like that frees up.", "success")
            return redirect(_back_to(client_id))
        except DomainError as error:
            db.session.rollback()
            for name, problems in (error.fields or {"": [error.message]}).items():
                fields = {"from": form.first_day, "to": form.last_day, "latest": form.latest}
                target = fields.get(name, form.service_id)
                target.errors = [*target.errors, *problems]
    return render_template("waitlist/join.html", form=form, client=client, staff=not current_user.is_client)


@bp.get("/waitlist")
@login_required
def entries():
    rows = services.open_entries(current_user)
    return render_template("waitlist/entries.html", entries=rows, leave_form=forms.LeaveForm())


@bp.post("/waitlist/<int:entry_id>/leave")
@login_required
def leave(entry_id: int):
    if forms.LeaveForm().validate_on_submit():
        entry = services.leave_waitlist(current_user, entry_id)
        db.session.commit()
        flash("Taken off the waitlist.", "success")
        if not current_user.is_client and request.form.get("back") == "client":
            return redirect(url_for("home.client_page", client_id=entry.client_id))
    return redirect(url_for(".entries") if not current_user.is_client else url_for("home.my_record"))


@bp.get("/waitlist/offer")
@login_required
def offer():
    token = request.args.get("offer", "")
    view = offers.offer_view(current_user, token)
    return render_template("waitlist/offer.html", view=view, form=forms.ClaimForm(offer=token))


@bp.post("/waitlist/offer")
@login_required
def claim():
    form = forms.ClaimForm()
    if not form.validate_on_submit():
        return redirect(url_for("scheduling.book"))
    try:
        appointment = offers.claim_offer(current_user, form.offer.data)
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        flash(error.message, "warning")
        return redirect(url_for(".offer", offer=form.offer.data))
    db.session.commit()
    flash("Your appointment is booked.", "success")
    return redirect(url_for("scheduling.appointment", appointment_id=appointment.id))


@client_panel(order=25)
@own_record_panel(order=25)
def client_waitlist_panel(viewer, client):
    rows = services.open_entries(viewer, client_id=client.id, limit=50)
    return render_template("waitlist/_client_panel.html", viewer=viewer, client=client, entries=rows,
                           leave_form=forms.LeaveForm(), refill=services.weeks_to_refill(client))
