from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup
from sqlalchemy import select

from clinic.auth import resets, services, sessions, throttle, two_factor
from clinic.auth.decorators import owner_required
from clinic.auth.forms import (
    ChangePasswordForm,
    EnrolForm,
    LoginForm,
    NewPasswordForm,
    PasswordConfirmForm,
    ResetRequestForm,
    SecondStepForm,
    SignUpForm,
    StaffForm,
)
from clinic.auth.throttle import client_address
from clinic.clinic_settings.services import clinic_profile
from clinic.errors import DomainError, OtpRequired, Throttled
from clinic.extensions import db
from clinic.home.panels import nav_link
from clinic.models import User
from clinic.models.types import utcnow
from clinic.scheduling import services as scheduling
from clinic.security import SESSION_KEY, is_safe_next, must_enrol_in_two_factor

# The login page's second step: who gave the right password, and until when they may
# enter their code.
TWO_STEP_KEY = "two_step"
SECOND_STEP_SECONDS = 5 * 60

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


def _next_or_home(target: str | None = None):
    target = target if target is not None else request.args.get("next")
    return redirect(target if is_safe_next(target) else url_for("home.index"))


def _sign_in(user: User) -> None:
    """Start a server-side session for `user` in this browser (a new secret each time)."""
    sessions.end_session(session.get(SESSION_KEY))
    session.pop(TWO_STEP_KEY, None)
    session[SESSION_KEY] = sessions.start_session(user)
    login_user(user)


def _refused(form, field, error: DomainError):
    field.errors.append(error.message)
    return 429 if isinstance(error, Throttled) else 401


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return _next_or_home()
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, client_address())
        except OtpRequired:
            user = db.session.scalar(select(User).where(User.email == form.email.data.strip().lower()))
            session[TWO_STEP_KEY] = {"user": user.id, "at": utcnow().timestamp(),
                                     "next": request.args.get("next") or ""}
            return redirect(url_for("auth.login_second_step"))
        except Throttled as error:
            status = _refused(form, form.email, error)
        except DomainError as error:
            status = _refused(form, form.password, error)
        else:
            return _welcome(user) or _next_or_home()
    return render_template("auth/login.html", form=form), status


def _welcome(user: User):
    _sign_in(user)
    db.session.commit()
    flash(f"Welcome back, {user.name}.", "success")
    if must_enrol_in_two_factor(user):
        flash("The clinic asks all staff to use two-step sign-in. Please set it up now.", "info")
        return redirect(url_for("auth.two_factor_setup"))
    return None


def _pending_second_step() -> dict | None:
    pending = session.get(TWO_STEP_KEY)
    too_old = utcnow().timestamp() - SECOND_STEP_SECONDS
    if not isinstance(pending, dict) or float(pending.get("at", 0)) < too_old:
        session.pop(TWO_STEP_KEY, None)
        return None
    return pending


