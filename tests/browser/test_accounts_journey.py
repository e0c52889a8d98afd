"""Visitors sign up and log in; every role's landing page is accessible and fits a phone."""

import uuid

import pytest

from clinic.demo import DEMO_LOGINS
from tests.browser.conftest import assert_accessible, assert_fits_phone_width, login

pytestmark = pytest.mark.browser


def test_public_pages_are_accessible(page, live_server):
    for path in ("/", "/login", "/signup"):
        page.goto(live_server(path))
        assert_accessible(page)


def test_a_visitor_signs_up_and_lands_on_their_dashboard(page, live_server):
    email = f"new-{uuid.uuid4().hex[:8]}@example.test"
    page.goto(live_server("/signup"))
    page.get_by_label("Full name").fill("Nina Newcomer")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill("long-enough-1")
    page.get_by_label("Repeat password").fill("long-enough-1")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Hello, Nina Newcomer").is_visible()


def test_sign_up_problems_show_beside_the_fields(page, live_server):
    page.goto(live_server("/signup"))
    page.get_by_label("Full name").fill("Short Password")
    page.get_by_label("Email").fill("short@example.test")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat password").fill("short")
    page.get_by_role("button", name="Create account").click()
    assert page.get_by_text("Use at least 10 characters.").is_visible()
    assert_accessible(page)


@pytest.mark.parametrize(("role", "email"), DEMO_LOGINS)
def test_each_role_home_is_accessible_at_phone_width(phone_page, live_server, role, email):
    login(phone_page, live_server, email)
    assert phone_page.get_by_role("heading", level=1).is_visible()
    assert_accessible(phone_page)
    assert_fits_phone_width(phone_page)
