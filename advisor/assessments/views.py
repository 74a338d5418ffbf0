"""Pages of the questionnaire: start, resume, the wizard, summary, export and import.

Views stay thin: check access and form, call one service, redirect or re-render.
Access to an assessment needs a grant for this browser (see ``access``); any other
id, unknown or foreign, is a 404 that reveals nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from advisor.advising import measures as advising_measures
from advisor.core.rules import Fact
from advisor.db import db
from advisor.i18n import lazy_gettext as _l
from advisor.stats.forms import ConsentForm
from advisor.stats.presentation import peer_context
from advisor.web import (
    abort_with,
    absolute_url,
    active_catalogue,
    catalogues,
    refuse_unknown_fields,
    safe_next,
    today,
)

from . import audit, exchange, forms, grants, presentation, retention, rounds, services
from . import results as result_service
from .access import (
    actor,
    browser_key,
    catalogue_for,
    keep_current,
    load_assessment,
    may_open,
    remember,
    resume_token,
)
from .answers import NO_ANSWER, InvalidAnswer
from .development import for_page as development_for_page  # issue 15: development since
from .labels import LEVEL_NAMES, PROFILE_LABELS, PROGRESS_NAMES, RELEVANCE_NAMES
from .models import Assessment
from .wizard import resume_url, sections, target_url

bp = Blueprint("assessments", __name__)

#: The button in the upgrade note on a page with a form: save the page and hide the note.
DISMISS_NOTICE = "dismiss-notice"
#: The button on a follow-up's field page: save the page and take over every earlier answer left open.
CONFIRM_ALL = "confirm-all"
TOKEN_PATTERN = re.compile(r"(?:/r/)?([A-Za-z0-9_-]{40,64})/?$")


# -- access -----------------------------------------------------------------------------


def _locale() -> str:
    return str(get_locale())


def _wizard_context(assessment: Assessment, current: str, catalogue=None) -> dict[str, Any]:
    """What every wizard page renders: progress and the step list."""
    catalogue = catalogue or catalogue_for(assessment)
    progress = services.progress(catalogue, assessment)
    steps = sections(catalogue, assessment.public_id, progress, _locale())
    names = presentation.administration_names(catalogue, assessment.association_kind, _locale())
    return {
        "assessment": assessment,
        "catalogue": catalogue,
        "progress": progress,
        "steps": steps,
        "current": current,
        "locale": _locale(),
        "level_names": LEVEL_NAMES,
        "administration": names[0],
        "administration_names": names,
        "upgrade_note": presentation.upgrade_note(catalogue, assessment.upgrade_notice, _locale()),
        "kept": presentation.kept_answers(assessment.upgrade_notice, _locale()),
        "notice_form": forms.ActionForm(),
    }


def _closed(assessment: Assessment) -> Response | None:
    """A closed round's wizard pages lead to its results: nothing there can change any more."""
    if rounds.successor_id(db.session, assessment) is None:
        return None
    _flash_once(
        _("This round is closed: a follow-up was started from it. Its answers stay as they were."), "info"
    )
    return redirect(url_for(".results", aid=assessment.public_id), code=303)


def _flash_once(message: str, category: str) -> None:
    """Flash unless the same message already waits.

    A client that posts again and again without following redirects must not grow the
    session cookie past what browsers keep.
    """
    if (category, message) not in session.get("_flashes", []):
        flash(message, category)


def _after_save(catalogue, assessment: Assessment, current: str) -> Response:
    if request.form.get("nav") == DISMISS_NOTICE:  # saved, and the upgrade note is read
        services.dismiss_upgrade_notice(db.session, assessment)
    _flash_once(_("Your answers have been saved."), "success")
    return redirect(target_url(catalogue, assessment.public_id, current, request.form.get("nav")), code=303)


# -- start and resume -------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    """Say what the assessment is for, how long it takes and what happens with the data."""
    catalogue = active_catalogue()
    return render_template(
        "start.html",
        start_form=forms.StartForm(),
        resume_form=forms.ResumeForm(),
        catalogue=catalogue,
        locale=_locale(),
    )


@bp.post("/assessments")
def start() -> Response:
    """Create an assessment and show its resume link first."""
    if not forms.StartForm().validate_on_submit():
        abort(400)
    assessment, token = services.create_assessment(db.session, active_catalogue(), _locale())
    remember(assessment, token)
    return redirect(url_for(".link", aid=assessment.public_id, new=1), code=303)


