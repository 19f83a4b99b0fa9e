"""Forms of the account pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from ...i18n import _l
from ..forms import no_control_characters

REQUIRED = _l("Required.")


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED), Length(max=64),
                                                        no_control_characters],
                           description=_l("Trainees: your resident ID number. Staff: your account name."))
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=128)])


class PasswordForm(FlaskForm):
    old_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED), Length(max=128)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED), Length(max=128)],
                                 description=_l("At least 8 characters, with letters and digits."))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(REQUIRED), EqualTo("new_password", _l("The two passwords differ."))])


class RegisterForm(FlaskForm):
    id_number = StringField(_l("Resident ID number"), validators=[DataRequired(REQUIRED), Length(18, 18, _l(
        "18 characters.")), no_control_characters])
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(2, 30), no_control_characters])
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Regexp(r"^1\d{10}$", message=_l(
        "An 11-digit mobile number."))])
