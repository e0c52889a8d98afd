"""Account services on both databases: codes and reset tokens are used once, the throttle's
database store counts per account and address, and a reset ends every session."""

import pyotp
import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from clinic.auth import resets, sessions, throttle, two_factor
from clinic.errors import AddressThrottled, InvalidToken, Throttled
from clinic.extensions import db
from clinic.models import ApiToken, LoginFailure, OutboundEmail, UserSession
from tests.factories import make_owner

NOW = "2030-01-07 09:00:10"


def failures(**where) -> int:
    query = select(func.count(LoginFailure.id))
    for name, value in where.items():
        query = query.where(getattr(LoginFailure, name) == value)
    return db.session.scalar(query)


def test_a_totp_code_is_accepted_once_and_recovery_codes_once(app):
    user = make_owner()
    with freeze_time(NOW) as frozen:
        secret = two_factor.begin_enrolment(user)
        codes = two_factor.confirm_enrolment(user, pyotp.TOTP(secret).now())
        assert not two_factor.accept_code(user, pyotp.TOTP(secret).now())  # the confirming code
        frozen.tick(30)
        code = pyotp.TOTP(secret).now()
        assert two_factor.accept_code(user, code)
        assert not two_factor.accept_code(user, code)
    assert two_factor.accept_code(user, codes[0])
    assert not two_factor.accept_code(user, codes[0])
    assert two_factor.recovery_codes_left(user) == 9


def test_the_database_throttle_counts_per_account_and_address(app):
    user = make_owner()
    for _ in range(10):
        throttle.claim_attempt(user.email, "203.0.113.1")
    with pytest.raises(Throttled):
        throttle.claim_attempt(user.email, "203.0.113.1")
    assert failures(email=user.email, address="203.0.113.1") == 10  # the refused one is not kept
    throttle.claim_attempt(user.email, "198.51.100.1").succeeded()
    assert failures(address="198.51.100.1") == 0
    throttle.claim_attempt(user.email, "198.51.100.1").forgive()
    assert failures(address="198.51.100.1") == 0


def test_the_database_throttle_refuses_an_address_over_its_limit(app):
    app.config["LOGIN_ADDRESS_LIMIT"] = 4
    try:
        for number in range(5):
            throttle.claim_attempt(f"someone{number}@example.test", "203.0.113.9")
        assert throttle.address_blocked("203.0.113.9")
        with pytest.raises(AddressThrottled):
            throttle.claim_attempt("else@example.test", "203.0.113.9")
        assert not throttle.address_blocked("203.0.113.10")
    finally:
        app.config["LOGIN_ADDRESS_LIMIT"] = 100


def test_a_reset_is_used_once_and_ends_every_session_and_token(app):
    user = make_owner()
    sessions.start_session(user)
    sessions.issue_token(user)
    links = []
    resets.request_reset(user.email.upper(), lambda token: links.append(token) or f"/reset?token={token}")
    assert db.session.scalar(select(func.count(OutboundEmail.id)).where(OutboundEmail.recipient == user.email)) == 1
    resets.reset_password(links[0], "new-password-2027")
    assert db.session.scalar(select(func.count(UserSession.id)).where(UserSession.user_id == user.id)) == 0
    assert db.session.scalar(select(func.count(ApiToken.id)).where(ApiToken.user_id == user.id)) == 0
    with pytest.raises(InvalidToken):
        resets.reset_password(links[0], "other-password-2027")
