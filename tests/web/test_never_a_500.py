"""Each input that once gave a 500 now gets the contract's answer (issue 11).

JSON nested too deep or too large, wrong types, text no database can store (NUL, lone
surrogates), digits int() refuses, instants past 2038-01-19, and text already stored that
cannot be encoded.
"""

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from clinic import clock
from clinic.extensions import db
from clinic.models import Clearance, SessionNote
from tests.care_factories import NOTE_BODY, started_appointment
from tests.factories import (
    PASSWORD,
    at,
    bearer,
    login,
    make_appointment,
    make_client,
    make_note,
    make_owner,
    make_service,
    make_therapist,
)
from tests.intake_factories import flag_client
from tests.web.test_clearance_pages import PDF, post_multipart

API = "/api/v1"


@pytest.fixture
def scene(app):
    owner = make_owner()
    therapist = make_therapist(hours=True)
    service = make_service(duration_minutes=60, buffer_minutes=15)
    return {"owner": owner, "therapist": therapist, "service": service, "client": make_client()}


def send(client, url, body, headers=None, method="POST"):
    """JSON as any client may write it: a lone surrogate goes out as its \\udXXX escape (the test
    client's own JSON would replace it, as the app does with everything it writes)."""
    return client.open(url, method=method, data=json.dumps(body), content_type="application/json",
                       headers=headers)


def _error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.is_json and set(response.get_json()) == {"error"}
    return response.get_json()["error"]


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_json_nested_too_deep_is_a_400(client, scene, depth):
    owner = bearer(client, scene["owner"])
    for url, body in [
        (f"{API}/appointments", '{"start": ' + "[" * depth + "]" * depth + "}"),
        (f"{API}/tokens", "[" * depth + "]" * depth),
        (f"{API}/services", '{"a":' * depth + "1" + "}" * depth),
    ]:
        response = client.post(url, data=body, content_type="application/json", headers=owner)
        assert _error(response, 400)["code"] == "bad_request"


def test_json_nested_as_deep_as_a_request_needs_is_read(client, scene):
    body = [{"weekday": 0, "start": "09:00", "end": "17:00"}]
    response = client.put(f"{API}/therapists/{scene['therapist'].id}/working-hours", json=body,
                          headers=bearer(client, scene["owner"]))
    assert response.status_code == 200


def test_json_larger_than_any_request_needs_is_a_413(client, scene):
    body = '{"name": "' + "x" * (2 * 1024 * 1024) + '"}'
    response = client.post(f"{API}/services", data=body, content_type="application/json",
                           headers=bearer(client, scene["owner"]))
    assert _error(response, 413)["code"] == "payload_too_large"


def test_an_object_where_a_string_is_expected_is_a_422_naming_the_field(client, scene):
    body = {"service_id": scene["service"].id, "therapist_id": scene["therapist"].id,
            "client_id": scene["client"].id, "start": {"date": "2030-01-07", "time": "10:00"}}
    response = client.post(f"{API}/appointments", json=body, headers=bearer(client, scene["owner"]))
    assert "start" in _error(response, 422)["fields"]


@pytest.mark.parametrize("text", ["\ud800", "Ann\udc00", "a\x00b"])
def test_unstorable_text_in_a_name_is_a_422(client, scene, text):
    response = send(client, f"{API}/clients", {"name": text, "email": "new@example.test"},
                    bearer(client, scene["owner"]))
    assert "name" in _error(response, 422)["fields"]


@pytest.mark.parametrize("text", ["\ud800@example.test", "a\x00@example.test"])
def test_unstorable_text_in_the_login_email_is_a_422(client, scene, text):
    response = send(client, f"{API}/tokens", {"email": text, "password": PASSWORD})
    assert "email" in _error(response, 422)["fields"]


def test_a_lone_surrogate_in_a_notes_areas_is_a_422_and_nothing_is_saved(client):
    appointment = started_appointment()
    headers = bearer(client, appointment.therapist.user)
    response = send(client, f"{API}/appointments/{appointment.id}/notes",
                    {**NOTE_BODY, "areas": ["left hip", "\udfff"]}, headers)
    assert "areas" in _error(response, 422)["fields"]
    assert db.session.query(SessionNote).count() == 0


def test_a_lone_surrogate_in_a_free_text_field_is_a_422(client):
    appointment = started_appointment()
    headers = bearer(client, appointment.therapist.user)
    response = send(client, f"{API}/appointments/{appointment.id}/notes",
                    {**NOTE_BODY, "subjective": "sore \ud83d"}, headers)
    assert "subjective" in _error(response, 422)["fields"]


def test_a_nul_in_a_page_path_is_a_400(client, scene):
    login(client, scene["owner"].email)
    assert client.get("/reports/%00.csv").status_code == 400


