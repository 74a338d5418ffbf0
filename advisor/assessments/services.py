"""Operations on assessments. Services add and flush; the request commits.

Every change to what an assessment says (answers, notes, profile,
priorities) goes through here and bumps ``revision``, so caches of derived
artefacts can key on it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, object_session

from advisor.catalogue import Catalogue, FieldDef, catalogue_as_dict, catalogue_from_dict
from advisor.catalogue.migrate import carry_over
from advisor.core.rules import ADMINISTRATION, OTHER, OWN, SKIP
from advisor.db import utcnow

from .answers import NO_ANSWER, AnswerInput, InvalidAnswer, fingerprint, is_answered, normalise
from .models import (
    MAX_CAPACITY_DAYS,
    REQUIRED_FOR_ADVICE,
    Answer,
    AnswerColumns,
    AnswerState,
    Assessment,
    CatalogueSnapshot,
    Priority,
    Status,
)

#: 32 random bytes: 256 bits, twice the required minimum of 128.
TOKEN_BYTES = 32
PROFILE_FIELDS = (
    "municipality_name",
    "municipality_type",
    "state",
    "population_band",
    "staff_band",
    "association_kind",
    "association_name",
    "it_provider",
)
#: Responsibilities whose questions are asked and count.
SCORED = (OWN, OTHER)
#: Profile entries a municipality may leave empty.
OPTIONAL_PROFILE_FIELDS = ("it_provider", "association_name")


class UnknownQuestion(LookupError):
    """A submission named a question that the section does not contain."""


def hash_token(token: str) -> str:
    """Return the stored form of a resume token (SHA-256; tokens are random, no salt needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, assessment: Assessment) -> bool:
    """Compare in constant time whether ``token`` opens ``assessment``."""
    stored = assessment.resume_token_hash
    return stored is not None and hmac.compare_digest(hash_token(token), stored)


def ensure_snapshot(session: Session, catalogue: Catalogue) -> None:
    """Store the catalogue content under its hash once, so old assessments stay reproducible.

    Several workers may store the same new version at once: the insert ignores a
    conflict instead of failing one of them.
    """
    if session.get(CatalogueSnapshot, catalogue.hash) is not None:
        return
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}.get(dialect)
    values = {
        "hash": catalogue.hash,
        "catalogue_id": catalogue.id,
        "version": catalogue.version,
        "content": catalogue_as_dict(catalogue),
        "created_at": utcnow(),
    }
    if insert is None:
        session.add(CatalogueSnapshot(**values))
        session.flush()
    else:
        session.execute(insert(CatalogueSnapshot).values(**values).on_conflict_do_nothing())


def catalogue_of(
    session: Session, loaded: Mapping[str, Catalogue], assessment: Assessment
) -> Catalogue | None:
    """The catalogue exactly as the assessment was started against, even after an upgrade.

    The loaded catalogue serves when its content hash matches; otherwise the stored
    snapshot is rebuilt (and cached per hash), so questions and levels never shift
    under an assessment in progress.
    """
    current = loaded.get(assessment.catalogue_id)
    if current is not None and current.hash == assessment.catalogue_hash:
        return current
    cached = _snapshot_cache.get(assessment.catalogue_hash)
    if cached is None:
        snapshot = session.get(CatalogueSnapshot, assessment.catalogue_hash)
        if snapshot is None:
            return None
        cached = catalogue_from_dict(snapshot.content)
        _snapshot_cache[assessment.catalogue_hash] = cached
    return cached


_snapshot_cache: dict[str, Catalogue] = {}


def upgrade_available(loaded: Mapping[str, Catalogue], assessment: Assessment) -> Catalogue | None:
    """The newer catalogue version this assessment can be carried onto, if any."""
    current = loaded.get(assessment.catalogue_id)
    if current is None or current.version == assessment.catalogue_version:
        return None
    session = object_session(assessment)
    if session is not None and assessment.id is not None and successor_id(session, assessment) is not None:
        return None  # a closed round stays on the version its follow-up compared
    if not any(m.from_version == assessment.catalogue_version for m in current.migrations):
        return None
    return current


