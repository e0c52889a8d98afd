"""The owner's settings form: shape only; update_clinic_settings owns the rules."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, StringField, TelField, TextAreaField
from wtforms.validators import InputRequired

from clinic.clinic_settings.services import EDITABLE


class ClinicSettingsForm(FlaskForm):
    name = StringField("Clinic name", validators=[InputRequired()])
    address = TextAreaField("Address", description="Shown to clients in the footer and in emails.")
    phone = TelField("Phone", description="Clients are told to call this number inside the notice period.")
    email = EmailField("Email")
    currency = StringField("Currency", description="ISO 4217 code, for example EUR, GBP or USD.")
    cancellation_notice_hours = IntegerField(
        "Cancellation notice (hours)", validators=[InputRequired()],
        description="Clients cannot cancel or move a visit online later than this before it starts.",
    )
    require_staff_two_factor = BooleanField(
        "Require two-step sign-in for staff",
        description="Staff without it are sent to set it up before they can do anything else.",
    )

    def changes(self) -> dict:
        return {name: self[name].data if self[name].data is not None else "" for name in EDITABLE}
