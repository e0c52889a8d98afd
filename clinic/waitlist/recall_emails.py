"""Recalling maintenance clients: who is due for their next monthly session, and the
invitation emails (the date rule itself is pure, in recall.py). Services flush, never commit."""

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from clinic import clock
from clinic.care_plans import cadence
from clinic.extensions import db
from clinic.formatting import spelled_date
from clinic.models import Appointment, AppointmentStatus, CarePlan, Client, RecallNotice
from clinic.waitlist import recall
from clinic.waitlist.emails import link, queue_email, render

RECALL_KIND = "recall"
DEFAULT_RECALL_LEAD_DAYS = 7


@dataclass(frozen=True)
class DueRecall:
    client: Client
    plan: CarePlan
    expected_on: date


def due_recalls(now: datetime | None = None) -> list[DueRecall]:
    """Clients of open care plans in monthly maintenance with nothing booked ahead, whose next
    session is expected within RECALL_LEAD_DAYS (or overdue), and not yet recalled for it.

    A plan is in maintenance when it has maintenance sessions and none of its weekly ones
    is still ahead; the expected date is a month after the last visit of the plan.
    A fixed number of queries, however many plans.
    """
    now = now or clock.now()
    today = clock.today()
    zone = clock.clinic_zone()
    lead = current_app.config.get("RECALL_LEAD_DAYS", DEFAULT_RECALL_LEAD_DAYS)
    plans = db.session.scalars(
        select(CarePlan)
        .options(joinedload(CarePlan.client))
        .where(CarePlan.ended_at.is_(None), CarePlan.maintenance_sessions > 0)
        .order_by(CarePlan.id)
    ).all()
    if not plans:
        return []
    sessions: dict[int, list[Appointment]] = {p.id: [] for p in plans}
    for appointment in db.session.scalars(
        select(Appointment).where(
            Appointment.care_plan_id.in_(sessions),
            Appointment.status.in_((AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED)),
        )
    ):
        sessions[appointment.care_plan_id].append(appointment)
    upcoming = set(
        db.session.scalars(
            select(Appointment.client_id).where(
                Appointment.client_id.in_({p.client_id for p in plans}),
                Appointment.status == AppointmentStatus.BOOKED,
                Appointment.starts_at > now,
            )
        )
    )
    recalled = set(
        db.session.execute(
            select(RecallNotice.client_id, RecallNotice.expected_on).where(
                RecallNotice.client_id.in_({p.client_id for p in plans})
            )
        ).tuples()
    )
    best: dict[int, DueRecall] = {}
    for plan in plans:
        if not plan.client.email:
            continue
        visits = [a for a in sessions[plan.id] if a.starts_at <= now]
        weekly_ahead = any(
            a.starts_at > now
            and cadence.session_phase(a.starts_at, plan.first_start, plan.weekly_sessions, zone)
            == cadence.Phase.WEEKLY
            for a in sessions[plan.id]
        )
        if not visits or weekly_ahead:
            continue
        last_visit = max(a.starts_at for a in visits).astimezone(zone).date()
        expected = recall.recall_due(
            last_visit, today, has_upcoming=plan.client_id in upcoming, lead_days=lead
        )
        if expected is None or (plan.client_id, expected) in recalled:
            continue
        current = best.get(plan.client_id)
        if current is None or expected > current.expected_on:
            best[plan.client_id] = DueRecall(plan.client, plan, expected)
    return sorted(best.values(), key=lambda r: r.client.id)


def queue_recalls(now: datetime | None = None) -> int:
    """Record and queue one recall email per due client; INSERT ... ON CONFLICT DO NOTHING on
    (client, expected date), so two runs at once still send one. Returns how many were queued."""
    now = now or clock.now()
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    queued = 0
    for due in due_recalls(now):
        inserted = db.session.execute(
            insert(RecallNotice)
            .values(
                client_id=due.client.id, care_plan_id=due.plan.id, expected_on=due.expected_on, sent_at=now
            )
            .on_conflict_do_nothing(index_elements=["client_id", "expected_on"])
        ).rowcount
        if inserted != 1:
            continue
        plan = due.plan
        day = max(due.expected_on, clock.today())
        body = render(
            "notifications/recall.txt",
            client_name=due.client.name,
            service_name=plan.service.name,
            therapist_name=plan.therapist.user.name,
            expected=spelled_date(due.expected_on),
            link=link(
                "scheduling.book", service_id=plan.service_id, therapist_id=plan.therapist_id,
                day=day.isoformat(),
            ),
        )
        queue_email(
            RECALL_KIND, due.client.email, "Time for your next maintenance session", body,
            f"recall-{due.client.id}-{due.expected_on.isoformat()}",
        )
        queued += 1
    db.session.flush()
    return queued
