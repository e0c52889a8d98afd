"""clinic.access's SQL on SQLite and PostgreSQL: who is whose client, who is new, and the
booking limit counted under the client's lock."""

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from clinic import access
from clinic.errors import Forbidden, NotFound
from clinic.extensions import db
from clinic.models import Client, Role
from clinic.scheduling import services as scheduling
from tests.factories import (
    at,
    make_appointment,
    make_client,
    make_owner,
    make_service,
    make_therapist,
    make_user,
)

NOW = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with freeze_time(NOW) as frozen:
        yield frozen


@pytest.fixture
def people(app, frozen):
    a, b = make_therapist(hours=True), make_therapist(hours=True)
    theirs, cancelled_only, newcomer = make_client(), make_client(), make_client()
    make_appointment(client=theirs, therapist=a, start=at(NOW.date(), 10))
    make_appointment(client=cancelled_only, therapist=a, start=at(NOW.date(), 12), status="cancelled")
    return {"a": a, "b": b, "theirs": theirs, "cancelled_only": cancelled_only, "newcomer": newcomer}


def visible_to(actor) -> set[int]:
    return set(db.session.scalars(select(Client.id).where(access.client_scope(actor))))


def test_a_therapists_clients_are_their_live_ones_plus_new_clients(people):
    a, b = people["a"].user, people["b"].user
    new = {people["cancelled_only"].id, people["newcomer"].id}
    assert visible_to(a) == {people["theirs"].id, *new}
    assert visible_to(b) == new
    assert access.treats(people["a"].id, people["theirs"].id)
    assert not access.treats(people["a"].id, people["cancelled_only"].id)
    assert access.is_new_client(people["cancelled_only"].id)


def test_the_sql_and_the_python_rule_agree(people):
    for actor in (people["a"].user, people["b"].user, make_owner(), make_user(Role.FRONT_DESK)):
        for client in (people["theirs"], people["cancelled_only"], people["newcomer"]):
            assert access.may_see_client(actor, client) == (client.id in visible_to(actor))


def test_the_front_desk_sees_every_record_and_no_clinical_one(people):
    desk = make_user(Role.FRONT_DESK)
    assert visible_to(desk) >= {people["theirs"].id, people["newcomer"].id}
    assert not access.may_read_clinical(desk, people["theirs"])
    with pytest.raises(NotFound):
        access.clinical_client(desk, people["theirs"].id)
    with pytest.raises(Forbidden):
        access.client_for_clearance(desk, people["theirs"].id)


def test_a_therapist_books_their_own_and_new_clients_only(people):
    b = people["b"].user
    assert access.client_for_booking(b, people["newcomer"].id) == people["newcomer"]
    with pytest.raises(NotFound):
        access.client_for_booking(b, people["theirs"].id)


def test_the_booking_limit_counts_only_the_clients_own_open_online_bookings(app, people):
    app.config["CLIENT_MAX_OPEN_BOOKINGS"] = 2
    try:
        me = people["newcomer"]
        service = make_service()
        therapist = people["b"]

        def book(actor, hour, **kw):
            return scheduling.book_appointment(actor, service_id=service.id, therapist_id=therapist.id,
                                               start=at(NOW.date(), hour), **kw)

        book(make_owner(), 9, client_id=me.id)  # staff bookings do not count
        book(me.user, 11)
        book(me.user, 13)
        with pytest.raises(scheduling.BookingLimitReached):
            book(me.user, 15)
    finally:
        app.config["CLIENT_MAX_OPEN_BOOKINGS"] = 6
