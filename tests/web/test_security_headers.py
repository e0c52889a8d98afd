"""HSTS in production, and no-store on everything a signed-in user is sent."""

import pytest

from clinic import clock, create_app
from clinic.intake.clearances import Letter
from config import DevelopmentConfig, ProductionConfig
from tests.factories import PASSWORD, login, make_client, make_owner
from tests.intake_factories import flag_client, grant


@pytest.mark.parametrize("config_class, expected", [(ProductionConfig, True), (DevelopmentConfig, False)])
def test_hsts_only_in_production(monkeypatch, tmp_path, config_class, expected):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'clinic.db'}")
    app = create_app(config_class())
    response = app.test_client().get("/static/css/clinic.css")
    header = response.headers.get("Strict-Transport-Security")
    response.close()
    if expected:
        assert header is not None and int(header.split("max-age=")[1].split(";")[0]) >= 365 * 24 * 3600
    else:
        assert header is None


def test_the_test_app_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_a_physicians_letter_is_no_store(client, app):
    owner = make_owner()
    held = make_client()
    flag_client(owner, held)
    clearance = grant(owner, held, cleared_on=clock.today(), letter=Letter("a.pdf", b"%PDF-1.5\n%%EOF\n"))
    login(client, owner.email)
    response = client.get(f"/clearances/{clearance.id}/letter")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    response.close()


def test_signed_in_pages_and_api_answers_are_no_store(client):
    owner = make_owner()
    token = client.post("/api/v1/tokens", json={"email": owner.email, "password": PASSWORD}).get_json()["token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).headers["Cache-Control"] == "no-store"
    login(client, owner.email)
    assert client.get("/clients").headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/clinic.css")
    assert static.headers.get("Cache-Control") != "no-store"
    static.close()
