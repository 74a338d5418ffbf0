"""Consent, score caching and snapshots.

Only completed assessments whose municipality consented count. A snapshot reads the
consenting assessments' profile bands and cached scores (a score is recomputed only where
the assessment changed since it was cached), keeps one record per municipality (its
latest completed assessment), stores the records without anything that leads back, and
computes the published tables with their disclosure control once (``advisor.core.disclosure``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from advisor.assessments.models import Assessment, Status
from advisor.assessments.results import score_of
from advisor.catalogue import Catalogue
from advisor.core import disclosure
from advisor.db import utcnow

from .models import SnapshotRecord, StatsSnapshot

OVERALL = "overall"


def set_consent(session: Session, assessment: Assessment, given: bool) -> None:
    """The municipality agrees to (or revokes) its results counting, anonymised, in statistics.

    A revocation takes effect at the next snapshot: snapshots already taken hold no link
    back to the assessment, so nothing in them can be found and removed.
    """
    if given and assessment.stats_consent_at is None:
        assessment.stats_consent_at = utcnow()
    elif not given:
        assessment.stats_consent_at = None
    session.flush()


def scores_of(catalogue: Catalogue, assessment: Assessment, today: date) -> dict[str, float | None]:
    """Field scores and the overall score, 0-100, rounded to one decimal (what statistics use)."""
    result = score_of(catalogue, assessment, today)
    scores = {f.field_id: _round(f.score) for f in result.fields}
    scores[OVERALL] = _round(result.overall)
    return scores


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def cached_scores(
    session: Session, catalogues: Mapping[str, Catalogue], assessment: Assessment, today: date
) -> dict[str, float | None] | None:
    """The assessment's scores, from the cache if it is still current (else computed and cached)."""
    if assessment.scores is not None and assessment.scores_revision == assessment.revision:
        return assessment.scores
    from advisor.assessments.services import catalogue_of

    catalogue = catalogue_of(session, catalogues, assessment)
    if catalogue is None:
        return None
    assessment.scores, assessment.scores_revision = (
        scores_of(catalogue, assessment, today),
        assessment.revision,
    )
    return assessment.scores


@dataclass(frozen=True)
class Candidate:
    """What a snapshot reads of one consenting assessment (without loading its answers)."""

    id: int
    name: str
    municipality_type: str | None
    state: str | None
    size_band: str | None
    catalogue_version: str
    scores: dict[str, float | None] | None
    fresh: bool


def _candidates(session: Session) -> list[Candidate]:
    rows = session.execute(
        select(
            Assessment.id,
            Assessment.municipality_name,
            Assessment.municipality_type,
            Assessment.state,
            Assessment.population_band,
            Assessment.catalogue_version,
            Assessment.scores,
            Assessment.scores_revision,
            Assessment.revision,
        )
        .where(Assessment.status == Status.COMPLETED, Assessment.stats_consent_at.is_not(None))
        .order_by(Assessment.completed_at.desc(), Assessment.id.desc())
    )
    return [
        Candidate(row[0], row[1] or "", row[2], row[3], row[4], row[5], row[6], row[7] == row[8])
        for row in rows
    ]


def municipality_key(candidate: Candidate) -> tuple:
    """Who an assessment is of, for "a municipality counts once": its name, Land and type.

    Without a name nothing says two assessments are of the same municipality: each counts.
    """
    name = " ".join(candidate.name.casefold().split())
    if not name:
        return ("id", candidate.id)
    return (name, candidate.state, candidate.municipality_type)


def take_snapshot(
    session: Session, catalogues: Mapping[str, Catalogue], active: Catalogue, today: date
) -> StatsSnapshot:
    """Freeze the statistics of today: records of the consenting municipalities, and the tables."""
    seen: set[tuple] = set()
    records: list[dict[str, Any]] = []
    for candidate in _candidates(session):  # the latest completed assessment first
        key = municipality_key(candidate)
        if key in seen:
            continue
        seen.add(key)
        if not (candidate.municipality_type and candidate.state and candidate.size_band):
            continue  # cannot be placed in any table
        scores = candidate.scores if candidate.fresh else None
        if scores is None:
            assessment = session.get(Assessment, candidate.id)
            scores = cached_scores(session, catalogues, assessment, today)
            if scores is None:
                continue
        records.append(
            {
                "municipality_type": candidate.municipality_type,
                "state": candidate.state,
                "size_band": candidate.size_band,
                "catalogue_version": candidate.catalogue_version,
                "scores": scores,
            }
        )
    fields = [f.id for f in active.fields] + [OVERALL]
    publication = disclosure.publish(
        [disclosure.Record(r["state"], r["municipality_type"], r["size_band"], r["scores"]) for r in records],
        fields,
        values=dimension_values(active),
    )
    snapshot = StatsSnapshot(
        catalogue_id=active.id,
        catalogue_version=active.version,
        assessments=len(records),
        publication=publication.to_dict(),
    )
    session.add(snapshot)
    session.flush()
    if records:
        session.execute(insert(SnapshotRecord), [{"snapshot_id": snapshot.id, **r} for r in records])
    session.flush()
    return snapshot


def dimension_values(catalogue: Catalogue) -> dict[str, list[str]]:
    """Every value each published dimension can take, in the catalogue's order."""
    profile = catalogue.profile
    return {
        "state": [o.id for o in profile.states],
        "type": [o.id for o in profile.municipality_types],
        "size": [o.id for o in profile.population_bands],
    }


def latest_snapshot_id(session: Session) -> int | None:
    """The id of the newest snapshot (cheap: for cache keys)."""
    return session.scalar(select(StatsSnapshot.id).order_by(StatsSnapshot.id.desc()).limit(1))


def latest(session: Session) -> StatsSnapshot | None:
    """The newest snapshot."""
    return session.scalar(select(StatsSnapshot).order_by(StatsSnapshot.id.desc()).limit(1))


def snapshot_job() -> None:
    """The scheduled snapshot (a background job: it commits its own work).

    Runs daily at ``STATS_SNAPSHOT_AT_HOUR``; takes a snapshot only when the latest is older
    than ``STATS_SNAPSHOT_INTERVAL_DAYS``, so a revocation takes effect within that period.
    """
    from datetime import timedelta

    from flask import current_app

    from advisor.db import db
    from advisor.web import active_catalogue, catalogues, today

    newest = latest(db.session)
    interval = timedelta(days=int(current_app.config["STATS_SNAPSHOT_INTERVAL_DAYS"]))
    if newest is not None and newest.created_at > utcnow() - interval + timedelta(hours=1):
        return
    snapshot = take_snapshot(db.session, catalogues(), active_catalogue(), today())
    db.session.commit()
    current_app.logger.info("statistics snapshot %s: %s assessments", snapshot.id, snapshot.assessments)
