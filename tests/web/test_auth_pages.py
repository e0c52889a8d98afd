"""Logging in and out in the browser, signing up, and what every page sends."""

import re

import pytest
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import Client, User
from tests.factories import PASSWORD, make_client, make_owner


def login(client, email, password=PASSWORD, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


def test_login_page_has_the_contract_form(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    html = client.get("/login").get_data(as_text=True)
    assert re.search(r'<label for="email">Email</label>', html)
    assert re.search(r'<label for="password">Password</label>', html)
    assert re.search(r'<input[^>]*name="email"', html)
    assert re.search(r'<input[^>]*name="password"[^>]*type="password"|type="password"[^>]*name="password"', html)
    assert re.search(r'<input[^>]*name="csrf_token"[^>]*type="hidden"|type="hidden"[^>]*name="csrf_token"', html)


def test_login_without_csrf_token_is_refused(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = make_owner()
    response = login(client, user.email)
    assert response.status_code == 400
    assert "_user_id" not in (client.get_cookie("session").value if client.get_cookie("session") else "")
    assert client.get("/clients").status_code == 302


def test_login_with_csrf_token_works(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = make_owner()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', html)
    csrf = token.group(1) or token.group(2)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf})
    assert response.status_code == 302
    assert client.get("/clients").status_code == 200


def test_login_follows_a_local_next(client):
    user = make_owner()
    response = login(client, user.email, next_url="/clients")
    assert response.status_code == 302
    assert response.headers["Location"] == "/clients"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example", "//evil.example/x", "http:/evil.example", "/\\evil.example", "javascript:alert(1)"],
)
def test_login_ignores_a_next_that_leaves_the_site(client, target):
    user = make_owner()
    response = login(client, user.email, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_wrong_password_shows_the_problem_beside_the_field(client):
    user = make_owner()
    response = login(client, user.email, "wrong-password-1")
    assert response.status_code == 401
    assert "Email or password is not right." in response.get_data(as_text=True)


def test_logout_needs_a_post_and_ends_the_session(client):
    user = make_owner()
    login(client, user.email)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/clients").status_code == 302


def test_a_disabled_user_cannot_log_in(client):
    user = make_owner(is_disabled=True)
    assert login(client, user.email).status_code == 401


def test_sign_up_page_creates_a_client_and_logs_them_in(client):
    response = client.post(
        "/signup",
        data={"name": "Nora New", "email": "nora@example.test", "password": "long-enough-1",
              "confirm": "long-enough-1"},
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Client).where(Client.email == "nora@example.test"))
    assert created is not None and created.user.role == "client"
    assert "Nora New" in client.get("/").get_data(as_text=True)


def test_sign_up_page_shows_problems_and_saves_nothing(client):
    make_client(email="taken@example.test")
    before = db.session.scalar(select(func.count(User.id)))
    response = client.post(
        "/signup",
        data={"name": "X", "email": "taken@example.test", "password": "short", "confirm": "short"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "at least 10 characters" in html
    assert db.session.scalar(select(func.count(User.id))) == before


def test_duplicate_email_on_the_sign_up_page(client):
    make_client(email="taken@example.test")
    response = client.post(
        "/signup",
        data={"name": "X", "email": "taken@example.test", "password": "long-enough-1",
              "confirm": "long-enough-1"},
    )
    assert "already exists" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/login", "/signup", "/api/v1/openapi.json", "/no-such-page"])
def test_every_response_sends_security_headers(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp


def test_session_cookie_is_httponly_and_samesite(client):
    user = make_owner()
    response = login(client, user.email)
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_pages_404_is_friendly_html(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.content_type
    assert "could not find that page" in response.get_data(as_text=True)


def test_a_logged_in_client_gets_a_friendly_403_on_staff_pages(client):
    me = make_client()
    login(client, me.email)
    response = client.get("/clients")
    assert response.status_code == 403
    assert "belongs to another role" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["owner", "therapist", "client"])
def test_each_role_has_a_landing_page(client, role):
    from tests.factories import make_therapist

    if role == "owner":
        email = make_owner().email
    elif role == "therapist":
        email = make_therapist().user.email
    else:
        email = make_client().email
    login(client, email)
    html = client.get("/").get_data(as_text=True)
    assert "Your account" in html
    assert "Log out" in html
