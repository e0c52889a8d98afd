"""No page or API list runs more SQL statements when it has more rows to show.

Each URL is counted on a small clinic, then again after the same kinds of records were added
several times over (clients, past visits with and without a note, visits ahead, care plans,
intakes, a hold with its clearance, a hold waiting for one), for the role that reads it.
"""

from datetime import UTC, datetime, time, timedelta

import pytest

from clinic.care_plans import reading
from clinic.care_plans import services as care_plans
from tests.care_factories import make_clearance, make_intake
from tests.factories import (
    bearer,
    login,
    make_appointment,
    make_client,
    make_note,
    make_owner,
    make_service,
    make_therapist,
    monday,
)
from tests.query_counts import count_queries, recorded_statements, repeated


@pytest.fixture
def clinic(app):
    therapist = make_therapist(hours=True)
    return {"owner": make_owner(), "therapist": therapist, "service": make_service(), "me": make_client(),
            "rounds": 0}


def grow(clinic) -> None:
    """One more of everything: a new client of the therapist with an intake, a past visit
    with a note, one waiting for its note, one ahead, a care plan, a hold with a clearance and
    one without; the logged-in client ("me") gets a visit ahead with a new therapist and
    service, and a plan."""
    clinic["rounds"] += 1
    k = clinic["rounds"]
    therapist, service = clinic["therapist"], clinic["service"]
    other = make_therapist(hours=True)
    make_appointment(therapist=other, service=make_service(), client=clinic["me"],
                     start=datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3, hours=k))
    person = make_client()
    make_intake(person)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    done = make_appointment(therapist=therapist, service=service, client=person,
                            start=now - timedelta(days=k, hours=3), status="completed")
    make_note(done)
    make_appointment(therapist=therapist, service=service, client=person, start=now - timedelta(hours=k + 1))
    make_appointment(therapist=therapist, service=service, client=person, start=now + timedelta(days=1, hours=k))
    held = make_client()
    make_intake(held, flagged=True)
    make_clearance(held, clinic["owner"])
    make_appointment(therapist=therapist, service=service, client=held, start=now + timedelta(days=2, hours=k))
    waiting = make_client()
    make_intake(waiting, flagged=True)
    make_appointment(therapist=therapist, service=service, client=waiting, start=now + timedelta(days=4, hours=k))
    for who, hour in ((person, 9), (clinic["me"], 11)):
        care_plans.create_care_plan(  # the owner: "me" is another therapist's client by now
            clinic["owner"], client_id=who.id, therapist_id=therapist.id, service_id=service.id,
            first_start=datetime.combine(monday(2 + k), time(hour), tzinfo=UTC) + timedelta(days=k % 5),
            weekly_sessions=2, maintenance_sessions=1,
        )


PAGES = {
    "owner": ["/", "/clients", "/care-plans/", "/clearance-queue", "/calendar", "/calendar/week", "/reports",
              "/reports/audit", "/staff"],
    "therapist": ["/", "/clients", "/care-plans/", "/notes/waiting", "/calendar", "/calendar/week",
                  "/clearance-queue"],
    "client": ["/", "/care-plans/", "/my-appointments", "/my-record", "/book"],
}
API_LISTS = {
    "owner": ["/api/v1/appointments", "/api/v1/care-plans", "/api/v1/clearance-queue", "/api/v1/therapists"],
    "therapist": ["/api/v1/appointments", "/api/v1/care-plans"],
    "client": ["/api/v1/appointments", "/api/v1/care-plans"],
}


def _email(clinic, role):
    return {"owner": clinic["owner"].email, "therapist": clinic["therapist"].user.email,
            "client": clinic["me"].email}[role]


def _growth(client, clinic, urls, headers=None) -> dict[str, str]:
    """URL -> why its count grew (the statements it repeats), for each URL whose count grew."""
    few = {url: count_queries(client, url, headers=headers) for url in urls}
    for _ in range(3):
        grow(clinic)
    many = {url: count_queries(client, url, headers=headers) for url in urls}
    return {url: f"{few[url]} -> {many[url]}: {_explain(client, url, headers)}"
            for url in urls if many[url] != few[url]}


def _explain(client, url, headers=None):
    with recorded_statements() as statements:
        client.get(url, headers=headers)
    return "; ".join(f"{n}x {s[:200]}" for s, n in repeated(statements).items())


