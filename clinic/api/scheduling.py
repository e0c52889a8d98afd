"""API routes: scheduling."""
