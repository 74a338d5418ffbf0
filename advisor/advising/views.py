"""The advisor's dashboard, and the municipality's handover to an advisor (and back)."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from advisor.accounts.services import AccountError
from advisor.accounts.views import role_required
from advisor.assessments.access import load_assessment
from advisor.assessments.forms import ActionForm
from advisor.assessments.views import resume_link_url
from advisor.db import db
from advisor.web import active_catalogue

from . import forms, services

bp = Blueprint("advising", __name__)


@bp.get("/advisor")
@role_required(*services.ADVISING_ROLES)
def dashboard():
    """The assessments handed to this advisor, and the invite code to receive more."""
    user = current_user._get_current_object()
    return render_template(
        "advising/dashboard.html",
        code=services.invite_code(db.session, user),
        assessments=services.owned(db.session, user),
        action_form=ActionForm(),
        new_form=forms.NewAssessmentForm(formdata=None),
    )


@bp.post("/advisor/assessments")
@role_required(*services.ADVISING_ROLES)
def new_assessment():
    """Start an assessment with a municipality; its personal link is shown once, to pass on."""
    form = forms.NewAssessmentForm()
    if not form.validate_on_submit():
        flash(_("Please enter the name of the municipality."), "error")
        return redirect(url_for(".dashboard"), code=303)
    assessment, token = services.create_for(
        db.session,
        active_catalogue(),
        current_user._get_current_object(),
        form.municipality_name.data,
        str(get_locale()),
    )
    return render_template("advising/created.html", assessment=assessment, resume_url=resume_link_url(token))


@bp.post("/advisor/code")
@role_required(*services.ADVISING_ROLES)
def renew_code():
    """A new invite code (the old one stops working; handed-over assessments stay)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    services.invite_code(db.session, current_user._get_current_object(), renew=True)
    flash(_("You have a new invite code. The old one no longer works."), "success")
    return redirect(url_for(".dashboard"), code=303)


@bp.post("/a/<aid>/handover")
def hand_over(aid: str):
    """The municipality hands its assessment to an advisor by the advisor's invite code."""
    assessment = load_assessment(aid, by_link_only=True)
    form = forms.HandoverForm()
    if form.validate_on_submit():
        try:
            advisor = services.hand_over(db.session, assessment, form.code.data)
        except AccountError as exc:
            flash(exc.message, "error")
        else:
            flash(
                _(
                    "%(name)s can now open your self-assessment. You can take it back at any time.",
                    name=advisor.name or advisor.email,
                ),
                "success",
            )
    else:
        flash(_("Please enter the advisor's invite code."), "error")
    return redirect(url_for("assessments.summary", aid=aid) + "#sharing", code=303)


@bp.post("/a/<aid>/handback")
def take_back(aid: str):
    """The municipality ends the advisor's access."""
    assessment = load_assessment(aid, by_link_only=True)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.take_back(db.session, assessment)
    flash(_("Your self-assessment is no longer shared with an advisor."), "success")
    return redirect(url_for("assessments.summary", aid=aid) + "#sharing", code=303)


def init_app(app: Flask) -> None:
    """Register the pages."""
    from . import measure_views, session_views

    app.register_blueprint(bp)
    app.register_blueprint(session_views.bp)
    app.register_blueprint(measure_views.bp)