@pytest.mark.parametrize("role", sorted(PAGES))
def test_pages_make_a_fixed_number_of_queries(client, clinic, role):
    grow(clinic)
    login(client, _email(clinic, role))
    growth = _growth(client, clinic, PAGES[role])
    assert growth == {}, "\n".join(f"{url}: {why}" for url, why in growth.items())


@pytest.mark.parametrize("role", sorted(API_LISTS))
def test_api_lists_make_a_fixed_number_of_queries(client, clinic, role):
    grow(clinic)
    growth = _growth(client, clinic, API_LISTS[role], bearer(client, _email(clinic, role)))
    assert growth == {}, "\n".join(f"{url}: {why}" for url, why in growth.items())


@pytest.mark.parametrize("how", ["page", "api"])
def test_staff_cancelling_one_plan_session_runs_under_30_queries(client, clinic, how):
    therapist = clinic["therapist"]
    plan = care_plans.create_care_plan(
        therapist.user, client_id=clinic["me"].id, therapist_id=therapist.id, service_id=clinic["service"].id,
        first_start=datetime.combine(monday(2), time(10), tzinfo=UTC), weekly_sessions=4, maintenance_sessions=2,
    )
    session = reading.plan_appointments(plan)[1]
    if how == "page":
        login(client, therapist.user.email)
        url, kwargs, status = f"/care-plans/{plan.id}/sessions/{session.id}/cancel", {"data": {}}, 200
    else:
        url = f"/api/v1/care-plans/{plan.id}/appointments/{session.id}/cancel"
        kwargs, status = {"json": {}, "headers": bearer(client, therapist.user.email)}, 200
    assert count_queries(client, url, method="POST", status=status, **kwargs) < 30


def _history(clinic, person, therapist, k: int) -> None:
    """One more round of a client's history: a visit with a signed note, an intake, a
    clearance, and a visit ahead."""
    service = clinic["service"]
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    done = make_appointment(therapist=therapist, service=service, client=person,
                            start=now - timedelta(days=k, hours=2), status="completed")
    make_note(done)
    make_intake(person)
    make_clearance(person, clinic["owner"])
    make_appointment(therapist=therapist, service=service, client=person, start=now + timedelta(days=k, hours=1))


def _plan(clinic, person, weeks_ago: int, weekly: int, hour: int):
    """A plan that began `weeks_ago`, its past sessions completed with a signed note each."""
    therapist = clinic["therapist"]
    plan = care_plans.create_care_plan(
        clinic["owner"], client_id=person.id, therapist_id=therapist.id, service_id=clinic["service"].id,
        first_start=datetime.combine(monday(-weeks_ago), time(hour), tzinfo=UTC), weekly_sessions=weekly,
        maintenance_sessions=1,
    )
    for session in reading.plan_appointments(plan):
        if session.starts_at < datetime.now(UTC) - timedelta(hours=2):
            session.status = "completed"
            make_note(session)
    return plan


def test_one_clients_record_and_plan_cost_the_same_however_long_their_history(client, clinic):
    small, large = make_client(), make_client()
    _history(clinic, small, make_therapist(), 1)
    for k in range(1, 5):
        _history(clinic, large, make_therapist(), k)
    short_plan, long_plan = _plan(clinic, small, 2, 2, 10), _plan(clinic, large, 6, 8, 14)
    owner = bearer(client, clinic["owner"].email)
    urls = ["/clients/{client}", "/api/v1/clients/{client}/progress", "/api/v1/clients/{client}/intakes",
            "/api/v1/clients/{client}/clearances", "/api/v1/clients/{client}", "/care-plans/{plan}",
            "/api/v1/care-plans/{plan}", "/care-plans/{plan}/end", "/care-plans/{plan}/cancel-rest"]
    login(client, clinic["owner"].email)
    grew = {}
    for url in urls:
        few = count_queries(client, url.format(client=small.id, plan=short_plan.id), headers=owner)
        many = count_queries(client, url.format(client=large.id, plan=long_plan.id), headers=owner)
        if many != few:
            grew[url] = f"{few} -> {many}: {_explain(client, url.format(client=large.id, plan=long_plan.id), owner)}"
    assert grew == {}, "\n".join(f"{url}: {why}" for url, why in grew.items())
