"""The advisor's own recommendations: one page to add own measures and to adjust or remove the roadmap's.

Only the owning advisor opens these pages; for everyone else, the municipality's link holder
included, they do not exist (404). The municipality sees the result on the results page
and in the report.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from advisor.assessments import presentation
from advisor.assessments import results as result_service
from advisor.assessments.access import catalogue_for, load_owned
from advisor.assessments.forms import ActionForm
from advisor.assessments.models import Assessment
from advisor.assessments.services import missing_for_advice
from advisor.core import advised
from advisor.db import db
from advisor.web import today

from . import measures
from .measure_forms import CatalogueMeasureForm, EntryForm, OwnMeasureForm

bp = Blueprint("advisor_measures", __name__)


def _planned(catalogue, assessment: Assessment):
    """The roadmap as it is now (None while the profile misses what advice needs)."""
    if missing_for_advice(assessment):
        return None
    return result_service.of_assessment(catalogue, assessment, today()).plan


def _page(
    assessment: Assessment,
    own_form: OwnMeasureForm | None = None,
    catalogue_form: CatalogueMeasureForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    catalogue = catalogue_for(assessment)
    locale = str(get_locale())
    plan = _planned(catalogue, assessment)
    rows = measures.entries(db.session, assessment)
    names = presentation.administration_names(catalogue, assessment.association_kind, locale)
    by_id = {m.id: m for m in catalogue.measures}
    titles: dict[str, str] = {}
    options: list[tuple[int, list[tuple[str, str]]]] = []
    overlay = None
    if plan is not None:
        for item in plan.items:
            text = presentation.measure_text(
                by_id[item.measure_id], item.variant, locale, names, item.fallback
            )
            titles[item.measure_id] = text.title
        options = [
            (p.number, [(i.measure_id, titles[i.measure_id]) for i in plan.items if i.phase == p.number])
            for p in plan.phases
        ]
        overlay = advised.apply(plan, measures.plain(rows))
    for row in rows:  # measures no longer on the roadmap keep a name
        if row.measure_id and row.measure_id not in titles and row.measure_id in by_id:
            titles[row.measure_id] = presentation.measure_text(
                by_id[row.measure_id], None, locale, names
            ).title
    if own_form is None:
        own_form = OwnMeasureForm(formdata=None)
        editing = _entry_from_query(assessment, "edit")
        if editing is not None and editing.action == advised.ADD:
            own_form = OwnMeasureForm(formdata=None, obj=editing)
            own_form.entry.data = str(editing.id)
            own_form.phase.data, own_form.effort.data = str(editing.phase), editing.effort
    if catalogue_form is None:
        catalogue_form = CatalogueMeasureForm(formdata=None)
        chosen = request.args.get("measure", "")
        if plan is not None and chosen in titles and plan.item(chosen) is not None:
            catalogue_form.measure.data = chosen
            existing = next((r for r in rows if r.measure_id == chosen and r.action != advised.ADD), None)
            if existing is not None:
                catalogue_form.action.data = existing.action
                catalogue_form.phase.data = str(existing.phase) if existing.phase else ""
                catalogue_form.effort.data = existing.effort or ""
                catalogue_form.text.data, catalogue_form.reason.data = existing.text, existing.reason
    unmatched = {e.id for e in overlay.unmatched} if overlay is not None else set()
    return render_template(
        "advising/measures.html",
        assessment=assessment,
        plan=plan,
        overlay=overlay,
        own=[r for r in rows if r.action == advised.ADD],
        changed=[r for r in rows if r.action != advised.ADD],
        unmatched=unmatched,
        titles=titles,
        options=options,
        own_form=own_form,
        catalogue_form=catalogue_form,
        action_form=ActionForm(),
        effort_names=presentation.EFFORT_NAMES,
    ), status


def _entry_from_query(assessment: Assessment, name: str):
    value = request.args.get(name, "")
    if not value.isdigit() or len(value) > 12:
        return None
    return measures.get(db.session, assessment, int(value))


@bp.get("/a/<aid>/measures")
def page(aid: str) -> Any:
    """The advisor's recommendations: own measures, and the roadmap's measures adjusted or removed."""
    return _page(load_owned(aid))


@bp.post("/a/<aid>/measures")
def save_own(aid: str) -> Any:
    """Add a measure of the advisor's own, or change one."""
    assessment = load_owned(aid)
    form = OwnMeasureForm()
    if not form.validate_on_submit():
        return _page(assessment, own_form=form, status=422)
    entry = None
    if form.entry.data:
        entry = measures.get(db.session, assessment, int(form.entry.data))
        if entry is None or entry.action != advised.ADD:
            abort(404)
    try:
        measures.save_own(
            db.session,
            assessment,
            current_user.id,
            title=form.title.data,
            text=form.text.data,
            phase=int(form.phase.data),
            effort=form.effort.data,
            responsible=form.responsible.data,
            reason=form.reason.data,
            entry=entry,
        )
    except measures.MeasureError as exc:
        _field_error(form, exc)
        return _page(assessment, own_form=form, status=422)
    flash(_("Your recommendation has been saved."), "success")
    return redirect(url_for(".page", aid=aid, _anchor="own-list-title"), code=303)


