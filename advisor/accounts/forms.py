"""Forms of the account pages (Flask-WTF, CSRF-protected)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from advisor.i18n import lazy_gettext as _l

from .models import Role

ROLE_NAMES = {
    Role.ADMIN: _l("Administrator"),
    Role.ADVISOR: _l("Advisor"),
    Role.ANALYST: _l("Analyst"),
}
REQUIRED = _l("Please fill in this field.")


class LoginForm(FlaskForm):
    """E-mail address and password."""

    email = EmailField(validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(validators=[DataRequired(REQUIRED), Length(max=256)])


class ForgotForm(FlaskForm):
    """The address to send a new one-time link to."""

    email = EmailField(validators=[DataRequired(REQUIRED), Length(max=254)])


class SetPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(validators=[DataRequired(REQUIRED), Length(max=256)])
    confirm = PasswordField(
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The two passwords are not the same."))]
    )


class CodeForm(FlaskForm):
    """A six-digit code from the authenticator app."""

    code = StringField(validators=[DataRequired(REQUIRED), Length(max=12)])


class InviteForm(FlaskForm):
    """A new staff account."""

    email = EmailField(validators=[DataRequired(REQUIRED), Length(max=254)])
    name = StringField(validators=[Length(max=200)])
    role = SelectField(
        choices=[SelectChoice(r.value, r.value) for r in Role], validators=[DataRequired(REQUIRED)]
    )


class RoleForm(FlaskForm):
    """Another role for an account."""

    role = SelectField(
        choices=[SelectChoice(r.value, r.value) for r in Role], validators=[DataRequired(REQUIRED)]
    )


class ActionForm(FlaskForm):
    """A button that changes state: CSRF only."""
