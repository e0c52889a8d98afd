"""Accounts in the API: tokens, client sign-up, the current user, passwords and resets,
two-step sign-in."""

from flask import g, jsonify, url_for

from clinic import clock
from clinic.api.blueprint import bp, current_actor, optional_actor
from clinic.api.openapi import operation
from clinic.api.parsing import Reader, json_object, optional_json_object
from clinic.auth import resets, services, sessions, throttle, two_factor
from clinic.auth.throttle import client_address
from clinic.auth.views import reset_link
from clinic.clinic_settings.services import clinic_profile
from clinic.errors import InvalidToken
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
        "properties": {
            "email": {"type": "string"},
            "password": {"type": "string"},
            "otp": {"type": "string", "description": "With two-step sign-in on: a code or a recovery code"},
        },
    },
    response={"type": "object", "properties": {"token": {"type": "string"}, "user": USER_SCHEMA}},
    statuses=(201, 400, 401, 422, 429),
)
def create_token():
    body = json_object()
    reader = Reader(body)
    email = reader.text("email", max_length=254)
    password = reader.text("password", max_length=1024)
    otp = _otp(body, reader)
    reader.check()
    user = services.authenticate(email, password, client_address(), otp=otp)
    token = sessions.issue_token(user)
    db.session.commit()
    return jsonify({"token": token, "user": user_json(user)}), 201


def _otp(body: dict, reader: Reader) -> str | None:
    """The code as a string; a JSON number is taken too, its leading zeros restored."""
    raw = body.get("otp")
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < 1_000_000:
        return f"{raw:06d}"
    return reader.text("otp", required=False, max_length=64)


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
    statuses=(201, 400, 409, 422, 429),
)
def create_client():
    actor = optional_actor()
    if actor is None:
        throttle.refuse_blocked_address(client_address())
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
    body["two_factor_enabled"] = user.has_two_factor
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


TOKEN_SCHEMA = {"type": "object", "properties": {"token": {"type": "string"}}}
MESSAGE_SCHEMA = {"type": "object", "properties": {"message": {"type": "string"}}}


@bp.delete("/tokens/current")
@operation("End the token this request presents", tag="accounts", statuses=(204, 401))
def revoke_current_token():
    current_actor()
    sessions.revoke_token(g.api_token)
    db.session.commit()
    return "", 204


@bp.post("/me/password")
@operation(
    "Change your password; every other session and token stops working",
    tag="accounts",
    body={
        "type": "object",
        "required": ["current_password", "new_password"],
        "properties": {"current_password": {"type": "string"}, "new_password": {"type": "string"}},
    },
    response=TOKEN_SCHEMA,
    statuses=(400, 401, 403, 422, 429),
)
def change_my_password():
    user = current_actor()
    reader = Reader(json_object())
    current = reader.text("current_password", max_length=1024)
    new = reader.text("new_password", max_length=1024)
    reader.check()
    services.change_password(user, current=current, new=new, address=client_address())
    token = sessions.issue_token(user)
    db.session.commit()
    return jsonify({"token": token})


@bp.post("/password-resets")
@operation(
    "Email a password reset link (the same answer whether or not the address has an account)",
    auth=False,
    tag="accounts",
    body={"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}},
    response=MESSAGE_SCHEMA,
    statuses=(202, 400, 422, 429),
)
def request_password_reset():
    throttle.refuse_blocked_address(client_address())
    reader = Reader(json_object())
    email = reader.text("email", max_length=services.MAX_EMAIL_LENGTH)
    reader.check()
    resets.request_reset(email, reset_link)
    db.session.commit()
    return jsonify({"message": "If an account has this address, a reset link is on its way."}), 202


@bp.post("/password-resets/confirm")
@operation(
    "Choose a new password with the emailed token; every session and token of the account ends",
    auth=False,
    tag="accounts",
    body={
        "type": "object",
        "required": ["token", "password"],
        "properties": {"token": {"type": "string"}, "password": {"type": "string"}},
    },
    response=MESSAGE_SCHEMA,
    statuses=(400, 422, 429),
)
def confirm_password_reset():
    throttle.refuse_blocked_address(client_address())
    body = json_object()
    token = body.get("token")
    if not isinstance(token, str):
        raise InvalidToken()
    resets.check_token(token)
    reader = Reader(body)
    password = reader.text("password", max_length=1024)
    reader.check()
    resets.reset_password(token, password)
    db.session.commit()
    return jsonify({"message": "Your password is changed. Log in with the new one."})


@bp.post("/me/two-factor")
@operation(
    "Start setting up two-step sign-in: a new secret, not active until confirmed",
    tag="accounts",
    response={
        "type": "object",
        "properties": {"secret": {"type": "string"}, "otpauth_uri": {"type": "string"}},
    },
    statuses=(201, 400, 401, 409),
)
def begin_two_factor():
    user = current_actor()
    optional_json_object()
    secret = two_factor.begin_enrolment(user)
    uri = two_factor.provisioning_uri(user, clinic_profile().name or "Clinic")
    db.session.commit()
    return jsonify({"secret": secret, "otpauth_uri": uri}), 201


@bp.post("/me/two-factor/confirm")
@operation(
    "Turn two-step sign-in on with a current code; returns the recovery codes, shown once",
    tag="accounts",
    body={"type": "object", "required": ["code"], "properties": {"code": {"type": "string"}}},
    response={
        "type": "object",
        "properties": {"recovery_codes": {"type": "array", "items": {"type": "string"}}},
    },
    statuses=(400, 401, 409, 422),
)
def confirm_two_factor():
    user = current_actor()
    reader = Reader(json_object())
    code = reader.text("code", max_length=64)
    reader.check()
    codes = two_factor.confirm_enrolment(user, code)
    db.session.commit()
    return jsonify({"recovery_codes": codes})


@bp.delete("/me/two-factor")
@operation(
    "Turn two-step sign-in off (needs the password)",
    tag="accounts",
    body={"type": "object", "required": ["password"], "properties": {"password": {"type": "string"}}},
    statuses=(204, 400, 401, 403, 422, 429),
)
def turn_off_two_factor():
    user = current_actor()
    reader = Reader(json_object())
    password = reader.text("password", max_length=1024)
    reader.check()
    services.turn_off_two_factor(user, password, client_address())
    db.session.commit()
    return "", 204
