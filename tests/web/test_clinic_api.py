"""GET /clinic (public) and PATCH /clinic (owner): the contract's shape, refusals, and the rules it drives."""

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from clinic.extensions import db
from clinic.models import AuditEntry, ClinicSettings
from tests.factories import bearer, make_appointment, make_client, make_owner, make_therapist
from tests.openapi import body_schema

API = "/api/v1"
FIELDS = {"name", "address", "phone", "email", "time_zone", "currency", "cancellation_notice_hours",
          "require_staff_two_factor"}


@pytest.fixture
def owner_headers(client, app):
    return bearer(client, make_owner())


def test_anyone_reads_the_environment_s_first_values(client, app):
    app.config.update(CLINIC_NAME="Hip Clinic", CLINIC_PHONE="", CLINIC_CURRENCY="EUR")
    body = client.get(f"{API}/clinic").get_json()
    assert set(body) == FIELDS
    assert body["name"] == "Hip Clinic"
    assert (body["address"], body["phone"], body["email"]) == ("", "", "")
    assert body["currency"] == "EUR"
    assert body["time_zone"] == app.config["CLINIC_TIMEZONE"]
    assert body["cancellation_notice_hours"] == app.config["CANCELLATION_NOTICE_HOURS"]
    assert body["require_staff_two_factor"] is False


def test_the_owner_patches_some_fields_and_gets_the_whole_object(client, owner_headers):
    response = client.patch(f"{API}/clinic", headers=owner_headers, json={
        "phone": "+44 20 7946 0000", "currency": "GBP", "cancellation_notice_hours": 48})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == FIELDS
    assert (body["phone"], body["currency"], body["cancellation_notice_hours"]) == ("+44 20 7946 0000", "GBP", 48)
    assert client.get(f"{API}/clinic").get_json() == body
    assert db.session.query(AuditEntry).filter_by(action="clinic_settings.updated").count() == 1


@pytest.mark.parametrize("role", ["therapist", "client"])
def test_others_may_not_change_the_settings(client, app, role):
    user = make_therapist().user if role == "therapist" else make_client().user
    response = client.patch(f"{API}/clinic", headers=bearer(client, user), json={"currency": "USD"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert db.session.get(ClinicSettings, 1) is None


def test_without_a_token_patch_is_401(client, app):
    assert client.patch(f"{API}/clinic", json={"currency": "USD"}).status_code == 401


@pytest.mark.parametrize("changes, field", [
    ({"currency": "EURO"}, "currency"),
    ({"currency": "XXX"}, "currency"),
    ({"currency": 978}, "currency"),
    ({"email": "not an email"}, "email"),
    ({"cancellation_notice_hours": -1}, "cancellation_notice_hours"),
    ({"cancellation_notice_hours": "24"}, "cancellation_notice_hours"),
    ({"cancellation_notice_hours": 10_000}, "cancellation_notice_hours"),
    ({"require_staff_two_factor": "yes"}, "require_staff_two_factor"),
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"phone": "x" * 41}, "phone"),
    ({"address": "a\x00b"}, "address"),
])
def test_a_bad_value_is_422_with_its_field_and_changes_nothing(client, owner_headers, changes, field):
    before = client.get(f"{API}/clinic").get_json()
    response = client.patch(f"{API}/clinic", headers=owner_headers, json={"phone": "555-0100", **changes})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and field in error["fields"]
    assert client.get(f"{API}/clinic").get_json() == before


def test_a_body_that_is_not_an_object_is_400(client, owner_headers):
    response = client.patch(f"{API}/clinic", headers=owner_headers, json=["currency", "USD"])
    assert response.status_code == 400


def test_the_openapi_document_describes_both(client, app):
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    assert paths["/api/v1/clinic"]["get"]["security"] == []
    patch = paths["/api/v1/clinic"]["patch"]
    document = client.get(f"{API}/openapi.json").get_json()
    assert set(body_schema(document, patch)["properties"]) == FIELDS - {"time_zone"}
    assert {"403", "422"} <= set(patch["responses"])


@freeze_time("2030-01-07 08:00:00")
def test_the_saved_notice_hours_are_the_cancel_and_move_rule(client, app):
    owner_headers = bearer(client, make_owner())  # inside the frozen clock: a token made now is valid then
    me = make_client()
    visit = make_appointment(client=me, start=datetime(2030, 1, 8, 20, tzinfo=UTC))  # 36 hours ahead
    mine = bearer(client, me.user)
    saved = client.patch(f"{API}/clinic", headers=owner_headers, json={"cancellation_notice_hours": 48})
    assert saved.status_code == 200, saved.get_json()
    moved = client.patch(f"{API}/appointments/{visit.id}", headers=mine,
                         json={"start": "2030-01-10T10:00:00+00:00"})
    assert moved.status_code == 409 and moved.get_json()["error"]["code"] == "too_late_to_cancel"
    refused = client.post(f"{API}/appointments/{visit.id}/cancel", headers=mine)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "too_late_to_cancel"
    client.patch(f"{API}/clinic", headers=owner_headers, json={"cancellation_notice_hours": 12})
    cancelled = client.post(f"{API}/appointments/{visit.id}/cancel", headers=mine)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
