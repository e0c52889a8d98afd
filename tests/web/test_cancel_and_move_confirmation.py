"""One tap never cancels or moves a visit: a confirmation step first, stating the notice policy."""

import re
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from clinic.clinic_settings.services import update_clinic_settings
from tests.factories import at, login, make_appointment, make_client, make_owner, make_service, make_therapist

NOW = "2030-01-07 08:00:00"  # a Monday


@pytest.fixture
def scene(app):
    with freeze_time(NOW):
        owner = make_owner()
        update_clinic_settings(owner, {"phone": "+44 20 7946 0000", "cancellation_notice_hours": 24})
        therapist = make_therapist(hours=True, name="Maya Hours")
        me = make_client()
        service = make_service(duration_minutes=60, price_cents=6500)
        visit = make_appointment(client=me, therapist=therapist, service=service,
                                 start=datetime(2030, 1, 9, 10, tzinfo=UTC))  # Wednesday, 50 hours ahead
    return {"owner": owner, "therapist": therapist, "client": me, "visit": visit}


def _main(response) -> str:
    return response.get_data(as_text=True).split("<main")[1].split("</main>")[0]


@freeze_time(NOW)
def test_the_appointment_page_has_no_one_tap_cancel(client, scene):
    login(client, scene["client"].email)
    page = _main(client.get(f"/appointments/{scene['visit'].id}"))
    assert "<form" not in page or f'action="/appointments/{scene["visit"].id}/cancel"' not in page
    assert f'href="/appointments/{scene["visit"].id}/cancel"' in page


@freeze_time(NOW)
def test_a_client_confirms_a_cancellation_after_reading_the_policy(client, scene):
    visit = scene["visit"]
    login(client, scene["client"].email)
    page = _main(client.get(f"/appointments/{visit.id}/cancel"))
    assert "Cancel this appointment?" in page
    assert "until 24 hours before they start" in page and "+44 20 7946 0000" in page
    assert f'<form method="post" action="/appointments/{visit.id}/cancel"' in page
    assert visit.status == "booked"  # looking is not cancelling
    client.post(f"/appointments/{visit.id}/cancel", data={"reason": "Travel"})
    assert visit.status == "cancelled"


@freeze_time("2030-01-08 20:00:00")  # 14 hours before the visit
def test_inside_the_notice_the_client_step_says_to_call_and_has_no_form(client, scene):
    login(client, scene["client"].email)
    page = _main(client.get(f"/appointments/{scene['visit'].id}/cancel"))
    assert "can no longer be cancelled online" in page and 'href="tel:+442079460000"' in page
    assert "<form" not in page


@freeze_time("2030-01-08 20:00:00")
def test_staff_confirm_too_and_are_told_it_will_count_as_late(client, scene):
    login(client, scene["owner"].email)
    page = _main(client.get(f"/appointments/{scene['visit'].id}/cancel"))
    assert "recorded as a late cancellation" in page and "<form" in page


@freeze_time(NOW)
def test_a_client_move_shows_old_and_new_time_before_moving(client, scene):
    visit = scene["visit"]
    login(client, scene["client"].email)
    times = client.get(f"/appointments/{visit.id}/reschedule?day=2030-01-10").get_data(as_text=True)
    link = re.search(r'<a class="slot" href="([^"]+)">14:00</a>', times).group(1).replace("&amp;", "&")
    assert "/reschedule/confirm?start=" in link
    page = _main(client.get(link))
    assert "Move this appointment?" in page
    assert "Wed 9 Jan 2030, 10:00" in page and "Thu 10 Jan 2030, 14:00" in page
    assert "until 24 hours before they start" in page
    assert visit.starts_at == at(visit.starts_at.date(), 10)
    assert 'name="start" value="2030-01-10T14:00:00+00:00"' in page
    client.post(f"/appointments/{visit.id}/reschedule", data={"start": "2030-01-10T14:00:00+00:00"})
    assert visit.starts_at == datetime(2030, 1, 10, 14, tzinfo=UTC)


@freeze_time(NOW)
def test_staff_choose_a_day_and_time_then_confirm_the_move(client, scene):
    visit = scene["visit"]
    login(client, scene["owner"].email)
    form = _main(client.get(f"/appointments/{visit.id}/reschedule"))
    assert f'<form method="get" action="/appointments/{visit.id}/reschedule/confirm"' in form
    page = _main(client.get(f"/appointments/{visit.id}/reschedule/confirm?day=2030-01-10&start_time=11:00"))
    assert "Move this appointment?" in page and "Thu 10 Jan 2030, 11:00" in page
    assert 'name="day" value="2030-01-10"' in page and 'name="start_time" value="11:00"' in page
    assert visit.starts_at == datetime(2030, 1, 9, 10, tzinfo=UTC)
    client.post(f"/appointments/{visit.id}/reschedule", data={"day": "2030-01-10", "start_time": "11:00"})
    assert visit.starts_at == datetime(2030, 1, 10, 11, tzinfo=UTC)


@freeze_time(NOW)
def test_a_staff_time_that_is_not_a_time_goes_back_to_the_form_with_the_error(client, scene):
    login(client, scene["owner"].email)
    page = _main(client.get(f"/appointments/{scene['visit'].id}/reschedule/confirm?day=2030-01-10&start_time=noon"))
    assert "Move appointment" in page and 'id="start_time-error"' in page
