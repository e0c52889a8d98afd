"""Waitlist and recall services on SQLite and PostgreSQL, with the clock frozen.

Scene: Wednesday 2 January 2030, 08:00 UTC; the therapist works 09:00-17:00 Monday to
Friday; the freed visits are on Monday 7 January.
"""

import hashlib
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from clinic.errors import BookingClearanceRequired, BookingConflict, NotFound, ValidationFailed
from clinic.extensions import db
from clinic.models import Appointment, CarePlan, OutboundEmail, RecallNotice, WaitlistOffer
from clinic.scheduling import services as scheduling
from clinic.waitlist import figures as reporting
from clinic.waitlist import offers, services
from clinic.waitlist import recall_emails as recalls
from tests.factories import at, make_appointment, make_client, make_owner, make_service, make_therapist

NOW = datetime(2030, 1, 2, 8, 0, tzinfo=UTC)
TODAY = date(2030, 1, 2)
DAY = date(2030, 1, 7)  # a Monday


@pytest.fixture
def frozen():
    with freeze_time(NOW) as frozen:
        yield frozen


@pytest.fixture
def scene(app, frozen):
    with app.test_request_context():
        yield {
            "owner": make_owner(),
            "therapist": make_therapist(hours=True),
            "service": make_service(duration_minutes=60),
            "leaver": make_client(),
            "frozen": frozen,
        }


def join(client, service, first=DAY, last=DAY, **kw):
    return services.join_waitlist(client.user, service_id=service.id, first_day=first, last_day=last, **kw)


def offer_emails() -> list[OutboundEmail]:
    return list(db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.kind == offers.OFFER_KIND).order_by(OutboundEmail.id)
    ))


def token_in(email: OutboundEmail) -> str:
    return re.search(r"offer=([A-Za-z0-9_-]+)", email.body).group(1)


def freed(scene, hour=10, client=None):
    """A booked visit of `client` (the leaver) at `hour` on DAY, then cancelled by its client."""
    client = client or scene["leaver"]
    visit = make_appointment(service=scene["service"], therapist=scene["therapist"], client=client,
                             start=at(DAY, hour))
    scheduling.cancel_appointment(client.user, visit.id)
    return visit


def test_joining_checks_the_window_and_whose_entry_it_is(scene):
    client, service = make_client(), scene["service"]
    with pytest.raises(ValidationFailed) as error:
        join(client, service, first=DAY, last=DAY - timedelta(days=1))
    assert "to" in error.value.fields
    with pytest.raises(ValidationFailed) as error:
        join(client, service, first=TODAY - timedelta(days=5), last=TODAY - timedelta(days=1))
    assert "to" in error.value.fields
    with pytest.raises(NotFound):
        join(client, service, client_id=make_client().id)
    with pytest.raises(ValidationFailed):
        services.join_waitlist(scene["owner"], service_id=service.id, first_day=DAY, last_day=DAY)
    entry = services.join_waitlist(
        scene["owner"], service_id=service.id, first_day=DAY, last_day=DAY, client_id=client.id
    )
    assert entry.client_id == client.id and entry.created_by_id == scene["owner"].id
    assert services.open_entries(client.user) == [entry]
    assert services.open_entries(make_client().user) == []


def test_a_therapist_sees_their_clients_entries_only(scene):
    therapist, other = scene["therapist"], make_therapist()
    theirs, stranger = make_client(), make_client()
    make_appointment(service=scene["service"], therapist=therapist, client=theirs, start=at(DAY, 14))
    make_appointment(service=scene["service"], therapist=other, client=stranger, start=at(DAY, 14))
    mine = join(theirs, scene["service"])
    join(stranger, scene["service"])
    join(stranger, scene["service"], therapist_id=therapist.id)  # asking for them is no relationship
    assert services.open_entries(therapist.user) == [mine]
    with pytest.raises(NotFound):
        services.join_waitlist(therapist.user, service_id=scene["service"].id, first_day=DAY, last_day=DAY,
                               client_id=stranger.id)


