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

from clinic.intake.screening import CONDITIONS, MAX_TEXT
from clinic.intake.services import letter_limit_text

PAIN_HINT = "0 means no pain at all, 10 the worst pain you can imagine."
SURGERY_DATE_HINT = "Only if you ticked surgery above. Leave it empty if you are not sure of the date."


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IntakeForm(FlaskForm):
    conditions = MultiCheckboxField(
        "Has a doctor told you that you have any of these?",
        choices=[SelectChoice(code, label) for code, label in CONDITIONS.items()],
    )
    pain_level = IntegerField(
        "How bad is your hip pain right now, from 0 to 10?",
        validators=[InputRequired("Please give your pain from 0 to 10."), NumberRange(0, 10)],
        description=PAIN_HINT,
    )
    recent_surgery = BooleanField("I have had surgery recently (hip, back or leg)")
    surgery_date = DateField("Date of the surgery", validators=[Optional()], description=SURGERY_DATE_HINT)
    fever_or_chills = BooleanField("I have a fever or chills")
    redness_or_warmth = BooleanField("The skin around my hip is red or feels warm")
    sudden_swelling = BooleanField("My hip has swollen suddenly or for no clear reason")
    loss_of_mobility = BooleanField("I find it hard to move my hip or to put weight on it")
    chronic_pain_unimproved = BooleanField(
        "I have had hip pain for a long time and it has not got better with home care or treatment"
    )
    medications = TextAreaField(
        "Medicines you take (optional)", validators=[Optional(), Length(max=MAX_TEXT)],
        description="For example pain relief, blood thinners or anti-inflammatories.",
    )
    notes = TextAreaField("Anything else we should know? (optional)",
                          validators=[Optional(), Length(max=MAX_TEXT)])
    consent = BooleanField(
        "I confirm my answers are true, I agree to massage treatment, and I agree to the clinic "
        "keeping this health record"
    )


class CheckInForm(FlaskForm):
    fever_or_chills = BooleanField("Have you had a fever or chills?")
    new_swelling = BooleanField("Is there new swelling around your hip?")
    redness_or_warmth = BooleanField("Is the skin around your hip red or warm?")
    recent_surgery = BooleanField("Have you had surgery?")
    surgery_date = DateField("Date of the surgery", validators=[Optional()], description=SURGERY_DATE_HINT)
    pain_level = IntegerField(
        "How bad is your hip pain right now, from 0 to 10?",
        validators=[InputRequired("Please give your pain from 0 to 10."), NumberRange(0, 10)],
        description=PAIN_HINT,
    )


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
