"""Demo data for intake and clearance (filled in by the intake work)."""


def seed_intakes(demo) -> None:
    """Intakes for the demo clients, one of them held for physician clearance."""
