"""The massage clinic application: booking, intake screening and session notes."""

from pathlib import Path

from flask import Flask

from clinic.responses import ClinicFlask
from config import Config, config_from_environment


def create_app(config: Config | None = None) -> Flask:
    app = ClinicFlask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    app.config.from_object(config or config_from_environment())
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'clinic.db'}"
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")

    from clinic import cli, formatting, security
    from clinic.database import configure_sqlite
    from clinic.errors import register_error_handlers
    from clinic.extensions import csrf, db, login_manager, migrate
    from clinic.notifications import subscribers
    from clinic.waitlist import subscribers as waitlist_subscribers

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)

    from clinic.api import bp as api_bp
    from clinic.auth.views import bp as auth_bp
    from clinic.care_plans.views import bp as care_plans_bp
    from clinic.clinic_settings.views import bp as clinic_settings_bp
    from clinic.home.views import bp as home_bp
    from clinic.intake.views import bp as intake_bp
    from clinic.notes.views import bp as notes_bp
    from clinic.parsing import IdConverter
    from clinic.records.views import bp as records_bp
    from clinic.reports.views import bp as reports_bp
    from clinic.scheduling.views import bp as scheduling_bp
    from clinic.waitlist.views import bp as waitlist_bp

    app.url_map.converters["int"] = IdConverter  # before the routes: a huge id is a 404, not a 500
    for blueprint in (
        home_bp,
        auth_bp,
        scheduling_bp,
        intake_bp,
        care_plans_bp,
        notes_bp,
        reports_bp,
        records_bp,
        waitlist_bp,
        clinic_settings_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)

    security.init_app(app)
    register_error_handlers(app)
    formatting.init_app(app)
    cli.init_app(app)
    subscribers.init_app(app)
    waitlist_subscribers.init_app(app)
    return app
