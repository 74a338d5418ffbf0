"""Forms of the statistics pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, Length

from advisor.i18n import lazy_gettext as _l


class ConsentForm(FlaskForm):
    """Whether the municipality's results count, anonymised, in statistics."""

    consent = BooleanField()


class TokenForm(FlaskForm):
    """A new API token, named so its owner can tell it from others."""

    name = StringField(
        validators=[
            DataRequired(_l("Please give the token a name.")),
            Length(max=100, message=_l("Please shorten this to at most %(max)d characters.")),
        ]
    )


class RevokeTokenForm(FlaskForm):
    """Which of one's tokens to revoke."""

    token = IntegerField(validators=[DataRequired()])