@bp.get("/r/<token>")
def resume_link(token: str) -> Response | tuple[str, int]:
    """Open an assessment from its personal link in any browser."""
    assessment = services.find_by_token(db.session, token)
    if assessment is None:
        return render_template("invalid_link.html", resume_form=forms.ResumeForm()), 404
    remember(assessment, token)
    keep_current(assessment)
    context = _wizard_context(assessment, "summary")
    flash(_("Welcome back. Your saved answers have been loaded."), "success")
    return redirect(resume_url(context["steps"]), code=303)


@bp.post("/resume")
def resume_form() -> Response | tuple[str, int]:
    """Continue with a pasted link or code (the same as opening the link)."""
    form = forms.ResumeForm()
    if not form.validate_on_submit():
        abort(400)
    match = TOKEN_PATTERN.search((form.link.data or "").strip())
    if match is None:
        return render_template("invalid_link.html", resume_form=form), 404
    return resume_link(match.group(1))


@bp.get("/a/<aid>/link")
def link(aid: str) -> str:
    """Show the personal link prominently, to copy, download or print."""
    assessment = load_assessment(aid, by_link_only=True)
    token = resume_token(assessment)
    return render_template(
        "link.html",
        resume_url=resume_link_url(token),
        new=request.args.get("new") == "1",
        action_form=forms.ActionForm(),
        **_wizard_context(assessment, "link"),
    )


@bp.get("/a/<aid>/link.txt")
def link_download(aid: str) -> Response:
    """The personal link as a small text file to keep."""
    assessment = load_assessment(aid, by_link_only=True)
    token = resume_token(assessment)
    text = render_template("link.txt", resume_url=resume_link_url(token), assessment=assessment)
    return Response(
        text,
        mimetype="text/plain",
        headers={"Content-Disposition": 'attachment; filename="selbsteinschaetzung-link.txt"'},
    )


@bp.post("/a/<aid>/link")
def regenerate_link(aid: str) -> Response:
    """Issue a new link; the old one stops working at once."""
    assessment = load_assessment(aid, by_link_only=True)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    token = services.regenerate_token(db.session, assessment)
    remember(assessment, token)
    flash(_("A new personal link has been created. The old link no longer works."), "success")
    return redirect(url_for(".link", aid=aid, new=1), code=303)


def resume_link_url(token: str) -> str:
    """The absolute personal link of an assessment."""
    return absolute_url("assessments.resume_link", token=token)


# -- the wizard -------------------------------------------------------------------------


@bp.route("/a/<aid>/profile", methods=["GET", "POST"])
def profile(aid: str) -> Any:
    """The municipality profile."""
    assessment = load_assessment(aid)
    if (closed := _closed(assessment)) is not None:
        return closed
    catalogue = catalogue_for(assessment)
    form_class = forms.profile_form_class(catalogue)
    if request.method == "POST":
        refuse_unknown_fields(forms.PROFILE_KEYS)
        form = form_class()
        if form.validate():
            entered = forms.profile_from_form(form)
            services.save_profile(db.session, catalogue, assessment, entered)
            _flash_missing_profile(assessment, entered)
            return _after_save(catalogue, assessment, "profile")
        status = 422
    else:
        form, status = form_class(data=forms.profile_data(assessment)), 200
    context = _wizard_context(assessment, "profile", catalogue)
    return render_template(
        "profile.html",
        form=form,
        labels=PROFILE_LABELS,
        kind_states=presentation.kind_states(catalogue, context["locale"]),
        split=presentation.split_choices(catalogue, assessment.upgrade_notice, context["locale"]),
        **context,
    ), status


def _flash_missing_profile(assessment: Assessment, entered: dict) -> None:
    """Say plainly when the profile was saved without what the results need."""
    missing = services.missing_for_advice(assessment)
    if not missing:
        return
    names = ", ".join(str(PROFILE_LABELS[key]) for key in missing)
    if not any(entered.values()):
        message = _(
            "The profile was saved without any entries. Results are shown once these are filled in: "
            "%(names)s.",
            names=names,
        )
    else:
        message = _("Still missing before results can be shown: %(names)s.", names=names)
    _flash_once(message, "warning")


