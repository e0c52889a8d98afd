from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from clinic.audit import ACTION_LABELS
from clinic.dates import OUTSIDE_CALENDAR, in_calendar
from clinic.parsing import parse_id
from clinic.reports.rules import CUSTOM, MONTH, WEEK
from clinic.reports.services import AuditFilter


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
        return parse_id(value) if self.client_id.errors == [] else None


def _check_day(field) -> None:
    if field.data and not in_calendar(field.data):
        raise ValidationError(OUTSIDE_CALENDAR)


class AuditLogFilter(AuditFilterForm):
    actor_id = SelectField("Who", default="")
    action = SelectField("What", default="")
    first = DateField("From", name="from", validators=[Optional()])
    last = DateField("To", name="to", validators=[Optional()])

    def __init__(self, *args, actors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.actor_id.choices = [SelectChoice("", "Everyone")] + [
            SelectChoice(str(uid), f"{name} ({role})") for uid, name, role in actors
        ]
        self.action.choices = [SelectChoice("", "Every action")] + [
            SelectChoice(code, label) for code, label in sorted(ACTION_LABELS.items(), key=lambda i: i[1])
        ]

    def validate_first(self, field):
        _check_day(field)

    def validate_last(self, field):
        _check_day(field)
        if field.data and self.first.data and not self.first.errors and field.data < self.first.data:
            raise ValidationError("The last day must be on or after the first.")

    def _valid(self, field):
        return field.data if field.data and not field.errors else None

    @property
    def filters(self) -> AuditFilter:
        actor_id = self._valid(self.actor_id)
        return AuditFilter(
            client_id=self.selected_client,
            actor_id=parse_id(actor_id),
            action=self._valid(self.action),
            first=self._valid(self.first),
            last=self._valid(self.last),
        )

    @property
    def query(self) -> dict[str, str]:
        """The applied filters as query-string arguments, for page and CSV links."""
        filters = self.filters
        chosen = {
            "client_id": filters.client_id, "actor_id": filters.actor_id, "action": filters.action,
            "from": filters.first, "to": filters.last,
        }
        return {name: str(value) for name, value in chosen.items() if value is not None}
