"""Pages of a guided session: the advisor's session page and projector view, the respondents' pages.

The advisor (the assessment's owner) invites respondents and moderates; every other
visitor gets a 404 on these pages, the municipality's link holder included (it sees the
agreed answers in its wizard and report). Respondents open only their own questionnaire,
through their personal link; they never see another respondent's answers, only the
anonymous distribution of a question the advisor revealed.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from advisor.assessments import forms as assessment_forms
from advisor.assessments import services as assessment_services
from advisor.assessments.access import browser_key, catalogue_for, load_owned, refuse_changes_when_closed
from advisor.assessments.answers import InvalidAnswer
from advisor.assessments.labels import LEVEL_NAMES
from advisor.assessments.models import Assessment, Respondent
from advisor.assessments.presentation import administration_names, answer_label, option_label
from advisor.db import db
from advisor.i18n import lazy_gettext as _l
from advisor.web import abort_with, absolute_url, refuse_unknown_fields, safe_next

from . import forms, session

bp = Blueprint("session", __name__)

#: Why answers diverge, in words.
REASONS = {
    "wide": _l("answers two or more levels apart"),
    "mixed_unknown": _l("“Don't know” beside answers"),
    "mixed_not_responsible": _l("“Not responsible” beside answers"),
    "different": _l("different choices"),
}


def _locale() -> str:
    return str(get_locale())


def _question_ids(catalogue, assessment: Assessment) -> list[str]:
    """The questions this municipality is asked, in catalogue order."""
    ids = []
    for field_def in catalogue.fields:
        page = assessment_services.page_questions(catalogue, assessment, field_def)
        ids.extend(q.id for q in field_def.questions if q.id in page.shown)
    return ids


def _label(catalogue, question_id: str, fact) -> str:
    return answer_label(catalogue.questions[question_id], fact, _locale())


def _back(aid: str) -> Response:
    return redirect(safe_next(request.form.get("next"), url_for(".overview", aid=aid)), code=303)


def _key_label(question, key: str) -> str:
    """The answer a counting key stands for, in words."""
    if key in ("unknown", "not_responsible"):
        return _("Don't know") if key == "unknown" else _("Not responsible")
    if question.type == "level":
        return _("Level %(n)s", n=key)
    if question.type == "yes_no":
        return _("Yes") if key == "yes" else _("No")
    if question.type in ("single", "multiple"):
        names = {o.id: o.label.get(_locale()) for o in question.options or []}
        return ", ".join(names.get(k, k) for k in key.split(",") if k) or _("none of them")
    return key


def _question_or_404(catalogue, assessment: Assessment, question_id: str) -> str:
    if question_id not in _question_ids(catalogue, assessment):
        abort(404)
    return question_id


# -- the advisor's session page ----------------------------------------------------------


@bp.get("/a/<aid>/session")
def overview(aid: str) -> str:
    """Respondents, their progress, and every question's spread, divergent ones first."""
    assessment = load_owned(aid)
    catalogue = catalogue_for(assessment)
    ids = _question_ids(catalogue, assessment)
    states = session.ordered_for_moderation(session.question_states(db.session, catalogue, assessment, ids))
    answered = {r.id: sum(1 for a in r.answers if a.question_id in ids) for r in assessment.respondents}
    guided = session.state_of(db.session, assessment)
    return render_template(
        "advising/session.html",
        assessment=assessment,
        catalogue=catalogue,
        states=states,
        total=len(ids),
        answered=answered,
        number={qid: i for i, qid in enumerate(ids, start=1)},
        divergent=sum(1 for s in states if s.spread.divergent),
        agreed=sum(1 for s in states if s.agreement and s.agreement.method),
        reasons=REASONS,
        label=lambda qid, fact: _label(catalogue, qid, fact),
        key_label=_key_label,
        locale=_locale(),
        respondent_form=forms.RespondentForm(formdata=None),
        notes_form=forms.NoteForm(formdata=None, note=guided.notes, shared=guided.notes_shared),
        action_form=assessment_forms.ActionForm(),
    )