@bp.route("/a/<aid>/fields/<field_id>", methods=["GET", "POST"])
def field(aid: str, field_id: str) -> Any:
    """One page per field with all of its questions."""
    assessment = load_assessment(aid)
    if (closed := _closed(assessment)) is not None:
        return closed
    catalogue = catalogue_for(assessment)
    field_def = catalogue.field(field_id)
    if field_def is None:
        abort(404)
    form_class = forms.field_form_class(catalogue, field_def)
    page = services.page_questions(catalogue, assessment, field_def)
    last = rounds.last_time(db.session, catalogues(), assessment)
    shown = None  # what each answer was when the page was shown (its fingerprint)
    if request.method == "POST":
        refuse_unknown_fields(forms.allowed_keys(field_def))
        try:
            shown = forms.shown_fingerprints(request.form, field_def)
        except ValueError:
            abort_with(400, _l("The form was changed on its way to us. Nothing has been saved."))
        form = form_class()
        if form.validate():
            try:
                answers = {
                    qid: answer
                    for qid, answer in forms.answers_from_form(form, field_def).items()
                    if qid in page.shown
                    and (shown is None or qid in shown)
                    and request.form.get(f"keep_{qid}") != "stored"
                }
                # Taken over only where the page sent no answer; if someone answered meanwhile,
                # save_answers' fingerprints report the conflict as for any answer.
                confirm_all = request.form.get("nav") == CONFIRM_ALL
                confirm = {qid for qid in answers if confirm_all or request.form.get(f"c_{qid}") == "y"}
                answers = rounds.with_confirmed(last, answers, confirm)
                saved = services.save_answers(
                    db.session, catalogue, assessment, answers, allowed=page.shown, shown=shown
                )
                audit.record_answers(db.session, assessment, saved, actor())
            except InvalidAnswer as exc:
                target = form[f"q_{exc.question_id}"]
                target.errors = [*target.errors, exc.message]
            except ValueError:
                pass  # answers_from_form put the error on the form
            else:
                if saved.conflicts:
                    return _conflicts(catalogue, assessment, field_def, saved, answers)
                return _after_save(catalogue, assessment, f"field:{field_id}")
        status = 422
    else:
        form, status = form_class(data=forms.form_data(field_def, assessment.answer_map())), 200
    context = _wizard_context(assessment, f"field:{field_id}", catalogue)
    type_label = presentation.option_label(
        catalogue.profile.municipality_types, assessment.municipality_type, context["locale"]
    )
    return render_template(
        "field.html",
        form=form,
        field=field_def,
        type_label=type_label,
        page=page,
        # Re-shown with errors, the page keeps the baseline the user saw, not what is stored now.
        fingerprints={**services.fingerprints(assessment), **(shown or {})},
        last=last,
        last_labels=presentation.last_time_labels(catalogue, last, context["locale"]),
        unconfirmed=set(last.unconfirmed(rounds.answered(assessment), page.shown)) if last else set(),
        **context,
    ), status


def _conflicts(catalogue, assessment: Assessment, field_def, saved: services.Saved, answers) -> Any:
    """Answers someone else changed while this user changed them too: show both, let the user choose.

    Everything else on the page is saved; the choice posts the user's values back with the
    fingerprint of what is stored now, so a further change is caught again.
    """
    stored, now = assessment.answer_map(), services.fingerprints(assessment)
    locale = _locale()

    def label(qid: str, state, value) -> str:
        fact = Fact(state.value, value) if state is not None else None
        return presentation.answer_label(catalogue.questions[qid], fact, locale)

    rows = []
    for qid in saved.conflicts:
        row, mine = stored.get(qid), answers[qid]
        rows.append(
            {
                "question": catalogue.questions[qid],
                "stored": label(qid, row.state, row.value) if row is not None else label(qid, None, None),
                "stored_note": row.note if row is not None else "",
                "mine": label(qid, mine.state, mine.value),
                "mine_note": mine.note,
                "fingerprint": now.get(qid, NO_ANSWER),
                "posted": [
                    (key, value)
                    for key in (f"q_{qid}", f"s_{qid}", f"n_{qid}")
                    for value in request.form.getlist(key)
                ],
            }
        )
    if saved.changed:
        _flash_once(_("Your other answers on this page have been saved."), "success")
    context = _wizard_context(assessment, f"field:{field_def.id}", catalogue)
    # 200, not 409: the page's other answers are saved, and the request commits them.
    return render_template("conflict.html", field=field_def, rows=rows, **context)


