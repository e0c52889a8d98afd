"""Demo data for scheduling (filled in by the scheduling work)."""


def seed_schedule(demo) -> None:
    """Services, working hours, and past and future appointments for the demo clinic."""
