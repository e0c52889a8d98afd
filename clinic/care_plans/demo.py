"""Demo data for care plans and session notes (filled in by the care plans work)."""


def seed_care(demo) -> None:
    """Clients partway through care plans, with signed notes whose pain falls."""
