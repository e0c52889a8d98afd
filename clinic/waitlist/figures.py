"""The owner's waitlist and recall figures (GET /reports/summary and the reports page)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from clinic import clock
from clinic.access import require_owner
from clinic.extensions import db
from clinic.models import Appointment, RecallNotice, User, WaitlistEntry, WaitlistOffer
from clinic.reports.services import check_range

# Bookings made within this many days of a recall count as following it.
RECALL_FOLLOW_UP_DAYS = 14


@dataclass(frozen=True)
class WaitlistFigures:
    entries: int
    offers_sent: int
    slots_filled: int
    recall_emails: int
    bookings_after_recall: int


def waitlist_figures(start: datetime, end: datetime) -> WaitlistFigures:
    """Over [start, end): entries made, offers emailed, offers claimed, recalls sent, and
    recalls followed by a booking (any appointment created) within 14 days."""
    entries = db.session.scalar(
        select(func.count(WaitlistEntry.id)).where(
            WaitlistEntry.created_at >= start, WaitlistEntry.created_at < end
        )
    )
    offers_sent, slots_filled = db.session.execute(
        select(
            func.count(WaitlistOffer.id).filter(
                WaitlistOffer.offered_at >= start, WaitlistOffer.offered_at < end
            ),
            func.count(WaitlistOffer.id).filter(
                WaitlistOffer.claimed_at >= start, WaitlistOffer.claimed_at < end
            ),
        )
    ).one()
    recalls = db.session.execute(
        select(RecallNotice.client_id, RecallNotice.sent_at).where(
            RecallNotice.sent_at >= start, RecallNotice.sent_at < end
        )
    ).all()
    followed = 0
    if recalls:
        # Interval arithmetic differs between SQLite and PostgreSQL: compare in Python, after
        # one query for the bookings these clients made in the whole follow-up span.
        window = timedelta(days=RECALL_FOLLOW_UP_DAYS)
        booked: dict[int, list[datetime]] = {}
        for client_id, created in db.session.execute(
            select(Appointment.client_id, Appointment.created_at).where(
                Appointment.client_id.in_({client_id for client_id, _ in recalls}),
                Appointment.created_at >= min(sent for _, sent in recalls),
                Appointment.created_at < max(sent for _, sent in recalls) + window,
            )
        ):
            booked.setdefault(client_id, []).append(created)
        followed = sum(
            any(sent <= created < sent + window for created in booked.get(client_id, ()))
            for client_id, sent in recalls
        )
    return WaitlistFigures(entries, offers_sent, slots_filled, len(recalls), followed)


def waitlist_report(actor: User, first: date | None, last: date | None) -> WaitlistFigures:
    """The owner's waitlist and recall figures for an inclusive range of clinic days."""
    require_owner(actor)
    first, last = check_range(first, last)
    return waitlist_figures(*clock.day_range(first, last))


def figures_json(figures: WaitlistFigures) -> dict:
    """Members added to GET /reports/summary."""
    return {
        "waitlist": {
            "entries": figures.entries,
            "offers_sent": figures.offers_sent,
            "slots_filled": figures.slots_filled,
        },
        "recall": {
            "emails": figures.recall_emails,
            "bookings_within_14_days": figures.bookings_after_recall,
        },
    }