@bp.post("/a/<aid>/session/respondents")
def invite(aid: str) -> Any:
    """Invite a respondent; their personal link is shown once, to pass on."""
    assessment = load_owned(aid)
    form = forms.RespondentForm()
    if not form.validate_on_submit():
        flash(_("Please enter the respondent's name and role (each at most 200 characters)."), "error")
        return redirect(url_for(".overview", aid=aid) + "#respondents", code=303)
    try:
        respondent, token = session.invite(
            db.session, assessment, form.name.data, form.role.data, form.named_in_report.data
        )
    except session.SessionError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".overview", aid=aid) + "#respondents", code=303)
    return _show_link(assessment, respondent, token)


def _show_link(assessment: Assessment, respondent: Respondent, token: str) -> str:
    return render_template(
        "advising/respondent_link.html",
        assessment=assessment,
        respondent=respondent,
        link=absolute_url("session.respondent_link", token=token),
    )


def _respondent_or_404(assessment: Assessment, rid: str) -> Respondent:
    respondent = session.respondent_of(assessment, rid)
    if respondent is None:
        abort(404)
    return respondent


@bp.post("/a/<aid>/session/respondents/<rid>/link")
def new_link(aid: str, rid: str) -> Any:
    """A new personal link for a respondent (the old one stops working)."""
    assessment = load_owned(aid)
    respondent = _respondent_or_404(assessment, rid)
    if not assessment_forms.ActionForm().validate_on_submit():
        abort(400)
    return _show_link(assessment, respondent, session.new_link(db.session, respondent))


@bp.post("/a/<aid>/session/respondents/<rid>/delete")
def remove_respondent(aid: str, rid: str) -> Response:
    """Take a respondent and their answers out of the session."""
    assessment = load_owned(aid)
    respondent = _respondent_or_404(assessment, rid)
    if not assessment_forms.ActionForm().validate_on_submit():
        abort(400)
    name = respondent.label
    session.remove(db.session, respondent)
    flash(_("%(name)s and their answers have been removed from the session.", name=name), "success")
    return redirect(url_for(".overview", aid=aid) + "#respondents", code=303)


@bp.post("/a/<aid>/session/notes")
def save_notes(aid: str) -> Response:
    """The advisor's session notes."""
    assessment = load_owned(aid)
    form = forms.NoteForm()
    if not form.validate_on_submit():
        abort_with(422, _l("The notes are too long (at most 5,000 characters). Nothing has been saved."))
    session.save_session_notes(db.session, assessment, form.note.data or "", form.shared.data)
    flash(_("Your session notes have been saved."), "success")
    return _back(aid)


@bp.get("/a/<aid>/session/version.json")
def version(aid: str) -> Response:
    """A fingerprint of the session that changes with every answer: the projector polls it."""
    assessment = load_owned(aid)
    response = jsonify(version=session.version(db.session, assessment))
    response.headers["Cache-Control"] = "no-store"
    return response


# -- one question: the projector view and what the advisor does on it ------------------------


@bp.get("/a/<aid>/session/projector")
def projector_start(aid: str) -> Response:
    """The projector opens where the session stood, else at the first question to discuss."""
    assessment = load_owned(aid)
    catalogue = catalogue_for(assessment)
    ids = _question_ids(catalogue, assessment)
    if not ids:
        abort(404)
    current = session.state_of(db.session, assessment).current_question_id
    if current not in ids:
        states = session.question_states(db.session, catalogue, assessment, ids)
        current = session.ordered_for_moderation(states)[0].question_id
    return redirect(url_for(".projector", aid=aid, qid=current), code=303)


