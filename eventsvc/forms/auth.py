"""Signing in and changing one's password."""

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from eventsvc.forms import BaseForm
from eventsvc.inputs import MIN_PASSWORD_LENGTH


class LoginForm(BaseForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=500)])


class ChangePasswordForm(BaseForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField(
        "New password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=500)]
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("new", message="The two passwords differ")],
    )
