"""Forms of the advising pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class HandoverForm(FlaskForm):
    """The advisor's invite code, as the municipality types it."""

    code = StringField(validators=[DataRequired(), Length(max=20)])


class NewAssessmentForm(FlaskForm):
    """The municipality an advisor starts an assessment with."""

    municipality_name = StringField(validators=[DataRequired(), Length(max=200)])
