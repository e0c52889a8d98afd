"""Two-step sign-in: enrolment, codes accepted once, recovery codes, turning it off, and the
owner's requirement for staff, over the API and the pages."""

import re
from datetime import timedelta

import pyotp
from freezegun import freeze_time
from sqlalchemy import select

from clinic.clinic_settings.services import update_clinic_settings
from clinic.extensions import db
from clinic.models import RecoveryCode
from tests.factories import PASSWORD, login, make_client, make_owner, make_therapist

NOW = "2030-01-07 09:00:10"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def token_for(client, user, **extra):
    return client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD, **extra})


def enrol(client, user) -> tuple[pyotp.TOTP, list[str], str]:
    """Turn two-step sign-in on over the API; returns the app, the recovery codes and a token."""
    token = token_for(client, user).get_json()["token"]
    started = client.post("/api/v1/me/two-factor", headers=bearer(token))
    assert started.status_code == 201
    body = started.get_json()
    assert body["otpauth_uri"].startswith("otpauth://totp/") and f"secret={body['secret']}" in body["otpauth_uri"]
    app = pyotp.TOTP(body["secret"])
    confirmed = client.post("/api/v1/me/two-factor/confirm", headers=bearer(token), json={"code": app.now()})
    assert confirmed.status_code == 200
    return app, confirmed.get_json()["recovery_codes"], token


def test_enrolment_gives_ten_recovery_codes_stored_hashed(client):
    user = make_owner()
    with freeze_time(NOW):
        _app, codes, token = enrol(client, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z0-9-]{10,}", code) for code in codes)
    stored = set(db.session.scalars(select(RecoveryCode.digest).where(RecoveryCode.user_id == user.id)))
    assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes}
    again = client.post("/api/v1/me/two-factor", headers=bearer(token))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "two_factor_active"


def test_a_wrong_confirming_code_is_422_and_a_new_start_replaces_the_pending_secret(client):
    user = make_owner()
    token = token_for(client, user).get_json()["token"]
    first = client.post("/api/v1/me/two-factor", headers=bearer(token)).get_json()["secret"]
    wrong = client.post("/api/v1/me/two-factor/confirm", headers=bearer(token), json={"code": "000000"})
    assert wrong.status_code == 422 and "code" in wrong.get_json()["error"]["fields"]
    second = client.post("/api/v1/me/two-factor", headers=bearer(token)).get_json()["secret"]
    assert second != first
    stale = client.post("/api/v1/me/two-factor/confirm", headers=bearer(token),
                        json={"code": pyotp.TOTP(first).now()})
    assert stale.status_code == 422
    assert token_for(client, user).status_code == 201  # still not active


def test_tokens_need_the_code_and_a_code_is_accepted_once(client):
    user = make_owner()
    with freeze_time(NOW) as frozen:
        app, _codes, _token = enrol(client, user)
        missing = token_for(client, user)
        assert missing.status_code == 401 and missing.get_json()["error"]["code"] == "otp_required"
        wrong = token_for(client, user, otp="123456" if app.now() != "123456" else "654321")
        assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "invalid_otp"
        frozen.tick(timedelta(seconds=30))
        code = app.now()
        assert token_for(client, user, otp=code).status_code == 201
        replay = token_for(client, user, otp=code)
        assert replay.status_code == 401 and replay.get_json()["error"]["code"] == "invalid_otp"
        frozen.tick(timedelta(seconds=30))
        assert token_for(client, user, otp=app.now()).status_code == 201


def test_one_step_of_clock_drift_either_way_is_accepted(client):
    user = make_owner()
    with freeze_time(NOW) as frozen:
        app, _codes, _token = enrol(client, user)
        frozen.tick(timedelta(seconds=60))
        late = app.at(frozen.time_to_freeze.timestamp() + 30)
        assert token_for(client, user, otp=late).status_code == 201
        frozen.tick(timedelta(seconds=120))
        too_far = app.at(frozen.time_to_freeze.timestamp() - 60)
        assert token_for(client, user, otp=too_far).get_json()["error"]["code"] == "invalid_otp"


def test_a_recovery_code_works_once(client):
    user = make_therapist().user
    with freeze_time(NOW):
        _app, codes, _token = enrol(client, user)
    assert token_for(client, user, otp=codes[3]).status_code == 201
    assert token_for(client, user, otp=codes[3]).get_json()["error"]["code"] == "invalid_otp"
    assert token_for(client, user, otp=codes[4].upper().replace("-", " ")).status_code == 201


