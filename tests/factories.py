"""Builders for test data: sensible defaults, any field overridable, flush not commit."""

import itertools
import os
import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clinic.auth.passwords import hash_password
from clinic.extensions import db
from clinic.models import (
    Appointment,
    Client,
    Role,
    Service,
    SessionNote,
    Therapist,
    TimeOff,
    User,
    WorkingHours,
)

PASSWORD = "correct-horse-42"
_sequence = itertools.count(1)


def _n() -> int:
    return next(_sequence)


def make_user(role: str = Role.OWNER, **kw) -> User:
    n = _n()
    kw.setdefault("email", f"{role}{n}@example.test")
    kw.setdefault("name", f"{role.title()} {n}")
    password = kw.pop("password", PASSWORD)
    user = User(role=role, password_hash=hash_password(password), **kw)
    db.session.add(user)
    db.session.flush()
    return user


def make_owner(**kw) -> User:
    return make_user(Role.OWNER, **kw)


def make_therapist(*, hours: bool = False, **kw) -> Therapist:
    """A therapist; with hours=True they work 09:00-17:00 Monday to Friday."""
    user = make_user(Role.THERAPIST, **kw)
    therapist = Therapist(id=user.id, calendar_token=secrets.token_urlsafe(16))
    db.session.add(therapist)
    db.session.flush()
    if hours:
        for weekday in range(5):
            make_working_hours(therapist, weekday, time(9), time(17))
    return therapist


def make_client(*, login: bool = True, **kw) -> Client:
    n = _n()
    kw.setdefault("name", f"Client {n}")
    kw.setdefault("email", f"client{n}@example.test")
    user = None
    if login:
        user = User(role=Role.CLIENT, email=kw["email"], name=kw["name"],
                    password_hash=hash_password(kw.pop("password", PASSWORD)))
        db.session.add(user)
    else:
        kw.pop("password", None)
    client = Client(user=user, **kw)
    db.session.add(client)
    db.session.flush()
    return client


def make_service(**kw) -> Service:
    n = _n()
    kw.setdefault("name", f"Massage {n}")
    kw.setdefault("duration_minutes", 60)
    kw.setdefault("price_cents", 6500)
    kw.setdefault("buffer_minutes", 0)
    service = Service(**kw)
    db.session.add(service)
    db.session.flush()
    return service


def make_working_hours(therapist: Therapist, weekday: int, start: time, end: time) -> WorkingHours:
    row = WorkingHours(therapist_id=therapist.id, weekday=weekday, starts_at=start, ends_at=end)
    db.session.add(row)
    db.session.flush()
    return row


def make_time_off(therapist: Therapist, start: datetime, end: datetime, reason: str | None = None):
    row = TimeOff(therapist_id=therapist.id, starts_at=start, ends_at=end, reason=reason)
    db.session.add(row)
    db.session.flush()
    return row


def make_appointment(**kw) -> Appointment:
    """An appointment inserted directly, bypassing booking rules (for setting up scenes)."""
    service = kw.pop("service", None) or make_service()
    therapist = kw.pop("therapist", None) or make_therapist()
    client = kw.pop("client", None) or make_client()
    start = kw.pop("start", None) or datetime(2030, 1, 7, 10, tzinfo=UTC)
    appointment = Appointment(
        service_id=service.id, therapist_id=therapist.id, client_id=client.id,
        starts_at=start, ends_at=start + timedelta(minutes=service.duration_minutes),
        buffer_minutes=service.buffer_minutes, price_cents=service.price_cents, **kw,
    )
    db.session.add(appointment)
    db.session.flush()
    return appointment


def make_note(appointment: Appointment, **kw) -> SessionNote:
    from clinic.models import NoteTechnique

    techniques = kw.pop("techniques", ["swedish"])
    kw.setdefault("pain_before", 6)
    kw.setdefault("pain_after", 3)
    kw.setdefault("areas", ["left hip"])
    note = SessionNote(appointment_id=appointment.id, author_id=appointment.therapist_id, **kw)
    note.techniques = NoteTechnique.for_note(
        techniques,
        session_start=appointment.starts_at,
        pain_before=note.pain_before,
        pain_after=note.pain_after,
    )
    db.session.add(note)
    appointment.status = "completed"
    db.session.flush()
    return note


def monday(weeks_ahead: int = 1, *, today: date | None = None) -> date:
    """The Monday `weeks_ahead` weeks after this week's Monday."""
    today = today or datetime.now(UTC).date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)


def bearer(client, user_or_email, password: str = PASSWORD) -> dict:
    """Log in through the API and return the Authorization header."""
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    response = client.post("/api/v1/tokens", json={"email": email, "password": password})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


# The zone the test apps run in (TestConfig reads the same variable); .ci/run replays the
# clock-sensitive tests in a zone with daylight saving.
TEST_ZONE = ZoneInfo(os.environ.get("CLINIC_TIMEZONE") or "UTC")


def local_day(instant: datetime) -> date:
    """The clinic-local date of an instant (what pages and the API call its day)."""
    return instant.astimezone(TEST_ZONE).date()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Clinic wall-clock time on a test day, as the API writes it (ISO with the local offset)."""
    return datetime.combine(day, time(hour, minute), tzinfo=TEST_ZONE)


def login(client, email: str, password: str = PASSWORD) -> None:
    """Log in through the page, failing the test with the page's text when that is refused."""
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
