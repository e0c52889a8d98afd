"""GET /api/v1/reports/summary: the contract's shape, access and validation."""

import pytest

from clinic import clock
from tests.factories import bearer, make_client, make_owner, make_therapist
from tests.reports_factories import EXPECTED_SUMMARY, build_known_clinic, expected_utilisation

URL = "/api/v1/reports/summary"


def test_owner_gets_every_figure(client):
    clinic = build_known_clinic(clock.now())
    response = client.get(f"{URL}?from=2030-01-07&to=2030-01-09", headers=bearer(client, clinic.owner))
    assert response.status_code == 200
    body = response.get_json()
    assert body == {**EXPECTED_SUMMARY, "utilisation": expected_utilisation(clinic)}


def test_an_empty_range_answers_zeros(client):
    owner = make_owner()
    response = client.get(f"{URL}?from=2031-02-01&to=2031-02-28", headers=bearer(client, owner))
    assert response.status_code == 200
    assert response.get_json()["appointments"] == {"booked": 0, "completed": 0, "cancelled": 0, "no_show": 0}
    assert response.get_json()["revenue_cents"] == 0


@pytest.mark.parametrize("role", ["therapist", "client"])
def test_therapists_and_clients_get_403(client, role):
    user = make_therapist().user if role == "therapist" else make_client().user
    response = client.get(f"{URL}?from=2030-01-07&to=2030-01-09", headers=bearer(client, user))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_no_token_is_401(client):
    assert client.get(f"{URL}?from=2030-01-07&to=2030-01-09").status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2030-01-09&to=2030-01-08", "to"),
        ("to=2030-01-08", "from"),
        ("from=2030-01-08", "to"),
        ("from=2030-02-30&to=2030-03-01", "from"),
        ("from=yesterday&to=2030-03-01", "from"),
        ("from=2030-01-01T00:00&to=2030-03-01", "from"),
        ("from=2030-01-01&to=9999-12-31", "to"),
    ],
)
def test_bad_dates_are_422_with_fields(client, query, field):
    owner = make_owner()
    response = client.get(f"{URL}?{query}", headers=bearer(client, owner))
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_the_summary_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/reports/summary"]

