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
#: Account events as the administrator reads them (services.record's kinds).
EVENT_NAMES = {
    "created": _l("account created"),
    "link_invitation": _l("invitation link issued"),
    "link_reset": _l("new password link issued"),
    "mail_sent": _l("link mailed"),
    "mail_failed": _l("mail could not be sent"),
    "password_set": _l("password set"),
    "login": _l("signed in"),
    "login_failed": _l("failed sign-in"),
    "logout_everywhere": _l("signed out everywhere"),
    "role_changed": _l("role changed"),
    "activated": _l("reactivated"),
    "deactivated": _l("deactivated"),
    "deleted": _l("account deleted"),
    "second_factor_on": _l("second factor switched on"),
    "second_factor_off": _l("second factor switched off"),
    "second_factor_failed": _l("wrong second-factor code"),
    "invite_code_created": _l("invite code created"),
    "invite_code_renewed": _l("invite code renewed"),
    "assessment_created": _l("assessment started with a municipality"),
    "assessment_handed_over": _l("assessment handed over by a municipality"),
    "assessment_taken_back": _l("assessment taken back by its municipality"),
    "api_token_created": _l("statistics API token created"),
    "api_token_revoked": _l("statistics API token revoked"),
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


class DetailsForm(FlaskForm):
    """One's name and organisation, as municipalities see them (the report's cover)."""

    name = StringField(
        validators=[Length(max=200, message=_l("Please shorten this to at most %(max)d characters."))]
    )
    organisation = StringField(
        validators=[Length(max=200, message=_l("Please shorten this to at most %(max)d characters."))]
    )


class ActionForm(FlaskForm):
    """A button that changes state: CSRF only."""
