from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from clinic.auth import services
from clinic.auth.forms import LoginForm, SignUpForm
from clinic.errors import DomainError, EmailTaken, Throttled
from clinic.extensions import db
from clinic.security import is_safe_next

bp = Blueprint("auth", __name__)


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
        except EmailTaken as error:
            form.email.errors.append(error.message)
        except DomainError as error:
            for name, problems in (error.fields or {"email": [error.message]}).items():
                getattr(form, name, form.email).errors.extend(problems)
        else:
            db.session.commit()
            login_user(client.user)
            flash("Your account is ready. Please fill in your health intake before booking.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/signup.html", form=form)
