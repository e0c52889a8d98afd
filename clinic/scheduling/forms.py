"""Forms for scheduling pages: shape and format only; the services own the rules."""

from datetime import datetime, time

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from clinic.clinic_settings.rules import major_units, parse_amount

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
INTERVALS_PER_DAY = 2


class ServiceForm(FlaskForm):
    """`currency` (a constructor keyword) is the clinic's: the price is typed in its units."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(
        "Description (optional)", validators=[Optional(), Length(max=1000)],
        description="What clients read when choosing a treatment: who it suits, what to expect.",
    )
    duration_minutes = IntegerField("Duration (minutes)", validators=[InputRequired(), NumberRange(5, 480)])
    price = StringField("Price", validators=[DataRequired(), Length(max=12)])
    buffer_minutes = IntegerField(
        "Buffer (minutes)",
        default=0,
        validators=[InputRequired(), NumberRange(0, 240)],
        description="Preparation time kept free before and after the session.",
    )

    def __init__(self, *args, currency: str = "EUR", **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.price.label.text = f"Price ({currency})"
        self.price.description = f"For example {major_units(6500, currency)}"

    def price_cents(self) -> int:
        return parse_amount(self.price.data, self.currency)

    def validate_price(self, field):
        if parse_amount(field.data or "", self.currency) is None:
            raise ValidationError(f"Enter an amount such as {major_units(6500, self.currency)}.")


class EditServiceForm(ServiceForm):
    is_active = BooleanField("Offered for booking", default=True)


def _hours_field_names(weekday: int, slot: int) -> tuple[str, str]:
    return f"d{weekday}_{slot}_start", f"d{weekday}_{slot}_end"


class WorkingHoursForm(FlaskForm):
    """Two optional intervals per weekday; an interval needs both ends or neither."""

    def intervals(self) -> list[tuple[int, time, time]]:
        result = []
        for weekday in range(7):
            for slot in range(INTERVALS_PER_DAY):
                start_name, end_name = _hours_field_names(weekday, slot)
                start, end = self[start_name].data, self[end_name].data
                if start and end:
                    result.append((weekday, start, end))
        return result

    def rows(self):
        for weekday, label in enumerate(WEEKDAYS):
            names = [_hours_field_names(weekday, slot) for slot in range(INTERVALS_PER_DAY)]
            yield label, [(self[s], self[e]) for s, e in names]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for _label, pairs in self.rows():
            for start, end in pairs:
                if bool(start.data) != bool(end.data):
                    (end if start.data else start).errors.append("Give both a start and an end.")
                    ok = False
                elif start.data and end.data and end.data <= start.data:
                    end.errors.append("The end must be after the start.")
                    ok = False
        return ok


for _weekday, _label in enumerate(WEEKDAYS):
    for _slot in range(INTERVALS_PER_DAY):
        _start, _end = _hours_field_names(_weekday, _slot)
        _which = "first" if _slot == 0 else "second"
        setattr(WorkingHoursForm, _start, TimeField(f"{_label} {_which} start", validators=[Optional()]))
        setattr(WorkingHoursForm, _end, TimeField(f"{_label} {_which} end", validators=[Optional()]))


class TimeOffForm(FlaskForm):
    start_day = DateField("From day", validators=[DataRequired()])
    start_time = TimeField("From time", default=time(0), validators=[DataRequired()])
    end_day = DateField("Until day", validators=[DataRequired()])
    end_time = TimeField("Until time", default=time(0), validators=[DataRequired()],
                         description="00:00 on the day after the last day off covers that whole day.")
    reason = StringField("Reason (optional)", validators=[Optional(), Length(max=200)])

    def validate_end_time(self, field):
        if self.start_day.data and self.end_day.data and self.start_time.data and field.data:
            start = datetime.combine(self.start_day.data, self.start_time.data)
            end = datetime.combine(self.end_day.data, field.data)
            if end <= start:
                raise ValidationError("The end must be after the start.")


class ConfirmBookingForm(FlaskForm):
    service_id = HiddenField(validators=[DataRequired()])
    therapist_id = HiddenField(validators=[DataRequired()])
    start = HiddenField(validators=[DataRequired()])


class StaffBookingForm(FlaskForm):
    client_id = SelectField("Client", coerce=int, validators=[InputRequired()])
    service_id = SelectField("Service", coerce=int, validators=[InputRequired()])
    therapist_id = SelectField("Therapist", coerce=int, validators=[InputRequired()])
    day = DateField("Day", validators=[DataRequired()])
    start_time = TimeField("Start time", validators=[DataRequired()],
                           description="On the quarter hour, clinic time.")


class RescheduleForm(FlaskForm):
    day = DateField("New day", validators=[DataRequired()])
    start_time = TimeField("New start time", validators=[DataRequired()],
                           description="On the quarter hour, clinic time.")


class SlotRescheduleForm(FlaskForm):
    start = HiddenField(validators=[DataRequired()])


class CancelForm(FlaskForm):
    reason = StringField("Reason (optional)", validators=[Optional(), Length(max=500)])


class ActionForm(FlaskForm):
    """A bare POST with CSRF protection (mark no-show, remove time off)."""


def service_label(service) -> str:
    """The name with its length, unless the name already ends with it ("Deep tissue 90 min")."""
    length = f"{service.duration_minutes} min"
    return service.name if service.name.endswith(length) else f"{service.name} ({length})"


def fill_staff_choices(form, *, actor, clients, services, therapists) -> None:
    """The client / service / therapist pickers shared by staff booking and care plans.

    A therapist books on their own calendar only, so they are offered just themself.
    """
    form.client_id.choices = [(c.id, f"{c.name} ({c.email or 'no email'})") for c in clients]
    form.service_id.choices = [(s.id, service_label(s)) for s in services]
    if actor.is_therapist:
        therapists = [t for t in therapists if t.id == actor.id]
    form.therapist_id.choices = [(t.id, t.name) for t in therapists]


def chosen(select) -> int | None:
    """The value a staff picker stands at: its data when offered, else (nothing chosen yet)
    the first option, which is what the browser shows selected."""
    offered = [value for value, _label in select.choices]
    if select.data in offered:
        return select.data
    return offered[0] if offered and select.data is None else None
