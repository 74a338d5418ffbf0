"""The municipality's consent to statistics (the analyst's pages come with the dashboard)."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from advisor.assessments.access import load_assessment
from advisor.db import db

from . import forms, services

bp = Blueprint("stats", __name__)


@bp.post("/a/<aid>/statistics")
def consent(aid: str) -> Response:
    """Give or revoke the consent to anonymised statistics (the municipality's own decision)."""
    assessment = load_assessment(aid, by_link_only=True)
    form = forms.ConsentForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_consent(db.session, assessment, form.consent.data)
    if form.consent.data:
        flash(_("Thank you: your results will count, anonymised, in the next statistics."), "success")
    else:
        flash(_("Your results will no longer count in statistics from the next snapshot on."), "success")
    page = "assessments.summary" if request.form.get("from") == "summary" else "assessments.results"
    return redirect(url_for(page, aid=aid) + "#statistics", code=303)


def init_app(app: Flask) -> None:
    """Register the pages: the municipality's consent, the analyst's dashboard, the API."""
    from . import api, dashboard

    app.register_blueprint(bp)
    app.register_blueprint(dashboard.bp)
    api.init_app(app)
