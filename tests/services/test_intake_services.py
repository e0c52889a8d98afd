from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from clinic.errors import NotFound, ValidationFailed
from clinic.extensions import db
from clinic.intake import clearances, services
from clinic.intake.screening import CheckInAnswers, IntakeAnswers
from clinic.intake.status import GRANTED, NOT_REQUIRED, REQUIRED, clearance_status
from clinic.models import AuditEntry, CheckIn, Intake
from tests.factories import make_appointment, make_client, make_owner, make_therapist
from tests.intake_factories import CLEAR, clear_client, flag_client, grant, intake_answers

NOW = datetime(2027, 3, 2, 10, 0, tzinfo=UTC)
TODAY = date(2027, 3, 2)


@pytest.fixture
def frozen():
    with freeze_time(NOW) as frozen:
        yield frozen


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def audit_actions(client_id: int) -> list[str]:
    return list(db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.client_id == client_id).order_by(AuditEntry.id)
    ))


def status(client) -> str:
    return clearance_status(client, TODAY)


def test_client_submits_a_clear_intake(app, frozen):
    client = make_client()
    intake = services.submit_intake(client.user, client.id, intake_answers(medications="  Ibuprofen "))
    assert intake.flags == []
    assert intake.submitted_at == NOW
    assert intake.submitted_by_id == client.user.id
    assert intake.medications == "Ibuprofen"
    assert client.flagged_since is None
    assert status(client) == NOT_REQUIRED
    assert audit_actions(client.id) == ["intake.submitted"]


def test_a_flagged_intake_holds_the_client_from_its_submission(app, frozen):
    client = make_client()
    intake = services.submit_intake(
        client.user, client.id,
        intake_answers(recent_surgery=True, surgery_date=date(2027, 1, 4), fever_or_chills=True),
    )
    assert intake.flags == [
        {"code": "post_surgery", "reason": "Surgery on 2027-01-04, within 180 days"},
        {"code": "infection_signs", "reason": "Possible infection or inflammation: fever or chills"},
    ]
    assert client.flagged_since == NOW
    assert status(client) == REQUIRED


def test_the_surgery_window_setting_is_used(app, frozen):
    app.config["SURGERY_CLEARANCE_DAYS"] = 30
    try:
        client = make_client()
        edge = flag_client(client.user, client, pain_level=2, recent_surgery=True,
                           surgery_date=TODAY - timedelta(days=30))
        assert [f["code"] for f in edge.flags] == ["post_surgery"]
        past = clear_client(client.user, client, recent_surgery=True, surgery_date=TODAY - timedelta(days=31))
        assert past.flags == []
    finally:
        app.config["SURGERY_CLEARANCE_DAYS"] = 180


def test_the_latest_intake_counts_a_clear_one_releases_the_hold(app, frozen):
    client = make_client()
    flag_client(client.user, client)
    frozen.tick(60)
    clear_client(client.user, client)
    assert client.flagged_since is None
    assert status(client) == NOT_REQUIRED


def test_a_surgery_date_without_the_box_ticked_is_not_kept(app, frozen):
    client = make_client()
    intake = clear_client(client.user, client, recent_surgery=False, surgery_date=TODAY - timedelta(days=3))
    assert intake.surgery_date is None
    assert intake.flags == []


def test_answers_may_be_a_dataclass(app, frozen):
    client = make_client()
    intake = services.submit_intake(client.user, client.id, IntakeAnswers(consent=True, pain_level=8))
    assert [f["code"] for f in intake.flags] == ["severe_pain"]


def test_repeated_conditions_are_kept_once(app, frozen):
    client = make_client()
    intake = clear_client(client.user, client, conditions=["sciatica", "bursitis", "sciatica"])
    assert intake.conditions == ["sciatica", "bursitis"]


@pytest.mark.parametrize("who", ["owner", "therapist_of_client"])
def test_staff_fill_the_intake_for_a_walk_in_client(app, frozen, who):
    walk_in = make_client(login=False)
    if who == "owner":
        actor = make_owner()
    else:
        therapist = make_therapist()
        make_appointment(client=walk_in, therapist=therapist)
        actor = therapist.user
    intake = services.submit_intake(actor, walk_in.id, CLEAR)
    assert intake.submitted_by_id == actor.id
    assert intake.client_id == walk_in.id


