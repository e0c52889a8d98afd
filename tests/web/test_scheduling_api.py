"""The scheduling part of the JSON API: setup, availability and appointments."""

from datetime import UTC, datetime, time, timedelta

import pytest
from freezegun import freeze_time

from clinic.extensions import db
from clinic.models import Appointment, Service, TimeOff, WorkingHours
from tests.factories import (
    at,
    bearer,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
    make_time_off,
    monday,
)

API = "/api/v1"


@pytest.fixture
def scene(app):
    owner = make_owner()
    therapist = make_therapist(hours=True)
    service = make_service(duration_minutes=60, buffer_minutes=15)
    me = make_client()
    return {"owner": owner, "therapist": therapist, "service": service, "client": me, "day": monday(2)}


def book(client, headers, scene, start, **extra):
    body = {"service_id": scene["service"].id, "therapist_id": scene["therapist"].id, "start": start, **extra}
    return client.post(f"{API}/appointments", json=body, headers=headers)


# -- setup ---------------------------------------------------------------------------------


def test_services_are_public_and_owner_creates_them(client, scene):
    assert any(s["id"] == scene["service"].id for s in client.get(f"{API}/services").get_json())
    body = {"name": "Hip relief", "duration_minutes": 60, "price_cents": 6500, "buffer_minutes": 15}
    owner = bearer(client, scene["owner"])
    created = client.post(f"{API}/services", json=body, headers=owner)
    assert created.status_code == 201
    assert created.get_json() == {"id": created.get_json()["id"], **body, "description": ""}
    assert client.post(f"{API}/services", json=body).status_code == 401
    therapist = bearer(client, scene["therapist"].user)
    assert client.post(f"{API}/services", json={**body, "name": "Other"}, headers=therapist).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "duration_minutes": 60, "price_cents": 1},
        {"name": "X", "duration_minutes": 0, "price_cents": 1},
        {"name": "X", "duration_minutes": 60, "price_cents": -1},
        {"name": "X", "duration_minutes": 60, "price_cents": 1, "buffer_minutes": -5},
        {"name": "X", "duration_minutes": "60", "price_cents": 1},
        {"duration_minutes": 60, "price_cents": 1},
    ],
)
def test_bad_service_is_422_and_saves_nothing(client, scene, body):
    before = db.session.query(Service).count()
    response = client.post(f"{API}/services", json=body, headers=bearer(client, scene["owner"]))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]
    assert db.session.query(Service).count() == before


def test_duplicate_service_name_is_422(client, scene):
    body = {"name": scene["service"].name, "duration_minutes": 30, "price_cents": 1}
    assert client.post(f"{API}/services", json=body, headers=bearer(client, scene["owner"])).status_code == 422


def test_therapists_list_is_public(client, scene):
    listed = client.get(f"{API}/therapists").get_json()
    assert {"id": scene["therapist"].id, "name": scene["therapist"].name} in listed


def test_working_hours_put_replaces_the_week(client, scene):
    tid = scene["therapist"].id
    week = [{"weekday": 1, "start": "13:00", "end": "18:00"}, {"weekday": 1, "start": "08:00", "end": "12:00"}]
    response = client.put(f"{API}/therapists/{tid}/working-hours", json=week,
                          headers=bearer(client, scene["therapist"].user))
    assert response.status_code == 200
    assert response.get_json() == [week[1], week[0]]
    rows = db.session.query(WorkingHours).filter_by(therapist_id=tid).all()
    assert sorted((r.weekday, r.starts_at) for r in rows) == [(1, time(8)), (1, time(13))]


@pytest.mark.parametrize(
    "week",
    [
        [{"weekday": 0, "start": "09:00", "end": "12:00"}, {"weekday": 0, "start": "11:00", "end": "14:00"}],
        [{"weekday": 0, "start": "12:00", "end": "09:00"}],
        [{"weekday": 0, "start": "09:00", "end": "09:00"}],
        [{"weekday": 7, "start": "09:00", "end": "10:00"}],
        [{"weekday": 0, "start": "9am", "end": "10:00"}],
        [{"weekday": 0, "start": "25:00", "end": "26:00"}],
        [{"weekday": 0, "start": "09:00"}],
        ["Monday"],
    ],
)
def test_bad_working_hours_are_422_and_keep_the_old_week(client, scene, week):
    tid = scene["therapist"].id
    response = client.put(f"{API}/therapists/{tid}/working-hours", json=week,
                          headers=bearer(client, scene["owner"]))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_failed"
    assert db.session.query(WorkingHours).filter_by(therapist_id=tid).count() == 5


