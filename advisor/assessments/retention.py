"""How long assessments are kept: deleted on request at once, abandoned ones after a period.

A municipality can delete its assessment at any time; it is gone with its answers,
notes, priorities, rendered reports and browser grants (the database cascades), and a
report render still waiting in the queue is dropped. Unfinished assessments nobody has
changed for ``PURGE_UNFINISHED_AFTER`` are deleted by the daily purge; completed ones
only when ``PURGE_COMPLETED_AFTER`` is set (they are the basis of the next round).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from advisor import jobs
from advisor.config import PERIOD
from advisor.db import db, utcnow
from advisor.reports.services import job_id as report_job_id

from . import grants
from .models import Assessment, Status


class BadPeriod(ValueError):
    """A period that is not a number followed by d, w, m or y."""


def before(period: str, now: datetime) -> datetime:
    """The instant ``period`` (``30d``, ``8w``, ``12m``, ``2y``) before ``now``, in calendar months."""
    match = PERIOD.match(period or "")
    if match is None:
        raise BadPeriod(period)
    count, unit = int(match.group(1)), match.group(2)
    if unit in "dw":
        return now - timedelta(days=count * (7 if unit == "w" else 1))
    months = count * (12 if unit == "y" else 1)
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    day = now.day
    while True:  # the 31st of a shorter month is its last day
        try:
            return now.replace(year=year, month=month + 1, day=day)
        except ValueError:
            day -= 1


def delete_assessment(session: Session, assessment: Assessment, languages: list[str]) -> None:
    """Delete the assessment and all that hangs on it; drop its queued report renders."""
    waiting = [report_job_id(assessment.id, locale) for locale in languages]
    session.delete(assessment)
    session.flush()
    jobs.after_commit(session, lambda: [jobs.cancel(name) for name in waiting])


@dataclass(frozen=True)
class Purge:
    """What a purge deleted (or would delete)."""

    unfinished: int
    completed: int
    grants: int
    account_events: int = 0


def _older(status: Status, cutoff: datetime):
    return select(Assessment.id).where(Assessment.status == status, Assessment.updated_at < cutoff)


def purge(
    session: Session,
    unfinished_before: datetime | None,
    completed_before: datetime | None,
    grants_before: timedelta | None,
    dry_run: bool = False,
) -> Purge:
    """Delete assessments unchanged since the cutoffs, and unused grants of browsers.

    Grants to municipalities' and to respondents' links count together.
    """
    counts = []
    for status, cutoff in ((Status.IN_PROGRESS, unfinished_before), (Status.COMPLETED, completed_before)):
        ids = session.scalars(_older(status, cutoff)).all() if cutoff is not None else []
        if ids and not dry_run:
            session.execute(delete(Assessment).where(Assessment.id.in_(ids)))
        counts.append(len(ids))
    unused = 0
    if grants_before is not None:
        from advisor.advising.session import forget_unused_grants

        unused = grants.forget_unused(session, grants_before, dry_run)
        unused += forget_unused_grants(session, grants_before, dry_run)
    session.flush()
    return Purge(counts[0], counts[1], unused)


def configured_purge(session: Session, dry_run: bool = False, unfinished: str | None = None) -> Purge:
    """Purge by the configured periods (``unfinished`` overrides the one for unfinished ones)."""
    config = current_app.config
    now = utcnow()
    unfinished = unfinished or config["PURGE_UNFINISHED_AFTER"]
    completed = config["PURGE_COMPLETED_AFTER"]
    days = config["GRANT_RETENTION_DAYS"]
    result = purge(
        session,
        before(unfinished, now) if unfinished else None,
        before(completed, now) if completed else None,
        timedelta(days=int(days)) if days else None,
        dry_run=dry_run,
    )
    event_days = config["ACCOUNT_EVENT_RETENTION_DAYS"]
    if not event_days:
        return result
    from advisor.accounts.services import forget_events

    events = forget_events(session, now - timedelta(days=int(event_days)), dry_run)
    return Purge(result.unfinished, result.completed, result.grants, events)


def purge_job() -> None:
    """The daily purge (a background job: it commits its own work)."""
    result = configured_purge(db.session)
    db.session.commit()
    current_app.logger.info(
        "purge: %s unfinished and %s completed assessments, %s browser grants, %s account events deleted",
        result.unfinished,
        result.completed,
        result.grants,
        result.account_events,
    )
