from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.home.panels import dashboard_panel, nav_for, panels_for
from clinic.models import Client, Therapist, User

bp = Blueprint("home", __name__)


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
