"""Feed the pure scoring and roadmap core from a stored assessment or an exchange file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from advisor.catalogue import Catalogue
from advisor.core import roadmap, scoring
from advisor.core.rules import Fact

from .answers import AnswerInput
from .models import Assessment


@dataclass(frozen=True)
class Evaluation:
    """Scores and roadmap of one assessment, as of one day."""

    result: scoring.Result
    plan: roadmap.Roadmap
    answers: Mapping[str, Fact]
    today: date


def evaluate(
    catalogue: Catalogue,
    answers: Mapping[str, Fact],
    profile: Mapping[str, str | None],
    priorities: Mapping[str, scoring.Priority],
    today: date,
    capacity_days_per_year: float | None = None,
) -> Evaluation:
    """Score and plan in one go."""
    result = scoring.score(catalogue, answers, profile, priorities, today)
    plan = roadmap.build(catalogue, result, answers, profile, priorities, today, capacity_days_per_year)
    return Evaluation(result, plan, answers, today)


def of_assessment(
    catalogue: Catalogue,
    assessment: Assessment,
    today: date,
    priorities: Mapping[str, scoring.Priority] | None = None,
) -> Evaluation:
    """Evaluate a stored assessment; ``priorities`` overrides the stored ones (what-if)."""
    answers = {a.question_id: Fact(a.state.value, a.value) for a in assessment.answers}
    profile = assessment.profile()
    if priorities is None:
        priorities = {
            p.field_id: scoring.Priority(p.relevance, p.target_level) for p in assessment.priorities
        }
    return evaluate(catalogue, answers, profile, priorities, today, assessment.capacity_days_per_year)


def score_of(catalogue: Catalogue, assessment: Assessment, today: date) -> scoring.Result:
    """Only the scores of a stored assessment (no roadmap): for charts and statistics."""
    answers = {a.question_id: Fact(a.state.value, a.value) for a in assessment.answers}
    priorities = {p.field_id: scoring.Priority(p.relevance, p.target_level) for p in assessment.priorities}
    return scoring.score(catalogue, answers, assessment.profile(), priorities, today)


def facts(answers: Mapping[str, AnswerInput]) -> dict[str, Fact]:
    """Canonical answer inputs (from an exchange file) as facts for the core."""
    return {qid: Fact(a.state.value, a.value) for qid, a in answers.items()}