@bp.route("/login/code", methods=["GET", "POST"])
def login_second_step():
    pending = _pending_second_step()
    if pending is None:
        flash("Please log in again.", "info")
        return redirect(url_for("auth.login"))
    form = SecondStepForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.complete_second_step(int(pending["user"]), form.code.data, client_address())
        except DomainError as error:
            status = _refused(form, form.code, error)
        else:
            return _welcome(user) or _next_or_home(pending.get("next"))
    return render_template("auth/login_code.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    sessions.end_session(session.pop(SESSION_KEY, None))
    db.session.commit()
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignUpForm()
    status = 200
    if form.validate_on_submit():
        try:
            throttle.refuse_blocked_address(client_address())
            client = services.register_client(
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                phone=form.phone.data or None,
            )
        except DomainError as error:
            _attach_errors(form, error, "email")
            status = 429 if isinstance(error, Throttled) else 200
        else:
            _sign_in(client.user)
            db.session.commit()
            flash("Your account is ready. Please fill in your health intake before booking.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/signup.html", form=form), status


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
    if request.method == "POST":
        return _change_password()
    return _account_page(ChangePasswordForm(), PasswordConfirmForm())


def _account_page(password_form, two_factor_form, status: int = 200):
    return render_template(
        "auth/account.html", form=password_form, two_factor_form=two_factor_form,
        others=sessions.other_session_count(current_user, session.get(SESSION_KEY)),
        recovery_left=two_factor.recovery_codes_left(current_user) if current_user.has_two_factor else 0,
    ), status


def _change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, current=form.current.data, new=form.password.data,
                                     address=client_address(), keep_session=session.get(SESSION_KEY))
        except DomainError as error:
            _attach_errors(form, error, "current")
        else:
            db.session.commit()
            flash("Your password is changed. Every other session of your account is signed out.", "success")
            return redirect(url_for("auth.account"))
    return _account_page(form, PasswordConfirmForm(formdata=None), 422 if form.errors else 200)


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    sessions.end_other_sessions(current_user, keep_session=session.get(SESSION_KEY))
    db.session.commit()
    flash("Every other session and API token of your account is signed out.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    if current_user.has_two_factor:
        return redirect(url_for("auth.account"))
    form = EnrolForm()
    if request.method == "GET" or not current_user.totp_secret:
        two_factor.begin_enrolment(current_user)
        db.session.commit()
        form = EnrolForm(formdata=None)
    elif form.validate_on_submit():
        try:
            codes = two_factor.confirm_enrolment(current_user, form.code.data)
        except DomainError as error:
            _attach_errors(form, error, "code")
        else:
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes)
    issuer = clinic_profile().name or current_app.config["CLINIC_NAME"]
    uri = two_factor.provisioning_uri(current_user, issuer)
    qr = Markup(two_factor.qr_svg(uri))  # noqa: S704 (drawn by qrcode from our own data)
    return render_template("auth/two_factor_setup.html", form=form, secret=current_user.totp_secret,
                           qr=qr, required=must_enrol_in_two_factor(current_user))


@bp.post("/account/two-factor/off")
@login_required
def two_factor_off():
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        try:
            services.turn_off_two_factor(current_user, form.password.data, client_address())
        except DomainError as error:
            _attach_errors(form, error, "password")
        else:
            db.session.commit()
            flash("Two-step sign-in is off. Your password alone now signs you in.", "info")
            return redirect(url_for("auth.account"))
    return _account_page(ChangePasswordForm(formdata=None), form, 422 if form.errors else 200)


@bp.post("/account/two-factor/recovery-codes")
@login_required
def new_recovery_codes():
    form = PasswordConfirmForm()
    if form.validate_on_submit() and current_user.has_two_factor:
        try:
            services.check_own_password(current_user, form.password.data, client_address())
        except DomainError as error:
            _attach_errors(form, error, "password")
        else:
            codes = two_factor.regenerate_recovery_codes(current_user)
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes)
    return _account_page(ChangePasswordForm(formdata=None), form, 422 if form.errors else 200)


@bp.route("/password-reset", methods=["GET", "POST"])
def password_reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        try:
            throttle.refuse_blocked_address(client_address())
        except Throttled as error:
            form.email.errors.append(error.message)
            return render_template("auth/password_reset_request.html", form=form), 429
        resets.request_reset(form.email.data, reset_link)
        db.session.commit()
        return render_template("auth/password_reset_sent.html", email=form.email.data)
    return render_template("auth/password_reset_request.html", form=form)


def reset_link(token: str) -> str:
    """The emailed link: PUBLIC_URL when configured, so a forged Host header cannot point the
    link (and its token) at someone else's site."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base + url_for("auth.password_reset_confirm", token=token)
    return url_for("auth.password_reset_confirm", token=token, _external=True)


@bp.route("/password-reset/confirm", methods=["GET", "POST"])
def password_reset_confirm():
    token = request.args.get("token", "")
    form = NewPasswordForm()
    try:
        throttle.refuse_blocked_address(client_address())
        resets.check_token(token)
    except DomainError as error:
        return render_template("auth/password_reset_invalid.html", message=error.message), error.status
    if form.validate_on_submit():
        try:
            resets.reset_password(token, form.password.data)
        except DomainError as error:
            _attach_errors(form, error, "password")
        else:
            db.session.commit()
            flash("Your password is changed, and every session of your account is signed out. "
                  "Log in with the new password.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/password_reset_confirm.html", form=form), 422 if form.errors else 200
