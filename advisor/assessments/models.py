"""Assessments, their answers, priorities and respondents.

An assessment keeps the municipality profile inline: it is what the
municipality said about itself at the time of answering, and a later
assessment may say something else. The catalogue snapshot it was answered
against is stored by content hash, so old results stay reproducible when the
catalogue changes.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advisor.db import Base, UTCDateTime, utcnow


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e])


#: The most person-days a year a municipality can enter as roadmap capacity (a large city's
#: digital programme of several hundred posts stays below it).
MAX_CAPACITY_DAYS = 100_000
#: The profile values the core looks at (the name and IT provider are for people only).
PROFILE_KEYS = ("municipality_type", "state", "population_band", "staff_band", "association_kind")
#: Profile entries the advice depends on (who carries which task, which duties bind, how big
#: a measure is): results and the report are shown only once they are filled in.
REQUIRED_FOR_ADVICE = ("municipality_type", "state", "population_band")


class Status(enum.StrEnum):
    """Lifecycle of an assessment."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class AnswerState(enum.StrEnum):
    """An answer is a value, or one of two statements about it."""

    ANSWERED = "answered"
    UNKNOWN = "unknown"  # "weiß nicht": a knowledge gap, shown as such
    NOT_RESPONSIBLE = "not_responsible"  # "nicht zuständig": removed from the maximum


class CatalogueSnapshot(Base):
    """The exact catalogue content an assessment was answered against."""

    __tablename__ = "catalogue_snapshots"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    catalogue_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Assessment(Base):
    """One municipality's self-assessment against one catalogue version."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint(
            f"capacity_days_per_year BETWEEN 1 AND {MAX_CAPACITY_DAYS}", name="capacity_days_per_year_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=lambda: uuid.uuid4().hex)
    catalogue_id: Mapped[str] = mapped_column(String(64))
    catalogue_version: Mapped[str] = mapped_column(String(64))
    catalogue_hash: Mapped[str] = mapped_column(ForeignKey("catalogue_snapshots.hash"))
    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.IN_PROGRESS)
    locale: Mapped[str] = mapped_column(String(8), default="de")
    # Incremented on every change of answers, notes, profile or priorities;
    # caches of derived artefacts (reports) key on it.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    resume_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    resume_token_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When the municipality handed the assessment to its owner (an advisor), if it did.
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Municipality profile.
    municipality_name: Mapped[str] = mapped_column(String(200), default="")
    municipality_type: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str | None] = mapped_column(String(32))
    population_band: Mapped[str | None] = mapped_column(String(32))
    staff_band: Mapped[str | None] = mapped_column(String(32))
    # Amt, Verbandsgemeinde, Samtgemeinde or Verwaltungsgemeinschaft: the kind of joint
    # administration a member municipality belongs to (or that the assessed body is), and its name.
    association_kind: Mapped[str | None] = mapped_column(String(32))
    association_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    it_provider: Mapped[str] = mapped_column(String(200), default="")
    # Person-days a year the municipality can give to the roadmap; None: from the staff band.
    capacity_days_per_year: Mapped[int | None] = mapped_column(Integer)
    #: When the municipality agreed that its results count, anonymised, in statistics (None: not).
    stats_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Field scores and "overall" as of ``scores_revision`` (statistics read them without rescoring).
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    scores_revision: Mapped[int | None] = mapped_column(Integer)
    # After a catalogue upgrade: {"from": version, "to": version, "choices": {profile key:
    # [values]}, "unanswerable": [question ids]}; shown once, cleared when acknowledged.
    upgrade_notice: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The earlier round this one follows up (None: a first round, or the earlier one is gone).
    predecessor_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL"), index=True, unique=True
    )
    #: The earlier round's content hash (see ``rounds.content_hash``): the link that survives
    #: export and import, and says which round was compared when the earlier one is gone.
    predecessor_hash: Mapped[str | None] = mapped_column(String(64))
    predecessor: Mapped[Assessment | None] = relationship(remote_side="Assessment.id", lazy="select")

    answers: Mapped[list[Answer]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", lazy="selectin"
    )
    priorities: Mapped[list[Priority]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )
    respondents: Mapped[list[Respondent]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="Respondent.id"
    )
    measure_progress: Mapped[list[MeasureProgress]] = relationship(
        cascade="all, delete-orphan", order_by="MeasureProgress.measure_id"
    )

    def profile(self) -> dict[str, str | None]:
        """The profile values scoring, roadmap, duties and responsibilities look at."""
        return {key: getattr(self, key) for key in PROFILE_KEYS}

    def answer_map(self) -> dict[str, Answer]:
        """Answers by question id."""
        return {a.question_id: a for a in self.answers}

    def priority_map(self) -> dict[str, Priority]:
        """Priorities by field id."""
        return {p.field_id: p for p in self.priorities}


class AnswerColumns:
    """The columns an answer has, whether the assessment's or one respondent's."""

    question_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[AnswerState] = mapped_column(_enum(AnswerState), default=AnswerState.ANSWERED)
    # level: int 0-4; single: option id; multiple: list of option ids;
    # number: float; yes_no: bool. None unless state is ANSWERED.
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Answer(AnswerColumns, Base):
    """The assessment's own (or agreed) answer to one question."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("assessment_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    assessment: Mapped[Assessment] = relationship(back_populates="answers")


