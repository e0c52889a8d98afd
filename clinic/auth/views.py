from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from clinic.auth import services
from clinic.auth.decorators import owner_required
from clinic.auth.forms import ChangePasswordForm, LoginForm, SignUpForm, StaffForm
from clinic.errors import DomainError, Throttled
from clinic.extensions import db
from clinic.home.panels import nav_link
from clinic.models import User
from clinic.scheduling import services as scheduling
from clinic.security import is_safe_next

bp = Blueprint("auth", __name__)

nav_link("Staff", "auth.staff", roles=("owner",), order=80)
nav_link("Account", "auth.account", roles=("owner", "therapist", "front_desk", "client"), order=95)


def _attach_errors(form, error: DomainError, default_field: str) -> None:
    for name, problems in (error.fields or {default_field: [error.message]}).items():
        getattr(form, name, getattr(form, default_field)).errors.extend(problems)


@bp.app_template_global()
def same_site_referrer() -> str | None:
    """The path of the page the visitor came from, when it is on this site (for the "go back"
    link of an error page); never another site's address."""
    referrer, here = request.referrer or "", request.host_url
    if not referrer.startswith(here):
        return None
    path = "/" + referrer[len(here):]
    return path if is_safe_next(path) else None


def _next_or_home():
    target = request.args.get("next")
    return redirect(target if is_safe_next(target) else url_for("home.index"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return _next_or_home()
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except Throttled as error:
            form.email.errors.append(error.message)
            status = 429
        except DomainError as error:
            form.password.errors.append(error.message)
            status = 401
        else:
            db.session.commit()
            login_user(user)
            flash(f"Welcome back, {user.name}.", "success")
            return _next_or_home()
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            client = services.register_client(
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                phone=form.phone.data or None,
            )
        except DomainError as error:
            _attach_errors(form, error, "email")
        else:
            db.session.commit()
            login_user(client.user)
            flash("Your account is ready. Please fill in your health intake before booking.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/signup.html", form=form)


@bp.route("/staff", methods=["GET", "POST"])
@owner_required
def staff():
    form = StaffForm()
    if form.validate_on_submit():
        try:
            user = services.create_staff_user(
                role=form.role.data, email=form.email.data, name=form.name.data,
                password=form.password.data,
            )
        except DomainError as error:
            _attach_errors(form, error, "email")
        else:
            db.session.commit()
            flash(f"{user.name} can now log in as {user.role}.", "success")
            return redirect(url_for("auth.staff"))
    members = db.session.scalars(
        select(User).where(User.role.in_(("owner", "therapist", "front_desk"))).order_by(User.role, User.name)
    ).all()
    return render_template("auth/staff.html", form=form, members=members,
                           stranded=scheduling.visits_with_disabled_therapists())


@bp.post("/staff/<int:user_id>/access")
@owner_required
def staff_access(user_id: int):
    disable = request.form.get("action") == "disable"
    try:
        user = services.set_staff_disabled(current_user, user_id, disable)
    except DomainError as error:
        flash(error.fields["user"][0] if error.fields else error.message, "error")
    else:
        stranded = [a for a in scheduling.visits_with_disabled_therapists() if a.therapist_id == user.id]
        db.session.commit()
        _flash_access_changed(user, disable, len(stranded))
    return redirect(url_for("auth.staff"))


def _flash_access_changed(user: User, disabled: bool, booked_ahead: int) -> None:
    if not disabled:
        flash(f"{user.name} is enabled again.", "success")
    elif booked_ahead:
        one = booked_ahead == 1
        flash(f"{user.name} is disabled, but {booked_ahead} visit{'' if one else 's'} ahead "
              f"{'is' if one else 'are'} still booked with them. Move or cancel each one (listed below): "
              f"the client{'' if one else 's'} still expect{'s' if one else ''} to come.", "warning")
    else:
        flash(f"{user.name} is disabled. They had no visits booked ahead.", "success")


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, current=form.current.data, new=form.password.data)
        except DomainError as error:
            _attach_errors(form, error, "current")
        else:
            db.session.commit()
            flash("Your password is changed.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)
