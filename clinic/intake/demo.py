"""Demo data for intake and clearance, made through the real services.

Most demo clients have an intake with conditions from the article's "Causes"; one is held
for clearance after recent hip surgery; one was cleared by a physician with restrictions
and a clearance ending in a few weeks; the last has not filled in the form yet.
"""

from datetime import timedelta

from clinic import clock
from clinic.intake import services
from clinic.models import AppointmentStatus

BASE = {
    "consent": True,
    "recent_surgery": False,
    "fever_or_chills": False,
    "redness_or_warmth": False,
    "sudden_swelling": False,
    "loss_of_mobility": False,
    "chronic_pain_unimproved": False,
}
# Per demo client, in order: their answers (None: no intake yet).
ANSWERS = [
    {"pain_level": 5, "conditions": ["osteoarthritis"], "medications": "Paracetamol when needed",
     "notes": "Stiff in the mornings; aches after long walks and on stairs."},
    {"pain_level": 6, "conditions": ["sciatica", "injury"], "medications": "Ibuprofen 400 mg",
     "notes": "Strained the left hip playing football last spring; pain runs down the leg."},
    {"pain_level": 4, "conditions": ["bursitis"],
     "notes": "Sore on the outside of the right hip when lying on that side."},
    {"pain_level": 5, "conditions": ["labral_tear"], "sudden_swelling": True,
     "notes": "The hip swelled up after a hike three weeks ago."},
    {"pain_level": 4, "conditions": ["osteoarthritis"], "recent_surgery": True, "surgery_days_ago": 40,
     "medications": "Apixaban (blood thinner) after the operation",
     "notes": "Left hip replacement; physiotherapy twice a week."},
    None,
]
CLEARED = 3  # the client whose swelling a physician has looked at
CLEARANCE = {
    "physician_name": "Dr. Lena Meyer (GP)",
    "restrictions": "No deep tissue or trigger point work over the right hip; gentle pressure, side-lying.",
    "evidence": "Letter from Dr. Meyer seen at reception; ultrasound showed no fluid build-up.",
}


def seed_intakes(demo) -> None:
    """Intakes for the demo clients, one of them held for physician clearance."""
    today = clock.today()
    for index, (client, answers) in enumerate(zip(demo.clients, ANSWERS, strict=False)):
        if answers is None:
            continue
        answers = {**BASE, **answers}
        if days := answers.pop("surgery_days_ago", None):
            answers["surgery_date"] = today - timedelta(days=days)
        # Hannah filled hers in at the desk with the owner; the others online.
        actor = demo.owner if index == 2 or client.user is None else client.user
        services.submit_intake(actor, client.id, answers)
        if index == CLEARED:
            services.grant_clearance(
                demo.owner, client.id, cleared_on=today - timedelta(days=2),
                valid_until=today + timedelta(days=24), **CLEARANCE,
            )
    _check_in_first_client(demo)


def _check_in_first_client(demo) -> None:
    """The first client has already answered the check-in for their next visit, if it is open."""
    if not demo.clients or demo.clients[0].user is None:
        return
    client = demo.clients[0]
    now = clock.now()
    for appointment in sorted(demo.appointments, key=lambda a: a.starts_at):
        if appointment.client_id != client.id or appointment.status != AppointmentStatus.BOOKED:
            continue
        opens, closes = services.check_in_window(appointment, client.user)
        if opens <= now < closes:
            services.submit_check_in(client.user, appointment.id, {"pain_level": 4})
            return
