"""PURE: catalogue + answers + profile + priorities -> field scores, bands, strengths, gaps.

No Flask, no SQLAlchemy. Plain values in, frozen dataclasses out; deterministic.

Every answer scores 0..1 (a level n scores n/4; choices, numbers and yes/no by the
catalogue's rules). A field's score is the weighted mean over its *applicable*
questions, times 100: "nicht zuständig" removes a question from the maximum (as the
European Energy Award reduces achievable points to what a municipality is responsible
for), "weiß nicht" and unanswered questions score 0 and lower the field's confidence.

Who carries a question's task decides whether it counts at all (catalogue ``tasks``): an
Ortsgemeinde's answers about what its Verbandsgemeinde runs are information
(``delegated``), and questions about tasks a type is never asked about are ``skipped``;
neither counts towards the maximum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from advisor.catalogue.loader import Catalogue
from advisor.catalogue.schema import Duty, Question
from advisor.core import rules
from advisor.core.rules import Fact, all_hold

#: Upper bounds (exclusive, except the last) of the five maturity bands, in score points.
BANDS = (
    ("starting", 20.0),
    ("foundations", 40.0),
    ("developing", 60.0),
    ("advanced", 80.0),
    ("leading", 100.0),
)
#: The level aimed for when a field has no target set: "largely in place".
DEFAULT_TARGET = 3
DEFAULT_RELEVANCE = 3
STRENGTH_THRESHOLD = 0.75  # level 3 or better
#: Question states that take a question out of the maximum.
NOT_APPLICABLE = ("not_responsible", "delegated", "skipped")
#: Urgency of a duty that binds without a date (a standing duty such as the OZG's).
STANDING_DUTY = 1.5


@dataclass(frozen=True)
class Priority:
    """How relevant a field is (1-5) and the level aimed for in three years (0-4)."""

    relevance: int | None = None
    target_level: int | None = None


@dataclass(frozen=True)
class QuestionScore:
    """One question's contribution."""

    question_id: str
    field_id: str
    state: str  # answered | unknown | not_responsible | unanswered | delegated | skipped
    score: float | None  # 0..1; None when not applicable
    weight: float

    @property
    def level(self) -> float | None:
        """The score on the 0-4 level scale."""
        return None if self.score is None else self.score * 4

    @property
    def applicable(self) -> bool:
        """Counts towards the field's maximum."""
        return self.state not in NOT_APPLICABLE

    @property
    def known(self) -> bool:
        """An answer that states a value."""
        return self.state == "answered"


@dataclass(frozen=True)
class FieldScore:
    """Where a municipality stands in one field."""

    field_id: str
    score: float | None  # 0..100, None when every question is "not responsible"
    band: str | None
    confidence: float | None  # share of applicable questions with a known answer
    applicable: int
    known: int
    unknown: tuple[str, ...]
    unanswered: tuple[str, ...]
    not_responsible: tuple[str, ...]
    #: Questions about what the municipality's joint administration runs: information only.
    delegated: tuple[str, ...] = ()


@dataclass(frozen=True)
class Urgency:
    """How pressing a legal duty makes a question or measure."""

    factor: float
    duty_id: str | None = None
    due: date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class Gap:
    """A question below the level aimed for, with its priority."""

    question_id: str
    field_id: str
    current_level: float
    target_level: int
    relevance: int
    urgency: Urgency
    priority: float


@dataclass(frozen=True)
class Result:
    """Everything the results page, the report and the statistics need from scoring."""

    fields: tuple[FieldScore, ...]
    overall: float | None
    overall_band: str | None
    questions: Mapping[str, QuestionScore]
    strengths: tuple[str, ...]
    gaps: tuple[Gap, ...]
    knowledge_gaps: tuple[str, ...]

    def field(self, field_id: str) -> FieldScore:
        """The score of one field."""
        return next(f for f in self.fields if f.field_id == field_id)


def band_of(score: float | None) -> str | None:
    """The maturity band of a 0-100 score."""
    if score is None:
        return None
    return next(name for name, upper in BANDS if score < upper or upper == 100.0)


def answer_score(question: Question, fact: Fact | None) -> tuple[str, float | None]:
    """The state and the 0..1 score of one answer."""
    if fact is None or (fact.state == "answered" and fact.value is None):
        return "unanswered", 0.0
    if fact.state == "not_responsible":
        return "not_responsible", None
    if fact.state == "unknown":
        return "unknown", 0.0
    return "answered", value_score(question, fact.value)


def value_score(question: Question, value: Any) -> float:
    """The 0..1 score of a value under the catalogue's rules for its question type."""
    kind = question.type
    if kind == "level":
        return max(0, min(4, value)) / 4
    if kind == "yes_no":
        return question.yes_score if value else question.no_score
    options = {o.id: o.score or 0.0 for o in question.options or []}
    if kind == "single":
        return options.get(value, 0.0)
    if kind == "multiple":
        return min(1.0, sum(options.get(v, 0.0) for v in value))
    return _interpolate(question, float(value))


def _interpolate(question: Question, value: float) -> float:
    scale = question.scale or []
    if not scale:
        low, high = question.min or 0.0, question.max or 1.0
        return max(0.0, min(1.0, (value - low) / (high - low)))
    if value <= scale[0].value:
        return scale[0].score
    for left, right in zip(scale, scale[1:], strict=False):
        if value <= right.value:
            share = (value - left.value) / (right.value - left.value)
            return left.score + share * (right.score - left.score)
    return scale[-1].score


