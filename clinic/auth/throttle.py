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


def is_locked_out(email: str) -> bool:
    store = _redis()
    if store is not None:
        count = store.get(_key(email))
        return int(count or 0) >= _limit()
    since = utcnow() - timedelta(seconds=_window())
    count = db.session.scalar(
        select(func.count(LoginFailure.id)).where(
            LoginFailure.email == email.strip().lower(), LoginFailure.failed_at > since
        )
    )
    return (count or 0) >= _limit()


def record_failure(email: str) -> None:
    """Count one failure. The database path commits on its own: a failed login rolls back."""
    store = _redis()
    if store is not None:
        key = _key(email)
        pipe = store.pipeline()
        pipe.incr(key)
        # The window opens at the first failure and is not extended by later ones.
        pipe.expire(key, _window(), nx=True)
        pipe.execute()
        return
    email = email.strip().lower()
    stale = utcnow() - timedelta(seconds=_window())
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.failed_at <= stale)
    )
    db.session.add(LoginFailure(email=email))
    db.session.commit()


def clear_failures(email: str) -> None:
    store = _redis()
    if store is not None:
        store.delete(_key(email))
        return
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email.strip().lower()))