def test_wrong_codes_count_as_failed_logins_but_otp_required_does_not(client):
    user = make_owner()
    with freeze_time(NOW):
        app, _codes, _token = enrol(client, user)
        for _ in range(15):
            assert token_for(client, user).get_json()["error"]["code"] == "otp_required"
        for _ in range(10):
            assert token_for(client, user, otp="000000" if app.now() != "000000" else "111111").status_code == 401
        assert token_for(client, user, otp=app.now()).status_code == 429


def test_turning_it_off_needs_the_password(client):
    user = make_client().user
    with freeze_time(NOW):
        _app, _codes, token = enrol(client, user)
    wrong = client.delete("/api/v1/me/two-factor", headers=bearer(token), json={"password": "not-it-at-all-1"})
    assert wrong.status_code == 403 and wrong.get_json()["error"]["code"] == "wrong_password"
    assert client.delete("/api/v1/me/two-factor", headers=bearer(token), json={"password": PASSWORD}).status_code == 204
    assert token_for(client, user).status_code == 201
    assert db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all() == []


def test_when_required_staff_without_it_may_only_enrol(client):
    owner = make_owner()
    update_clinic_settings(owner, {"require_staff_two_factor": True})
    therapist = make_therapist().user
    patient = make_client().user
    response = token_for(client, therapist)
    assert response.status_code == 201
    token = response.get_json()["token"]
    refused = client.get("/api/v1/appointments?from=2030-01-01&to=2030-01-02", headers=bearer(token))
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "two_factor_setup_required"
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    started = client.post("/api/v1/me/two-factor", headers=bearer(token)).get_json()
    confirmed = client.post("/api/v1/me/two-factor/confirm", headers=bearer(token),
                            json={"code": pyotp.TOTP(started["secret"]).now()})
    assert confirmed.status_code == 200
    assert client.get("/api/v1/appointments?from=2030-01-01&to=2030-01-02", headers=bearer(token)).status_code == 200
    client_token = token_for(client, patient).get_json()["token"]
    assert client.get("/api/v1/appointments?from=2030-01-01&to=2030-01-02",
                      headers=bearer(client_token)).status_code == 200
    other = token_for(client, make_therapist().user).get_json()["token"]
    assert client.delete("/api/v1/tokens/current", headers=bearer(other)).status_code == 204


def test_when_required_the_pages_send_staff_to_enrolment(client):
    owner = make_owner()
    update_clinic_settings(owner, {"require_staff_two_factor": True})
    therapist = make_therapist().user
    response = client.post("/login", data={"email": therapist.email, "password": PASSWORD})
    assert response.headers["Location"] == "/account/two-factor"
    elsewhere = client.get("/clients")
    assert elsewhere.status_code == 302 and elsewhere.headers["Location"] == "/account/two-factor"
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "asks all staff to use two-step sign-in" in page and "<svg" in page


def test_enrolling_on_the_pages_and_the_second_login_step(client):
    user = make_owner()
    with freeze_time(NOW) as frozen:
        login(client, user.email)
        page = client.get("/account/two-factor").get_data(as_text=True)
        assert "<svg" in page and "<script" not in page
        secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page).group(1)
        app = pyotp.TOTP(secret)
        wrong = client.post("/account/two-factor", data={"code": "000000" if app.now() != "000000" else "111111"})
        assert wrong.status_code == 200 and "not right" in wrong.get_data(as_text=True)
        shown = client.post("/account/two-factor", data={"code": app.now()}).get_data(as_text=True)
        codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", shown)
        assert len(codes) == 10 and "only time they are shown" in shown
        client.post("/logout")
        step_one = client.post("/login?next=/clients", data={"email": user.email, "password": PASSWORD})
        assert step_one.headers["Location"] == "/login/code"
        assert client.get("/clients").status_code == 302  # not signed in yet
        frozen.tick(timedelta(seconds=30))
        bad = client.post("/login/code", data={"code": "999999" if app.now() != "999999" else "888888"})
        assert bad.status_code == 401
        done = client.post("/login/code", data={"code": app.now()})
        assert done.status_code == 302 and done.headers["Location"] == "/clients"
        assert client.get("/clients").status_code == 200
        client.post("/logout")
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert client.post("/login/code", data={"code": codes[0]}).status_code == 302
        account = client.get("/account").get_data(as_text=True)
        assert "9 unused recovery codes" in account
        off = client.post("/account/two-factor/off", data={"password": PASSWORD})
        assert off.status_code == 302
        client.post("/logout")
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).headers["Location"] == "/"


def test_the_second_step_expires(client):
    user = make_owner()
    with freeze_time(NOW) as frozen:
        enrol(client, user)
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        frozen.tick(timedelta(minutes=6))
        response = client.post("/login/code", data={"code": "123456"})
        assert response.status_code == 302 and response.headers["Location"] == "/login"
