"""A client's clearance status, derived from their latest screening and clearances.

`not_required`: the latest screening raised no red flag. `required`: it did, and no
clearance recorded since then is still valid. `granted`: a clearance recorded after the
flag is still valid today.

`Client.flagged_since` is kept by clinic/intake/services.py: a flagged intake or check-in
sets it to its submission instant; a clear intake (the latest counts) resets it to None;
a clear check-in leaves it alone, since four pre-visit questions cannot stand in for the
physician's opinion that an earlier flag called for.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, exists, or_, select

from clinic.extensions import db
from clinic.models import Clearance, Client

NOT_REQUIRED = "not_required"
REQUIRED = "required"
GRANTED = "granted"


def valid_on(valid_until: date | None, day: date) -> bool:
    """A clearance with this end date still holds on `day` (no end date: it never lapses)."""
    return valid_until is None or day <= valid_until


def _counts(flagged_since, today: date):
    """The one rule, as SQL: a clearance counts when it was recorded at or after the flag
    it answers and is still valid today (`valid_on`'s twin)."""
    return and_(
        Clearance.granted_at >= flagged_since,
        or_(Clearance.valid_until.is_(None), Clearance.valid_until >= today),
    )


def clearance_status_expression(today: date):
    """The same rule as clearance_status, as SQL over `clients`, for lists and reports."""
    return case(
        (Client.flagged_since.is_(None), NOT_REQUIRED),
        (exists().where(Clearance.client_id == Client.id, _counts(Client.flagged_since, today)), GRANTED),
        else_=REQUIRED,
    )


def active_clearance(client: Client, today: date) -> Clearance | None:
    """The latest clearance that counts for this client today, if any."""
    if client.flagged_since is None:
        return None
    return db.session.scalar(
        select(Clearance)
        .where(Clearance.client_id == client.id, _counts(client.flagged_since, today))
        .order_by(Clearance.granted_at.desc())
        .limit(1)
    )


def clearance_status(client: Client, today: date) -> str:
    if client.flagged_since is None:
        return NOT_REQUIRED
    return GRANTED if active_clearance(client, today) else REQUIRED


@dataclass(frozen=True)
class ClearanceSummary:
    """What the calendar and client lists show about a client's clearance."""

    status: str
    valid_until: date | None = None
    restrictions: str | None = None

    def expired_by(self, day: date) -> bool:
        """True when a granted clearance will have lapsed by `day` (mark such visits early)."""
        return self.status == GRANTED and not valid_on(self.valid_until, day)


def clearance_summaries(client_ids: Iterable[int], today: date) -> dict[int, ClearanceSummary]:
    """Clearance status for many clients in two queries (no per-row lookups)."""
    ids = set(client_ids)
    if not ids:
        return {}
    flagged = dict(
        db.session.execute(select(Client.id, Client.flagged_since).where(Client.id.in_(ids))).all()
    )
    summaries = {cid: ClearanceSummary(NOT_REQUIRED) for cid, since in flagged.items() if since is None}
    held = {cid for cid, since in flagged.items() if since is not None}
    if held:
        rows = db.session.scalars(
            select(Clearance)
            .join(Client, Client.id == Clearance.client_id)
            .where(Clearance.client_id.in_(held), _counts(Client.flagged_since, today))
            .order_by(Clearance.granted_at)
        )
        for clearance in rows:
            summaries[clearance.client_id] = ClearanceSummary(
                GRANTED, clearance.valid_until, clearance.restrictions
            )
        for cid in held:
            summaries.setdefault(cid, ClearanceSummary(REQUIRED))
    return summaries
