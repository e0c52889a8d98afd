"""The booking page by keyboard: typing a day or arrowing through choices never reloads under you."""

import re
from datetime import timedelta

import pytest

from clinic import clock
from tests.browser.conftest import DESKTOP, assert_accessible, login

pytestmark = pytest.mark.browser


@pytest.fixture
def us_page(browser):
    """A desktop page with US date fields (month/day/year), so the typed digits are known."""
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert problems == [], "\n".join(problems)


def _weekday_ahead(live_server, days_ahead: int):
    with live_server.app.app_context():
        day = clock.today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_a_client_types_a_day_with_the_keyboard_and_gets_that_days_times(us_page, live_server):
    page = us_page
    login(page, live_server, "clara@demo.clinic")
    page.goto(live_server("/book"))
    page.get_by_label("Hip relief massage 60 min").click()  # a click still shows times at once
    page.wait_for_url(re.compile(r"service_id=\d+"))
    url = page.url
    day = _weekday_ahead(live_server, 10)

    date_field = page.get_by_label("Day", exact=True)
    date_field.focus()
    page.keyboard.press("Home")  # the month part of mm/dd/yyyy
    page.keyboard.type(day.strftime("%m%d%Y"), delay=60)
    page.wait_for_timeout(300)
    assert page.url == url, "typing in the day field reloaded the page"
    assert date_field.input_value() == day.isoformat()

    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"day={day.isoformat()}"))
    heading = page.get_by_role("heading", name=re.compile("Open times for Hip relief massage 60 min"))
    assert day.strftime("%a %d %b %Y") in heading.inner_text()
    assert page.locator("a.slot").count() > 0
    assert_accessible(page)


def test_arrowing_through_therapists_keeps_focus_until_the_button_is_pressed(us_page, live_server):
    page = us_page
    login(page, live_server, "clara@demo.clinic")
    page.goto(live_server("/book"))
    page.get_by_label("Hip relief massage 60 min").click()
    page.wait_for_url(re.compile(r"service_id=\d+"))
    url = page.url

    page.get_by_label("Any therapist").focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert page.url == url, "arrowing to a therapist reloaded the page"
    chosen = page.evaluate("document.activeElement.id")
    assert chosen.startswith("therapist-") and chosen != "therapist-any"
    assert page.locator(f"#{chosen}").is_checked()

    page.get_by_role("button", name="Show open times").click()
    page.wait_for_url(re.compile(rf"therapist_id={chosen.removeprefix('therapist-')}"))
