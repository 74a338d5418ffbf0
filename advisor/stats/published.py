"""Reading snapshots for the analyst's pages and the API: lists, one snapshot, the trend.

Everything read here is what a snapshot published (its tables with withheld cells marked):
never a query of the records behind it. A snapshot never changes once taken, so the totals
the trend needs are kept per snapshot in a small cache of this process; a snapshot's full
tables (several hundred kilobytes of JSON for the shipped catalogue) are read only for the
snapshot shown.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import StatsSnapshot

MARGIN = "*"
#: How many snapshots the dashboard lists and the trend shows.
LISTED = 50
TREND = 12


@dataclass(frozen=True)
class SnapshotInfo:
    """What identifies a snapshot, without its tables."""

    id: int
    created_at: datetime
    assessments: int
    catalogue_id: str
    catalogue_version: str


def snapshot_list(session: Session, limit: int = LISTED) -> list[SnapshotInfo]:
    """The newest snapshots first, without loading their tables."""
    rows = session.execute(
        select(
            StatsSnapshot.id,
            StatsSnapshot.created_at,
            StatsSnapshot.assessments,
            StatsSnapshot.catalogue_id,
            StatsSnapshot.catalogue_version,
        )
        .order_by(StatsSnapshot.id.desc())
        .limit(limit)
    )
    return [SnapshotInfo(*row) for row in rows]


def get(session: Session, snapshot_id: int) -> StatsSnapshot | None:
    """One snapshot with its published tables (None: no such snapshot)."""
    return session.get(StatsSnapshot, snapshot_id)


def total_cell(publication: dict[str, Any]) -> dict[str, Any] | None:
    """The cell of all assessments together (the margin of every one-dimensional table)."""
    for table in publication.get("tables", ()):
        if len(table["dimensions"]) == 1:
            dimension = table["dimensions"][0]
            return next((c for c in table["cells"] if c.get(dimension) == MARGIN), None)
    return None


_totals: OrderedDict[tuple[int, str], dict[str, Any] | None] = OrderedDict()
_lock = threading.Lock()
_CACHED = 256


def totals(session: Session, snapshots: list[SnapshotInfo]) -> dict[int, dict[str, Any] | None]:
    """The total cell of each of ``snapshots``, by snapshot id (cached: snapshots never change)."""
    found: dict[int, dict[str, Any] | None] = {}
    missing: list[int] = []
    with _lock:
        for info in snapshots:
            key = (info.id, info.created_at.isoformat())
            if key in _totals:
                _totals.move_to_end(key)
                found[info.id] = _totals[key]
            else:
                missing.append(info.id)
    if missing:
        by_id = {info.id: info for info in snapshots}
        rows = session.execute(
            select(StatsSnapshot.id, StatsSnapshot.publication).where(StatsSnapshot.id.in_(missing))
        )
        with _lock:
            for snapshot_id, publication in rows:
                cell = total_cell(publication)
                found[snapshot_id] = cell
                _totals[(snapshot_id, by_id[snapshot_id].created_at.isoformat())] = cell
                while len(_totals) > _CACHED:
                    _totals.popitem(last=False)
    return found
