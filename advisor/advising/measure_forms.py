"""Forms of the advisor's own recommendations (see :mod:`advisor.advising.measures`)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from advisor.core.advised import EFFORTS
from advisor.i18n import lazy_gettext as _l

from .measures import (
    NO_CHANGE,
    NO_EFFORT,
    NO_PHASE,
    NO_REASON,
    NO_TITLE,
    NOT_PLANNED,
    REASON_MAX,
    RESPONSIBLE_MAX,
    TEXT_MAX,
    TITLE_MAX,
)

PHASES = ("1", "2", "3")
TOO_LONG = _l("Please shorten this to at most %(max)d characters.")


class OwnMeasureForm(FlaskForm):
    """A measure of the advisor's own (``entry``: the one being changed)."""

    entry = StringField(validators=[Optional(), Length(max=12), Regexp(r"^\d+$")])
    title = StringField(validators=[DataRequired(NO_TITLE), Length(max=TITLE_MAX, message=TOO_LONG)])
    text = TextAreaField(validators=[Optional(), Length(max=TEXT_MAX, message=TOO_LONG)])
    phase = StringField(validators=[DataRequired(NO_PHASE), AnyOf(PHASES, message=NO_PHASE)])
    effort = StringField(validators=[DataRequired(NO_EFFORT), AnyOf(EFFORTS, message=NO_EFFORT)])
    responsible = StringField(validators=[Optional(), Length(max=RESPONSIBLE_MAX, message=TOO_LONG)])
    reason = TextAreaField(validators=[Optional(), Length(max=REASON_MAX, message=TOO_LONG)])


class CatalogueMeasureForm(FlaskForm):
    """A measure of the roadmap adjusted (phase, effort, text) or removed, with the reason."""

    measure = StringField(validators=[DataRequired(NOT_PLANNED), Length(max=64, message=NOT_PLANNED)])
    action = StringField(validators=[DataRequired(NO_CHANGE), AnyOf(("adjust", "remove"), message=NO_CHANGE)])
    phase = StringField(validators=[Optional(), AnyOf(PHASES, message=NO_PHASE)])
    effort = StringField(validators=[Optional(), AnyOf(EFFORTS, message=NO_EFFORT)])
    text = TextAreaField(validators=[Optional(), Length(max=TEXT_MAX, message=TOO_LONG)])
    reason = TextAreaField(validators=[DataRequired(NO_REASON), Length(max=REASON_MAX, message=TOO_LONG)])


class EntryForm(FlaskForm):
    """One of the advisor's entries, to delete."""

    entry = StringField(validators=[DataRequired(), Length(max=12), Regexp(r"^\d+$")])
