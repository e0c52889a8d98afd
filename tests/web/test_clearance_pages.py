"""The staff pages for clearances: the queue, the record-clearance form, the letter, the client panel."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clinic import clock
from clinic.extensions import db
from clinic.intake.clearances import MAX_LETTER_BYTES
from clinic.intake.status import clearance_status
from clinic.models import Clearance
from tests.factories import login, make_appointment, make_client, make_owner, make_therapist
from tests.intake_factories import clear_client, flag_client, grant

PDF = b"%PDF-1.5\n%%EOF\n"


def clearances() -> int:
    return db.session.scalar(select(func.count(Clearance.id)))


@pytest.fixture
def scene(app, client):
    owner = make_owner()
    held = make_client(name="Hanna Held")
    flag_client(held.user, held, recent_surgery=True, surgery_date=clock.today() - timedelta(days=12))
    login(client, owner.email)
    return owner, held


def post_multipart(client, url, fields: dict, letter: tuple[str, bytes] | None = None):
    """Post a hand-built multipart body: the test client keeps it in memory (no temp file)."""
    boundary = "----clinic-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    if letter is not None:
        filename, data = letter
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="letter"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def form(**changes):
    data = {"physician_name": "Dr. Ana Ruiz", "cleared_on": clock.today().isoformat(),
            "restrictions": "No deep tissue on the right hip", "evidence": "Letter seen at the desk"}
    return {**data, **changes}


def test_the_queue_page_lists_held_clients_with_reasons(client, scene):
    _, held = scene
    html = client.get("/clearance-queue").get_data(as_text=True)
    assert "Hanna Held" in html
    assert "within 180 days" in html
    assert f"/clients/{held.id}/clearances/new" in html
    assert '<th scope="col">Held since</th>' in html


def test_clients_cannot_open_the_queue_or_the_form(client, scene):
    _, held = scene
    client.post("/logout")
    login(client, held.email)
    assert client.get("/clearance-queue").status_code == 403
    assert client.get(f"/clients/{held.id}/clearances/new").status_code == 403
    assert client.post(f"/clients/{held.id}/clearances/new", data=form()).status_code == 403
    assert clearances() == 0


def test_a_therapist_of_another_client_gets_404(client, scene):
    _, held = scene
    make_appointment(client=held)  # another therapist's client: no longer new
    db.session.commit()
    client.post("/logout")
    login(client, make_therapist().user.email)
    assert client.get(f"/clients/{held.id}/clearances/new").status_code == 404


def test_recording_a_clearance_with_a_letter(client, scene):
    owner, held = scene
    page = client.get(f"/clients/{held.id}/clearances/new").get_data(as_text=True)
    assert "Why a clearance is needed" in page
    assert 'enctype="multipart/form-data"' in page
    response = post_multipart(client, f"/clients/{held.id}/clearances/new", form(), ("ruiz-letter.pdf", PDF))
    assert response.status_code == 302
    clearance = db.session.scalar(select(Clearance))
    assert clearance.granted_by_id == owner.id
    assert clearance.letter_filename == "ruiz-letter.pdf"
    assert clearance_status(held, clock.today()) == "granted"
    download = client.get(f"/clearances/{clearance.id}/letter")
    assert download.status_code == 200
    assert download.data == PDF
    download.close()
    # The form now shows who granted the earlier clearance, when, and on what evidence.
    page = client.get(f"/clients/{held.id}/clearances/new").get_data(as_text=True)
    assert "Letter seen at the desk" in page
    assert owner.name in page
    assert "ruiz-letter.pdf" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"physician_name": ""}, "This field is required"),
        ({"cleared_on": "future"}, "cannot be in the future"),
        ({"valid_until": "2000-01-01"}, "cannot end before"),
        ({"letter": ("letter.pdf", b"MZ\x90\x00 not a pdf")}, "PDF, PNG or JPEG"),
        ({"letter": ("letter.html", PDF)}, "PDF, PNG or JPEG"),
        ({"letter": ("big.pdf", PDF + b"0" * MAX_LETTER_BYTES)}, "at most 4 MB"),
    ],
)
def test_bad_clearances_show_the_problem_and_save_nothing(client, scene, changes, message):
    _, held = scene
    if changes.get("cleared_on") == "future":
        changes = {"cleared_on": (clock.today() + timedelta(days=2)).isoformat()}
    letter = changes.pop("letter", None)
    response = post_multipart(client, f"/clients/{held.id}/clearances/new", form(**changes), letter)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert clearances() == 0
    assert clearance_status(held, clock.today()) == "required"


def test_an_upload_over_the_request_limit_is_refused_politely(client, scene):
    _, held = scene
    huge = ("huge.pdf", PDF + b"0" * (5 * 1024 * 1024))
    response = post_multipart(client, f"/clients/{held.id}/clearances/new", form(), huge)
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert clearances() == 0


def test_the_letter_is_not_served_to_the_client(client, scene):
    owner, held = scene
    from clinic.intake.clearances import Letter

    clearance = grant(owner, held, cleared_on=clock.today(), letter=Letter("a.pdf", PDF))
    client.post("/logout")
    login(client, held.email)
    assert client.get(f"/clearances/{clearance.id}/letter").status_code == 403
    page = client.get(f"/clients/{held.id}").get_data(as_text=True)
    assert "Dr. Ana Ruiz" in page
    assert f"/clearances/{clearance.id}/letter" not in page


def test_the_client_page_panel_shows_answers_flags_and_restrictions_to_staff(client, scene):
    owner, held = scene
    therapist = make_therapist()
    make_appointment(client=held, therapist=therapist)
    page = client.get(f"/clients/{held.id}").get_data(as_text=True)
    assert "Health intake and clearance" in page
    assert "within 180 days" in page
    assert "Record a clearance" in page
    grant(owner, held, cleared_on=clock.today(), restrictions="Gentle pressure only",
          valid_until=clock.today() + timedelta(days=21), evidence="Phoned the GP")
    client.post("/logout")
    login(client, therapist.user.email)
    page = client.get(f"/clients/{held.id}").get_data(as_text=True)
    assert "Restrictions:</strong> Gentle pressure only" in page
    assert "Phoned the GP" in page
    assert owner.name in page


def test_the_client_sees_their_own_panel_without_staff_actions(client, app):
    person = make_client()
    clear_client(person.user, person, medications="Ibuprofen")
    login(client, person.email)
    page = client.get(f"/clients/{person.id}").get_data(as_text=True)
    assert "Ibuprofen" in page
    assert "Record a clearance" not in page


def test_a_clearance_dated_before_the_hold_must_say_it_covers_the_later_answers(client, scene):
    """A physician who saw the client before a fever was reported may not have cleared it."""
    _, held = scene
    earlier = (clock.today() - timedelta(days=3)).isoformat()
    refused = post_multipart(client, f"/clients/{held.id}/clearances/new", form(cleared_on=earlier))
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert 'id="cleared_on-error"' in html and "when the answers that raised the hold were given" in html
    assert 'name="covers_later_answers"' in html
    assert clearances() == 0
    confirmed = post_multipart(client, f"/clients/{held.id}/clearances/new",
                               form(cleared_on=earlier, covers_later_answers="y"))
    assert confirmed.status_code == 302
    assert clearances() == 1


def test_the_clearance_form_names_what_raised_the_hold(client, scene):
    _, held = scene
    page = client.get(f"/clients/{held.id}/clearances/new").get_data(as_text=True)
    assert "From the health intake of" in page
    assert 'name="covers_later_answers"' not in page
