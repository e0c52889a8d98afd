"""Accounts: sign-up, staff accounts, logging in (with its second step), passwords."""

import secrets

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from clinic.audit import record_audit
from clinic.auth import sessions, throttle, two_factor
from clinic.auth.passwords import hash_password, password_problem, verify_password

# Tests and the bench import these from here.
from clinic.auth.sessions import issue_token, user_for_token  # noqa: F401
from clinic.errors import (
    EmailTaken,
    Forbidden,
    InvalidOtp,
    NotFound,
    OtpRequired,
    Unauthenticated,
    ValidationFailed,
    WrongPassword,
)
from clinic.extensions import db
from clinic.models import Client, Role, Therapist, User
from clinic.models.user import STAFF_ROLES

MAX_NAME_LENGTH = 120
MAX_EMAIL_LENGTH = 254
MAX_PHONE_LENGTH = 40


def normalise_email(email: str) -> str:
    """Lower-case and syntax-check an address.

    No DNS lookup (works offline), and reserved test domains such as example.test are
    accepted: a clinic may well run a staging copy with them.
    """
    try:
        result = validate_email(email.strip(), check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise ValidationFailed(fields={"email": [str(error)]}) from None
    return result.normalized.lower()


def email_in_use(email: str) -> bool:
    """Addresses are unique across accounts and clients (walk-ins included)."""
    in_users = db.session.scalar(select(func.count(User.id)).where(User.email == email))
    in_clients = db.session.scalar(select(func.count(Client.id)).where(Client.email == email))
    return bool(in_users or in_clients)


def _check_new_account(name: str, email: str, password: str | None) -> str:
    fields: dict[str, list[str]] = {}
    if not name.strip():
        fields["name"] = ["Enter a name."]
    elif len(name) > MAX_NAME_LENGTH:
        fields["name"] = [f"Use at most {MAX_NAME_LENGTH} characters."]
    if len(email) > MAX_EMAIL_LENGTH:
        fields["email"] = [f"Use at most {MAX_EMAIL_LENGTH} characters."]
    if password is not None and (problem := password_problem(password)):
        fields["password"] = [problem]
    if fields:
        raise ValidationFailed(fields=fields)
    email = normalise_email(email)
    if email_in_use(email):
        raise EmailTaken()
    return email


def create_staff_user(*, role: str, email: str, name: str, password: str) -> User:
    """Owner, therapist and front desk accounts; a therapist also gets a calendar."""
    if role not in STAFF_ROLES:
        raise ValidationFailed(fields={"role": ["Staff roles are owner, therapist and front_desk."]})
    email = _check_new_account(name, email, password)
    user = User(email=email, name=name.strip(), role=role, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    if role == Role.THERAPIST:
        db.session.add(Therapist(id=user.id, calendar_token=secrets.token_urlsafe(32)))
        db.session.flush()
    return user


def register_client(
    *,
    name: str,
    email: str | None,
    password: str | None,
    phone: str | None = None,
    actor: User | None = None,
) -> Client:
    """Online sign-up (with a password), or a walk-in created by staff (no login)."""
    if password is None and (actor is None or not actor.is_staff):
        raise ValidationFailed(fields={"password": ["Choose a password."]})
    if phone is not None and len(phone) > MAX_PHONE_LENGTH:
        raise ValidationFailed(fields={"phone": [f"Use at most {MAX_PHONE_LENGTH} characters."]})
    if email is None:
        if password is not None:
            raise ValidationFailed(fields={"email": ["Enter an email address."]})
        if not name.strip():
            raise ValidationFailed(fields={"name": ["Enter a name."]})
        client = Client(name=name.strip(), phone=phone or None)
        db.session.add(client)
        db.session.flush()
        return client
    email = _check_new_account(name, email, password)
    user = None
    if password is not None:
        user = User(email=email, name=name.strip(), role=Role.CLIENT, password_hash=hash_password(password))
        db.session.add(user)
    client = Client(name=name.strip(), email=email, phone=phone or None, user=user)
    db.session.add(client)
    db.session.flush()
    return client


def _login_failed(user: User | None, address: str, error: Exception) -> None:
    """Leave the audit entry of a failed login and commit it before refusing: the request's
    own transaction is rolled back by the error, and the entry must outlive it. The account
    tried is the actor when it exists (null only for an unknown address)."""
    record_audit(user, "login.failed", "user", user.id if user else None, detail=address)
    db.session.commit()
    raise error


def authenticate(email: str, password: str, address: str, otp: str | None = None) -> User:
    """Check credentials (and the second step, when it is on) under the throttle.

    Raises Throttled, Unauthenticated, OtpRequired (a right password, no code: not counted as
    a failure) or InvalidOtp (counted). The attempt is counted before the password is checked.
    """
    key = email.strip().lower()
    attempt = throttle.claim_attempt(key, address)
    user = db.session.scalar(select(User).where(User.email == key))
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok:
        _login_failed(user, address, Unauthenticated("Email or password is not right."))
    if not user.is_active:
        _login_failed(user, address, Unauthenticated("This account is disabled."))
    if user.has_two_factor:
        if not otp:
            attempt.forgive()
            db.session.commit()
            raise OtpRequired()
        if not two_factor.accept_code(user, otp):
            _login_failed(user, address, InvalidOtp())
    return _login_succeeded(user, attempt, address)


def _login_succeeded(user: User, attempt: throttle.Attempt, address: str) -> User:
    attempt.succeeded()
    record_audit(user, "login.succeeded", "user", user.id, detail=address)
    db.session.flush()
    return user


def complete_second_step(user_id: int, code: str, address: str) -> User:
    """The login page's second step, for a user whose password was right a moment ago: the
    code is checked under the same throttle as passwords (a wrong one is a failed login)."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or not user.has_two_factor:
        raise Unauthenticated("Please log in again.")
    attempt = throttle.claim_attempt(user.email, address)
    if not two_factor.accept_code(user, code or ""):
        _login_failed(user, address, InvalidOtp())
    return _login_succeeded(user, attempt, address)


def check_own_password(user: User, password: str, address: str) -> None:
    """A signed-in user confirms their password (to change it or turn two-step off). A wrong
    one counts as a failed login, so a stolen session cannot guess the password freely."""
    attempt = throttle.claim_attempt(user.email, address)
    if not verify_password(user.password_hash, password):
        record_audit(user, "login.failed", "user", user.id, detail=address)
        db.session.commit()
        raise WrongPassword()
    attempt.forgive()


def set_user_disabled(user: User, disabled: bool) -> None:
    """Disabling an account also ends its sessions and revokes its tokens."""
    user.is_disabled = disabled
    if disabled:
        sessions.end_other_sessions(user)
    db.session.flush()


def change_password(
    user: User, *, current: str, new: str, address: str,
    keep_session: str | None = None, keep_token: str | None = None,
) -> None:
    """A new password ends every other session and API token of the account."""
    if problem := password_problem(new):
        raise ValidationFailed(fields={"new_password": [problem]})
    check_own_password(user, current, address)
    user.password_hash = hash_password(new)
    sessions.end_other_sessions(user, keep_session=keep_session, keep_token=keep_token)
    record_audit(user, "password.changed", "user", user.id)
    db.session.flush()


def turn_off_two_factor(user: User, password: str, address: str) -> None:
    check_own_password(user, password, address)
    two_factor.turn_off(user)


def set_staff_disabled(actor: User, user_id: int, disabled: bool) -> User:
    """The owner turns a staff account off (it can no longer log in) or on again."""
    if not actor.is_owner:
        raise Forbidden("Only the clinic owner can change staff accounts.")
    user = db.session.get(User, user_id)
    if user is None or not user.is_staff:
        raise NotFound("No such staff member.")
    if user.id == actor.id:
        raise ValidationFailed(fields={"user": ["You cannot disable your own account."]})
    set_user_disabled(user, disabled)
    record_audit(actor, "staff.disabled" if disabled else "staff.enabled", "user", user.id)
    return user
