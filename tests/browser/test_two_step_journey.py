"""A person turns on two-step sign-in, signs out, and signs in again with a code from their
authenticator app (pyotp stands in for the phone), then with a recovery code."""

import re
import time
import uuid

import pyotp
import pytest

from tests.browser.conftest import assert_accessible, assert_fits_phone_width

pytestmark = pytest.mark.browser
PASSWORD = "long-enough-1"


def sign_up(page, live_server) -> str:
    email = f"two-step-{uuid.uuid4().hex[:8]}@example.test"
    page.goto(live_server("/signup"))
    page.get_by_label("Full name").fill("Tove Twostep")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    return email


def log_out_and_give_password(page, live_server, email: str) -> None:
    page.get_by_role("button", name=re.compile("Log out")).click()
    page.wait_for_load_state()
    page.goto(live_server("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert page.url.endswith("/login/code")
    assert page.get_by_role("heading", name="Enter your code").is_visible()


def test_enrol_sign_out_and_sign_in_with_a_code(page, live_server):
    email = sign_up(page, live_server)
    page.goto(live_server("/account"))
    assert_accessible(page)
    page.get_by_role("link", name="Set up two-step sign-in").click()
    page.wait_for_load_state()
    assert page.locator(".qr-code svg").is_visible()
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text().strip()
    app = pyotp.TOTP(secret)
    page.get_by_label("Code from the app").fill(app.now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.wait_for_load_state()
    codes = [c.strip() for c in page.locator("#recovery-codes code").all_inner_texts()]
    assert len(codes) == 10
    assert_accessible(page)
    page.get_by_role("link", name="I have saved them").click()

    log_out_and_give_password(page, live_server, email)
    assert_accessible(page)
    # The enrolment's code was used: the app's next one (one step of drift is allowed).
    page.get_by_label("Code").fill(app.at(time.time() + 30))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Hello, Tove Twostep").is_visible()

    log_out_and_give_password(page, live_server, email)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Hello, Tove Twostep").is_visible()
    page.goto(live_server("/account"))
    assert page.get_by_text("9 unused recovery codes").is_visible()


def test_the_account_page_fits_a_phone(phone_page, live_server):
    sign_up(phone_page, live_server)
    phone_page.goto(live_server("/account"))
    assert_accessible(phone_page)
    assert_fits_phone_width(phone_page)
    phone_page.goto(live_server("/account/two-factor"))
    assert_fits_phone_width(phone_page)


def test_forgot_password_pages_are_accessible(page, live_server):
    page.goto(live_server("/login"))
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Email").fill("nobody@example.test")
    page.get_by_role("button", name="Email me a link").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Check your email").is_visible()
    assert_accessible(page)
