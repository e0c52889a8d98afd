"""Access policy for pages, stacked as decorators on the views."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def role_required(*roles: str):
    """Logged in with one of `roles`; anyone else logged in gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required("owner", "therapist", "front_desk")
owner_required = role_required("owner")
client_required = role_required("client")
