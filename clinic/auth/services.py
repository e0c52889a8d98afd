"""Accounts: sign-up, staff accounts, logging in, and bearer tokens."""

import hashlib
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from clinic.audit import record_audit
from clinic.auth import throttle
from clinic.auth.passwords import hash_password, password_problem, verify_password
from clinic.errors import EmailTaken, Forbidden, NotFound, Throttled, Unauthenticated, ValidationFailed
from clinic.extensions import db
from clinic.models import ApiToken, Client, Role, Therapist, User
from clinic.models.types import utcnow
from clinic.models.user import STAFF_ROLES

TOKEN_LIFETIME = timedelta(days=30)
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


def authenticate(email: str, password: str) -> User:
    """Check credentials under the per-account throttle; raise Throttled or Unauthenticated."""
    key = email.strip().lower()
    if not throttle.claim_attempt(key):
        raise Throttled()
    user = db.session.scalar(select(User).where(User.email == key))
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok:
        raise Unauthenticated("Email or password is not right.")
    if not user.is_active:
        raise Unauthenticated("This account is disabled.")
    throttle.clear_failures(key)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user_id=user.id, token_digest=_digest(token), expires_at=utcnow() + TOKEN_LIFETIME)
    )
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to; None for unknown, expired or disabled."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_digest == _digest(token)))
    if row is None or row.expires_at <= utcnow() or not row.user.is_active:
        return None
    return row.user


def set_user_disabled(user: User, disabled: bool) -> None:
    """Disabling an account also revokes its tokens."""
    user.is_disabled = disabled
    if disabled:
        for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
            db.session.delete(token)
    db.session.flush()


def change_password(user: User, *, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise ValidationFailed(fields={"current": ["That is not your current password."]})
    if problem := password_problem(new):
        raise ValidationFailed(fields={"password": [problem]})
    user.password_hash = hash_password(new)
    db.session.flush()


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
