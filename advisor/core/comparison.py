"""PURE: what changed between two rounds of an assessment (issue 15: progress since last time).

Takes the scoring results of the earlier and the later round and says, per field and
overall, the score and band then and now and the change (``delta`` = now minus then), and
which questions moved: a higher or lower level, newly known, no longer known, new in the
catalogue or gone from it. Plain data in and out; no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass

from .scoring import Result

#: A question "moved" when its level changed by at least this much (levels are 0-4).
MOVE_THRESHOLD = 0.25


@dataclass(frozen=True)
class FieldChange:
    """One field then and now."""

    field_id: str
    before: float | None
    after: float | None
    band_before: str | None
    band_after: str | None

    @property
    def delta(self) -> float | None:
        """The change in points (now minus then); None when either round has no score."""
        return None if self.before is None or self.after is None else self.after - self.before


@dataclass(frozen=True)
class QuestionMove:
    """One question whose answer moved between the rounds."""

    question_id: str
    field_id: str
    before: float | None  # level 0-4, None when not known then
    after: float | None
    kind: str  # "up" | "down" | "now_known" | "no_longer_known" | "new" | "gone"


@dataclass(frozen=True)
class Change:
    """Everything that changed between two rounds."""

    overall_before: float | None
    overall_after: float | None
    fields: tuple[FieldChange, ...]
    moved: tuple[QuestionMove, ...]

    @property
    def overall_delta(self) -> float | None:
        """The change of the overall score (now minus then)."""
        if self.overall_before is None or self.overall_after is None:
            return None
        return self.overall_after - self.overall_before


def compare(before: Result, after: Result) -> Change:
    """Compare the earlier round's result with the later one's, in the later catalogue's order."""
    earlier = {f.field_id: f for f in before.fields}
    fields = tuple(
        FieldChange(
            f.field_id,
            earlier[f.field_id].score if f.field_id in earlier else None,
            f.score,
            earlier[f.field_id].band if f.field_id in earlier else None,
            f.band,
        )
        for f in after.fields
    )
    moved = []
    for qid, now in after.questions.items():
        then = before.questions.get(qid)
        if then is None:
            moved.append(QuestionMove(qid, now.field_id, None, now.level, "new"))
            continue
        old, new = _known(then), _known(now)
        if old is None and new is None:
            continue
        if old is None:
            moved.append(QuestionMove(qid, now.field_id, None, new, "now_known"))
        elif new is None:
            moved.append(QuestionMove(qid, now.field_id, old, None, "no_longer_known"))
        elif abs(new - old) >= MOVE_THRESHOLD:
            moved.append(QuestionMove(qid, now.field_id, old, new, "up" if new > old else "down"))
    for qid, then in before.questions.items():
        if qid not in after.questions:
            moved.append(QuestionMove(qid, then.field_id, _known(then), None, "gone"))
    return Change(before.overall, after.overall, fields, tuple(moved))


def _known(score) -> float | None:
    """The level of an answer that counts (answered); None for unknown, unanswered or not scored."""
    return score.level if score.state == "answered" and score.score is not None else None
