"""The intake pages: the form for clients and staff, the dashboard panel, the check-in page."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from clinic import clock
from clinic.extensions import db
from clinic.intake import services
from clinic.models import AuditEntry, CheckIn, Intake
from tests.factories import login, make_appointment, make_client, make_owner, make_therapist
from tests.intake_factories import clear_client, flag_client

FORM = {"pain_level": "3", "conditions": ["osteoarthritis", "sciatica"], "consent": "y"}


def intakes() -> int:
    return db.session.scalar(select(func.count(Intake.id)))


def assert_no_inline_code(html: str) -> None:
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


@pytest.fixture
def me(app, client):
    person = make_client()
    login(client, person.email)
    return person


def test_the_nav_link_leads_a_client_to_their_form(client, me):
    assert "Health intake" in client.get("/").get_data(as_text=True)
    response = client.get("/intake")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/clients/{me.id}/intake")


def test_the_form_is_labelled_and_works_without_javascript(client, me):
    html = client.get(f"/clients/{me.id}/intake").get_data(as_text=True)
    assert "<legend>Has a doctor told you that you have any of these?</legend>" in html
    for code in ("osteoarthritis", "rheumatoid_arthritis", "bursitis", "labral_tear", "sciatica", "injury",
                 "other"):
        assert f'value="{code}"' in html
    for name in ("pain_level", "recent_surgery", "surgery_date", "fever_or_chills", "redness_or_warmth",
                 "sudden_swelling", "loss_of_mobility", "chronic_pain_unimproved", "medications", "notes",
                 "consent"):
        assert f'<label for="{name}"' in html, name
    # The date field is in the page (visible without JS), with a hint; the script only hides it.
    assert 'data-shows="surgery-date"' in html
    assert 'id="surgery-date"' in html and "Only if you ticked surgery" in html
    assert "js/intake.js" in html and "css/intake.css" in html
    assert_no_inline_code(html)


def test_a_client_submits_and_sees_their_flags(client, me):
    surgery = (clock.today() - timedelta(days=20)).isoformat()
    response = client.post(f"/clients/{me.id}/intake",
                           data={**FORM, "recent_surgery": "y", "surgery_date": surgery})
    assert response.status_code == 302
    intake = db.session.scalar(select(Intake))
    assert intake.conditions == ["osteoarthritis", "sciatica"]
    assert [f["code"] for f in intake.flags] == ["post_surgery"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Surgery on {surgery}, within 180 days" in page
    assert "letter from your doctor" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**FORM, "consent": ""}, "Please confirm your consent"),
        ({**FORM, "pain_level": "11"}, "Number must be between 0 and 10"),
        ({**FORM, "pain_level": ""}, "Please give your pain from 0 to 10"),
        ({**FORM, "recent_surgery": "y", "surgery_date": "future"}, "cannot be in the future"),
        ({**FORM, "conditions": ["gout"]}, "is not a valid choice"),
    ],
)
def test_bad_answers_are_shown_beside_the_field_and_nothing_is_saved(client, me, data, message):
    if data.get("surgery_date") == "future":
        data = {**data, "surgery_date": (clock.today() + timedelta(days=3)).isoformat()}
    response = client.post(f"/clients/{me.id}/intake", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert 'class="error"' in html
    assert intakes() == 0


def test_the_form_starts_from_the_latest_answers(client, me):
    clear_client(me.user, me, conditions=["bursitis"], medications="Naproxen", pain_level=4)
    html = client.get(f"/clients/{me.id}/intake").get_data(as_text=True)
    assert re.search(r'value="bursitis"[^>]*checked|checked[^>]*value="bursitis"', html)
    assert "Naproxen" in html
    assert 'value="4"' in html


def test_staff_fill_the_form_for_a_walk_in(client, app):
    owner = make_owner()
    walk_in = make_client(login=False)
    login(client, owner.email)
    html = client.get(f"/clients/{walk_in.id}/intake").get_data(as_text=True)
    assert f"Health intake for {walk_in.name}" in html
    assert client.post(f"/clients/{walk_in.id}/intake", data=FORM).status_code == 302
    assert db.session.scalar(select(Intake.submitted_by_id)) == owner.id


def test_another_clients_form_is_not_found(client, me):
    other = make_client()
    db.session.commit()  # a refused request rolls back what it did, and so what is not committed
    assert client.get(f"/clients/{other.id}/intake").status_code == 404
    assert client.post(f"/clients/{other.id}/intake", data=FORM).status_code == 404
    intake = clear_client(other.user, other)
    db.session.commit()
    assert client.get(f"/intakes/{intake.id}").status_code == 404
    assert intakes() == 1


def test_staff_cannot_use_the_client_shortcut(client, app):
    login(client, make_owner().email)
    assert client.get("/intake").status_code == 403


# --- Dashboard ---------------------------------------------------------------------------------

def test_a_new_client_is_asked_to_fill_the_intake(client, me):
    html = client.get("/").get_data(as_text=True)
    assert "Please fill in your health intake" in html


def test_a_held_client_is_told_why_and_what_to_bring(client, me):
    flag_client(me.user, me, pain_level=9)
    html = client.get("/").get_data(as_text=True)
    assert "Clearance required" in html
    assert "Severe pain: 9 out of 10" in html
    assert "letter from your doctor" in html


def test_a_cleared_client_sees_the_clearance(client, me):
    from tests.intake_factories import grant

    flag_client(me.user, me)
    grant(make_owner(), me, cleared_on=clock.today(), restrictions="Gentle pressure only",
          valid_until=clock.today() + timedelta(days=20))
    html = client.get("/").get_data(as_text=True)
    assert "Cleared by Dr. Ana Ruiz" in html
    assert "Gentle pressure only" in html


def test_the_dashboard_links_the_check_in_when_it_is_due(client, me):
    clear_client(me.user, me)
    appointment = make_appointment(client=me, start=datetime.now(UTC).replace(microsecond=0)
                                   + timedelta(hours=20))
    html = client.get("/").get_data(as_text=True)
    assert f"/appointments/{appointment.id}/check-in" in html


def test_staff_see_how_many_clients_wait(client, app):
    held = make_client()
    flag_client(held.user, held)
    login(client, make_owner().email)
    html = client.get("/").get_data(as_text=True)
    assert "1</strong> client is waiting" in html
    assert "Clearance queue" in html


# --- Check-in page -----------------------------------------------------------------------------

def soon(hours: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours)


def test_the_client_answers_the_check_in(client, me):
    clear_client(me.user, me)
    appointment = make_appointment(client=me, start=soon(20))
    url = f"/appointments/{appointment.id}/check-in"
    html = client.get(url).get_data(as_text=True)
    assert "Since your last visit:" in html
    for name in ("fever_or_chills", "new_swelling", "redness_or_warmth", "recent_surgery", "pain_level"):
        assert f'<label for="{name}"' in html
    assert_no_inline_code(html)
    response = client.post(url, data={"pain_level": "2", "new_swelling": "y"})
    assert response.status_code == 302
    check_in = db.session.scalar(select(CheckIn))
    assert [f["code"] for f in check_in.flags] == ["sudden_swelling"]
    assert "contact your doctor" in client.get("/").get_data(as_text=True)


def test_the_check_in_page_says_when_it_opens(client, me):
    appointment = make_appointment(client=me, start=soon(72))
    html = client.get(f"/appointments/{appointment.id}/check-in").get_data(as_text=True)
    assert "opens 48 hours before" in html
    response = client.post(f"/appointments/{appointment.id}/check-in", data={"pain_level": "2"})
    assert "opens 48 hours before" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CheckIn.id))) == 0


def test_the_therapist_is_sent_back_after_the_check_in(client, app):
    person = make_client()
    therapist = make_therapist()
    appointment = make_appointment(client=person, therapist=therapist, start=soon(-0.1))
    login(client, therapist.user.email)
    url = f"/appointments/{appointment.id}/check-in?next=/appointments/{appointment.id}/note"
    response = client.post(url, data={"pain_level": "3"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/appointments/{appointment.id}/note"
    response = client.post(f"/appointments/{appointment.id}/check-in?next=https://evil.example/",
                           data={"pain_level": "3"})
    assert response.headers["Location"] == "/"
    someone_elses = make_appointment()
    db.session.commit()  # a refused request rolls back what it did, and so what is not committed
    assert client.get(f"/appointments/{someone_elses.id}/check-in").status_code == 404


def test_reading_the_intake_page_is_audited(client, me):
    intake = clear_client(me.user, me)
    assert client.get(f"/intakes/{intake.id}").status_code == 200
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == intake.id)).all()
    assert "intake.viewed" in actions


def test_the_therapist_dashboard_lists_todays_visits_without_a_check_in(client, app):
    therapist = make_therapist()
    person = make_client(name="Paula Pending")
    appointment = make_appointment(client=person, therapist=therapist,
                                   start=clock.local_datetime(clock.today(), time(0, 15)))
    tomorrow = make_appointment(client=person, therapist=therapist,
                                start=clock.local_datetime(clock.today() + timedelta(days=1), time(0, 15)))
    login(client, therapist.user.email)
    html = client.get("/").get_data(as_text=True)
    assert f"/appointments/{appointment.id}/check-in" in html
    assert "Paula Pending" in html
    assert f"/appointments/{tomorrow.id}/check-in" not in html
    clear_client(person.user, person)
    services.submit_check_in(therapist.user, appointment.id, {"pain_level": 3})
    assert f"/appointments/{appointment.id}/check-in" not in client.get("/").get_data(as_text=True)


def test_the_client_page_lists_earlier_intakes(client, me):
    first = flag_client(me.user, me)
    clear_client(me.user, me)
    html = client.get(f"/clients/{me.id}").get_data(as_text=True)
    assert "Earlier intakes" in html
    assert f"/intakes/{first.id}" in html
    assert "(1 red flag)" in html


def test_a_clear_intake_returns_to_the_page_that_asked_for_it(client, me):
    """The booking page sends a client without an intake here; saving brings them back."""
    saved = client.post(f"/clients/{me.id}/intake?next=/book", data=FORM)
    assert saved.status_code == 302
    assert saved.headers["Location"] == "/book"
    # Another site's address is never followed, and a flagged intake shows its flags first.
    elsewhere = client.post(f"/clients/{me.id}/intake?next=https://evil.example/", data=FORM)
    assert "/intakes/" in elsewhere.headers["Location"]
    flagged = client.post(f"/clients/{me.id}/intake?next=/book", data={**FORM, "fever_or_chills": "y"})
    assert "/intakes/" in flagged.headers["Location"]
