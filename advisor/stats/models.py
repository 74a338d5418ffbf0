"""Frozen statistics: what a snapshot took from the consenting, completed assessments.

A snapshot record holds only the municipality's type, Land, size band, the catalogue
version and its scores: no name, no free text, no id or key that leads back to an
assessment. The published tables (with withheld cells marked) are computed once, when the
snapshot is taken, and stored with it: the dashboard, exports and the API serve exactly
those, never a query of their own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advisor.db import Base, UTCDateTime, utcnow


class StatsSnapshot(Base):
    """One frozen round of statistics."""

    __tablename__ = "stats_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    catalogue_id: Mapped[str] = mapped_column(String(64))
    #: The catalogue version the tables' fields come from (records may carry older ones).
    catalogue_version: Mapped[str] = mapped_column(String(64))
    assessments: Mapped[int] = mapped_column(Integer)
    #: {"tables": [...], "audit": {...}}: see docs/statistics.md.
    publication: Mapped[dict[str, Any]] = mapped_column(JSON)
    records: Mapped[list[SnapshotRecord]] = relationship(
        back_populates="snapshot", cascade="all, delete-orphan", passive_deletes=True
    )


class SnapshotRecord(Base):
    """One municipality in one snapshot: profile bands and scores, nothing that identifies it."""

    __tablename__ = "snapshot_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("stats_snapshots.id", ondelete="CASCADE"), index=True)
    municipality_type: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32))
    size_band: Mapped[str] = mapped_column(String(32))
    catalogue_version: Mapped[str] = mapped_column(String(64))
    #: Field id (and "overall") -> score 0-100, or None where nothing was scored.
    scores: Mapped[dict[str, float | None]] = mapped_column(JSON)
    snapshot: Mapped[StatsSnapshot] = relationship(back_populates="records")


class ApiToken(Base):
    """An analyst's key to the read-only statistics API; only its SHA-256 hash is stored.

    The token itself is shown once, when it is created. It stops working when revoked, and
    while its account is deactivated or no longer an analyst or administrator.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: What the analyst calls it ("Dashboard of the association"), to tell tokens apart.
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
