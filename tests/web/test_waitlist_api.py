"""The waitlist part of the JSON API and the CLI, with the clock frozen on Wednesday
2 January 2030 at 08:00 UTC (the freed visits are on Monday 7 January)."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import CarePlan, OutboundEmail
from tests.factories import (
    at,
    bearer,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
)

API = "/api/v1"
NOW = datetime(2030, 1, 2, 8, 0, tzinfo=UTC)
DAY = date(2030, 1, 7)


@pytest.fixture
def scene(app):
    with freeze_time(NOW) as frozen:
        yield {
            "owner": make_owner(),
            "therapist": make_therapist(hours=True),
            "service": make_service(duration_minutes=60),
            "client": make_client(),
            "frozen": frozen,
        }


def entry_body(scene, **extra):
    return {"service_id": scene["service"].id, "from": DAY.isoformat(), "to": DAY.isoformat(), **extra}


def offers() -> dict[str, str]:
    rows = db.session.scalars(select(OutboundEmail).where(OutboundEmail.kind == "waitlist_offer"))
    return {row.recipient: re.search(r"offer=([A-Za-z0-9_-]+)", row.body).group(1) for row in rows}


def test_a_client_joins_lists_and_leaves_the_waitlist(client, scene):
    me = bearer(client, scene["client"].user)
    created = client.post(f"{API}/waitlist", headers=me, json=entry_body(
        scene, therapist_id=scene["therapist"].id, earliest="09:00", latest="12:30"))
    assert created.status_code == 201, created.get_json()
    entry = created.get_json()
    assert entry == {
        "id": entry["id"], "client_id": scene["client"].id, "service_id": scene["service"].id,
        "therapist_id": scene["therapist"].id, "from": "2030-01-07", "to": "2030-01-07",
        "earliest": "09:00", "latest": "12:30",
    }
    assert client.get(f"{API}/waitlist", headers=me).get_json() == [entry]
    stranger = bearer(client, make_client().user)
    assert client.get(f"{API}/waitlist", headers=stranger).get_json() == []
    assert client.delete(f"{API}/waitlist/{entry['id']}", headers=stranger).status_code == 404
    assert client.get(f"{API}/waitlist", headers=bearer(client, scene["owner"])).get_json() == [entry]
    assert client.delete(f"{API}/waitlist/{entry['id']}", headers=me).status_code == 204
    assert client.get(f"{API}/waitlist", headers=me).get_json() == []
    assert client.delete(f"{API}/waitlist/{entry['id']}", headers=me).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"from": "2030-01-08", "to": "2030-01-07"}, "to"),
        ({"from": "2029-12-20", "to": "2030-01-01"}, "to"),
        ({"earliest": "9am"}, "earliest"),
        ({"earliest": "12:00", "latest": "11:00"}, "latest"),
        ({"from": None}, "from"),
        ({"service_id": "one"}, "service_id"),
    ],
)
def test_a_bad_window_is_a_422_and_changes_nothing(client, scene, change, field):
    me = bearer(client, scene["client"].user)
    response = client.post(f"{API}/waitlist", headers=me, json={**entry_body(scene), **change})
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert client.get(f"{API}/waitlist", headers=me).get_json() == []


def test_staff_name_the_client_and_bad_ids_are_404(client, scene):
    owner = bearer(client, scene["owner"])
    assert client.post(f"{API}/waitlist", headers=owner, json=entry_body(scene)).status_code == 422
    made = client.post(f"{API}/waitlist", headers=owner, json=entry_body(scene, client_id=scene["client"].id))
    assert made.status_code == 201 and made.get_json()["client_id"] == scene["client"].id
    me = bearer(client, scene["client"].user)
    assert client.post(f"{API}/waitlist", headers=me, json=entry_body(scene, service_id=999999)).status_code == 404
    assert client.post(f"{API}/waitlist", headers=me, data="[]").status_code == 400
    assert client.post(f"{API}/waitlist", json=entry_body(scene)).status_code == 401


def test_a_cancellation_offers_the_start_and_the_first_claim_wins(client, scene):
    first, second = make_client(), make_client()
    for person in (first, second):
        assert client.post(f"{API}/waitlist", headers=bearer(client, person.user),
                           json=entry_body(scene)).status_code == 201
    visit = make_appointment(service=scene["service"], therapist=scene["therapist"], client=scene["client"],
                             start=at(DAY, 10))
    cancelled = client.post(f"{API}/appointments/{visit.id}/cancel", headers=bearer(client, scene["client"].user))
    assert cancelled.status_code == 200
    tokens = offers()
    assert set(tokens) == {first.email, second.email}

    first_auth, second_auth = bearer(client, first.user), bearer(client, second.user)
    assert client.post(f"{API}/waitlist/offers/{tokens[first.email]}/claim", headers=second_auth).status_code == 404
    assert client.post(f"{API}/waitlist/offers/not-a-token/claim", headers=second_auth).status_code == 404
    assert client.post(f"{API}/waitlist/offers/{tokens[first.email]}/claim").status_code == 401
    won = client.post(f"{API}/waitlist/offers/{tokens[first.email]}/claim", headers=first_auth)
    assert won.status_code == 201, won.get_json()
    body = won.get_json()
    assert (body["client_id"], body["start"], body["status"]) == (first.id, "2030-01-07T10:00:00+00:00", "booked")
    lost = client.post(f"{API}/waitlist/offers/{tokens[second.email]}/claim", headers=second_auth, json={})
    assert lost.status_code == 409
    assert lost.get_json()["error"]["code"] == "slot_unavailable"
    assert len(client.get(f"{API}/waitlist", headers=second_auth).get_json()) == 1
    assert client.get(f"{API}/waitlist", headers=first_auth).get_json() == []


def test_a_move_frees_its_old_start_and_the_mover_is_not_offered_it(client, scene):
    me = bearer(client, scene["client"].user)
    waiting = make_client()
    client.post(f"{API}/waitlist", headers=bearer(client, waiting.user), json=entry_body(scene))
    client.post(f"{API}/waitlist", headers=me, json=entry_body(scene))
    visit = make_appointment(service=scene["service"], therapist=scene["therapist"], client=scene["client"],
                             start=at(DAY, 10))
    moved = client.patch(f"{API}/appointments/{visit.id}", headers=me, json={"start": at(DAY, 14).isoformat()})
    assert moved.status_code == 200
    assert set(offers()) == {waiting.email}


def test_waitlist_report_is_for_the_owner(client, scene):
    query = "from=2030-01-01&to=2030-01-31"
    response = client.get(f"{API}/reports/waitlist?{query}", headers=bearer(client, scene["owner"]))
    assert response.status_code == 200
    assert response.get_json() == {
        "waitlist": {"entries": 0, "offers_sent": 0, "slots_filled": 0},
        "recall": {"emails": 0, "bookings_within_14_days": 0},
    }
    therapist = bearer(client, scene["therapist"].user)
    assert client.get(f"{API}/reports/waitlist?{query}", headers=therapist).status_code == 403
    owner = bearer(client, scene["owner"])
    assert client.get(f"{API}/reports/waitlist?from=2030-02-01&to=2030-01-01", headers=owner).status_code == 422


def test_send_recalls_queues_each_recall_once(runner, scene):
    client = scene["client"]
    last = at(date(2030, 1, 2) - timedelta(days=25), 10)
    plan = CarePlan(client_id=client.id, therapist_id=scene["therapist"].id, service_id=scene["service"].id,
                    weekly_sessions=1, maintenance_sessions=2, first_start=last - timedelta(days=28))
    db.session.add(plan)
    db.session.flush()
    for start in (last - timedelta(days=28), last):
        make_appointment(service=scene["service"], therapist=scene["therapist"], client=client, start=start,
                         care_plan_id=plan.id, status="completed")
    db.session.commit()
    first = runner.invoke(args=["send-recalls"])
    assert first.exit_code == 0, first.output
    assert "Recalls queued: 1." in first.output
    again = runner.invoke(args=["send-recalls"])
    assert "Recalls queued: 0." in again.output
    [email] = db.session.scalars(select(OutboundEmail).where(OutboundEmail.kind == "recall")).all()
    assert "/book?" in email.body and email.recipient == client.email


def _head_start(client, scene):
    """A care-plan client whose session that week was cancelled, and another client, both
    waiting; then a visit that week is cancelled: the plan client is offered it first."""
    on_plan, other = make_client(), make_client()
    plan = CarePlan(client_id=on_plan.id, therapist_id=scene["therapist"].id, service_id=scene["service"].id,
                    weekly_sessions=4, maintenance_sessions=0, first_start=at(DAY, 15))
    db.session.add(plan)
    db.session.flush()
    session = make_appointment(service=scene["service"], therapist=scene["therapist"], client=on_plan,
                               start=at(DAY, 15), care_plan_id=plan.id)
    owner = bearer(client, scene["owner"])
    assert client.post(f"{API}/appointments/{session.id}/cancel", headers=owner).status_code == 200
    for person in (on_plan, other):
        client.post(f"{API}/waitlist", headers=bearer(client, person.user), json=entry_body(scene))
    visit = make_appointment(service=scene["service"], therapist=scene["therapist"], client=scene["client"],
                             start=at(DAY, 10))
    assert client.post(f"{API}/appointments/{visit.id}/cancel", headers=owner).status_code == 200
    return on_plan, other


def test_send_waitlist_offers_sends_held_back_offers_after_the_head_start(runner, client, scene):
    on_plan, other = _head_start(client, scene)
    assert set(offers()) == {on_plan.email}
    assert "Waitlist offers queued: 0." in runner.invoke(args=["send-waitlist-offers"]).output
    scene["frozen"].tick(timedelta(minutes=31))
    assert "Waitlist offers queued: 1." in runner.invoke(args=["send-waitlist-offers"]).output
    assert set(offers()) == {on_plan.email, other.email}


@pytest.mark.parametrize("minutes, expected", [(10, 1), (31, 2)])
def test_the_mail_worker_sends_held_back_offers_once_their_head_start_is_over(runner, client, scene,
                                                                              minutes, expected):
    """No cron needed for the head start: each mail-worker round queues the offers that came due."""
    _head_start(client, scene)
    scene["frozen"].tick(timedelta(minutes=minutes))
    assert runner.invoke(args=["mail-worker", "--once"]).exit_code == 0
    assert len(offers()) == expected
