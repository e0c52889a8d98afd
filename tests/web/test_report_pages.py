"""The owner's reports page, its CSV downloads and the dashboard panel."""

import csv
import io
from datetime import timedelta

import pytest

from clinic import clock
from clinic.extensions import db
from clinic.models import CarePlan
from tests.factories import PASSWORD, make_appointment, make_client, make_owner, make_service, make_therapist
from tests.reports_factories import build_known_clinic

RANGE = "period=custom&from=2030-01-07&to=2030-01-09"


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_owner_sees_every_figure_for_a_custom_range(client):
    clinic = build_known_clinic(clock.now())
    login(client, clinic.owner)
    response = client.get(f"/reports?{RANGE}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("Appointments by status", "Utilisation per therapist", "Mean pain change per technique",
                 "EUR 195.00", "25.0 %", "14.3 %", "Maintenance overdue", "-2.5", "-2.0"):
        assert text in page
    # Chart bars: A 180/1260, B 120/390 booked; 3 of 7 completed; swedish -2.5 drawn left of centre.
    for bar in ('width="14.29"', 'width="30.77"', 'width="42.86"', 'x="37.50" y="0" width="12.50"'):
        assert bar in page
    assert "Content-Security-Policy" in response.headers


def test_the_default_is_this_week(client):
    owner = make_owner()
    login(client, owner)
    page = client.get("/reports").get_data(as_text=True)
    monday = clock.today() - timedelta(days=clock.today().weekday())
    assert f"{monday:%A} {monday.day} {monday:%B %Y}" in page


def test_an_inverted_custom_range_is_explained(client):
    owner = make_owner()
    login(client, owner)
    response = client.get("/reports?period=custom&from=2030-01-09&to=2030-01-07")
    assert response.status_code == 422
    assert "The last day must be on or after the first." in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/reports", "/reports/utilisation.csv?" + RANGE, "/reports/audit",
                                 "/reports/audit.csv"])
@pytest.mark.parametrize("role", ["therapist", "client"])
def test_therapists_and_clients_get_403(client, url, role):
    user = make_therapist().user if role == "therapist" else make_client().user
    login(client, user)
    assert client.get(url).status_code == 403


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/reports")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_each_table_downloads_as_csv(client):
    clinic = build_known_clinic(clock.now())
    login(client, clinic.owner)
    appointments = read_csv(client.get(f"/reports/appointments.csv?{RANGE}"))
    assert appointments[0] == ["figure", "value", "currency"]
    figures = {row[0]: row[1] for row in appointments[1:]}
    assert figures == {
        "booked": "1", "completed": "3", "cancelled": "2", "no_show": "1", "total": "7",
        "late_cancellations": "1", "no_show_rate_percent": "25.0", "late_cancellation_rate_percent": "14.3",
        "revenue": "195.00", "revenue_cents": "19500",
    }
    assert {row[0]: row[2] for row in appointments[1:] if row[2]} == {"revenue": "EUR", "revenue_cents": "EUR"}
    utilisation = read_csv(client.get(f"/reports/utilisation.csv?{RANGE}"))
    assert utilisation[0] == ["therapist_id", "therapist", "booked_minutes", "available_minutes",
                              "utilisation_percent"]
    assert [row[2:] for row in utilisation[1:]] == [["180", "1260", "14.3"], ["120", "390", "30.8"],
                                                    ["0", "0", ""]]
    pain = read_csv(client.get(f"/reports/pain.csv?{RANGE}"))
    assert pain[1:] == [["deep_tissue", "-2.0", "2"], ["swedish", "-2.5", "2"]]


def test_a_bad_range_csv_is_an_error_not_a_file(client):
    owner = make_owner()
    login(client, owner)
    assert client.get("/reports/pain.csv?period=custom&from=2030-01-09").status_code == 422
    assert client.get("/reports/nothing.csv").status_code == 404


def test_overdue_maintenance_lists_and_downloads_with_formulas_neutralised(client):
    owner = make_owner()
    now = clock.now()
    sneaky = make_client(name="=HYPERLINK(\"http://evil.test\")")
    therapist = make_therapist(name="Tess")
    db.session.add(CarePlan(client_id=sneaky.id, therapist_id=therapist.id, service_id=make_service().id,
                            weekly_sessions=2, maintenance_sessions=2, first_start=now - timedelta(days=90)))
    make_appointment(client=sneaky, therapist=therapist, start=now - timedelta(days=41), status="completed")
    login(client, owner)
    page = client.get("/reports").get_data(as_text=True)
    assert "=HYPERLINK(&#34;http://evil.test&#34;)" in page
    rows = read_csv(client.get("/reports/overdue.csv"))
    assert rows[1][1] == "'=HYPERLINK(\"http://evil.test\")"
    assert rows[1][2] == "Tess" and rows[1][5] == "41"


