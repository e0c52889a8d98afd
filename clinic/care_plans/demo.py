"""Demo data for care plans and session notes: clients partway through a course of care.

Built through the real services: the plans are booked with create_care_plan (all or
nothing, on free weekly slots), and every past session gets a signed note whose pain
falls over the weekly phase, as the seed article's "Recovery" section describes.
"""

import random
from datetime import time, timedelta

from clinic import clock
from clinic.care_plans import cadence, services
from clinic.intake.services import has_intake, submit_intake
from clinic.intake.status import REQUIRED, clearance_status
from clinic.notes.services import NoteInput, record_note

# (client index, therapist index, weeks since the first session, weekly, maintenance, pain on arrival)
PLANS = [
    (0, 0, 5, 8, 3, [7, 6, 6, 5, 4, 3]),
    (1, 1, 4, 6, 2, [8, 7, 5, 5, 4]),
    (2, 0, 3, 6, 3, [6, 5, 5, 4]),
    (3, 2, 4, 6, 2, [7, 6, 5, 4, 4]),
]
TECHNIQUE_SETS = [
    ["swedish", "heat_therapy"],
    ["deep_tissue", "myofascial_release"],
    ["trigger_point", "stretching"],
    ["myofascial_release", "stretching", "heat_therapy"],
    ["deep_tissue", "trigger_point", "cold_therapy"],
    ["swedish", "stretching"],
]
AREAS = [
    ["left hip", "gluteus medius"],
    ["right hip", "piriformis"],
    ["hip flexors", "lower back"],
    ["IT band"],
]
CLEAN_INTAKE = {
    "consent": True,
    "pain_level": 6,
    "conditions": ["osteoarthritis"],
    "recent_surgery": False,
    "fever_or_chills": False,
    "redness_or_warmth": False,
    "sudden_swelling": False,
    "loss_of_mobility": False,
    "chronic_pain_unimproved": False,
    "notes": "Hip aches after long walks and when climbing stairs.",
}
PLAN_LIMIT = 3


def seed_care(demo) -> None:
    """Clients partway through care plans, with signed notes whose pain falls."""
    if not demo.therapists or not demo.clients or not demo.services:
        return
    rng = random.Random(5)
    service = demo.services[0]
    made = 0
    for client_index, therapist_index, weeks_ago, weekly, maintenance, pains in PLANS:
        if made >= PLAN_LIMIT or client_index >= len(demo.clients):
            continue
        client = demo.clients[client_index]
        therapist = demo.therapists[therapist_index % len(demo.therapists)]
        if not has_intake(client.id):
            submit_intake(demo.owner, client.id, CLEAN_INTAKE)
        if clearance_status(client, clock.today()) == REQUIRED:
            continue  # treatment notes wait for a physician's clearance
        first_start = _free_weekly_start(therapist.id, service, weeks_ago, weekly, maintenance)
        if first_start is None:
            continue
        plan = services.create_care_plan(
            therapist,
            client_id=client.id,
            therapist_id=therapist.id,
            service_id=service.id,
            first_start=first_start,
            weekly_sessions=weekly,
            maintenance_sessions=maintenance,
        )
        made += 1
        now = clock.now()
        past = [a for a in services.plan_appointments(plan) if a.ends_at <= now]
        for appointment, pain in zip(past, pains, strict=False):
            record_note(therapist, appointment.id, _note(rng, pain))
        demo.appointments.extend(services.plan_appointments(plan))


def _note(rng: random.Random, pain: int) -> NoteInput:
    relief = rng.choice((2, 2, 3))
    adverse = "Mild soreness the next day, eased with heat." if rng.random() < 0.15 else None
    return NoteInput(
        techniques=rng.choice(TECHNIQUE_SETS),
        areas=rng.choice(AREAS),
        pain_before=pain,
        pain_after=max(pain - relief, 0),
        subjective=f"Reports hip pain {pain}/10 on arrival; stairs and sitting long are hardest.",
        objective="Reduced internal rotation; tender points over the lateral hip.",
        assessment="Responding to treatment." if pain <= 5 else "Still guarded; gradual progress.",
        plan="Continue weekly; gentle walking and heat at home.",
        adverse_reaction=adverse,
    )


def _free_weekly_start(therapist_id, service, weeks_ago: int, weekly: int, maintenance: int):
    """The first weekday and time, `weeks_ago` weeks back, where every session of the plan is free."""
    today = clock.today()
    monday = today - timedelta(days=today.weekday(), weeks=weeks_ago)
    zone = clock.clinic_zone()
    for hour in (10, 14, 11, 15, 9, 13, 16, 12):
        for weekday in range(5):
            start = clock.local_datetime(monday + timedelta(days=weekday), time(hour))
            sessions = cadence.plan_sessions(start, weekly, maintenance, zone)
            if not services.schedule_conflicts(therapist_id, service, [s.start for s in sessions]):
                return start
    return None
