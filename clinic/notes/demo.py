"""Demo session notes: pain that falls over a course of care, in a therapist's words.

Relief differs by technique (made-up demo numbers, not clinical claims), so the owner's
"pain change by technique" table has something to compare.
"""

import random
from datetime import timedelta

from clinic.notes.services import NoteInput

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
    ["left hip", "gluteus medius"],
    ["right hip", "piriformis"],
)
# Most notes are signed between clients; some at the end of the day.
SIGNING_DELAYS_MINUTES = (4, 6, 8, 10, 12, 15, 20, 25, 35, 50, 90, 150, 240)


def signing_delay(rng: random.Random) -> timedelta:
    return timedelta(minutes=rng.choice(SIGNING_DELAYS_MINUTES))


def pain_on_arrival(rng: random.Random, baseline: int, visit: int) -> int:
    """Pain falls about half a point a visit over a course of care, with ordinary ups and downs."""
    return max(1, min(9, round(baseline - 0.55 * visit + rng.choice((-1, 0, 0, 0, 1)))))


def demo_note(rng: random.Random, before: int, *, restrictions: str | None = None) -> NoteInput:
    techniques = rng.sample(sorted(TYPICAL_RELIEF), rng.choice((1, 2, 2, 3)))
    if restrictions and "deep tissue" in restrictions.lower():
        techniques = [t for t in techniques if t not in ("deep_tissue", "trigger_point")] or ["swedish"]
    relief = sum(TYPICAL_RELIEF[t] for t in techniques) / len(techniques) + rng.uniform(-0.8, 0.8)
    after = max(0, min(before, round(before - relief)))
    adverse = "Mild soreness the next day, eased with heat." if rng.random() < 0.06 else None
    return NoteInput(
        techniques=techniques,
        areas=rng.choice(AREAS),
        pain_before=before,
        pain_after=after,
        subjective=f"Hip pain {before}/10 on arrival; stairs and sitting long are hardest.",
        objective="Tenderness over the lateral hip; range of motion a little better than last time.",
        assessment="Responding to treatment." if after < before else "No change today.",
        plan="Continue as planned; walking and heat at home.",
        adverse_reaction=adverse,
    )
