"""What scheduling adds to the landing pages and to a client's page: upcoming visits, the
day's appointments.
"""


from flask import render_template

from clinic import clock
from clinic.extensions import db
from clinic.home.panels import client_panel, dashboard_panel, own_record_panel
from clinic.models import Appointment, AppointmentStatus, Client, User
from clinic.scheduling import services
from clinic.scheduling.views.calendars import _calendar_rows


@dashboard_panel("client", order=10)
def upcoming_panel(user: User):
    if user.client is None:
        return None
    return render_template("scheduling/_upcoming_panel.html",
                           upcoming=services.upcoming_for_client(user.client, limit=5))


@dashboard_panel("therapist", order=10)
def today_panel(user: User):
    today = clock.today()
    rows, summaries = _calendar_rows([user.id], today, today)
    return render_template("scheduling/_today_panel.html", rows=rows, summaries=summaries, day=today)


@own_record_panel(order=20)
@client_panel(order=10)
def client_appointments_panel(viewer: User, client: Client):
    query = (
        services.visible_appointments_query(viewer)
        .options(*services.SHOWN_WITH)
        .where(Appointment.client_id == client.id)
    )
    now = clock.now()
    upcoming = db.session.scalars(
        query.where(Appointment.ends_at > now, Appointment.status == AppointmentStatus.BOOKED)
        .order_by(Appointment.starts_at).limit(10)
    ).all()
    recent = db.session.scalars(  # a visit under way is still upcoming, not yet recent
        query.where(Appointment.ends_at <= now).order_by(Appointment.starts_at.desc()).limit(5)
    ).all()
    return render_template("scheduling/_client_panel.html", client=client, upcoming=upcoming, recent=recent,
                           viewer=viewer)


@dashboard_panel("owner", "front_desk", order=10)
def clinic_today_panel(user: User):
    today = clock.today()
    start, end = clock.day_range(today, today)
    therapists = services.calendar_therapists(start, end)
    rows = services.appointments_between([t.id for t in therapists], start, end)
    live = [a for a in rows if a.status != AppointmentStatus.CANCELLED]
    counts = {t.id: sum(1 for a in live if a.therapist_id == t.id) for t in therapists}
    return render_template("scheduling/_clinic_today_panel.html", therapists=therapists, counts=counts,
                           total=len(live), day=today)
