from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from clinic.auth.passwords import password_problem


def _new_password_field(label: str) -> PasswordField:
    return PasswordField(label, validators=[DataRequired(), Length(max=1024)],
                         description="At least 10 characters, with a digit or symbol.")


def _repeat_password_field(label: str) -> PasswordField:
    return PasswordField(label, validators=[DataRequired(), EqualTo("password", "The passwords differ.")])


def _strong_password(form, field) -> None:
    """The one password rule (clinic.auth.passwords), beside the field on every form that sets one."""
    if problem := password_problem(field.data or ""):
        raise ValidationError(problem)

class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class SignUpForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    phone = TelField("Phone (optional)", validators=[Optional(), Length(max=40)])
    password = _new_password_field("Password")
    confirm = _repeat_password_field("Repeat password")
    validate_password = _strong_password


class StaffForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    role = SelectField(
        "Role", choices=[
            SelectChoice("therapist", "Therapist"),
            SelectChoice("front_desk", "Front desk"),
            SelectChoice("owner", "Owner"),
        ],
    )
    password = PasswordField(
        "Temporary password",
        validators=[DataRequired(), Length(max=1024)],
        description="At least 10 characters, with a digit or symbol. Ask them to change it.",
    )

    def validate_password(self, field):
        if problem := password_problem(field.data or ""):
            raise ValidationError(problem)


class SecondStepForm(FlaskForm):
    code = StringField(
        "Code", validators=[DataRequired(), Length(max=64)],
        description="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
    )


class EnrolForm(FlaskForm):
    code = StringField(
        "Code from the app", validators=[DataRequired(), Length(max=64)],
        description="After adding the account to the app, type the 6-digit code it shows.",
    )


class PasswordConfirmForm(FlaskForm):
    # Its own id: the account page shows it beside the change-password form's "password".
    password = PasswordField("Your password", id="own-password",
                             validators=[DataRequired(), Length(max=1024)])


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = _new_password_field("New password")
    confirm = _repeat_password_field("Repeat new password")
    validate_password = _strong_password


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=1024)])
    password = _new_password_field("New password")
    confirm = _repeat_password_field("Repeat new password")
    validate_password = _strong_password
