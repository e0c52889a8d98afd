"""The owner's settings page, and the saved details on every page: name, contact, currency."""

import re
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from clinic.clinic_settings.services import update_clinic_settings
from clinic.extensions import db
from clinic.models import ClinicSettings
from tests.factories import login, make_appointment, make_client, make_owner, make_service, make_therapist

GOOD = {
    "name": "Riverside Massage", "address": "1 River Lane\nLondon E1 1AA", "phone": "+44 20 7946 0000",
    "email": "hello@riverside.example", "currency": "GBP", "cancellation_notice_hours": "48",
}


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _save(http, data: dict):
    token = _csrf(http.get("/clinic-settings").get_data(as_text=True))
    return http.post("/clinic-settings", data={"csrf_token": token, **data})


def test_the_owner_has_a_settings_link_and_others_do_not(client, app):
    owner = make_owner()
    therapist = make_therapist()
    login(client, owner.email)
    assert 'href="/clinic-settings"' in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": _csrf(client.get("/").get_data(as_text=True))})
    login(client, therapist.user.email)
    assert 'href="/clinic-settings"' not in client.get("/").get_data(as_text=True)
    assert client.get("/clinic-settings").status_code == 403


def test_the_owner_saves_the_settings(client, app):
    login(client, make_owner().email)
    response = _save(client, {**GOOD, "require_staff_two_factor": "y"})
    assert response.status_code == 302
    row = db.session.get(ClinicSettings, 1)
    assert (row.name, row.currency, row.cancellation_notice_hours, row.require_staff_two_factor) == (
        "Riverside Massage", "GBP", 48, True)
    # Two-step sign-in is now required of staff, the owner included: enrolment comes first.
    assert client.get("/clinic-settings").headers["Location"].endswith("/account/two-factor")
    db.session.get(ClinicSettings, 1).require_staff_two_factor = False
    db.session.commit()
    page = client.get("/clinic-settings").get_data(as_text=True)
    assert 'value="Riverside Massage"' in page


def test_bad_values_are_shown_beside_their_fields_and_nothing_is_saved(client, app):
    login(client, make_owner().email)
    response = _save(client, {**GOOD, "currency": "EURO", "email": "nobody", "cancellation_notice_hours": "-3"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for name, message in [("currency", "ISO 4217"), ("email", "valid email"), ("cancellation_notice_hours", "Between 0")]:
        error = re.search(rf'<p class="error" id="{name}-error">([^<]+)</p>', page)
        assert error and message in error.group(1), name
        assert re.search(rf'id="{name}"[^>]*aria-invalid="true"', page) or re.search(
            rf'aria-invalid="true"[^>]*id="{name}"', page), name
    assert db.session.get(ClinicSettings, 1) is None


def test_an_unreadable_number_of_hours_is_a_field_error(client, app):
    login(client, make_owner().email)
    page = _save(client, {**GOOD, "cancellation_notice_hours": "a day"}).get_data(as_text=True)
    assert 'id="cancellation_notice_hours-error"' in page
    assert db.session.get(ClinicSettings, 1) is None


def test_every_page_shows_the_name_and_contact_in_the_header_and_footer(client, app):
    update_clinic_settings(make_owner(), {k: (int(v) if k.endswith("hours") else v) for k, v in GOOD.items()})
    page = client.get("/login").get_data(as_text=True)
    assert "<title>" in page and "Riverside Massage</title>" in page
    footer = page.split('<footer class="site-footer">')[1]
    assert "Riverside Massage" in footer and "1 River Lane" in footer
    assert 'href="tel:+442079460000"' in footer and "mailto:hello@riverside.example" in footer


@freeze_time("2030-01-07 08:00:00")
def test_inside_the_notice_a_client_is_told_the_number_to_call(client, app):
    owner = make_owner()
    update_clinic_settings(owner, {"phone": "+44 20 7946 0000", "cancellation_notice_hours": 48})
    me = make_client()
    visit = make_appointment(client=me, start=datetime(2030, 1, 8, 20, tzinfo=UTC))  # 36 hours ahead
    login(client, me.email)
    page = client.get(f"/appointments/{visit.id}").get_data(as_text=True)
    main = page.split("<main")[1].split("</main>")[0]
    assert "within 48 hours" in main
    assert "call the clinic on" in main and 'href="tel:+442079460000"' in main
    moving = client.get(f"/appointments/{visit.id}/reschedule").get_data(as_text=True)
    assert 'href="tel:+442079460000"' in moving.split("<main")[1].split("</main>")[0]


@pytest.mark.parametrize("currency, shown", [("GBP", "GBP 65.00"), ("JPY", "JPY 6,500")])
def test_prices_show_the_currency(client, app, currency, shown):
    owner = make_owner()
    update_clinic_settings(owner, {"currency": currency})
    make_service(name="Hip relief", price_cents=6500)
    login(client, owner.email)
    assert shown in client.get("/setup").get_data(as_text=True)
