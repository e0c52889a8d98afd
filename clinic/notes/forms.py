from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from clinic.notes.services import MAX_AREA_LENGTH, MAX_AREAS, MAX_TEXT, TECHNIQUES


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _text(label: str, description: str | None = None) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=MAX_TEXT)], description=description)


class NoteForm(FlaskForm):
    techniques = CheckboxesField(
        "Techniques used", choices=[SelectChoice(code, label) for code, label in TECHNIQUES.items()]
    )
    areas = StringField(
        "Areas treated",
        validators=[Optional(), Length(max=MAX_AREAS * (MAX_AREA_LENGTH + 2))],
        description="Separate areas with commas, e.g. left hip, lower back.",
    )
    pain_before = IntegerField(
        "Pain before the session (0-10)", validators=[InputRequired(), NumberRange(0, 10)]
    )
    pain_after = IntegerField(
        "Pain after the session (0-10)", validators=[InputRequired(), NumberRange(0, 10)]
    )
    subjective = _text("Subjective", "What the client reports.")
    objective = _text("Objective", "What you observed and measured.")
    assessment = _text("Assessment")
    plan = _text("Plan", "Next steps, home care, frequency.")
    adverse_reaction = _text(
        "Adverse reaction (if any)", "For example increased pain or inflammation after the massage."
    )

    def validate_techniques(self, field):
        if not field.data:
            raise ValidationError("Choose at least one technique.")

    def area_list(self) -> list[str]:
        return [a.strip() for a in (self.areas.data or "").split(",") if a.strip()]


class AmendmentForm(FlaskForm):
    text = TextAreaField("Amendment", validators=[InputRequired(), Length(max=MAX_TEXT)])
