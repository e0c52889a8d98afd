"""Response headers and session loading that every page shares."""

from urllib.parse import urlsplit

from flask import Flask, abort, request

from clinic.extensions import db, login_manager
from clinic.models import User

# Scripts and styles come only from our own static folder: no inline script, no CDN.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)

SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)

# The request bodies Werkzeug parses into request.form; any other body leaves it empty.
FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user and user.is_active else None


login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."
login_manager.login_message_category = "info"


def is_safe_next(target: str | None) -> bool:
    """Only a path inside this site: no scheme, no host, no protocol-relative '//' trick."""
    if not target:
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/")


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        """No text in the clinic contains a NUL character, and PostgreSQL refuses to store or
        compare one (a 500): turn such a query string or form away at the door."""
        fields = list(request.args.lists())
        if request.mimetype in FORM_MIMETYPES:  # only these have a form: skip parsing for the rest
            fields += request.form.lists()
        if any("\x00" in value for _name, values in fields for value in values):
            abort(400, "The request contains a NUL character, which no field accepts.")

    @app.after_request
    def set_security_headers(response):
        """Add each header the view did not set itself. One pass over the response's headers:
        Werkzeug's `in` on a missing header raises and catches an exception each time."""
        present = {key.lower() for key, _value in response.headers.items()}
        missing = [(key, value) for key, value in SECURITY_HEADERS if key.lower() not in present]
        if "cache-control" not in present and (
            request.path.startswith("/api/") or "text/html" in response.content_type
        ):
            # Clinical data: never let a shared cache or the back button keep it.
            missing.append(("Cache-Control", "no-store"))
        response.headers.extend(missing)
        return response