def test_the_owner_dashboard_shows_this_weeks_figures_and_links(client):
    owner = make_owner()
    therapist = make_therapist()
    make_appointment(therapist=therapist, start=clock.local_datetime(clock.today(), clock.now().time()))
    login(client, owner)
    page = client.get("/").get_data(as_text=True)
    assert 'id="week-figures-heading"' in page and "1 (1 booked, 0 completed)" in page
    assert '<a href="/reports"' in page and '<a href="/reports/audit"' in page


def test_therapists_have_no_report_links(client):
    therapist = make_therapist()
    login(client, therapist.user)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/reports"' not in page and 'id="week-figures-heading"' not in page


def test_the_owner_is_told_about_emails_that_failed(client):
    from clinic.models import OutboundEmail

    owner = make_owner()
    appointment = make_appointment()
    db.session.add(OutboundEmail(kind="reminder", appointment_id=appointment.id, recipient="x@example.test",
                                 subject="Reminder", body="Body", attempts=2,
                                 last_error="ConnectionRefusedError: [Errno 111] Connection refused"))
    db.session.flush()
    login(client, owner)
    page = " ".join(client.get("/").get_data(as_text=True).split())
    assert "Emails not delivered" in page
    assert "1</span> email could not be sent yet; the mail worker keeps retrying." in page
    # The server's own words are for the logs, not the owner's home page.
    assert "Connection refused" not in page and "ConnectionRefusedError" not in page


def test_the_owner_is_told_which_emails_are_no_longer_retried(client):
    from clinic.models import OutboundEmail
    from clinic.notifications.outbox import MAX_ATTEMPTS

    owner = make_owner()
    appointment = make_appointment()
    for attempts in (3, MAX_ATTEMPTS, MAX_ATTEMPTS):
        db.session.add(OutboundEmail(kind="reminder", appointment_id=appointment.id, recipient="x@example.test",
                                     subject="Reminder", body="Body", attempts=attempts,
                                     dedupe_key=f"{attempts}-{len(db.session.new)}",
                                     last_error="SMTPAuthenticationError: (535, b'5.7.8 bad credentials')"))
    db.session.flush()
    login(client, owner)
    page = " ".join(client.get("/").get_data(as_text=True).split())
    assert '1</span> email could not be sent yet; the mail worker keeps retrying.' in page
    assert '2</span> emails could not be sent after many tries and will not be retried.' in page
    assert "SMTPAuthenticationError" not in page and "535" not in page


def test_the_owner_is_asked_whether_the_mail_worker_runs_when_emails_wait_untried(client):
    from datetime import timedelta

    from clinic import clock
    from clinic.models import OutboundEmail

    owner = make_owner()
    for minutes in (11, 30, 2):
        db.session.add(OutboundEmail(kind="confirmation", recipient="x@example.test", subject="Hello", body="Body",
                                     dedupe_key=str(minutes), created_at=clock.now() - timedelta(minutes=minutes)))
    db.session.flush()
    login(client, owner)
    page = " ".join(client.get("/").get_data(as_text=True).split())
    assert "2</span> emails waiting for more than 10 minutes without being tried" in page
    assert "is the mail worker (<code>flask mail-worker</code>) running?" in page


def test_no_outbox_panel_when_mail_is_healthy(client):
    owner = make_owner()
    login(client, owner)
    assert "Emails not delivered" not in client.get("/").get_data(as_text=True)


def test_this_month_and_unknown_periods(client):
    owner = make_owner()
    login(client, owner)
    today = clock.today()
    page = client.get("/reports?period=month").get_data(as_text=True)
    assert f"<strong>{today.replace(day=1):%A} 1 {today:%B %Y}</strong>" in page
    assert client.get("/reports?period=fortnight").status_code == 422
    assert client.get("/reports?period=custom&from=99999-01-01&to=2030-01-01").status_code == 422


@pytest.mark.parametrize("currency, shown, units", [("GBP", "GBP 195.00", "195.00"), ("JPY", "JPY 19,500", "19500")])
def test_revenue_is_shown_and_downloaded_in_the_clinic_s_currency(client, currency, shown, units):
    from clinic.clinic_settings.services import update_clinic_settings

    clinic = build_known_clinic(clock.now())
    update_clinic_settings(clinic.owner, {"currency": currency})
    login(client, clinic.owner)
    assert shown in client.get(f"/reports?{RANGE}").get_data(as_text=True)
    rows = read_csv(client.get(f"/reports/appointments.csv?{RANGE}"))
    assert ["revenue", units, currency] in rows and ["revenue_cents", "19500", currency] in rows
