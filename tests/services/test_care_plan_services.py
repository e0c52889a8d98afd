"""Care plan use cases on SQLite and PostgreSQL: all-or-nothing booking, phase, end, extend, cancel."""

from datetime import UTC, datetime, time, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from clinic import clock
from clinic.care_plans import reading, services
from clinic.care_plans.cadence import Phase
from clinic.errors import Forbidden, NotFound, ScheduleConflict, TooLateToCancel, ValidationFailed
from clinic.extensions import db
from clinic.models import Appointment, CarePlan
from tests.factories import (
    local_day,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
    make_time_off,
    monday,
)


@pytest.fixture
def scene(app):
    therapist = make_therapist(hours=True)
    return {
        "therapist": therapist,
        "client": make_client(),
        "service": make_service(duration_minutes=60, buffer_minutes=15),
        "owner": make_owner(),
    }


def at(day, hour=10, minute=0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def create(scene, first_start, weekly=4, maintenance=2, actor=None):
    return services.create_care_plan(
        actor or scene["therapist"].user,
        client_id=scene["client"].id,
        therapist_id=scene["therapist"].id,
        service_id=scene["service"].id,
        first_start=first_start,
        weekly_sessions=weekly,
        maintenance_sessions=maintenance,
    )


def counts():
    return (
        db.session.scalar(select(func.count(CarePlan.id))),
        db.session.scalar(select(func.count(Appointment.id))),
    )


def test_creates_weekly_then_maintenance_sessions_linked_to_the_plan(scene):
    first = at(monday(2))
    plan = create(scene, first, weekly=4, maintenance=2)
    appointments = reading.plan_appointments(plan)
    assert [a.starts_at for a in appointments][:4] == [first + timedelta(weeks=k) for k in range(4)]
    gaps = [(local_day(b.starts_at) - local_day(a.starts_at)).days for a, b in pairwise(appointments[3:])]
    assert gaps and all(28 <= g <= 35 for g in gaps)
    assert all(a.care_plan_id == plan.id and a.status == "booked" for a in appointments)
    assert all(a.client_id == scene["client"].id for a in appointments)
    assert len(appointments) == 6
    assert reading.plan_phase(plan) == Phase.WEEKLY


def test_every_clash_is_listed_and_nothing_is_created(scene):
    first = at(monday(2))
    # Week 2 is inside time off; week 3 already has an appointment overlapping the session.
    make_time_off(
        scene["therapist"],
        first + timedelta(weeks=1) - timedelta(hours=1),
        first + timedelta(weeks=1, hours=3),
    )
    make_appointment(
        therapist=scene["therapist"], service=scene["service"], start=first + timedelta(weeks=2, minutes=30)
    )
    before = counts()
    with pytest.raises(ScheduleConflict) as caught:
        create(scene, first, weekly=4, maintenance=1)
    error = caught.value.to_dict()["error"]
    assert error["code"] == "schedule_conflict"
    assert error["conflicts"] == [
        clock.iso(first + timedelta(weeks=1)),
        clock.iso(first + timedelta(weeks=2)),
    ]
    assert counts() == before


def test_buffer_clash_counts_as_a_conflict(scene):
    first = at(monday(2))
    # Ends 10:00 exactly: no overlap, but the 15-minute buffer is not kept.
    make_appointment(therapist=scene["therapist"], service=scene["service"], start=first - timedelta(hours=1))
    before = counts()
    with pytest.raises(ScheduleConflict) as caught:
        create(scene, first, weekly=2, maintenance=0)
    assert caught.value.extra["conflicts"] == [clock.iso(first)]
    assert counts() == before


def test_a_start_outside_working_hours_lists_every_session(scene):
    saturday = monday(2) + timedelta(days=5)
    before = counts()
    with pytest.raises(ScheduleConflict) as caught:
        create(scene, at(saturday), weekly=3, maintenance=0)
    assert len(caught.value.extra["conflicts"]) == 3
    assert counts() == before


def test_a_late_session_ending_after_hours_is_a_conflict(scene):
    before = counts()
    with pytest.raises(ScheduleConflict):
        create(scene, at(monday(2), 16, 30), weekly=1, maintenance=0)
    assert counts() == before


def test_only_staff_plan_care_and_therapists_only_on_their_own_calendar(scene):
    with pytest.raises(Forbidden):
        create(scene, at(monday(2)), actor=scene["client"].user)
    with pytest.raises(Forbidden):
        create(scene, at(monday(2)), actor=make_therapist(hours=True).user)
    plan = create(scene, at(monday(2)), actor=scene["owner"])
    assert plan.created_by_id == scene["owner"].id


@pytest.mark.parametrize(("weekly", "maintenance"), [(0, 0), (-1, 2), (27, 0), (2, 25)])
def test_counts_out_of_range_are_422(scene, weekly, maintenance):
    with pytest.raises(ValidationFailed):
        create(scene, at(monday(2)), weekly=weekly, maintenance=maintenance)


def test_unknown_client_is_404(scene):
    with pytest.raises(NotFound):
        services.create_care_plan(
            scene["owner"],
            client_id=999999,
            therapist_id=scene["therapist"].id,
            service_id=scene["service"].id,
            first_start=at(monday(2)),
            weekly_sessions=1,
            maintenance_sessions=0,
        )


def test_phase_moves_from_weekly_to_maintenance_to_finished(scene):
    # Staff may book in the past (recording care after the fact).
    in_maintenance = create(scene, at(monday(-8)), weekly=3, maintenance=3)
    assert reading.plan_phase(in_maintenance) == Phase.MAINTENANCE
    finished = create(scene, at(monday(-8), 14), weekly=2, maintenance=0)
    assert reading.plan_phase(finished) == Phase.FINISHED


def test_cancelled_sessions_do_not_keep_a_phase_alive(scene):
    plan = create(scene, at(monday(-2)), weekly=4, maintenance=1)
    # Next week's session is always ahead; this week's too on a Monday before its hour.
    weekly_ahead = [a for a in reading.plan_appointments(plan)[:4] if a.starts_at > clock.now()]
    assert 1 <= len(weekly_ahead) <= 2
    assert reading.plan_phase(plan) == Phase.WEEKLY
    for appointment in weekly_ahead:
        services.cancel_plan_session(scene["owner"], plan.id, appointment.id)
    assert reading.plan_phase(plan) == Phase.MAINTENANCE


def test_ending_early_cancels_only_future_sessions(scene):
    plan = create(scene, at(monday(-2)), weekly=5, maintenance=1)
    cancelled = services.end_care_plan(scene["therapist"].user, plan.id)
    now = clock.now()
    appointments = reading.plan_appointments(plan)
    assert {a.id for a in cancelled} == {a.id for a in appointments if a.starts_at > now}
    assert all(a.status == "booked" for a in appointments if a.starts_at <= now)
    assert plan.ended_at is not None
    assert reading.plan_phase(plan) == Phase.FINISHED


def test_a_client_cannot_end_a_plan(scene):
    plan = create(scene, at(monday(2)), weekly=2, maintenance=0)
    with pytest.raises(Forbidden):
        services.end_care_plan(scene["client"].user, plan.id)


def test_extending_adds_weeks_and_moves_maintenance_after_them(scene):
    first = at(monday(2))
    plan = create(scene, first, weekly=2, maintenance=2)
    services.extend_care_plan(scene["therapist"].user, plan.id, 2)
    live = [a for a in reading.plan_appointments(plan) if a.status != "cancelled"]
    assert plan.weekly_sessions == 4
    assert [a.starts_at for a in live][:4] == [first + timedelta(weeks=k) for k in range(4)]
    assert len(live) == 6
    assert (live[4].starts_at - live[3].starts_at).days == 28
    assert reading.plan_phase(plan) == Phase.WEEKLY


def test_extending_is_all_or_nothing(scene):
    first = at(monday(2))
    plan = create(scene, first, weekly=2, maintenance=2)
    blocker = make_appointment(
        therapist=scene["therapist"], service=scene["service"], start=first + timedelta(weeks=3)
    )
    before = [(a.id, a.status, a.starts_at) for a in reading.plan_appointments(plan)]
    with pytest.raises(ScheduleConflict) as caught:
        services.extend_care_plan(scene["therapist"].user, plan.id, 2)
    assert caught.value.extra["conflicts"] == [clock.iso(blocker.starts_at)]
    db.session.expire_all()
    assert [(a.id, a.status, a.starts_at) for a in reading.plan_appointments(plan)] == before
    assert db.session.get(CarePlan, plan.id).weekly_sessions == 2


def test_client_cancels_one_session_and_is_offered_the_nearest_free_times_that_week(scene):
    plan = create(scene, at(monday(2)), weekly=3, maintenance=0)
    second = reading.plan_appointments(plan)[1]
    result = services.cancel_plan_session(scene["client"].user, plan.id, second.id, "Away")
    assert second.status == "cancelled"
    assert result.alternatives
    week_start = monday(3)
    for start in result.alternatives:
        assert week_start <= start.date() < week_start + timedelta(days=7)
        assert start != second.starts_at
    distances = [abs(s - second.starts_at) for s in result.alternatives]
    assert distances == sorted(distances)
    # Another time: the nearest starts not overlapping the cancelled hour, earlier first on a tie.
    assert result.alternatives[:2] == [
        second.starts_at - timedelta(hours=1),
        second.starts_at + timedelta(hours=1),
    ]
    booked = services.rebook_plan_session(scene["client"].user, plan.id, result.alternatives[0])
    assert booked.care_plan_id == plan.id


def test_client_cannot_cancel_a_session_inside_the_notice_period(scene):
    plan = create(scene, at(monday(2)), weekly=2, maintenance=0)
    first = reading.plan_appointments(plan)[0]
    # Move it to start soon, as if the week had passed.
    first.starts_at = clock.now() + timedelta(hours=3)
    first.ends_at = first.starts_at + timedelta(hours=1)
    db.session.flush()
    with pytest.raises(TooLateToCancel):
        services.cancel_plan_session(scene["client"].user, plan.id, first.id)
    assert first.status == "booked"


def test_client_cancels_the_rest_except_sessions_inside_the_notice_period(scene):
    plan = create(scene, at(monday(2)), weekly=3, maintenance=1)
    soon = reading.plan_appointments(plan)[0]
    soon.starts_at = clock.now() + timedelta(hours=3)
    soon.ends_at = soon.starts_at + timedelta(hours=1)
    db.session.flush()
    result = services.cancel_rest_of_plan(scene["client"].user, plan.id, "Moving away")
    assert [a.id for a in result.too_late] == [soon.id]
    assert len(result.cancelled) == 3
    assert soon.status == "booked"
    assert plan.ended_at is None


def test_cancelling_the_rest_ends_the_plan_when_nothing_is_left(scene):
    plan = create(scene, at(monday(2)), weekly=2, maintenance=1)
    result = services.cancel_rest_of_plan(scene["client"].user, plan.id)
    assert len(result.cancelled) == 3
    assert plan.ended_at is not None
    assert reading.plan_phase(plan) == Phase.FINISHED


def test_other_clients_and_therapists_cannot_see_a_plan(scene):
    plan = create(scene, at(monday(2)), weekly=1, maintenance=0)
    assert reading.plan_for(scene["client"].user, plan.id) == plan
    assert reading.plan_for(scene["owner"], plan.id) == plan
    for outsider in (make_client().user, make_therapist().user):
        with pytest.raises(NotFound):
            reading.plan_for(outsider, plan.id)
    with pytest.raises(NotFound):
        services.cancel_plan_session(make_client().user, plan.id, reading.plan_appointments(plan)[0].id)


def test_extension_is_refused_once_maintenance_has_begun_or_without_a_weekly_phase(scene):
    in_maintenance = create(scene, at(monday(-8)), weekly=3, maintenance=3)
    with pytest.raises(services.PlanNotExtendable):
        services.extend_care_plan(scene["therapist"].user, in_maintenance.id, 1)
    maintenance_only = create(scene, at(monday(2), 14), weekly=0, maintenance=2)
    with pytest.raises(services.PlanNotExtendable):
        services.extend_care_plan(scene["therapist"].user, maintenance_only.id, 1)


def test_extension_is_refused_when_the_next_weekly_session_would_be_past(scene):
    plan = create(scene, at(monday(-6)), weekly=2, maintenance=0)
    with pytest.raises(services.PlanNotExtendable):
        services.extend_care_plan(scene["therapist"].user, plan.id, 2)


def test_an_ended_plan_cannot_be_ended_extended_or_rebooked(scene):
    plan = create(scene, at(monday(2)), weekly=2, maintenance=0)
    services.end_care_plan(scene["owner"], plan.id)
    with pytest.raises(services.PlanEnded):
        services.end_care_plan(scene["owner"], plan.id)
    with pytest.raises(services.PlanEnded):
        services.extend_care_plan(scene["owner"], plan.id, 1)
    with pytest.raises(services.PlanEnded):
        services.rebook_plan_session(scene["client"].user, plan.id, at(monday(2)))


def test_plan_overview_counts_sessions_and_reads_pain_from_notes(scene):
    from tests.care_factories import make_intake
    from tests.factories import make_note

    plan = create(scene, at(monday(-3)), weekly=6, maintenance=1)
    make_intake(scene["client"])
    past = [a for a in reading.plan_appointments(plan) if a.starts_at < clock.now()]
    for appointment, pain in zip(past, [7, 5, 4], strict=False):
        make_note(appointment, pain_before=pain, pain_after=pain - 2)
    overview = reading.plan_overview(plan)
    assert len(overview.done) == len(past)
    assert len(overview.to_come) == 7 - len(past)
    assert [p.pain_before for p in overview.points] == [7, 5, 4][: len(past)]
    assert overview.phase == Phase.WEEKLY


def test_plan_across_a_dst_change_keeps_clinic_wall_clock_time(scene, app, monkeypatch):
    """16:00 in Berlin is 15:00Z in winter and 14:00Z in summer; a UTC cadence would end past 17:00."""
    from zoneinfo import ZoneInfo

    monkeypatch.setitem(app.config, "CLINIC_TIMEZONE", "Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    first = datetime(2027, 3, 9, 16, tzinfo=berlin)  # a Tuesday; summer time starts 2027-03-28
    plan = create(scene, first, weekly=6, maintenance=2)
    starts = [a.starts_at.astimezone(berlin) for a in reading.plan_appointments(plan)]
    assert all(s.time() == time(16) and s.weekday() == 1 for s in starts)
    assert starts[2].utcoffset() == timedelta(hours=1) and starts[3].utcoffset() == timedelta(hours=2)