def test_a_cancellation_offers_the_start_to_every_matching_entry_and_no_one_else(scene):
    service, therapist = scene["service"], scene["therapist"]
    any_therapist = join(make_client(), service)
    this_therapist = join(make_client(), service, therapist_id=therapist.id, earliest=time(9), latest=time(10))
    join(make_client(), service, therapist_id=make_therapist(hours=True).id)  # another therapist
    join(make_client(), service, earliest=time(11))  # later in the day
    join(make_client(), service, first=DAY + timedelta(days=1), last=DAY + timedelta(days=2))  # other days
    join(scene["leaver"], service)  # the client who frees the time is not offered it
    left = join(make_client(), service)
    services.leave_waitlist(left.client.user, left.id)

    freed(scene, hour=10)

    emails = offer_emails()
    assert sorted(e.recipient for e in emails) == sorted(
        [any_therapist.client.email, this_therapist.client.email]
    )
    offers = db.session.scalars(select(WaitlistOffer).order_by(WaitlistOffer.id)).all()
    assert {o.entry_id for o in offers} == {any_therapist.id, this_therapist.id}
    assert all(o.starts_at == at(DAY, 10) and o.offered_at == NOW for o in offers)
    # Only the token's hash is kept; the email carries the token itself.
    for email in emails:
        token = token_in(email)
        assert "/waitlist/offer?offer=" in email.body
        hashes = {o.token_hash for o in offers}
        assert hashlib.sha256(token.encode()).hexdigest() in hashes
        assert token not in hashes


def test_only_entries_for_the_freed_service_are_offered_and_only_if_it_is_bookable(scene):
    other_service = make_service(duration_minutes=30)
    join(make_client(), other_service)
    blocked = make_service(duration_minutes=60, buffer_minutes=0)
    scene["service"].buffer_minutes = 30  # a later visit now sits too close for this service
    make_appointment(service=blocked, therapist=scene["therapist"], client=make_client(), start=at(DAY, 11))
    join(make_client(), scene["service"])
    freed(scene, hour=10)
    assert offer_emails() == []


def test_a_move_frees_its_old_start(scene):
    waiting = join(make_client(), scene["service"], earliest=time(10), latest=time(10))
    visit = make_appointment(service=scene["service"], therapist=scene["therapist"], client=scene["leaver"],
                             start=at(DAY, 10))
    scheduling.reschedule_appointment(scene["leaver"].user, visit.id, at(DAY, 14))
    offers = db.session.scalars(select(WaitlistOffer)).all()
    assert [(o.entry_id, o.starts_at) for o in offers] == [(waiting.id, at(DAY, 10))]


def test_no_offer_inside_the_booking_notice_or_for_an_ended_entry(scene):
    soon = NOW + timedelta(hours=1)  # 09:00 on a Wednesday: inside the 2-hour notice
    join(make_client(), scene["service"], first=TODAY, last=TODAY)
    visit = make_appointment(service=scene["service"], therapist=scene["therapist"], client=scene["leaver"],
                             start=soon)
    scheduling.cancel_appointment(scene["owner"], visit.id)
    assert offer_emails() == []


def test_the_first_claim_wins_and_the_loser_stays_on_the_list(scene):
    first, second = make_client(), make_client()
    first_entry, second_entry = join(first, scene["service"]), join(second, scene["service"])
    freed(scene)
    tokens = {e.recipient: token_in(e) for e in offer_emails()}

    with pytest.raises(NotFound):
        offers.claim_offer(second.user, tokens[first.email])  # someone else's offer
    appointment = offers.claim_offer(first.user, tokens[first.email])
    assert (appointment.client_id, appointment.starts_at, appointment.booked_by_id) == (
        first.id, at(DAY, 10), first.user.id
    )
    assert first_entry.end_reason == "booked"
    with pytest.raises(BookingConflict) as error:
        offers.claim_offer(second.user, tokens[second.email])
    assert error.value.code == "slot_unavailable"
    assert second_entry.ended_at is None
    assert offers.offer_view(second.user, tokens[second.email]).available is False
    with pytest.raises(BookingConflict):
        offers.claim_offer(first.user, tokens[first.email])  # the entry has ended


