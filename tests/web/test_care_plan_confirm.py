"""Cancelling the rest of a care plan, or ending it early, takes a confirmation step first."""

import re
from datetime import UTC, datetime, time

import pytest

from clinic import clock
from clinic.care_plans import reading, services
from clinic.extensions import db
from clinic.models import CarePlan
from tests.factories import PASSWORD, make_appointment, make_client, make_service, make_therapist, monday


def login(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


@pytest.fixture
def plan(app):
    therapist, person, service = make_therapist(hours=True), make_client(), make_service()
    return services.create_care_plan(
        therapist.user,
        client_id=person.id,
        therapist_id=therapist.id,
        service_id=service.id,
        first_start=datetime.combine(monday(2), time(10), tzinfo=UTC),
        weekly_sessions=3,
        maintenance_sessions=1,
    )


def _statuses(plan):
    db.session.expire_all()
    return [a.status for a in reading.plan_appointments(plan)]


def _first_inside_notice(app, monkeypatch, plan):
    """Stretch the notice period so that only the plan's first session falls inside it."""
    first = reading.plan_appointments(plan)[0]
    hours = int((first.starts_at - clock.now()).total_seconds() // 3600) + 24
    monkeypatch.setitem(app.config, "CANCELLATION_NOTICE_HOURS", hours)
    return first, hours


def _button(html, text):
    match = re.search(r'<button type="submit" class="([^"]*)">' + re.escape(text), html)
    assert match, f"no button {text!r}"
    return match.group(1).split()


def test_the_plan_page_asks_before_cancelling_the_rest(client, plan):
    login(client, plan.client.user)
    html = client.get(f"/care-plans/{plan.id}").get_data(as_text=True)
    assert f'action="/care-plans/{plan.id}/cancel-rest"' in html
    form = re.search(r'<form method="(\w+)" action="/care-plans/\d+/cancel-rest"', html)
    assert form.group(1) == "get"
    assert "button-danger-secondary" in _button(html, "Cancel all remaining sessions")


def test_the_plan_page_asks_before_ending_the_plan(client, plan):
    login(client, plan.therapist.user)
    html = client.get(f"/care-plans/{plan.id}").get_data(as_text=True)
    form = re.search(r'<form method="(\w+)" action="/care-plans/\d+/end"', html)
    assert form.group(1) == "get"
    classes = _button(html, "End the plan early")
    assert "button-danger-secondary" in classes and "button-danger" not in classes


def test_the_client_sees_what_will_be_cancelled_and_nothing_is_cancelled_yet(client, plan):
    login(client, plan.client.user)
    response = client.get(f"/care-plans/{plan.id}/cancel-rest")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Cancel all remaining sessions?</h1>" in html
    assert "4 sessions will be cancelled" in html
    for appointment in reading.plan_appointments(plan):
        assert f'datetime="{appointment.starts_at.isoformat()}"' in html
    assert "button-danger" in _button(html, "Yes, cancel them")
    assert f'<a class="button button-secondary" href="/care-plans/{plan.id}">Keep the plan</a>' in html
    assert 'id="too-late"' not in html
    assert _statuses(plan) == ["booked"] * 4


def test_sessions_inside_the_notice_period_are_listed_apart_for_the_client(app, client, plan, monkeypatch):
    first, hours = _first_inside_notice(app, monkeypatch, plan)
    login(client, plan.client.user)
    html = client.get(f"/care-plans/{plan.id}/cancel-rest").get_data(as_text=True)
    assert "3 sessions will be cancelled" in html
    too_late = html[html.index('id="too-late"'):]
    assert f"within {hours} hours" in too_late
    assert f'datetime="{first.starts_at.isoformat()}"' in too_late
    listed = html[html.index('id="to-cancel"'):html.index('id="too-late"')]
    assert f'datetime="{first.starts_at.isoformat()}"' not in listed

    assert client.post(f"/care-plans/{plan.id}/cancel-rest", data={"reason": "Moving away"}).status_code == 200
    assert _statuses(plan) == ["booked", "cancelled", "cancelled", "cancelled"]


def test_only_sessions_too_late_to_cancel_leave_nothing_to_confirm(app, client, plan, monkeypatch):
    monkeypatch.setitem(app.config, "CANCELLATION_NOTICE_HOURS", 24 * 365)
    login(client, plan.client.user)
    html = client.get(f"/care-plans/{plan.id}/cancel-rest").get_data(as_text=True)
    assert 'id="too-late"' in html and "will be cancelled" not in html
    assert "Yes, cancel them" not in html and "Keep the plan" in html


def test_the_therapist_confirms_ending_with_late_cancellations_marked(app, client, plan, monkeypatch):
    first, _hours = _first_inside_notice(app, monkeypatch, plan)
    login(client, plan.therapist.user)
    html = client.get(f"/care-plans/{plan.id}/end").get_data(as_text=True)
    assert "<h1>End the care plan early?</h1>" in html and "4 sessions will be cancelled" in html
    late = re.findall(r'<li><time datetime="([^"]+)">[^<]*</time> <span class="badge badge-warn">late cancellation', html)
    assert late == [first.starts_at.isoformat()]
    assert "button-danger" in _button(html, "Yes, end the plan")
    assert _statuses(plan) == ["booked"] * 4

    response = client.post(f"/care-plans/{plan.id}/end", data={"reason": "Client moved"})
    assert response.status_code == 302
    assert _statuses(plan) == ["cancelled"] * 4
    assert db.session.get(CarePlan, plan.id).ended_at is not None
    assert reading.plan_appointments(plan)[1].cancel_reason == "Client moved"


def test_an_ended_plan_has_nothing_to_confirm(client, plan):
    login(client, plan.therapist.user)
    assert client.post(f"/care-plans/{plan.id}/end", data={}).status_code == 302
    for path in ("end", "cancel-rest"):
        response = client.get(f"/care-plans/{plan.id}/{path}")
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/care-plans/{plan.id}")
    again = client.post(f"/care-plans/{plan.id}/end", data={})
    assert again.status_code == 409 and "already ended" in again.get_data(as_text=True)


def test_only_the_plans_therapist_or_the_owner_may_open_the_end_step(client, plan):
    colleague = make_therapist()
    make_appointment(therapist=colleague, client=plan.client)  # treats the client, so may see the plan
    login(client, colleague.user)
    assert client.get(f"/care-plans/{plan.id}").status_code == 200
    assert client.get(f"/care-plans/{plan.id}/end").status_code == 403
    client.post("/logout")
    login(client, plan.client.user)
    assert client.get(f"/care-plans/{plan.id}/end").status_code == 403
    client.post("/logout")
    login(client, make_client().user)
    assert client.get(f"/care-plans/{plan.id}/cancel-rest").status_code == 404


def test_the_sessions_tables_label_each_cell_for_the_phone_layout(client, plan):
    login(client, plan.client.user)
    html = client.get(f"/care-plans/{plan.id}").get_data(as_text=True)
    table = html[html.index('<table class="plan-sessions">'):]
    table = table[:table.index("</table>")]
    assert table.count('data-label="Phase"') == 4 and table.count('data-label="Status"') == 4
