"""Failed-login throttling, shared by every server process.

Each login attempt is counted twice before its password is checked: for the account from
this client address (refused after LOGIN_FAILURE_LIMIT, 10, within the window) and for the
address alone (refused once it has more than LOGIN_ADDRESS_LIMIT failures, any accounts).
Keying the account's counter by address is what keeps a stranger from locking the clinic
out of its own accounts: their guesses fill only their own address's counters.

Redis holds the counters when REDIS_URL is set and answers; otherwise, and whenever Redis
is down, the database does. Both are visible to all processes, which memory would not be.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

import redis
from flask import current_app, request
from sqlalchemy import delete, func, or_, select

from clinic.errors import AddressThrottled, Throttled
from clinic.extensions import db
from clinic.models import LoginFailure
from clinic.models.types import utcnow

log = logging.getLogger(__name__)

# DECR only a key that still exists: one that expired meanwhile must not come back at -1.
_UNCOUNT = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end return 0"


def client_address() -> str:
    """The peer address; with TRUSTED_PROXIES set, ProxyFix has already put the forwarded
    client's address here (clinic.security)."""
    return (request.remote_addr or "unknown")[:64]


def _account_key(email: str, address: str) -> str:
    return f"clinic:login-failures:account:{email}|{address}"


def _address_key(address: str) -> str:
    return f"clinic:login-failures:address:{address}"


def _limits() -> tuple[int, int, int]:
    config = current_app.config
    return (
        config["LOGIN_FAILURE_LIMIT"],
        config["LOGIN_ADDRESS_LIMIT"],
        config["LOGIN_FAILURE_WINDOW_SECONDS"],
    )


def _redis() -> redis.Redis | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    clients = current_app.extensions.setdefault("clinic_redis", {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1)
    return clients[url]


@dataclass
class Attempt:
    """One counted login attempt; it stays a failure unless told otherwise."""

    email: str
    address: str
    row_id: int | None = None  # the database row, when the database counted it

    def forgive(self) -> None:
        """Not a failure after all (a right password that still needs its second step)."""
        if self.row_id is None:
            _redis_uncount(_account_key(self.email, self.address), _address_key(self.address))
        else:
            db.session.execute(delete(LoginFailure).where(LoginFailure.id == self.row_id))

    def succeeded(self) -> None:
        """Signed in: the account's counter from this address starts again, and this attempt
        leaves the address's counter."""
        if self.row_id is None:
            store = _redis()
            try:
                store.delete(_account_key(self.email, self.address))
            except redis.RedisError as error:
                log.warning("Redis unreachable while clearing login failures: %s", error)
            _redis_uncount(_address_key(self.address))
            return
        db.session.execute(
            delete(LoginFailure).where(
                or_(
                    LoginFailure.id == self.row_id,
                    (LoginFailure.email == self.email) & (LoginFailure.address == self.address),
                )
            )
        )


def _redis_uncount(*keys: str) -> None:
    store = _redis()
    try:
        uncount = store.register_script(_UNCOUNT)
        for key in keys:
            uncount(keys=[key])
    except redis.RedisError as error:
        log.warning("Redis unreachable while uncounting a login attempt: %s", error)


def _redis_claim(store: redis.Redis, email: str, address: str) -> Attempt:
    account_limit, address_limit, window = _limits()
    account, by_address = _account_key(email, address), _address_key(address)
    pipe = store.pipeline()
    pipe.incr(account)
    # Each window opens at its first failure and is not extended by later ones.
    pipe.expire(account, window, nx=True)
    pipe.incr(by_address)
    pipe.expire(by_address, window, nx=True)
    account_count, _, address_count, _ = pipe.execute()
    attempt = Attempt(email, address)
    if account_count > account_limit or address_count > address_limit + 1:
        # A refused attempt never reached the password check: it must not prolong the lockout.
        _redis_uncount(account, by_address)
        raise AddressThrottled() if address_count > address_limit + 1 else Throttled()
    return attempt


def _database_claim(email: str, address: str) -> Attempt:
    account_limit, address_limit, window = _limits()
    now = utcnow()
    window_start = now - timedelta(seconds=window)
    db.session.execute(
        delete(LoginFailure).where(
            or_(LoginFailure.email == email, LoginFailure.address == address),
            LoginFailure.failed_at <= window_start,
        )
    )
    row = LoginFailure(email=email, address=address, failed_at=now)
    db.session.add(row)
    # Committed at once, so the count is visible to every process and survives the failed
    # request's rollback.
    db.session.commit()
    recent = select(func.count(LoginFailure.id)).where(LoginFailure.failed_at > window_start)
    account_count = db.session.scalar(
        recent.where(LoginFailure.email == email, LoginFailure.address == address)
    )
    address_count = db.session.scalar(recent.where(LoginFailure.address == address))
    if account_count <= account_limit and address_count <= address_limit + 1:
        return Attempt(email, address, row.id)
    db.session.delete(row)
    db.session.commit()
    raise AddressThrottled() if address_count > address_limit + 1 else Throttled()


def claim_attempt(email: str, address: str) -> Attempt:
    """Count a login attempt as failed before its password is checked, or raise Throttled.

    Counting first is what keeps parallel guesses honest: had each checked the count and
    recorded its failure afterwards, all of them could pass the check before any was counted.
    """
    email = email.strip().lower()
    store = _redis()
    if store is not None:
        try:
            return _redis_claim(store, email, address)
        except redis.RedisError as error:
            log.warning("Redis unreachable, counting login failures in the database: %s", error)
    return _database_claim(email, address)


def address_blocked(address: str) -> bool:
    """More than LOGIN_ADDRESS_LIMIT failed logins from this address within the window: it may
    not log in, reset a password or sign up until the window has passed."""
    _, address_limit, window = _limits()
    store = _redis()
    if store is not None:
        try:
            return int(store.get(_address_key(address)) or 0) > address_limit
        except redis.RedisError as error:
            log.warning("Redis unreachable, reading login failures from the database: %s", error)
    window_start = utcnow() - timedelta(seconds=window)
    count = db.session.scalar(
        select(func.count(LoginFailure.id)).where(
            LoginFailure.address == address, LoginFailure.failed_at > window_start
        )
    )
    return count > address_limit


def refuse_blocked_address(address: str) -> None:
    if address_blocked(address):
        raise AddressThrottled()
