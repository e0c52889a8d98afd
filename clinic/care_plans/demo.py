"""Demo care plans: courses of weekly sessions, then monthly maintenance, as the seed
article's "Recovery" section describes, booked through create_care_plan (the real cadence)."""

from datetime import datetime

from clinic import clock
from clinic.care_plans import cadence

# (weekly sessions, monthly maintenance sessions): the shapes a therapist picks most.
SHAPES = [(6, 3), (8, 3), (6, 2), (4, 2), (5, 3), (8, 2)]


def session_starts(first_start: datetime, weekly: int, maintenance: int) -> list[datetime]:
    return [s.start for s in cadence.plan_sessions(first_start, weekly, maintenance, clock.clinic_zone())]
