"""API routes: care_plans."""
