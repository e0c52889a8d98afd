"""Demo session notes for the past visits outside care plans, so reports have figures to show.

Relief differs by technique (made-up demo numbers, not clinical claims), so the owner's
"pain change by technique" table has something to compare.
"""

import random
from collections import defaultdict
from datetime import timedelta

from clinic import clock
from clinic.models import AppointmentStatus
from clinic.notes.services import NoteInput, note_blocker, record_note
from clinic.scheduling.services import cancel_appointment

# Technique -> typical drop in pain over one session, for the demo only.
TYPICAL_RELIEF = {
    "myofascial_release": 3.0,
    "trigger_point": 2.6,
    "deep_tissue": 2.4,
    "stretching": 1.8,
    "heat_therapy": 1.6,
    "swedish": 1.3,
    "cold_therapy": 1.0,
}
AREAS = (
    ["left hip"],
    ["right hip"],
    ["left hip", "lower back"],
    ["hip flexors", "glutes"],
    ["right hip", "IT band"],
)
# Visits of clients who cannot have notes (no intake, or held for clearance) older than this
# are shown as called off, so the "waiting for a note" lists stay to the recent ones.
KEEP_WAITING = timedelta(days=7)


def seed_notes(demo) -> None:
    """Sign a note for each past visit still open; call off old ones that cannot have one."""
    rng = random.Random(11)
    now = clock.now()
    visits = defaultdict(int)
    past = sorted(
        (a for a in demo.appointments if a.status == AppointmentStatus.BOOKED and a.starts_at < now),
        key=lambda a: a.starts_at,
    )
    for appointment in past:
        if note_blocker(appointment) is None:
            visits[appointment.client_id] += 1
            record_note(appointment.therapist.user, appointment.id, _note(rng, visits[appointment.client_id]))
        elif appointment.starts_at < now - KEEP_WAITING:
            cancel_appointment(
                demo.owner, appointment.id, "Postponed until the intake and clearance are done"
            )


def _note(rng: random.Random, visit: int) -> NoteInput:
    techniques = rng.sample(sorted(TYPICAL_RELIEF), rng.choice((1, 2, 2, 3)))
    before = max(2, min(9, 8 - visit // 2 + rng.choice((-1, 0, 0, 1))))
    relief = sum(TYPICAL_RELIEF[t] for t in techniques) / len(techniques) + rng.uniform(-0.8, 0.8)
    after = max(0, min(before, round(before - relief)))
    return NoteInput(
        techniques=techniques,
        areas=rng.choice(AREAS),
        pain_before=before,
        pain_after=after,
        subjective=f"Hip pain {before}/10 on arrival.",
        objective="Tenderness over the lateral hip; range of motion a little better than last time.",
        assessment="Responding to treatment." if after < before else "No change today.",
        plan="Continue as planned; walking and heat at home.",
    )
