"""Values at and past the edges of what the clinic stores: ids beyond the integer columns,
date-times beyond the calendar, and the order of the care-plan list.

Huge ids once reached SQLite, which cannot bind them (a 500), so those tests run on both
databases, each on its own fresh database.
"""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from clinic.extensions import db
from clinic.parsing import MAX_ID
from tests.care_factories import NOTE_BODY
from tests.factories import (
    PASSWORD,
    bearer,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
    monday,
)
from tests.openapi import body_schema

HUGE = ["2147483648", "9223372036854775808", "100000000000000000000"]
OUT_OF_RANGE = "Is too far in the past or the future."


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request, fresh_app_factory):
    """An owner, a therapist, a client, a service and an appointment, committed on a new database."""
    app = fresh_app_factory(request.param)
    with app.app_context():
        owner, therapist, me = make_owner(), make_therapist(hours=True), make_client()
        service = make_service()
        appointment = make_appointment(therapist=therapist, client=me, service=service)
        db.session.commit()
        ids = {"therapist": therapist.id, "client": me.id, "service": service.id, "appointment": appointment.id}
        owner_email = owner.email
    client = app.test_client()
    return client, bearer(client, owner_email), ids, owner_email


def _api_urls(big: str) -> list[tuple[str, str, object]]:
    intake = {"consent": True, "pain_level": 3}
    hours = [{"weekday": 0, "start": "09:00", "end": "17:00"}]
    return [
        ("GET", f"/api/v1/clients/{big}", None),
        ("GET", f"/api/v1/clients/{big}/progress", None),
        ("GET", f"/api/v1/clients/{big}/intakes", None),
        ("POST", f"/api/v1/clients/{big}/intakes", intake),
        ("POST", f"/api/v1/clients/{big}/clearances", {"physician_name": "Dr. A", "cleared_on": "2026-01-05"}),
        ("GET", f"/api/v1/appointments/{big}", None),
        ("PATCH", f"/api/v1/appointments/{big}", {"start": "2030-01-07T10:00:00+00:00"}),
        ("POST", f"/api/v1/appointments/{big}/cancel", {}),
        ("POST", f"/api/v1/appointments/{big}/no-show", None),
        ("POST", f"/api/v1/appointments/{big}/notes", NOTE_BODY),
        ("GET", f"/api/v1/notes/{big}", None),
        ("POST", f"/api/v1/notes/{big}/amendments", {"text": "Addendum."}),
        ("GET", f"/api/v1/care-plans/{big}", None),
        ("POST", f"/api/v1/care-plans/{big}/extend", {"weeks": 1}),
        ("GET", f"/api/v1/intakes/{big}", None),
        ("GET", f"/api/v1/therapists/{big}/working-hours", None),
        ("PUT", f"/api/v1/therapists/{big}/working-hours", hours),
        ("GET", f"/api/v1/therapists/{big}/calendar.ics", None),
        ("GET", f"/api/v1/therapists/{big}/calendar.ics?token=x", None),
    ]


def test_huge_ids_in_api_urls_are_json_404s(fresh):
    client, owner, _, _ = fresh
    for big in HUGE:
        for method, url, body in _api_urls(big):
            response = client.open(url, method=method, json=body, headers=owner)
            assert response.status_code == 404, (method, url, response.status_code)
            assert response.get_json()["error"]["code"] == "not_found", (method, url)


def test_ids_out_of_range_in_queries_and_bodies_are_unknown_ids(fresh):
    """Like any unknown id: 404 "No such ..." (not a 422), and a list filtered by one is empty."""
    client, owner, ids, _ = fresh
    days = "from=2030-01-07&to=2030-01-08"
    who = {"service_id": ids["service"], "therapist_id": ids["therapist"], "client_id": ids["client"]}
    booking = {**who, "start": "2030-01-07T10:00:00+00:00"}
    plan = {**who, "first_start": "2030-01-07T10:00:00+00:00", "weekly_sessions": 2, "maintenance_sessions": 0}
    for bad in [*HUGE, "0", "-1"]:
        cases = [
            ("GET", f"/api/v1/availability?service_id={bad}&{days}", None, "service"),
            ("GET", f"/api/v1/availability?service_id={ids['service']}&therapist_id={bad}&{days}", None, "therapist"),
        ]
        for name in ("service_id", "therapist_id", "client_id"):
            cases.append(("POST", "/api/v1/appointments", {**booking, name: int(bad)}, name[:-3]))
            cases.append(("POST", "/api/v1/care-plans", {**plan, name: int(bad)}, name[:-3]))
        for method, url, body, noun in cases:
            response = client.open(url, method=method, json=body, headers=owner)
            assert response.status_code == 404, (method, url, body, response.status_code)
            assert response.get_json()["error"]["message"] == f"No such {noun}.", (method, url, body)
        listed = client.get(f"/api/v1/appointments?therapist_id={bad}", headers=owner)
        assert listed.status_code == 200
        assert listed.get_json() == []


