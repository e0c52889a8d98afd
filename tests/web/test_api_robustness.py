"""Bad input never gives a 500: every API route, fed wrong shapes, answers in the error shape.

The routes and their body fields are read from the OpenAPI document, so new endpoints are
covered as soon as they are described.
"""

import pytest

from tests.factories import bearer, make_appointment, make_client, make_owner, make_therapist

ODD_VALUES = [None, [], {}, "", "x" * 6000, 10**30, -1, 1.5, True, "2027-02-30", "2027-03-02T10:00:00", "a\x00b",
              ["a\x00b"]]
ODD_QUERIES = (
    "?from=2027-13-45&to=yesterday&service_id=abc&therapist_id=99999999999999999999999"
    "&client_id=-1&page=0&token=%00"
)
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
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            fields = list(body.get("schema", {}).get("properties", {}))
            yield path, method.upper(), fields


PER_FIELD_VALUES = [None, [], "x" * 6000, 10**30, "2027-02-30"]


def _bodies(fields):
    yield from ([], "text", 7, {}, {"unexpected": "field"})
    for value in ODD_VALUES:
        yield dict.fromkeys(fields, value)
    for field in fields:
        for value in PER_FIELD_VALUES:
            yield {field: value}


@pytest.mark.parametrize("role", ["owner", "client"])
def test_no_api_route_answers_500_to_odd_input(client, actors, role):
    checked = 0
    for path, method, fields in _operations(client):
        for ident in ("1", "999999999999999999999"):
            url = path.replace("{", "").replace("}", "")
            for name in ("client_id", "therapist_id", "appointment_id", "plan_id", "note_id", "intake_id",
                         "clearance_id", "id"):
                url = url.replace(name, ident)
            if method == "GET":
                response = client.get(url + ODD_QUERIES, headers=actors[role])
                assert response.status_code in ALLOWED, (method, url, response.status_code)
                checked += 1
                continue
            # An id too large for the database's integer type gets one plain body.
            bodies = _bodies(fields) if ident == "1" else [{}]
            for body in bodies:
                response = client.open(url, method=method, json=body, headers=actors[role])
                assert response.status_code in ALLOWED, (method, url, body, response.get_data(as_text=True)[:300])
                if response.status_code >= 400 and response.is_json:
                    assert set(response.get_json()) == {"error"}, (method, url)
                checked += 1
    assert checked > 500, checked
