"""Configuration classes, read from environment variables when the app is created."""

import os

UPLOAD_MARGIN_BYTES = 1024 * 1024


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _database_url(default: str | None) -> str | None:
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs still say "postgres://", which SQLAlchemy no longer accepts.
    if url and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return url


class Config:
    """Settings shared by every environment; each is read when the class is instantiated."""

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY")
        self.SQLALCHEMY_DATABASE_URI = _database_url(None)
        self.CLINIC_TIMEZONE = os.environ.get("CLINIC_TIMEZONE", "UTC")
        self.CLINIC_NAME = os.environ.get("CLINIC_NAME", "Hip & Back Massage Clinic")
        self.CLINIC_ADDRESS = os.environ.get("CLINIC_ADDRESS", "")
        self.CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "")
        self.CLINIC_EMAIL = os.environ.get("CLINIC_EMAIL", "")
        self.CLINIC_CURRENCY = os.environ.get("CLINIC_CURRENCY", "EUR")
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
        self.MAIL_PORT = _int_env("MAIL_PORT", 25)
        self.MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes")
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
        self.MAIL_SENDER = os.environ.get("MAIL_SENDER", "clinic@localhost")
        self.MAIL_TIMEOUT_SECONDS = _int_env("MAIL_TIMEOUT_SECONDS", 10)
        # "smtp", or "files": each email written to MAIL_FOLDER (default instance/mail).
        self.MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp").strip().lower()
        self.MAIL_FOLDER = os.environ.get("MAIL_FOLDER")
        self.MAIL_WORKER_POLL_SECONDS = _int_env("MAIL_WORKER_POLL_SECONDS", 5)
        self.MAIL_LEASE_SECONDS = _int_env("MAIL_LEASE_SECONDS", 300)
        self.REMINDER_HOURS = _int_env("REMINDER_HOURS", 24)
        self.CANCELLATION_NOTICE_HOURS = _int_env("CANCELLATION_NOTICE_HOURS", 24)
        self.SURGERY_CLEARANCE_DAYS = _int_env("SURGERY_CLEARANCE_DAYS", 180)
        self.BOOKING_NOTICE_HOURS = _int_env("BOOKING_NOTICE_HOURS", 2)
        self.BOOKING_HORIZON_DAYS = _int_env("BOOKING_HORIZON_DAYS", 90)
        self.CLIENT_MAX_OPEN_BOOKINGS = _int_env("CLIENT_MAX_OPEN_BOOKINGS", 6)
        self.REDIS_URL = os.environ.get("REDIS_URL")
        # The site's address for links in emails sent outside a request (cron, mail worker).
        self.CLINIC_URL = os.environ.get("CLINIC_URL", "http://127.0.0.1:5000")
        self.WAITLIST_HEAD_START_MINUTES = _int_env("WAITLIST_HEAD_START_MINUTES", 30)
        self.RECALL_LEAD_DAYS = _int_env("RECALL_LEAD_DAYS", 7)
        self.LOGIN_FAILURE_LIMIT = _int_env("LOGIN_FAILURE_LIMIT", 10)
        self.LOGIN_FAILURE_WINDOW_SECONDS = _int_env("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
        # More failed logins than this from one address (any accounts) refuse every login,
        # password reset and sign-up from it for the window.
        self.LOGIN_ADDRESS_LIMIT = _int_env("LOGIN_ADDRESS_LIMIT", 100)
        # Proxies in front of the app: the client address is the N-th from the right of
        # X-Forwarded-For (Werkzeug's ProxyFix). 0 trusts no header: the peer address counts.
        self.TRUSTED_PROXIES = _int_env("TRUSTED_PROXIES", 0)
        self.PASSWORD_RESET_MINUTES = _int_env("PASSWORD_RESET_MINUTES", 60)
        self.STAFF_IDLE_MINUTES = _int_env("STAFF_IDLE_MINUTES", 30)
        self.CLIENT_IDLE_MINUTES = _int_env("CLIENT_IDLE_MINUTES", 240)
        # Where emailed links point (https://clinic.example); unset, the request's own host,
        # which only a proxy that sets Host itself makes trustworthy.
        self.PUBLIC_URL = (os.environ.get("PUBLIC_URL") or "").rstrip("/")
        self.HSTS_SECONDS = 0
        self.UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER")
        # The largest file accepted (a physician's letter). Requests may be a little larger, so
        # a file just over the limit gets a message beside its field instead of a bare 413.
        self.MAX_UPLOAD_BYTES = _int_env("MAX_UPLOAD_BYTES", 4 * 1024 * 1024)
        self.MAX_CONTENT_LENGTH = self.MAX_UPLOAD_BYTES + UPLOAD_MARGIN_BYTES
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = True
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = True
        self.WTF_CSRF_TIME_LIMIT = None


class DevelopmentConfig(Config):
    """Local use: a SQLite file in the instance folder and a throwaway key."""

    def __init__(self) -> None:
        super().__init__()
        # A per-checkout key is generated by `make run`; this fallback only serves `flask shell`.
        self.SECRET_KEY = self.SECRET_KEY or "dev-only-not-secret"
        # No mail server needed to try the clinic: emails land in instance/mail/ as .eml files,
        # unless a mail server is named (then it is surely meant to be used).
        default_backend = "smtp" if os.environ.get("MAIL_SERVER") else "files"
        self.MAIL_BACKEND = os.environ.get("MAIL_BACKEND", default_backend).strip().lower()
        self.SESSION_COOKIE_SECURE = False
        self.REMEMBER_COOKIE_SECURE = False


class TestConfig(Config):
    """The test suite; the database URL is set by the fixtures."""

    TESTING = True

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "test-secret-key"
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
        self.SESSION_COOKIE_SECURE = False
        self.REMEMBER_COOKIE_SECURE = False
        self.MAIL_SERVER = "127.0.0.1"
        self.MAIL_PORT = 1
        self.MAIL_BACKEND = "smtp"


class ProductionConfig(Config):
    """Refuses to start without the settings that have no safe default."""

    REQUIRED_KEYS = ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI")

    def __init__(self) -> None:
        super().__init__()
        # Browsers remember for a year to come back only over HTTPS.
        self.HSTS_SECONDS = 365 * 24 * 3600
        missing = [key for key in self.REQUIRED_KEYS if not getattr(self, key)]
        if missing:
            names = ", ".join("DATABASE_URL" if k == "SQLALCHEMY_DATABASE_URI" else k for k in missing)
            raise RuntimeError(f"Missing required configuration: {names}")


def config_from_environment() -> Config:
    """Pick the config class from FLASK_ENV-like CLINIC_ENV (development unless told)."""
    name = os.environ.get("CLINIC_ENV", "development").lower()
    return {"production": ProductionConfig, "test": TestConfig}.get(name, DevelopmentConfig)()
