"""A small clinic with hand-computed report figures (see the comments for the arithmetic)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from clinic.extensions import db
from clinic.models import Clearance, Client, User
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

MONDAY = date(2030, 1, 7)
WEDNESDAY = date(2030, 1, 9)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


@dataclass
class KnownClinic:
    owner: User
    therapist_a: int
    therapist_b: int
    therapist_c: int
    clients: list[Client]


def make_clearance(client: Client, granted_by: User, *, granted_at: datetime, valid_until: date | None):
    row = Clearance(
        client_id=client.id, physician_name="Dr Hill", cleared_on=granted_at.date(),
        valid_until=valid_until, granted_by_id=granted_by.id, granted_at=granted_at,
    )
    db.session.add(row)
    db.session.flush()
    return row


def build_known_clinic(now: datetime) -> KnownClinic:
    """The week of Monday 7 January 2030, clinic zone UTC; the report runs Mon 7 to Wed 9.

    Expected: booked 1, completed 3, cancelled 2, no_show 1; revenue 6500+4000+9000 = 19500;
    A booked 60+30+90 = 180 of 3x480 - 120 - 60 = 1260; B booked 30+90 = 120 of
    240+240 - 90 = 390; C 0 of 0; swedish (-4-1)/2 = -2.5 over 2 notes, deep_tissue
    (-4+0)/2 = -2.0 over 2 notes; one late cancellation; 2 clients awaiting clearance.
    """
    owner = make_owner()
    a = make_therapist(hours=True)  # Mon-Fri 09:00-17:00
    b = make_therapist()
    make_working_hours(b, 0, time(10), time(12))
    make_working_hours(b, 0, time(13), time(15))
    make_working_hours(b, 2, time(9), time(13))
    c = make_therapist()
    # A: Tuesday 13-15 off (120), and Wednesday 16:00 to Thursday noon (60 inside the range).
    make_time_off(a, at(date(2030, 1, 8), 13), at(date(2030, 1, 8), 15))
    make_time_off(a, at(WEDNESDAY, 16), at(date(2030, 1, 10), 12))
    # B: Monday 11:00-13:30 covers 11-12 and 13-13:30 (90); a second, overlapping entry counts once.
    make_time_off(b, at(MONDAY, 11), at(MONDAY, 13, 30))
    make_time_off(b, at(MONDAY, 11, 30), at(MONDAY, 12))
    # Time off entirely outside the range changes nothing.
    make_time_off(a, at(date(2030, 1, 14), 9), at(date(2030, 1, 14), 17))

    hour = make_service(duration_minutes=60, price_cents=6500)
    half = make_service(duration_minutes=30, price_cents=4000)
    long = make_service(duration_minutes=90, price_cents=9000)
    clients = [make_client() for _ in range(4)]
    c1, c2, c3, c4 = clients

    a1 = make_appointment(therapist=a, service=hour, client=c1, start=at(MONDAY, 10))
    make_note(a1, techniques=["swedish", "deep_tissue"], pain_before=7, pain_after=3)
    a2 = make_appointment(therapist=a, service=half, client=c2, start=at(MONDAY, 11))
    make_note(a2, techniques=["swedish"], pain_before=5, pain_after=4)
    make_appointment(therapist=a, service=long, client=c3, start=at(date(2030, 1, 8), 9), status="no_show")
    make_appointment(
        therapist=a, service=hour, client=c1, start=at(date(2030, 1, 8), 10, 30),
        status="cancelled", late_cancellation=True,
    )
    make_appointment(therapist=b, service=hour, client=c2, start=at(MONDAY, 10), status="cancelled")
    make_appointment(therapist=b, service=half, client=c4, start=at(WEDNESDAY, 9))
    a7 = make_appointment(therapist=b, service=long, client=c3, start=at(WEDNESDAY, 23, 30))
    make_note(a7, techniques=["deep_tissue"], pain_before=8, pain_after=8)
    # Outside the range: Thursday 00:00 and Sunday 23:45.
    a8 = make_appointment(therapist=a, service=hour, client=c1, start=at(date(2030, 1, 10), 0))
    make_note(a8, techniques=["swedish", "stretching"], pain_before=9, pain_after=1)
    a9 = make_appointment(therapist=b, service=hour, client=c2, start=at(date(2030, 1, 6), 23, 45))
    make_note(a9, techniques=["stretching"], pain_before=9, pain_after=2)

    # Clearance: c1 held (no clearance), c2 cleared after the flag, c3 cleared but lapsed,
    # c4 never flagged.
    today = now.date()
    c1.flagged_since = now - timedelta(days=3)
    c2.flagged_since = now - timedelta(days=3)
    make_clearance(c2, owner, granted_at=now - timedelta(days=1), valid_until=None)
    c3.flagged_since = now - timedelta(days=30)
    make_clearance(c3, owner, granted_at=now - timedelta(days=20), valid_until=today - timedelta(days=1))
    db.session.flush()
    return KnownClinic(owner, a.id, b.id, c.id, clients)


EXPECTED_SUMMARY = {
    "appointments": {"booked": 1, "completed": 3, "cancelled": 2, "no_show": 1},
    "revenue_cents": 19500,
    "pain_change_by_technique": {"swedish": -2.5, "deep_tissue": -2.0},
    "clients_awaiting_clearance": 2,
}


def expected_utilisation(clinic: KnownClinic) -> list[dict]:
    return [
        {"therapist_id": clinic.therapist_a, "booked_minutes": 180, "available_minutes": 1260},
        {"therapist_id": clinic.therapist_b, "booked_minutes": 120, "available_minutes": 390},
        {"therapist_id": clinic.therapist_c, "booked_minutes": 0, "available_minutes": 0},
    ]
