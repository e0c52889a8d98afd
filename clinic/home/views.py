from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from clinic import clock
from clinic.auth.decorators import staff_required
from clinic.auth.permissions import visible_client
from clinic.extensions import db
from clinic.home.panels import (
    client_panel_columns,
    dashboard_panel,
    nav_for,
    nav_link,
    own_record_columns,
    panels_for,
)
from clinic.intake.status import clearance_summaries
from clinic.models import Appointment, Client, Therapist, User

bp = Blueprint("home", __name__)

CLIENTS_PER_PAGE = 50

nav_link("Clients", "home.clients", roles=("owner", "therapist"), order=60)
nav_link("My record", "home.my_record", roles=("client",), order=60)


@bp.app_context_processor
def inject_navigation():
    if current_user.is_authenticated:
        return {"nav_items": nav_for(current_user)}
    return {"nav_items": []}


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    return render_template("home/dashboard.html", panels=panels_for(current_user))


@bp.get("/clients")
@staff_required
def clients():
    search = request.args.get("q", "").strip()[:100]
    query = select(Client).order_by(Client.name).limit(CLIENTS_PER_PAGE)
    if current_user.is_therapist:
        query = query.where(
            Client.id.in_(select(Appointment.client_id).where(Appointment.therapist_id == current_user.id))
        )
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            or_(func.lower(Client.name).like(pattern), func.lower(Client.email).like(pattern))
        )
    rows = db.session.scalars(query).all()
    summaries = clearance_summaries((c.id for c in rows), clock.today())
    return render_template("home/clients.html", clients=rows, summaries=summaries, search=search)


@bp.get("/clients/<int:client_id>")
@login_required
def client_page(client_id: int):
    client = visible_client(current_user, client_id)
    main, side = client_panel_columns(current_user, client)
    return render_template(
        "home/client.html", client=client, main=main, side=side,
        summary=clearance_summaries([client.id], clock.today())[client.id],
    )


@bp.get("/my-record")
@login_required
def my_record():
    if not current_user.is_client:
        return clients()
    return render_my_record()


def render_my_record(status: int = 200):
    """The client's own record, in their words; the letter form may come back with errors
    (the upload view sets `g.letter_form` and status 422)."""
    client = current_user.client
    if client is None:
        abort(404)
    main, side = own_record_columns(current_user)
    return render_template("home/my_record.html", client=client, main=main, side=side), status


@dashboard_panel("owner", order=90)
def clinic_team_panel(user):
    therapists = db.session.scalars(
        select(User).join(Therapist, Therapist.id == User.id).order_by(User.name)
    ).all()
    client_count = db.session.scalar(select(func.count(Client.id)))
    return render_template("home/_team_panel.html", therapists=therapists, client_count=client_count)


@dashboard_panel("owner", "therapist", "client", order=99)
def account_panel(user):
    return render_template("home/_account_panel.html", user=user)
