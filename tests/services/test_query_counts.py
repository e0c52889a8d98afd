"""Use cases whose SQL statement count must not grow with the data, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, time, timedelta

import pytest

from clinic import clock
from clinic.care_plans import reading, services
from clinic.scheduling import services as scheduling
from tests.factories import (
    make_appointment,
    make_client,
    make_service,
    make_therapist,
    make_time_off,
    make_working_hours,
    monday,
)
from tests.query_counts import recorded_statements


@pytest.fixture
def scene(app):
    therapist = make_therapist(hours=True)
    return {
        "therapist": therapist,
        "client": make_client(),
        "service": make_service(duration_minutes=60, buffer_minutes=15),
    }


def at(day, hour=10, minute=0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def test_staff_cancelling_a_plan_session_runs_a_few_queries_not_one_per_grid_start(scene):
    """The staff offers used to ask schedule_problem about each of the week's 672 grid
    starts, three queries each (2,020 statements for one cancellation)."""
    plan = services.create_care_plan(
        scene["therapist"].user, client_id=scene["client"].id, therapist_id=scene["therapist"].id,
        service_id=scene["service"].id, first_start=at(monday(2)), weekly_sessions=4, maintenance_sessions=2,
    )
    session = reading.plan_appointments(plan)[1]
    with recorded_statements() as statements:
        result = services.cancel_plan_session(scene["therapist"].user, plan.id, session.id, "Ill")
    assert session.status == "cancelled"
    assert result.alternatives
    assert len(statements) < 30, len(statements)


def test_free_starts_are_exactly_the_starts_schedule_problem_accepts(scene):
    """The batched offers keep staff's rules: working hours, time off, appointments and the
    larger of two buffers, and nothing at or before `after`."""
    therapist, service = scene["therapist"], scene["service"]
    week = monday(2)
    make_working_hours(therapist, 6, time(20), time(23, 59))  # Sunday evening, the week's last hours
    make_time_off(therapist, at(week + timedelta(days=1), 12), at(week + timedelta(days=1), 15))
    make_appointment(therapist=therapist, service=make_service(buffer_minutes=30), start=at(week, 11, 15))
    make_appointment(therapist=therapist, service=service, start=at(week + timedelta(days=2), 9, 45))
    make_appointment(therapist=therapist, service=service, start=at(week + timedelta(days=3), 13),
                     status="cancelled")
    after = at(week, 9, 30)
    start, end = clock.day_range(week, week + timedelta(days=6))
    expected = []
    moment = start
    while moment < end:
        if moment > after and scheduling.schedule_problem(therapist.id, service, moment) is None:
            expected.append(moment)
        moment += timedelta(minutes=15)
    found = scheduling.free_starts(therapist.id, service, week, week + timedelta(days=6), after=after)
    assert found == expected
    assert at(week, 9, 45) in found and at(week + timedelta(days=6), 20) in found
