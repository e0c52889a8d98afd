"""Pages for a client's whole record: a printable view and a JSON download (the client
themself and the owner), and the owner closing a client's account."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from clinic import access, clock
from clinic.auth.decorators import owner_required
from clinic.extensions import db
from clinic.home.panels import client_panel, dashboard_panel, own_record_panel
from clinic.records import services

bp = Blueprint("records", __name__)

# Section headings of the printable record, in the export's order.
SECTIONS = (
    ("appointments", "Appointments"),
    ("intakes", "Health intakes"),
    ("check_ins", "Pre-visit check-ins"),
    ("clearances", "Physician's clearances"),
    ("care_plans", "Care plans"),
    ("notes", "Session notes"),
)


@bp.get("/clients/<int:client_id>/record")
@login_required
def printable(client_id: int):
    record = services.client_record(current_user, client_id)
    db.session.commit()  # the export's audit entry
    return render_template(
        "records/record.html", record=record, sections=SECTIONS, printed_at=clock.to_local(clock.now()),
    )


@bp.get("/clients/<int:client_id>/record.json")
@login_required
def download(client_id: int):
    record = services.client_record(current_user, client_id)
    db.session.commit()  # the export's audit entry
    return Response(
        json.dumps(record, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="client-record-{client_id}-{clock.today()}.json"'
        },
    )


@bp.post("/clients/<int:client_id>/close")
@owner_required
def close(client_id: int):
    client = services.close_client_account(current_user, client_id)
    db.session.commit()
    flash(
        f"{client.name}'s online account is closed: they can no longer log in. Their record is kept.",
        "success",
    )
    return redirect(url_for("home.client_page", client_id=client.id))


@client_panel(order=90)
@own_record_panel(order=90, side=True)
def record_panel(viewer, client):
    if not access.may_export_record(viewer, client):
        return None
    return render_template("records/_client_panel.html", client=client, viewer=viewer)


@dashboard_panel("client", order=95)
def my_record_panel(user):
    if user.client is None:
        return None
    return render_template("records/_client_panel.html", client=user.client, viewer=user)
