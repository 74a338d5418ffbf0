"""Pages of repeat assessments: start a follow-up, keep the measure board between rounds.

Views stay thin: the rules live in :mod:`.rounds`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from advisor.db import db
from advisor.web import abort_with, catalogues, refuse_unknown_fields, today

from . import forms, rounds
from .access import catalogue_for, load_assessment, remember
from .answers import InvalidAnswer
from .services import UnknownQuestion, missing_for_advice
from .views import bp, render_results, resume_link_url


@bp.post("/a/<aid>/follow-up")
def follow_up(aid: str) -> Any:
    """Start the next round from a completed assessment; it has its own personal link."""
    assessment = load_assessment(aid)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    try:
        new, token = rounds.start_follow_up(db.session, catalogues(), assessment)
    except rounds.FollowUpRefused as exc:
        abort_with(409, exc.message)
    if g.assessment_access == "link":
        remember(new, token)
        flash(_("The follow-up has been started. It has its own personal link: keep it."), "success")
        return redirect(url_for("assessments.link", aid=new.public_id, new=1), code=303)
    return render_template(
        "advising/created.html", assessment=new, resume_url=resume_link_url(token), follow_up=True
    )


@bp.post("/a/<aid>/board")
def board(aid: str) -> Any:
    """Save the measure board: which measures are open, started or done, since when, with a note."""
    assessment = load_assessment(aid)
    catalogue = catalogue_for(assessment)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    if missing_for_advice(assessment):
        abort(404)  # no roadmap yet, so no board
    planned = rounds.board_measures(db.session, catalogue, assessment, today())
    # Any measure of the catalogue: a page shown before the roadmap changed may hold others.
    known = [m.id for m in catalogue.measures]
    refuse_unknown_fields(forms.board_keys(known))
    entries, shown, errors = forms.board_from_form(request.form, known)
    if not errors:
        try:
            saved = rounds.save_board(db.session, assessment, entries, set(planned), shown, today())
        except InvalidAnswer as exc:
            errors = {exc.question_id: (getattr(exc, "field", "st"), exc.message)}
        except UnknownQuestion:
            abort_with(400, _("The form was changed on its way to us. Nothing has been saved."))
        else:
            if saved.conflicts:
                flash(
                    _(
                        "Someone else changed %(count)s of these measures while you were editing; "
                        "their entries are shown as they are now. Your other changes have been saved.",
                        count=len(saved.conflicts),
                    ),
                    "warning",
                )
            elif saved.changed:
                flash(_("The state of the measures has been saved."), "success")
            return redirect(url_for("assessments.results", aid=aid, _anchor="board"), code=303)
    return render_results(assessment, catalogue, board_input=request.form, board_errors=errors)
