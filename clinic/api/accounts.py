"""Accounts in the API: tokens, client sign-up, the current user, passwords and resets,
two-step sign-in."""

from typing import Annotated, Any

from flask import g, jsonify, url_for
from pydantic import BeforeValidator, Field

from clinic import clock
from clinic.api.blueprint import bp, current_actor, optional_actor
from clinic.api.bodies import Body, Text, checked, read_body
from clinic.api.openapi import operation
from clinic.api.parsing import json_object, optional_json_object
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


Password = Text(1024)


def _otp_number(value: Any) -> Any:
    """A code sent as a JSON number, its leading zeros restored."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1_000_000:
        return f"{value:06d}"
    return value


class Login(Body):
    email: Text(254)
    password: Password
    otp: Annotated[Text(64, blank="absent"), BeforeValidator(_otp_number)] | None = Field(
        None, description="With two-step sign-in on: a code (a string, or a number) or a recovery code"
    )


class NewClient(Body):
    """A walk-in registered by staff: no login, so no email or password needed."""

    name: Text(services.MAX_NAME_LENGTH)
    email: Text(services.MAX_EMAIL_LENGTH, blank="absent") | None = None
    password: Text(1024, blank="absent") | None = None
    phone: Text(services.MAX_PHONE_LENGTH, blank="absent") | None = None


class SignUp(NewClient):
    """Signing up online: an email and a password to log in with."""

    email: Text(services.MAX_EMAIL_LENGTH)
    password: Password


class PasswordChange(Body):
    current_password: Password
    new_password: Password


class PasswordResetRequest(Body):
    email: Text(services.MAX_EMAIL_LENGTH)


class PasswordReset(Body):
    token: str = Field(description="From the emailed link")
    password: Password


class TwoFactorConfirmation(Body):
    code: Text(64)


class PasswordConfirmation(Body):
    password: Password


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
    body=Login,
    response={"type": "object", "properties": {"token": {"type": "string"}, "user": USER_SCHEMA}},
    statuses=(201, 400, 401, 422, 429),
)
def create_token():
    login = read_body(Login)
    user = services.authenticate(login.email, login.password, client_address(), otp=login.otp)
    token = sessions.issue_token(user)
    db.session.commit()
    return jsonify({"token": token, "user": user_json(user)}), 201


@bp.post("/clients")
@operation(
    "Sign up online, or (staff) register a walk-in client without a login",
    auth=False,
    tag="accounts",
    body=(SignUp, NewClient),
    response=CLIENT_SCHEMA,
    statuses=(201, 400, 409, 422, 429),
)
def create_client():
    actor = optional_actor()
    if actor is None:
        throttle.refuse_blocked_address(client_address())
    new = read_body(NewClient if actor is not None and actor.is_staff else SignUp)
    client = services.register_client(**dict(new), actor=actor)
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
    body=PasswordChange,
    response=TOKEN_SCHEMA,
    statuses=(400, 401, 403, 422, 429),
)
def change_my_password():
    user = current_actor()
    change = read_body(PasswordChange)
    services.change_password(user, current=change.current_password, new=change.new_password,
                             address=client_address())
    token = sessions.issue_token(user)
    db.session.commit()
    return jsonify({"token": token})


@bp.post("/password-resets")
@operation(
    "Email a password reset link (the same answer whether or not the address has an account)",
    auth=False,
    tag="accounts",
    body=PasswordResetRequest,
    response=MESSAGE_SCHEMA,
    statuses=(202, 400, 422, 429),
)
def request_password_reset():
    throttle.refuse_blocked_address(client_address())
    resets.request_reset(read_body(PasswordResetRequest).email, reset_link)
    db.session.commit()
    return jsonify({"message": "If an account has this address, a reset link is on its way."}), 202


@bp.post("/password-resets/confirm")
@operation(
    "Choose a new password with the emailed token; every session and token of the account ends",
    auth=False,
    tag="accounts",
    body=PasswordReset,
    response=MESSAGE_SCHEMA,
    statuses=(400, 422, 429),
)
def confirm_password_reset():
    throttle.refuse_blocked_address(client_address())
    body = json_object()
    token = body.get("token")
    if not isinstance(token, str):
        raise InvalidToken()
    resets.check_token(token)  # an unknown or used token first, whatever else the body holds
    resets.reset_password(token, checked(PasswordReset, body).password)
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
    body=TwoFactorConfirmation,
    response={
        "type": "object",
        "properties": {"recovery_codes": {"type": "array", "items": {"type": "string"}}},
    },
    statuses=(400, 401, 409, 422),
)
def confirm_two_factor():
    user = current_actor()
    codes = two_factor.confirm_enrolment(user, read_body(TwoFactorConfirmation).code)
    db.session.commit()
    return jsonify({"recovery_codes": codes})


@bp.delete("/me/two-factor")
@operation(
    "Turn two-step sign-in off (needs the password)",
    tag="accounts",
    body=PasswordConfirmation,
    statuses=(204, 400, 401, 403, 422, 429),
)
def turn_off_two_factor():
    user = current_actor()
    services.turn_off_two_factor(user, read_body(PasswordConfirmation).password, client_address())
    db.session.commit()
    return "", 204
