"""Finding a session note again, and the check-in around it, from the pages people use."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from clinic import clock
from clinic.extensions import db
from clinic.formatting import local_datetime
from clinic.notes.views import sessions_panel
from tests.care_factories import make_intake, started_appointment
from tests.factories import PASSWORD, make_appointment, make_client, make_note, make_owner, make_therapist

NOTE_FORM = {"techniques": ["swedish"], "pain_before": "6", "pain_after": "3"}


def login(client, user):
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def soon(hours: float) -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=hours)


# --- The appointment page ----------------------------------------------------------------------

def test_the_appointment_page_links_the_signed_note_for_those_who_may_read_it(client, app):
    appointment = started_appointment()
    note = make_note(appointment)
    for user in (appointment.therapist.user, make_owner(), appointment.client.user):
        login(client, user)
        html = page(client, f"/appointments/{appointment.id}")
        assert f'href="/notes/{note.id}">Session note</a>' in html, user.role
        assert "Write the session note" not in html


def test_the_therapist_is_offered_the_note_form_once_the_session_has_started(client, app):
    appointment = started_appointment()
    write = f'href="/notes/appointments/{appointment.id}/new">Write the session note</a>'
    login(client, appointment.therapist.user)
    assert write in page(client, f"/appointments/{appointment.id}")
    for user in (make_owner(), appointment.client.user):
        login(client, user)
        assert "Write the session note" not in page(client, f"/appointments/{appointment.id}")


@pytest.mark.parametrize("status", ["cancelled", "no_show"])
def test_no_note_form_is_offered_for_a_visit_that_did_not_happen(client, app, status):
    appointment = started_appointment(status=status)
    login(client, appointment.therapist.user)
    assert "Write the session note" not in page(client, f"/appointments/{appointment.id}")


def test_no_note_form_is_offered_before_the_session(client, app):
    appointment = started_appointment(hours_ago=-3)
    login(client, appointment.therapist.user)
    assert "Write the session note" not in page(client, f"/appointments/{appointment.id}")


def test_the_appointment_page_links_the_open_check_in_for_the_client_and_the_therapist(client, app):
    appointment = make_appointment(client=make_client(), start=soon(20))
    link = f'href="/appointments/{appointment.id}/check-in?next=/appointments/{appointment.id}"'
    for user in (appointment.client.user, appointment.therapist.user):
        login(client, user)
        html = page(client, f"/appointments/{appointment.id}")
        assert link in html and "Pre-visit check-in" in html, user.role
    later = make_appointment(client=appointment.client, start=soon(72))
    login(client, later.client.user)
    assert "Pre-visit check-in" not in page(client, f"/appointments/{later.id}")


# --- The client's page -------------------------------------------------------------------------

def test_the_client_page_lists_past_sessions_with_their_notes(client, app):
    person = make_client(name="Nora Notes")
    make_intake(person)
    mine, other = make_therapist(), make_therapist()
    noted = started_appointment(client=person, therapist=mine, intake=False, hours_ago=48)
    note = make_note(noted)
    waiting = started_appointment(client=person, therapist=mine, intake=False, hours_ago=2)
    elsewhere = started_appointment(client=person, therapist=other, intake=False, hours_ago=72)
    other_note = make_note(elsewhere)
    url = f"/clients/{person.id}"

    login(client, person.user)
    html = page(client, url)
    assert "Past sessions" in html
    assert f'href="/notes/{note.id}">Session note' in html
    assert f'href="/notes/{other_note.id}">Session note' in html
    assert "No note yet" in html

    login(client, mine.user)
    html = page(client, url)
    assert f'href="/notes/{note.id}">Session note' in html
    assert f'href="/notes/appointments/{waiting.id}/new">Write the session note' in html
    assert f"/appointments/{elsewhere.id}" not in html

    login(client, make_owner())
    html = page(client, url)
    assert f'href="/notes/{note.id}">' in html and f'href="/notes/{other_note.id}">' in html


def _statements(app, viewer, person) -> int:
    engine = db.session.get_bind().engine
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()
    event.listen(engine, "before_cursor_execute", count)
    try:
        with app.test_request_context():
            sessions_panel(viewer, person)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_past_sessions_list_makes_a_fixed_number_of_queries(app):
    """No N+1: more sessions, therapists and notes cost no extra queries."""
    person, owner = make_client(), make_owner()
    make_note(started_appointment(client=person, intake=False, hours_ago=24))
    few = _statements(app, owner, person)
    for days in range(2, 9):
        appointment = started_appointment(client=person, intake=False, hours_ago=24 * days)
        if days % 2:
            make_note(appointment)
    assert _statements(app, owner, person) == few


# --- The note form before the session ----------------------------------------------------------

def test_the_note_form_before_the_session_says_when_in_words_and_offers_no_form(client, app):
    appointment = started_appointment(hours_ago=-3)
    url = f"/notes/appointments/{appointment.id}/new"
    login(client, appointment.therapist.user)
    for response in (client.get(url), client.post(url, data=NOTE_FORM)):
        html = response.get_data(as_text=True)
        assert "once the appointment has started" in html
        assert local_datetime(appointment.starts_at) in html
        assert clock.iso(appointment.starts_at) not in html
        assert 'class="note-form"' not in html and "Sign and save note" not in html
    assert response.status_code == 409


# --- A check-in done by the therapist ----------------------------------------------------------

def test_a_check_in_from_the_appointment_page_is_worded_for_staff_and_returns_there(client, app):
    person = make_client(name="Carla Check")
    make_intake(person)
    appointment = make_appointment(client=person, start=soon(20))
    login(client, appointment.therapist.user)
    url = f"/appointments/{appointment.id}/check-in?next=/appointments/{appointment.id}"
    html = page(client, url)
    assert "Save the check-in" in html and "Send my answers" not in html
    response = client.post(url, data={"pain_level": "3"})
    assert response.headers["Location"] == f"/appointments/{appointment.id}"
    html = page(client, f"/appointments/{appointment.id}")
    assert "Check-in saved for Carla Check." in html
    assert "Thank you" not in html
    assert "Check-in answered on" in html


def test_a_flagged_check_in_by_staff_says_the_client_is_held(client, app):
    person = make_client(name="Hana Held")
    make_intake(person)
    appointment = make_appointment(client=person, start=soon(20))
    login(client, appointment.therapist.user)
    response = client.post(f"/appointments/{appointment.id}/check-in", data={"pain_level": "3", "new_swelling": "y"},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Check-in saved for Hana Held. Some answers need a doctor" in html
    assert "please contact your doctor" not in html


def test_the_client_still_sends_their_own_answers(client, app):
    person = make_client()
    make_intake(person)
    appointment = make_appointment(client=person, start=soon(20))
    login(client, person.user)
    url = f"/appointments/{appointment.id}/check-in"
    assert "Send my answers" in page(client, url)
    response = client.post(url, data={"pain_level": "3"}, follow_redirects=True)
    assert "Thank you, your check-in is saved." in response.get_data(as_text=True)


def test_a_check_in_from_the_note_form_returns_to_the_note_form(client, app):
    appointment = started_appointment(hours_ago=-1)
    form = f"/notes/appointments/{appointment.id}/new"
    login(client, appointment.therapist.user)
    link = f"/appointments/{appointment.id}/check-in?next={form}"
    assert link in page(client, form)
    response = client.post(link, data={"pain_level": "3"})
    assert response.headers["Location"] == form


# --- What raised a hold (for the held-client wording in templates other teams own) -------------

def test_clearance_hold_names_the_check_in_or_intake_that_raised_it(app):
    from clinic.intake import services
    from clinic.intake.views import clearance_hold
    from tests.intake_factories import clear_client, flag_client

    person = make_client()
    intake = clear_client(person.user, person)
    assert clearance_hold(person) is None
    appointment = make_appointment(client=person, start=soon(20))
    check_in = services.submit_check_in(person.user, appointment.id, {"pain_level": 3, "new_swelling": True})
    hold = clearance_hold(person)
    assert (hold.source, hold.raised_at) == ("check-in", check_in.submitted_at)
    assert hold.raised_at > intake.submitted_at
    intake = flag_client(person.user, person)
    hold = clearance_hold(person)
    assert (hold.source, hold.raised_at) == ("intake", intake.submitted_at)


def test_the_home_page_names_the_check_in_that_put_the_client_on_hold(client, app):
    from clinic.intake import services
    from tests.intake_factories import clear_client

    person = make_client()
    clear_client(person.user, person)
    appointment = make_appointment(client=person, start=soon(20))
    services.submit_check_in(person.user, appointment.id, {"pain_level": 3, "new_swelling": True})
    login(client, person.user)
    html = page(client, "/")
    assert "on the pre-visit check-in of" in html
    assert "Health intake last updated" in html
