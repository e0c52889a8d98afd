"""The one access rule (clinic/access.py) through the API and the pages.

A therapist's clients are those with a non-cancelled appointment with them; new clients
(no non-cancelled appointment with anyone) are everybody's to screen; the front desk
schedules for everyone and reads nothing clinical; a hidden record is a 404 that leaves an
audit entry.
"""

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.intake import clearances
from clinic.intake.clearances import Letter
from clinic.models import Appointment, AuditEntry, Clearance, Role
from tests.factories import (
    at,
    bearer,
    login,
    make_appointment,
    make_client,
    make_note,
    make_owner,
    make_service,
    make_therapist,
    make_user,
)
from tests.intake_factories import CLEAR_JSON, flag_client

API = "/api/v1"
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # a Monday, before opening
PDF = b"%PDF-1.4\n% a physician's letter\n"


@pytest.fixture
def frozen():
    with freeze_time(NOW) as frozen:
        yield frozen


@pytest.fixture
def scene(app, frozen):
    """Client 7's story: therapist A treats them, therapist B does not; they are held for
    clearance, with a clearance letter on file and a signed note."""
    owner = make_owner()
    a, b = make_therapist(hours=True), make_therapist(hours=True)
    service = make_service(duration_minutes=60)
    seven = make_client(name="Clara Jensen")
    past = make_appointment(client=seven, therapist=a, service=service, start=NOW - timedelta(days=7))
    note = make_note(past)
    booked = make_appointment(client=seven, therapist=a, service=service, start=at(NOW.date(), 10))
    cleared = clearances.grant_clearance(owner, seven.id, "Dr. Ruiz", NOW.date(), letter=Letter("ruiz.pdf", PDF))
    frozen.tick(60)
    flagged = flag_client(seven.user, seven)
    front_desk = make_user(Role.FRONT_DESK)
    db.session.commit()
    return {"owner": owner, "a": a, "b": b, "service": service, "seven": seven, "note": note,
            "booked": booked, "clearance": cleared, "intake": flagged, "front_desk": front_desk}


def clearance_body() -> dict:
    return {"physician_name": "Dr. Ruiz", "cleared_on": NOW.date().isoformat()}


def refusals() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "access.refused")))


# -- the escalation ----------------------------------------------------------------------------


def test_a_therapist_cannot_book_another_therapists_client_through_the_api(client, scene):
    b = bearer(client, scene["b"].user)
    body = {"service_id": scene["service"].id, "therapist_id": scene["b"].id,
            "start": at(NOW.date(), 14).isoformat(), "client_id": scene["seven"].id}
    response = client.post(f"{API}/appointments", json=body, headers=b)
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(Appointment.id)).where(Appointment.therapist_id == scene["b"].id)) == 0


def test_a_cancelled_appointment_opens_no_clinical_record(client, scene):
    """The attack: book client 7, cancel at once, then read their file and clear them."""
    seven = scene["seven"]
    make_appointment(client=seven, therapist=scene["b"], service=scene["service"],
                     start=at(NOW.date(), 15), status="cancelled")
    db.session.commit()
    b = bearer(client, scene["b"].user)
    for url in (f"/clients/{seven.id}", f"/clients/{seven.id}/intakes", f"/intakes/{scene['intake'].id}",
                f"/clients/{seven.id}/clearances", f"/clearances/{scene['clearance'].id}/letter",
                f"/clients/{seven.id}/progress"):
        assert client.get(f"{API}{url}", headers=b).status_code == 404, url
    response = client.post(f"{API}/clients/{seven.id}/clearances", json=clearance_body(), headers=b)
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(Clearance.id))) == 1
    assert client.get(f"{API}/clearance-queue", headers=b).get_json() == []


def test_the_treating_therapist_still_reads_and_clears(client, scene):
    a = bearer(client, scene["a"].user)
    seven = scene["seven"]
    assert client.get(f"{API}/clients/{seven.id}/intakes", headers=a).status_code == 200
    letter = client.get(f"{API}/clearances/{scene['clearance'].id}/letter", headers=a)
    assert letter.status_code == 200
    letter.close()
    assert client.post(f"{API}/clients/{seven.id}/clearances", json=clearance_body(), headers=a).status_code == 201


def test_a_refused_attempt_leaves_an_audit_entry_naming_the_client(client, scene):
    b = bearer(client, scene["b"].user)
    assert client.get(f"{API}/intakes/{scene['intake'].id}", headers=b).status_code == 404
    (entry,) = refusals()
    assert (entry.actor_id, entry.subject_type, entry.subject_id, entry.client_id) == (
        scene["b"].id, "intake", scene["intake"].id, scene["seven"].id)


