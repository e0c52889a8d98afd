"""API routes: reports."""
