"""The advisor's own recommendations: measures of their own, catalogue measures adjusted or removed.

Only the owning advisor changes them (the views check); the municipality sees them on the
results page and in the report, marked as the advisor's. Every change is kept in the audit
trail (kind "measure") and bumps the assessment's revision, so no report made before it is
served again. What the entries do to the roadmap is the pure :mod:`advisor.core.advised`.

Services flush; the request commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from advisor.assessments.models import Assessment, AssessmentChange
from advisor.assessments.services import touch
from advisor.core import advised
from advisor.core.roadmap import Roadmap
from advisor.i18n import lazy_gettext as _l

from .models import AdvisorMeasure

TITLE_MAX = 200
RESPONSIBLE_MAX = 200
TEXT_MAX = 4000
REASON_MAX = 2000
#: More entries than this is no longer advice but a catalogue of its own.
MAX_ENTRIES = 100
PHASE_NUMBERS = (1, 2, 3)

NO_TITLE = _l("Please give the measure a title.")
NO_PHASE = _l("Please choose the phase.")
NO_EFFORT = _l("Please choose the effort.")
NO_REASON = _l("Please give the reason.")
NO_CHANGE = _l("Please change the phase, the effort or the text, or remove the measure.")
NOT_PLANNED = _l("This measure is not on the roadmap. Please choose one of the measures listed.")


class MeasureError(ValueError):
    """An entry that cannot be saved; ``message`` is translated, ``field`` names where it belongs."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Planned:
    """A measure on the roadmap as it is now: the phase and effort class the core planned."""

    phase: int
    effort: str


def entries(session: Session, assessment: Assessment) -> list[AdvisorMeasure]:
    """The advisor's entries of the assessment, oldest first."""
    return list(
        session.scalars(
            select(AdvisorMeasure)
            .where(AdvisorMeasure.assessment_id == assessment.id)
            .order_by(AdvisorMeasure.id)
        )
    )


def plain(rows: list[AdvisorMeasure]) -> list[advised.Entry]:
    """The entries as plain data for :func:`advisor.core.advised.apply`."""
    return [
        advised.Entry(
            id=row.id,
            action=row.action,
            measure_id=row.measure_id,
            title=row.title,
            text=row.text,
            phase=row.phase,
            effort=row.effort,
            responsible=row.responsible,
            reason=row.reason,
        )
        for row in rows
    ]


def of_assessment(session: Session, assessment: Assessment) -> list[advised.Entry]:
    """The assessment's entries as plain data."""
    return plain(entries(session, assessment))


def get(session: Session, assessment: Assessment, entry_id: int) -> AdvisorMeasure | None:
    """One entry of this assessment (None for another assessment's or an unknown id)."""
    return session.scalar(
        select(AdvisorMeasure).where(
            AdvisorMeasure.id == entry_id, AdvisorMeasure.assessment_id == assessment.id
        )
    )


def save_own(
    session: Session,
    assessment: Assessment,
    user_id: int,
    *,
    title: str,
    text: str,
    phase: int | None,
    effort: str | None,
    responsible: str,
    reason: str = "",
    entry: AdvisorMeasure | None = None,
) -> AdvisorMeasure:
    """Add a measure of the advisor's own, or change one (``entry``)."""
    title, text, responsible, reason = (
        _clean(title, TITLE_MAX, "title"),
        _clean(text, TEXT_MAX, "text"),
        _clean(responsible, RESPONSIBLE_MAX, "responsible"),
        _clean(reason, REASON_MAX, "reason"),
    )
    if not title:
        raise MeasureError(NO_TITLE, "title")
    if phase not in PHASE_NUMBERS:
        raise MeasureError(NO_PHASE, "phase")
    if effort not in advised.EFFORTS:
        raise MeasureError(NO_EFFORT, "effort")
    if entry is not None and entry.action != advised.ADD:
        raise MeasureError(NO_TITLE, "title")  # the views never offer this
    before = describe(entry) if entry is not None else None
    if entry is None:
        _check_room(session, assessment)
        entry = AdvisorMeasure(assessment_id=assessment.id, action=advised.ADD, created_by_id=user_id)
        session.add(entry)
    entry.title, entry.text, entry.phase, entry.effort = title, text, phase, effort
    entry.responsible, entry.reason = responsible, reason
    session.flush()
    _record(session, assessment, user_id, None, before, describe(entry))
    return entry


