"""The main pages of each role: no serious or critical axe violations, no console errors,
and nothing wider than a phone screen."""

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import Client
from tests.browser.conftest import assert_accessible, assert_fits_phone_width, login

pytestmark = pytest.mark.browser

MAIN_PAGES = {
    "owner@demo.clinic": [
        "/", "/calendar", "/reports", "/reports/audit", "/setup", "/staff", "/clients",
        "/clearance-queue", "/appointments/new", "/care-plans/", "/account", "/client/{client_id}",
        "/client/{client_id}/record",
        "/clinic-settings",
    ],
    "maya@demo.clinic": [
        "/", "/calendar", "/calendar/week", "/my-hours", "/clients", "/clearance-queue",
        "/care-plans/", "/notes/waiting", "/client/{client_id}",
    ],
    "clara@demo.clinic": [
        "/", "/book", "/my-appointments", "/intake", "/care-plans/", "/my-record", "/account",
        "/client/{client_id}/record",
    ],
}
CASES = [(email, path) for email, paths in MAIN_PAGES.items() for path in paths]


@pytest.fixture
def clara_id(live_server):
    with live_server.app.app_context():
        return db.session.scalar(select(Client.id).where(Client.email == "clara@demo.clinic"))


@pytest.mark.parametrize(("email", "path"), CASES)
def test_main_page_is_accessible_at_desktop_and_phone_width(page, phone_page, live_server, clara_id, email, path):
    path = path.replace("/client/{client_id}", f"/clients/{clara_id}")
    for each in (page, phone_page):
        login(each, live_server, email)
        response = each.goto(live_server(path))
        assert response.status == 200, f"{path} answered {response.status}"
        assert each.get_by_role("heading", level=1).first.is_visible()
        assert_accessible(each)
    assert_fits_phone_width(phone_page)
