"""Rendered reports, kept until the assessment changes.

One row per assessment and language. The key is the assessment's revision (bumped by
every change of answers, notes, profile or priorities) plus the day of rendering (legal
deadlines and the report date depend on it) plus the catalogue hash.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from advisor.db import Base, UTCDateTime, utcnow


class ReportCache(Base):
    """The last rendered PDF of one assessment in one language."""

    __tablename__ = "report_cache"
    __table_args__ = (UniqueConstraint("assessment_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    locale: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(120))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    render_ms: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
