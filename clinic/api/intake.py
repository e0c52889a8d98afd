"""API routes: intake."""
