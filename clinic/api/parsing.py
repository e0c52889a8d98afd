"""Reading request bodies as JSON, and query strings into checked values.

A body too large is a 413, one nested too deeply or not the JSON asked for a 400; its
members are then checked by the body's model (clinic.api.bodies). Every problem of a query
string is collected per parameter, then reported at once as a 422 in the contract's shape.
"""

import json
from datetime import date
from typing import Any

from flask import request

from clinic.errors import BadRequest, BodyTooLarge, ValidationFailed
from clinic.parsing import MAX_ID, known_id, parse_day
from clinic.text import UNSTORABLE_MESSAGE, storable

MISSING = object()
# The OpenAPI schema of an id: every value a record's id can take.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
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
    """Pulls typed values out of a query string, remembering every problem it finds.

    Bodies are read by their models (clinic.api.bodies); a query string is a few flat
    strings, read here.
    """

    def __init__(self, source: dict):
        self.source = source
        self.errors: dict[str, list[str]] = {}

    def problem(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

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

    def day(self, name: str, *, required: bool = True) -> date | None:
        value = self._raw(name, required)
        if value is MISSING:
            return None
        parsed = parse_day(value)
        if parsed is None:
            self.problem(name, "Must be a date as YYYY-MM-DD.")
        return parsed

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


