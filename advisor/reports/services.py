"""Produce the report of an assessment: from the cache when nothing changed, else render."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from advisor.assessments.models import Assessment
from advisor.assessments.results import of_assessment
from advisor.catalogue import Catalogue

from . import context as report_context
from .models import ReportCache
from .render import render_pdf


@dataclass(frozen=True)
class Report:
    """A PDF and whether it came from the cache."""

    pdf: bytes
    cached: bool


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
    return report_context.report_html(
        catalogue, evaluation, municipality, notes, locale, today, preview_base, back_url
    )[0]


def cache_key(catalogue: Catalogue, assessment: Assessment, today: date) -> str:
    """What a cached PDF depends on."""
    return f"{assessment.revision}:{today.isoformat()}:{catalogue.hash[:16]}"


def report_pdf(
    session: Session, catalogue: Catalogue, assessment: Assessment, locale: str, today: date
) -> Report:
    """The PDF report, rendered only when the assessment changed since the last one."""
    key = cache_key(catalogue, assessment, today)
    row = session.scalar(
        select(ReportCache).where(ReportCache.assessment_id == assessment.id, ReportCache.locale == locale)
    )
    if row is not None and row.key == key:
        return Report(row.pdf, True)
    started = time.perf_counter()
    pdf = render_pdf(report_html(catalogue, assessment, locale, today))
    values = {
        "assessment_id": assessment.id,
        "locale": locale,
        "key": key,
        "pdf": pdf,
        "render_ms": int((time.perf_counter() - started) * 1000),
    }
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(ReportCache).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["assessment_id", "locale"],
            set_={k: statement.excluded[k] for k in ("key", "pdf", "render_ms")},
        )
    )
    session.flush()
    return Report(pdf, False)