def test_a_claim_follows_the_client_booking_rules(scene):
    client = make_client()
    join(client, scene["service"])
    freed(scene)
    token = token_in(offer_emails()[0])
    client.flagged_since = NOW  # held for clearance since the offer went out
    with pytest.raises(BookingClearanceRequired):
        offers.claim_offer(client.user, token)


def _plan_with_cancelled_session(scene, client, hour):
    plan = CarePlan(client_id=client.id, therapist_id=scene["therapist"].id, service_id=scene["service"].id,
                    weekly_sessions=4, maintenance_sessions=0, first_start=at(DAY, hour))
    db.session.add(plan)
    db.session.flush()
    session = make_appointment(service=scene["service"], therapist=scene["therapist"], client=client,
                               start=at(DAY + timedelta(days=2), hour), care_plan_id=plan.id)
    scheduling.cancel_appointment(scene["owner"], session.id)
    return plan


def test_a_care_plan_client_whose_session_that_week_was_cancelled_goes_first(scene, app):
    frozen = scene["frozen"]
    on_plan, other = make_client(), make_client()
    _plan_with_cancelled_session(scene, on_plan, hour=15)
    plan_entry, other_entry = join(on_plan, scene["service"]), join(other, scene["service"])
    freed(scene, hour=10)

    assert [e.recipient for e in offer_emails()] == [on_plan.email]
    held = db.session.scalar(select(WaitlistOffer).where(WaitlistOffer.entry_id == other_entry.id))
    assert held.offered_at is None and held.send_after == NOW + timedelta(minutes=30)

    frozen.tick(timedelta(minutes=10))
    assert offers.send_due_offers() == 0
    frozen.tick(timedelta(minutes=21))
    assert offers.send_due_offers() == 1
    assert [e.recipient for e in offer_emails()] == [on_plan.email, other.email]
    assert offers.send_due_offers() == 0  # each offer is sent once
    assert plan_entry.ended_at is None


def test_a_held_back_offer_is_dropped_when_the_head_start_client_took_the_time(scene):
    frozen = scene["frozen"]
    on_plan, other = make_client(), make_client()
    _plan_with_cancelled_session(scene, on_plan, hour=15)
    join(on_plan, scene["service"])
    other_entry = join(other, scene["service"])
    freed(scene, hour=10)
    offers.claim_offer(on_plan.user, token_in(offer_emails()[0]))
    frozen.tick(timedelta(minutes=31))
    assert offers.send_due_offers() == 0
    held = db.session.scalar(select(WaitlistOffer).where(WaitlistOffer.entry_id == other_entry.id))
    assert held.dropped_at is not None and held.offered_at is None
    assert [e.recipient for e in offer_emails()] == [on_plan.email]


def test_without_a_care_plan_client_everyone_is_told_at_once(scene):
    a, b = make_client(), make_client()
    join(a, scene["service"])
    join(b, scene["service"])
    freed(scene)
    assert sorted(e.recipient for e in offer_emails()) == sorted([a.email, b.email])


# -- recall --------------------------------------------------------------------------------


def _maintenance_plan(scene, client, last_visit: datetime):
    plan = CarePlan(client_id=client.id, therapist_id=scene["therapist"].id, service_id=scene["service"].id,
                    weekly_sessions=2, maintenance_sessions=2, first_start=last_visit - timedelta(days=35))
    db.session.add(plan)
    db.session.flush()
    for start in (last_visit - timedelta(days=35), last_visit - timedelta(days=28), last_visit):
        make_appointment(service=scene["service"], therapist=scene["therapist"], client=client,
                         start=start, care_plan_id=plan.id, status="completed")
    return plan


