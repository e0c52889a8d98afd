"""Password policy and Argon2id hashing."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_PASSWORD_LENGTH = 10
_hashers: dict[bool, PasswordHasher] = {}


def password_problem(password: str) -> str | None:
    """Why a password is too weak, or None. Contract: 10+ characters, not only letters or digits."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if not password.strip():
        return "Use letters, digits or symbols, not only spaces."
    if password.isalpha():
        return "Use at least one digit or symbol, not only letters."
    if password.isdigit():
        return "Use at least one letter or symbol, not only digits."
    return None


def _hasher() -> PasswordHasher:
    # Tests hash thousands of passwords; they use cheaper Argon2id parameters.
    fast = bool(current_app.config.get("FAST_PASSWORD_HASHING"))
    if fast not in _hashers:
        _hashers[fast] = (
            PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else PasswordHasher()
        )
    return _hashers[fast]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        _hasher().hash(password)  # spend the same time as a real check
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
