"""The therapist's secret calendar feed: initials only, none for a disabled therapist, and a
new address on request that retires the old one."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from freezegun import freeze_time

from clinic.extensions import db
from clinic.models import Role
from tests.factories import (
    at,
    bearer,
    login,
    make_appointment,
    make_client,
    make_owner,
    make_therapist,
    make_user,
)

API = "/api/v1"
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def scene(app):
    with freeze_time(NOW):
        therapist = make_therapist(hours=True)
        person = make_client(name="Clara Maria Jensen", phone="+45 20 11 22 33")
        make_appointment(therapist=therapist, client=person, start=at(NOW.date(), 10))
        db.session.commit()
        yield {"therapist": therapist, "client": person}


def feed_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_events_name_the_service_and_initials_only(client, scene):
    therapist, person = scene["therapist"], scene["client"]
    body = client.get(f"{API}/therapists/{therapist.id}/calendar.ics?token={therapist.calendar_token}")
    text = body.get_data(as_text=True)
    assert "C.M.J." in text
    for secret in ("Clara", "Jensen", person.email, "20 11 22 33"):
        assert secret not in text


def test_a_disabled_therapists_feed_is_not_found(client, scene):
    therapist = scene["therapist"]
    owner = bearer(client, make_owner())
    therapist.user.is_disabled = True
    db.session.commit()
    url = f"{API}/therapists/{therapist.id}/calendar.ics"
    assert client.get(f"{url}?token={therapist.calendar_token}").status_code == 404
    assert client.get(url, headers=owner).status_code == 404


def test_a_new_address_retires_the_old_one(client, scene):
    therapist = scene["therapist"]
    headers = bearer(client, therapist.user)
    old = client.get(f"{API}/me", headers=headers).get_json()["calendar_feed_url"]
    response = client.post(f"{API}/me/calendar-feed", headers=headers)
    assert response.status_code == 200
    new = response.get_json()["calendar_feed_url"]
    assert new != old
    assert client.get(feed_path(old)).status_code == 404
    assert client.get(feed_path(new)).status_code == 200
    assert client.get(f"{API}/me", headers=headers).get_json()["calendar_feed_url"] == new


@pytest.mark.parametrize("role", [Role.OWNER, Role.FRONT_DESK])
def test_only_therapists_renew_a_feed(client, scene, role):
    headers = bearer(client, make_user(role))
    assert client.post(f"{API}/me/calendar-feed", json={}, headers=headers).status_code == 403


def test_the_account_page_offers_a_new_address(client, scene):
    therapist = scene["therapist"]
    old = therapist.calendar_token
    login(client, therapist.user.email)
    page = client.get("/account").get_data(as_text=True)
    assert "New calendar address" in page and old in page
    response = client.post("/account/calendar-feed", data={})
    assert response.status_code == 302
    db.session.refresh(therapist)
    assert therapist.calendar_token != old
    assert therapist.calendar_token in client.get("/account").get_data(as_text=True)


def test_another_therapists_feed_stays_hidden(client, scene):
    other = bearer(client, make_therapist().user)
    url = f"{API}/therapists/{scene['therapist'].id}/calendar.ics"
    assert client.get(url, headers=other).status_code == 404