@bp.post("/a/<aid>/measures/catalogue")
def save_catalogue(aid: str) -> Any:
    """Adjust or remove a measure of the roadmap, with the reason."""
    assessment = load_owned(aid)
    form = CatalogueMeasureForm()
    if not form.validate_on_submit():
        return _page(assessment, catalogue_form=form, status=422)
    plan = _planned(catalogue_for(assessment), assessment)
    planned = (
        {i.measure_id: measures.Planned(i.phase, i.effort) for i in plan.items} if plan is not None else {}
    )
    try:
        measures.save_catalogue(
            db.session,
            assessment,
            current_user.id,
            planned,
            measure_id=form.measure.data,
            action=form.action.data,
            phase=int(form.phase.data) if form.phase.data else None,
            effort=form.effort.data or None,
            text=form.text.data,
            reason=form.reason.data,
        )
    except measures.MeasureError as exc:
        _field_error(form, exc)
        return _page(assessment, catalogue_form=form, status=422)
    flash(
        _("The measure has been removed from the roadmap.")
        if form.action.data == advised.REMOVE
        else _("Your change of the measure has been saved."),
        "success",
    )
    return redirect(url_for(".page", aid=aid, _anchor="changed-title"), code=303)


@bp.post("/a/<aid>/measures/delete")
def delete(aid: str) -> Response:
    """Delete an entry: an own measure goes, a changed catalogue measure is back as planned."""
    assessment = load_owned(aid)
    form = EntryForm()
    if not form.validate_on_submit():
        abort(400)
    entry = measures.get(db.session, assessment, int(form.entry.data))
    if entry is None:
        abort(404)
    own = entry.action == advised.ADD
    measures.delete(db.session, assessment, current_user.id, entry)
    flash(
        _("Your measure has been deleted.")
        if own
        else _("The measure is on the roadmap again as the catalogue plans it."),
        "success",
    )
    return redirect(url_for(".page", aid=aid), code=303)


def _field_error(form, exc: measures.MeasureError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is None:
        field = next(f for f in form if f.name.endswith(("title", "measure")))
    field.errors = [*field.errors, exc.message]


@bp.app_template_global()
def measure_change(change, catalogue, locale: str) -> str:
    """An audit-trail entry about an advisor's measure, in words (for the summary's recent changes)."""
    before, after = change.measure_before or {}, change.measure_after or {}
    if change.question_id:
        measure = next((m for m in catalogue.measures if m.id == change.question_id), None)
        title = measure.title.get(locale) if measure is not None else change.question_id
    else:
        title = after.get("title") or before.get("title") or "?"
    action = after.get("action")
    if action == advised.ADD and not before:
        return _("added the own measure “%(title)s” (phase %(phase)s)", title=title, phase=after.get("phase"))
    if action == advised.ADD:
        return _("changed the own measure “%(title)s”", title=title)
    if action == advised.REMOVE:
        return _("removed “%(title)s” from the roadmap", title=title)
    if action == advised.ADJUST:
        return _("adjusted “%(title)s”", title=title)
    if before.get("action") == advised.ADD:
        return _("deleted the own measure “%(title)s”", title=title)
    return _("put “%(title)s” back on the roadmap as planned", title=title)
