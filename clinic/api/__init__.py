"""The JSON API v1: thin views over the same services the pages use."""

from clinic.api import (  # noqa: F401  (each module registers its routes on bp)
    accounts,
    care_plans,
    clinic,
    intake,
    notes,
    openapi,
    records,
    reports,
    scheduling,
    waitlist,
)
from clinic.api.blueprint import bp

__all__ = ["bp"]