def test_working_hours_need_an_array_and_the_right_person(client, scene):
    tid = scene["therapist"].id
    owner = bearer(client, scene["owner"])
    assert client.put(f"{API}/therapists/{tid}/working-hours", json={"a": 1}, headers=owner).status_code == 400
    other = make_therapist()
    response = client.put(f"{API}/therapists/{tid}/working-hours", json=[], headers=bearer(client, other.user))
    assert response.status_code == 403
    assert client.put(f"{API}/therapists/999999/working-hours", json=[], headers=owner).status_code == 404
    assert client.put(f"{API}/therapists/{tid}/working-hours", json=[]).status_code == 401


def test_time_off_blocks_slots_and_rejects_inverted_ranges(client, scene):
    tid, day = scene["therapist"].id, scene["day"]
    headers = bearer(client, scene["therapist"].user)
    inverted = {"start": at(day, 12).isoformat(), "end": at(day, 10).isoformat()}
    assert client.post(f"{API}/therapists/{tid}/time-off", json=inverted, headers=headers).status_code == 422
    naive = {"start": "2030-01-01T10:00:00", "end": "2030-01-01T12:00:00"}
    assert client.post(f"{API}/therapists/{tid}/time-off", json=naive, headers=headers).status_code == 422
    assert db.session.query(TimeOff).count() == 0
    body = {"start": at(day, 9).isoformat(), "end": at(day, 13).isoformat(), "reason": "Dentist"}
    created = client.post(f"{API}/therapists/{tid}/time-off", json=body, headers=headers)
    assert created.status_code == 201
    assert created.get_json()["reason"] == "Dentist"
    query = f"service_id={scene['service'].id}&from={day}&to={day}&therapist_id={tid}"
    starts = [s["start"] for s in client.get(f"{API}/availability?{query}").get_json()]
    assert starts[0] == at(day, 13).isoformat()


# -- availability --------------------------------------------------------------------------


def test_availability_lists_grid_starts_inside_hours(client, scene):
    day = scene["day"]
    query = f"service_id={scene['service'].id}&from={day}&to={day}"
    slots = client.get(f"{API}/availability?{query}").get_json()
    starts = [datetime.fromisoformat(s["start"]) for s in slots]
    assert starts[0] == at(day, 9)
    assert starts[-1] == at(day, 16)
    assert len(starts) == 29  # 09:00 .. 16:00 every 15 minutes
    assert all(s["therapist_id"] == scene["therapist"].id for s in slots)
    assert slots[0]["end"] == at(day, 10).isoformat()


def test_availability_respects_the_larger_buffer(client, scene):
    day = scene["day"]
    other = make_service(duration_minutes=30, buffer_minutes=30)
    make_appointment(service=other, therapist=scene["therapist"], start=at(day, 12))
    query = f"service_id={scene['service'].id}&from={day}&to={day}"
    starts = {datetime.fromisoformat(s["start"]) for s in client.get(f"{API}/availability?{query}").get_json()}
    # Busy 12:00-12:30 with a 30-minute gap either side: 60-minute slots end by 11:30 and start at 13:00.
    assert at(day, 10, 30) in starts
    assert at(day, 10, 45) not in starts
    assert at(day, 12, 45) not in starts
    assert at(day, 13) in starts


def test_availability_ignores_cancelled_appointments(client, scene):
    day = scene["day"]
    make_appointment(service=scene["service"], therapist=scene["therapist"], start=at(day, 9), status="cancelled")
    query = f"service_id={scene['service'].id}&from={day}&to={day}"
    assert client.get(f"{API}/availability?{query}").get_json()[0]["start"] == at(day, 9).isoformat()


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("service_id={s}&from={d}&to={before}", 422),
        ("service_id={s}&from={d}&to={far}", 422),
        ("service_id=999999&from={d}&to={d}", 404),
        ("service_id={s}&from={d}&to={d}&therapist_id=999999", 404),
        ("service_id={s}&from=tomorrow&to={d}", 422),
        ("service_id=abc&from={d}&to={d}", 422),
        ("from={d}&to={d}", 422),
        ("service_id={s}&to={d}", 422),
    ],
)
def test_bad_availability_queries(client, scene, query, status):
    day = scene["day"]
    filled = query.format(
        s=scene["service"].id, d=day, before=day - timedelta(days=1), far=day + timedelta(days=63)
    )
    response = client.get(f"{API}/availability?{filled}")
    assert response.status_code == status
    assert "error" in response.get_json()


