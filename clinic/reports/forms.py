from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from clinic.reports.rules import CUSTOM, MONTH, WEEK


class ReportRangeForm(FlaskForm):
    """Read from the query string (GET), so a report's address can be bookmarked or shared."""

    class Meta:
        csrf = False

    period = RadioField(
        "Period",
        choices=[
            SelectChoice(WEEK, "This week"),
            SelectChoice(MONTH, "This month"),
            SelectChoice(CUSTOM, "Custom range"),
        ],
        default=WEEK,
    )
    first = DateField("From", name="from", validators=[Optional()])
    last = DateField("To", name="to", validators=[Optional()])

    def validate_first(self, field):
        if self.period.data == CUSTOM and field.data is None and not field.errors:
            raise ValidationError("Choose the first day of the range.")

    def validate_last(self, field):
        if self.period.data != CUSTOM:
            return
        if field.data is None:
            raise ValidationError("Choose the last day of the range.")
        if self.first.data and field.data < self.first.data:
            raise ValidationError("The last day must be on or after the first.")


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    client_id = SelectField("Client", choices=[SelectChoice("", "All clients")], default="")

    def __init__(self, *args, clients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.client_id.choices = [SelectChoice("", "All clients")] + [
            SelectChoice(str(cid), name) for cid, name in clients
        ]

    @property
    def selected_client(self) -> int | None:
        value = self.client_id.data
        return int(value) if value and value.isdigit() and self.client_id.errors == [] else None
