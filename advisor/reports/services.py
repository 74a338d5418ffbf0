"""Produce the report of an assessment: from the cache when nothing changed, else in the background.

A request never renders: it finds the report ready, being made, or failed, and when there
is none for the assessment as it is now it queues one (see :mod:`advisor.jobs`). At most
one render per assessment is pending at a time; a failure is kept for its key, so a report
that cannot be made is not tried again and again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, object_session

from advisor import jobs
from advisor.advising import report_data
from advisor.assessments import services as assessment_services
from advisor.assessments.models import Assessment
from advisor.assessments.results import of_assessment
from advisor.catalogue import Catalogue
from advisor.db import utcnow
from advisor.stats.presentation import comparison_of
from advisor.stats.services import latest_snapshot_id

from . import context as report_context
from .models import FAILED, PENDING, QUEUED, READY, RUNNING, ReportCache
from .render import ReportError, render_pdf

#: A running render not finished this long after its time limit has lost its worker.
GRACE = timedelta(seconds=60)
#: A render queued this long ago and not started was lost (its worker process died, or the
#: queue was emptied): the next view queues it again. Claiming is atomic, so a late
#: duplicate does nothing.
QUEUE_PATIENCE = timedelta(minutes=15)
RENDER_JOB = "advisor.reports.jobs.render_report"


@dataclass(frozen=True)
class Report:
    """A PDF and whether it came from the cache."""

    pdf: bytes
    cached: bool


@dataclass(frozen=True)
class ReportState:
    """Where the report of the assessment as it is now stands.

    ``status`` is ``ready``, ``queued``, ``running``, ``failed`` or ``waiting`` (another
    language's report of the same assessment is being made first). ``queued_now`` says that
    this call asked for the render.
    """

    status: str
    error: str | None = None
    since: datetime | None = None
    queued_now: bool = False


def report_html(
    catalogue: Catalogue, assessment: Assessment, locale: str, today: date, preview_base=None, back_url=None
) -> str:
    """The report as HTML (what the PDF is made of, or the browser preview)."""
    evaluation = of_assessment(catalogue, assessment, today)
    municipality = {
        "municipality_name": assessment.municipality_name,
        "association_name": assessment.association_name,
        "it_provider": assessment.it_provider,
    } | assessment.profile()
    notes = {a.question_id: a.note for a in assessment.answers if a.note}
    guided = report_data.gather(object_session(assessment), catalogue, assessment)
    peers = comparison_of(catalogue, assessment, evaluation.result)
    # Issue 15: the development since the earlier round, and this round's measure board.
    from advisor.assessments import development as development_service
    from advisor.web import catalogues

    development = development_service.for_report(
        object_session(assessment), catalogues(), catalogue, assessment, evaluation, locale, today
    )
    return report_context.report_html(
        catalogue,
        evaluation,
        municipality,
        notes,
        locale,
        today,
        preview_base,
        back_url,
        guided,
        peers,
        development=development,
        board=development_service.board_of(assessment),
    )[0]


def cache_key(catalogue: Catalogue, assessment: Assessment, today: date) -> str:
    """What a report depends on.

    The revision, the statistics snapshot its peer comparison comes from, and what a guided
    session adds without bumping the revision.
    """
    snapshot = latest_snapshot_id(object_session(assessment))
    key = f"{assessment.revision}:{today.isoformat()}:{catalogue.hash[:16]}:s{snapshot}"
    if assessment.predecessor_id is not None or assessment.predecessor_hash:
        # Issue 15: the development section follows the rounds before (relinked by an import,
        # or gone when one is deleted): their ids, and the hash the follow-up names.
        from advisor.assessments.rounds import chain

        earlier = ",".join(str(r.id) for r in chain(assessment)[:-1])
        key += f":p{earlier}:{(assessment.predecessor_hash or '')[:16]}"
    extra = report_data.fingerprint(object_session(assessment), assessment)
    return f"{key}:{extra}" if extra else key


def job_id(assessment_id: int, locale: str) -> str:
    """The queue's name for the render of one assessment's report in one language."""
    return f"report-{assessment_id}-{locale}"


def _rows(session: Session, assessment: Assessment) -> dict[str, ReportCache]:
    rows = session.scalars(select(ReportCache).where(ReportCache.assessment_id == assessment.id))
    return {row.locale: row for row in rows}


def _state(row: ReportCache | None, key: str, time_limit: int) -> ReportState | None:
    """The state of ``row`` if it is about ``key`` and still means something, else None."""
    if row is None or row.key != key:
        return None
    if row.status == READY:
        return ReportState(READY, since=row.finished_at)
    if row.status == FAILED:
        return ReportState(FAILED, error=row.error, since=row.finished_at)
    if row.status == RUNNING and row.started_at < utcnow() - timedelta(seconds=time_limit) - GRACE:
        return ReportState(FAILED, error="timeout", since=row.started_at)  # its worker died
    if row.status == QUEUED and row.requested_at < utcnow() - QUEUE_PATIENCE:
        return None
    return ReportState(row.status, since=row.started_at if row.status == RUNNING else row.requested_at)


def _busy_elsewhere(rows: dict[str, ReportCache], locale: str, time_limit: int) -> bool:
    """Whether another language's report of the assessment is being made."""
    states = (_state(row, row.key, time_limit) for other, row in rows.items() if other != locale)
    return any(state is not None and state.status in PENDING for state in states)


def request_report(
    session: Session, catalogue: Catalogue, assessment: Assessment, locale: str, today: date, time_limit: int
) -> ReportState:
    """The report of the assessment as it is now; queue its render if nobody has asked yet.

    Safe to call on every page view: it queues at most once per key, and not while another
    render of the same assessment is pending.
    """
    key = cache_key(catalogue, assessment, today)
    state = _state(_rows(session, assessment).get(locale), key, time_limit)
    if state is not None:
        return state
    assessment_services.lock(session, assessment)  # the next caller waits and sees our row
    session.expire_all()
    key = cache_key(catalogue, assessment, today)  # a save may have come in meanwhile
    rows = _rows(session, assessment)
    state = _state(rows.get(locale), key, time_limit)
    if state is not None:
        return state
    if _busy_elsewhere(rows, locale, time_limit):
        return ReportState("waiting")
    values = {
        "assessment_id": assessment.id,
        "locale": locale,
        "key": key,
        "status": QUEUED,
        "error": None,
        "pdf": None,
        "render_ms": None,
        "requested_at": utcnow(),
        "started_at": None,
        "finished_at": None,
    }
    _upsert(session, values)
    arguments = (assessment.id, locale, key, today.isoformat())
    name = job_id(assessment.id, locale)
    jobs.after_commit(session, lambda: jobs.submit(RENDER_JOB, *arguments, job_id=name, timeout=time_limit))
    return ReportState(QUEUED, since=values["requested_at"], queued_now=True)


def stored_pdf(session: Session, assessment: Assessment, locale: str) -> bytes | None:
    """The PDF of a ready report (the only read of the bytes)."""
    return session.scalar(
        select(ReportCache.pdf).where(
            ReportCache.assessment_id == assessment.id,
            ReportCache.locale == locale,
            ReportCache.status == READY,
        )
    )


def _upsert(session: Session, values: dict) -> None:
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(ReportCache).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["assessment_id", "locale"],
            set_={k: statement.excluded[k] for k in values if k not in ("assessment_id", "locale")},
        )
    )
    session.flush()


