"""Score exchange files outside the web app: one for an advisor, thousands for an association.

Everything here is plain data so that batches can spread over processes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from advisor.catalogue import Catalogue, load_all
from advisor.core.scoring import Priority

from . import exchange
from .models import PROFILE_KEYS, REQUIRED_FOR_ADVICE
from .results import Evaluation, evaluate, facts


def evaluation_of(catalogue: Catalogue, checked: exchange.Checked, today: date) -> Evaluation:
    """Score and plan a checked exchange file."""
    document = checked.document
    profile = {key: checked.profile[key] for key in PROFILE_KEYS}
    priorities = {k: Priority(v.relevance, v.target_level) for k, v in document.priorities.items()}
    return evaluate(
        catalogue, facts(checked.answers), profile, priorities, today, document.capacity_days_per_year
    )


def municipality_and_notes(checked: exchange.Checked) -> tuple[dict[str, Any], dict[str, str]]:
    """Name and profile ids, and the answer notes, of a checked exchange file (for reports)."""
    profile = checked.profile
    names = ("municipality_name", "association_name", "it_provider", *PROFILE_KEYS)
    municipality = {k: profile.get(k) for k in names}
    return municipality, {qid: a.note for qid, a in checked.answers.items() if a.note}


def as_json(evaluation: Evaluation, catalogue: Catalogue, source: str | None = None) -> dict[str, Any]:
    """The machine-readable result: scores, gaps, knowledge gaps and the roadmap."""
    result, plan = evaluation.result, evaluation.plan
    return {
        "source": source,
        "catalogue": {"id": catalogue.id, "version": catalogue.version, "hash": catalogue.hash},
        "date": evaluation.today.isoformat(),
        "overall": {"score": _round(result.overall), "band": result.overall_band},
        "fields": [
            {
                "id": f.field_id,
                "score": _round(f.score),
                "band": f.band,
                "confidence": _round(f.confidence, 3),
                "applicable": f.applicable,
                "known": f.known,
                "unknown": list(f.unknown),
                "unanswered": list(f.unanswered),
                "not_responsible": list(f.not_responsible),
                "delegated": list(f.delegated),
            }
            for f in result.fields
        ],
        "strengths": list(result.strengths),
        "gaps": [
            {
                "question": g.question_id,
                "field": g.field_id,
                "current_level": _round(g.current_level, 2),
                "target_level": g.target_level,
                "relevance": g.relevance,
                "urgency": g.urgency.factor,
                "duty": g.urgency.duty_id,
                "due": g.urgency.due.isoformat() if g.urgency.due else None,
                "overdue": g.urgency.overdue,
                "priority": _round(g.priority, 3),
            }
            for g in result.gaps
        ],
        "knowledge_gaps": list(result.knowledge_gaps),
        "roadmap": {
            "phases": [
                {
                    "phase": p.number,
                    "months": [p.start_month, p.end_month],
                    "measures": list(p.measure_ids),
                    "person_days": _round(p.person_days, 1),
                    "capacity_person_days": p.capacity_person_days,
                    "projected": {k: _round(v) for k, v in p.projected.items()},
                }
                for p in plan.phases
            ],
            "items": [
                {
                    "measure": i.measure_id,
                    "field": i.field_id,
                    "phase": i.phase,
                    "start_month": i.start_month,
                    "end_month": i.end_month,
                    "effort": i.effort,
                    "person_days": list(i.size.person_days),
                    "partner": (
                        {"by": i.size.partner, "person_days": list(i.size.whole_person_days)}
                        if i.size.partner and i.size.whole_person_days
                        else None
                    ),
                    "fallback": i.fallback,
                    "quick_win": i.quick_win,
                    "pulled_in": i.pulled_in,
                    "benefit": _round(i.benefit, 3),
                    "variant": i.variant,
                    "lifts": {lift.field_id: _round(lift.points, 2) for lift in i.lifts},
                    "reasons": [
                        {k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(r).items() if v}
                        for r in i.reasons
                    ],
                }
                for i in plan.items
            ],
            "later": list(plan.later),
        },
    }


def advisor_measures(evaluation: Evaluation, checked: exchange.Checked) -> dict[str, Any]:
    """The advisor's measures of a version 2 file applied to the roadmap (``advisor.core.advised``)."""
    from advisor.core import advised

    entries = [
        advised.Entry(
            number, m.action, m.measure_id, m.title, m.text, m.phase, m.effort, m.responsible, m.reason
        )
        for number, m in enumerate(checked.measures, start=1)
    ]
    applied = advised.apply(evaluation.plan, entries)
    return {
        "phases": [
            {
                "phase": p.number,
                "adjusted": [
                    {"measure": s.item.measure_id, "changed": list(s.changed), "reason": s.reason}
                    for s in p.items
                    if s.adjusted
                ],
                "own": [
                    {"title": e.title, "effort": e.effort, "responsible": e.responsible, "reason": e.reason}
                    for e in p.own
                ],
            }
            for p in applied.phases
        ],
        "removed": [{"measure": r.item.measure_id, "reason": r.reason} for r in applied.removed],
        # Entries about measures this roadmap does not schedule: they change nothing.
        "not_applied": [e.measure_id for e in applied.unmatched],
    }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


_catalogues: dict[str, Catalogue] = {}


def _init(catalogue_dir: str, worker: bool = False) -> None:
    _catalogues.update(load_all(Path(catalogue_dir)))
    if worker:
        # Problems are translatable texts: a worker process needs a (minimal) app for them.
        from flask import Flask
        from flask_babel import Babel

        app = Flask("advisor.batch")
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent.parent / "translations")
        app.config["BABEL_DEFAULT_LOCALE"] = "de"
        Babel(app)
        app.app_context().push()


def _one(job: tuple[str, bytes, str]) -> dict[str, Any]:
    source, raw, today = job
    try:
        checked = exchange.check(_catalogues, raw)
    except exchange.ImportRefused as exc:
        return {"source": source, "error": [str(p) for p in exc.problems]}
    evaluation = evaluation_of(checked.catalogue, checked, date.fromisoformat(today))
    result = as_json(evaluation, checked.catalogue, source)
    # The web app shows no results without these; offline scoring says they are missing.
    result["profile_missing"] = [key for key in REQUIRED_FOR_ADVICE if not checked.profile.get(key)]
    if checked.measures:
        result["advisor_measures"] = advisor_measures(evaluation, checked)
    if checked.upgrade_notice is not None:
        # Carried over from an older catalogue version: say so, and which profile values are
        # open because the old one was split (the result assumes none of them).
        result["carried_over"] = checked.upgrade_notice
    return result


def run_batch(
    catalogue_dir: str, files: Iterable[tuple[str, bytes]], today: date, jobs: int | None = None
) -> list[dict[str, Any]]:
    """Evaluate many exchange files, in order; ``jobs`` processes (default: all cores)."""
    work = [(source, raw, today.isoformat()) for source, raw in files]
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(work) < 50:
        _init(catalogue_dir)
        return [_one(job) for job in work]
    with ProcessPoolExecutor(jobs, initializer=_init, initargs=(catalogue_dir, True)) as pool:
        return list(pool.map(_one, work, chunksize=max(1, len(work) // (jobs * 8))))
