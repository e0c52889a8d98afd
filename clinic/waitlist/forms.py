"""Forms for the waitlist pages: shape and format only; the services own the rules."""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from clinic.scheduling.forms import service_label

PART_CHOICES = [
    SelectChoice("", "Any time of day"),
    SelectChoice("morning", "Morning (before 12:00)"),
    SelectChoice("afternoon", "Afternoon (12:00-17:00)"),
    SelectChoice("evening", "Evening (from 17:00)"),
]


class WaitlistForm(FlaskForm):
    service_id = SelectField("Treatment", coerce=int, validators=[InputRequired()])
    therapist_id = SelectField("Therapist", coerce=str, validators=[Optional()])
    first_day = DateField("From", validators=[DataRequired()])
    last_day = DateField("To", validators=[DataRequired()])
    part_of_day = SelectField("Part of day", choices=PART_CHOICES, validators=[Optional()])
    earliest = TimeField("Earliest start (optional)", validators=[Optional()],
                         description="Overrides the part of day when given.")
    latest = TimeField("Latest start (optional)", validators=[Optional()])


class ClaimForm(FlaskForm):
    offer = HiddenField(validators=[DataRequired()])


class LeaveForm(FlaskForm):
    """A bare POST with CSRF protection."""


def fill_choices(form: WaitlistForm, services, therapists) -> None:
    form.service_id.choices = [SelectChoice(s.id, service_label(s)) for s in services]
    form.therapist_id.choices = [SelectChoice("", "Any therapist")] + [
        SelectChoice(str(t.id), t.name) for t in therapists
    ]
