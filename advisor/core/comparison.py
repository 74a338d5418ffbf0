"""PURE: what changed between two rounds of an assessment (issue 15: progress since last time).

Takes the scoring results of the earlier and the later round and says, per field and
overall, the score and band then and now and the change (``delta`` = now minus then), and
which questions moved: a higher or lower level, newly known, no longer known, new in the
catalogue or gone from it. Plain data in and out; no Flask, no SQLAlchemy.

When the catalogue changed between the rounds, the earlier result names some questions by
their old ids: ``renamed`` (old id -> new id, as the catalogue's migration says) matches them
with the later round's questions, so a renamed question is compared, not "gone" and "new".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from advisor.catalogue.schema import Measure

from . import roadmap
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


def renamed_result(result: Result, renamed: Mapping[str, str]) -> Result:
    """The result with its questions under their new ids (``renamed``: old id -> new id).

    Ids the mapping does not name stay as they are; all are renamed at once, so a swap of two
    ids works too.
    """
    if not renamed:
        return result

    def ids(question_ids: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(renamed.get(q, q) for q in question_ids)

    questions = {
        renamed.get(qid, qid): replace(qs, question_id=renamed.get(qid, qid))
        for qid, qs in result.questions.items()
    }
    fields = tuple(
        replace(
            f,
            unknown=ids(f.unknown),
            unanswered=ids(f.unanswered),
            not_responsible=ids(f.not_responsible),
            delegated=ids(f.delegated),
        )
        for f in result.fields
    )
    return replace(
        result,
        fields=fields,
        questions=questions,
        strengths=ids(result.strengths),
        gaps=tuple(replace(g, question_id=renamed.get(g.question_id, g.question_id)) for g in result.gaps),
        knowledge_gaps=ids(result.knowledge_gaps),
    )


def compare(before: Result, after: Result, renamed: Mapping[str, str] | None = None) -> Change:
    """Compare the earlier round's result with the later one's, in the later catalogue's order.

    ``renamed`` maps the earlier round's question ids to the later catalogue's (old -> new).
    """
    before = renamed_result(before, renamed or {})
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


#: A projection counts as met when the score now falls short of it by at most this many points.
MET_TOLERANCE = 0.5


@dataclass(frozen=True)
class ProjectionCheck:
    """One field: what the last roadmap projected by now, what the measures done project, the score now."""

    field_id: str
    planned: float | None
    from_done: float | None
    now: float | None

    @property
    def met(self) -> bool | None:
        """Whether the score now reaches the plan (within :data:`MET_TOLERANCE`); None without both."""
        if self.planned is None or self.now is None:
            return None
        return self.now >= self.planned - MET_TOLERANCE

    @property
    def short(self) -> float | None:
        """Points the score now falls short of the plan (0 when met); None without both."""
        if self.met is None:
            return None
        return 0.0 if self.met else self.planned - self.now


def check_projection(
    planned: Mapping[str, float | None],
    from_done: Mapping[str, float | None],
    now: Mapping[str, float | None],
) -> tuple[ProjectionCheck, ...]:
    """Per field of the later round that the plan knows (in the later round's order): plan against now."""
    return tuple(
        ProjectionCheck(field_id, planned[field_id], from_done.get(field_id), score)
        for field_id, score in now.items()
        if field_id in planned
    )


@dataclass(frozen=True)
class Projection:
    """The earlier roadmap's phase due by now, and per field its plan against the score now."""

    phase: roadmap.Phase
    #: Whether that phase has ended (else it is phase 1, still running).
    due: bool
    checks: tuple[ProjectionCheck, ...]


def projection_since(
    plan: roadmap.Roadmap,
    result: Result,
    measures: Mapping[str, Measure],
    done: Iterable[str],
    now: Result,
    months: int,
) -> Projection | None:
    """Was the earlier roadmap's projection met, ``months`` after it was made? None without phases.

    ``plan`` and ``result`` are the earlier round's; ``done`` the measures its board marks done
    (their projection alone is ``from_done``); ``now`` the later round's result.
    """
    phase = roadmap.phase_due(plan, months)
    if phase is None:
        return None
    from_done = roadmap.project(result, measures, sorted(done))
    scores = {f.field_id: f.score for f in now.fields}
    return Projection(phase, phase.end_month <= months, check_projection(phase.projected, from_done, scores))