def recall_emails() -> list[OutboundEmail]:
    return list(db.session.scalars(select(OutboundEmail).where(OutboundEmail.kind == recalls.RECALL_KIND)))


def test_recall_is_sent_once_per_client_and_expected_date(scene):
    due = make_client()
    _maintenance_plan(scene, due, last_visit=at(TODAY - timedelta(days=25), 10))
    assert recalls.queue_recalls() == 1
    assert recalls.queue_recalls() == 0
    [email] = recall_emails()
    assert email.recipient == due.email
    assert f"service_id={scene['service'].id}" in email.body and f"therapist_id={scene['therapist'].id}" in email.body
    notice = db.session.scalar(select(RecallNotice))
    assert notice.expected_on == TODAY - timedelta(days=25) + timedelta(days=28)
    scene["frozen"].tick(timedelta(days=10))
    assert recalls.queue_recalls() == 0  # still the same expected date


def test_no_recall_with_something_booked_too_early_or_in_the_weekly_phase(scene):
    booked, early, weekly = make_client(), make_client(), make_client()
    _maintenance_plan(scene, booked, last_visit=at(TODAY - timedelta(days=25), 10))
    make_appointment(service=scene["service"], therapist=scene["therapist"], client=booked, start=at(DAY, 10))
    _maintenance_plan(scene, early, last_visit=at(TODAY - timedelta(days=10), 10))
    plan = _maintenance_plan(scene, weekly, last_visit=at(TODAY - timedelta(days=25), 14))
    plan.weekly_sessions = 12  # a weekly session is still ahead
    make_appointment(service=scene["service"], therapist=scene["therapist"], client=weekly,
                     start=at(DAY, 12), care_plan_id=plan.id)
    assert recalls.queue_recalls() == 0


def test_reports_count_waitlist_and_recall_activity(scene):
    a, b = make_client(), make_client()
    join(a, scene["service"])
    join(b, scene["service"])
    freed(scene)
    offers.claim_offer(a.user, token_in(offer_emails()[0]) if offer_emails()[0].recipient == a.email
                         else token_in(offer_emails()[1]))
    recalled = make_client()
    _maintenance_plan(scene, recalled, last_visit=at(TODAY - timedelta(days=25), 10))
    recalls.queue_recalls()
    scene["frozen"].tick(timedelta(days=2))
    scheduling.book_appointment(recalled.user, service_id=scene["service"].id,
                                therapist_id=scene["therapist"].id, start=at(DAY, 15))
    figures = reporting.waitlist_figures(NOW - timedelta(days=1), NOW + timedelta(days=30))
    assert figures == reporting.WaitlistFigures(
        entries=2, offers_sent=2, slots_filled=1, recall_emails=1, bookings_after_recall=1
    )
    assert db.session.scalar(select(func.count(Appointment.id)).where(Appointment.client_id == a.id)) == 1


def test_a_start_freed_again_is_offered_again_to_those_still_waiting(scene):
    winner, patient = make_client(), make_client()
    join(winner, scene["service"])
    join(patient, scene["service"])
    freed(scene)
    first_tokens = {e.recipient: token_in(e) for e in offer_emails()}
    booked = offers.claim_offer(winner.user, first_tokens[winner.email])
    scheduling.cancel_appointment(winner.user, booked.id)
    assert [e.recipient for e in offer_emails()][2:] == [patient.email]
    fresh = token_in(offer_emails()[-1])
    assert offers.claim_offer(patient.user, fresh).client_id == patient.id


def test_a_walk_in_without_a_login_is_not_emailed_an_offer_they_could_not_claim(scene):
    walk_in = make_client(login=False)
    services.join_waitlist(scene["owner"], service_id=scene["service"].id, first_day=DAY, last_day=DAY,
                           client_id=walk_in.id)
    freed(scene)
    assert offer_emails() == []
    assert db.session.scalar(select(WaitlistOffer.dropped_at)) == NOW
