"""Bad input never gives a 500: every API route, fed wrong shapes, answers in the error shape.

The routes and their body fields are read from the OpenAPI document, so new endpoints are
covered as soon as they are described.
"""

import json

import pytest

from tests.factories import bearer, make_appointment, make_client, make_owner, make_therapist
from tests.openapi import body_schema

# Text the databases cannot store: a NUL (PostgreSQL) and lone surrogates (the UTF-8 encoder).
UNSTORABLE = ["a\x00b", "\ud800", "a\udfffb", ["\ud800"], {"\ud800": "\x00"}]
ODD_VALUES = [None, [], {}, {"a": {"b": [1]}}, "", "x" * 6000, 10**30, -1, 1.5, 1e308, True, "2027-02-30",
              "2027-03-02T10:00:00", "2038-01-19T03:14:08+00:00", "9999-12-31T23:59:59-12:00",
              "0001-01-01T00:00:00+14:00", "9999-12-31", "\ufffe\U0001f600", *UNSTORABLE]
ODD_QUERIES = [
    "?from=2027-13-45&to=yesterday&service_id=abc&therapist_id=99999999999999999999999&client_id=-1&page=0",
    "?token=%00",
    "?from=2038-01-20&to=2038-01-21&service_id=%C2%B2&plan_id=%C2%B2&q=%ED%A0%80",
]
ALLOWED = {200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 413, 422, 429}


@pytest.fixture
def actors(client):
    owner, therapist, me = make_owner(), make_therapist(hours=True), make_client()
    make_appointment(therapist=therapist, client=me)
    return {
        "owner": bearer(client, owner),
        "therapist": bearer(client, therapist.user.email),
        "client": bearer(client, me.email),
    }


def _operations(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            schema = body_schema(document, operation)
            if schema.get("type") == "array":  # a list of objects: the odd values go in one item
                yield path, method.upper(), list(schema.get("items", {}).get("properties", {})), True
            else:
                yield path, method.upper(), list(schema.get("properties", {})), False


PER_FIELD_VALUES = [None, [], {"x": 1}, "x" * 6000, 10**30, "2027-02-30", "2100-06-01T10:00:00+00:00", "\ud800",
                    ["a\x00b"]]
# Bodies nested deeper than any request needs, and deeper than Python's recursion limit.
DEEP_BODIES = ["[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000, "[" * 100_000 + "]" * 100_000,
               '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}"]


def _bodies(fields, in_array):
    yield from ([], "text", 7, {}, {"unexpected": "field"}, [{}], [None], [[]])

    def body(item):
        return [item] if in_array else item

    for value in ODD_VALUES:
        yield body(dict.fromkeys(fields, value))
    for field in fields:
        for value in PER_FIELD_VALUES:
            yield body({field: value})


@pytest.mark.parametrize("role", ["owner", "client"])
def test_no_api_route_answers_500_to_odd_input(client, actors, role):
    checked = 0
    for path, method, fields, in_array in _operations(client):
        for ident in ("1", "999999999999999999999"):
            url = path.replace("{", "").replace("}", "")
            for name in ("client_id", "therapist_id", "appointment_id", "plan_id", "note_id", "intake_id",
                         "clearance_id", "id"):
                url = url.replace(name, ident)
            if method == "GET":
                for query in ODD_QUERIES:
                    response = client.get(url + query, headers=actors[role])
                    assert response.status_code in ALLOWED, (method, url + query, response.status_code)
                    checked += 1
                continue
            # An id too large for the database's integer type gets one plain body.
            bodies = _bodies(fields, in_array) if ident == "1" else [{}]
            for body in bodies:
                # Encoded here, not by the test client, whose JSON would replace lone surrogates.
                response = client.open(url, method=method, data=json.dumps(body), content_type="application/json",
                                       headers=actors[role])
                assert response.status_code in ALLOWED, (method, url, body, response.get_data(as_text=True)[:300])
                if response.status_code >= 400 and response.is_json:
                    assert set(response.get_json()) == {"error"}, (method, url)
                checked += 1
            if ident == "1":
                for raw in DEEP_BODIES:
                    response = client.open(url, method=method, data=raw, content_type="application/json",
                                           headers=actors[role])
                    assert response.status_code in ALLOWED, (method, url, response.status_code)
                    assert response.is_json and set(response.get_json()) == {"error"}, (method, url)
                    checked += 1
    assert checked > 500, checked
