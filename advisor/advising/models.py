"""What a guided session adds to an assessment: per-question agreement, notes, the advisor's measures.

The respondents and their own answers live with the assessment (``respondents``,
``respondent_answers``); the agreed answer of a question is the assessment's ``Answer``
(what scores). An ``Agreement`` row says how it came about: when the answers were
revealed, whether the advisor agreed a value with a rationale or accepted the median,
and the spread at that moment, so the report can say "abgestimmt am …, Spannweite 1-3".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from advisor.db import Base, UTCDateTime, utcnow

#: How an agreed answer came about.
METHODS = ("agreed", "median")
#: What an advisor's measure does to the roadmap.
ACTIONS = ("add", "adjust", "remove")


class GuidedSession(Base):
    """The session-wide state of a guided assessment: the projector's question and the session notes."""

    __tablename__ = "guided_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), unique=True, index=True
    )
    current_question_id: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    notes_shared: Mapped[bool] = mapped_column(default=False, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Agreement(Base):
    """One question of a guided session: revealed or not, agreed or not, and the advisor's note on it."""

    __tablename__ = "agreements"
    __table_args__ = (
        UniqueConstraint("assessment_id", "question_id"),
        CheckConstraint("method IS NULL OR method IN ('agreed', 'median')", name="method_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    method: Mapped[str | None] = mapped_column(String(16))
    rationale: Mapped[str] = mapped_column(Text, default="", server_default="")
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The spread when it was agreed: lowest and highest level given, how many answered.
    spread_low: Mapped[int | None] = mapped_column(Integer)
    spread_high: Mapped[int | None] = mapped_column(Integer)
    respondents: Mapped[int | None] = mapped_column(Integer)
    divergent: Mapped[bool] = mapped_column(default=False, server_default="0")
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    note_shared: Mapped[bool] = mapped_column(default=False, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AdvisorMeasure(Base):
    """The advisor's own recommendation: a new measure, or a catalogue measure adjusted or removed.

    ``add``: title, text, phase, effort and responsible role are the advisor's.
    ``adjust``: ``measure_id`` names the catalogue measure; a set phase, effort or text
    replaces the catalogue's, ``reason`` says why. ``remove``: the catalogue measure leaves
    the roadmap, ``reason`` says why.
    """

    __tablename__ = "advisor_measures"
    __table_args__ = (
        CheckConstraint("action IN ('add', 'adjust', 'remove')", name="action_known"),
        CheckConstraint("phase IS NULL OR phase BETWEEN 1 AND 3", name="phase_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(8))
    measure_id: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    phase: Mapped[int | None] = mapped_column(Integer)
    effort: Mapped[str | None] = mapped_column(String(1))
    responsible: Mapped[str] = mapped_column(String(200), default="", server_default="")
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RespondentGrant(Base):
    """That one browser may open one respondent's questionnaire without the personal link.

    The same model as the municipality's ``BrowserGrant``: the cookie holds a random
    browser key, here are its hash and the respondent's token sealed with it.
    """

    __tablename__ = "respondent_grants"
    __table_args__ = (UniqueConstraint("browser_hash", "respondent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    browser_hash: Mapped[str] = mapped_column(String(64), index=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id", ondelete="CASCADE"), index=True)
    sealed_token: Mapped[bytes] = mapped_column(LargeBinary)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