def test_availability_allows_a_62_day_span(client, scene):
    day = scene["day"]
    query = f"service_id={scene['service'].id}&from={day}&to={day + timedelta(days=62)}"
    assert client.get(f"{API}/availability?{query}").status_code == 200


def test_availability_keeps_the_two_hour_notice(client, scene):
    """Mid-morning on a working Wednesday: the first offer is the first grid start 2 hours on."""
    with freeze_time("2026-12-09 10:07:00"):
        query = f"service_id={scene['service'].id}&from=2026-12-09&to=2026-12-09"
        starts = [datetime.fromisoformat(slot["start"]) for slot in
                  client.get(f"{API}/availability?{query}").get_json()]
    assert starts, "a working afternoon must offer times"
    assert min(starts) == datetime(2026, 12, 9, 12, 15, tzinfo=UTC)
    assert all(start >= datetime(2026, 12, 9, 12, 7, tzinfo=UTC) for start in starts)


# -- booking -------------------------------------------------------------------------------


def test_client_books_an_offered_slot(client, scene):
    headers = bearer(client, scene["client"].email)
    start = at(scene["day"], 10).isoformat()
    response = book(client, headers, scene, start)
    assert response.status_code == 201
    body = response.get_json()
    assert body == {
        "id": body["id"],
        "client_id": scene["client"].id,
        "therapist_id": scene["therapist"].id,
        "service_id": scene["service"].id,
        "start": start,
        "end": at(scene["day"], 11).isoformat(),
        "status": "booked",
        "care_plan_id": None,
    }
    assert db.session.get(Appointment, body["id"]).buffer_minutes == 15
    again = book(client, bearer(client, make_client().email), scene, start)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "slot_unavailable"


@pytest.mark.parametrize(
    "start",
    [
        lambda day: at(day, 10, 5).isoformat(),  # off the grid
        lambda day: at(day, 8).isoformat(),  # before hours
        lambda day: at(day, 16, 30).isoformat(),  # runs past 17:00
        lambda day: at(day - timedelta(days=30), 10).isoformat(),  # past
        lambda day: (datetime.now(UTC) + timedelta(minutes=30)).replace(second=0, microsecond=0).isoformat(),
        lambda day: at(day + timedelta(days=5), 10).isoformat(),  # Saturday: no hours
    ],
)
def test_client_cannot_book_what_is_not_offered(client, scene, start):
    response = book(client, bearer(client, scene["client"].email), scene, start(scene["day"]))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "slot_unavailable"
    assert db.session.query(Appointment).count() == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"service_id": 999999}, 404),
        ({"therapist_id": 999999}, 404),
        ({"start": "2030-01-01T10:00:00"}, 422),
        ({"start": "soon"}, 422),
        ({"service_id": "1"}, 422),
        ({"start": None}, 422),
    ],
)
def test_bad_booking_requests(client, scene, body, status):
    start = at(scene["day"], 10).isoformat()
    base = {"service_id": scene["service"].id, "therapist_id": scene["therapist"].id, "start": start}
    response = client.post(f"{API}/appointments", json={**base, **body},
                           headers=bearer(client, scene["client"].email))
    assert response.status_code == status
    assert "error" in response.get_json()
    assert db.session.query(Appointment).count() == 0


def test_booking_needs_a_token_and_a_json_object(client, scene):
    assert book(client, {}, scene, at(scene["day"], 10).isoformat()).status_code == 401
    headers = bearer(client, scene["client"].email)
    assert client.post(f"{API}/appointments", data="[]", headers=headers,
                       content_type="application/json").status_code == 400


def test_client_may_not_book_for_someone_else(client, scene):
    other = make_client()
    response = book(client, bearer(client, scene["client"].email), scene, at(scene["day"], 10).isoformat(),
                    client_id=other.id)
    assert response.status_code == 404


def test_client_needing_clearance_gets_403(client, scene):
    scene["client"].flagged_since = datetime.now(UTC) - timedelta(days=1)
    db.session.flush()
    response = book(client, bearer(client, scene["client"].email), scene, at(scene["day"], 10).isoformat())
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "clearance_required"
    staff = book(client, bearer(client, scene["owner"]), scene, at(scene["day"], 10).isoformat(),
                 client_id=scene["client"].id)
    assert staff.status_code == 201


