"""Reading JSON bodies and query strings into checked values.

Every problem is collected per field, then reported at once as a 422 in the contract's
shape; a body that is not a JSON object is a 400.
"""

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask import request

from clinic.errors import BadRequest, BodyTooLarge, ValidationFailed
from clinic.parsing import MAX_ID, instant, known_id, parse_day
from clinic.text import UNSTORABLE_MESSAGE, storable

MISSING = object()
DEFAULT_MAX_TEXT = 5000
# The OpenAPI schema of an id: every value a record's id can take.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
OUT_OF_RANGE_INSTANT = "Is too far in the past or the future."
# No request of this API comes near these: the largest is a note's four texts, the deepest an
# array of objects holding lists. Deeper JSON would only exhaust the decoder's recursion.
MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32


TOO_DEEP = object()


def _too_deep(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def json_body() -> Any:
    """The decoded JSON body; None when the body is not JSON (a 400 for the callers).

    Too large is a 413 and nested too deeply a 400, both before anything is decoded further.
    """
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise BodyTooLarge(f"The request body may be at most {MAX_JSON_BYTES // 1024} KiB.")
    data = request.get_data(cache=True)
    if len(data) > MAX_JSON_BYTES:
        raise BodyTooLarge(f"The request body may be at most {MAX_JSON_BYTES // 1024} KiB.")
    if not request.is_json:
        return None
    try:
        body = json.loads(data)
    except RecursionError:
        body = TOO_DEEP
    except ValueError:
        return None
    if body is TOO_DEEP or (isinstance(body, dict | list) and _too_deep(body, MAX_JSON_DEPTH)):
        raise BadRequest(f"The request body is nested more than {MAX_JSON_DEPTH} levels deep.")
    return body


def json_object() -> dict:
    body = json_body()
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    return body


def optional_json_object() -> dict:
    """A body that may be absent; when present it must be a JSON object."""
    if not request.get_data():
        return {}
    return json_object()


def json_array() -> list:
    body = json_body()
    if not isinstance(body, list):
        raise BadRequest("The request body must be a JSON array.")
    return body


class Reader:
    """Pulls typed fields out of a mapping, remembering every problem it finds."""

    def __init__(self, source: dict, prefix: str = ""):
        self.source = source
        self.prefix = prefix
        self.errors: dict[str, list[str]] = {}

    def problem(self, name: str, message: str) -> None:
        self.errors.setdefault(self.prefix + name, []).append(message)

    def _raw(self, name: str, required: bool) -> Any:
        value = self.source.get(name, MISSING)
        if value is MISSING or value is None:
            if required:
                self.problem(name, "This field is required.")
            return MISSING
        if not storable(value):
            self.problem(name, UNSTORABLE_MESSAGE)
            return MISSING
        return value

    def integer(
        self, name: str, *, required: bool = True, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        value = self._raw(name, required)
        if value is MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(name, "Must be a whole number.")
            return None
        if minimum is not None and value < minimum:
            self.problem(name, f"Must be at least {minimum}.")
            return None
        if maximum is not None and value > maximum:
            self.problem(name, f"Must be at most {maximum}.")
            return None
        return value

    def record_id(self, name: str, *, required: bool = True) -> int | None:
        """An id; one outside 1..MAX_ID reads as UNKNOWN_ID, so it is not found like any unknown id."""
        return known_id(self.integer(name, required=required))

    def text(
        self,
        name: str,
        *,
        required: bool = True,
        max_length: int = DEFAULT_MAX_TEXT,
        allow_blank: bool = False,
    ) -> str | None:
        value = self._raw(name, required)
        if value is MISSING:
            return None
        if not isinstance(value, str):
            self.problem(name, "Must be a string.")
            return None
        if not allow_blank and not value.strip():
            if required:
                self.problem(name, "Must not be blank.")
            return None
        if len(value) > max_length:
            self.problem(name, f"Must be at most {max_length} characters.")
            return None
        return value

    def boolean(self, name: str, *, required: bool = True, default: bool | None = None) -> bool | None:
        value = self._raw(name, required)
        if value is MISSING:
            return default
        if not isinstance(value, bool):
            self.problem(name, "Must be true or false.")
            return None
        return value

    def instant(self, name: str, *, required: bool = True) -> datetime | None:
        """An ISO 8601 date-time with an offset, returned in UTC."""
        value = self._raw(name, required)
        if value is MISSING:
            return None
        try:
            return instant(value)
        except OverflowError:
            self.problem(name, OUT_OF_RANGE_INSTANT)
        except ValueError:
            self.problem(
                name, "Must be an ISO 8601 date-time with an offset, like 2027-03-02T10:00:00+01:00."
            )
        return None

    def day(self, name: str, *, required: bool = True) -> date | None:
        value = self._raw(name, required)
        if value is MISSING:
            return None
        parsed = parse_day(value)
        if parsed is None:
            self.problem(name, "Must be a date as YYYY-MM-DD.")
        return parsed

    def codes(
        self, name: str, allowed: Iterable[str], *, required: bool = True, allow_empty: bool = True
    ) -> list[str] | None:
        """A list of known codes, without repeats, in the order given."""
        value = self._raw(name, required)
        if value is MISSING:
            return None if required else []
        allowed = tuple(allowed)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(name, "Must be a list of strings.")
            return None
        unknown = [v for v in value if v not in allowed]
        if unknown:
            self.problem(name, f"Unknown codes: {', '.join(unknown)}. Known: {', '.join(allowed)}.")
            return None
        if not value and not allow_empty:
            self.problem(name, "Give at least one.")
            return None
        return list(dict.fromkeys(value))

    def strings(
        self, name: str, *, required: bool = True, max_items: int = 50, max_length: int = 100
    ) -> list[str] | None:
        value = self._raw(name, required)
        if value is MISSING:
            return None if required else []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(name, "Must be a list of strings.")
            return None
        if len(value) > max_items:
            self.problem(name, f"At most {max_items} items.")
            return None
        if any(len(v) > max_length for v in value):
            self.problem(name, f"Each item must be at most {max_length} characters.")
            return None
        return [v.strip() for v in value if v.strip()]

    def check(self) -> None:
        """Raise the collected problems, if any, as one 422."""
        if self.errors:
            raise ValidationFailed(fields=self.errors)





def query_reader() -> Reader:
    """Query-string parameters are strings; the typed helpers below read them."""
    return Reader(request.args.to_dict())


def query_day(reader: Reader, name: str, *, required: bool = True) -> date | None:
    return reader.day(name, required=required)


def query_int(reader: Reader, name: str, *, required: bool = True) -> int | None:
    raw = reader._raw(name, required)
    if raw is MISSING:
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        reader.problem(name, "Must be a whole number.")
        return None


def query_id(reader: Reader, name: str, *, required: bool = True) -> int | None:
    return known_id(query_int(reader, name, required=required))


