"""The waitlist pages: joining from the booking page, the client's and staff's lists, the
offer page and its one button, with the clock frozen on Wednesday 2 January 2030."""

import gc
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import event, select

from clinic.extensions import db
from clinic.models import Appointment, CarePlan, OutboundEmail, WaitlistEntry
from clinic.scheduling import services as scheduling
from clinic.waitlist import offers, services
from tests.factories import at, login, make_appointment, make_client, make_owner, make_service, make_therapist
from tests.intake_factories import clear_client

NOW = datetime(2030, 1, 2, 8, 0, tzinfo=UTC)
DAY = date(2030, 1, 7)


@pytest.fixture
def scene(app):
    with freeze_time(NOW):
        client = make_client(name="Wanda Waiting")
        clear_client(client.user, client)
        yield {
            "owner": make_owner(),
            "therapist": make_therapist(hours=True, name="Maya Hours"),
            "service": make_service(duration_minutes=60, name="Hip relief 60"),
            "client": client,
        }


def join_form(scene, **extra):
    return {"service_id": scene["service"].id, "therapist_id": "", "first_day": DAY.isoformat(),
            "last_day": DAY.isoformat(), "part_of_day": "morning", "earliest": "", "latest": "", **extra}


def entries_of(client) -> list[WaitlistEntry]:
    return list(db.session.scalars(select(WaitlistEntry).where(WaitlistEntry.client_id == client.id)))


def test_the_booking_page_links_to_the_waitlist_with_the_choices_made(client, scene):
    login(client, scene["client"].email)
    page = client.get(f"/book?service_id={scene['service'].id}&day={DAY}").get_data(as_text=True)
    assert "Tell me if something frees up" in page
    link = re.search(r'href="(/waitlist/join\?[^"]+)"', page).group(1).replace("&amp;", "&")
    form = client.get(link).get_data(as_text=True)
    assert f'value="{DAY.isoformat()}"' in form
    assert re.search(rf'<option selected value="{scene["service"].id}">|<option value="{scene["service"].id}" selected',
                     form)


def test_a_client_joins_sees_and_leaves_their_entry(client, scene):
    login(client, scene["client"].email)
    response = client.post("/waitlist/join", data=join_form(scene))
    assert response.status_code == 302
    [entry] = entries_of(scene["client"])
    assert (entry.earliest, entry.latest) == (None, datetime(2030, 1, 1, 11, 59).time())
    record = client.get("/my-record").get_data(as_text=True)
    assert "Hip relief 60 with any therapist" in record
    client.post(f"/waitlist/{entry.id}/leave")
    assert entry.end_reason == "left"
    assert "Not waiting for any time." in client.get("/my-record").get_data(as_text=True)


def test_a_bad_window_is_shown_beside_its_field(client, scene):
    login(client, scene["client"].email)
    page = client.post("/waitlist/join", data=join_form(scene, last_day="2030-01-06"))
    assert page.status_code == 200
    assert "Must not be before" in page.get_data(as_text=True)
    assert entries_of(scene["client"]) == []


def test_staff_add_a_client_from_their_page_and_see_the_whole_list(client, scene):
    login(client, scene["owner"].email)
    page = client.get(f"/clients/{scene['client'].id}").get_data(as_text=True)
    assert f"/waitlist/join?client_id={scene['client'].id}" in page
    response = client.post(f"/waitlist/join?client_id={scene['client'].id}",
                           data=join_form(scene, client_id=scene["client"].id, earliest="13:00", latest="15:00"))
    assert response.status_code == 302
    [entry] = entries_of(scene["client"])
    assert entry.created_by_id == scene["owner"].id
    listing = client.get("/waitlist").get_data(as_text=True)
    assert "Wanda Waiting" in listing and "from 13:00 until 15:00" in listing


def _offer_link(scene) -> str:
    visit = make_appointment(service=scene["service"], therapist=scene["therapist"], client=make_client(),
                             start=at(DAY, 10))
    scheduling.cancel_appointment(scene["owner"], visit.id)
    row = db.session.scalar(select(OutboundEmail).where(OutboundEmail.kind == "waitlist_offer"))
    return re.search(r"http://[^/\s]+(/waitlist/offer\?offer=\S+)", row.body).group(1)


