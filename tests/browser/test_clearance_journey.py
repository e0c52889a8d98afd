"""A held client sends the physician's letter from "My record"; the owner opens it from the
clearance queue and records the clearance with it. And the phone menu: one row, opened by a
button that works without JavaScript."""

import pytest
from sqlalchemy import select

from clinic import clock
from clinic.extensions import db
from clinic.models import Clearance, ClearanceLetter, Client
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_fits_phone_width,
    login,
    main_menu,
)
from tests.factories import PASSWORD, make_client
from tests.intake_factories import flag_client

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def held_client(live_server):
    """A client of their own (the demo's held clients stay as other tests expect them)."""
    with live_server.app.app_context():
        person = make_client(name="Nora Lindahl", email="nora.lindahl@example.test")
        flag_client(person.user, person, sudden_swelling=True)
        db.session.commit()
        return person.id, person.email


def test_a_held_client_sends_the_letter_and_the_owner_clears_them_with_it(page, phone_page, live_server,
                                                                          held_client):
    client_id, email = held_client
    login(phone_page, live_server, email, PASSWORD)
    main_menu(phone_page).get_by_role("link", name="My record").click()
    phone_page.wait_for_load_state()
    assert phone_page.get_by_role("heading", name="Your health check").is_visible()
    assert phone_page.get_by_text("See your doctor").is_visible()
    assert_accessible(phone_page)
    assert_fits_phone_width(phone_page)
    phone_page.get_by_label("Your doctor's letter").set_input_files(
        files=[{"name": "dr-meyer.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    phone_page.get_by_role("button", name="Send the letter").click()
    phone_page.wait_for_load_state()
    assert phone_page.get_by_text("We have your letter").is_visible()
    assert_accessible(phone_page)

    login(page, live_server, "owner@demo.clinic")
    main_menu(page).get_by_role("link", name="Clearance queue").click()
    page.wait_for_load_state()
    row = page.get_by_role("row").filter(has_text="Nora Lindahl")
    assert row.get_by_text("Letter received, waiting for review").is_visible()
    assert row.get_by_role("link", name="Open the letter").is_visible()
    assert_accessible(page)
    row.get_by_role("link", name="Review and record clearance").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Letter sent by Nora Lindahl").is_visible()
    assert_accessible(page)
    page.get_by_label("Physician's name").fill("Dr. Lena Meyer")
    with live_server.app.app_context():
        today = clock.today().isoformat()
    page.get_by_label("Date the physician cleared the client").fill(today)
    page.get_by_label("Restrictions (optional)").fill("Gentle pressure only over the right hip")
    page.get_by_role("button", name="Record clearance").click()
    page.wait_for_load_state()
    assert page.get_by_text("Cleared by a physician").first.is_visible()

    with live_server.app.app_context():
        clearance = db.session.scalar(select(Clearance).where(Clearance.client_id == client_id))
        letter = db.session.scalar(select(ClearanceLetter).where(ClearanceLetter.client_id == client_id))
        assert clearance.letter_stored_name == letter.stored_name
        assert letter.clearance_id == clearance.id
        assert db.session.get(Client, client_id).flagged_since is not None


@pytest.mark.parametrize("email", ["owner@demo.clinic", "maya@demo.clinic", "clara@demo.clinic"])
@pytest.mark.parametrize("scripts", [True, False], ids=["with-js", "no-js"])
def test_the_phone_menu_is_one_row_and_opens_with_its_button(browser, live_server, email, scripts):
    context = browser.new_context(viewport=PHONE, java_script_enabled=scripts)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, live_server, email)
        header = page.locator("header.site-header").bounding_box()
        assert header["height"] <= 80, f"the header is {header['height']}px tall"
        nav = page.get_by_role("navigation", name="Main")
        home = nav.get_by_role("link", name="Home", exact=True)
        assert not home.is_visible()
        nav.get_by_text("Menu").click()
        assert home.is_visible()
        assert nav.get_by_role("button", name="Log out").is_visible()
        assert_fits_phone_width(page)
        if scripts:
            assert_accessible(page)
    finally:
        context.close()


def test_wide_screens_show_the_links_in_a_row_without_a_menu_button(browser, live_server):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        login(page, live_server, "clara@demo.clinic")
        nav = page.get_by_role("navigation", name="Main")
        assert not nav.get_by_text("Menu", exact=True).is_visible()
        assert nav.get_by_role("link", name="My record").is_visible()
    finally:
        context.close()
