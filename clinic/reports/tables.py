"""The report's tables as header + rows, shared by the CSV downloads."""

from collections.abc import Iterable

from clinic import clock
from clinic.clinic_settings.rules import major_units
from clinic.reports.services import AuditRow, OverdueMaintenance, Summary

TABLES = ("appointments", "utilisation", "pain", "overdue")


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def appointments_table(summary: Summary, currency: str) -> tuple[list[str], list[list]]:
    """Counts, rates and revenue; money rows name their currency, `revenue` in its units."""
    rows = [[status, count, ""] for status, count in summary.appointments.items()]
    rows += [
        ["total", summary.total, ""],
        ["late_cancellations", summary.late_cancellations, ""],
        ["no_show_rate_percent", _percent(summary.no_show_rate), ""],
        ["late_cancellation_rate_percent", _percent(summary.late_cancellation_rate), ""],
        ["revenue", major_units(summary.revenue_cents, currency), currency],
        ["revenue_cents", summary.revenue_cents, currency],
    ]
    return ["figure", "value", "currency"], rows


def utilisation_table(summary: Summary) -> tuple[list[str], list[list]]:
    header = ["therapist_id", "therapist", "booked_minutes", "available_minutes", "utilisation_percent"]
    rows = [
        [u.therapist_id, u.name, u.booked_minutes, u.available_minutes, _percent(u.share)]
        for u in summary.utilisation
    ]
    return header, rows


def pain_table(summary: Summary) -> tuple[list[str], list[list]]:
    rows = [[p.technique, round(p.mean_change, 3), p.notes] for p in summary.pain_changes]
    return ["technique", "mean_pain_change", "notes"], rows


def overdue_table(overdue: Iterable[OverdueMaintenance]) -> tuple[list[str], list[list]]:
    header = ["client_id", "client", "therapist", "care_plan_id", "last_visit", "days_since"]
    rows = [
        [o.client_id, o.client_name, o.therapist_name, o.care_plan_id, clock.iso(o.last_visit), o.days_since]
        for o in overdue
    ]
    return header, rows


AUDIT_HEADER = ["when", "who", "action", "record", "record_id", "client_id", "client", "detail"]


def audit_row(row: AuditRow) -> list:
    entry = row.entry
    return [
        clock.iso(entry.created_at), row.actor_name or "system", entry.action, entry.subject_type,
        entry.subject_id, entry.client_id, row.client_name, entry.detail,
    ]
