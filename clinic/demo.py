"""The demo clinic that `flask seed-demo` creates, built through the real services."""

from dataclasses import dataclass, field

from sqlalchemy import delete

from clinic.auth.services import create_staff_user, register_client
from clinic.care_plans.demo import seed_care
from clinic.clinic_settings.services import update_clinic_settings
from clinic.extensions import db
from clinic.intake.demo import seed_intakes
from clinic.models import Client, OutboundEmail, User
from clinic.notes.demo import seed_notes
from clinic.scheduling.demo import seed_schedule

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
]
CLIENTS = [
    ("Clara Jensen", "clara@demo.clinic", "+45 20 11 22 33"),
    ("Peter Novak", "peter@demo.clinic", "+420 601 222 333"),
    ("Hannah Okafor", "hannah@demo.clinic", None),
    ("Luis Fernández", "luis@demo.clinic", "+34 600 111 222"),
    ("Ingrid Haugen", "ingrid@demo.clinic", None),
    ("Samuel Adeyemi", "samuel@demo.clinic", "+44 7700 900123"),
]


@dataclass
class DemoClinic:
    owner: User
    therapists: list[User] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    # Filled by later steps, for the steps after them.
    services: list = field(default_factory=list)
    appointments: list = field(default_factory=list)


def seed_demo_clinic() -> DemoClinic:
    owner = create_staff_user(
        role="owner", email="owner@demo.clinic", name="Olivia Owner", password=DEMO_PASSWORD
    )
    demo = DemoClinic(owner=owner, logins=[("owner", owner.email)])
    update_clinic_settings(owner, DEMO_SETTINGS)
    for name, email in THERAPISTS:
        demo.therapists.append(
            create_staff_user(role="therapist", email=email, name=name, password=DEMO_PASSWORD)
        )
    demo.logins.append(("therapist", demo.therapists[0].email))
    front_desk = create_staff_user(
        role="front_desk", email="frank@demo.clinic", name="Frank Front Desk", password=DEMO_PASSWORD
    )
    demo.logins.append(("front_desk", front_desk.email))
    for name, email, phone in CLIENTS:
        demo.clients.append(register_client(name=name, email=email, password=DEMO_PASSWORD, phone=phone))
    demo.logins.append(("client", demo.clients[0].email))
    # Each part of the clinic adds its own demo data, in dependency order.
    seed_schedule(demo)
    seed_intakes(demo)
    seed_care(demo)
    seed_notes(demo)
    # The demo's bookings are made-up history, not news: drop the confirmations they queued,
    # so the first `send-reminders` does not mail invented addresses about them.
    db.session.execute(delete(OutboundEmail).where(OutboundEmail.sent_at.is_(None)))
    return demo
