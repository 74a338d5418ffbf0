"""Guided sessions: respondents with personal links, their separate answers, reveal and agreement.

Each respondent answers on their own through a personal link (a random token; only its
hash is stored, as for the municipality's link). Nobody sees the others' answers until
the advisor reveals a question; then the respondents see its distribution, anonymously.
The advisor agrees an answer per question with a rationale, or accepts the median
(``advisor.core.consensus``): that becomes the assessment's answer, which is what scores. The
respondents' own answers stay stored beside it.

Respondents' saves touch only their own rows (never the assessment row), so thirty people
answering at once do not queue behind one lock; the projector notices their answers
through :func:`version`, a cheap aggregate.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from advisor.accounts.models import User
from advisor.assessments import audit, grants
from advisor.assessments.answers import AnswerInput, is_answered
from advisor.assessments.models import AnswerState, Assessment, Respondent, RespondentAnswer
from advisor.assessments.services import TOKEN_BYTES, hash_token, save_answers, validated
from advisor.catalogue import Catalogue
from advisor.core import consensus
from advisor.core.rules import Fact
from advisor.db import utcnow

from .models import Agreement, GuidedSession, RespondentGrant

#: More people than this in one session is a meeting no one can moderate.
MAX_RESPONDENTS = 60


class SessionError(ValueError):
    """A request the session cannot carry out; ``message`` is translated and user-facing."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


# -- respondents and their links ---------------------------------------------------------


def invite(
    session: Session, assessment: Assessment, name: str, role: str, named_in_report: bool = False
) -> tuple[Respondent, str]:
    """Add a respondent; return them with their personal link's token (shown to the advisor)."""
    from advisor.i18n import lazy_gettext as _l

    if len(assessment.respondents) >= MAX_RESPONDENTS:
        raise SessionError(_l("A session can have at most %(num)s respondents.", num=MAX_RESPONDENTS))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    respondent = Respondent(
        label=name.strip()[:200],
        role=role.strip()[:200],
        named_in_report=named_in_report,
        token_hash=hash_token(token),
        token_created_at=utcnow(),
    )
    assessment.respondents.append(respondent)
    session.flush()
    return respondent, token


def new_link(session: Session, respondent: Respondent) -> str:
    """A new personal link for the respondent; the old one stops working at once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    respondent.token_hash, respondent.token_created_at = hash_token(token), utcnow()
    session.flush()
    return token


def remove(session: Session, respondent: Respondent) -> None:
    """Take a respondent and their answers out of the session."""
    respondent.assessment.respondents.remove(respondent)
    session.flush()


def respondent_of(assessment: Assessment, public_id: str) -> Respondent | None:
    """The assessment's respondent with this public id (another assessment's is None)."""
    return next((r for r in assessment.respondents if r.public_id == public_id), None)


def find_by_token(session: Session, token: str) -> Respondent | None:
    """The respondent this token opens, or None (unknown and replaced look alike)."""
    if not token or len(token) > 200:
        return None
    return session.scalar(select(Respondent).where(Respondent.token_hash == hash_token(token)))


#: Respondents' grants: the same mechanics as the municipality's, with their own salts.
RESPONDENT = grants.Kind(
    RespondentGrant,
    RespondentGrant.respondent_id,
    Respondent,
    "token_hash",
    b"advisor-respondent:",
    b"advisor-respondent-seal:",
)


def grant(session: Session, browser_key: str, respondent: Respondent, token: str) -> None:
    """Let this browser open the respondent's questionnaire without the link (see ``grants``)."""
    RESPONDENT.store(session, browser_key, respondent.id, token)


def opened(session: Session, browser_key: str | None, public_id: str) -> Respondent | None:
    """The respondent with this public id, if this browser showed their current link."""
    found = RESPONDENT.opened(session, browser_key, public_id)
    return found[0] if found else None


def forget_unused_grants(session: Session, older_than: timedelta, dry_run: bool = False) -> int:
    """Delete respondent grants no browser used for ``older_than``; return how many (would be) deleted."""
    return RESPONDENT.forget_unused(session, older_than, dry_run)


# -- a respondent's own answers ----------------------------------------------------------


