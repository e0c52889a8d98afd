"""Pure recall rule: when a client in monthly maintenance is due a friendly reminder to book.

The seed article's course: weekly sessions, then "monthly sessions may help maintain hip
flexibility and reduce pain recurrence". A maintenance client whose next month passes
with nothing booked drifts off that rhythm; one email a few days before the expected date
invites them back.
"""

from datetime import date, timedelta

# The shortest gap between maintenance sessions (cadence.MAINTENANCE_GAPS_DAYS).
MAINTENANCE_GAP_DAYS = 28


def expected_next_visit(last_visit: date, gap_days: int = MAINTENANCE_GAP_DAYS) -> date:
    """The day the next maintenance session is due, a month after the last one."""
    return last_visit + timedelta(days=gap_days)


# A client who lapsed longer ago than this past the expected date is not written to: the
# email speaks of "about a month", and a first run must not write to every lapsed client.
GIVE_UP_DAYS = 28


def recall_due(last_visit: date, today: date, *, has_upcoming: bool, lead_days: int) -> date | None:
    """The expected date to recall the client for, or None when no recall is due.

    Due from `lead_days` before the expected date until GIVE_UP_DAYS after it, while nothing
    is booked ahead. The expected date names the recall, so a client is recalled once per
    expected date.
    """
    if has_upcoming:
        return None
    expected = expected_next_visit(last_visit)
    if expected - timedelta(days=lead_days) <= today <= expected + timedelta(days=GIVE_UP_DAYS):
        return expected
    return None
