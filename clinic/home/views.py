from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from clinic import access, clock
from clinic.auth.decorators import staff_required
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
from clinic.models import Client, Therapist, User
from clinic.records.services import read_client

bp = Blueprint("home", __name__)

CLIENTS_PER_PAGE = 50

nav_link("Clients", "home.clients", roles=("owner", "therapist", "front_desk"), order=60)
nav_link("My record", "home.my_record", roles=("client",), order=60)


@bp.app_context_processor
def inject_navigation():
    # The access rule, for templates that choose what to show (clinic.access decides).
    rules = {"sees_everyone": access.sees_everyone, "may_open_letter": access.may_open_letter,
             "may_read_clinical": access.may_read_clinical}
    if current_user.is_authenticated:
        return {"nav_items": nav_for(current_user), **rules}
    return {"nav_items": [], **rules}


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    return render_template("home/dashboard.html", panels=panels_for(current_user))


@bp.get("/clients")
@staff_required
def clients():
    search = request.args.get("q", "").strip()[:100]
    query = (
        select(Client).where(access.client_scope(current_user)).order_by(Client.name).limit(CLIENTS_PER_PAGE)
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
    client = read_client(current_user, client_id)
    main, side = client_panel_columns(current_user, client)
    page = render_template(
        "home/client.html", client=client, main=main, side=side,
        summary=clearance_summaries([client.id], clock.today())[client.id],
    )
    # The panels' reads leave audit entries. Committed once the page is drawn: a commit
    # expires every loaded row, and a panel drawn after one reloads its rows one by one.
    db.session.commit()
    return page


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


@dashboard_panel("owner", "therapist", "front_desk", "client", order=99)
def account_panel(user):
    return render_template("home/_account_panel.html", user=user)
