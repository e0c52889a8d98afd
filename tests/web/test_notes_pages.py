import json
import re

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import SessionNote
from tests.care_factories import make_clearance, make_intake, started_appointment
from tests.factories import PASSWORD, local_day, make_owner, make_therapist

FORM = {
    "techniques": ["myofascial_release", "heat_therapy"],
    "areas": "left hip, lower back",
    "pain_before": "6",
    "pain_after": "3",
    "subjective": "Stiff in the morning.",
    "adverse_reaction": "",
}


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]


@pytest.fixture
def appointment(app):
    return started_appointment()


def test_note_form_has_the_technique_fieldset_and_labelled_pain_inputs(client, appointment):
    login(client, appointment.therapist.user)
    page = client.get(f"/notes/appointments/{appointment.id}/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<legend>Techniques used</legend>" in html
    for label in (
        "Swedish massage",
        "Deep tissue",
        "Myofascial release",
        "Trigger point therapy",
        "Stretching",
        "Heat",
        "Cold",
    ):
        assert label in html
    assert 'for="pain_before"' in html and 'for="pain_after"' in html
    assert "Adverse reaction" in html


def test_therapist_signs_a_note_and_sees_it_with_the_client_chart(client, appointment):
    login(client, appointment.therapist.user)
    response = client.post(f"/notes/appointments/{appointment.id}/new", data=FORM)
    assert response.status_code == 302
    note = db.session.scalar(select(SessionNote).where(SessionNote.appointment_id == appointment.id))
    assert response.headers["Location"].endswith(f"/notes/{note.id}")
    assert sorted(note.technique_codes) == ["heat_therapy", "myofascial_release"]
    assert note.areas == ["left hip", "lower back"]
    page = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert "Myofascial release" in page and "left hip, lower back" in page
    assert "Add an amendment" in page
    client_page = client.get(f"/clients/{appointment.client_id}").get_data(as_text=True)
    assert_pain_panel(client_page, appointment)


def test_pain_panel_renders_chart_data_and_table(app, appointment):
    from clinic.notes.views import pain_trend_panel
    from tests.factories import make_note

    make_note(appointment, pain_before=6, pain_after=3, techniques=["heat_therapy", "myofascial_release"])
    with app.test_request_context():
        html = pain_trend_panel(make_owner(), appointment.client)
    assert_pain_panel(html, appointment)


def assert_pain_panel(client_page, appointment):
    match = re.search(r'<script type="application/json" id="pain-data-\d+">(.*?)</script>', client_page, re.S)
    assert match
    assert json.loads(match.group(1)) == [
        {"date": local_day(appointment.starts_at).isoformat(), "pain_before": 6, "pain_after": 3}
    ]
    assert "js/pain_chart.js" in client_page
    assert '<th scope="row">' + local_day(appointment.starts_at).isoformat() in client_page


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("no_intake", "no health intake on file"),
        ("flagged", "physician"),
        ("future", "once the appointment has started"),
        ("cancelled", "was cancelled"),
    ],
)
def test_each_409_is_explained_on_the_page(client, setup, message):
    kwargs = {"intake": setup != "no_intake"}
    if setup == "future":
        kwargs["hours_ago"] = -3
    if setup == "cancelled":
        kwargs["status"] = "cancelled"
    appointment = started_appointment(**kwargs)
    if setup == "flagged":
        make_intake(appointment.client, flagged=True)
    login(client, appointment.therapist.user)
    shown = client.get(f"/notes/appointments/{appointment.id}/new").get_data(as_text=True)
    assert message in shown
    response = client.post(f"/notes/appointments/{appointment.id}/new", data=FORM)
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(SessionNote).where(SessionNote.appointment_id == appointment.id)) is None


def test_second_note_points_to_the_signed_one(client, appointment):
    login(client, appointment.therapist.user)
    client.post(f"/notes/appointments/{appointment.id}/new", data=FORM)
    response = client.post(f"/notes/appointments/{appointment.id}/new", data=FORM)
    assert response.status_code == 409
    assert "already has a signed note" in response.get_data(as_text=True)


def test_clearance_restrictions_are_shown_on_the_note_form(client, appointment):
    make_intake(appointment.client, flagged=True)
    make_clearance(appointment.client, make_owner(), restrictions="No deep pressure over the left hip")
    login(client, appointment.therapist.user)
    html = client.get(f"/notes/appointments/{appointment.id}/new").get_data(as_text=True)
    assert "No deep pressure over the left hip" in html


def test_missing_technique_and_bad_pain_are_shown_beside_the_fields(client, appointment):
    login(client, appointment.therapist.user)
    response = client.post(
        f"/notes/appointments/{appointment.id}/new", data={**FORM, "techniques": [], "pain_before": "12"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose at least one technique." in html
    assert 'id="pain_before-error"' in html


def test_other_therapists_get_404_on_the_note_form(client, appointment):
    login(client, make_therapist().user)
    assert client.get(f"/notes/appointments/{appointment.id}/new").status_code == 404


def test_amendment_is_listed_with_author_and_time(client, appointment):
    login(client, appointment.therapist.user)
    client.post(f"/notes/appointments/{appointment.id}/new", data=FORM)
    note = db.session.scalar(select(SessionNote).where(SessionNote.appointment_id == appointment.id))
    response = client.post(f"/notes/{note.id}/amendments", data={"text": "Also treated the right glute."})
    assert response.status_code == 302
    html = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert "Also treated the right glute." in html
    assert appointment.therapist.user.name in html


def test_client_reads_their_note_without_the_amendment_form(client, appointment):
    login(client, appointment.therapist.user)
    client.post(f"/notes/appointments/{appointment.id}/new", data=FORM)
    note = db.session.scalar(select(SessionNote).where(SessionNote.appointment_id == appointment.id))
    client.post("/logout")
    login(client, appointment.client.user)
    page = client.get(f"/notes/{note.id}")
    assert page.status_code == 200
    assert "Add an amendment" not in page.get_data(as_text=True)
    assert client.post(f"/notes/{note.id}/amendments", data={"text": "x"}).status_code == 403


def test_dashboard_lists_appointments_waiting_for_a_note(client, appointment):
    login(client, appointment.therapist.user)
    html = client.get("/").get_data(as_text=True)
    assert "Waiting for a note" in html
    assert f"/notes/appointments/{appointment.id}/new" in html


def test_note_form_prompts_for_the_pre_visit_check_in_until_it_is_done(client, appointment):
    from clinic.models import CheckIn

    login(client, appointment.therapist.user)
    html = client.get(f"/notes/appointments/{appointment.id}/new").get_data(as_text=True)
    assert 'id="check-in-prompt"' in html
    assert f"/appointments/{appointment.id}/check-in" in html
    db.session.add(
        CheckIn(client_id=appointment.client_id, appointment_id=appointment.id, pain_level=5, flags=[])
    )
    db.session.flush()
    html = client.get(f"/notes/appointments/{appointment.id}/new").get_data(as_text=True)
    assert 'id="check-in-prompt"' not in html
