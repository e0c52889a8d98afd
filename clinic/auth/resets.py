"""Password resets by email: a single-use link, valid for PASSWORD_RESET_MINUTES.

Only the token's digest is stored. A reset ends every session and API token of the account,
so whoever knew the old password (or held a stolen cookie) is signed out.
"""

import secrets
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from clinic.audit import record_audit
from clinic.auth import sessions
from clinic.auth.passwords import hash_password, password_problem
from clinic.errors import InvalidToken, ValidationFailed
from clinic.extensions import db
from clinic.models import PasswordReset, User
from clinic.models.types import utcnow
from clinic.notifications import outbox
from clinic.notifications.messages import Message

PASSWORD_RESET = "password_reset"  # noqa: S105 (an email kind, not a password)
MAX_TOKEN_LENGTH = 200


def request_reset(email: str, link: Callable[[str], str]) -> None:
    """Queue a reset email when a login account has this address; otherwise nothing (the caller
    answers the same either way, so nobody learns who has an account)."""
    key = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == key)) if key else None
    if user is None or not user.is_active:
        return
    token = secrets.token_urlsafe(32)
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    now = utcnow()
    db.session.add(
        PasswordReset(user_id=user.id, digest=sessions.digest(token), created_at=now,
                      expires_at=now + timedelta(minutes=minutes))
    )
    body = current_app.jinja_env.get_template("notifications/password_reset.txt").render(
        name=user.name, clinic_name=current_app.config["CLINIC_NAME"], minutes=minutes, link=link(token)
    )
    message = Message(f"Reset your password at {current_app.config['CLINIC_NAME']}", body)
    outbox.enqueue(PASSWORD_RESET, None, message, dedupe_key=outbox.unique_suffix(), recipient=user.email)
    db.session.flush()


def _usable(token: str) -> PasswordReset:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken()
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.digest == sessions.digest(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        raise InvalidToken()
    return reset


def check_token(token: str) -> None:
    """Raise InvalidToken unless the link can still be used (for the page that opens it)."""
    _usable(token)


def reset_password(token: str, password: str) -> User:
    """Set a new password with an emailed token; the token is checked first, and a weak password
    leaves it usable. Used once: a conditional UPDATE, so two racing requests get one reset."""
    reset = _usable(token)
    if problem := password_problem(password):
        raise ValidationFailed(fields={"password": [problem]})
    used = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        raise InvalidToken()
    user = db.session.get(User, reset.user_id)
    user.password_hash = hash_password(password)
    sessions.end_other_sessions(user)
    record_audit(None, "password.reset", "user", user.id)
    db.session.flush()
    return user