def test_a_refused_page_leaves_an_audit_entry_too(client, scene):
    login(client, scene["b"].user.email)
    assert client.get(f"/clients/{scene['seven'].id}").status_code == 404
    assert [(e.subject_type, e.client_id) for e in refusals()] == [("client", scene["seven"].id)]


# -- new clients are everybody's to screen -----------------------------------------------------


def test_any_therapist_screens_a_new_client(client, scene):
    newcomer = make_client()
    flag_client(newcomer.user, newcomer)
    make_appointment(client=newcomer, therapist=scene["a"], start=at(NOW.date(), 16), status="cancelled")
    db.session.commit()
    b = bearer(client, scene["b"].user)
    assert client.get(f"{API}/clients/{newcomer.id}/intakes", headers=b).status_code == 200
    assert [e["client_id"] for e in client.get(f"{API}/clearance-queue", headers=b).get_json()] == [newcomer.id]
    assert client.post(f"{API}/clients/{newcomer.id}/clearances", json=clearance_body(),
                       headers=b).status_code == 201


def test_a_therapist_books_a_new_client_but_not_anothers_on_the_page(client, scene):
    newcomer = make_client()
    db.session.commit()
    login(client, scene["b"].user.email)
    form = {"service_id": scene["service"].id, "therapist_id": scene["b"].id,
            "day": NOW.date().isoformat(), "start_time": "14:00"}
    assert client.get(f"/appointments/new?client_id={scene['seven'].id}").status_code == 404
    assert client.post("/appointments/new", data={**form, "client_id": scene["seven"].id}).status_code == 404
    page = client.get("/appointments/new").get_data(as_text=True)
    assert newcomer.name in page and scene["seven"].name not in page
    assert client.post("/appointments/new", data={**form, "client_id": newcomer.id}).status_code == 302


# -- the clearance queue per role --------------------------------------------------------------


def test_the_queue_shows_everyone_to_the_owner_and_front_desk(client, scene):
    newcomer = make_client()
    flag_client(newcomer.user, newcomer)
    db.session.commit()
    expected = [scene["seven"].id, newcomer.id]
    for who in (scene["owner"], scene["front_desk"]):
        queue = client.get(f"{API}/clearance-queue", headers=bearer(client, who)).get_json()
        assert [e["client_id"] for e in queue] == expected
    mine = client.get(f"{API}/clearance-queue", headers=bearer(client, scene["a"].user)).get_json()
    assert [e["client_id"] for e in mine] == expected
    theirs = client.get(f"{API}/clearance-queue", headers=bearer(client, scene["b"].user)).get_json()
    assert [e["client_id"] for e in theirs] == [newcomer.id]
    assert client.get(f"{API}/clearance-queue", headers=bearer(client, scene["seven"].email)).status_code == 403


def test_the_queue_page_shows_the_front_desk_who_waits_but_not_why(client, scene):
    login(client, scene["front_desk"].email)
    page = client.get("/clearance-queue").get_data(as_text=True)
    assert scene["seven"].name in page
    assert "Severe pain" not in page and "Record clearance" not in page


# -- the front desk ----------------------------------------------------------------------------


def test_the_front_desk_never_reads_clinical_records_through_the_api(client, scene):
    desk = bearer(client, scene["front_desk"])
    seven, booked = scene["seven"], scene["booked"]
    for url in (f"/clients/{seven.id}/intakes", f"/intakes/{scene['intake'].id}",
                f"/clients/{seven.id}/clearances", f"/clearances/{scene['clearance'].id}/letter",
                f"/notes/{scene['note'].id}", f"/clients/{seven.id}/progress",
                f"/appointments/{booked.id}/check-ins"):
        assert client.get(f"{API}{url}", headers=desk).status_code == 404, url
    for url, body in ((f"/clients/{seven.id}/intakes", CLEAR_JSON),
                      (f"/appointments/{booked.id}/check-ins", {"pain_level": 3}),
                      (f"/notes/{scene['note'].id}/amendments", {"text": "x"}),
                      (f"/appointments/{booked.id}/notes",
                       {"techniques": ["swedish"], "areas": [], "pain_before": 5, "pain_after": 3})):
        assert client.post(f"{API}{url}", json=body, headers=desk).status_code == 404, url
    response = client.post(f"{API}/clients/{seven.id}/clearances", json=clearance_body(), headers=desk)
    assert response.status_code == 403
    assert client.get(f"{API}/reports/summary?from=2027-03-01&to=2027-03-31", headers=desk).status_code == 403


