"""The demo clinic that `flask seed-demo` creates: some weeks of a clinic's life, made through
the real services at the instants things happened.

Each client has a story (a course of care, a few single visits, a hold for clearance...).
The stories' events run in time order under `clock.replaying`, so bookings, intakes and
clearances are dated when they happened and a note is signed minutes after its session,
never at seeding time. A diary (clinic/scheduling/demo.py) keeps every therapist and every
client in one place at a time. Everything is drawn from one seeded random generator and
placed relative to today, so a given day always gets the same clinic.
"""

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete

from clinic import clock
from clinic.auth.services import create_staff_user, register_client
from clinic.care_plans import reading
from clinic.care_plans import services as care
from clinic.care_plans.demo import SHAPES, session_starts
from clinic.clinic_settings.services import update_clinic_settings
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.intake import clearances
from clinic.intake import demo as intake_demo
from clinic.intake import services as intake
from clinic.models import Appointment, AppointmentStatus, Client, OutboundEmail, User
from clinic.notes.demo import demo_note, pain_on_arrival, signing_delay
from clinic.notes.services import note_blocker, record_note
from clinic.scheduling import services as scheduling
from clinic.scheduling.demo import Diary, seed_setup

DEMO_PASSWORD = "demo-pass-2026"
DEMO_LOGINS = [
    ("owner", "owner@demo.clinic"),
    ("therapist", "maya@demo.clinic"),
    ("front_desk", "frank@demo.clinic"),
    ("client", "clara@demo.clinic"),
]

# A made-up London clinic: the phone number is in Ofcom's range reserved for drama.
DEMO_SETTINGS = {
    "name": "Hip & Back Massage Clinic",
    "address": "14 Wellington Row, London E2 7BB",
    "phone": "+44 20 7946 0321",
    "email": "hello@demo.clinic",
    "currency": "GBP",
    "cancellation_notice_hours": 24,
}

THERAPISTS = [
    ("Maya Lindqvist", "maya@demo.clinic"),
    ("Tomás Ribeiro", "tomas@demo.clinic"),
    ("Aisha Bello", "aisha@demo.clinic"),
    ("Jonas Weber", "jonas@demo.clinic"),
]
NAMED_CLIENTS = [
    ("Clara Jensen", "clara@demo.clinic", "+45 20 11 22 33"),
    ("Peter Novak", "peter@demo.clinic", "+420 601 222 333"),
    ("Hannah Okafor", "hannah@demo.clinic", None),
    ("Luis Fernández", "luis@demo.clinic", "+34 600 111 222"),
    ("Ingrid Haugen", "ingrid@demo.clinic", None),
    ("Samuel Adeyemi", "samuel@demo.clinic", "+44 7700 900123"),
]
FIRST_NAMES = [
    "Amelia", "Bruno", "Chiara", "Daniel", "Elif", "Farid", "Greta", "Hugo", "Isla", "Jakub",
    "Keiko", "Lars", "Mina", "Nils", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara",
    "Umar", "Vera", "Wendy", "Xavier", "Yara", "Zoltan", "Agnes", "Boris", "Celine", "Dmitri",
    "Esme", "Felix", "Gwen", "Henrik", "Ines", "Jonah", "Kirsten", "Leon",
]
LAST_NAMES = [
    "Andersen", "Brennan", "Castillo", "Dubois", "Eriksen", "Fischer", "Gallagher", "Horvat",
    "Ivanova", "Jansen", "Kowalski", "Larsen", "Moreau", "Nakamura", "O'Brien", "Petrov",
    "Quist", "Rossi", "Schmidt", "Tanaka", "Ulrich", "Varga", "Walsh", "Yilmaz", "Zimmermann",
]
GENERATED_CLIENTS = 38
ON_PLANS = 28
SINGLE_VISITS = 6
WALK_IN = ("Edith Marsh", "+44 20 7946 0958")

# How far back courses of care begin, and how far ahead single visits are booked.
HISTORY_DAYS = 38
AHEAD_DAYS = 28


@dataclass
class DemoClinic:
    owner: User
    therapists: list[User] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    services: list = field(default_factory=list)
    appointments: list = field(default_factory=list)
    diary: Diary = field(default_factory=Diary)


@dataclass
class Story:
    """What happens to one client: `kind` is plan, visits, held, no_intake or check_in_hold."""

    client: Client
    kind: str
    therapist: User
    start_offset: int  # days from today of the first visit
    held: str | None = None  # a key of intake_demo.HELD_ANSWERS
    cleared: bool = False
    visits: int = 1
    service_index: int = 0
    shape: tuple[int, int] = (6, 3)
    baseline: int = 7
    restrictions: str | None = None
    letter: bool = False
    by_desk: bool = False
    intake_offset: int | None = None  # days from today of the intake, when not before the first visit
    checked_in: bool = False