def start_render(session: Session, assessment_id: int, locale: str, key: str) -> Assessment | None:
    """Claim a queued render; None when it was claimed before, superseded or deleted."""
    claimed = session.execute(
        update(ReportCache)
        .where(
            ReportCache.assessment_id == assessment_id,
            ReportCache.locale == locale,
            ReportCache.key == key,
            ReportCache.status == QUEUED,
        )
        .values(status=RUNNING, started_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return session.get(Assessment, assessment_id) if claimed else None


def drop_render(session: Session, assessment_id: int, locale: str, key: str) -> None:
    """Forget a render whose assessment changed before it started (the next view queues anew)."""
    session.execute(
        delete(ReportCache).where(
            ReportCache.assessment_id == assessment_id, ReportCache.locale == locale, ReportCache.key == key
        )
    )


def finish_render(
    session: Session, assessment_id: int, locale: str, key: str, pdf: bytes | None, error: str | None, ms: int
) -> None:
    """Store what a render produced: the PDF, or why there is none."""
    session.execute(
        update(ReportCache)
        .where(
            ReportCache.assessment_id == assessment_id,
            ReportCache.locale == locale,
            ReportCache.key == key,
            ReportCache.status == RUNNING,
        )
        .values(
            status=READY if pdf is not None else FAILED,
            pdf=pdf,
            error=error,
            render_ms=ms,
            finished_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


def render_now(catalogue: Catalogue, assessment: Assessment, locale: str, today: date) -> tuple[bytes, int]:
    """Render the PDF here and now; return it with the milliseconds it took."""
    started = time.perf_counter()
    pdf = render_pdf(report_html(catalogue, assessment, locale, today))
    return pdf, int((time.perf_counter() - started) * 1000)


def report_pdf(
    session: Session, catalogue: Catalogue, assessment: Assessment, locale: str, today: date
) -> Report:
    """The PDF report, rendered in this process when the assessment changed since the last one.

    For the command line, which waits; web requests use :func:`request_report`.
    """
    key = cache_key(catalogue, assessment, today)
    row = _rows(session, assessment).get(locale)
    if row is not None and row.key == key and row.status == READY:
        return Report(row.pdf, True)
    pdf, ms = render_now(catalogue, assessment, locale, today)
    now = utcnow()
    _upsert(
        session,
        {
            "assessment_id": assessment.id,
            "locale": locale,
            "key": key,
            "status": READY,
            "error": None,
            "pdf": pdf,
            "render_ms": ms,
            "requested_at": now,
            "started_at": now,
            "finished_at": now,
        },
    )
    return Report(pdf, False)


__all__ = [
    "Report",
    "ReportError",
    "ReportState",
    "cache_key",
    "drop_render",
    "finish_render",
    "job_id",
    "render_now",
    "report_html",
    "report_pdf",
    "request_report",
    "start_render",
    "stored_pdf",
]
