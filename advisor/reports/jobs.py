"""The background render of a report (run by :mod:`advisor.jobs`, in a worker or the pool).

The job owns its transactions: it commits its claim (so the page shows "being made"), and
commits the result. It takes ids only and does nothing when its render was claimed,
superseded or deleted in the meantime, so running it twice is harmless.
"""

from __future__ import annotations

import logging
import time
from datetime import date

from advisor.assessments import services as assessment_services
from advisor.db import db
from advisor.jobs import JobTimeoutException
from advisor.web import catalogues

from . import services

log = logging.getLogger(__name__)


def render_report(assessment_id: int, locale: str, key: str, day: str) -> None:
    """Render one queued report and store the PDF, or why there is none."""
    session = db.session
    assessment = services.start_render(session, assessment_id, locale, key)
    session.commit()
    if assessment is None:
        return
    today = date.fromisoformat(day)
    catalogue = assessment_services.catalogue_of(session, catalogues(), assessment)
    if catalogue is None or services.cache_key(catalogue, assessment, today) != key:
        services.drop_render(session, assessment_id, locale, key)
        session.commit()
        return
    started = time.perf_counter()
    pdf, error = None, None
    try:
        pdf, _ = services.render_now(catalogue, assessment, locale, today)
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the page says so
        timed_out = isinstance(exc, JobTimeoutException) or isinstance(exc.__cause__, JobTimeoutException)
        error = "timeout" if timed_out else "error"
        if timed_out:
            log.warning("report of assessment %s stopped at the time limit", assessment_id)
        else:
            log.exception("report of assessment %s could not be rendered", assessment_id)
    ms = int((time.perf_counter() - started) * 1000)
    session.rollback()  # the render only read; a timeout may have struck mid-query
    services.finish_render(session, assessment_id, locale, key, pdf, error, ms)
    session.commit()
