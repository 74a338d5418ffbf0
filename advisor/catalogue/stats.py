"""Counts that show an editor how complete and balanced a catalogue is."""

from __future__ import annotations

from collections import Counter
from typing import Any

from advisor.core import rules

from .checks import CROSS_CUTTING
from .loader import Catalogue
from .schema import Measure


def profile_dependent(measure: Measure) -> bool:
    """A measure whose selection or wording depends on the municipality profile."""
    return bool(measure.variants) or any(c.profile for t in measure.triggers for c in t.when)


def catalogue_stats(catalogue: Catalogue) -> dict[str, Any]:
    """Questions, measures, responsibility, duties and framework coverage of one catalogue."""
    questions = list(catalogue.questions.values())
    measures = list(catalogue.measures)
    dependent = [m for m in measures if profile_dependent(m)]
    coverage: dict[str, Any] = {}
    for name, framework in catalogue.frameworks.items():
        counts = Counter(area for q in questions for area in q.frameworks.get(name, []))
        coverage[name] = {
            "questions": sum(1 for q in questions if q.frameworks.get(name)),
            "areas": {a.id: counts.get(a.id, 0) for a in framework.areas},
            "uncovered": [a.id for a in framework.areas if not counts.get(a.id)],
        }
    field_ids = [f.id for f in catalogue.fields] + [CROSS_CUTTING]
    return {
        "id": catalogue.id,
        "version": catalogue.version,
        "hash": catalogue.hash,
        "questions": len(questions),
        "questions_per_field": {f.id: len(f.questions) for f in catalogue.fields},
        "question_types": dict(sorted(Counter(q.type for q in questions).items())),
        "level_descriptions": sum(len(q.levels or {}) for q in questions),
        "allow_unknown": sum(q.allow_unknown for q in questions),
        "offer_not_responsible": sum(q.offers_not_responsible for q in questions),
        "usually_not_responsible": {
            kind.id: sum(
                kind.id in q.not_responsible_for
                or catalogue.responsibility(q, {"municipality_type": kind.id}) == rules.OTHER
                for q in questions
            )
            for kind in catalogue.profile.municipality_types
        },
        # Per type, in a Land without rules of its own: questions it is scored on (own), records
        # as information about its joint administration, usually answers "nicht zuständig"
        # to (other), or is not asked (skip).
        "responsibility": {
            kind.id: {
                state: sum(
                    catalogue.responsibility(q, {"municipality_type": kind.id}) == state for q in questions
                )
                for state in (rules.OWN, rules.ADMINISTRATION, rules.OTHER, rules.SKIP)
            }
            for kind in catalogue.profile.municipality_types
        },
        "land_rules": {
            t.id: [s for r in t.rules for s in r.states] for t in catalogue.tasks if len(t.rules) > 1
        },
        "with_help": sum(q.help is not None for q in questions),
        "with_sources": sum(bool(q.sources) for q in questions),
        "weighted": sum(q.weight != 1.0 for q in questions),
        "measures": len(measures),
        "measures_per_field": {f: sum(m.field == f for m in measures) for f in field_ids},
        "measures_by_effort": {e: sum(m.effort == e for m in measures) for e in ("S", "M", "L")},
        "profile_dependent_measures": len(dependent),
        "profile_dependent_share": round(len(dependent) / len(measures), 3) if measures else 0.0,
        "measures_with_funding": sum(bool(m.funding) for m in measures),
        "duties": {
            d.id: {
                "questions": sum(q.duty == d.id for q in questions),
                "measures": sum(m.duty == d.id for m in measures),
                "deadlines": [str(x.due) for x in d.deadlines],
                "basis": d.basis.de if d.basis else None,
            }
            for d in catalogue.duties
        },
        "framework_coverage": coverage,
    }