def test_client_held_for_clearance_cannot_move_a_visit_but_staff_may(client, scene):
    """Moving is booking again: the clearance gate applies to clients' reschedules too."""
    headers = bearer(client, scene["client"].email)
    booked = book(client, headers, scene, at(scene["day"], 10).isoformat()).get_json()
    scene["client"].flagged_since = datetime.now(UTC) - timedelta(days=1)
    db.session.flush()
    url = f"{API}/appointments/{booked['id']}"
    moved = client.patch(url, json={"start": at(scene["day"], 14).isoformat()}, headers=headers)
    assert moved.status_code == 403
    assert moved.get_json()["error"]["code"] == "clearance_required"
    assert db.session.get(Appointment, booked["id"]).starts_at == at(scene["day"], 10)
    by_staff = client.patch(url, json={"start": at(scene["day"], 14).isoformat()},
                            headers=bearer(client, scene["owner"]))
    assert by_staff.status_code == 200
    # Cancelling stays open to a held client.
    assert client.post(f"{url}/cancel", headers=headers).status_code == 200


def test_client_cannot_be_in_two_rooms_at_once(client, scene):
    other_therapist = make_therapist(hours=True)
    headers = bearer(client, scene["client"].email)
    first = book(client, headers, scene, at(scene["day"], 10).isoformat())
    assert first.status_code == 201
    overlapping = book(client, headers, scene, at(scene["day"], 10, 30).isoformat(),
                       therapist_id=other_therapist.id)
    assert overlapping.status_code == 409
    assert overlapping.get_json()["error"]["code"] == "slot_unavailable"
    assert "already have an appointment" in overlapping.get_json()["error"]["message"]
    # Back to back is fine: only the client's own time counts, not the therapists' buffers.
    after = book(client, headers, scene, at(scene["day"], 11).isoformat(), therapist_id=other_therapist.id)
    assert after.status_code == 201
    # Moving one visit onto the other is refused too; moving it within its own time is not.
    url = f"{API}/appointments/{after.get_json()['id']}"
    onto = client.patch(url, json={"start": at(scene["day"], 10, 15).isoformat()}, headers=headers)
    assert onto.status_code == 409
    assert client.patch(url, json={"start": at(scene["day"], 11, 15).isoformat()}, headers=headers).status_code == 200
    # Staff may still book the client with two therapists at once (a four-hands massage).
    staff = book(client, bearer(client, scene["owner"]), scene, at(scene["day"], 10).isoformat(),
                 client_id=scene["client"].id, therapist_id=make_therapist(hours=True).id)
    assert staff.status_code == 201


def test_staff_book_in_the_past_but_not_outside_hours(client, scene):
    owner = bearer(client, scene["owner"])
    past = monday(-2)
    assert book(client, owner, scene, at(past, 9).isoformat(), client_id=scene["client"].id).status_code == 201
    late = book(client, owner, scene, at(past, 16, 30).isoformat(), client_id=scene["client"].id)
    assert late.status_code == 409
    missing = book(client, owner, scene, at(past, 11).isoformat())
    assert missing.status_code == 422
    assert "client_id" in missing.get_json()["error"]["fields"]


def test_staff_respect_time_off_and_buffers(client, scene):
    owner = bearer(client, scene["owner"])
    day = scene["day"]
    make_time_off(scene["therapist"], at(day, 9), at(day, 10))
    cid = scene["client"].id
    assert book(client, owner, scene, at(day, 9, 30).isoformat(), client_id=cid).status_code == 409
    assert book(client, owner, scene, at(day, 10).isoformat(), client_id=cid).status_code == 201
    # 60 minutes + 15 buffer: 11:00 is too close, 11:15 is fine.
    assert book(client, owner, scene, at(day, 11).isoformat(), client_id=cid).status_code == 409
    assert book(client, owner, scene, at(day, 11, 15).isoformat(), client_id=cid).status_code == 201


def test_therapist_books_only_on_own_calendar(client, scene):
    other = make_therapist(hours=True)
    headers = bearer(client, other.user)
    response = book(client, headers, scene, at(scene["day"], 10).isoformat(), client_id=scene["client"].id)
    assert response.status_code == 403


# -- listing, rescheduling, cancelling -----------------------------------------------------


