import os

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from clinic.intake import questions
from clinic.intake.clearances import letter_limit_text
from clinic.intake.questions import CONDITIONS, Question
from clinic.intake.screening import MAX_TEXT, PAIN_MAX, PAIN_MIN


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _field(question: Question):
    """The form field that asks one question of clinic/intake/questions.py."""
    label, help_text = question.label, question.help
    if question.kind == questions.CHOICES:
        choices = [SelectChoice(code, text) for code, text in CONDITIONS.items()]
        return MultiCheckboxField(label, choices=choices, description=help_text)
    if question.kind == questions.PAIN:
        required = InputRequired(f"Please give your pain from {PAIN_MIN} to {PAIN_MAX}.")
        in_range = NumberRange(PAIN_MIN, PAIN_MAX)
        return IntegerField(label, validators=[required, in_range], description=help_text)
    if question.kind == questions.DATE:
        return DateField(label, validators=[Optional()], description=help_text)
    if question.kind == questions.TEXT:
        return TextAreaField(label, validators=[Optional(), Length(max=MAX_TEXT)], description=help_text)
    return BooleanField(label, description=help_text)


def _form_asking(name: str, asked: tuple[Question, ...]) -> type[FlaskForm]:
    return type(name, (FlaskForm,), {question.key: _field(question) for question in asked})


IntakeForm = _form_asking("IntakeForm", questions.INTAKE)
CheckInForm = _form_asking("CheckInForm", questions.CHECK_IN)


class ClearanceForm(FlaskForm):
    physician_name = StringField("Physician's name", validators=[InputRequired(), Length(max=200)])
    cleared_on = DateField("Date the physician cleared the client", validators=[InputRequired()])
    restrictions = TextAreaField(
        "Restrictions (optional)", validators=[Optional(), Length(max=2000)],
        description="For example: no deep tissue over the left hip; gentle pressure only.",
    )
    valid_until = DateField(
        "Valid until (optional)", validators=[Optional()],
        description="Leave empty if the physician set no end date.",
    )
    evidence = TextAreaField(
        "Evidence (optional)", validators=[Optional(), Length(max=2000)],
        description="What the clearance rests on: the letter you saw, a phone call with the practice...",
    )
    letter = FileField("Physician's letter (optional)")
    covers_later_answers = BooleanField(
        "The physician's clearance covers the answers that raised the hold, though it is dated earlier"
    )

    def __init__(self, *args, hold_day=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.letter.description = f"A PDF, PNG or JPEG file of at most {letter_limit_text()}."
        self.hold_day = hold_day

    def validate_cleared_on(self, field):
        """A clearance dated before the answers that raised the hold may not have known of
        them (a fever reported after the visit): staff must say that it does."""
        if self.hold_day and field.data and field.data < self.hold_day and not self.covers_later_answers.data:
            raise ValidationError(
                f"This is before {self.hold_day:%-d %b %Y}, when the answers that raised the hold "
                "were given. Tick the box below if the physician knew of them."
            )

    def validate_letter(self, field):
        _check_letter_size(field)


def _check_letter_size(field) -> None:
    storage = field.data
    if not storage or not getattr(storage, "filename", ""):
        return
    storage.stream.seek(0, os.SEEK_END)
    size = storage.stream.tell()
    storage.stream.seek(0)
    if size > current_app.config["MAX_UPLOAD_BYTES"]:
        raise ValidationError(
            f"The letter must be at most {letter_limit_text()}. Choose a smaller file "
            "(a PDF, or a photo at a lower resolution) and send the form again."
        )


class LetterUploadForm(FlaskForm):
    letter = FileField("Your doctor's letter")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.letter.description = (
            f"A PDF, or a photo of the letter (PNG or JPEG), of at most {letter_limit_text()}."
        )

    def validate_letter(self, field):
        _check_letter_size(field)