@pytest.mark.parametrize("query", ["service_id=%C2%B2&therapist_id=%C2%B2", "client_id=%C2%B2"])
def test_digits_int_refuses_in_a_page_form_are_not_a_500(client, scene, query):
    login(client, scene["owner"].email)
    assert client.get(f"/appointments/new?{query}").status_code < 500
    assert client.get(f"/care-plans/new?{query}").status_code < 500
    assert client.get(f"/calendar/week?{query}").status_code < 500
    assert client.get(f"/reports/audit?page=%C2%B2&actor_id=%C2%B2&{query}").status_code < 500
    response = client.post("/appointments/new", data={"service_id": "²", "therapist_id": "²", "client_id": "²",
                                                      "start": "2030-01-07T10:00"})
    assert response.status_code < 500


def test_an_appointment_after_2038_leaves_availability_and_booking_working(client, scene, app, monkeypatch):
    """Times are 64-bit: an epoch past 2**31 - 1 seconds (2038-01-19) once overflowed PostgreSQL's
    32-bit integer cast in the availability query."""
    monkeypatch.setitem(app.config, "BOOKING_HORIZON_DAYS", 36500)  # offers reach 2038
    monday = datetime(2038, 2, 1, tzinfo=UTC).date()
    make_appointment(therapist=scene["therapist"], service=scene["service"], client=make_client(),
                     start=at(monday, 10))
    query = f"service_id={scene['service'].id}&from={monday}&to={monday}"
    response = client.get(f"{API}/availability?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    starts = {s["start"] for s in response.get_json()}
    assert at(monday, 9).isoformat() not in starts  # 09:00 + 60 min + 15 min buffer reaches 10:00
    assert at(monday, 13).isoformat() in starts
    body = {"service_id": scene["service"].id, "therapist_id": scene["therapist"].id,
            "client_id": scene["client"].id, "start": at(monday, 13).isoformat()}
    booked = client.post(f"{API}/appointments", json=body, headers=bearer(client, scene["owner"]))
    assert booked.status_code == 201, booked.get_json()
    clash = client.post(f"{API}/appointments", json={**body, "start": at(monday, 11).isoformat()},
                        headers=bearer(client, scene["owner"]))
    assert clash.status_code == 409


def test_text_stored_before_it_was_checked_is_shown_with_a_replacement_character(fresh_app_factory):
    """A lone surrogate written by hand into SQLite (JSON's \\ud800 escape in a note's areas)
    once made that signed note's page and its JSON a 500 forever."""
    app = fresh_app_factory("sqlite", FAST_PASSWORD_HASHING=True)
    with app.app_context():
        appointment = started_appointment()
        note = make_note(appointment, areas=["left hip"])
        therapist_email, note_id = appointment.therapist.user.email, note.id
        db.session.commit()
        # JSON's escape of a lone surrogate, and its bytes (not UTF-8) straight into a text column,
        # by someone who first removed the append-only trigger (as it was before the checks).
        db.session.execute(sa.text("DROP TRIGGER session_notes_no_update"))
        db.session.execute(sa.text("UPDATE session_notes SET areas = :areas, subjective = 'sore ' || char(55296)"),
                           {"areas": '["left hip", "\\ud800 lower back"]'})
        db.session.commit()
    client = app.test_client()
    login(client, therapist_email)
    page = client.get(f"/notes/{note_id}")
    assert page.status_code == 200
    assert "\ufffd lower back" in page.get_data(as_text=True)
    response = client.get(f"{API}/notes/{note_id}", headers=bearer(client, therapist_email))
    assert response.status_code == 200
    assert b"\\ud800" not in response.get_data()
    assert "\ufffd lower back" in response.get_json()["areas"]
    assert response.get_json()["subjective"].startswith("sore \ufffd")


def test_a_nul_in_an_uploaded_letters_file_name_is_refused_and_nothing_is_saved(client, scene):
    held = make_client()
    flag_client(held.user, held, fever_or_chills=True)
    login(client, scene["owner"].email)
    fields = {"physician_name": "Dr. Ana Ruiz", "cleared_on": clock.today().isoformat()}
    response = post_multipart(client, f"/clients/{held.id}/clearances/new", fields, ("ruiz\x00.pdf", PDF))
    assert response.status_code == 400
    assert db.session.query(Clearance).count() == 0


@pytest.mark.parametrize("raw", [b'{"name": "\xff"}', b'{"name": "x"', b"\x00"])
def test_a_body_that_does_not_decode_as_json_is_a_400(client, scene, raw):
    response = client.post(f"{API}/services", data=raw, content_type="application/json",
                           headers=bearer(client, scene["owner"]))
    assert _error(response, 400)["code"] == "bad_request"


def test_a_lone_surrogate_sent_as_raw_bytes_is_a_422_naming_the_field(client, scene):
    """Python's JSON decoder lets a surrogate's UTF-8 bytes through (surrogatepass)."""
    response = client.post(f"{API}/services", data=b'{"name": "\xed\xa0\x80"}', content_type="application/json",
                           headers=bearer(client, scene["owner"]))
    assert "name" in _error(response, 422)["fields"]