class Respondent(Base):
    """One person answering separately in a guided session (mayor, Hauptamt, Kämmerei, ...).

    ``label`` is the person's name as the advisor entered it; the report names only the
    role unless ``named_in_report`` (the person agreed). The personal link works like the
    assessment's: only the token's hash is stored.
    """

    __tablename__ = "respondents"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=lambda: uuid.uuid4().hex)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    named_in_report: Mapped[bool] = mapped_column(default=False, server_default="0")
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the respondent said they are done (they may still change answers until agreement).
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assessment: Mapped[Assessment] = relationship(back_populates="respondents")
    answers: Mapped[list[RespondentAnswer]] = relationship(
        back_populates="respondent", cascade="all, delete-orphan"
    )


class RespondentAnswer(AnswerColumns, Base):
    """One respondent's answer to one question, before agreement."""

    __tablename__ = "respondent_answers"
    __table_args__ = (UniqueConstraint("respondent_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id", ondelete="CASCADE"), index=True)
    respondent: Mapped[Respondent] = relationship(back_populates="answers")


class Priority(Base):
    """How much a field matters to the municipality and which level it aims for in three years."""

    __tablename__ = "priorities"
    __table_args__ = (
        UniqueConstraint("assessment_id", "field_id"),
        CheckConstraint("relevance BETWEEN 1 AND 5", name="relevance_range"),
        CheckConstraint("target_level BETWEEN 0 AND 4", name="target_level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    field_id: Mapped[str] = mapped_column(String(64))
    relevance: Mapped[int | None] = mapped_column(Integer)
    target_level: Mapped[int | None] = mapped_column(Integer)
    assessment: Mapped[Assessment] = relationship(back_populates="priorities")


class ProgressStatus(enum.StrEnum):
    """Where a planned measure stands between two rounds."""

    OPEN = "open"
    STARTED = "started"
    DONE = "done"


class MeasureProgress(Base):
    """How far the municipality has got with one measure of its roadmap (the measure board).

    Only measures someone has marked are stored; the others are open. ``on_date`` is the date of
    the status (begun on, done on), as the municipality gives it.
    """

    __tablename__ = "measure_progress"
    __table_args__ = (UniqueConstraint("assessment_id", "measure_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[ProgressStatus] = mapped_column(_enum(ProgressStatus), default=ProgressStatus.OPEN)
    on_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class BrowserGrant(Base):
    """That one browser may open one assessment without its personal link.

    The browser's session cookie holds only a random key; here is its hash and the resume
    token sealed with a key derived from it. So the cookie alone reveals no token (even
    though it is only signed, not encrypted), and the database alone opens nothing.
    Changing the personal link revokes every browser's grant: its sealed token no longer
    matches.
    """

    __tablename__ = "browser_grants"
    __table_args__ = (UniqueConstraint("browser_hash", "assessment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    browser_hash: Mapped[str] = mapped_column(String(64), index=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    sealed_token: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class AssessmentChange(Base):
    """Who changed what in an assessment, and when (the audit trail).

    ``actor`` is "link" (whoever holds the personal link: the municipality) or "advisor"
    (``user_id`` names the account). ``before`` and ``after`` hold the answer's state and
    value; notes are not copied here (they stay where they are written), only whether
    they changed.
    """

    __tablename__ = "assessment_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    question_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    note_changed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
