"""Failed-login throttling per account, shared by every server process.

Redis holds the counter when REDIS_URL is set; otherwise the database does. Both are
visible to all processes, which a per-process memory store would not be.
"""

from datetime import timedelta

import redis
from flask import current_app
from sqlalchemy import delete, func, select

from clinic.extensions import db
from clinic.models import LoginFailure
from clinic.models.types import utcnow


def _key(email: str) -> str:
    return f"clinic:login-failures:{email.strip().lower()}"


def _limit() -> int:
    return current_app.config["LOGIN_FAILURE_LIMIT"]


def _window() -> int:
    return current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"]


def _redis() -> redis.Redis | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    clients = current_app.extensions.setdefault("clinic_redis", {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(url, socket_timeout=2)
    return clients[url]


def claim_attempt(email: str) -> bool:
    """Count a login attempt as failed before its password is checked; False when over the limit.

    Counting first is what keeps parallel guesses honest: had each checked the count and
    recorded its failure afterwards, all of them could pass the check before any was counted.
    A success clears the count again. The database path commits on its own, so the count
    is visible to every process at once and survives the failed request's rollback.
    """
    store = _redis()
    if store is not None:
        pipe = store.pipeline()
        pipe.incr(_key(email))
        # The window opens at the first failure and is not extended by later ones.
        pipe.expire(_key(email), _window(), nx=True)
        count, _ = pipe.execute()
        return count <= _limit()
    email = email.strip().lower()
    now = utcnow()
    window_start = now - timedelta(seconds=_window())
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.failed_at <= window_start)
    )
    attempt = LoginFailure(email=email, failed_at=now)
    db.session.add(attempt)
    db.session.commit()
    count = db.session.scalar(
        select(func.count(LoginFailure.id)).where(
            LoginFailure.email == email, LoginFailure.failed_at > window_start
        )
    )
    if count <= _limit():
        return True
    # A refused attempt never reached the password check: it must not prolong the lockout.
    db.session.delete(attempt)
    db.session.commit()
    return False


def clear_failures(email: str) -> None:
    store = _redis()
    if store is not None:
        store.delete(_key(email))
        return
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email.strip().lower()))
