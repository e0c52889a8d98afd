"""The scheduling pages: one blueprint, `scheduling`, its routes split by page group.

`base` holds the blueprint and what every page shares; importing each page module registers
its routes and panels on it (in this order, the order they were written in).
"""

from clinic.scheduling.views import (  # noqa: F401  (imported for their routes and panels)
    appointment,
    booking,
    calendars,
    panels,
    setup,
)
from clinic.scheduling.views.base import bp

__all__ = ["bp"]