def test_listing_shows_each_role_its_own(client, scene):
    day = scene["day"]
    mine = make_appointment(service=scene["service"], therapist=scene["therapist"], client=scene["client"],
                            start=at(day, 9))
    other_therapist = make_therapist()
    theirs = make_appointment(therapist=other_therapist, start=at(day, 9))
    query = f"from={day}&to={day}"
    as_client = client.get(f"{API}/appointments?{query}", headers=bearer(client, scene["client"].email))
    assert [a["id"] for a in as_client.get_json()] == [mine.id]
    as_therapist = client.get(f"{API}/appointments?{query}", headers=bearer(client, scene["therapist"].user))
    assert [a["id"] for a in as_therapist.get_json()] == [mine.id]
    as_owner = client.get(f"{API}/appointments?{query}", headers=bearer(client, scene["owner"])).get_json()
    assert {a["id"] for a in as_owner} == {mine.id, theirs.id}
    assert client.get(f"{API}/appointments/{theirs.id}", headers=bearer(client, scene["client"].email)).status_code == 404
    assert client.get(f"{API}/appointments?from={day}&to={day - timedelta(days=1)}",
                      headers=bearer(client, scene["owner"])).status_code == 422


def test_client_reschedules_and_cancels_with_notice(client, scene):
    headers = bearer(client, scene["client"].email)
    booked = book(client, headers, scene, at(scene["day"], 10).isoformat()).get_json()
    moved = client.patch(f"{API}/appointments/{booked['id']}", json={"start": at(scene["day"], 14).isoformat()},
                         headers=headers)
    assert moved.status_code == 200
    assert moved.get_json()["start"] == at(scene["day"], 14).isoformat()
    off_grid = client.patch(f"{API}/appointments/{booked['id']}",
                            json={"start": at(scene["day"], 14, 10).isoformat()}, headers=headers)
    assert off_grid.status_code == 409
    cancelled = client.post(f"{API}/appointments/{booked['id']}/cancel", json={"reason": "ill"}, headers=headers)
    assert cancelled.status_code == 200
    assert cancelled.get_json()["status"] == "cancelled"
    # The slot is offered again at once.
    query = f"service_id={scene['service'].id}&from={scene['day']}&to={scene['day']}"
    starts = [s["start"] for s in client.get(f"{API}/availability?{query}").get_json()]
    assert at(scene["day"], 14).isoformat() in starts
    again = client.post(f"{API}/appointments/{booked['id']}/cancel", headers=headers)
    assert again.status_code == 409


def test_client_too_late_to_cancel_or_move_but_staff_may(client, scene):
    soon = (datetime.now(UTC) + timedelta(hours=5)).replace(minute=0, second=0, microsecond=0)
    appointment = make_appointment(service=scene["service"], therapist=scene["therapist"],
                                   client=scene["client"], start=soon)
    headers = bearer(client, scene["client"].email)
    moved = client.patch(f"{API}/appointments/{appointment.id}", json={"start": at(scene["day"], 9).isoformat()},
                         headers=headers)
    assert moved.status_code == 409
    assert moved.get_json()["error"]["code"] == "too_late_to_cancel"
    late = client.post(f"{API}/appointments/{appointment.id}/cancel", headers=headers)
    assert late.get_json()["error"]["code"] == "too_late_to_cancel"
    staff = client.post(f"{API}/appointments/{appointment.id}/cancel", headers=bearer(client, scene["owner"]))
    assert staff.status_code == 200
    assert db.session.get(Appointment, appointment.id).late_cancellation is True


def test_no_show_is_for_staff(client, scene):
    appointment = make_appointment(service=scene["service"], therapist=scene["therapist"],
                                   client=scene["client"], start=at(monday(-1), 10))
    url = f"{API}/appointments/{appointment.id}/no-show"
    assert client.post(url, headers=bearer(client, scene["client"].email)).status_code == 403
    assert client.post(url, headers=bearer(client, make_therapist().user)).status_code == 404
    response = client.post(url, headers=bearer(client, scene["therapist"].user))
    assert response.status_code == 200
    assert response.get_json()["status"] == "no_show"


def test_bad_reschedule_bodies(client, scene):
    appointment = make_appointment(service=scene["service"], therapist=scene["therapist"],
                                   client=scene["client"], start=at(scene["day"], 9))
    headers = bearer(client, scene["owner"])
    url = f"{API}/appointments/{appointment.id}"
    assert client.patch(url, json={}, headers=headers).status_code == 422
    assert client.patch(url, json={"start": "2030-01-01T10:00"}, headers=headers).status_code == 422
    assert client.patch(f"{API}/appointments/999999", json={"start": at(scene["day"], 9).isoformat()},
                        headers=headers).status_code == 404


# -- calendar feed -------------------------------------------------------------------------