def save_own_answers(
    session: Session,
    catalogue: Catalogue,
    respondent: Respondent,
    answers: Mapping[str, AnswerInput],
    allowed: set[str] | frozenset[str],
) -> int:
    """Validate all answers first, then store the respondent's own; return how many changed.

    Only the respondent's rows are written: the agreed answers and the assessment stay as
    they are. An answer with no value, no state and no note removes a stored one.
    """
    clean = validated(catalogue, answers, allowed)
    stored = {a.question_id: a for a in respondent.answers}
    changed = 0
    for question_id, answer in clean.items():
        row = stored.get(question_id)
        if not is_answered(answer.state, answer.value) and not answer.note:
            if row is not None:
                respondent.answers.remove(row)
                changed += 1
            continue
        if row is None:
            row = RespondentAnswer(question_id=question_id)
            respondent.answers.append(row)
        elif (row.state, row.value, row.note) == (answer.state, answer.value, answer.note):
            continue
        row.state, row.value, row.note = answer.state, answer.value, answer.note
        changed += 1
    session.flush()
    return changed


def submit(session: Session, respondent: Respondent) -> None:
    """The respondent says they are done (they may still change answers)."""
    respondent.submitted_at = utcnow()
    session.flush()


# -- what the advisor sees ---------------------------------------------------------------


@dataclass(frozen=True)
class QuestionState:
    """One question of the session: the spread of the respondents' answers, and where it stands."""

    question_id: str
    spread: consensus.Spread
    notes: tuple[tuple[str, str], ...]  # (respondent's role or name, note)
    revealed: bool
    agreement: Agreement | None
    agreed: Fact | None  # the assessment's answer (agreed, or entered in the wizard)


def agreements(session: Session, assessment: Assessment) -> dict[str, Agreement]:
    """The agreement rows of the session by question id."""
    rows = session.scalars(select(Agreement).where(Agreement.assessment_id == assessment.id))
    return {row.question_id: row for row in rows}


def facts_by_question(
    session: Session, assessment: Assessment, question_ids: list[str]
) -> dict[str, list[tuple[Respondent, RespondentAnswer]]]:
    """Every respondent's answer to these questions, grouped by question (one query)."""
    rows = session.execute(
        select(Respondent, RespondentAnswer)
        .join(RespondentAnswer, RespondentAnswer.respondent_id == Respondent.id)
        .where(Respondent.assessment_id == assessment.id, RespondentAnswer.question_id.in_(question_ids))
        .order_by(Respondent.id)
    )
    grouped: dict[str, list[tuple[Respondent, RespondentAnswer]]] = {}
    for respondent, answer in rows:
        grouped.setdefault(answer.question_id, []).append((respondent, answer))
    return grouped


def who(respondent: Respondent) -> str:
    """How a respondent is named to the group: the role, else the name."""
    return respondent.role or respondent.label


def question_states(
    session: Session, catalogue: Catalogue, assessment: Assessment, question_ids: list[str]
) -> list[QuestionState]:
    """The session's questions (in ``question_ids`` order) with spread, notes and agreement."""
    grouped = facts_by_question(session, assessment, question_ids)
    agreed = agreements(session, assessment)
    answers = assessment.answer_map()
    states = []
    for qid in question_ids:
        given = grouped.get(qid, [])
        spread = consensus.spread(
            catalogue.questions[qid].type, [Fact(a.state.value, a.value) for _, a in given]
        )
        row = answers.get(qid)
        agreement = agreed.get(qid)
        states.append(
            QuestionState(
                qid,
                spread,
                tuple((who(r), a.note) for r, a in given if a.note),
                bool(agreement and agreement.revealed_at),
                agreement,
                Fact(row.state.value, row.value)
                if row is not None and is_answered(row.state, row.value)
                else None,
            )
        )
    return states


def ordered_for_moderation(states: list[QuestionState]) -> list[QuestionState]:
    """Divergent questions first (see ``consensus.divergent_first``)."""
    by_id = {s.question_id: s for s in states}
    return [by_id[qid] for qid, _ in consensus.divergent_first([(s.question_id, s.spread) for s in states])]


def _agreement(session: Session, assessment: Assessment, question_id: str) -> Agreement:
    row = session.scalar(
        select(Agreement).where(
            Agreement.assessment_id == assessment.id, Agreement.question_id == question_id
        )
    )
    if row is None:
        row = Agreement(assessment_id=assessment.id, question_id=question_id)
        session.add(row)
    return row


def reveal(session: Session, assessment: Assessment, question_id: str, shown: bool = True) -> None:
    """Show (or hide again) the distribution of one question to the group."""
    row = _agreement(session, assessment, question_id)
    row.revealed_at = utcnow() if shown else None
    row.updated_at = utcnow()
    _touch_session(session, assessment)
    session.flush()


