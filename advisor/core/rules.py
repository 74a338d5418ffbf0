"""PURE: evaluate catalogue conditions (measure triggers, deadlines) against answers and profile.

No Flask, no SQLAlchemy: plain values in, booleans out. The catalogue checker, the
roadmap and the tests all use these functions, so "when does a measure apply" has exactly
one definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from advisor.catalogue.schema import Condition, ProfileOption, Question, Task, TaskRule, Trigger


@dataclass(frozen=True)
class Fact:
    """What is known of one answer: its state (answered/unknown/not_responsible) and value."""

    state: str
    value: Any = None


Answers = Mapping[str, Fact]
Profile = Mapping[str, str | None]

#: How a task stands for one profile: the municipality carries it (``own``: scored); its
#: joint administration does (``administration``: an Ortsgemeinde records it as
#: information, unscored); someone else does (``other``: "nicht zuständig" comes first);
#: or it is not asked at all (``skip``).
OWN, ADMINISTRATION, OTHER, SKIP = "own", "administration", "other", "skip"


def task_rule(task: Task, state: str | None) -> TaskRule:
    """The rule that holds in this Land: its own rule, else the general one (the last)."""
    return next((r for r in task.rules if state in r.states), task.rules[-1])


def responsibility(task: Task | None, types: Mapping[str, ProfileOption], profile: Profile) -> str:
    """Who carries ``task`` for this profile; see :data:`OWN` and the other states.

    Without a task, or without a type in the profile, every question counts as the
    municipality's own: nothing is hidden from someone who has not said what they are.
    """
    kind = profile.get("municipality_type")
    if task is None or kind is None:
        return OWN
    responsible = task_rule(task, profile.get("state")).responsible
    if kind in responsible:
        return OWN
    option = types.get(kind)
    if option is not None and option.administered_by in responsible:
        return ADMINISTRATION
    asked = task.ask_others if isinstance(task.ask_others, bool) else kind in task.ask_others
    return OTHER if asked else SKIP


def condition_holds(
    condition: Condition, questions: Mapping[str, Question], answers: Answers, profile: Profile
) -> bool:
    """Whether one condition holds; conditions on unknown profile values or answers do not."""
    if condition.profile is not None:
        return profile.get(condition.profile) in (condition.in_ or ())
    fact = answers.get(condition.question or "")
    answered = fact is not None and fact.state == "answered" and fact.value is not None
    if condition.state is not None:
        if condition.state == "unanswered":
            return not answered and (fact is None or fact.state == "answered")
        return fact is not None and fact.state == condition.state
    if not answered:
        return False
    question = questions[condition.question or ""]
    value = fact.value
    if condition.max_level is not None:
        return question.type == "level" and value <= condition.max_level
    if condition.below is not None:
        return question.type == "number" and value < condition.below
    chosen = _chosen(question, value)
    if condition.in_ is not None:
        return bool(chosen & set(condition.in_))
    if condition.lacks is not None:
        return question.type == "multiple" and not chosen & set(condition.lacks)
    return False


def _chosen(question: Question, value: Any) -> set[str]:
    if question.type == "multiple":
        return set(value)
    if question.type == "yes_no":
        return {"yes" if value else "no"}
    if question.type == "single":
        return {value}
    return set()


def all_hold(
    conditions: Iterable[Condition], questions: Mapping[str, Question], answers: Answers, profile: Profile
) -> bool:
    """Whether every condition holds (an empty list always holds)."""
    return all(condition_holds(c, questions, answers, profile) for c in conditions)


def triggered(
    triggers: Iterable[Trigger], questions: Mapping[str, Question], answers: Answers, profile: Profile
) -> Trigger | None:
    """The first trigger whose conditions all hold, or None."""
    return next((t for t in triggers if all_hold(t.when, questions, answers, profile)), None)


def worst_answer(question: Question) -> Fact:
    """The answer that scores lowest: level 0, the 0-score option, nothing chosen, the minimum."""
    if question.type == "level":
        return Fact("answered", 0)
    if question.type == "yes_no":
        return Fact("answered", question.no_score > question.yes_score)
    options = question.options or []
    if question.type == "single":
        return Fact("answered", min(options, key=lambda o: o.score or 0.0).id)
    if question.type == "multiple":
        exclusive = [o.id for o in options if o.exclusive]
        return Fact("answered", exclusive[:1])
    return Fact("answered", question.min)
