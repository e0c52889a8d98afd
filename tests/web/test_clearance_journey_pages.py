"""The clearance journey through the pages: the client sends the letter from "My record",
staff open it from the queue and record the clearance with it attached; restrictions show
on the appointment page and the calendar."""

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from clinic import clock
from clinic.extensions import db
from clinic.models import Clearance, ClearanceLetter
from tests.factories import login, make_appointment, make_client, make_owner, make_therapist
from tests.intake_factories import flag_client, grant
from tests.web.test_clearance_pages import post_multipart

PDF = b"%PDF-1.5\n%%EOF\n"


@pytest.fixture
def held(app, client):
    person = make_client(name="Hanna Held")
    flag_client(person.user, person)
    db.session.flush()
    login(client, person.email)
    return person


def csrf_free_upload(client, letter):
    return post_multipart(client, "/my-record/letter", {}, letter)


def test_my_record_is_the_clients_own_page_with_what_to_do(client, held):
    html = client.get("/my-record").get_data(as_text=True)
    assert "<h1>My record</h1>" in html
    assert "Your health check" in html and "See your doctor" in html
    assert 'action="/my-record/letter"' in html
    assert "Record a clearance" not in html and "Book for" not in html  # not the staff page


def test_the_client_sends_the_letter_and_the_page_says_it_arrived(client, held):
    response = csrf_free_upload(client, ("dr-meyer.pdf", PDF))
    assert response.status_code == 302
    [uploaded] = db.session.scalars(select(ClearanceLetter)).all()
    assert uploaded.client_id == held.id and uploaded.filename == "dr-meyer.pdf"
    html = client.get("/my-record").get_data(as_text=True)
    assert "We have your letter" in html and "dr-meyer.pdf" in html
    assert f"/clearance-letters/{uploaded.id}" in html and "waiting for review" in html
    download = client.get(f"/clearance-letters/{uploaded.id}")
    assert download.status_code == 200 and download.data == PDF
    download.close()


def test_a_wrong_file_is_refused_beside_the_field(client, held):
    response = csrf_free_upload(client, ("letter.txt", b"hello"))
    assert response.status_code == 422
    assert "Upload the letter as a PDF, PNG or JPEG file." in response.get_data(as_text=True)
    assert db.session.scalars(select(ClearanceLetter)).all() == []


def test_staff_see_the_letter_in_the_queue_and_record_the_clearance_with_it(client, held):
    csrf_free_upload(client, ("dr-meyer.pdf", PDF))
    [uploaded] = db.session.scalars(select(ClearanceLetter)).all()
    client.post("/logout")
    login(client, make_owner().email)
    queue = client.get("/clearance-queue").get_data(as_text=True)
    assert "Letter received, waiting for review" in queue
    assert f"/clearance-letters/{uploaded.id}" in queue
    form_url = f"/clients/{held.id}/clearances/new?letter={uploaded.id}"
    assert form_url in queue
    letter = client.get(f"/clearance-letters/{uploaded.id}")
    assert letter.status_code == 200 and letter.data == PDF
    letter.close()
    page = client.get(form_url).get_data(as_text=True)
    assert "Letter sent by Hanna Held" in page
    response = client.post(form_url, data={
        "physician_name": "Dr. Lena Meyer", "cleared_on": clock.today().isoformat(),
        "restrictions": "Gentle pressure only"})
    assert response.status_code == 302
    clearance = db.session.scalar(select(Clearance))
    assert clearance.letter_stored_name == uploaded.stored_name
    assert "Letter received" not in client.get("/clearance-queue").get_data(as_text=True)


def test_another_client_cannot_open_the_letter(client, held):
    csrf_free_upload(client, ("dr-meyer.pdf", PDF))
    [uploaded] = db.session.scalars(select(ClearanceLetter)).all()
    client.post("/logout")
    login(client, make_client().email)
    assert client.get(f"/clearance-letters/{uploaded.id}").status_code == 404


def test_restrictions_show_on_the_appointment_page_and_the_calendar(app, client):
    owner = make_owner()
    therapist = make_therapist()
    person = make_client(name="Rita Restricted")
    flag_client(owner, person)
    grant(owner, person, cleared_on=clock.today(), restrictions="No deep tissue over the right hip")
    start = clock.local_datetime(clock.today() + timedelta(days=1), time(10))
    appointment = make_appointment(client=person, therapist=therapist, start=start)
    db.session.flush()
    login(client, owner.email)
    page = client.get(f"/appointments/{appointment.id}").get_data(as_text=True)
    assert "Restrictions from the physician" in page and "No deep tissue over the right hip" in page
    day = clock.to_local(appointment.starts_at).date().isoformat()
    calendar = client.get(f"/calendar?day={day}").get_data(as_text=True)
    assert "cal-restrictions" in calendar and "No deep tissue over the right hip" in calendar