@bp.get("/a/<aid>/session/projector/<qid>")
def projector(aid: str, qid: str) -> str:
    """One question in large type: who answered, the distribution once revealed, the agreement."""
    assessment = load_owned(aid)
    catalogue = catalogue_for(assessment)
    ids = _question_ids(catalogue, assessment)
    if qid not in ids:
        abort(404)
    states = session.ordered_for_moderation(session.question_states(db.session, catalogue, assessment, ids))
    order = [s.question_id for s in states]
    index = order.index(qid)
    state = states[index]
    guided = session.state_of(db.session, assessment)
    if guided.current_question_id != qid:
        session.show_question(db.session, assessment, qid)
    question = catalogue.questions[qid]
    field_def = catalogue.field(catalogue.field_of[qid])
    agreement = state.agreement
    form = assessment_forms.field_form_class(catalogue, field_def)(
        formdata=None, data=_agreed_form_data(field_def, assessment, qid)
    )
    return render_template(
        "advising/projector.html",
        assessment=assessment,
        catalogue=catalogue,
        question=question,
        q=question,
        field=field_def,
        state=state,
        agreement=agreement,
        number=ids.index(qid) + 1,
        position=index + 1,
        total=len(ids),
        previous=order[index - 1] if index > 0 else None,
        following=order[index + 1] if index + 1 < len(order) else None,
        respondents=len(assessment.respondents),
        bars=_bars(question, state.spread),
        reasons=REASONS,
        label=lambda fact: _label(catalogue, qid, fact),
        form=form,
        page=assessment_services.page_questions(catalogue, assessment, field_def),
        level_names=LEVEL_NAMES,
        locale=_locale(),
        administration=administration_names(catalogue, assessment.association_kind, _locale())[0],
        type_label="",
        rationale_form=forms.RationaleForm(formdata=None, rationale=agreement.rationale if agreement else ""),
        note_form=forms.NoteForm(
            formdata=None,
            note=agreement.note if agreement else "",
            shared=bool(agreement and agreement.note_shared),
        ),
        notes_form=forms.NoteForm(formdata=None, note=guided.notes, shared=guided.notes_shared),
        action_form=assessment_forms.ActionForm(),
        version=session.version(db.session, assessment),
    )


def _agreed_form_data(field_def, assessment: Assessment, qid: str) -> dict:
    stored = assessment.answer_map()
    return {k: v for k, v in assessment_forms.form_data(field_def, stored).items() if k.endswith(f"_{qid}")}


def _bars(question, spread) -> list[dict]:
    """One row per possible answer: its label, how many gave it, its share in percent."""
    counts = spread.count_map
    if question.type == "level":
        keys = [(str(level), _("Level %(n)s", n=level)) for level in range(5)]
    elif question.type == "yes_no":
        keys = [("yes", _("Yes")), ("no", _("No"))]
    elif question.type in ("single", "multiple"):
        keys = [(o.id, o.label.get(_locale())) for o in question.options or []]
    else:
        keys = [(k, k) for k, _n in spread.counts if k not in ("unknown", "not_responsible")]
    if question.allow_unknown or counts.get("unknown"):
        keys.append(("unknown", _("Don't know")))
    if question.offers_not_responsible or counts.get("not_responsible"):
        keys.append(("not_responsible", _("Not responsible")))
    if question.type == "multiple":  # each option counted by how many chose it
        chosen: dict[str, int] = {}
        for key, n in spread.counts:
            for option in key.split(",") if key not in ("unknown", "not_responsible") else [key]:
                if option:
                    chosen[option] = chosen.get(option, 0) + n
        counts = chosen
    most = max([*counts.values(), 1])
    return [
        {"key": k, "label": text, "count": counts.get(k, 0), "width": round(100 * counts.get(k, 0) / most)}
        for k, text in keys
    ]


def _projector_back(aid: str, qid: str) -> Response:
    return redirect(url_for(".projector", aid=aid, qid=qid), code=303)


