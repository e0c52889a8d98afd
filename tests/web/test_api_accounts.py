"""Accounts over the API: sign-up, tokens, /me, privacy and the error shape."""

import pytest
from sqlalchemy import func, select

from clinic.auth.services import set_user_disabled
from clinic.extensions import db
from clinic.models import Client, User
from tests.factories import PASSWORD, bearer, make_appointment, make_client, make_owner, make_therapist


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def assert_error(response, status: int, code: str | None = None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_sign_up_returns_the_client_and_lets_them_log_in(client):
    response = client.post(
        "/api/v1/clients",
        json={"name": "Ada Client", "email": "Ada@Example.test", "password": "long-enough-1"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["email"] == "ada@example.test"
    assert body["clearance_status"] == "not_required"
    token = client.post("/api/v1/tokens", json={"email": "ada@example.test", "password": "long-enough-1"})
    assert token.status_code == 201
    assert token.get_json()["user"]["role"] == "client"


def test_sign_up_with_a_taken_email_is_409_and_saves_nothing(client):
    make_client(email="taken@example.test")
    before = count(User), count(Client)
    response = client.post(
        "/api/v1/clients", json={"name": "B", "email": "TAKEN@example.test", "password": "long-enough-1"}
    )
    assert_error(response, 409, "email_taken")
    assert (count(User), count(Client)) == before


def test_staff_email_is_taken_for_clients_too(client):
    owner = make_owner()
    response = client.post(
        "/api/v1/clients", json={"name": "B", "email": owner.email, "password": "long-enough-1"}
    )
    assert_error(response, 409, "email_taken")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "a@example.test", "password": "long-enough-1"}, "name"),
        ({"name": "A", "password": "long-enough-1"}, "email"),
        ({"name": "A", "email": "a@example.test"}, "password"),
        ({"name": None, "email": "a@example.test", "password": "long-enough-1"}, "name"),
        ({"name": 12, "email": "a@example.test", "password": "long-enough-1"}, "name"),
        ({"name": "A" * 121, "email": "a@example.test", "password": "long-enough-1"}, "name"),
        ({"name": "A", "email": "not-an-email", "password": "long-enough-1"}, "email"),
        ({"name": "A", "email": "a@example.test", "password": "short1"}, "password"),
        ({"name": "A", "email": "a@example.test", "password": "onlyletterslong"}, "password"),
        ({"name": "A", "email": "a@example.test", "password": "12345678901"}, "password"),
        ({"name": "A", "email": "a@example.test", "password": "long-enough-1", "phone": 5}, "phone"),
    ],
)
def test_bad_sign_up_fields_are_422_with_the_field_named(client, body, field):
    before = count(User), count(Client)
    error = assert_error(client.post("/api/v1/clients", json=body), 422)
    assert field in error["fields"]
    assert (count(User), count(Client)) == before


@pytest.mark.parametrize("payload", ["[1, 2]", '"text"', "{not json", ""])
def test_a_body_that_is_not_a_json_object_is_400(client, payload):
    response = client.post("/api/v1/clients", data=payload, content_type="application/json")
    assert_error(response, 400, "bad_request")


def test_staff_may_register_a_walk_in_client_without_a_login(client):
    owner = make_owner()
    response = client.post("/api/v1/clients", json={"name": "Walk In"}, headers=bearer(client, owner))
    assert response.status_code == 201
    walk_in = db.session.get(Client, response.get_json()["id"])
    assert walk_in.user_id is None


def test_wrong_password_is_401_in_the_error_shape(client):
    user = make_owner()
    assert_error(client.post("/api/v1/tokens", json={"email": user.email, "password": "nope-nope-1"}), 401)
    assert_error(client.post("/api/v1/tokens", json={"email": "ghost@example.test", "password": "x"}), 401)


def test_missing_or_bad_token_is_401(client):
    assert_error(client.get("/api/v1/me"), 401, "unauthenticated")
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}), 401)
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Basic abc"}), 401)


def test_a_token_of_a_disabled_user_is_refused(client):
    user = make_owner()
    headers = bearer(client, user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    set_user_disabled(user, True)
    assert_error(client.get("/api/v1/me", headers=headers), 401)
    assert_error(client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}), 401)


def test_me_tells_a_client_their_client_id(client):
    me = make_client()
    body = client.get("/api/v1/me", headers=bearer(client, me.email)).get_json()
    assert body["role"] == "client"
    assert body["client_id"] == me.id


def test_a_client_cannot_read_another_clients_record(client):
    me, other = make_client(), make_client()
    response = client.get(f"/api/v1/clients/{other.id}", headers=bearer(client, me.email))
    assert_error(response, 404, "not_found")
    assert_error(client.get("/api/v1/clients/999999", headers=bearer(client, me.email)), 404)


def test_a_therapist_sees_only_clients_on_their_calendar(client):
    therapist, stranger = make_therapist(), make_client()
    treated = make_client()
    make_appointment(therapist=therapist, client=treated)
    make_appointment(client=stranger)  # another therapist's client, so not a new one
    headers = bearer(client, therapist.user.email)
    assert client.get(f"/api/v1/clients/{treated.id}", headers=headers).status_code == 200
    assert_error(client.get(f"/api/v1/clients/{stranger.id}", headers=headers), 404)


def test_the_owner_sees_every_client(client):
    owner, someone = make_owner(), make_client()
    assert client.get(f"/api/v1/clients/{someone.id}", headers=bearer(client, owner)).status_code == 200


def test_unknown_api_routes_and_methods_answer_json(client):
    assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_error(client.post("/api/v1/no/such/thing", json={}), 404)
    assert_error(client.delete("/api/v1/me"), 405, "method_not_allowed")


def test_openapi_document_lists_the_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/tokens" in document["paths"]
    assert "post" in document["paths"]["/api/v1/clients"]
    assert "/api/v1/clients/{client_id}" in document["paths"]


def test_openapi_document_is_valid_openapi_3_1(client):
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    operations = [op for methods in document["paths"].values() for op in methods.values()]
    assert len({op["operationId"] for op in operations}) == len(operations)