class Timeline:
    """Events in time order; each runs as if it were its instant (only instants in the past)."""

    def __init__(self, now: datetime):
        self.now = now
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._n = 0

    def at(self, instant: datetime, action: Callable[[], None]) -> None:
        if instant < self.now:
            heapq.heappush(self._queue, (instant, self._n, action))
            self._n += 1

    def run(self) -> None:
        while self._queue:
            instant, _n, action = heapq.heappop(self._queue)
            with clock.replaying(instant):
                action()


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return clock.local_datetime(day, time(hour, minute))


def seed_demo_clinic() -> DemoClinic:
    today = clock.today()
    rng = random.Random(2026)
    opened = today - timedelta(days=HISTORY_DAYS + 21)
    with clock.replaying(local(opened, 8)):
        owner = create_staff_user(
            role="owner", email="owner@demo.clinic", name="Olivia Owner", password=DEMO_PASSWORD
        )
        demo = DemoClinic(owner=owner, logins=[("owner", owner.email)])
        update_clinic_settings(owner, DEMO_SETTINGS)
        for name, email in THERAPISTS:
            demo.therapists.append(
                create_staff_user(role="therapist", email=email, name=name, password=DEMO_PASSWORD)
            )
        front_desk = create_staff_user(
            role="front_desk", email="frank@demo.clinic", name="Frank Front Desk", password=DEMO_PASSWORD
        )
        seed_setup(demo)
    demo.logins.append(("therapist", demo.therapists[0].email))
    demo.logins.append(("front_desk", front_desk.email))
    timeline = Timeline(clock.now())
    stories = _stories(demo, rng, today)
    demo.logins.append(("client", demo.clients[0].email))
    for story in stories:
        _plot(demo, timeline, rng, today, story)
    timeline.run()
    _check_in_first_client(demo)
    # The demo's emails are made-up history, not news: drop what it queued, so the first
    # mail worker round does not mail invented addresses about it.
    db.session.execute(delete(OutboundEmail).where(OutboundEmail.sent_at.is_(None)))
    db.session.flush()
    return demo


def _register(demo, today: date, offset: int, name: str, email: str | None, phone: str | None) -> Client:
    # Before anything else of theirs, which is at the latest the evening before today.
    with clock.replaying(local(today + timedelta(days=min(offset, -3)), 19)):
        if email is None:
            client = register_client(name=name, email=None, password=None, phone=phone, actor=demo.owner)
        else:
            client = register_client(name=name, email=email, password=DEMO_PASSWORD, phone=phone)
    demo.clients.append(client)
    return client


def _stories(demo, rng: random.Random, today: date) -> list[Story]:
    """Who the clinic's clients are and what happens to each (the named ones are fixed)."""
    maya, tomas, aisha, jonas = demo.therapists
    swelling = intake_demo.CLEARANCES["swelling"]["restrictions"]
    mobility = intake_demo.CLEARANCES["mobility"]["restrictions"]
    fixed = [
        # Clara's is the clinic's first course in the demo (browser tests open "the first plan").
        Story(None, "plan", maya, -36, shape=(6, 3), baseline=7, intake_offset=-46),
        Story(None, "plan", tomas, -29, shape=(8, 3), baseline=8),
        Story(None, "plan", maya, -15, shape=(6, 2), baseline=6, by_desk=True),
        Story(None, "plan", aisha, -22, held="swelling", cleared=True, shape=(6, 2), baseline=6,
              restrictions=swelling),
        Story(None, "held", maya, 9, held="surgery", letter=True, intake_offset=-9),
        Story(None, "no_intake", tomas, 6),
    ]
    stories = []
    for story, (name, email, phone) in zip(fixed, NAMED_CLIENTS, strict=True):
        story.client = _register(demo, today, story.start_offset - 8, name, email, phone)
        stories.append(story)
    names = list(zip(FIRST_NAMES, rng.sample(LAST_NAMES * 2, len(FIRST_NAMES)), strict=True))
    therapists = [maya, tomas, aisha, jonas]
    for n, (first, last) in enumerate(names[:GENERATED_CLIENTS]):
        therapist = therapists[n % len(therapists)]
        special = n - ON_PLANS - SINGLE_VISITS
        if n < ON_PLANS:
            story = Story(None, "plan", therapist, rng.randint(-33, 7), shape=rng.choice(SHAPES),
                          service_index=1 if rng.random() < 0.2 else 0, baseline=rng.choice((6, 7, 7, 8)))
        elif n < ON_PLANS + SINGLE_VISITS:
            story = Story(None, "visits", therapist, rng.randint(-35, 0), visits=rng.choice((2, 3, 4)),
                          service_index=rng.choice((1, 2, 3)), baseline=rng.choice((4, 5, 6)))
        elif special == 0:
            story = Story(None, "held", therapist, 0, held="chronic", intake_offset=-3)
        elif special == 1:
            story = Story(None, "check_in_hold", therapist, -25, shape=(8, 3), baseline=7)
        elif special == 2:
            story = Story(None, "plan", therapist, -30, held="mobility", cleared=True, shape=(6, 3),
                          baseline=7, restrictions=mobility)
        else:
            story = Story(None, "held", therapist, 12, held="surgery", intake_offset=-5)
        email = f"{first}.{last}@demo.clinic".lower().replace("'", "")
        story.client = _register(demo, today, story.start_offset - 8, f"{first} {last}", email, None)
        stories.append(story)
    walk_in = Story(None, "visits", jonas, -20, visits=2, service_index=3, baseline=5, by_desk=True)
    walk_in.client = _register(demo, today, -21, *WALK_IN[:1], None, WALK_IN[1])
    stories.append(walk_in)
    return stories


