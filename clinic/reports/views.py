import csv
import io
from datetime import date

from flask import Blueprint, Response, abort, render_template, request, stream_with_context, url_for
from flask_login import current_user

from clinic import clock
from clinic.audit import action_label, subject_kind, verify_chain
from clinic.auth.decorators import owner_required
from clinic.clinic_settings.services import clinic_profile
from clinic.errors import ValidationFailed
from clinic.extensions import db
from clinic.home.panels import dashboard_panel, nav_link
from clinic.notifications.services import outbox_status
from clinic.parsing import parse_id
from clinic.reports import tables
from clinic.reports.forms import AuditLogFilter, ReportRangeForm
from clinic.reports.rules import CUSTOM, WEEK, csv_safe, period_range
from clinic.reports.services import (
    AuditRow,
    audit_actors,
    audit_clients,
    audit_export,
    audit_log,
    overdue_maintenance,
    record_audit_export,
    summary_report,
)
from clinic.waitlist.figures import waitlist_report

bp = Blueprint("reports", __name__)

nav_link("Reports", "reports.index", roles=("owner",), order=70)
nav_link("Audit log", "reports.audit", roles=("owner",), order=75)


def _chosen_range(form: ReportRangeForm) -> tuple[date, date] | None:
    if not form.validate():
        return None
    if form.period.data == CUSTOM:
        return form.first.data, form.last.data
    return period_range(form.period.data, clock.today())


def _summary_or_errors(form: ReportRangeForm):
    chosen = _chosen_range(form)
    if chosen is None:
        return None
    try:
        return summary_report(current_user, *chosen)
    except ValidationFailed as error:
        for name, problems in (error.fields or {}).items():
            (form.first if name == "from" else form.last).errors.extend(problems)
        return None


def _csv(filename: str, header: list[str], rows) -> Response:
    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow([csv_safe(value) for value in row])
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/reports")
@owner_required
def index():
    form = ReportRangeForm(formdata=request.args)
    summary = _summary_or_errors(form)
    status = 200 if summary or not request.args else 422
    waitlist = waitlist_report(current_user, summary.first, summary.last) if summary else None
    return render_template(
        "reports/index.html", form=form, summary=summary, overdue=overdue_maintenance(current_user),
        waitlist=waitlist,
        query={name: request.args[name] for name in ("period", "from", "to") if name in request.args},
        local=clock.to_local,
    ), status


@bp.get("/reports/<table>.csv")
@owner_required
def download(table: str):
    if table not in tables.TABLES:
        abort(404)
    if table == "overdue":
        header, rows = tables.overdue_table(overdue_maintenance(current_user))
        return _csv(f"overdue-maintenance-{clock.today()}.csv", header, rows)
    form = ReportRangeForm(formdata=request.args)
    summary = _summary_or_errors(form)
    if summary is None:
        abort(422, "Choose a valid date range.")
    if table == "appointments":
        header, rows = tables.appointments_table(summary, clinic_profile().currency)
    else:
        header, rows = getattr(tables, f"{table}_table")(summary)
    return _csv(f"{table}-{summary.first}-to-{summary.last}.csv", header, rows)


# The pages an audit entry's record has, by its subject_type, and the page's argument.
SUBJECT_PAGES = {
    "client": ("home.client_page", "client_id"),
    "appointment": ("scheduling.appointment", "appointment_id"),
    "care_plan": ("care_plans.show", "plan_id"),
    "session_note": ("notes.show", "note_id"),
    "intake": ("intake.show", "intake_id"),
}


def _audit_form() -> AuditLogFilter:
    form = AuditLogFilter(
        formdata=request.args, clients=audit_clients(current_user), actors=audit_actors(current_user)
    )
    form.validate()
    return form


def subject_url(row: AuditRow) -> str | None:
    page = SUBJECT_PAGES.get(row.entry.subject_type)
    if page is None or row.entry.subject_id is None:
        return None
    endpoint, argument = page
    return url_for(endpoint, **{argument: row.entry.subject_id})


@bp.get("/reports/audit")
@owner_required
def audit():
    form = _audit_form()
    page = parse_id(request.args.get("page")) or 1
    log = audit_log(current_user, form.filters, page=page)
    status = 422 if form.first.errors or form.last.errors else 200
    return render_template(
        "reports/audit.html", form=form, log=log, query=form.query, local=clock.to_local,
        chain=verify_chain(), action_label=action_label, subject_kind=subject_kind, subject_url=subject_url,
    ), status


@bp.get("/reports/audit.csv")
@owner_required
def audit_csv():
    form = _audit_form()
    if form.first.errors or form.last.errors:
        abort(422, "Choose a valid date range: the export would otherwise be wider than asked for.")
    record_audit_export(current_user, form.filters)
    db.session.commit()
    rows = (tables.audit_row(row) for row in audit_export(current_user, form.filters))
    suffix = f"-client-{form.selected_client}" if form.selected_client else ""
    return _csv(f"audit-log{suffix}-{clock.today()}.csv", tables.AUDIT_HEADER, rows)


@dashboard_panel("owner", order=20)
def this_week_panel(user):
    first, last = period_range(WEEK, clock.today())
    summary = summary_report(user, first, last)
    return render_template("reports/_week_panel.html", summary=summary)


@dashboard_panel("owner", order=85)
def email_outbox_panel(user):
    status = outbox_status()
    if not status.worth_telling:
        return None
    return render_template("reports/_outbox_panel.html", status=status)