def agree(
    session: Session,
    catalogue: Catalogue,
    assessment: Assessment,
    question_id: str,
    answer: AnswerInput | None,
    rationale: str,
    advisor: User,
) -> Agreement:
    """Record the agreed answer of one question; ``None`` accepts the proposal of the consensus rule.

    The agreed answer becomes the assessment's answer (what scores, with the audit trail
    saying "agreed"); the spread at this moment is kept with it for the report.
    """
    from advisor.i18n import lazy_gettext as _l

    state = next(s for s in question_states(session, catalogue, assessment, [question_id]))
    spread = state.spread
    if answer is None:
        if spread.proposal is None:
            raise SessionError(
                _l("There is no median to accept for this question: please agree an answer with the group.")
            )
        answer = AnswerInput(AnswerState(spread.proposal.state), spread.proposal.value, "")
        method = "median"
    else:
        method = "agreed"
    stored = assessment.answer_map().get(question_id)
    note = stored.note if stored is not None else ""
    saved = save_answers(
        session,
        catalogue,
        assessment,
        {question_id: AnswerInput(answer.state, answer.value, note)},
        allowed={question_id},
    )
    audit.record_answers(session, assessment, saved, ("advisor", advisor.id), kind="agreed")
    row = _agreement(session, assessment, question_id)
    row.method, row.rationale = method, rationale.strip()
    row.agreed_at, row.agreed_by_id = utcnow(), advisor.id
    low, high = spread.low, spread.high
    row.spread_low = int(low) if low is not None and spread.kind == "level" else None
    row.spread_high = int(high) if high is not None and spread.kind == "level" else None
    row.respondents, row.divergent = spread.answered, spread.divergent
    row.updated_at = utcnow()
    _touch_session(session, assessment)
    session.flush()
    return row


def reopen(session: Session, assessment: Assessment, question_id: str) -> None:
    """Withdraw the agreement of one question (the assessment's answer stays as it is)."""
    row = _agreement(session, assessment, question_id)
    row.method, row.agreed_at, row.agreed_by_id = None, None, None
    row.updated_at = utcnow()
    _touch_session(session, assessment)
    session.flush()


def save_question_note(
    session: Session, assessment: Assessment, question_id: str, note: str, shared: bool
) -> None:
    """The advisor's note on one question: private, or shared into the report."""
    row = _agreement(session, assessment, question_id)
    row.note, row.note_shared = note.strip(), shared
    row.updated_at = utcnow()
    _touch_session(session, assessment)
    session.flush()


def state_of(session: Session, assessment: Assessment) -> GuidedSession:
    """The session-wide state (made on first use)."""
    row = session.scalar(select(GuidedSession).where(GuidedSession.assessment_id == assessment.id))
    if row is None:
        row = GuidedSession(assessment_id=assessment.id)
        session.add(row)
        session.flush()
    return row


def save_session_notes(session: Session, assessment: Assessment, notes: str, shared: bool) -> None:
    """The advisor's notes of the session: private, or shared into the report."""
    row = state_of(session, assessment)
    row.notes, row.notes_shared = notes.strip(), shared
    _touch_session(session, assessment)
    session.flush()


def show_question(session: Session, assessment: Assessment, question_id: str) -> None:
    """Which question the projector shows."""
    state_of(session, assessment).current_question_id = question_id
    session.flush()


def _touch_session(session: Session, assessment: Assessment) -> None:
    """Agreements and shared notes are in the report: bump the assessment's revision."""
    assessment.revision = Assessment.revision + 1
    assessment.updated_at = utcnow()


def version(session: Session, assessment: Assessment) -> str:
    """A cheap fingerprint of everything the projector shows; it changes with every save.

    Two aggregate queries over indexed columns, no write: polled every few seconds by
    every open projector view.
    """
    answers = session.execute(
        select(func.count(RespondentAnswer.id), func.max(RespondentAnswer.updated_at))
        .join(Respondent, Respondent.id == RespondentAnswer.respondent_id)
        .where(Respondent.assessment_id == assessment.id)
    ).one()
    respondents = session.execute(
        select(func.count(Respondent.id), func.max(Respondent.submitted_at)).where(
            Respondent.assessment_id == assessment.id
        )
    ).one()
    state = session.execute(
        select(func.max(Agreement.updated_at)).where(Agreement.assessment_id == assessment.id)
    ).scalar()
    shown = session.execute(
        select(GuidedSession.current_question_id, GuidedSession.updated_at).where(
            GuidedSession.assessment_id == assessment.id
        )
    ).first()
    parts = [assessment.revision, *answers, *respondents, state, *(shown or ())]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
