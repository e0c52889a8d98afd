"""The owner's reports: one function per report, each checking the actor is the owner."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from clinic import clock, dates
from clinic.access import require_owner, require_reports
from clinic.audit import record_audit
from clinic.errors import refuse
from clinic.extensions import db
from clinic.models import AppointmentStatus, AuditEntry, User
from clinic.reports import queries
from clinic.reports.rules import (
    MAINTENANCE_OVERDUE_DAYS,
    Span,
    available_minutes,
    days_of,
    late_cancellation_rate,
    maintenance_overdue,
    merge_spans,
    no_show_rate,
)

STATUSES = tuple(s.value for s in AppointmentStatus)
AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class Utilisation:
    therapist_id: int
    name: str
    booked_minutes: int
    available_minutes: int

    @property
    def share(self) -> float | None:
        return self.booked_minutes / self.available_minutes if self.available_minutes else None


@dataclass(frozen=True)
class PainChange:
    technique: str
    mean_change: float
    notes: int


@dataclass(frozen=True)
class Summary:
    first: date
    last: date
    appointments: dict[str, int]
    late_cancellations: int
    revenue_cents: int
    utilisation: list[Utilisation]
    pain_changes: list[PainChange]
    clients_awaiting_clearance: int
    total: int = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "total", sum(self.appointments.values()))

    @property
    def no_show_rate(self) -> float | None:
        return no_show_rate(self.appointments["no_show"], self.appointments["completed"])

    @property
    def late_cancellation_rate(self) -> float | None:
        return late_cancellation_rate(self.late_cancellations, self.total)

    def to_json(self) -> dict:
        """The contract's shape of GET /reports/summary."""
        return {
            "appointments": dict(self.appointments),
            "revenue_cents": self.revenue_cents,
            "utilisation": [
                {
                    "therapist_id": u.therapist_id,
                    "booked_minutes": u.booked_minutes,
                    "available_minutes": u.available_minutes,
                }
                for u in self.utilisation
            ],
            "pain_change_by_technique": {p.technique: p.mean_change for p in self.pain_changes},
            "clients_awaiting_clearance": self.clients_awaiting_clearance,
        }


def check_range(first: date | None, last: date | None) -> tuple[date, date]:
    """A usable inclusive date range, or a 422 naming the field at fault."""
    refuse(dates.range_problems(first, last, required=True, max_span_days=dates.REPORT_SPAN_DAYS))
    return first, last


def _available_by_therapist(first: date, last: date, start: datetime, end: datetime) -> dict[int, int]:
    """Working hours over each day of the range, less time off: days by weekly rows, no
    appointment rows involved. Therapists sharing a weekly pattern share the arithmetic."""
    hours: dict[int, list[tuple]] = {}
    for therapist_id, weekday, opens, closes in db.session.execute(queries.working_hours()):
        hours.setdefault(therapist_id, []).append((weekday, opens, closes))
    time_off: dict[int, list[Span]] = {}
    for therapist_id, off_start, off_end in db.session.execute(queries.time_off_overlapping(start, end)):
        time_off.setdefault(therapist_id, []).append(Span(off_start, off_end))
    zone = clock.clinic_zone()
    days = days_of(first, last)
    patterns: dict[frozenset, tuple[list[Span], list[float], int]] = {}
    available = {}
    for therapist_id, rows in hours.items():
        pattern = frozenset(rows)
        if pattern not in patterns:
            # Wall-clock times in the clinic zone, so a DST day has its real length.
            spans = merge_spans(
                Span(
                    datetime.combine(day, opens, tzinfo=zone).astimezone(UTC),
                    datetime.combine(day, closes, tzinfo=zone).astimezone(UTC),
                )
                for day in days
                for weekday, opens, closes in rows
                if weekday == day.weekday()
            )
            patterns[pattern] = (spans, [span.minutes for span in spans], available_minutes(spans, ()))
        spans, lengths, minutes = patterns[pattern]
        offs = time_off.get(therapist_id)
        available[therapist_id] = _less_time_off(spans, lengths, offs) if offs else minutes
    return available