def test_calendar_feed_by_token_bearer_or_not_at_all(client, scene):
    therapist = scene["therapist"]
    make_appointment(service=scene["service"], therapist=therapist, client=scene["client"], start=at(scene["day"], 9))
    make_appointment(service=scene["service"], therapist=therapist, client=scene["client"],
                     start=at(scene["day"], 13), status="cancelled")
    url = f"{API}/therapists/{therapist.id}/calendar.ics"
    by_token = client.get(f"{url}?token={therapist.calendar_token}")
    assert by_token.status_code == 200
    assert by_token.mimetype == "text/calendar"
    assert by_token.data.count(b"BEGIN:VEVENT") == 1
    assert client.get(url, headers=bearer(client, therapist.user)).status_code == 200
    assert client.get(url, headers=bearer(client, scene["owner"])).status_code == 200
    assert client.get(url).status_code == 401
    wrong = client.get(f"{url}?token=nope")
    assert wrong.status_code == 404
    assert wrong.get_json()["error"]["code"] == "not_found"
    assert client.get(url, headers=bearer(client, scene["client"].email)).status_code == 404


def test_me_links_the_calendar_feed(client, scene):
    me = client.get(f"{API}/me", headers=bearer(client, scene["therapist"].user)).get_json()
    feed = client.get(me["calendar_feed_url"].replace("http://localhost", ""))
    assert feed.status_code == 200


def test_working_hours_keep_their_wall_clock_across_dst(client, scene, app, monkeypatch, request):
    """Europe/Berlin moves to summer time on 2027-03-28: 09:00 stays 09:00 in the offers."""
    monkeypatch.setitem(app.config, "CLINIC_TIMEZONE", "Europe/Berlin")
    monkeypatch.setitem(app.config, "BOOKING_HORIZON_DAYS", 36500)  # the test's days lie far ahead
    service = scene["service"].id
    frozen = freeze_time("2027-03-01 10:00:00", tick=True)
    frozen.start()
    request.addfinalizer(frozen.stop)
    before = client.get(f"{API}/availability?service_id={service}&from=2027-03-26&to=2027-03-26").get_json()
    after = client.get(f"{API}/availability?service_id={service}&from=2027-03-29&to=2027-03-29").get_json()
    assert before[0]["start"] == "2027-03-26T09:00:00+01:00"
    assert after[0]["start"] == "2027-03-29T09:00:00+02:00"
    headers = bearer(client, scene["client"].email)
    booked = book(client, headers, scene, "2027-03-29T09:00:00+02:00")
    assert booked.status_code == 201
    assert booked.get_json()["end"] == "2027-03-29T10:00:00+02:00"
    # The same UTC hour as a winter 09:00 is 10:00 in summer, not an extra slot at 08:00.
    assert book(client, headers, scene, "2027-03-29T08:00:00+02:00").status_code == 409


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/availability?service_id={s}&from=9999-12-30&to=9999-12-31", None),
        ("get", "/availability?service_id={s}&from=0001-01-01&to=0001-01-02", None),
        ("get", "/appointments?from=9999-12-30&to=9999-12-31", None),
        ("post", "/appointments", {"start": "9999-12-31T23:45:00+00:00"}),
        ("post", "/appointments", {"start": "0001-01-01T00:00:00+00:00"}),
        ("post", "/therapists/{t}/time-off", {"start": "9999-12-31T10:00:00+00:00", "end": "9999-12-31T23:00:00+00:00"}),
    ],
)
def test_dates_beyond_the_calendar_are_422_not_500(client, scene, method, url, body):
    headers = bearer(client, scene["owner"])
    url = API + url.format(s=scene["service"].id, t=scene["therapist"].id)
    if body is not None and url.endswith("/appointments"):
        body = {"service_id": scene["service"].id, "therapist_id": scene["therapist"].id,
                "client_id": scene["client"].id, **body}
    response = getattr(client, method)(url, json=body, headers=headers) if body else client.get(url, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]


def test_huge_ids_are_404(client, scene):
    huge = 99_999_999_999_999
    headers = bearer(client, scene["owner"])
    assert client.get(f"{API}/appointments/{huge}", headers=headers).status_code == 404
    query = f"service_id={huge}&from={scene['day']}&to={scene['day']}"
    assert client.get(f"{API}/availability?{query}").status_code == 404
    body = {"service_id": scene["service"].id, "therapist_id": huge, "client_id": scene["client"].id,
            "start": at(scene["day"], 10).isoformat()}
    assert client.post(f"{API}/appointments", json=body, headers=headers).status_code == 404
