"""Reports of an assessment: the last one asked for per language, being rendered or done.

One row per assessment and language. The key is the assessment's revision (bumped by
every change of answers, notes, profile or priorities) plus the day of rendering (legal
deadlines and the report date depend on it) plus the catalogue hash. A row walks
queued -> running -> ready | failed; a failure stays for its key, so a report that cannot
be rendered is not tried again until the assessment changes (or the next day).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from advisor.db import Base, UTCDateTime, utcnow

QUEUED, RUNNING, READY, FAILED = "queued", "running", "ready", "failed"
PENDING = (QUEUED, RUNNING)


class ReportCache(Base):
    """The report of one assessment in one language: its render state and, when ready, the PDF."""

    __tablename__ = "report_cache"
    __table_args__ = (
        UniqueConstraint("assessment_id", "locale"),
        CheckConstraint("status IN ('queued', 'running', 'ready', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    locale: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default=READY)
    #: Why a render failed: "timeout" (over the time limit, or its worker died) or "error".
    error: Mapped[str | None] = mapped_column(String(16))
    #: Loaded only when sent: progress pages look at this row every few seconds.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    render_ms: Mapped[int | None] = mapped_column(Integer)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
