"""The client's booking and moving pages: intake first, their own day, held clients, who is offered."""

import re
from datetime import UTC

import pytest

from clinic.extensions import db
from clinic.models import Appointment
from tests.factories import (
    at,
    bearer,
    login,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
    monday,
)
from tests.intake_factories import clear_client, flag_client


@pytest.fixture
def scene(app):
    return {
        "owner": make_owner(),
        "therapist": make_therapist(hours=True, name="Maya Hours"),
        "service": make_service(duration_minutes=60, name="Hip relief 60"),
        "client": make_client(name="Nina Newcomer"),
        "day": monday(2),
    }


# -- health intake before the first online booking -------------------------------------------


def test_a_client_without_an_intake_is_asked_for_it_instead_of_shown_times(client, scene):
    login(client, scene["client"].email)
    page = client.get(f"/book?service_id={scene['service'].id}&day={scene['day']}").get_data(as_text=True)
    assert "First, a few questions about your health" in page
    link = re.search(r'href="(/clients/\d+/intake\?next=[^"]+)"', page).group(1)
    assert link.startswith(f"/clients/{scene['client'].id}/intake?next=/book?service_id%3D")
    assert "/book/confirm" not in page and 'class="slot"' not in page
    assert client.get(link.replace("&amp;", "&")).status_code == 200


def test_a_client_without_an_intake_cannot_confirm_or_post_a_booking_page(client, scene):
    login(client, scene["client"].email)
    start = at(scene["day"], 10).isoformat()
    query = f"service_id={scene['service'].id}&therapist_id={scene['therapist'].id}&start={start}"
    confirm = client.get(f"/book/confirm?{query}")
    assert confirm.status_code == 302 and confirm.headers["Location"].endswith("/book")
    data = {"service_id": scene["service"].id, "therapist_id": scene["therapist"].id, "start": start}
    posted = client.post("/book", data=data, follow_redirects=True)
    assert "Please fill in your health intake before booking." in posted.get_data(as_text=True)
    assert db.session.query(Appointment).count() == 0


def test_after_the_intake_the_client_sees_open_times(client, scene):
    clear_client(scene["client"].user, scene["client"])
    login(client, scene["client"].email)
    page = client.get(f"/book?service_id={scene['service'].id}&day={scene['day']}").get_data(as_text=True)
    assert "/book/confirm" in page and "First, a few questions" not in page


def test_the_api_still_lets_a_client_without_an_intake_book(client, scene):
    body = {"service_id": scene["service"].id, "therapist_id": scene["therapist"].id,
            "start": at(scene["day"], 10).isoformat()}
    response = client.post("/api/v1/appointments", json=body, headers=bearer(client, scene["client"].user))
    assert response.status_code == 201


# -- who is offered ------------------------------------------------------------------------------


def test_clients_are_not_offered_a_therapist_without_working_hours(client, scene):
    idle = make_therapist(name="Ivo No Hours")
    clear_client(scene["client"].user, scene["client"])
    login(client, scene["client"].email)
    page = client.get("/book").get_data(as_text=True)
    assert "Maya Hours" in page
    assert "Ivo No Hours" not in page and f'id="therapist-{idle.id}"' not in page


# -- moving a visit --------------------------------------------------------------------------------


def test_the_move_page_opens_on_the_visits_own_day_showing_its_current_time(client, scene):
    clear_client(scene["client"].user, scene["client"])
    appointment = make_appointment(service=scene["service"], therapist=scene["therapist"],
                                   client=scene["client"], start=at(scene["day"], 10))
    login(client, scene["client"].email)
    page = client.get(f"/appointments/{appointment.id}/reschedule").get_data(as_text=True)
    assert f'href="/appointments/{appointment.id}/reschedule?day={scene["day"]}" aria-current="date"' in page
    assert re.search(r'<span class="slot slot-current">10:00 <span class="slot-who">your current time</span>', page)
    def offered(hour):
        return "start=" + at(scene["day"], hour).astimezone(UTC).isoformat().replace("+", "%2B") in page

    assert not offered(10)
    assert offered(14)
    other_day = client.get(f"/appointments/{appointment.id}/reschedule?day={monday(3)}").get_data(as_text=True)
    assert "your current time" not in other_day and '/reschedule/confirm?start=' in other_day


def test_a_client_held_for_clearance_is_told_why_instead_of_shown_times_to_move_to(client, scene):
    appointment = make_appointment(service=scene["service"], therapist=scene["therapist"],
                                   client=scene["client"], start=at(scene["day"], 10))
    flag_client(scene["client"].user, scene["client"])
    login(client, scene["client"].email)
    page = client.get(f"/appointments/{appointment.id}/reschedule?day={scene['day']}").get_data(as_text=True)
    assert "We need a note from your doctor first" in page
    assert "letter or note from your physician" in page
    assert '/reschedule/confirm?start=' not in page


def test_a_visit_with_a_disabled_therapist_cannot_be_moved_online_and_says_why(client, scene):
    appointment = make_appointment(service=scene["service"], therapist=scene["therapist"],
                                   client=scene["client"], start=at(scene["day"], 10))
    scene["therapist"].user.is_disabled = True
    db.session.flush()
    login(client, scene["client"].email)
    response = client.get(f"/appointments/{appointment.id}/reschedule")
    assert response.status_code == 200
    assert "Maya Hours is no longer taking bookings here" in response.get_data(as_text=True)
    assert '/reschedule/confirm?start=' not in response.get_data(as_text=True)