def _priorities_form(catalogue, assessment: Assessment):
    """Show the priorities form, or validate and save it on POST; return (form, saved)."""
    form_class = forms.priorities_form_class(catalogue)
    if request.method != "POST":
        return form_class(data=forms.priorities_data(catalogue, assessment)), False
    refuse_unknown_fields(forms.priorities_keys(catalogue))
    form = form_class()
    if not form.validate():
        return form, False
    services.save_priorities(
        db.session,
        catalogue,
        assessment,
        forms.priorities_from_form(catalogue, form),
        forms.capacity_from_form(form),
    )
    return form, True


@bp.route("/a/<aid>/priorities", methods=["GET", "POST"])
def priorities(aid: str) -> Any:
    """Per field: how relevant it is and which level the municipality aims for in three years."""
    assessment = load_assessment(aid)
    if (closed := _closed(assessment)) is not None:
        return closed
    catalogue = catalogue_for(assessment)
    form, saved = _priorities_form(catalogue, assessment)
    if saved:
        return _after_save(catalogue, assessment, "priorities")
    context = _wizard_context(assessment, "priorities", catalogue)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "priorities.html",
        form=form,
        relevance_names=RELEVANCE_NAMES,
        default_capacity=presentation.default_capacity(assessment),
        **context,
    ), status


@bp.get("/a/<aid>/summary")
def summary(aid: str) -> str:
    """What is answered, what is still open (with links), and completion."""
    from advisor.advising import forms as advising_forms
    from advisor.advising import services as advising

    assessment = load_assessment(aid)
    context = _wizard_context(assessment, "summary")
    return render_template(
        "summary.html",
        unconfirmed=rounds.unconfirmed(
            db.session, catalogues(), context["catalogue"], assessment, context["progress"]
        ),
        closed=rounds.successor_id(db.session, assessment) is not None,
        action_form=forms.ActionForm(),
        labels=PROFILE_LABELS,
        owner=advising.owner_of(db.session, assessment),
        changes=audit.recent(db.session, assessment),
        handover_form=advising_forms.HandoverForm(formdata=None),
        **context,
    )


@bp.post("/a/<aid>/complete")
def complete(aid: str) -> Response:
    """Mark the assessment completed."""
    assessment = load_assessment(aid)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    services.complete(db.session, assessment)
    if g.assessment_access == "link" and request.form.get("stats_consent") == "y":
        from advisor.stats.services import set_consent

        set_consent(db.session, assessment, True)
    flash(_("The assessment is complete. You can still change answers at any time."), "success")
    return redirect(url_for(".results", aid=aid), code=303)


@bp.route("/a/<aid>/delete", methods=["GET", "POST"])
def delete(aid: str) -> Any:
    """Delete the assessment for good, after a confirmation."""
    assessment = load_assessment(aid, by_link_only=True)
    form = forms.DeleteForm()
    if request.method == "POST":
        if form.validate_on_submit():
            retention.delete_assessment(db.session, assessment, current_app.config["LANGUAGES"])
            flash(
                _(
                    "Your self-assessment has been deleted with all answers, notes and reports. "
                    "Its personal link no longer works."
                ),
                "success",
            )
            return redirect(url_for(".index"), code=303)
        if not form.csrf_token.errors and not form.confirm.errors:
            abort(400)
        return render_template("delete.html", form=form, assessment=assessment), 422
    return render_template("delete.html", form=form, assessment=assessment)


# -- results ----------------------------------------------------------------------------


@bp.route("/a/<aid>/results", methods=["GET", "POST"])
def results(aid: str) -> Any:
    """Scores, strengths, gaps and the phased roadmap; priorities can be changed in place."""
    assessment = load_assessment(aid)
    catalogue = catalogue_for(assessment)
    form, saved = _priorities_form(catalogue, assessment)
    if saved:
        _flash_once(_("The roadmap has been recalculated with your priorities."), "success")
        return redirect(url_for(".results", aid=aid, _anchor="roadmap"), code=303)
    return render_results(assessment, catalogue, form)