def save_catalogue(
    session: Session,
    assessment: Assessment,
    user_id: int,
    planned: Mapping[str, Planned],
    *,
    measure_id: str,
    action: str,
    phase: int | None,
    effort: str | None,
    text: str,
    reason: str,
) -> AdvisorMeasure:
    """Adjust or remove a measure of the roadmap (``planned``: the roadmap as it is now), with a reason.

    There is one entry per catalogue measure: a new one replaces the earlier. A phase or effort
    equal to the planned one is no change.
    """
    where = planned.get(measure_id or "")
    if where is None:
        raise MeasureError(NOT_PLANNED, "measure")
    if action not in (advised.ADJUST, advised.REMOVE):
        raise MeasureError(NO_CHANGE, "action")
    text, reason = _clean(text, TEXT_MAX, "text"), _clean(reason, REASON_MAX, "reason")
    if not reason:
        raise MeasureError(NO_REASON, "reason")
    if action == advised.REMOVE:
        phase, effort, text = None, None, ""
    else:
        if phase is not None and phase not in PHASE_NUMBERS:
            raise MeasureError(NO_PHASE, "phase")
        if effort is not None and effort not in advised.EFFORTS:
            raise MeasureError(NO_EFFORT, "effort")
        phase = None if phase == where.phase else phase
        effort = None if effort == where.effort else effort
        if phase is None and effort is None and not text:
            raise MeasureError(NO_CHANGE, "action")
    entry = session.scalar(
        select(AdvisorMeasure).where(
            AdvisorMeasure.assessment_id == assessment.id,
            AdvisorMeasure.measure_id == measure_id,
            AdvisorMeasure.action.in_((advised.ADJUST, advised.REMOVE)),
        )
    )
    before = describe(entry) if entry is not None else None
    if entry is None:
        _check_room(session, assessment)
        entry = AdvisorMeasure(assessment_id=assessment.id, measure_id=measure_id, created_by_id=user_id)
        session.add(entry)
    entry.action, entry.phase, entry.effort, entry.text, entry.reason = action, phase, effort, text, reason
    session.flush()
    _record(session, assessment, user_id, measure_id, before, describe(entry))
    return entry


def delete(session: Session, assessment: Assessment, user_id: int, entry: AdvisorMeasure) -> None:
    """Delete an entry: an own measure goes, a catalogue measure is back as the roadmap plans it."""
    before = describe(entry)
    measure_id = entry.measure_id if entry.action != advised.ADD else None
    session.delete(entry)
    session.flush()
    _record(session, assessment, user_id, measure_id, before, None)


def describe(entry: AdvisorMeasure) -> dict:
    """What the audit trail keeps of an entry (the reason and text stay with the entry)."""
    values: dict = {"action": entry.action, "phase": entry.phase, "effort": entry.effort}
    if entry.action == advised.ADD:
        values["title"] = entry.title[:80]
    else:
        values["text"] = bool(entry.text)
    return values


def _record(
    session: Session,
    assessment: Assessment,
    user_id: int,
    measure_id: str | None,
    before: dict | None,
    after: dict | None,
) -> None:
    session.add(
        AssessmentChange(
            assessment_id=assessment.id,
            actor="advisor",
            user_id=user_id,
            kind="measure",
            question_id=measure_id,
            before=before,
            after=after,
        )
    )
    touch(assessment)
    session.flush()


def _check_room(session: Session, assessment: Assessment) -> None:
    count = session.scalar(
        select(func.count()).select_from(AdvisorMeasure).where(AdvisorMeasure.assessment_id == assessment.id)
    )
    if count >= MAX_ENTRIES:
        raise MeasureError(
            _l("An assessment can have at most %(n)s recommendations of the advisor.", n=MAX_ENTRIES)
        )


def _clean(value: str | None, limit: int, field: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise MeasureError(_l("Please shorten this to at most %(max)d characters.", max=limit), field)
    return value


def advised_plan(session: Session, assessment: Assessment, plan: Roadmap) -> advised.Advised:
    """The roadmap as shown: the core's plan with the advisor's entries applied."""
    return advised.apply(plan, of_assessment(session, assessment))


def is_owner(assessment: Assessment, user) -> bool:
    """Whether ``user`` (Flask-Login's current user) is the advisor who owns the assessment."""
    return bool(
        getattr(user, "is_authenticated", False)
        and assessment.owner_id is not None
        and assessment.owner_id == user.id
    )
