"""The client's booking page: times under parts of the day, one link per time for "Any therapist",
who to see chosen on the next step, descriptions and prices with the currency."""

import re
from datetime import time

import pytest

from clinic.clinic_settings.services import update_clinic_settings
from clinic.extensions import db
from clinic.models import Appointment
from tests.factories import (
    at,
    login,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
    make_working_hours,
    monday,
)
from tests.intake_factories import clear_client


@pytest.fixture
def scene(app):
    owner = make_owner()
    early = make_therapist(hours=True, name="Maya Hours")  # 09:00-17:00 Monday to Friday
    late = make_therapist(name="Eve Late")
    make_working_hours(late, 0, time(12), time(20))  # Mondays 12:00-20:00
    me = make_client(name="Nina Newcomer")
    clear_client(me.user, me)
    service = make_service(duration_minutes=60, name="Hip relief 60", price_cents=6500,
                           description="Slow work on the hip and lower back; wear loose clothes.")
    return {"owner": owner, "early": early, "late": late, "client": me, "service": service, "day": monday(2)}


def _book_page(client, scene, therapist_id="") -> str:
    login(client, scene["client"].email)
    url = f"/book?service_id={scene['service'].id}&therapist_id={therapist_id}&day={scene['day']}"
    return client.get(url).get_data(as_text=True)


def _slots(page: str) -> list[str]:
    return re.findall(r'<a class="slot" href="([^"]+)">(\d\d:\d\d)', page)


def test_any_therapist_offers_each_time_once_under_morning_afternoon_and_evening(client, scene):
    page = _book_page(client, scene)
    headings = re.findall(r'<h3 class="day-part" id="[^"]+">(\w+)</h3>', page)
    assert headings == ["Morning", "Afternoon", "Evening"]
    times = [when for _href, when in _slots(page)]
    # Maya 09:00-16:00 and Eve 12:00-19:00 starts, every quarter hour: 41 distinct times, not 58.
    assert len(times) == len(set(times)) == 41
    assert times[0] == "09:00" and times[-1] == "19:00"
    morning, afternoon, evening = re.split(r'<h3 class="day-part"', page)[1:]
    assert "11:45" in morning and "12:00" not in morning
    assert "12:00" in afternoon and "16:45" in afternoon and "17:00" not in afternoon
    assert "17:00" in evening


def test_a_time_two_therapists_share_says_so_and_books_the_first_by_default(client, scene):
    page = _book_page(client, scene)
    noon = next(href for href, when in _slots(page) if when == "12:00")
    assert f"therapist_id={scene['late'].id}" in noon  # "Eve Late" comes first by name
    assert "any=1" in noon
    assert re.search(r'>12:00 <span class="slot-who">2 therapists free</span>', page)
    assert re.search(r'>09:00 <span class="slot-who">with Maya Hours</span>', page)


def test_the_confirm_step_lets_the_client_choose_who_among_those_free(client, scene):
    page = _book_page(client, scene)
    noon = next(href for href, when in _slots(page) if when == "12:00").replace("&amp;", "&")
    confirm = client.get(noon).get_data(as_text=True)
    choices = re.findall(r'<input type="radio" id="with-(\d+)" name="therapist_id" value="\d+"( checked)?>', confirm)
    assert choices == [(str(scene["late"].id), " checked"), (str(scene["early"].id), "")]
    client.post("/book", data={"service_id": scene["service"].id,
                               "therapist_id": scene["early"].id, "start": at(scene["day"], 12).isoformat()})
    booked = db.session.query(Appointment).one()
    assert (booked.therapist_id, booked.starts_at) == (scene["early"].id, at(scene["day"], 12))


def test_a_chosen_therapist_shows_only_their_times_without_names(client, scene):
    page = _book_page(client, scene, therapist_id=scene["early"].id)
    times = [when for _href, when in _slots(page)]
    assert len(times) == 29 and "slot-who" not in page
    assert "Evening" not in page


def test_treatments_show_their_description_and_price_with_the_currency(client, scene):
    update_clinic_settings(scene["owner"], {"currency": "GBP"})
    page = _book_page(client, scene)
    assert f'aria-describedby="service-{scene["service"].id}-about"' in page
    assert "Slow work on the hip and lower back" in page
    assert '<span class="price">GBP 65.00</span>' in page
    href = _slots(page)[0][0].replace("&amp;", "&")
    confirm = client.get(href).get_data(as_text=True)
    assert "GBP 65.00" in confirm and "Slow work on the hip" in confirm
    assert "until 24 hours before they start" in confirm


def test_times_the_client_is_already_in_a_visit_are_not_offered(client, scene):
    make_appointment(client=scene["client"], therapist=scene["late"], service=scene["service"],
                     start=at(scene["day"], 13))
    for therapist_id in ("", scene["early"].id):
        times = [when for _href, when in _slots(_book_page(client, scene, therapist_id))]
        assert "12:00" in times and "14:00" in times
        assert not {"12:15", "13:00", "13:45"} & set(times), therapist_id


def test_moving_a_visit_offers_no_time_the_client_is_in_another_one(client, scene):
    mine = make_appointment(client=scene["client"], therapist=scene["early"], service=scene["service"],
                            start=at(scene["day"], 10))
    make_appointment(client=scene["client"], therapist=scene["late"], service=scene["service"],
                     start=at(scene["day"], 13))
    login(client, scene["client"].email)
    page = client.get(f"/appointments/{mine.id}/reschedule?day={scene['day']}").get_data(as_text=True)
    times = re.findall(r'<a class="slot" href="[^"]+">(\d\d:\d\d)</a>', page)
    assert "10:15" in times and "14:00" in times  # overlapping the visit being moved is fine
    assert not {"12:15", "13:00", "13:45"} & set(times)
