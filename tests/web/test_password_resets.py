"""Password resets by email: one answer for every address, a single-use link that expires, and
a reset that signs the account out everywhere."""

import re
from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import OutboundEmail, PasswordReset
from tests.factories import PASSWORD, login, make_client, make_owner

NEW_PASSWORD = "fresh-start-2027"


def reset_emails(address: str) -> list[OutboundEmail]:
    return db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.recipient == address, OutboundEmail.kind == "password_reset")
    ).all()


def ask_for_reset(client, email: str) -> str | None:
    response = client.post("/api/v1/password-resets", json={"email": email})
    assert response.status_code == 202
    emails = reset_emails(email)
    if not emails:
        return None
    return re.search(r"token=([\w-]+)", emails[-1].body).group(1)


def confirm(client, token, password=NEW_PASSWORD):
    return client.post("/api/v1/password-resets/confirm", json={"token": token, "password": password})


def test_the_answer_is_the_same_whether_or_not_an_account_has_the_address(client):
    user = make_owner()
    known = client.post("/api/v1/password-resets", json={"email": user.email})
    unknown = client.post("/api/v1/password-resets", json={"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json()
    assert len(reset_emails(user.email)) == 1 and reset_emails("nobody@example.test") == []
    assert client.post("/api/v1/password-resets", json={}).status_code == 422


def test_the_link_is_single_use_and_only_its_digest_is_stored(client):
    user = make_client().user
    token = ask_for_reset(client, user.email)
    assert "/password-reset/confirm?token=" in reset_emails(user.email)[0].body
    assert token not in {row.digest for row in db.session.scalars(select(PasswordReset))}
    assert confirm(client, token).status_code == 200
    again = confirm(client, token, "another-pass-2027")
    assert again.status_code == 400 and again.get_json()["error"]["code"] == "invalid_token"
    assert client.post("/api/v1/tokens", json={"email": user.email, "password": NEW_PASSWORD}).status_code == 201


def test_an_expired_link_is_refused(client, app):
    user = make_owner()
    with freeze_time("2030-01-07 09:00:00") as frozen:
        token = ask_for_reset(client, user.email)
        frozen.tick(timedelta(minutes=app.config["PASSWORD_RESET_MINUTES"] + 1))
        response = confirm(client, token)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_token"
    assert client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).status_code == 201


def test_the_token_is_checked_first_and_a_weak_password_leaves_it_usable(client):
    user = make_owner()
    bad = confirm(client, "not-a-token", "short")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_token"
    assert client.post("/api/v1/password-resets/confirm", json={"password": NEW_PASSWORD}).status_code == 400
    token = ask_for_reset(client, user.email)
    weak = confirm(client, token, "short")
    assert weak.status_code == 422 and "password" in weak.get_json()["error"]["fields"]
    assert confirm(client, token).status_code == 200


def test_a_reset_ends_every_session_and_token_of_the_account(app, client):
    user = make_owner()
    login(client, user.email)
    token = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).get_json()["token"]
    reset = ask_for_reset(app.test_client(), user.email)
    assert confirm(app.test_client(), reset).status_code == 200
    with app.app_context():
        assert client.get("/clients").status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_the_pages_from_forgot_password_to_a_new_password(client):
    user = make_client().user
    login_page = client.get("/login").get_data(as_text=True)
    assert 'href="/password-reset"' in login_page and "Forgot your password?" in login_page
    assert client.get("/password-reset").status_code == 200
    sent = client.post("/password-reset", data={"email": user.email})
    assert sent.status_code == 200 and "Check your email" in sent.get_data(as_text=True)
    link = re.search(r"(http://\S+)", reset_emails(user.email)[0].body).group(1)
    path = link.split("localhost", 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    mismatch = client.post(path, data={"password": NEW_PASSWORD, "confirm": "something-else-1"})
    assert mismatch.status_code == 422
    done = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    used = client.get(path)
    assert used.status_code == 400 and "cannot be used" in used.get_data(as_text=True)
    assert client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def test_the_emailed_link_uses_public_url_when_set(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://clinic.example")
    user = make_owner()
    client.post("/api/v1/password-resets", json={"email": user.email}, headers={"Host": "evil.example"})
    assert "https://clinic.example/password-reset/confirm?token=" in reset_emails(user.email)[0].body
    assert db.session.scalar(select(func.count(OutboundEmail.id)).where(OutboundEmail.body.like("%evil%"))) == 0
