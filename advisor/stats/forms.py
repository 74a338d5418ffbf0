"""Forms of the statistics pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField


class ConsentForm(FlaskForm):
    """Whether the municipality's results count, anonymised, in statistics."""

    consent = BooleanField()
