"""Forms of the advising pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class HandoverForm(FlaskForm):
    """The advisor's invite code, as the municipality types it."""

    code = StringField(validators=[DataRequired(), Length(max=20)])


class NewAssessmentForm(FlaskForm):
    """The municipality an advisor starts an assessment with."""

    municipality_name = StringField(validators=[DataRequired(), Length(max=200)])


class RespondentForm(FlaskForm):
    """A respondent the advisor invites: a name (for the advisor) and a role (for the group and report)."""

    name = StringField(validators=[DataRequired(), Length(max=200)])
    role = StringField(validators=[DataRequired(), Length(max=200)])
    named_in_report = BooleanField()


class RationaleForm(FlaskForm):
    """Why the group agreed on an answer (optional when the median is accepted)."""

    rationale = TextAreaField(validators=[Length(max=2000)])


class NoteForm(FlaskForm):
    """The advisor's note: private, or shared into the report."""

    note = TextAreaField(validators=[Length(max=5000)])
    shared = BooleanField()
