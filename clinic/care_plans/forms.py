from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from clinic.care_plans.cadence import MAX_MAINTENANCE_SESSIONS, MAX_WEEKLY_SESSIONS


class PlanForm(FlaskForm):
    client_id = SelectField("Client", coerce=int, validators=[InputRequired()])
    service_id = SelectField("Service", coerce=int, validators=[InputRequired()])
    therapist_id = SelectField("Therapist", coerce=int, validators=[InputRequired()])
    first_day = DateField("First session date", validators=[DataRequired()])
    first_time = TimeField(
        "Start time", validators=[DataRequired()], description="Clinic time, on the quarter hour."
    )
    weekly_sessions = IntegerField(
        "Weekly sessions",
        default=6,
        validators=[InputRequired(), NumberRange(0, MAX_WEEKLY_SESSIONS)],
        description="One a week at this weekday and time (weekly care usually runs 1-3 months).",
    )
    maintenance_sessions = IntegerField(
        "Monthly maintenance sessions",
        default=3,
        validators=[InputRequired(), NumberRange(0, MAX_MAINTENANCE_SESSIONS)],
        description="About a month apart, on the same weekday and time, after the weekly phase.",
    )

    def validate_maintenance_sessions(self, field):
        if (self.weekly_sessions.data or 0) + (field.data or 0) == 0:
            raise ValidationError("A plan needs at least one session.")


class ExtendForm(FlaskForm):
    weeks = IntegerField(
        "Extra weekly sessions", default=2, validators=[InputRequired(), NumberRange(1, MAX_WEEKLY_SESSIONS)]
    )


class ReasonForm(FlaskForm):
    reason = StringField("Reason (optional)", validators=[Optional(), Length(max=400)])


class RebookForm(FlaskForm):
    start = HiddenField(validators=[DataRequired()])