def _whole_minutes(seconds: Decimal) -> int:
    """Seconds to minutes, halves rounded up (as SQL's ROUND does for positive numbers)."""
    return int((Decimal(seconds) / 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _less_time_off(spans: list[Span], lengths: list[float], time_off: list[Span]) -> int:
    """rules.available_minutes(spans, time_off) for already merged working spans and their
    lengths: the same additions in the same order, so the same result, but a working span
    that lies outside every time-off entry skips the inner loop (it would cover 0.0)."""
    blocked = merge_spans(time_off)
    total = 0.0
    for span, length in zip(spans, lengths, strict=True):
        covered = 0.0
        if blocked and span.end > blocked[0].start and span.start < blocked[-1].end:
            for off in blocked:
                start, end = max(span.start, off.start), min(span.end, off.end)
                if end > start:
                    covered += (end - start).total_seconds() / 60
        total += length - covered
    return round(total)


def summary_report(actor: User, first: date | None, last: date | None) -> Summary:
    """Bookings, revenue, utilisation, pain change and the clearance queue for a date range."""
    require_reports(actor)
    first, last = check_range(first, last)
    start, end = clock.day_range(first, last)
    dialect = db.session.get_bind().dialect.name

    counts = dict.fromkeys(STATUSES, 0)
    late = revenue = 0
    seconds: dict[int, Decimal] = {}
    # Adds up the few group rows of one aggregate query (never one row per appointment).
    for therapist_id, *by_status, late_count, booked_seconds, price_total in db.session.execute(
        queries.appointment_figures(start, end, dialect)
    ):
        for status, count in zip(STATUSES, by_status, strict=True):
            counts[status] += int(count)
        late += int(late_count)
        revenue += int(price_total or 0)
        if booked_seconds is not None:
            seconds[therapist_id] = seconds.get(therapist_id, 0) + Decimal(booked_seconds)
    booked = {tid: _whole_minutes(total) for tid, total in seconds.items()}
    available = _available_by_therapist(first, last, start, end)
    utilisation = [
        Utilisation(tid, name, booked.get(tid, 0), available.get(tid, 0))
        for tid, name in db.session.execute(queries.therapists())
    ]
    pain = [
        PainChange(technique, int(total) / notes, notes)
        for technique, total, notes in db.session.execute(
            queries.pain_change_by_technique(start, end)
        )
    ]
    awaiting = db.session.scalar(queries.clients_awaiting_clearance(clock.today())) or 0
    return Summary(first, last, counts, late, revenue, utilisation, pain, awaiting)


@dataclass(frozen=True)
class OverdueMaintenance:
    care_plan_id: int
    client_id: int
    client_name: str
    therapist_name: str
    last_visit: datetime
    days_since: int


def overdue_maintenance(actor: User, now: datetime | None = None) -> list[OverdueMaintenance]:
    """Clients on an open care plan past its weekly course, with nothing booked ahead and no
    visit for more than 35 days (the monthly cadence allows 28-35)."""
    require_reports(actor)
    now = now or clock.now()
    rows = db.session.execute(
        queries.maintenance_candidates(now, now - timedelta(days=MAINTENANCE_OVERDUE_DAYS))
    )
    overdue = []
    seen_clients = set()
    for plan_id, client_id, client_name, therapist_name, first_start, weekly, last_visit in rows:
        course_ends = first_start + timedelta(weeks=max(weekly - 1, 0))
        if client_id in seen_clients or not maintenance_overdue(
            weekly_course_ends=course_ends, last_visit=last_visit, has_booking_ahead=False, now=now
        ):
            continue
        seen_clients.add(client_id)
        overdue.append(
            OverdueMaintenance(
                plan_id, client_id, client_name, therapist_name, last_visit, (now - last_visit).days
            )
        )
    return overdue


@dataclass(frozen=True)
class AuditFilter:
    """Which entries the owner asked for; `first`/`last` are clinic-local days, inclusive."""

    client_id: int | None = None
    actor_id: int | None = None
    action: str | None = None
    first: date | None = None
    last: date | None = None


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor_name: str | None
    client_name: str | None
    actor_role: str | None = None
    subject_name: str | None = None
    subject_role: str | None = None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    page: int
    pages: int
    total: int


def _audit_conditions(filters: AuditFilter) -> list:
    refuse(dates.range_problems(filters.first, filters.last))
    return queries.audit_conditions(
        client_id=filters.client_id,
        actor_id=filters.actor_id,
        action=filters.action,
        start=clock.local_midnight(filters.first) if filters.first else None,
        end=clock.local_midnight(filters.last + timedelta(days=1)) if filters.last else None,
    )


def _audit_row(row) -> AuditRow:
    entry, actor_name, actor_role, client_name, user_name, user_role, subject_client = row
    return AuditRow(entry, actor_name, client_name, actor_role, user_name or subject_client, user_role)


def audit_log(actor: User, filters: AuditFilter | None = None, *, page: int = 1) -> AuditPage:
    """The audit trail, newest first, a page at a time, narrowed by `filters`."""
    require_owner(actor)
    conditions = _audit_conditions(filters or AuditFilter())
    total = db.session.scalar(queries.audit_count(conditions)) or 0
    pages = max((total + AUDIT_PAGE_SIZE - 1) // AUDIT_PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    result = db.session.execute(
        queries.audit_entries(conditions).limit(AUDIT_PAGE_SIZE).offset((page - 1) * AUDIT_PAGE_SIZE)
    )
    return AuditPage([_audit_row(row) for row in result], page, pages, total)


def audit_export(actor: User, filters: AuditFilter | None = None) -> Iterator[AuditRow]:
    """Every audit entry `filters` allows, newest first; checked now, read in batches as streamed."""
    require_owner(actor)
    conditions = _audit_conditions(filters or AuditFilter())

    def rows() -> Iterator[AuditRow]:
        result = db.session.execute(queries.audit_entries(conditions).execution_options(yield_per=500))
        for row in result:
            yield _audit_row(row)

    return rows()


def audit_entries_chronological(actor: User, filters: AuditFilter) -> list[AuditEntry]:
    """The entries of a date range (optionally one client's), oldest first, ties by id: the API's
    list. Reading the log is itself audited, without a client, so it never crowds a client's trail."""
    require_owner(actor)
    conditions = _audit_conditions(filters)
    entries = list(db.session.scalars(
        select(AuditEntry).where(*conditions).order_by(AuditEntry.created_at, AuditEntry.id)
    ))
    record_audit(actor, "audit.read", "audit_log", None, detail=_filter_detail(filters))
    return entries


def _filter_detail(filters: AuditFilter) -> str | None:
    chosen = {
        "client": filters.client_id, "person": filters.actor_id, "action": filters.action,
        "from": filters.first, "to": filters.last,
    }
    return ", ".join(f"{name} {value}" for name, value in chosen.items() if value is not None) or None


def record_audit_export(actor: User, filters: AuditFilter) -> None:
    """The owner downloaded the log as CSV (audited like any export; the filter in the detail)."""
    require_owner(actor)
    record_audit(actor, "audit.exported", "audit_log", None, detail=_filter_detail(filters))


def audit_clients(actor: User) -> list[tuple[int, str]]:
    require_owner(actor)
    return [(cid, name) for cid, name in db.session.execute(queries.audit_clients())]


def audit_actors(actor: User) -> list[tuple[int, str, str]]:
    require_owner(actor)
    return [(uid, name, role) for uid, name, role in db.session.execute(queries.audit_actors())]
