"""A physician's letter: one size limit (MAX_UPLOAD_BYTES) stated, enforced, and explained."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

import config
from clinic import clock
from clinic.extensions import db
from clinic.models import Clearance
from tests.factories import PASSWORD, make_client, make_owner
from tests.intake_factories import flag_client

PDF = b"%PDF-1.5\n%%EOF\n"
MIB = 1024 * 1024


def post_letter(client, url, size: int, headers=None):
    boundary = "----upload-limit-boundary"
    fields = {"physician_name": "Dr. Typed Carefully", "cleared_on": clock.today().isoformat(),
              "restrictions": "Gentle pressure over the left hip"}
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="letter"; filename="gp.pdf"\r\n'
                 "Content-Type: application/pdf\r\n\r\n".encode() + PDF + b"0" * (size - len(PDF)) + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}",
                       headers=headers or {})


def clearances() -> int:
    return db.session.scalar(select(func.count(Clearance.id)))


@pytest.fixture
def form_url(app, client):
    owner, held = make_owner(), make_client()
    flag_client(held.user, held, recent_surgery=True, surgery_date=clock.today() - timedelta(days=12))
    assert client.post("/login", data={"email": owner.email, "password": PASSWORD}).status_code == 302
    return f"/clients/{held.id}/clearances/new"


def test_the_request_cap_is_a_margin_above_the_largest_upload(monkeypatch):
    monkeypatch.setenv("MAX_UPLOAD_BYTES", str(3 * MIB))
    settings = config.TestConfig()
    assert settings.MAX_UPLOAD_BYTES == 3 * MIB
    assert settings.MAX_CONTENT_LENGTH == 3 * MIB + config.UPLOAD_MARGIN_BYTES


def test_the_form_states_the_configured_limit(client, form_url, app, monkeypatch):
    assert "at most 4 MB" in client.get(form_url).get_data(as_text=True)
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 2 * MIB)
    assert "A PDF, PNG or JPEG file of at most 2 MB." in client.get(form_url).get_data(as_text=True)


def test_a_letter_over_the_configured_limit_gets_a_field_error_and_keeps_what_was_typed(
    client, form_url, app, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 2 * MIB)
    response = post_letter(client, form_url, 2 * MIB + 200_000)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The letter must be at most 2 MB." in page
    assert 'value="Dr. Typed Carefully"' in page and "Gentle pressure over the left hip" in page
    assert clearances() == 0


def test_a_letter_just_over_the_default_limit_gets_a_field_error_not_a_413(client, form_url):
    response = post_letter(client, form_url, 4 * MIB + 500_000)
    assert response.status_code == 200
    assert "The letter must be at most 4 MB." in response.get_data(as_text=True)
    assert clearances() == 0


def test_a_letter_at_the_limit_is_accepted(client, form_url):
    response = post_letter(client, form_url, 4 * MIB)
    assert response.status_code == 302
    assert clearances() == 1


def test_a_request_over_the_cap_explains_the_limit_and_links_back_to_the_form(client, form_url):
    referer = f"http://localhost{form_url}"
    response = post_letter(client, form_url, 6_000_000, headers={"Referer": referer})
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "That file is too large" in page
    assert "Files you upload may be at most 4 MB" in page
    assert f'<a href="{form_url}">Back to the form</a>' in page
    assert clearances() == 0


@pytest.mark.parametrize("referer", [None, "http://evil.example/clients/1/clearances/new",
                                     "http://localhost//evil.example/x", "http://localhost.evil.example/x"])
def test_the_413_page_never_links_back_off_site(client, form_url, referer):
    response = post_letter(client, form_url, 6_000_000, headers={"Referer": referer} if referer else None)
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Back to the form" not in page and "evil.example" not in page
    assert '<a href="/">Back to the start page</a>' in page