@bp.post("/a/<aid>/session/projector/<qid>/reveal")
def reveal(aid: str, qid: str) -> Response:
    """Show the distribution of the answers to the group (or hide it again)."""
    assessment = load_owned(aid)
    _question_or_404(catalogue_for(assessment), assessment, qid)
    if not assessment_forms.ActionForm().validate_on_submit():
        abort(400)
    session.reveal(db.session, assessment, qid, shown=request.form.get("shown", "1") != "0")
    return _projector_back(aid, qid)


@bp.post("/a/<aid>/session/projector/<qid>/agree")
def agree(aid: str, qid: str) -> Any:
    """Record the agreed answer with its rationale, or accept the median."""
    assessment = load_owned(aid)
    catalogue = catalogue_for(assessment)
    _question_or_404(catalogue, assessment, qid)
    field_def = catalogue.field(catalogue.field_of[qid])
    rationale_form = forms.RationaleForm()
    if not rationale_form.validate_on_submit():
        if rationale_form.csrf_token.errors:
            abort(400)
        abort_with(422, _l("The rationale is too long (at most 2,000 characters). Nothing has been saved."))
    if request.form.get("median") == "1":
        answer = None
    else:
        form = assessment_forms.field_form_class(catalogue, field_def)(meta={"csrf": False})
        try:
            if not form.validate():
                raise ValueError(qid)
            answer = assessment_forms.answers_from_form(form, field_def)[qid]
        except ValueError:
            abort_with(422, _l("Please choose the agreed answer. Nothing has been saved."))
        if answer.value is None and answer.state.value == "answered":
            abort_with(422, _l("Please choose the agreed answer. Nothing has been saved."))
    try:
        session.agree(
            db.session,
            catalogue,
            assessment,
            qid,
            answer,
            rationale_form.rationale.data or "",
            current_user._get_current_object(),
        )
    except (session.SessionError, InvalidAnswer) as exc:
        abort_with(422, exc.message)
    flash(_("The agreed answer has been recorded."), "success")
    return _projector_back(aid, qid)


@bp.post("/a/<aid>/session/projector/<qid>/reopen")
def reopen(aid: str, qid: str) -> Response:
    """Withdraw an agreement to discuss the question again."""
    assessment = load_owned(aid)
    _question_or_404(catalogue_for(assessment), assessment, qid)
    if not assessment_forms.ActionForm().validate_on_submit():
        abort(400)
    session.reopen(db.session, assessment, qid)
    return _projector_back(aid, qid)


@bp.post("/a/<aid>/session/projector/<qid>/note")
def question_note(aid: str, qid: str) -> Response:
    """The advisor's note on one question."""
    assessment = load_owned(aid)
    _question_or_404(catalogue_for(assessment), assessment, qid)
    form = forms.NoteForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        abort_with(422, _l("The note is too long (at most 5,000 characters). Nothing has been saved."))
    session.save_question_note(db.session, assessment, qid, form.note.data or "", form.shared.data)
    flash(_("Your note has been saved."), "success")
    return _projector_back(aid, qid)


# -- the respondents' pages -------------------------------------------------------------------


@bp.get("/s/<token>")
def respondent_link(token: str) -> Any:
    """A respondent's personal link: this browser may then open their questionnaire."""
    respondent = session.find_by_token(db.session, token)
    if respondent is None:
        return render_template("invalid_link.html", resume_form=assessment_forms.ResumeForm()), 404
    session.grant(db.session, browser_key(create=True), respondent, token)
    return redirect(url_for(".respondent_home", rid=respondent.public_id), code=303)


def _respondent(rid: str) -> tuple[Respondent, Assessment, Any]:
    respondent = session.opened(db.session, browser_key(), rid)
    if respondent is None:
        abort(404)
    assessment = respondent.assessment
    refuse_changes_when_closed(assessment)
    return respondent, assessment, catalogue_for(assessment)


def _fields(catalogue, assessment: Assessment, respondent: Respondent) -> list[dict]:
    mine = {a.question_id for a in respondent.answers}
    result = []
    for field_def in catalogue.fields:
        page = assessment_services.page_questions(catalogue, assessment, field_def)
        if not page.shown:
            continue
        result.append(
            {
                "field": field_def,
                "total": len(page.shown),
                "answered": len(page.shown & mine),
            }
        )
    return result


