"""The owner manages staff accounts; everyone can change their own password."""

from sqlalchemy import select

from clinic.extensions import db
from clinic.models import AuditEntry, Therapist, User
from tests.factories import PASSWORD, make_client, make_owner, make_therapist


def login(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_owner_adds_a_therapist_who_gets_a_calendar(client):
    owner = make_owner()
    login(client, owner.email)
    response = client.post(
        "/staff",
        data={"name": "Theo", "email": "theo@example.test", "role": "therapist", "password": "long-enough-1"},
    )
    assert response.status_code == 302
    theo = db.session.scalar(select(User).where(User.email == "theo@example.test"))
    assert theo.role == "therapist" and db.session.get(Therapist, theo.id) is not None


def test_adding_staff_with_a_weak_password_shows_the_problem(client):
    login(client, make_owner().email)
    response = client.post(
        "/staff", data={"name": "T", "email": "t@example.test", "role": "therapist", "password": "short"}
    )
    assert "Use at least 10 characters." in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "t@example.test")) is None


def test_owner_disables_a_therapist_who_then_cannot_log_in(client):
    owner, therapist = make_owner(), make_therapist()
    login(client, owner.email)
    client.post(f"/staff/{therapist.id}/access", data={"action": "disable"})
    assert therapist.user.is_disabled
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "staff.disabled")) is not None
    client.post("/logout")
    assert login(client, therapist.user.email).status_code == 401


def test_owner_cannot_disable_themself(client):
    owner = make_owner()
    login(client, owner.email)
    response = client.post(f"/staff/{owner.id}/access", data={"action": "disable"}, follow_redirects=True)
    assert "cannot disable your own account" in response.get_data(as_text=True)
    assert not owner.is_disabled


def test_staff_pages_are_for_the_owner_only(client):
    therapist = make_therapist()
    login(client, therapist.user.email)
    assert client.get("/staff").status_code == 403
    assert client.post(f"/staff/{therapist.id}/access", data={"action": "disable"}).status_code == 403


def test_a_client_changes_their_password(client):
    me = make_client()
    login(client, me.email)
    response = client.post(
        "/account", data={"current": PASSWORD, "password": "brand-new-pass-9", "confirm": "brand-new-pass-9"}
    )
    assert response.status_code == 302
    client.post("/logout")
    assert login(client, me.email, "brand-new-pass-9").status_code == 302


def test_a_wrong_current_password_changes_nothing(client):
    me = make_client()
    login(client, me.email)
    response = client.post(
        "/account", data={"current": "not-it-at-all-1", "password": "brand-new-pass-9", "confirm": "brand-new-pass-9"}
    )
    assert "not your current password" in response.get_data(as_text=True)
    client.post("/logout")
    assert login(client, me.email).status_code == 302
