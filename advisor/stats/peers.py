"""Peer comparison: a municipality's scores against municipalities like it, from the latest snapshot.

The peer group is the same type and size band, across all Länder. With fewer than
:data:`MIN_PEERS` others it widens step by step, and the page says how: the neighbouring
size bands, then every size of the type, then all municipalities; with fewer still it says
so and shows nothing. The municipality itself never counts among its peers: snapshot
records carry nothing that leads back, so when it took part (it consented and was
completed before the snapshot), the one record of its own type, Land and size band whose
scores are closest to its own is left out: itself, or one just like it.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from advisor.assessments.models import Assessment, Status

from .models import SnapshotRecord, StatsSnapshot
from .services import OVERALL, latest

MIN_PEERS = 5
#: How the group was formed, narrowest first.
STEPS = ("type_size", "type_near_size", "type", "all")


@dataclass(frozen=True)
class FieldComparison:
    """One field: the municipality's score and its peers' distribution."""

    field_id: str
    own: float | None
    peers: int  # peers with a score in this field
    median: float | None
    p25: float | None
    p75: float | None


@dataclass(frozen=True)
class Comparison:
    """The municipality against its peer group (``step`` None: too few for any group)."""

    snapshot_id: int
    snapshot_at: datetime
    step: str | None
    peers: int
    fields: tuple[FieldComparison, ...]


@dataclass(frozen=True)
class _Peer:
    municipality_type: str
    state: str
    size_band: str
    scores: Mapping[str, float | None]


def _closest(records: list[_Peer], own: Mapping[str, float | None]) -> int | None:
    def distance(peer: _Peer) -> float:
        keys = set(own) | set(peer.scores)
        return sum(abs((own.get(k) or 0.0) - (peer.scores.get(k) or 0.0)) for k in keys)

    return min(range(len(records)), key=lambda i: distance(records[i])) if records else None


def took_part(assessment: Assessment, snapshot: StatsSnapshot) -> bool:
    """Whether the assessment was in the snapshot (consented and completed before it was taken)."""
    return (
        assessment.status is Status.COMPLETED
        and assessment.stats_consent_at is not None
        and assessment.completed_at is not None
        and assessment.stats_consent_at <= snapshot.created_at
        and assessment.completed_at <= snapshot.created_at
    )


def compare(
    session: Session,
    assessment: Assessment,
    own: Mapping[str, float | None],
    fields: Sequence[str],
    size_order: Sequence[str],
) -> Comparison | None:
    """Compare with the latest snapshot; None when there is no snapshot yet."""
    snapshot = latest(session)
    if snapshot is None:
        return None
    kind, band, state = assessment.municipality_type, assessment.population_band, assessment.state

    def load(*where) -> list[_Peer]:
        columns = (SnapshotRecord.municipality_type, SnapshotRecord.state, SnapshotRecord.size_band)
        query = select(*columns, SnapshotRecord.scores).where(
            SnapshotRecord.snapshot_id == snapshot.id, *where
        )
        return [_Peer(*row) for row in session.execute(query)]

    def without_self(records: list[_Peer]) -> list[_Peer]:
        if not took_part(assessment, snapshot):
            return records
        mine = [
            i
            for i, r in enumerate(records)
            if (r.municipality_type, r.state, r.size_band) == (kind, state, band)
        ]
        index = _closest([records[i] for i in mine], own)
        return records if index is None else records[: mine[index]] + records[mine[index] + 1 :]

    # Only the type's records as a rule (a results page must not read the whole snapshot);
    # all of them only when the type itself has too few.
    same_type = without_self(load(SnapshotRecord.municipality_type == kind))
    position = size_order.index(band) if band in size_order else None
    near = set(size_order[max(0, position - 1) : position + 2]) if position is not None else {band}
    groups = {
        "type_size": [r for r in same_type if r.size_band == band],
        "type_near_size": [r for r in same_type if r.size_band in near],
        "type": same_type,
    }
    if len(same_type) < MIN_PEERS:
        groups["all"] = without_self(load())
    step = next((s for s in STEPS if len(groups.get(s, ())) >= MIN_PEERS), None)
    peers = groups[step] if step else []
    return Comparison(
        snapshot.id,
        snapshot.created_at,
        step,
        len(peers),
        tuple(_field(f, own.get(f), peers) for f in [OVERALL, *fields]) if step else (),
    )


def _field(field_id: str, own: float | None, peers: list[_Peer]) -> FieldComparison:
    values = sorted(v for p in peers if (v := p.scores.get(field_id)) is not None)
    if len(values) < MIN_PEERS:  # too few scored this field to show their spread
        return FieldComparison(field_id, own, len(values), None, None, None)
    quartiles = statistics.quantiles(values, n=4, method="inclusive")
    return FieldComparison(
        field_id,
        own,
        len(values),
        round(statistics.median(values), 1),
        round(quartiles[0], 1),
        round(quartiles[2], 1),
    )
