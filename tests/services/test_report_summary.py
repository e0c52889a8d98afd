"""The owner's summary figures, checked against a hand-computed dataset on both databases."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from clinic import clock
from clinic.errors import Forbidden, ValidationFailed
from clinic.reports.services import overdue_maintenance, summary_report
from tests.factories import (
    make_appointment,
    make_client,
    make_note,
    make_owner,
    make_service,
    make_therapist,
    make_time_off,
    make_working_hours,
)
from tests.reports_factories import (
    EXPECTED_SUMMARY,
    MONDAY,
    WEDNESDAY,
    build_known_clinic,
    expected_utilisation,
)


def test_every_figure_matches_the_hand_computed_values(app):
    clinic = build_known_clinic(clock.now())
    summary = summary_report(clinic.owner, MONDAY, WEDNESDAY)
    body = summary.to_json()
    assert body["appointments"] == EXPECTED_SUMMARY["appointments"]
    assert body["revenue_cents"] == 19500
    assert body["utilisation"] == expected_utilisation(clinic)
    assert body["pain_change_by_technique"] == pytest.approx(EXPECTED_SUMMARY["pain_change_by_technique"])
    assert body["clients_awaiting_clearance"] == 2
    assert summary.late_cancellations == 1
    assert summary.total == 7
    assert summary.no_show_rate == pytest.approx(0.25)
    assert summary.late_cancellation_rate == pytest.approx(1 / 7)
    assert {p.technique: p.notes for p in summary.pain_changes} == {"swedish": 2, "deep_tissue": 2}


def test_an_empty_range_gives_zeros_not_errors(app):
    clinic = build_known_clinic(clock.now())
    body = summary_report(clinic.owner, date(2031, 5, 1), date(2031, 5, 1)).to_json()
    assert body["appointments"] == {"booked": 0, "completed": 0, "cancelled": 0, "no_show": 0}
    assert body["revenue_cents"] == 0
    assert body["pain_change_by_technique"] == {}
    # 1 May 2031 is a Thursday: A works 09-17, B does not work Thursdays.
    assert [(u["booked_minutes"], u["available_minutes"]) for u in body["utilisation"]] == [
        (0, 480), (0, 0), (0, 0)
    ]
    assert body["clients_awaiting_clearance"] == 2


def test_an_empty_clinic_reports_zeros(app):
    owner = make_owner()
    summary = summary_report(owner, MONDAY, WEDNESDAY)
    assert summary.to_json() == {
        "appointments": {"booked": 0, "completed": 0, "cancelled": 0, "no_show": 0},
        "revenue_cents": 0,
        "utilisation": [],
        "pain_change_by_technique": {},
        "clients_awaiting_clearance": 0,
    }
    assert summary.no_show_rate is None and summary.late_cancellation_rate is None


def test_a_single_day_counts_only_that_day(app):
    clinic = build_known_clinic(clock.now())
    body = summary_report(clinic.owner, WEDNESDAY, WEDNESDAY).to_json()
    # The 23:30 appointment counts on Wednesday; Thursday 00:00 does not.
    assert body["appointments"] == {"booked": 1, "completed": 1, "cancelled": 0, "no_show": 0}
    assert body["revenue_cents"] == 9000
    assert body["pain_change_by_technique"] == {"deep_tissue": 0.0}
    assert body["utilisation"][0]["available_minutes"] == 480 - 60
    assert body["utilisation"][1] == {
        "therapist_id": clinic.therapist_b, "booked_minutes": 120, "available_minutes": 240
    }


def test_local_days_follow_the_clinic_time_zone(app, monkeypatch):
    """In Berlin (UTC+1 in January) 23:30 local is 22:30 UTC and counts on its local day."""
    monkeypatch.setitem(app.config, "CLINIC_TIMEZONE", "Europe/Berlin")
    owner = make_owner()
    therapist = make_therapist()
    make_working_hours(therapist, 2, time(9), time(17))  # Wednesdays, Berlin wall-clock
    # 12:00-14:00 UTC is 13:00-15:00 in Berlin: 120 minutes of the day.
    make_time_off(therapist, datetime(2030, 1, 9, 12, tzinfo=UTC), datetime(2030, 1, 9, 14, tzinfo=UTC))
    service = make_service(duration_minutes=60, price_cents=5000)
    short = make_service(duration_minutes=30, price_cents=3000)
    late_evening = make_appointment(
        therapist=therapist, service=short, start=datetime(2030, 1, 9, 22, 30, tzinfo=UTC)
    )
    make_note(late_evening, techniques=["heat_therapy"], pain_before=6, pain_after=2)
    # 00:15 on Thursday in Berlin, although still Wednesday in UTC.
    make_appointment(therapist=therapist, service=service, start=datetime(2030, 1, 9, 23, 15, tzinfo=UTC))
    # 00:30 on Wednesday in Berlin, although still Tuesday in UTC.
    make_appointment(therapist=therapist, service=service, start=datetime(2030, 1, 8, 23, 30, tzinfo=UTC))

    wednesday = summary_report(owner, WEDNESDAY, WEDNESDAY).to_json()
    assert wednesday["appointments"] == {"booked": 1, "completed": 1, "cancelled": 0, "no_show": 0}
    assert wednesday["revenue_cents"] == 3000
    assert wednesday["pain_change_by_technique"] == {"heat_therapy": -4.0}
    assert wednesday["utilisation"] == [
        {"therapist_id": therapist.id, "booked_minutes": 30 + 60, "available_minutes": 480 - 120}
    ]
    thursday = summary_report(owner, date(2030, 1, 10), date(2030, 1, 10)).to_json()
    assert thursday["appointments"]["booked"] == 1
    assert thursday["utilisation"][0] == {
        "therapist_id": therapist.id, "booked_minutes": 60, "available_minutes": 0
    }


def test_working_hours_across_the_spring_forward_night_count_real_minutes(app, monkeypatch):
    """Europe/Berlin skips 02:00-03:00 on 31 March 2030: a 01:00-05:00 shift lasts 3 hours."""
    monkeypatch.setitem(app.config, "CLINIC_TIMEZONE", "Europe/Berlin")
    owner = make_owner()
    therapist = make_therapist()
    make_working_hours(therapist, 6, time(1), time(5))  # Sundays
    body = summary_report(owner, date(2030, 3, 31), date(2030, 4, 7)).to_json()
    assert body["utilisation"][0]["available_minutes"] == 180 + 240


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        (date(2030, 1, 9), date(2030, 1, 8), "to"),
        (None, date(2030, 1, 8), "from"),
        (date(2030, 1, 9), None, "to"),
        (date(2030, 1, 1), date(2045, 1, 1), "to"),
        (date(9999, 12, 31), date(9999, 12, 31), "from"),
    ],
)
def test_bad_ranges_are_rejected_with_the_field_at_fault(app, first, last, field):
    owner = make_owner()
    with pytest.raises(ValidationFailed) as caught:
        summary_report(owner, first, last)
    assert field in caught.value.fields


@pytest.mark.parametrize("role", ["therapist", "client"])
def test_only_the_owner_reads_reports(app, role):
    actor = make_therapist().user if role == "therapist" else make_client().user
    with pytest.raises(Forbidden):
        summary_report(actor, MONDAY, WEDNESDAY)
    with pytest.raises(Forbidden):
        overdue_maintenance(actor)


def _plan(client, *, first_start, weekly=4, maintenance=3, ended_at=None):
    from clinic.extensions import db
    from clinic.models import CarePlan

    therapist = make_therapist()
    plan = CarePlan(
        client_id=client.id, therapist_id=therapist.id, service_id=make_service().id,
        weekly_sessions=weekly, maintenance_sessions=maintenance, first_start=first_start,
        ended_at=ended_at,
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def test_overdue_maintenance_follows_its_definition(app):
    now = clock.now().replace(microsecond=0)
    owner = make_owner()
    ago = lambda days: now - timedelta(days=days)  # noqa: E731

    overdue = make_client(name="Overdue Olga")
    overdue_plan = _plan(overdue, first_start=ago(100))
    make_appointment(client=overdue, start=ago(40), status="completed")

    booked_ahead = make_client()
    _plan(booked_ahead, first_start=ago(100))
    make_appointment(client=booked_ahead, start=ago(40), status="completed")
    make_appointment(client=booked_ahead, start=now + timedelta(days=3))

    recent = make_client()
    _plan(recent, first_start=ago(100))
    make_appointment(client=recent, start=ago(20), status="completed")

    ended = make_client()
    _plan(ended, first_start=ago(100), ended_at=ago(30))
    make_appointment(client=ended, start=ago(40), status="completed")

    still_weekly = make_client()
    _plan(still_weekly, first_start=ago(7), weekly=12)
    make_appointment(client=still_weekly, start=ago(40), status="completed")

    no_maintenance = make_client()
    _plan(no_maintenance, first_start=ago(100), maintenance=0)
    make_appointment(client=no_maintenance, start=ago(40), status="completed")

    cancelled_since = make_client(name="Cancelled Carl")
    cancelled_plan = _plan(cancelled_since, first_start=ago(100))
    make_appointment(client=cancelled_since, start=ago(50), status="no_show")
    make_appointment(client=cancelled_since, start=ago(10), status="cancelled")

    rows = overdue_maintenance(owner, now)
    assert [(r.care_plan_id, r.client_name, r.days_since) for r in rows] == [
        (cancelled_plan.id, "Cancelled Carl", 50),
        (overdue_plan.id, "Overdue Olga", 40),
    ]