def _plot(demo, timeline: Timeline, rng: random.Random, today: date, story: Story) -> None:
    """Put a story's first events on the timeline; later ones follow from them."""
    first_day = today + timedelta(days=story.start_offset)
    # Recent history is dated no later than last evening, so nothing is "made" in the future.
    recent = local(today, 0) - timedelta(hours=rng.randint(3, 30))
    intake_at = min(local(first_day - timedelta(days=rng.randint(3, 7)), rng.randint(8, 21)), recent)
    if story.intake_offset is not None:
        intake_at = local(today + timedelta(days=story.intake_offset), rng.randint(8, 21))
    if story.kind == "no_intake":
        timeline.at(min(local(first_day - timedelta(days=6), 11), recent),
                    lambda: _book_visits(demo, timeline, rng, story, first_day))
        return
    timeline.at(intake_at, lambda: _intake(demo, rng, story, today))
    if story.held and story.cleared:
        cleared_at = intake_at + timedelta(days=4, hours=2)
        timeline.at(cleared_at, lambda: _clear(demo, story, today))
    if story.kind == "held":
        if story.letter:
            timeline.at(min(intake_at + timedelta(days=6, hours=3), recent), lambda: _send_letter(story))
        if story.start_offset > 0:
            timeline.at(intake_at + timedelta(hours=1),
                        lambda: _book_visits(demo, timeline, rng, story, first_day))
        return
    planned_at = min(intake_at + timedelta(days=rng.randint(1, 2)), recent)
    if story.held and story.cleared:
        planned_at = min(max(planned_at, intake_at + timedelta(days=5)), recent)
    if story.kind == "visits":
        timeline.at(planned_at, lambda: _book_visits(demo, timeline, rng, story, first_day))
    else:
        timeline.at(planned_at, lambda: _plan(demo, timeline, rng, story, first_day))


def _intake(demo, rng: random.Random, story: Story, today: date) -> None:
    if story.held:
        answers = {**intake_demo.BASE, **intake_demo.HELD_ANSWERS[story.held]}
        if answers.get("recent_surgery"):
            answers["surgery_date"] = clock.today() - timedelta(days=31)
    else:
        answers = intake_demo.clear_answers(rng)
        answers["pain_level"] = min(answers["pain_level"], 7)
    actor = demo.owner if story.by_desk or story.client.user is None else story.client.user
    intake.submit_intake(actor, story.client.id, answers)


def _clear(demo, story: Story, today: date) -> None:
    details = intake_demo.CLEARANCES[story.held]
    valid_until = today + timedelta(days=24) if story.held == "swelling" else None
    clearances.grant_clearance(demo.owner, story.client.id, cleared_on=clock.today() - timedelta(days=1),
                           valid_until=valid_until, **details)


def _send_letter(story: Story) -> None:
    pdf = intake_demo.letter_pdf([
        "Dr. Ruth Lindgren, General Practice",
        f"Re: {story.client.name}",
        "I saw this patient after her left hip replacement.",
        "Gentle massage around the hip is safe from my point of view.",
        "Please avoid deep pressure over the scar and the front of the hip.",
    ])
    clearances.upload_clearance_letter(story.client.user, story.client.id,
                                   clearances.Letter("letter-dr-lindgren.pdf", pdf))


