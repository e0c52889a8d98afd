"""Ids, days and instants read from text: one reading for pages, links and the API.

A value that cannot be read is None (or, for the API's typed fields, a ValueError), never an
exception a request would turn into a 500.
"""

from datetime import UTC, date, datetime
from typing import Any

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # ids are 32-bit integers; larger ones can only be unknown
# What an id outside 1..MAX_ID reads as: one no record has, so the request goes on exactly as
# for any unknown id ("No such ...", or an empty list), and the database never sees an integer
# it cannot bind (SQLite stops at 2**63 - 1).
UNKNOWN_ID = -1


def digits_up_to(limit: int) -> str:
    """A regular expression for the whole numbers 0..limit (leading zeros allowed)."""
    digits = str(limit)
    width = len(digits)
    shorter = [f"[0-9]{{1,{width - 1}}}"] if width > 1 else []
    # Same width: equal to limit up to position i, smaller there, anything after.
    same_width = [
        f"{digits[:i]}[0-{int(d) - 1}][0-9]{{{width - i - 1}}}" for i, d in enumerate(digits) if d != "0"
    ]
    return "0*(?:" + "|".join([*shorter, *same_width, digits]) + ")"


class IdConverter(IntegerConverter):
    """`<int:...>` whose pattern stops at MAX_ID, so a URL with a larger id matches no route: a 404.

    SQLite cannot even bind an integer above 2**63 - 1 (OverflowError, a 500). Refusing in
    the pattern rather than in to_python matters: werkzeug answers 405, not 404, when a
    converter refuses a path that another method's rule shares.
    """

    regex = digits_up_to(MAX_ID)


def instant(value: Any) -> datetime:
    """The UTC instant of an ISO 8601 date-time with an offset.

    ValueError when it is not one; OverflowError when it is, but its UTC time falls
    outside years 1-9999 (0001-01-01T00:00:00+01:00).
    """
    if not isinstance(value, str):
        raise ValueError("not a string")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    if parsed.tzinfo is None:
        raise ValueError("no offset")
    return parsed.astimezone(UTC)


def parse_instant(value: Any) -> datetime | None:
    try:
        return instant(value)
    except (ValueError, OverflowError):
        return None


def parse_day(value: Any) -> date | None:
    """A date written YYYY-MM-DD, nothing shorter or longer."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_id(raw: str | None) -> int | None:
    """An id from a form or a link; a number beyond MAX_ID cannot name a record.

    Only ASCII digits: str.isdigit() also accepts '²', which int() refuses.
    """
    raw = raw or ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 10 and int(raw) <= MAX_ID else None


def known_id(value: int | None) -> int | None:
    """An id as given, or UNKNOWN_ID when it is outside 1..MAX_ID."""
    return value if value is None or 1 <= value <= MAX_ID else UNKNOWN_ID
