"""The owner's settings page, and the clinic's details and money format on every page."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from clinic.auth.decorators import owner_required
from clinic.clinic_settings.forms import ClinicSettingsForm
from clinic.clinic_settings.rules import format_money
from clinic.clinic_settings.services import (
    ClinicProfile,
    clinic_profile,
    environment_profile,
    update_clinic_settings,
)
from clinic.errors import ValidationFailed
from clinic.extensions import db
from clinic.home.panels import nav_link

bp = Blueprint("clinic_settings", __name__)

nav_link("Clinic settings", "clinic_settings.edit", roles=("owner",), order=85)


def page_profile() -> ClinicProfile:
    """The settings for a page; an error page after a database failure still renders."""
    try:
        return clinic_profile()
    except SQLAlchemyError:
        return environment_profile()


@bp.app_context_processor
def inject_clinic():
    return {"clinic": page_profile()}


@bp.app_template_filter("money")
def money_filter(minor_units: int | None) -> str:
    if minor_units is None:
        return ""
    return format_money(minor_units, page_profile().currency)


@bp.route("/clinic-settings", methods=["GET", "POST"])
@owner_required
def edit():
    form = ClinicSettingsForm(obj=clinic_profile())
    if form.validate_on_submit():
        try:
            update_clinic_settings(current_user, form.changes())
            db.session.commit()
            flash("The clinic's settings are saved.", "success")
            return redirect(url_for(".edit"))
        except ValidationFailed as error:
            db.session.rollback()
            for name, problems in (error.fields or {}).items():
                getattr(form, name, form.name).errors.extend(problems)
    return render_template("clinic_settings/edit.html", form=form)
