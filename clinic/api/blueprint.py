"""The JSON API blueprint: bearer-token authentication and the contract's error shape.

The API never uses the browser session: a request is either anonymous or carries
`Authorization: Bearer <token>`, so CSRF does not apply to it.
"""

from functools import wraps

from flask import Blueprint, g, request

from clinic.auth.sessions import user_for_token
from clinic.errors import Forbidden, TwoFactorSetupRequired, Unauthenticated
from clinic.extensions import db
from clinic.models import User
from clinic.security import must_enrol_in_two_factor

# What staff may still reach while the clinic requires two-step sign-in they lack.
ALLOWED_BEFORE_ENROLMENT = {
    "api.create_token",
    "api.me",
    "api.begin_two_factor",
    "api.confirm_two_factor",
    "api.turn_off_two_factor",
    "api.revoke_current_token",
}

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def load_bearer_user():
    g.api_user = None
    header = request.headers.get("Authorization", "")
    if not header:
        return
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send the token as 'Authorization: Bearer <token>'.")
    user = user_for_token(token.strip())
    if user is None:
        raise Unauthenticated("The token is unknown, revoked, expired or belongs to a disabled account.")
    db.session.commit()  # the token's last use, before the request's own work
    g.api_user = user
    g.api_token = token.strip()
    if request.endpoint not in ALLOWED_BEFORE_ENROLMENT and must_enrol_in_two_factor(user):
        raise TwoFactorSetupRequired()


def current_actor() -> User:
    """The authenticated user of this request, or a 401."""
    if g.get("api_user") is None:
        raise Unauthenticated()
    return g.api_user


def optional_actor() -> User | None:
    return g.get("api_user")


def auth_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        current_actor()
        return view(*args, **kwargs)

    return wrapped


def roles_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_actor().role not in roles:
                raise Forbidden()
            return view(*args, **kwargs)

        return wrapped

    return decorator