def render_results(
    assessment: Assessment,
    catalogue,
    form=None,
    board_input: Any = None,
    board_errors: dict[str, Any] | None = None,
) -> tuple[str, int]:
    """The results page; 422 when it is shown again with a form's errors (priorities or board)."""
    if form is None:  # shown again for another form on the page: priorities as stored
        form = forms.priorities_form_class(catalogue)(
            formdata=None, data=forms.priorities_data(catalogue, assessment)
        )
    status = 422 if request.method == "POST" else 200
    context = _wizard_context(assessment, "results", catalogue)
    if context["progress"].missing_for_advice:
        # Advice for an unknown type, Land or size would be advice for someone else.
        return render_template("results_missing.html", labels=PROFILE_LABELS, **context), status
    evaluation = result_service.of_assessment(catalogue, assessment, today())
    profile = assessment.profile()
    advice = advising_measures.advised_plan(db.session, assessment, evaluation.plan)
    successor = rounds.successor_of(db.session, assessment)
    return render_template(
        "results.html",
        form=form,
        action_form=forms.ActionForm(),
        upgrade=services.upgrade_available(catalogues(), assessment),
        duties=presentation.duty_statements(catalogue, profile, today(), context["locale"]),
        result=evaluation.result,
        plan=evaluation.plan,
        facts=evaluation.answers,
        measures={m.id: m for m in catalogue.measures},
        variants=catalogue.variants(profile),
        projected_after=[evaluation.plan.phases[-1].projected[f.id] for f in catalogue.fields],
        advice=advice,
        advisor_owns=advising_measures.is_owner(assessment, current_user),
        consent_form=ConsentForm(formdata=None),
        origin=None,
        successor=successor,
        successor_open=successor is not None and may_open(successor),
        closed=successor is not None,
        progress_names=PROGRESS_NAMES,
        today=today(),
        board=presentation.board_rows(
            catalogue, advice, assessment, context["locale"], board_input, board_errors
        ),
        board_errors=board_errors or {},
        development=development_for_page(  # issue 15: development since the earlier round
            db.session, catalogues(), catalogue, assessment, evaluation, context["locale"], today()
        ),
        **peer_context(catalogue, assessment, evaluation.result, context["locale"]),
        relevance_names=RELEVANCE_NAMES,
        default_capacity=presentation.default_capacity(assessment),
        **context,
    ), status


@bp.post("/a/<aid>/upgrade")
def upgrade(aid: str) -> Response:
    """Carry a completed assessment onto the newer catalogue version, on request."""
    assessment = load_assessment(aid)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    services.upgrade_catalogue(db.session, catalogues(), assessment)
    return redirect(url_for(".summary", aid=aid), code=303)


@bp.post("/a/<aid>/notice")
def dismiss_notice(aid: str) -> Response:
    """The user has read what changed with the new catalogue version."""
    assessment = load_assessment(aid)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    services.dismiss_upgrade_notice(db.session, assessment)
    return redirect(safe_next(request.form.get("next"), url_for(".summary", aid=aid)), code=303)


# -- exchange file ----------------------------------------------------------------------


@bp.get("/a/<aid>/export.json")
def export(aid: str) -> Response:
    """Download the assessment as an exchange file."""
    assessment = load_assessment(aid)
    document = exchange.export_assessment(catalogue_for(assessment), assessment)
    name = exchange.file_name(assessment)
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/import", methods=["GET", "POST"])
def import_file() -> Any:
    """Create a new assessment from an exchange file; a bad file changes nothing.

    A round of a pair is linked to the other round when this browser (or its signed-in
    advisor) may open that one, whichever of the two is imported first.
    """
    form = forms.ImportForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("import.html", form=form, problems=[]), 422
        advisor = current_user._get_current_object() if current_user.is_authenticated else None
        candidates = grants.openable(db.session, browser_key(), advisor)
        try:
            assessment, token = exchange.import_assessment(
                db.session, catalogues(), form.file.data.read(), candidates=candidates, today=today()
            )
        except exchange.ImportRefused as exc:
            return render_template("import.html", form=form, problems=exc.problems), 422
        remember(assessment, token)
        earlier = assessment.predecessor
        if earlier is not None and earlier.completed_at is not None:
            flash(
                _(
                    "The file has been imported as a new assessment, as the follow-up of the round "
                    "completed on %(date)s.",
                    date=format_date(earlier.completed_at, "long"),
                ),
                "success",
            )
        elif rounds.successor_id(db.session, assessment) is not None:
            flash(
                _(
                    "The file has been imported as a new assessment, as the earlier round of a "
                    "follow-up you already have."
                ),
                "success",
            )
        else:
            flash(_("The file has been imported as a new assessment."), "success")
        return redirect(url_for(".link", aid=assessment.public_id, new=1), code=303)
    return render_template("import.html", form=form, problems=[])
