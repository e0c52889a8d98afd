"""Builders for care plan and note tests: intakes, clearances, notes on past sessions."""

from datetime import UTC, date, datetime, timedelta

from clinic.extensions import db
from clinic.models import Clearance, Intake
from tests.factories import make_appointment, make_client, make_owner, make_service, make_therapist


def make_intake(client, *, flagged: bool = False, **kw) -> Intake:
    """A consented intake; flagged=True records a red flag and holds the client for clearance."""
    now = datetime.now(UTC)
    kw.setdefault("pain_level", 6)
    kw.setdefault("conditions", ["osteoarthritis"])
    intake = Intake(client_id=client.id, consent=True, submitted_at=kw.pop("submitted_at", now), **kw)
    if flagged:
        intake.sudden_swelling = True
        intake.flags = [{"code": "sudden_swelling", "reason": "Sudden swelling"}]
        client.flagged_since = intake.submitted_at
    db.session.add(intake)
    db.session.flush()
    return intake


def make_clearance(client, granted_by, *, restrictions: str | None = None, valid_until: date | None = None):
    clearance = Clearance(
        client_id=client.id,
        physician_name="Dr. Weber",
        cleared_on=date.today(),
        restrictions=restrictions,
        valid_until=valid_until,
        granted_by_id=granted_by.id,
        granted_at=datetime.now(UTC),
    )
    db.session.add(clearance)
    db.session.flush()
    return clearance


def started_appointment(*, hours_ago: float = 1, intake: bool = True, **kw):
    """A booked appointment that began `hours_ago`, for a client with an intake on file."""
    kw.setdefault("therapist", make_therapist(hours=True))
    kw.setdefault("client", make_client())
    kw.setdefault("service", make_service())
    if intake:
        make_intake(kw["client"])
    start = (datetime.now(UTC) - timedelta(hours=hours_ago)).replace(second=0, microsecond=0)
    return make_appointment(start=start, **kw)


NOTE_BODY = {
    "techniques": ["deep_tissue", "stretching"],
    "areas": ["left hip", "lower back"],
    "pain_before": 7,
    "pain_after": 4,
    "subjective": "Hip aches after walking.",
    "objective": "Tight piriformis.",
    "assessment": "Improving.",
    "plan": "Weekly for four weeks.",
}

__all__ = [
    "NOTE_BODY",
    "make_clearance",
    "make_intake",
    "make_owner",
    "started_appointment",
]
