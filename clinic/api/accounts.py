"""Accounts in the API: tokens, client sign-up, the current user."""

from flask import jsonify, url_for

from clinic import clock
from clinic.api.blueprint import bp, current_actor, optional_actor
from clinic.api.openapi import operation
from clinic.api.parsing import Reader, json_object
from clinic.auth import services
from clinic.extensions import db
from clinic.intake.status import clearance_status
from clinic.models import Client, Therapist, User
from clinic.records.services import read_client
from clinic.scheduling import services as scheduling

USER_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "email": {"type": "string"},
        "role": {"enum": ["owner", "therapist", "front_desk", "client"]},
    },
}
CLIENT_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "email": {"type": ["string", "null"]},
        "phone": {"type": ["string", "null"]},
        "clearance_status": {"enum": ["not_required", "required", "granted"]},
    },
}


def user_json(user: User) -> dict:
    return {"id": user.id, "name": user.name, "email": user.email, "role": user.role}


def client_json(client: Client) -> dict:
    return {
        "id": client.id,
        "name": client.name,
        "email": client.email,
        "phone": client.phone,
        "clearance_status": clearance_status(client, clock.today()),
    }


@bp.post("/tokens")
@operation(
    "Exchange email and password for a bearer token",
    auth=False,
    tag="accounts",
    body={
        "type": "object",
        "required": ["email", "password"],
        "properties": {"email": {"type": "string"}, "password": {"type": "string"}},
    },
    response={"type": "object", "properties": {"token": {"type": "string"}, "user": USER_SCHEMA}},
    statuses=(201, 400, 401, 422, 429),
)
def create_token():
    reader = Reader(json_object())
    email = reader.text("email", max_length=254)
    password = reader.text("password", max_length=1024)
    reader.check()
    user = services.authenticate(email, password)
    token = services.issue_token(user)
    db.session.commit()
    return jsonify({"token": token, "user": user_json(user)}), 201


@bp.post("/clients")
@operation(
    "Sign up online, or (staff) register a walk-in client without a login",
    auth=False,
    tag="accounts",
    body={
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "email": {"type": "string"},
            "password": {"type": "string"},
            "phone": {"type": "string"},
        },
    },
    response=CLIENT_SCHEMA,
    statuses=(201, 400, 409, 422),
)
def create_client():
    actor = optional_actor()
    reader = Reader(json_object())
    name = reader.text("name", max_length=services.MAX_NAME_LENGTH)
    is_staff = actor is not None and actor.is_staff
    email = reader.text("email", required=not is_staff, max_length=services.MAX_EMAIL_LENGTH)
    password = reader.text("password", required=not is_staff, max_length=1024)
    phone = reader.text("phone", required=False, max_length=services.MAX_PHONE_LENGTH)
    reader.check()
    client = services.register_client(name=name, email=email, password=password, phone=phone, actor=actor)
    db.session.commit()
    return jsonify(client_json(client)), 201


@bp.get("/clients/<int:client_id>")
@operation("A client's record", tag="accounts", response=CLIENT_SCHEMA, statuses=(401, 404))
def get_client(client_id: int):
    body = client_json(read_client(current_actor(), client_id))
    db.session.commit()  # the read's audit entry
    return jsonify(body)


@bp.get("/me")
@operation("The current user", tag="accounts", response=USER_SCHEMA, statuses=(401,))
def me():
    user = current_actor()
    body = user_json(user)
    if user.is_client and user.client:
        body["client_id"] = user.client.id
    if user.is_therapist and user.therapist:
        body["therapist_id"] = user.therapist.id
        body["calendar_feed_url"] = calendar_feed_url(user.therapist)
    return jsonify(body)


def calendar_feed_url(therapist: Therapist) -> str:
    return url_for(
        "api.therapist_calendar", therapist_id=therapist.id, token=therapist.calendar_token, _external=True
    )


@bp.post("/me/calendar-feed")
@operation(
    "A new secret calendar feed address (therapist); the previous one stops working",
    tag="accounts",
    response={"type": "object", "properties": {"calendar_feed_url": {"type": "string"}}},
    statuses=(200, 401, 403),
)
def renew_calendar_feed():
    therapist = scheduling.renew_calendar_feed(current_actor())
    db.session.commit()
    return jsonify({"calendar_feed_url": calendar_feed_url(therapist)})