def test_the_offer_page_books_with_one_button_and_then_says_it_is_gone(client, scene):
    login(client, scene["client"].email)
    client.post("/waitlist/join", data=join_form(scene))
    with client.application.test_request_context():
        link = _offer_link(scene)
    page = client.get(link).get_data(as_text=True)
    assert "Book this time" in page and "Maya Hours" in page
    token = link.split("offer=")[1]
    response = client.post("/waitlist/offer", data={"offer": token})
    assert response.status_code == 302
    booked = db.session.scalar(select(Appointment).where(Appointment.client_id == scene["client"].id))
    assert response.headers["Location"].endswith(f"/appointments/{booked.id}")
    gone = client.get(link).get_data(as_text=True)
    assert "This time has gone" in gone and "/book?" in gone


def test_someone_elses_offer_is_not_found(client, scene):
    login(client, scene["client"].email)
    client.post("/waitlist/join", data=join_form(scene))
    with client.application.test_request_context():
        link = _offer_link(scene)
    client.post("/logout")
    other = make_client()
    login(client, other.email)
    assert client.get(link).status_code == 404
    assert client.post("/waitlist/offer", data={"offer": link.split("offer=")[1]}).status_code == 404


def test_the_offer_link_asks_a_visitor_to_log_in_first(client, scene):
    response = client.get("/waitlist/offer?offer=abc")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _count_queries(client, url) -> int:
    engine = db.session.get_bind().engine
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()
    gc.collect()  # rows nothing holds leave the identity map: both counts start alike
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def _waiting(scene, client=None):
    person = client or make_client()
    therapist = make_therapist(hours=True)
    services.join_waitlist(scene["owner"], service_id=make_service().id, first_day=DAY, last_day=DAY,
                           therapist_id=therapist.id, client_id=person.id)


@pytest.mark.parametrize("url", ["/waitlist", "/clients/{client}"])
def test_waitlist_lists_make_a_fixed_number_of_queries(client, scene, url):
    # A still clock: the session's once-a-minute "last seen" write must not fall between counts.
    with freeze_time(datetime.now(UTC)):
        _count_growth(client, scene, url)


def _count_growth(client, scene, url):
    login(client, scene["owner"].email)
    target = url.format(client=scene["client"].id)
    _waiting(scene, scene["client"])
    few = _count_queries(client, target)
    for _ in range(4):
        _waiting(scene, scene["client"])
        _waiting(scene)
    assert _count_queries(client, target) == few


def test_the_reports_page_counts_offers_and_filled_times(client, scene):
    waiting = make_client()
    services.join_waitlist(waiting.user, service_id=scene["service"].id, first_day=DAY, last_day=DAY)
    with client.application.test_request_context():
        token = _offer_link(scene).split("offer=")[1]
    offers.claim_offer(waiting.user, token)
    login(client, scene["owner"].email)
    page = client.get("/reports?period=custom&from=2030-01-01&to=2030-01-31").get_data(as_text=True)
    assert "Waitlist and recall" in page
    found = {label: int(value) for value, label in re.findall(
        r'figure-value">(\d+)</span><span class="figure-label">([^<]+)<', page)}
    assert found["waitlist entries made"] == 1
    assert found["offers emailed"] == 1
    assert found["freed times filled from the waitlist"] == 1


def test_a_cancelled_care_plan_session_suggests_waiting_for_that_week(client, scene):
    plan = CarePlan(client_id=scene["client"].id, therapist_id=scene["therapist"].id,
                    service_id=scene["service"].id, weekly_sessions=4, maintenance_sessions=0,
                    first_start=at(DAY, 15))
    db.session.add(plan)
    db.session.flush()
    sessions = [make_appointment(service=scene["service"], therapist=scene["therapist"], client=scene["client"],
                                 start=at(DAY, 15) + timedelta(weeks=week), care_plan_id=plan.id)
                for week in range(2)]
    scheduling.cancel_appointment(scene["owner"], sessions[1].id)
    login(client, scene["client"].email)
    page = client.get("/my-record").get_data(as_text=True)
    assert "Tell me if a time frees up that week" in page
    assert "day=2030-01-14&amp;to=2030-01-20" in page
    form = client.get(f"/waitlist/join?service_id={scene['service'].id}&day=2030-01-14&to=2030-01-20")
    assert 'value="2030-01-20"' in form.get_data(as_text=True)
    make_appointment(service=scene["service"], therapist=scene["therapist"], client=scene["client"],
                     start=at(DAY, 9) + timedelta(weeks=1), care_plan_id=plan.id)  # replaced
    assert "Tell me if a time frees up that week" not in client.get("/my-record").get_data(as_text=True)
