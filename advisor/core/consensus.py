"""PURE: how far the respondents of a guided session agree on one question, and what the median says.

The advisor moderates; this module only measures. Per question it counts the answers,
gives the range of the levels (or numbers), says whether the answers diverge and why, and
proposes what "accept the median" would store. The rule, shown to advisors and in the
report (docs/guided-sessions.md):

* Levels (0-4): the answers diverge when two levels lie two or more apart, or when
  "weiß nicht" or "nicht zuständig" stand beside levels (someone knows, someone does not;
  someone thinks it is a municipal task, someone does not). The median of the levels is
  proposed once more than half of the answers are levels; with an even count the lower of
  the two middle levels (a self-assessment should not overstate where it stands).
* Numbers: the same, with "two levels apart" read as "the highest exceeds the lowest by
  more than a fifth of the highest".
* One choice and yes/no: the answers diverge when they are not all the same; proposed is
  the answer more than half gave.
* Several choices: the answers diverge when the sets differ; proposed are the options more
  than half of those who chose chose (nothing, when no option has such a majority).
* Where more than half gave the same "weiß nicht" or "nicht zuständig", that is proposed;
  otherwise nothing is, and the advisor has to agree an answer with the group.

Plain data in and out: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from advisor.core.rules import Fact

ANSWERED, UNKNOWN, NOT_RESPONSIBLE = "answered", "unknown", "not_responsible"
SPECIAL = (UNKNOWN, NOT_RESPONSIBLE)
#: For numbers: the relative difference above which answers diverge.
NUMBER_TOLERANCE = 0.2

#: Why answers diverge.
WIDE = "wide"  # levels two or more apart (numbers: more than the tolerance)
MIXED_UNKNOWN = "mixed_unknown"  # "weiß nicht" beside answers
MIXED_NOT_RESPONSIBLE = "mixed_not_responsible"  # "nicht zuständig" beside answers
DIFFERENT = "different"  # choices that are not the same


@dataclass(frozen=True)
class Spread:
    """How the given answers to one question are spread."""

    kind: str
    answered: int  # respondents who gave an answer (a value, "weiß nicht" or "nicht zuständig")
    counts: tuple[tuple[str, int], ...]  # answer key -> how many gave it, most given first
    low: float | None  # lowest level or number given
    high: float | None
    unknown: int
    not_responsible: int
    reasons: tuple[str, ...]
    proposal: Fact | None

    @property
    def divergent(self) -> bool:
        """Whether the group has something to discuss."""
        return bool(self.reasons)

    @property
    def count_map(self) -> dict[str, int]:
        """Counts by answer key."""
        return dict(self.counts)


def key(kind: str, fact: Fact) -> str:
    """A stable text key of one answer, for counting equal answers."""
    if fact.state in SPECIAL:
        return fact.state
    value = fact.value
    if kind == "multiple":
        return ",".join(sorted(str(v) for v in value or ()))
    if kind == "yes_no":
        return "yes" if value else "no"
    if kind in ("level", "number") and isinstance(value, int | float) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _lower_median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def spread(kind: str, facts: Iterable[Fact]) -> Spread:
    """Measure the answers one question got (unanswered respondents are simply not in ``facts``)."""
    given = [f for f in facts if f.state in SPECIAL or (f.state == ANSWERED and f.value is not None)]
    values = [f for f in given if f.state == ANSWERED]
    unknown = sum(1 for f in given if f.state == UNKNOWN)
    not_responsible = sum(1 for f in given if f.state == NOT_RESPONSIBLE)
    counts = Counter(key(kind, f) for f in given)
    ordered = tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    numeric = [float(f.value) for f in values] if kind in ("level", "number") else []
    low, high = (min(numeric), max(numeric)) if numeric else (None, None)

    reasons: list[str] = []
    if kind == "level" and numeric and high - low >= 2:
        reasons.append(WIDE)
    elif kind == "number" and numeric and high - low > NUMBER_TOLERANCE * max(abs(high), abs(low), 1e-9):
        reasons.append(WIDE)
    elif kind in ("single", "yes_no", "multiple") and len({key(kind, f) for f in values}) > 1:
        reasons.append(DIFFERENT)
    if unknown and (values or not_responsible):
        reasons.append(MIXED_UNKNOWN)
    if not_responsible and values:
        reasons.append(MIXED_NOT_RESPONSIBLE)

    return Spread(
        kind=kind,
        answered=len(given),
        counts=ordered,
        low=low,
        high=high,
        unknown=unknown,
        not_responsible=not_responsible,
        reasons=tuple(reasons),
        proposal=_proposal(kind, given, values),
    )


def _proposal(kind: str, given: list[Fact], values: list[Fact]) -> Fact | None:
    if not given:
        return None
    if 2 * len(values) > len(given):
        if kind == "level":
            return Fact(ANSWERED, int(_lower_median([f.value for f in values])))
        if kind == "number":
            return Fact(ANSWERED, _lower_median([float(f.value) for f in values]))
        if kind == "multiple":
            chosen = Counter(option for f in values for option in set(f.value or ()))
            majority = sorted(o for o, n in chosen.items() if 2 * n > len(values))
            return Fact(ANSWERED, majority) if majority else None  # no option has a majority
        top, count = Counter(key(kind, f) for f in values).most_common(1)[0]
        if 2 * count > len(given):
            return next(f for f in values if key(kind, f) == top)
        return None
    for state in SPECIAL:
        if 2 * sum(1 for f in given if f.state == state) > len(given):
            return Fact(state, None)
    return None


def divergent_first(spreads: Sequence[tuple[str, Spread]]) -> list[tuple[str, Spread]]:
    """Questions in catalogue order, the divergent ones first (widest range first among them)."""
    order = {qid: index for index, (qid, _) in enumerate(spreads)}

    def rank(item: tuple[str, Spread]) -> tuple:
        qid, s = item
        width = (s.high - s.low) if s.high is not None and s.low is not None else 0
        return (not s.divergent, -len(s.reasons), -width if s.kind == "level" else 0, order[qid])

    return sorted(spreads, key=rank)