def duty_binds(catalogue: Catalogue, duty: Duty, profile: Mapping[str, str | None]) -> bool:
    """Whether a duty binds this municipality.

    It does when the municipality carries the duty's task (or is one of the types the duty
    applies to) in a Land the duty concerns. Unknown profile values bind.
    """
    land = profile.get("state")
    if duty.states and land is not None and land not in duty.states:
        return False
    if duty.task is not None:
        task = catalogue.task_map.get(duty.task)
        return rules.responsibility(task, catalogue.type_map, profile) == rules.OWN
    kind = profile.get("municipality_type")
    return not duty.applies_to or kind is None or kind in duty.applies_to


def duty_urgency(
    catalogue: Catalogue, duty: Duty | None, profile: Mapping[str, str | None], today: date
) -> Urgency:
    """Urgency factor of a legal duty for this profile.

    Overdue 3, due within a year 2.5, within three years 2, later 1.5; a standing duty
    without a date 1.5; 1 without a duty or when the duty does not bind this municipality.
    """
    if duty is None or not duty_binds(catalogue, duty, profile):
        return Urgency(1.0)
    deadline = next((d for d in duty.deadlines if all_hold(d.when, {}, {}, profile)), None)
    if deadline is None:
        return Urgency(STANDING_DUTY, duty.id) if duty.no_deadline is not None else Urgency(1.0)
    days = (deadline.due - today).days
    factor = 3.0 if days < 0 else 2.5 if days <= 365 else 2.0 if days <= 3 * 365 else 1.5
    return Urgency(factor, duty.id, deadline.due, days < 0)


def score(
    catalogue: Catalogue,
    answers: Mapping[str, Fact],
    profile: Mapping[str, str | None],
    priorities: Mapping[str, Priority],
    today: date,
) -> Result:
    """Score an assessment: fields, overall, strengths, gaps and knowledge gaps."""
    urgencies = {d.id: duty_urgency(catalogue, d, profile, today) for d in catalogue.duties}
    questions: dict[str, QuestionScore] = {}
    fields = []
    carriers = catalogue.responsibilities(profile)
    for field in catalogue.fields:
        for q in field.questions:
            carrier = carriers[q.id]
            if carrier == rules.SKIP:
                state, value = "skipped", None
            elif carrier == rules.ADMINISTRATION:
                state, value = "delegated", None
            else:
                state, value = answer_score(q, answers.get(q.id))
            questions[q.id] = QuestionScore(q.id, field.id, state, value, q.weight)
        fields.append(field_score(field.id, [questions[q.id] for q in field.questions]))
    applicable = [f.score for f in fields if f.score is not None]
    overall = sum(applicable) / len(applicable) if applicable else None

    order = {qid: i for i, qid in enumerate(catalogue.questions)}
    strengths = tuple(
        qs.question_id
        for qs in sorted(
            (qs for qs in questions.values() if qs.known and (qs.score or 0) >= STRENGTH_THRESHOLD),
            key=lambda qs: (-(qs.score or 0) * qs.weight, order[qs.question_id]),
        )
    )
    gaps = []
    for qs in questions.values():
        # "Weiß nicht" is a knowledge gap (finding out comes first), never a level-0 gap.
        if not qs.applicable or qs.state == "unknown":
            continue
        priority = priorities.get(qs.field_id) or Priority()
        target = DEFAULT_TARGET if priority.target_level is None else priority.target_level
        relevance = DEFAULT_RELEVANCE if priority.relevance is None else priority.relevance
        current = qs.level or 0.0
        if current >= target:
            continue
        question = catalogue.questions[qs.question_id]
        urgency = urgencies.get(question.duty or "") or Urgency(1.0)
        value = (target - current) * relevance * urgency.factor * qs.weight
        gaps.append(Gap(qs.question_id, qs.field_id, current, target, relevance, urgency, value))
    gaps.sort(key=lambda g: (-g.priority, order[g.question_id]))
    knowledge = tuple(qid for qid, qs in questions.items() if qs.state == "unknown")
    return Result(tuple(fields), overall, band_of(overall), questions, strengths, tuple(gaps), knowledge)


def field_score(field_id: str, scores: list[QuestionScore]) -> FieldScore:
    """Weighted mean over applicable questions, with confidence and the lists behind it."""
    applicable = [s for s in scores if s.applicable]
    total = sum(s.weight for s in applicable)
    value = 100 * sum(s.weight * (s.score or 0.0) for s in applicable) / total if total else None
    known = sum(1 for s in applicable if s.known)
    return FieldScore(
        field_id=field_id,
        score=value,
        band=band_of(value),
        confidence=known / len(applicable) if applicable else None,
        applicable=len(applicable),
        known=known,
        unknown=tuple(s.question_id for s in scores if s.state == "unknown"),
        unanswered=tuple(s.question_id for s in scores if s.state == "unanswered"),
        not_responsible=tuple(s.question_id for s in scores if s.state == "not_responsible"),
        delegated=tuple(s.question_id for s in scores if s.state == "delegated"),
    )
