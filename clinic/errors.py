"""Domain errors raised by services, and the handlers that turn errors into responses.

Every error under /api/ answers the contract's JSON shape; pages get friendly HTML.
"""

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A rule of the clinic refused the request; `code` and `status` follow the API contract."""

    status = 409
    code = "conflict"
    message = "The request conflicts with the clinic's rules."

    def __init__(self, message: str | None = None, *, fields: dict | None = None, **extra):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.fields = fields
        self.extra = extra

    def on_refused(self) -> None:
        """Runs when the refusal becomes the response; a refusal that must leave a trace
        (a hidden record, see clinic.access) writes it here, after the request rolled back."""

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return {"error": body}


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    message = "Some fields are missing or invalid."


def refuse(problems: dict[str, list[str]]) -> None:
    """Raise what a pure `*_problems` rule found as a 422 naming the fields, if anything."""
    if problems:
        raise ValidationFailed(fields=problems)


class BadRequest(DomainError):
    status = 400
    code = "bad_request"
    message = "The request body must be a JSON object."


class BodyTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    message = "The request body is too large."


class NotFound(DomainError):
    """Also used for records that exist but are not the caller's to see."""

    status = 404
    code = "not_found"
    message = "Not found."


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message = "You are not allowed to do that."


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    message = "Log in or send a valid bearer token."


class Throttled(DomainError):
    status = 429
    code = "too_many_attempts"
    message = "Too many failed logins for this account. Try again later."


class AddressThrottled(Throttled):
    message = "Too many failed logins from your network. Try again in a quarter of an hour."


class OtpRequired(Unauthenticated):
    """The password was right; the account also needs its two-step code."""

    code = "otp_required"
    message = "Enter the 6-digit code from your authenticator app, or a recovery code."


class InvalidOtp(Unauthenticated):
    code = "invalid_otp"
    message = "That code is not right, or has been used already."


class InvalidToken(DomainError):
    status = 400
    code = "invalid_token"
    message = "This password reset link is unknown, used or expired. Ask for a new one."


class WrongPassword(DomainError):
    status = 403
    code = "wrong_password"
    message = "That is not your current password."


class TwoFactorActive(DomainError):
    code = "two_factor_active"
    message = "Two-step sign-in is already on. Turn it off first to set it up again."


class TwoFactorSetupRequired(DomainError):
    status = 403
    code = "two_factor_setup_required"
    message = "The clinic requires two-step sign-in for staff: set it up first (POST /me/two-factor)."


class EmailTaken(DomainError):
    status = 409
    code = "email_taken"
    message = "An account with this email address already exists."


class WeakPassword(ValidationFailed):
    message = "Passwords need at least 10 characters, not only letters and not only digits."


class BookingConflict(DomainError):
    code = "slot_unavailable"
    message = "That time is not available."


class ScheduleConflict(DomainError):
    code = "schedule_conflict"
    message = "Some sessions clash with the schedule."


class TooLateToCancel(DomainError):
    code = "too_late_to_cancel"
    message = "This appointment starts too soon to change online. Please call the clinic."


class ClearanceRequired(DomainError):
    """Treatment (a session note) is held until a physician clears the client: 409."""

    code = "clearance_required"
    message = "A physician's clearance is needed before treatment."


class BookingClearanceRequired(ClearanceRequired):
    """A client held for clearance may not book online (staff still may): 403."""

    status = 403
    message = (
        "Your health intake needs a physician's clearance before you can book online. "
        "Please bring or send us a letter from your doctor clearing you for massage."
    )


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _json_error(status: int, code: str, message: str):
    return jsonify({"error": {"code": code, "message": message}}), status


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_attempts",
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        error.on_refused()
        if _wants_json():
            return jsonify(error.to_dict()), error.status
        return render_template("errors/error.html", status=error.status, message=error.message), error.status

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        if _wants_json():
            code = _HTTP_CODES.get(status, "error")
            message = error.description or error.name
            if status == 404:
                message = "Not found: there is no such API endpoint or record."
            elif status == 405:
                message = f"{request.method} is not allowed here."
            return _json_error(status, code, message)
        template = "errors/404.html" if status == 404 else "errors/error.html"
        return render_template(template, status=status, message=error.description), status

    @app.errorhandler(Exception)
    def handle_unexpected_error(error: Exception):
        app.logger.exception("Unhandled error", exc_info=error)
        if _wants_json():
            return _json_error(500, "internal_error", "Something went wrong on our side.")
        return render_template("errors/500.html"), 500
