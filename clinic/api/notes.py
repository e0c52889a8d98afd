"""API routes: notes."""
