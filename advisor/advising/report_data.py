"""What the report of an advised or guided assessment adds, read from the database as plain data.

The advisor's name and organisation for the cover, the participants (their roles; a name
only where the person agreed), per question how the answer came about (agreed with a
rationale or the median accepted, the spread at that moment; for questions not yet agreed
the spread of the respondents' answers as they are), the notes the advisor shared (never
the private ones) and the advisor's measures. The report's context turns it into words.

``fingerprint`` covers what the report shows from here but what does not bump the
assessment's revision (respondents' own answers, the participants, the advisor's account),
so the report's cache key changes with it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from advisor.accounts.models import User
from advisor.assessments.models import Assessment, Respondent, RespondentAnswer
from advisor.catalogue import Catalogue
from advisor.core import advised, consensus
from advisor.core.rules import Fact

from . import measures
from .models import Agreement, GuidedSession


@dataclass(frozen=True)
class GuidedQuestion:
    """How one question's answer came about in the session."""

    question_id: str
    agreed_at: datetime | None
    method: str | None  # "agreed" | "median" | None (not agreed yet)
    rationale: str
    low: float | None
    high: float | None
    answered: int
    divergent: bool
    note: str  # the advisor's note on the question, if shared into the report


@dataclass(frozen=True)
class GuidedReport:
    """The report's additions for an assessment with an advisor (and perhaps respondents)."""

    advisor_name: str
    advisor_organisation: str
    #: (role, name): the name only where the person agreed to be named in the report.
    participants: tuple[tuple[str, str], ...]
    questions: tuple[GuidedQuestion, ...]
    notes: str  # the session notes, if shared into the report
    entries: tuple[advised.Entry, ...]

    @property
    def guided(self) -> bool:
        """Whether several respondents answered (a guided session)."""
        return bool(self.participants)


def gather(session: Session, catalogue: Catalogue, assessment: Assessment) -> GuidedReport:
    """Read everything the report adds for this assessment."""
    owner = session.get(User, assessment.owner_id) if assessment.owner_id else None
    respondents = list(
        session.scalars(
            select(Respondent).where(Respondent.assessment_id == assessment.id).order_by(Respondent.id)
        )
    )
    agreements = {
        a.question_id: a
        for a in session.scalars(select(Agreement).where(Agreement.assessment_id == assessment.id))
    }
    given: dict[str, list[Fact]] = {}
    if respondents:
        rows = session.scalars(
            select(RespondentAnswer)
            .join(Respondent, Respondent.id == RespondentAnswer.respondent_id)
            .where(Respondent.assessment_id == assessment.id)
        )
        for row in rows:
            given.setdefault(row.question_id, []).append(Fact(row.state.value, row.value))
    questions = []
    for question_id, question in catalogue.questions.items():
        agreement = agreements.get(question_id)
        if agreement is not None and agreement.method in ("agreed", "median"):
            questions.append(
                GuidedQuestion(
                    question_id,
                    agreement.agreed_at,
                    agreement.method,
                    agreement.rationale,
                    agreement.spread_low,
                    agreement.spread_high,
                    agreement.respondents or 0,
                    agreement.divergent,
                    agreement.note if agreement.note_shared else "",
                )
            )
            continue
        spread = consensus.spread(question.type, given.get(question_id, ()))
        note = agreement.note if agreement is not None and agreement.note_shared else ""
        if spread.divergent or note:
            questions.append(
                GuidedQuestion(
                    question_id,
                    None,
                    None,
                    "",
                    spread.low,
                    spread.high,
                    spread.answered,
                    spread.divergent,
                    note,
                )
            )
    state = session.scalar(select(GuidedSession).where(GuidedSession.assessment_id == assessment.id))
    return GuidedReport(
        advisor_name=(owner.name or owner.email) if owner is not None else "",
        advisor_organisation=owner.organisation if owner is not None else "",
        participants=tuple((r.role, r.label if r.named_in_report else "") for r in respondents),
        questions=tuple(questions),
        notes=state.notes if state is not None and state.notes_shared else "",
        entries=tuple(measures.of_assessment(session, assessment)),
    )


def fingerprint(session: Session, assessment: Assessment) -> str:
    """A short hash of what the report shows from here without bumping the revision ("" if nothing)."""
    owner = (
        session.execute(
            select(User.name, User.email, User.organisation).where(User.id == assessment.owner_id)
        ).one_or_none()
        if assessment.owner_id
        else None
    )
    people = session.execute(
        select(Respondent.id, Respondent.role, Respondent.label, Respondent.named_in_report)
        .where(Respondent.assessment_id == assessment.id)
        .order_by(Respondent.id)
    ).all()
    if owner is None and not people:
        return ""
    answers = session.execute(
        select(func.count(RespondentAnswer.id), func.max(RespondentAnswer.updated_at))
        .join(Respondent, Respondent.id == RespondentAnswer.respondent_id)
        .where(Respondent.assessment_id == assessment.id)
    ).one()
    parts = (tuple(owner) if owner else None, [tuple(p) for p in people], tuple(answers))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
