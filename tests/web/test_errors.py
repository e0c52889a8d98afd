"""Unexpected errors never show a traceback: pages get a friendly 500, the API its JSON shape."""

import pytest

from clinic import create_app
from tests.conftest import make_test_config


@pytest.fixture
def failing_app():
    app = create_app(make_test_config("sqlite://"))

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("secret internals")

    return app


def test_a_page_error_is_a_friendly_500(failing_app):
    response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html
    assert "secret internals" not in html and "Traceback" not in html


def test_an_api_error_is_a_json_500(failing_app):
    response = failing_app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert "secret" not in response.get_data(as_text=True)


def test_production_config_refuses_to_start_without_secrets(monkeypatch):
    from config import ProductionConfig

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig()


def test_production_cookies_are_secure(monkeypatch):
    from config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    config = ProductionConfig()
    assert config.SESSION_COOKIE_SECURE and config.SESSION_COOKIE_HTTPONLY
    assert config.SESSION_COOKIE_SAMESITE == "Lax"


def test_the_500_page_still_gives_the_number_when_the_database_is_what_failed(failing_app):
    """The test app's database has no tables: reading the saved settings fails too."""
    failing_app.config["CLINIC_PHONE"] = "+44 20 7946 0000"
    html = failing_app.test_client().get("/boom").get_data(as_text=True)
    assert "call the clinic on +44 20 7946 0000" in html