def test_the_front_desk_reads_what_scheduling_needs(client, scene):
    desk = bearer(client, scene["front_desk"])
    seven = scene["seven"]
    record = client.get(f"{API}/clients/{seven.id}", headers=desk).get_json()
    assert record["email"] == seven.email and record["clearance_status"] == "required"
    listed = client.get(f"{API}/appointments?from=2027-02-01&to=2027-03-31", headers=desk).get_json()
    assert {a["id"] for a in listed} >= {scene["booked"].id}
    feed = client.get(f"{API}/therapists/{scene['a'].id}/calendar.ics", headers=desk)
    assert feed.status_code == 200


def test_the_front_desk_books_moves_cancels_and_marks_no_shows_for_anyone(client, scene, frozen):
    desk = bearer(client, scene["front_desk"])
    walk_in = client.post(f"{API}/clients", json={"name": "Walk In"}, headers=desk)
    assert walk_in.status_code == 201
    for therapist, client_id in ((scene["a"], scene["seven"].id), (scene["b"], walk_in.get_json()["id"])):
        body = {"service_id": scene["service"].id, "therapist_id": therapist.id,
                "start": at(NOW.date(), 14).isoformat(), "client_id": client_id}
        booked = client.post(f"{API}/appointments", json=body, headers=desk)
        assert booked.status_code == 201, booked.get_json()
        appointment_id = booked.get_json()["id"]
        moved = client.patch(f"{API}/appointments/{appointment_id}", json={"start": at(NOW.date(), 15).isoformat()},
                             headers=desk)
        assert moved.status_code == 200
        assert client.post(f"{API}/appointments/{appointment_id}/cancel", headers=desk).status_code == 200
    frozen.move_to(at(NOW.date(), 11))
    desk = bearer(client, scene["front_desk"])  # hours later: the earlier token has idled out
    response = client.post(f"{API}/appointments/{scene['booked'].id}/no-show", headers=desk)
    assert response.get_json().get("status") == "no_show", response.get_json()


def test_the_front_desk_creates_and_reads_care_plans_without_the_pain_trend(client, scene):
    desk = bearer(client, scene["front_desk"])
    body = {"client_id": scene["seven"].id, "therapist_id": scene["b"].id, "service_id": scene["service"].id,
            "first_start": at(NOW.date() + timedelta(days=1), 9).isoformat(),
            "weekly_sessions": 2, "maintenance_sessions": 1}
    created = client.post(f"{API}/care-plans", json=body, headers=desk)
    assert created.status_code == 201, created.get_json()
    plan_id = created.get_json()["id"]
    plan = client.get(f"{API}/care-plans/{plan_id}", headers=desk).get_json()
    assert plan["phase"] == "weekly" and len(plan["appointments"]) == 3
    login(client, scene["front_desk"].email)
    page = client.get(f"/care-plans/{plan_id}").get_data(as_text=True)
    assert "Sessions to come" in page or "weekly" in page
    assert "Progress" not in page


def test_front_desk_pages_show_scheduling_and_hide_clinical_content(client, scene):
    login(client, scene["front_desk"].email)
    home = client.get("/").get_data(as_text=True)
    for label in ("Calendar", "Book for a client", "Clients", "Clearance queue"):
        assert label in home
    assert "Reports" not in home
    seven = scene["seven"]
    page = client.get(f"/clients/{seven.id}").get_data(as_text=True)
    assert seven.email in page and "Clearance required" in page
    assert "Pain" not in page and "intake" not in page.lower()
    for url in (f"/intakes/{scene['intake'].id}", f"/clients/{seven.id}/intake",
                f"/clearances/{scene['clearance'].id}/letter", f"/notes/{scene['note'].id}",
                f"/appointments/{scene['booked'].id}/check-in"):
        assert client.get(url).status_code == 404, url
    for url in (f"/clients/{seven.id}/clearances/new", "/reports", "/reports/audit"):
        assert client.get(url).status_code == 403, url
    appointment = client.get(f"/appointments/{scene['booked'].id}").get_data(as_text=True)
    assert "Session note" not in appointment and "check-in" not in appointment.lower()
    assert client.get("/calendar").status_code == 200
    assert client.get(f"/calendar/week?therapist_id={scene['b'].id}").status_code == 200


def test_create_user_makes_a_front_desk_account(app, runner):
    result = runner.invoke(args=["create-user", "--role", "front_desk", "--email", "desk@clinic.example",
                                 "--name", "Dee Desk", "--password", "front-desk-2027"])
    assert result.exit_code == 0, result.output
    assert "front_desk" in result.output


def test_the_owner_adds_a_front_desk_account_on_the_staff_page(client, app):
    login(client, make_owner().email)
    data = {"name": "Dee Desk", "email": "dee@example.test", "role": "front_desk", "password": "long-enough-1"}
    assert client.post("/staff", data=data).status_code == 302
    page = client.get("/staff").get_data(as_text=True)
    assert "Dee Desk" in page and "Front desk" in page