def _plan(demo, timeline: Timeline, rng: random.Random, story: Story, first_day: date) -> None:
    """Book a course of care through create_care_plan on the first weekday and time where the
    therapist and the client are free for every session."""
    service = demo.services[story.service_index]
    weekly, maintenance = story.shape
    # Planned from the next day on, whatever the story hoped: no course begins in its own past.
    first_day = max(first_day, clock.today() + timedelta(days=1))
    for day in (first_day + timedelta(days=n) for n in range(14)):
        candidates = demo.diary.starts_on(story.therapist.id, day, service.duration_minutes)
        rng.shuffle(candidates)
        for start in candidates:
            starts = session_starts(start, weekly, maintenance)
            if not all(demo.diary.free(story.therapist.id, story.client.id, s, service.duration_minutes)
                       for s in starts):
                continue
            try:
                plan = care.create_care_plan(
                    story.therapist, client_id=story.client.id, therapist_id=story.therapist.id,
                    service_id=service.id, first_start=start, weekly_sessions=weekly,
                    maintenance_sessions=maintenance,
                )
            except DomainError:
                continue
            for s in starts:
                demo.diary.book(story.therapist.id, story.client.id, s, service.duration_minutes)
            sessions = reading.plan_appointments(plan)
            demo.appointments.extend(sessions)
            for visit, appointment in enumerate(sessions):
                _settle(demo, timeline, rng, story, appointment, visit)
            return


def _book_visits(demo, timeline: Timeline, rng: random.Random, story: Story, first_day: date) -> None:
    """Single visits booked by phone: the story's therapist if free, else any colleague."""
    service = demo.services[story.service_index]
    day = first_day = max(first_day, clock.today() + timedelta(days=1))
    for visit in range(story.visits):
        appointment = None
        while appointment is None and day <= first_day + timedelta(days=60):
            therapists = [story.therapist] + [t for t in demo.therapists if t.id != story.therapist.id]
            for therapist in therapists:
                starts = demo.diary.starts_on(therapist.id, day, service.duration_minutes)
                rng.shuffle(starts)
                start = next((s for s in starts if demo.diary.free(
                    therapist.id, story.client.id, s, service.duration_minutes)), None)
                if start is None:
                    continue
                appointment = scheduling.book_appointment(
                    demo.owner, service_id=service.id, therapist_id=therapist.id, start=start,
                    client_id=story.client.id,
                )
                demo.diary.book(therapist.id, story.client.id, start, service.duration_minutes)
                break
            day += timedelta(days=1)
        if appointment is None:
            return
        demo.appointments.append(appointment)
        _settle(demo, timeline, rng, story, appointment, visit)
        day += timedelta(days=rng.randint(10, 24))


def _settle(demo, timeline: Timeline, rng: random.Random, story: Story, appointment: Appointment,
            visit: int) -> None:
    """What became of a visit: mostly it happened and its note was signed soon after; a few
    were missed or called off; a client held at a check-in had that visit postponed."""
    appointment_id = appointment.id
    therapist = appointment.therapist.user
    last_week = timedelta(days=1) < timeline.now - appointment.starts_at < timedelta(days=8)
    if story.kind == "check_in_hold" and last_week and not story.checked_in:
        story.checked_in = True  # the visit of the last week is where the fever came up
        timeline.at(appointment.starts_at - timedelta(hours=3), lambda: intake.submit_check_in(
            story.client.user, appointment_id,
            {"pain_level": 5, "fever_or_chills": True, "redness_or_warmth": True}))
        reason = "Postponed: fever at the check-in; waiting for a physician's clearance"
        timeline.at(appointment.starts_at - timedelta(hours=2),
                    lambda: scheduling.cancel_appointment(demo.owner, appointment_id, reason))
        return
    roll = rng.random()
    if roll < 0.05:
        timeline.at(appointment.starts_at + timedelta(minutes=20),
                    lambda: scheduling.mark_no_show(therapist, appointment_id))
        return
    if roll < 0.12:
        called = appointment.starts_at - timedelta(hours=rng.choice((5, 20, 30, 50, 75)))
        timeline.at(max(called, clock.now() + timedelta(minutes=5)), lambda: scheduling.cancel_appointment(
            demo.owner, appointment_id, rng.choice(("Client was unwell", "Client rescheduled by phone",
                                                    "Away for work"))))
        return
    pain = pain_on_arrival(rng, story.baseline, visit)
    note = demo_note(rng, pain, restrictions=story.restrictions)
    timeline.at(appointment.ends_at + signing_delay(rng),
                lambda: _sign(demo, therapist, appointment_id, note))


def _sign(demo, therapist: User, appointment_id: int, note) -> None:
    appointment = db.session.get(Appointment, appointment_id)
    if appointment.status != AppointmentStatus.BOOKED:
        return
    if note_blocker(appointment) is None:
        record_note(therapist, appointment_id, note)
    else:
        scheduling.cancel_appointment(demo.owner, appointment_id,
                                      "Postponed until the intake and clearance are done")


def _check_in_first_client(demo) -> None:
    """The first client has already answered the check-in for their next visit, if it is open."""
    client = demo.clients[0]
    now = clock.now()
    for appointment in sorted(demo.appointments, key=lambda a: a.starts_at):
        if appointment.client_id != client.id or appointment.status != AppointmentStatus.BOOKED:
            continue
        opens, closes = intake.check_in_window(appointment, client.user)
        if opens <= now < closes:
            intake.submit_check_in(client.user, appointment.id, {"pain_level": 4})
            return