def successor_id(session: Session, assessment: Assessment) -> int | None:
    """The id of the follow-up started from this assessment, if any (then it is closed)."""
    return session.scalar(select(Assessment.id).where(Assessment.predecessor_id == assessment.id))


def upgrade_catalogue(session: Session, loaded: Mapping[str, Catalogue], assessment: Assessment) -> bool:
    """Carry the assessment onto the newer catalogue version by the catalogue's rules.

    Nothing entered is lost: answers keep their question ids (or follow a rename) and their
    notes; a profile value that was split is offered to the user once; an answer the new
    version cannot hold, or one to a question the new version removed, is kept in
    ``upgrade_notice["kept"]`` with its old question text and shown to the user (and the
    question, where it still exists, is asked again). The old version's snapshot stays
    stored. Returns whether anything changed.
    """
    catalogue = upgrade_available(loaded, assessment)
    if catalogue is None:
        return False
    old = catalogue_of(session, loaded, assessment)
    version = assessment.catalogue_version
    ensure_snapshot(session, catalogue)
    kept: list[dict] = []

    def carry(rows: list, who: str | None) -> tuple[list, list[str]]:
        """Move one set of answer rows; return the rows to keep and the questions asked again."""
        carried = carry_over(catalogue, version, {a.question_id: a for a in rows}, {})
        asked_again = []
        for question_id, row in carried.answers.items():
            question = catalogue.questions.get(question_id)
            if question is None:
                continue
            try:
                clean = normalise(question, AnswerInput(row.state, row.value, row.note))
            except InvalidAnswer:
                kept.append(_kept_answer(old, row, who))
                clean = AnswerInput(AnswerState.ANSWERED, None, row.note)
                asked_again.append(question_id)
            row.question_id = question_id
            row.state, row.value, row.note = clean.state, clean.value, clean.note
        for row in rows:
            if row.question_id in carried.removed and (is_answered(row.state, row.value) or row.note):
                kept.append(_kept_answer(old, row, who))
        return [row for row in rows if row.question_id not in carried.removed], asked_again

    assessment.answers, asked_again = carry(list(assessment.answers), None)
    for respondent in assessment.respondents:
        respondent.answers, _ = carry(list(respondent.answers), respondent.label)
    moved = carry_over(catalogue, version, {}, {key: getattr(assessment, key) for key in PROFILE_FIELDS})
    for key, value in moved.profile.items():
        setattr(assessment, key, value)
    assessment.upgrade_notice = {
        "from": version,
        "to": catalogue.version,
        "choices": {k: list(v) for k, v in moved.choices.items()},
        "asked_again": asked_again,
        "kept": kept,
    }
    assessment.catalogue_version = catalogue.version
    assessment.catalogue_hash = catalogue.hash
    _touch(assessment)
    session.flush()
    return True


def _kept_answer(old: Catalogue | None, row: AnswerColumns, who: str | None) -> dict:
    """An answer the new version cannot hold, as it was: question text, state, value, note."""
    question = old.questions.get(row.question_id) if old is not None else None
    return {
        "question_id": row.question_id,
        "text": question.text.model_dump() if question is not None else None,
        "state": row.state.value,
        "value": row.value,
        "note": row.note,
        "respondent": who,
    }


def dismiss_upgrade_notice(session: Session, assessment: Assessment) -> None:
    """The user has read what changed; open choices and kept old answers stay."""
    assessment.upgrade_notice = _settled({**(assessment.upgrade_notice or {}), "dismissed": True})
    session.flush()


def _settled(notice: dict) -> dict | None:
    """Drop the notice once it is read, nothing is left to choose and no old answer is kept."""
    if notice.get("dismissed") and not notice.get("choices") and not notice.get("kept"):
        return None
    return notice


def create_assessment(session: Session, catalogue: Catalogue, locale: str = "de") -> tuple[Assessment, str]:
    """Start an empty assessment; return it with its resume token (shown once, stored hashed)."""
    ensure_snapshot(session, catalogue)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    assessment = Assessment(
        catalogue_id=catalogue.id,
        catalogue_version=catalogue.version,
        catalogue_hash=catalogue.hash,
        locale=locale,
        resume_token_hash=hash_token(token),
        resume_token_created_at=utcnow(),
    )
    session.add(assessment)
    session.flush()
    return assessment, token


