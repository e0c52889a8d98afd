"""Sessions and API tokens live on the server: logging out, a password change, "sign out of
all other sessions" and idleness end them, copies included."""

from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import AuditEntry, UserSession
from tests.factories import PASSWORD, login, make_client, make_owner

START = "2030-01-07 09:00:00"


def copy_cookie(source, target) -> None:
    target.set_cookie("session", source.get_cookie("session").value)


def fresh_get(app, web, url):
    """A request with its own `g`, as in production: under the test's app context every request
    would share one, and a user loaded by one client's request would serve the next."""
    with app.app_context():
        return web.get(url)


def token_for(client, user, password=PASSWORD) -> str:
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": password})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_cookie_copied_before_logout_no_longer_works(app, client):
    user = make_owner()
    login(client, user.email)
    thief = app.test_client()
    copy_cookie(client, thief)
    assert fresh_get(app, thief, "/clients").status_code == 200
    client.post("/logout")
    assert fresh_get(app, thief, "/clients").status_code == 302
    assert db.session.scalar(select(func.count(UserSession.id)).where(UserSession.user_id == user.id)) == 0


def test_a_cookie_for_another_users_session_is_refused(app, client):
    first, second = make_owner(), make_client()
    login(client, first.email)
    other = app.test_client()
    login(other, second.user.email)
    with client.session_transaction() as session:
        session["_user_id"] = str(second.user.id)  # a forged user id beside first's own secret
    assert fresh_get(app, client, "/account").status_code == 302


def test_staff_sessions_end_after_thirty_idle_minutes(client):
    user = make_owner()
    with freeze_time(START) as frozen:
        login(client, user.email)
        frozen.tick(timedelta(minutes=29))
        assert client.get("/clients").status_code == 200
        frozen.tick(timedelta(minutes=29))  # active a moment ago: still signed in
        assert client.get("/clients").status_code == 200
        frozen.tick(timedelta(minutes=31))
        response = client.get("/clients")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_client_sessions_last_longer_but_end_too(client, app):
    person = make_client()
    with freeze_time(START) as frozen:
        login(client, person.user.email)
        frozen.tick(timedelta(minutes=app.config["CLIENT_IDLE_MINUTES"] - 1))
        assert client.get("/account").status_code == 200
        frozen.tick(timedelta(minutes=app.config["CLIENT_IDLE_MINUTES"] + 1))
        assert client.get("/account").status_code == 302


def test_api_tokens_end_when_idle_and_after_their_lifetime(client):
    user = make_owner()
    with freeze_time(START) as frozen:
        token = token_for(client, user)
        frozen.tick(timedelta(minutes=25))
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
        frozen.tick(timedelta(minutes=31))
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
        busy = token_for(client, user)
        for _ in range(13 * 4):  # used every quarter of an hour, for thirteen hours
            frozen.tick(timedelta(minutes=15))
            if client.get("/api/v1/me", headers=bearer(busy)).status_code == 401:
                break
        assert client.get("/api/v1/me", headers=bearer(busy)).status_code == 401


def test_delete_tokens_current_ends_only_that_token(client):
    user = make_owner()
    first, second = token_for(client, user), token_for(client, user)
    assert client.delete("/api/v1/tokens/current", headers=bearer(first)).status_code == 204
    response = client.get("/api/v1/me", headers=bearer(first))
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthenticated"
    assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200
    assert client.delete("/api/v1/tokens/current").status_code == 401


def test_me_password_gives_a_fresh_token_and_ends_every_other_session(app, client):
    user = make_owner()
    login(client, user.email)
    old, other = token_for(app.test_client(), user), token_for(app.test_client(), user)
    response = client.post("/api/v1/me/password", headers=bearer(old),
                           json={"current_password": PASSWORD, "new_password": "brand-new-pass-7"})
    assert response.status_code == 200
    fresh = response.get_json()["token"]
    assert client.get("/api/v1/me", headers=bearer(fresh)).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(old)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 401
    assert client.get("/clients").status_code == 302
    assert token_for(app.test_client(), user, "brand-new-pass-7")


def test_me_password_refuses_a_wrong_current_or_a_weak_new_password(client):
    user = make_owner()
    token = token_for(client, user)
    wrong = client.post("/api/v1/me/password", headers=bearer(token),
                        json={"current_password": "not-it-at-all-1", "new_password": "brand-new-pass-7"})
    assert wrong.status_code == 403 and wrong.get_json()["error"]["code"] == "wrong_password"
    weak = client.post("/api/v1/me/password", headers=bearer(token),
                       json={"current_password": PASSWORD, "new_password": "short"})
    assert weak.status_code == 422 and "new_password" in weak.get_json()["error"]["fields"]
    assert client.post("/api/v1/me/password", headers=bearer(token), json={}).status_code == 422
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200


def test_changing_the_password_on_the_page_keeps_this_session_and_ends_the_others(app, client):
    user = make_owner()
    login(client, user.email)
    elsewhere = app.test_client()
    login(elsewhere, user.email)
    token = token_for(app.test_client(), user)
    response = client.post("/account", data={
        "current": PASSWORD, "password": "brand-new-pass-7", "confirm": "brand-new-pass-7"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == user.id)).all()
    assert "password.changed" in actions


def test_a_wrong_current_password_on_the_page_is_shown_beside_the_field(client):
    user = make_owner()
    login(client, user.email)
    response = client.post("/account", data={
        "current": "not-it-at-all-1", "password": "brand-new-pass-7", "confirm": "brand-new-pass-7"})
    assert response.status_code == 422
    assert "That is not your current password." in response.get_data(as_text=True)


def test_sign_out_of_all_other_sessions(app, client):
    user = make_client()
    login(client, user.user.email)
    elsewhere = app.test_client()
    login(elsewhere, user.user.email)
    token = token_for(app.test_client(), user.user)
    page = client.get("/account").get_data(as_text=True)
    assert "also signed in 2 other times" in page and "Sign out of all other sessions" in page
    assert client.post("/account/sessions/end-others").status_code == 302
    assert client.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert "Only here." in client.get("/account").get_data(as_text=True)


def test_logins_leave_audit_entries_with_the_address(client):
    user = make_owner()
    client.post("/login", data={"email": user.email, "password": "wrong-password-1"},
                environ_base={"REMOTE_ADDR": "198.51.100.77"})
    client.post("/api/v1/tokens", json={"email": "nobody@example.test", "password": "wrong-password-1"})
    login(client, user.email)
    entries = db.session.execute(
        select(AuditEntry.actor_id, AuditEntry.action, AuditEntry.subject_id, AuditEntry.detail)
        .where(AuditEntry.action.like("login.%")).order_by(AuditEntry.id)
    ).all()
    assert [tuple(e) for e in entries] == [
        (user.id, "login.failed", user.id, "198.51.100.77"),
        (None, "login.failed", None, "127.0.0.1"),
        (user.id, "login.succeeded", user.id, "127.0.0.1"),
    ]
