"""Response headers, client addresses and session loading that every page shares."""

from urllib.parse import urlsplit

from flask import Flask, abort, g, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from clinic.auth import sessions
from clinic.extensions import db, login_manager
from clinic.models import User, UserSession
from clinic.text import storable

# The session cookie's key for the server-side session's secret (clinic.auth.sessions).
SESSION_KEY = "sid"
# What a member of staff may still open while the clinic requires two-step sign-in of them.
ALLOWED_BEFORE_ENROLMENT = {"auth.two_factor_setup", "auth.logout", "static"}

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
    """The cookie's user only while its session lives on the server (not logged out, not
    ended by a password change, not idle too long): a copied cookie is no key by itself."""
    try:
        wanted = int(user_id)
    except (TypeError, ValueError):
        return None
    user = sessions.session_user(wanted, session.get(SESSION_KEY))
    g.session_checked = True
    return user


def must_enrol_in_two_factor(user: User) -> bool:
    """Staff without two-step sign-in while the owner requires it of all staff."""
    if user.is_client or user.has_two_factor:
        return False
    from clinic.clinic_settings.services import clinic_profile

    return clinic_profile().require_staff_two_factor


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
    if app.config.get("TRUSTED_PROXIES"):
        proxies = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    @app.before_request
    def refuse_unstorable_text():
        """No text in the clinic holds a NUL or a lone surrogate, which the databases cannot
        store or compare (a 500): turn such a path, query string, form or file name away at the door.
        JSON bodies are checked field by field (clinic.api.bodies), as a 422."""
        fields = [request.path, *request.args.keys(), *request.args.listvalues()]
        if request.mimetype in FORM_MIMETYPES:  # only these have a form: skip parsing for the rest
            fields += [*request.form.keys(), *request.form.listvalues()]
            fields += [upload.filename or "" for uploads in request.files.listvalues() for upload in uploads]
        if not storable(fields):
            abort(400, "The request holds a NUL character or an unpaired surrogate, which no field accepts.")

    @app.before_request
    def check_page_session():
        """Load the signed-in user first thing (the session lookup may end an idle session or
        note the time it was last seen: both are committed here, before the page's own work),
        and send staff who must set up two-step sign-in to do so."""
        if request.endpoint == "static" or request.path.startswith("/api/"):
            return None
        # Always looked up afresh (g may outlive one request when a test holds the app context).
        g.pop("_login_user", None)
        user = current_user._get_current_object()
        if g.pop("session_checked", False) and any(
            isinstance(row, UserSession) for row in (*db.session.dirty, *db.session.deleted)
        ):
            db.session.commit()
        if (user.is_authenticated and request.endpoint not in ALLOWED_BEFORE_ENROLMENT
                and must_enrol_in_two_factor(user)):
            return redirect(url_for("auth.two_factor_setup"))
        return None

    @app.after_request
    def set_security_headers(response):
        """Add each header the view did not set itself. One pass over the response's headers:
        Werkzeug's `in` on a missing header raises and catches an exception each time."""
        present = {key.lower() for key, _value in response.headers.items()}
        response.headers.extend(
            [(key, value) for key, value in SECURITY_HEADERS if key.lower() not in present]
        )
        if app.config.get("HSTS_SECONDS"):
            response.headers["Strict-Transport-Security"] = f"max-age={app.config['HSTS_SECONDS']}"
        if request.endpoint != "static" and (
            request.path.startswith("/api/") or "text/html" in (response.content_type or "")
            or g.get("api_user") is not None or _signed_in()
        ):
            # Clinical data: never let a shared cache or the back button keep it. Set over any
            # earlier value: send_file marks letters "no-cache", which still stores them.
            response.headers["Cache-Control"] = "no-store"
        return response


def _signed_in() -> bool:
    """Whether a page user is signed in, without loading one just to answer."""
    return g.get("_login_user") is not None and current_user.is_authenticated