def regenerate_token(session: Session, assessment: Assessment) -> str:
    """Replace the resume token; the old link stops working at once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    assessment.resume_token_hash = hash_token(token)
    assessment.resume_token_created_at = utcnow()
    session.flush()
    return token


def find_by_token(session: Session, token: str) -> Assessment | None:
    """Return the assessment this token opens, or None (unknown and revoked look alike)."""
    if not token or len(token) > 200:
        return None
    return session.scalar(select(Assessment).where(Assessment.resume_token_hash == hash_token(token)))


def get_by_public_id(session: Session, public_id: str) -> Assessment | None:
    """Look an assessment up by the id used in URLs."""
    if not public_id or len(public_id) > 32:
        return None
    return session.scalar(select(Assessment).where(Assessment.public_id == public_id))


def _touch(assessment: Assessment) -> None:
    # Incremented by the database, so concurrent saves never share a revision number.
    assessment.revision = Assessment.revision + 1
    assessment.updated_at = utcnow()


def touch(assessment: Assessment) -> None:
    """Mark the assessment changed: what its report shows changed (advisor's measures, notes, ...)."""
    _touch(assessment)


def save_profile(
    session: Session, catalogue: Catalogue, assessment: Assessment, profile: Mapping[str, str | None]
) -> None:
    """Store the municipality profile; unknown keys are a programming error.

    The kind and name of a joint administration belong only to the types that are, or
    belong to, one: a Stadt that was first entered as an Ortsgemeinde keeps no stale
    Verbandsgemeinde in its report.
    """
    profile = dict(profile)
    if profile.get("municipality_type") not in catalogue.association_types:
        profile.update(association_kind=None, association_name="")
    for key, value in profile.items():
        if key not in PROFILE_FIELDS:
            raise KeyError(key)
        setattr(assessment, key, value)
    notice = assessment.upgrade_notice
    if notice and notice.get("choices"):
        # A split value is asked once: answered as soon as the profile is saved with a value.
        choices = {k: v for k, v in notice["choices"].items() if not getattr(assessment, k)}
        assessment.upgrade_notice = _settled({**notice, "choices": choices})
    _touch(assessment)
    session.flush()


@dataclass(frozen=True)
class Saved:
    """What saving a page did: whether any answer changed, and which it left for the user to decide.

    ``changes`` lists each changed answer as (question id, before, after, note changed),
    before and after being ``(state, value)`` or None for no answer: for the audit trail.
    """

    changed: bool
    conflicts: tuple[str, ...] = ()
    changes: tuple[tuple[str, Any, Any, bool], ...] = ()


def validated(
    catalogue: Catalogue, answers: Mapping[str, AnswerInput], allowed: Set[str] | None = None
) -> dict[str, AnswerInput]:
    """Every answer normalised against its question; raise for the first that does not fit.

    ``allowed`` restricts which question ids may appear (a page may only change its own).
    """
    clean: dict[str, AnswerInput] = {}
    for question_id, answer in answers.items():
        question = catalogue.questions.get(question_id)
        if question is None or (allowed is not None and question_id not in allowed):
            raise UnknownQuestion(question_id)
        try:
            clean[question_id] = normalise(question, answer)
        except InvalidAnswer as exc:
            exc.question_id = question_id
            raise
    return clean


def save_answers(
    session: Session,
    catalogue: Catalogue,
    assessment: Assessment,
    answers: Mapping[str, AnswerInput],
    allowed: set[str] | None = None,
    shown: Mapping[str, str] | None = None,
) -> Saved:
    """Validate all ``answers`` first, then store them; one bad answer stores none.

    ``allowed`` restricts which question ids may appear (a wizard page may only
    change its own questions). An answer with no value, no state and no note
    removes a stored one.

    ``shown`` holds the fingerprint of each answer as the page showed it. Then only what the
    user changed is stored: an answer left as shown is not written (someone else may have
    changed it since), and one that both changed differently is not stored but returned as
    a conflict for the user to decide. Concurrent saves of one assessment are serialised.
    """
    clean = validated(catalogue, answers, allowed)
    lock(session, assessment)
    existing = assessment.answer_map()
    changed = False
    conflicts = []
    changes = []
    for question_id, answer in clean.items():
        row = existing.get(question_id)
        old = (row.state.value, row.value) if row is not None else None
        old_note = row.note if row is not None else ""
        if shown is not None:
            before = shown.get(question_id)
            mine = fingerprint(answer.state, answer.value, answer.note)
            stored = fingerprint(row.state, row.value, row.note) if row is not None else NO_ANSWER
            if mine == before or mine == stored:
                continue  # not changed here, or already stored as entered
            if stored != before:
                conflicts.append(question_id)
                continue
        empty = not is_answered(answer.state, answer.value) and not answer.note
        if empty:
            if row is not None:
                assessment.answers.remove(row)
                changed = True
                changes.append((question_id, old, None, bool(old_note)))
            continue
        if row is None:
            row = Answer(question_id=question_id)
            assessment.answers.append(row)
        elif (row.state, row.value, row.note) == (answer.state, answer.value, answer.note):
            continue
        row.state, row.value, row.note = answer.state, answer.value, answer.note
        changed = True
        changes.append((question_id, old, (answer.state.value, answer.value), answer.note != old_note))
    if changed:
        _touch(assessment)
    session.flush()
    return Saved(changed, tuple(conflicts), tuple(changes))


def fingerprints(assessment: Assessment) -> dict[str, str]:
    """Question id -> the fingerprint of its stored answer (see :func:`save_answers`)."""
    return {a.question_id: fingerprint(a.state, a.value, a.note) for a in assessment.answers}


def lock(session: Session, assessment: Assessment) -> None:
    """Serialise writes to one assessment, and read its answers and priorities afresh.

    A no-op update of the assessment's row takes its row lock (PostgreSQL) or the write lock
    (SQLite) until the request commits, so two saves never both see an answer missing and
    both insert it, nor decide on what the other is changing.
    """
    session.execute(
        sa.update(Assessment)
        .where(Assessment.id == assessment.id)
        .values(revision=Assessment.revision)
        .execution_options(synchronize_session=False)
    )
    session.expire(assessment, ["answers", "priorities", "revision"])


@dataclass(frozen=True)
class PageQuestions:
    """Which questions of a field page this municipality is asked, and which only for information."""

    shown: frozenset[str]
    info: frozenset[str]
    #: Usually someone else's task: "nicht zuständig" is offered first.
    usually_not: frozenset[str]


def page_questions(catalogue: Catalogue, assessment: Assessment, field: FieldDef) -> PageQuestions:
    """The questions of a field page for this municipality.

    Questions about tasks this type is not asked about stay off the page (their stored
    answers stay as they are); those its joint administration carries are information.
    """
    carriers = catalogue.responsibilities(assessment.profile())
    ids = [q.id for q in field.questions]
    return PageQuestions(
        frozenset(q for q in ids if carriers[q] != SKIP),
        frozenset(q for q in ids if carriers[q] == ADMINISTRATION),
        frozenset(q for q in ids if carriers[q] == OTHER),
    )


@dataclass(frozen=True)
class PriorityInput:
    """Relevance 1-5 and the level aimed for in three years, each optional."""

    relevance: int | None
    target_level: int | None


def save_priorities(
    session: Session,
    catalogue: Catalogue,
    assessment: Assessment,
    priorities: Mapping[str, PriorityInput],
    capacity_days_per_year: int | None,
) -> None:
    """Store priorities per field and the roadmap capacity; values out of range raise InvalidAnswer."""
    from advisor.i18n import lazy_gettext as _l

    if capacity_days_per_year is not None and not 1 <= capacity_days_per_year <= MAX_CAPACITY_DAYS:
        raise InvalidAnswer(
            _l("The capacity must be between 1 and %(max)s person-days a year.", max=MAX_CAPACITY_DAYS)
        )
    lock(session, assessment)
    assessment.capacity_days_per_year = capacity_days_per_year
    existing = assessment.priority_map()
    for field_id, given in priorities.items():
        if catalogue.field(field_id) is None:
            raise UnknownQuestion(field_id)
        if given.relevance is not None and not 1 <= given.relevance <= 5:
            raise InvalidAnswer(_l("Relevance must be between 1 and 5."))
        if given.target_level is not None and not 0 <= given.target_level <= 4:
            raise InvalidAnswer(_l("The target level must be between 0 and 4."))
        row = existing.get(field_id)
        if row is None:
            row = Priority(field_id=field_id)
            assessment.priorities.append(row)
        row.relevance, row.target_level = given.relevance, given.target_level
    _touch(assessment)
    session.flush()


def complete(session: Session, assessment: Assessment) -> None:
    """Mark the assessment completed; answers stay editable afterwards."""
    if assessment.status is not Status.COMPLETED:
        assessment.status = Status.COMPLETED
        assessment.completed_at = utcnow()
        _touch(assessment)
    session.flush()


@dataclass(frozen=True)
class FieldProgress:
    """Answered questions of one field, and which are still open."""

    field_id: str
    answered: int
    total: int
    unanswered: tuple[str, ...] = ()
    #: Optional questions about what the joint administration runs (information only).
    info: int = 0


@dataclass(frozen=True)
class Progress:
    """How far an assessment has got: per field and overall, plus the open profile items."""

    fields: tuple[FieldProgress, ...]
    missing_profile: tuple[str, ...] = ()
    missing_priorities: tuple[str, ...] = field(default=())

    @property
    def answered(self) -> int:
        """Questions answered over all fields."""
        return sum(f.answered for f in self.fields)

    @property
    def total(self) -> int:
        """Questions over all fields."""
        return sum(f.total for f in self.fields)

    def of(self, field_id: str) -> FieldProgress | None:
        """Progress of one field."""
        return next((f for f in self.fields if f.field_id == field_id), None)

    @property
    def missing_for_advice(self) -> tuple[str, ...]:
        """Profile entries without which no results are shown."""
        return tuple(key for key in self.missing_profile if key in REQUIRED_FOR_ADVICE)


def missing_for_advice(assessment: Assessment) -> tuple[str, ...]:
    """Profile entries still empty without which no results or report are shown."""
    return tuple(key for key in REQUIRED_FOR_ADVICE if not getattr(assessment, key))


def progress(catalogue: Catalogue, assessment: Assessment) -> Progress:
    """Count answered questions per field and list what is still open."""
    answers = assessment.answer_map()
    carriers = catalogue.responsibilities(assessment.profile())
    fields = []
    for field_def in catalogue.fields:
        # Questions about what the joint administration runs are optional information, and
        # questions about tasks this type is not asked about are not shown: neither counts.
        asked = [q for q in field_def.questions if carriers[q.id] in SCORED]
        open_ids = tuple(
            q.id for q in asked if not (a := answers.get(q.id)) or not is_answered(a.state, a.value)
        )
        info = sum(carriers[q.id] == ADMINISTRATION for q in field_def.questions)
        fields.append(FieldProgress(field_def.id, len(asked) - len(open_ids), len(asked), open_ids, info))
    missing_profile = tuple(
        key
        for key in PROFILE_FIELDS
        if key not in OPTIONAL_PROFILE_FIELDS
        and not getattr(assessment, key)
        and (key != "association_kind" or assessment.municipality_type in catalogue.association_types)
    )
    priorities = assessment.priority_map()
    missing_priorities = tuple(
        f.id
        for f in catalogue.fields
        if (p := priorities.get(f.id)) is None or p.relevance is None or p.target_level is None
    )
    return Progress(tuple(fields), missing_profile, missing_priorities)


__all__ = [
    "AnswerInput",
    "AnswerState",
    "InvalidAnswer",
    "PriorityInput",
    "Saved",
    "UnknownQuestion",
    "complete",
    "create_assessment",
    "find_by_token",
    "fingerprints",
    "get_by_public_id",
    "missing_for_advice",
    "progress",
    "regenerate_token",
    "save_answers",
    "save_priorities",
    "save_profile",
]