def test_huge_ids_in_page_urls_are_404_pages(fresh):
    client, _, _, owner_email = fresh
    client.post("/login", data={"email": owner_email, "password": PASSWORD})
    for big in HUGE:
        for url in (
            f"/appointments/{big}",
            f"/appointments/{big}/reschedule",
            f"/notes/{big}",
            f"/care-plans/{big}",
            f"/clients/{big}",
            f"/clients/{big}/intake",
            f"/intakes/{big}",
            f"/setup/services/{big}",
            f"/setup/therapists/{big}",
        ):
            response = client.get(url)
            assert response.status_code == 404, (url, response.status_code)
            assert "text/html" in response.content_type


def test_the_largest_id_still_reaches_the_view(client):
    owner = bearer(client, make_owner())
    response = client.get(f"/api/v1/clients/{MAX_ID}", headers=owner)
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "No such client."
    service = client.get(f"/api/v1/availability?service_id={MAX_ID}&from=2030-01-07&to=2030-01-07")
    assert service.status_code == 404
    assert service.get_json()["error"]["message"] == "No such service."


def test_ids_are_documented_with_their_range(client):
    document = client.get("/api/v1/openapi.json").get_json()
    get_client = document["paths"]["/api/v1/clients/{client_id}"]["get"]
    assert get_client["parameters"][0]["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    booking = body_schema(document, document["paths"]["/api/v1/appointments"]["post"])
    assert booking["properties"]["service_id"]["maximum"] == MAX_ID


# -- date-times and dates at the ends of the calendar ----------------------------------------


@pytest.fixture
def scene(client):
    therapist, me = make_therapist(hours=True), make_client()
    service = make_service()
    appointment = make_appointment(
        therapist=therapist, client=me, service=service, start=datetime.combine(monday(3), time(10), tzinfo=UTC)
    )
    return {
        "owner": bearer(client, make_owner()),
        "therapist": therapist,
        "client": me,
        "service": service,
        "appointment": appointment,
    }


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00"])
def test_date_times_that_leave_the_calendar_in_utc_are_422s(client, scene, start):
    ids = {"service_id": scene["service"].id, "therapist_id": scene["therapist"].id}
    cases = [
        ("POST", "/api/v1/appointments", {**ids, "client_id": scene["client"].id, "start": start}, "start"),
        ("PATCH", f"/api/v1/appointments/{scene['appointment'].id}", {"start": start}, "start"),
        ("POST", f"/api/v1/therapists/{ids['therapist_id']}/time-off", {"start": start, "end": start}, "start"),
        (
            "POST",
            "/api/v1/care-plans",
            {**ids, "client_id": scene["client"].id, "first_start": start, "weekly_sessions": 2,
             "maintenance_sessions": 0},
            "first_start",
        ),
    ]
    for method, url, body, field in cases:
        response = client.open(url, method=method, json=body, headers=scene["owner"])
        assert response.status_code == 422, (method, url, response.status_code)
        assert response.get_json()["error"]["fields"][field] == [OUT_OF_RANGE], (method, url)


@pytest.mark.parametrize("first", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("last", ["0001-01-01", "9999-12-31"])
def test_date_ranges_at_the_ends_of_the_calendar_are_422s(client, scene, first, last):
    days = f"from={first}&to={last}"
    for url in (
        f"/api/v1/availability?service_id={scene['service'].id}&{days}",
        f"/api/v1/appointments?{days}",
        f"/api/v1/reports/summary?{days}",
    ):
        response = client.get(url, headers=scene["owner"])
        assert response.status_code == 422, (url, response.status_code)
        assert set(response.get_json()["error"]["fields"]) <= {"from", "to"}


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_intake_and_clearance_dates_at_the_ends_of_the_calendar_never_500(client, scene, day):
    url = f"/api/v1/clients/{scene['client'].id}"
    bodies = [
        (f"{url}/intakes", {"consent": True, "pain_level": 3, "recent_surgery": True, "surgery_date": day}),
        (f"{url}/clearances", {"physician_name": "Dr. A", "cleared_on": day}),
        (f"{url}/clearances", {"physician_name": "Dr. A", "cleared_on": "2026-01-05", "valid_until": day}),
        (f"{url}/clearances", {"physician_name": "Dr. A", "cleared_on": day, "valid_until": day}),
    ]
    for path, body in bodies:
        response = client.post(path, json=body, headers=scene["owner"])
        assert response.status_code in (201, 422), (path, body, response.status_code)
        if response.status_code == 422:
            assert response.get_json()["error"]["fields"], (path, body)
    assert client.get(url, headers=scene["owner"]).status_code == 200
    assert client.get("/api/v1/clearance-queue", headers=scene["owner"]).status_code == 200


def test_a_surgery_or_clearance_in_year_9999_is_a_422_on_its_field(client, scene):
    url = f"/api/v1/clients/{scene['client'].id}"
    intake = {"consent": True, "pain_level": 3, "recent_surgery": True, "surgery_date": "9999-12-31"}
    response = client.post(f"{url}/intakes", json=intake, headers=scene["owner"])
    assert list(response.get_json()["error"]["fields"]) == ["surgery_date"]
    clearance = {"physician_name": "Dr. A", "cleared_on": "9999-12-31"}
    response = client.post(f"{url}/clearances", json=clearance, headers=scene["owner"])
    assert list(response.get_json()["error"]["fields"]) == ["cleared_on"]


# -- care plans at the end of the calendar -------------------------------------------------


def _plan(scene, first_start: str, weekly: int, maintenance: int) -> dict:
    return {
        "client_id": scene["client"].id,
        "therapist_id": scene["therapist"].id,
        "service_id": scene["service"].id,
        "first_start": first_start,
        "weekly_sessions": weekly,
        "maintenance_sessions": maintenance,
    }


def test_a_care_plan_starting_in_year_9999_is_a_422(client, scene):
    body = _plan(scene, "9999-06-01T10:00:00+02:00", 26, 24)
    response = client.post("/api/v1/care-plans", json=body, headers=scene["owner"])
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["first_start"]


def test_a_care_plan_running_past_the_calendar_is_a_conflict_and_extending_one_never_500s(client, scene):
    last_monday = date(9000, 12, 31) - timedelta(days=date(9000, 12, 31).weekday())
    start = datetime.combine(last_monday, time(10), tzinfo=UTC).isoformat()
    too_long = client.post("/api/v1/care-plans", json=_plan(scene, start, 26, 24), headers=scene["owner"])
    assert too_long.status_code == 409
    assert too_long.get_json()["error"]["code"] == "schedule_conflict"

    created = client.post("/api/v1/care-plans", json=_plan(scene, start, 1, 0), headers=scene["owner"])
    assert created.status_code == 201, created.get_json()
    for weeks in (1, 25):
        extended = client.post(
            f"/api/v1/care-plans/{created.get_json()['id']}/extend", json={"weeks": weeks}, headers=scene["owner"]
        )
        assert extended.status_code == 409, extended.get_json()
        assert extended.get_json()["error"]["code"] == "schedule_conflict"


# -- the order of lists ----------------------------------------------------------------------


def test_the_care_plan_list_is_chronological_while_the_page_stays_newest_first(client, scene):
    other = make_therapist(hours=True)

    def at(weeks: int) -> str:
        return datetime.combine(monday(weeks), time(10), tzinfo=UTC).isoformat()

    later = client.post("/api/v1/care-plans", json=_plan(scene, at(6), 1, 0), headers=scene["owner"])
    sooner = client.post("/api/v1/care-plans", json=_plan(scene, at(4), 1, 0), headers=scene["owner"])
    same_time = client.post(
        "/api/v1/care-plans", json={**_plan(scene, at(4), 1, 0), "therapist_id": other.id}, headers=scene["owner"]
    )
    ids = [r.get_json()["id"] for r in (sooner, same_time, later)]
    listed = client.get("/api/v1/care-plans", headers=scene["owner"]).get_json()
    assert [p["id"] for p in listed] == ids

    owner = make_owner()
    client.post("/login", data={"email": owner.email, "password": PASSWORD})
    page = client.get("/care-plans/").get_data(as_text=True)
    linked = [int(n) for n in re.findall(r'href="/care-plans/(\d+)"', page)]
    assert linked == ids[::-1]
