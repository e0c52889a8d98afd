"""Care plan pages on a phone: the sessions list fits, and cancelling many sessions asks first,
without JavaScript."""

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import CarePlan
from tests.browser.conftest import assert_accessible, assert_fits_phone_width, login, main_menu

pytestmark = pytest.mark.browser

PHONE_390 = {"width": 390, "height": 844}
RED = "rgb(161, 29, 42)"  # --bad
WHITE = "rgb(255, 255, 255)"


@pytest.fixture
def demo_plan(live_server):
    with live_server.app.app_context():
        plan = db.session.scalars(select(CarePlan).order_by(CarePlan.id)).first()
        return plan.id, plan.client.email, plan.therapist.user.email


@pytest.fixture
def no_script_phone(browser):
    context = browser.new_context(viewport=PHONE_390, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _colours(locator) -> tuple[str, str]:
    return tuple(locator.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]"))


def test_cancel_this_session_buttons_are_whole_at_390px(no_script_phone, live_server, demo_plan):
    plan_id, client_email, _therapist_email = demo_plan
    page = no_script_phone
    login(page, live_server, client_email)
    page.goto(live_server(f"/care-plans/{plan_id}"))
    buttons = page.get_by_role("button", name="Cancel this session")
    assert buttons.count() > 0
    for i in range(buttons.count()):
        button = buttons.nth(i)
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        frame = button.evaluate(
            "b => { const w = b.closest('.table-wrap'); const r = w.getBoundingClientRect();"
            " return {left: r.left, right: r.right, scrolls: w.scrollWidth - w.clientWidth}; }"
        )
        assert frame["scrolls"] <= 1, "the sessions list scrolls sideways"
        assert frame["left"] <= box["x"] and box["x"] + box["width"] <= min(frame["right"], PHONE_390["width"])
    assert_fits_phone_width(page)


def test_cancelling_the_rest_lists_the_sessions_first_and_can_be_called_off(
    no_script_phone, live_server, demo_plan
):
    plan_id, client_email, _therapist_email = demo_plan
    page = no_script_phone
    login(page, live_server, client_email)
    page.goto(live_server(f"/care-plans/{plan_id}"))
    ahead = page.locator("table.plan-sessions").first.locator("tbody tr").count()
    first_step = page.get_by_role("button", name="Cancel all remaining sessions")
    assert _colours(first_step) == (WHITE, RED)
    first_step.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1, name="Cancel all remaining sessions?").is_visible()
    listed = page.locator("#to-cancel li").count() + page.locator("#too-late li").count()
    assert listed == ahead
    assert _colours(page.get_by_role("button", name="Yes, cancel them")) == (RED, WHITE)
    assert_fits_phone_width(page)
    page.get_by_role("link", name="Keep the plan").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/care-plans/{plan_id}")
    assert page.locator("table.plan-sessions").first.locator("tbody tr").count() == ahead


def test_the_confirmation_pages_are_accessible(page, phone_page, live_server, demo_plan):
    plan_id, client_email, therapist_email = demo_plan
    for each in (page, phone_page):
        login(each, live_server, therapist_email)
        each.goto(live_server(f"/care-plans/{plan_id}"))
        assert _colours(each.get_by_role("button", name="End the plan early")) == (WHITE, RED)
        each.goto(live_server(f"/care-plans/{plan_id}/end"))
        assert each.get_by_role("button", name="Yes, end the plan").is_visible()
        assert_accessible(each)
        main_menu(each).get_by_role("button", name="Log out").click()
        login(each, live_server, client_email)
        each.goto(live_server(f"/care-plans/{plan_id}/cancel-rest"))
        assert each.get_by_role("link", name="Keep the plan").is_visible()
        assert_accessible(each)
    assert_fits_phone_width(phone_page)
