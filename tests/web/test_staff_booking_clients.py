"""Staff find the client to book by searching, however many clients the clinic has."""

import re

import pytest

from clinic.extensions import db
from clinic.models import Appointment, Client
from clinic.scheduling.services import CLIENT_CHOICES
from tests.factories import (
    login,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
    monday,
)


def client_options(html: str) -> list[str]:
    select = re.search(r'<select[^>]*name="client_id".*?</select>', html, re.S).group(0)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


@pytest.fixture
def big_clinic(app):
    """More walk-in clients than the old 500-row list held, and one more named last."""
    db.session.add_all(Client(name=f"Client {n:04d}", email=f"c{n:04d}@example.test") for n in range(520))
    zoe = Client(name="Zoe Zimmermann", email="zoe@example.test")
    db.session.add(zoe)
    db.session.flush()
    return {"owner": make_owner(), "therapist": make_therapist(hours=True), "service": make_service(), "zoe": zoe}


def test_the_staff_booking_page_lists_a_first_page_and_says_to_search(client, big_clinic):
    login(client, big_clinic["owner"].email)
    html = client.get("/appointments/new").get_data(as_text=True)
    assert len(client_options(html)) == CLIENT_CHOICES
    assert "Not every client is listed: search by name or email" in html
    assert 'name="q"' in html


@pytest.mark.parametrize("search", ["zimmer", "ZOE@EXAMPLE"])
def test_a_search_by_name_or_email_finds_a_client_far_down_the_list(client, big_clinic, search):
    login(client, big_clinic["owner"].email)
    html = client.get(f"/appointments/new?q={search}").get_data(as_text=True)
    assert client_options(html) == ["Zoe Zimmermann (zoe@example.test)"]
    assert "Not every" not in html


def test_a_search_without_matches_says_so(client, big_clinic):
    login(client, big_clinic["owner"].email)
    html = client.get("/appointments/new?q=nobody-here").get_data(as_text=True)
    assert "No client matches “nobody-here”" in html


def test_staff_book_a_client_beyond_the_first_page(client, big_clinic):
    login(client, big_clinic["owner"].email)
    zoe = big_clinic["zoe"]
    data = {"client_id": zoe.id, "service_id": big_clinic["service"].id,
            "therapist_id": big_clinic["therapist"].id, "day": monday(2).isoformat(), "start_time": "10:00"}
    response = client.post("/appointments/new?q=zimmer", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db.session.query(Appointment).one().client_id == zoe.id
    again = client.post("/appointments/new", data={**data, "start_time": "12:00"})
    assert again.status_code == 302
    assert db.session.query(Appointment).count() == 2


def test_a_chosen_client_stays_chosen_whatever_the_search(client, big_clinic):
    login(client, big_clinic["owner"].email)
    zoe = big_clinic["zoe"]
    html = client.get(f"/appointments/new?client_id={zoe.id}").get_data(as_text=True)
    assert f'<option selected value="{zoe.id}">Zoe Zimmermann' in html


def test_a_therapists_search_keeps_to_their_own_and_new_clients(client, app):
    therapist, colleague = make_therapist(hours=True), make_therapist()
    make_appointment(therapist=colleague, client=make_client(name="Colleague Kept"))
    make_appointment(therapist=therapist, client=make_client(name="Own Kept"))
    make_client(name="New Kept")
    login(client, therapist.user.email)
    html = client.get("/appointments/new?q=kept").get_data(as_text=True)
    assert sorted(o.split(" (")[0] for o in client_options(html)) == ["New Kept", "Own Kept"]
    other = db.session.query(Client).filter_by(name="Colleague Kept").one()
    assert "Colleague Kept" not in client.get(f"/appointments/new?client_id={other.id}").get_data(as_text=True)
