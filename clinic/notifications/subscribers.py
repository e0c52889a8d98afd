"""Connects notifications to the appointment signals (filled in by the notifications work)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register signal receivers; called once from create_app."""
