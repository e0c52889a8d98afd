"""Services carry a description (API additively, the owner's form) and prices typed in the clinic's currency."""

import pytest

from clinic.clinic_settings.services import update_clinic_settings
from clinic.extensions import db
from clinic.models import Service
from tests.factories import bearer, login, make_owner, make_service

API = "/api/v1"


def test_the_api_takes_and_lists_a_description_and_it_is_optional(client, app):
    headers = bearer(client, make_owner())
    body = {"name": "Hip relief 60", "duration_minutes": 60, "price_cents": 6500,
            "description": "Slow work on the hip."}
    created = client.post(f"{API}/services", headers=headers, json=body)
    assert created.status_code == 201 and created.get_json()["description"] == "Slow work on the hip."
    plain = client.post(f"{API}/services", headers=headers,
                        json={"name": "Back 30", "duration_minutes": 30, "price_cents": 3500})
    assert plain.status_code == 201 and plain.get_json()["description"] == ""
    listed = {s["name"]: s for s in client.get(f"{API}/services").get_json()}
    assert listed["Hip relief 60"]["description"] == "Slow work on the hip."
    assert set(listed["Back 30"]) == {"id", "name", "duration_minutes", "price_cents", "buffer_minutes",
                                      "description"}


@pytest.mark.parametrize("description", [12, "x" * 1001])
def test_a_bad_description_is_422(client, app, description):
    headers = bearer(client, make_owner())
    response = client.post(f"{API}/services", headers=headers, json={
        "name": "Hip", "duration_minutes": 60, "price_cents": 6500, "description": description})
    assert response.status_code == 422 and "description" in response.get_json()["error"]["fields"]


def test_the_owner_writes_a_description_and_a_price_in_the_clinic_s_currency(client, app):
    owner = make_owner()
    update_clinic_settings(owner, {"currency": "JPY"})
    login(client, owner.email)
    page = client.get("/setup").get_data(as_text=True)
    assert "Price (JPY)" in page and "For example 6500" in page
    client.post("/setup", data={"name": "Shiatsu", "description": "Pressure along the meridians.",
                                "duration_minutes": 60, "price": "6500", "buffer_minutes": 0})
    service = db.session.query(Service).filter_by(name="Shiatsu").one()
    assert (service.description, service.price_cents) == ("Pressure along the meridians.", 6500)
    refused = client.post("/setup", data={"name": "Fraction", "duration_minutes": 60, "price": "65.50",
                                          "buffer_minutes": 0}).get_data(as_text=True)
    assert "Enter an amount such as 6500." in refused


def test_editing_a_service_keeps_its_price_in_the_currency_s_units(client, app):
    owner = make_owner()
    service = make_service(name="Hip relief", price_cents=6550, description="Old words.")
    login(client, owner.email)
    page = client.get(f"/setup/services/{service.id}").get_data(as_text=True)
    assert 'value="65.50"' in page and "Old words." in page
    client.post(f"/setup/services/{service.id}", data={
        "name": "Hip relief", "description": "New words.", "duration_minutes": 60, "price": "70,5",
        "buffer_minutes": 0, "is_active": "y"})
    assert (service.description, service.price_cents) == ("New words.", 7050)