@bp.get("/p/<rid>")
def respondent_home(rid: str) -> str:
    """The respondent's start page: what this is, the fields with progress, "I am done"."""
    respondent, assessment, catalogue = _respondent(rid)
    return render_template(
        "advising/respondent_home.html",
        respondent=respondent,
        assessment=assessment,
        fields=_fields(catalogue, assessment, respondent),
        locale=_locale(),
        action_form=assessment_forms.ActionForm(),
    )


@bp.route("/p/<rid>/fields/<field_id>", methods=["GET", "POST"])
def respondent_field(rid: str, field_id: str) -> Any:
    """One field's questions for a respondent, answered for themselves only."""
    respondent, assessment, catalogue = _respondent(rid)
    field_def = catalogue.field(field_id)
    if field_def is None:
        abort(404)
    page = assessment_services.page_questions(catalogue, assessment, field_def)
    form_class = assessment_forms.field_form_class(catalogue, field_def)
    status = 200
    if request.method == "POST":
        refuse_unknown_fields(assessment_forms.allowed_keys(field_def))
        form = form_class()
        if form.validate():
            try:
                answers = {
                    qid: a
                    for qid, a in assessment_forms.answers_from_form(form, field_def).items()
                    if qid in page.shown
                }
                session.save_own_answers(db.session, catalogue, respondent, answers, page.shown)
            except InvalidAnswer as exc:
                target = form[f"q_{exc.question_id}"]
                target.errors = [*target.errors, exc.message]
            except ValueError:
                pass  # answers_from_form put the error on the form
            else:
                flash(_("Your answers have been saved."), "success")
                return redirect(_respondent_next(catalogue, assessment, rid, field_id), code=303)
        status = 422
    else:
        form = form_class(
            data=assessment_forms.form_data(field_def, {a.question_id: a for a in respondent.answers})
        )
    agreed = session.agreements(db.session, assessment)
    ids = [
        q.id
        for q in field_def.questions
        if q.id in page.shown and q.id in agreed and agreed[q.id].revealed_at
    ]
    revealed = {
        s.question_id: _bars(catalogue.questions[s.question_id], s.spread)
        for s in (session.question_states(db.session, catalogue, assessment, ids) if ids else [])
    }
    return render_template(
        "advising/respondent_field.html",
        respondent=respondent,
        assessment=assessment,
        field=field_def,
        fields=_fields(catalogue, assessment, respondent),
        form=form,
        page=page,
        revealed=revealed,
        level_names=LEVEL_NAMES,
        locale=_locale(),
        administration=administration_names(catalogue, assessment.association_kind, _locale())[0],
        type_label=option_label(
            catalogue.profile.municipality_types, assessment.municipality_type, _locale()
        ),
    ), status


def _respondent_next(catalogue, assessment: Assessment, rid: str, field_id: str) -> str:
    if request.form.get("nav") == "stay":
        return url_for(".respondent_field", rid=rid, field_id=field_id)
    ids = [
        f.id for f in catalogue.fields if assessment_services.page_questions(catalogue, assessment, f).shown
    ]
    following = ids[ids.index(field_id) + 1 :] if field_id in ids else []
    if following:
        return url_for(".respondent_field", rid=rid, field_id=following[0])
    return url_for(".respondent_home", rid=rid) + "#done"


@bp.post("/p/<rid>/done")
def respondent_done(rid: str) -> Response:
    """The respondent has finished (answers can still be changed until the session)."""
    respondent, _assessment, _catalogue = _respondent(rid)
    if not assessment_forms.ActionForm().validate_on_submit():
        abort(400)
    session.submit(db.session, respondent)
    flash(
        _("Thank you! Your answers are with your advisor. You can still change them until the session."),
        "success",
    )
    return redirect(url_for(".respondent_home", rid=rid), code=303)
