"""Two-step sign-in: TOTP codes (RFC 6238: SHA-1, 6 digits, 30 s, one step of drift either
way) from an authenticator app, and single-use recovery codes for a lost phone.

A code is accepted at most once: the last accepted time step is stored per user and moved
forward with a conditional UPDATE, so two requests racing with one code get one success.
"""

import hashlib
import hmac
import io
import secrets

import pyotp
import qrcode
import qrcode.image.svg
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from clinic.audit import record_audit
from clinic.errors import TwoFactorActive, ValidationFailed
from clinic.extensions import db
from clinic.models import RecoveryCode, User
from clinic.models.types import utcnow

STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
WRONG_CODE = "That code is not right. Enter the code the app shows now."
# No 0/o, 1/l/i: a code read off paper is typed right.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def provisioning_uri(user: User, issuer: str) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The otpauth address as an inline SVG QR code, drawn on the server (no script, no image
    library): a path with presentation attributes only, which the strict CSP allows."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg"):]


def begin_enrolment(user: User) -> str:
    """A new pending secret (replacing any earlier pending one); not active until confirmed."""
    if user.has_two_factor:
        raise TwoFactorActive()
    user.totp_secret = pyotp.random_base32()
    user.totp_last_step = None
    db.session.flush()
    return user.totp_secret


def _matching_step(secret: str, code: str) -> int | None:
    """The time step (within the allowed drift) whose code this is, or None."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(utcnow().timestamp()) // STEP_SECONDS
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Record `step` as the last accepted one; False if it (or a later one) already was."""
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, digest=_digest(raw)))
    db.session.flush()
    return codes


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn two-step sign-in on with a first good code; returns the recovery codes, the only
    time they are ever shown (only their digests are kept)."""
    if user.has_two_factor:
        raise TwoFactorActive()
    if not user.totp_secret:
        raise ValidationFailed(fields={"code": ["Start setting up two-step sign-in first."]})
    step = _matching_step(user.totp_secret, code)
    if step is None or not _claim_step(user, step):
        raise ValidationFailed(fields={"code": [WRONG_CODE]})
    user.two_factor_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    record_audit(user, "two_factor.enabled", "user", user.id)
    return codes


def turn_off(user: User) -> None:
    """The password has been checked by the caller."""
    user.totp_secret = None
    user.two_factor_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()
    record_audit(user, "two_factor.disabled", "user", user.id)


def accept_code(user: User, code: str) -> bool:
    """A current authenticator code not used before, or an unused recovery code (used up now)."""
    if not user.has_two_factor or not code:
        return False
    step = _matching_step(user.totp_secret, code)
    if step is not None:
        return _claim_step(user, step)
    raw = _normalise(code)
    if len(raw) < 10 or not raw.isalnum():
        return False
    row_id = db.session.scalar(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.digest == _digest(raw),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row_id is None:
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == row_id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return used.rowcount == 1


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def regenerate_recovery_codes(user: User) -> list[str]:
    """A fresh set (the password has been checked by the caller); the old ones stop working."""
    codes = _new_recovery_codes(user)
    record_audit(user, "two_factor.recovery_codes_renewed", "user", user.id)
    return codes
