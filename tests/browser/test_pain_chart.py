"""The pain chart's date labels never overlap, the first and last dates are always shown,
and the text keeps a readable size on a phone."""

import re
from datetime import timedelta
from itertools import combinations

import pytest

from clinic import clock
from clinic.extensions import db
from tests.browser.conftest import DESKTOP, login
from tests.factories import make_appointment, make_client, make_note, make_service, make_therapist

pytestmark = pytest.mark.browser

PHONE_390 = {"width": 390, "height": 844}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _client_with_notes(live_server, count: int) -> tuple[int, list[str]]:
    """A client with `count` weekly signed sessions, the newest a week ago; their local dates."""
    with live_server.app.app_context():
        therapist, person, service = make_therapist(), make_client(), make_service(duration_minutes=30)
        start = (clock.now() - timedelta(weeks=count)).replace(hour=10, minute=0, second=0, microsecond=0)
        days = []
        for n in range(count):
            appointment = make_appointment(
                therapist=therapist, client=person, service=service, start=start + timedelta(weeks=n)
            )
            make_note(appointment, pain_before=8 - n % 5, pain_after=5 - n % 4)
            days.append(clock.to_local(appointment.starts_at).date().isoformat())
        db.session.commit()
        return person.id, days


def _date_labels(page) -> list[dict]:
    page.locator("figure.pain-chart svg").wait_for()
    labels = page.evaluate(
        """() => Array.from(document.querySelectorAll('figure.pain-chart svg text'), t => {
             const r = t.getBoundingClientRect();
             return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                     height: r.height};
           })"""
    )
    return [label for label in labels if DATE.fullmatch(label["text"])]


@pytest.mark.parametrize("count", [2, 10, 14, 30])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_390], ids=["desktop", "phone"])
def test_date_labels_keep_apart_and_show_the_first_and_last_day(browser, live_server, viewport, count):
    client_id, days = _client_with_notes(live_server, count)
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        login(page, live_server, "owner@demo.clinic")
        page.goto(live_server(f"/clients/{client_id}"))
        labels = _date_labels(page)
        chart = page.locator("figure.pain-chart svg").bounding_box()
    finally:
        context.close()
    texts = [label["text"] for label in labels]
    assert texts[0] == days[0] and texts[-1] == days[-1]
    assert texts == sorted(texts) and set(texts) <= set(days)
    for a, b in combinations(labels, 2):
        assert a["right"] <= b["left"] or a["bottom"] <= b["top"], f"{a['text']} overlaps {b['text']}"
    for label in labels:
        assert chart["x"] <= label["left"] and label["right"] <= chart["x"] + chart["width"] + 0.5
        # Drawn at the stylesheet's size, not shrunk with the chart.
        assert label["height"] >= 12, f"{label['text']} is {label['height']:.1f}px tall"
    assert chart["height"] >= 200
    if count >= 10:
        assert len(labels) >= 3
