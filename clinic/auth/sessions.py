"""Signed-in browsers and API tokens, kept on the server so that they can be ended there.

The session cookie and the bearer token each carry a random secret; the database holds only
its SHA-256 digest. Every request looks the secret up, so logging out, changing or resetting
a password, or "sign out of all other sessions" ends a stolen copy as well. Both end after a
spell without requests: STAFF_IDLE_MINUTES for staff, CLIENT_IDLE_MINUTES for clients.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from clinic.extensions import db
from clinic.models import ApiToken, User, UserSession
from clinic.models.types import utcnow

# A token also ends this long after it was issued, however busy it is: a script logs in again.
TOKEN_LIFETIME = timedelta(hours=12)
# Last-seen times are written at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()  # never a 500 on odd input


def idle_limit(user: User) -> timedelta:
    """How long a session or token of this user survives without a request."""
    name = "CLIENT_IDLE_MINUTES" if user.is_client else "STAFF_IDLE_MINUTES"
    return timedelta(minutes=current_app.config[name])


def start_session(user: User) -> str:
    """A new browser session; the returned secret goes into the (signed) cookie."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    # Sessions of browsers that never came back are tidied away as the account signs in again.
    abandoned = now - idle_limit(user)
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.last_seen_at < abandoned)
    )
    db.session.add(UserSession(user_id=user.id, digest=digest(secret), created_at=now, last_seen_at=now))
    db.session.flush()
    return secret


def _still_fresh(last_seen: datetime, user: User, now: datetime) -> bool:
    return now - last_seen <= idle_limit(user)


def session_user(user_id: int, secret: str | None) -> User | None:
    """The user of a live session (bumping its last-seen time), or None: unknown, ended, idle
    too long, someone else's, or a disabled account."""
    if not secret:
        return None
    row = db.session.scalar(select(UserSession).where(UserSession.digest == digest(secret)))
    if row is None or row.user_id != user_id:
        return None
    user = db.session.get(User, user_id)
    now = utcnow()
    if user is None or not user.is_active or not _still_fresh(row.last_seen_at, user, now):
        db.session.delete(row)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return user


def end_session(secret: str | None) -> None:
    if secret:
        db.session.execute(delete(UserSession).where(UserSession.digest == digest(secret)))


def end_other_sessions(user: User, *, keep_session: str | None = None, keep_token: str | None = None) -> None:
    """Sign the account out everywhere (browsers and API tokens) except what is named to keep."""
    sessions = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_session:
        sessions = sessions.where(UserSession.digest != digest(keep_session))
    tokens = delete(ApiToken).where(ApiToken.user_id == user.id)
    if keep_token:
        tokens = tokens.where(ApiToken.token_digest != digest(keep_token))
    db.session.execute(sessions.execution_options(synchronize_session=False))
    db.session.execute(tokens.execution_options(synchronize_session=False))


def other_session_count(user: User, current_secret: str | None) -> int:
    """Other live browser sessions and API tokens of the account (for the account page)."""
    now = utcnow()
    cutoff = now - idle_limit(user)
    sessions = db.session.scalars(
        select(UserSession.digest).where(UserSession.user_id == user.id, UserSession.last_seen_at >= cutoff)
    ).all()
    current = digest(current_secret) if current_secret else None
    tokens = db.session.scalars(
        select(ApiToken.id).where(
            ApiToken.user_id == user.id,
            ApiToken.expires_at > now,
            func.coalesce(ApiToken.last_used_at, ApiToken.created_at) >= cutoff,
        )
    ).all()
    return sum(1 for d in sessions if d != current) + len(tokens)


def issue_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at <= now))
    db.session.add(
        ApiToken(user_id=user.id, token_digest=digest(token), created_at=now,
                 expires_at=now + TOKEN_LIFETIME, last_used_at=now)
    )
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to (bumping its last use); None for unknown,
    revoked, expired, idle too long or disabled."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_digest == digest(token)))
    if row is None or not row.user.is_active:
        return None
    now = utcnow()
    last_used = row.last_used_at or row.created_at
    if row.expires_at <= now or not _still_fresh(last_used, row.user, now):
        return None
    if now - last_used >= TOUCH_EVERY:
        db.session.execute(
            update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
    return row.user


def revoke_token(token: str) -> None:
    db.session.execute(delete(ApiToken).where(ApiToken.token_digest == digest(token)))