@pytest.mark.parametrize("who", ["other_client", "other_therapist"])
def test_anyone_else_gets_not_found_and_nothing_is_saved(app, frozen, who):
    client = make_client()
    make_appointment(client=client)  # another therapist's client: no longer new
    actor = make_client().user if who == "other_client" else make_therapist().user
    with pytest.raises(NotFound):
        services.submit_intake(actor, client.id, CLEAR)
    assert count(Intake) == 0


def test_an_unknown_client_is_not_found(app, frozen):
    with pytest.raises(NotFound):
        services.submit_intake(make_owner(), 999_999, CLEAR)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"consent": False}, "consent"),
        ({"pain_level": 11}, "pain_level"),
        ({"pain_level": -1}, "pain_level"),
        ({"pain_level": "7"}, "pain_level"),
        ({"recent_surgery": True, "surgery_date": TODAY + timedelta(days=1)}, "surgery_date"),
        ({"conditions": ["gout"]}, "conditions"),
        ({"fever_or_chills": "yes"}, "fever_or_chills"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_bad_answers_are_refused_and_nothing_changes(app, frozen, answers, field):
    client = make_client()
    flag_client(client.user, client)
    held_since = client.flagged_since
    frozen.tick(60)
    with pytest.raises(ValidationFailed) as error:
        services.submit_intake(client.user, client.id, intake_answers(**answers))
    assert field in error.value.fields
    assert count(Intake) == 1
    assert client.flagged_since == held_since
    assert audit_actions(client.id) == ["intake.submitted"]


def test_missing_answers_are_refused(app, frozen):
    client = make_client()
    with pytest.raises(ValidationFailed) as error:
        services.submit_intake(client.user, client.id, {"consent": True})
    assert error.value.fields == {"pain_level": ["This field is required."]}
    with pytest.raises(ValidationFailed):
        services.submit_intake(client.user, client.id, ["not", "a", "mapping"])
    assert count(Intake) == 0


def test_reading_an_intake_is_private_and_audited(app, frozen):
    client = make_client()
    intake = clear_client(client.user, client)
    therapist = make_therapist()
    make_appointment(client=client, therapist=therapist)
    assert services.get_intake(client.user, intake.id) is intake
    assert services.get_intake(therapist.user, intake.id) is intake
    assert services.get_intake(make_owner(), intake.id) is intake
    for stranger in (make_client().user, make_therapist().user):
        with pytest.raises(NotFound):
            services.get_intake(stranger, intake.id)
    with pytest.raises(NotFound):
        services.get_intake(client.user, 999_999)
    assert audit_actions(client.id) == ["intake.submitted"] + ["intake.viewed"] * 3


def test_intakes_are_listed_oldest_first(app, frozen):
    client = make_client()
    first = flag_client(client.user, client)
    frozen.tick(3600)
    second = clear_client(client.user, client)
    assert services.list_intakes(client.user, client.id) == [first, second]
    assert services.latest_intake(client.id) is second
    assert services.has_intake(client.id)
    assert not services.has_intake(make_client().id)
    with pytest.raises(NotFound):
        services.list_intakes(make_client().user, client.id)


# --- Pre-visit check-ins -----------------------------------------------------------------------

def booked(client, therapist=None, start=NOW + timedelta(hours=24), **kw):
    return make_appointment(client=client, therapist=therapist or make_therapist(), start=start, **kw)


CALM = {"pain_level": 3}


def test_the_client_checks_in_from_48_hours_before(app, frozen):
    client = make_client()
    clear_client(client.user, client)
    appointment = booked(client, start=NOW + timedelta(hours=48))
    check_in = services.submit_check_in(client.user, appointment.id, CALM)
    assert check_in.flags == []
    assert check_in.appointment_id == appointment.id
    assert services.check_in_for_appointment(appointment.id) is check_in
    assert "check_in.submitted" in audit_actions(client.id)


def test_the_check_in_is_not_open_earlier(app, frozen):
    client = make_client()
    appointment = booked(client, start=NOW + timedelta(hours=48, minutes=1))
    with pytest.raises(services.CheckInNotOpen):
        services.submit_check_in(client.user, appointment.id, CALM)
    assert count(CheckIn) == 0


def test_a_flagged_check_in_holds_the_client(app, frozen):
    client = make_client()
    owner = make_owner()
    clear_client(client.user, client)
    appointment = booked(client)
    frozen.tick(60)
    check_in = services.submit_check_in(client.user, appointment.id, {"pain_level": 4, "new_swelling": True})
    assert [f["code"] for f in check_in.flags] == ["sudden_swelling"]
    assert client.flagged_since == check_in.submitted_at
    assert status(client) == REQUIRED
    entry, = clearances.clearance_queue(owner)
    assert entry.flags == check_in.flags


def test_a_clear_check_in_does_not_release_a_flagged_intake(app, frozen):
    client = make_client()
    flag_client(client.user, client)
    held_since = client.flagged_since
    appointment = booked(client)
    frozen.tick(60)
    services.submit_check_in(client.user, appointment.id, CALM)
    assert client.flagged_since == held_since
    assert status(client) == REQUIRED


def test_a_flagged_check_in_after_a_clearance_holds_again(app, frozen):
    client = make_client()
    owner = make_owner()
    flag_client(client.user, client)
    frozen.tick(60)
    grant(owner, client)
    assert status(client) == GRANTED
    appointment = booked(client)
    frozen.tick(60)
    services.submit_check_in(client.user, appointment.id, CheckInAnswers(pain_level=2, fever_or_chills=True))
    assert status(client) == REQUIRED


def test_the_therapist_asks_at_the_session_until_the_end_of_the_day(app, frozen):
    client = make_client()
    therapist = make_therapist()
    appointment = booked(client, therapist, start=NOW - timedelta(minutes=5))
    check_in = services.submit_check_in(therapist.user, appointment.id, CALM)
    assert check_in.submitted_by_id == therapist.id
    frozen.move_to(datetime(2027, 3, 2, 23, 59, tzinfo=UTC))
    services.submit_check_in(therapist.user, appointment.id, CALM)
    # The client's own window closes when the visit ends.
    with pytest.raises(services.CheckInClosed):
        services.submit_check_in(client.user, appointment.id, CALM)
    frozen.move_to(datetime(2027, 3, 3, 0, 0, tzinfo=UTC))
    with pytest.raises(services.CheckInClosed):
        services.submit_check_in(therapist.user, appointment.id, CALM)


@pytest.mark.parametrize("who", ["other_client", "other_therapist"])
def test_others_cannot_check_in(app, frozen, who):
    client = make_client()
    appointment = booked(client)
    actor = make_client().user if who == "other_client" else make_therapist().user
    with pytest.raises(NotFound):
        services.submit_check_in(actor, appointment.id, CALM)
    with pytest.raises(NotFound):
        services.submit_check_in(client.user, 999_999, CALM)


def test_no_check_in_for_a_cancelled_or_finished_appointment(app, frozen):
    client = make_client()
    cancelled = booked(client, status="cancelled")
    with pytest.raises(services.AppointmentCancelled):
        services.submit_check_in(client.user, cancelled.id, CALM)
    completed = booked(client, start=NOW + timedelta(hours=3), status="completed")
    with pytest.raises(services.CheckInClosed):
        services.submit_check_in(client.user, completed.id, CALM)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"pain_level": 12}, "pain_level"),
        ({"pain_level": 2, "recent_surgery": True, "surgery_date": TODAY + timedelta(days=2)}, "surgery_date"),
        ({"pain_level": 2, "mood": "fine"}, "mood"),
        ({}, "pain_level"),
    ],
)
def test_bad_check_in_answers_are_refused(app, frozen, answers, field):
    client = make_client()
    appointment = booked(client)
    with pytest.raises(ValidationFailed) as error:
        services.submit_check_in(client.user, appointment.id, answers)
    assert field in error.value.fields
    assert count(CheckIn) == 0
    assert client.flagged_since is None


def test_due_check_ins_are_the_open_unanswered_ones(app, frozen):
    client = make_client()
    therapist = make_therapist()
    soon = booked(client, therapist, start=NOW + timedelta(hours=20))
    later = booked(client, therapist, start=NOW + timedelta(hours=30))
    booked(client, therapist, start=NOW + timedelta(hours=50))
    booked(client, therapist, start=NOW + timedelta(hours=10), status="cancelled")
    assert services.check_ins_due(client) == [soon, later]
    services.submit_check_in(client.user, soon.id, CALM)
    assert services.check_ins_due(client) == [later]
