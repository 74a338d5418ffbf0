"""The audit trail of an assessment: who changed which answer, when.

Changes are recorded where a request saved them; the actor (``access.actor``) is the holder
of the personal link (the municipality) or the signed-in advisor who was handed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from advisor.accounts.models import User
from advisor.core.rules import Fact

from .models import Assessment, AssessmentChange
from .services import Saved


def record_answers(
    session: Session, assessment: Assessment, saved: Saved, by: tuple[str, int | None], kind: str = "answer"
) -> None:
    """Keep one entry per answer the save changed; ``by`` is (``"link"`` | ``"advisor"``, user id).

    ``kind`` is "answer" (entered in the wizard) or "agreed" (agreed in a guided session).
    """
    actor, user_id = by
    for question_id, before, after, note_changed in saved.changes:
        session.add(
            AssessmentChange(
                assessment_id=assessment.id,
                actor=actor,
                user_id=user_id,
                kind=kind,
                question_id=question_id,
                before=list(before) if before else None,
                after=list(after) if after else None,
                note_changed=note_changed,
            )
        )


@dataclass(frozen=True)
class Entry:
    """One change as shown: when, by whom, which question, from what to what."""

    at: datetime
    by: str | None  # the advisor's name or address; None: the municipality
    question_id: str | None
    before: Fact | None
    after: Fact | None
    note_changed: bool
    #: "answer" (or another kind about an answer), or "measure": an advisor's measure, where
    #: ``question_id`` is the catalogue measure's id (None: the advisor's own measure) and
    #: ``measure_before``/``measure_after`` describe it (see ``advisor.advising.measures``).
    kind: str = "answer"
    measure_before: dict | None = None
    measure_after: dict | None = None


def recent(session: Session, assessment: Assessment, limit: int = 20) -> list[Entry]:
    """The latest changes, newest first."""
    rows = session.execute(
        select(AssessmentChange, User.name, User.email)
        .outerjoin(User, User.id == AssessmentChange.user_id)
        .where(AssessmentChange.assessment_id == assessment.id)
        .order_by(AssessmentChange.id.desc())
        .limit(limit)
    )
    return [_entry(change, name, email) for change, name, email in rows]


def _entry(change: AssessmentChange, name: str | None, email: str | None) -> Entry:
    by = (name or email or "?") if change.actor == "advisor" else None
    if change.kind == "measure":
        return Entry(
            change.created_at,
            by,
            change.question_id,
            None,
            None,
            False,
            change.kind,
            change.before if isinstance(change.before, dict) else None,
            change.after if isinstance(change.after, dict) else None,
        )
    return Entry(
        change.created_at,
        by,
        change.question_id,
        Fact(*change.before) if change.before else None,
        Fact(*change.after) if change.after else None,
        change.note_changed,
        change.kind,
    )
