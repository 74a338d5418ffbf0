"""Rounds of an assessment: a follow-up started from a completed one, and the measure board.

A follow-up is a new assessment against the current catalogue that carries the earlier
round's profile, priorities and capacity over as they were, and its answers and notes as
"last time": each is shown beside its question and counts only once it is confirmed or
changed, so the summary counts the unconfirmed ones as open. When the catalogue changed
in between, the earlier answers are carried by the catalogue's own migration rules, and
questions the earlier round did not have are marked new.

Once a follow-up exists, the earlier round is closed: it no longer changes (its content
hash, which the follow-up names, stays true), and its measure board says what was done
between the rounds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from advisor.catalogue import Catalogue
from advisor.catalogue.migrate import NoMigration, carry_over
from advisor.i18n import lazy_gettext as _l

from .answers import NO_ANSWER, AnswerInput, InvalidAnswer, is_answered, normalise
from .models import Assessment, MeasureProgress, Priority, ProgressStatus, Status
from .services import (
    PROFILE_FIELDS,
    Progress,
    UnknownQuestion,
    catalogue_of,
    create_assessment,
    lock,
    progress,
    successor_id,
    touch,
)

#: The longest note on a measure of the board.
BOARD_NOTE_MAX = 500
#: The earliest date the board accepts (a roadmap is not older than the product).
EARLIEST = date(2020, 1, 1)


class FollowUpRefused(Exception):
    """A follow-up cannot be started from this assessment; ``message`` says why."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


# -- which rounds -------------------------------------------------------------------------


def successor_of(session: Session, assessment: Assessment) -> Assessment | None:
    """The follow-up started from this assessment, if any."""
    found = successor_id(session, assessment)
    return session.get(Assessment, found) if found is not None else None


def chain(assessment: Assessment, limit: int = 20) -> list[Assessment]:
    """The rounds up to this one that are still stored, oldest first."""
    rounds = [assessment]
    while len(rounds) < limit and (earlier := rounds[-1].predecessor) is not None:
        if earlier in rounds:  # a cycle cannot be made here, but a hand-edited database could
            break
        rounds.append(earlier)
    return rounds[::-1]


def start_follow_up(
    session: Session, loaded: Mapping[str, Catalogue], predecessor: Assessment
) -> tuple[Assessment, str]:
    """Start the next round from a completed assessment; return it with its own resume token.

    The profile, the priorities and the capacity are copied (the profile moved by the
    catalogue's rules where the catalogue changed); answers and notes are not copied but
    offered as "last time" (see :func:`last_time`). The advisor who owns the earlier round
    owns the follow-up too. Raises :class:`FollowUpRefused`.
    """
    from .exchange import content_hash, export_assessment

    if predecessor.status is not Status.COMPLETED:
        raise FollowUpRefused(_l("Only a completed assessment can be followed up."))
    lock(session, predecessor)  # two clicks at once start one follow-up (and the index is unique)
    if successor_id(session, predecessor) is not None:
        raise FollowUpRefused(_l("A follow-up of this assessment has already been started."))
    catalogue = loaded.get(predecessor.catalogue_id)
    earlier = catalogue_of(session, loaded, predecessor)
    if catalogue is None or earlier is None:
        raise FollowUpRefused(_l("The questionnaire of this assessment is no longer available."))
    follow_up, token = create_assessment(session, catalogue, predecessor.locale)
    profile = {key: getattr(predecessor, key) for key in PROFILE_FIELDS}
    try:
        moved = carry_over(catalogue, predecessor.catalogue_version, {}, profile)
    except NoMigration:
        moved = None
    for key, value in (moved.profile if moved is not None else profile).items():
        setattr(follow_up, key, value)
    if moved is not None and moved.choices:
        follow_up.upgrade_notice = {
            "from": predecessor.catalogue_version,
            "to": catalogue.version,
            "choices": {k: list(v) for k, v in moved.choices.items()},
        }
    follow_up.capacity_days_per_year = predecessor.capacity_days_per_year
    follow_up.priorities = [
        Priority(field_id=p.field_id, relevance=p.relevance, target_level=p.target_level)
        for p in predecessor.priorities
        if catalogue.field(p.field_id) is not None
    ]
    follow_up.owner_id = predecessor.owner_id
    follow_up.handed_over_at = predecessor.handed_over_at
    follow_up.predecessor = predecessor
    follow_up.predecessor_hash = content_hash(export_assessment(earlier, predecessor))
    session.flush()
    return follow_up, token


# -- last time ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LastTime:
    """The earlier round's answers, as they fit this round's catalogue."""

    completed_at: datetime | None
    #: Question id (in this round's catalogue) -> the earlier answer with its note.
    answers: Mapping[str, AnswerInput]
    #: Questions the earlier round's catalogue did not ask.
    new: frozenset[str]

    def unconfirmed(self, stored: Set[str], asked: Set[str]) -> list[str]:
        """Questions asked whose earlier answer is neither confirmed nor replaced yet.

        ``stored``: the questions this round has answered (see :func:`answered`).
        """
        return [qid for qid in self.answers if qid in asked and qid not in stored]


def last_time(session: Session, loaded: Mapping[str, Catalogue], assessment: Assessment) -> LastTime | None:
    """What the earlier round answered, carried onto this round's catalogue; None for a first round.

    An earlier answer this catalogue cannot hold (an option that went, a question removed)
    is not offered: the question is simply asked.
    """
    earlier = assessment.predecessor
    if earlier is None:
        return None
    catalogue = catalogue_of(session, loaded, assessment)
    old = catalogue_of(session, loaded, earlier)
    if catalogue is None or old is None:
        return None
    rows = {a.question_id: a for a in earlier.answers}
    try:
        carried = carry_over(catalogue, earlier.catalogue_version, rows, {}).answers
    except NoMigration:
        carried = rows
    asked_before = asked_then(catalogue, earlier.catalogue_version, old)
    answers: dict[str, AnswerInput] = {}
    for question_id, row in carried.items():
        question = catalogue.questions.get(question_id)
        if question is None or not is_answered(row.state, row.value):
            continue  # a note without an answer is nothing to confirm
        try:
            answers[question_id] = normalise(question, AnswerInput(row.state, row.value, row.note))
        except InvalidAnswer:
            continue
    new = frozenset(qid for qid in catalogue.questions if qid not in asked_before)
    return LastTime(earlier.completed_at, answers, new)


def answered(assessment: Assessment) -> set[str]:
    """The questions this round has answered (a note alone is no answer)."""
    return {a.question_id for a in assessment.answers if is_answered(a.state, a.value)}


def unconfirmed(
    session: Session,
    loaded: Mapping[str, Catalogue],
    catalogue: Catalogue,
    assessment: Assessment,
    known: Progress | None = None,
) -> set[str]:
    """The questions whose earlier answer is neither confirmed nor replaced yet (they count as open).

    ``known``: the assessment's progress where the caller has it already.
    """
    last = last_time(session, loaded, assessment)
    if last is None:
        return set()
    known = known or progress(catalogue, assessment)
    asked = {qid for fp in known.fields for qid in fp.unanswered}
    return set(last.unconfirmed(answered(assessment), asked))


def asked_then(catalogue: Catalogue, version: str, old: Catalogue) -> set[str]:
    """The questions of ``catalogue`` that the older version ``old`` asked too (by their new ids).

    The others are new since then. Without a migration rule between the two, same ids count.
    """
    try:
        return set(carry_over(catalogue, version, {qid: qid for qid in old.questions}, {}).answers)
    except NoMigration:
        return set(old.questions)


def with_confirmed(
    last: LastTime | None, answers: Mapping[str, AnswerInput], confirm: Set[str]
) -> dict[str, AnswerInput]:
    """The submitted answers, with the earlier answer taken over where the user confirmed it.

    A question the user answered anew keeps the new answer: changing it confirms it too.
    A note written beside a confirmation is kept with the earlier answer.
    """
    merged = dict(answers)
    if last is None:
        return merged
    for question_id in confirm:
        given, earlier = merged.get(question_id), last.answers.get(question_id)
        if earlier is None or (given is not None and is_answered(given.state, given.value)):
            continue
        # A note written beside the confirmation replaces the earlier note.
        note = given.note if given is not None and given.note else earlier.note
        merged[question_id] = AnswerInput(earlier.state, earlier.value, note)
    return merged


# -- the measure board --------------------------------------------------------------------


@dataclass(frozen=True)
class BoardEntry:
    """A measure's status as submitted: open, started or done, since when, and a note."""

    status: ProgressStatus
    on: date | None = None
    note: str = ""


def board_fingerprint(row: MeasureProgress | BoardEntry | None) -> str:
    """What a board row says (stored, or as entered), to catch a change made meanwhile."""
    if row is None:
        return NO_ANSWER
    on = row.on_date if isinstance(row, MeasureProgress) else row.on
    if row.status is ProgressStatus.OPEN and not row.note:
        return NO_ANSWER
    raw = json.dumps([row.status.value, on.isoformat() if on else None, row.note], ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def checked_entry(entry: BoardEntry, today: date) -> BoardEntry:
    """The entry as stored, or InvalidAnswer.

    Open has no date; started and done have one (today unless given), not in the future.
    """
    note = entry.note.strip()
    if len(note) > BOARD_NOTE_MAX:
        raise _field_error("no", _l("The note is longer than %(max)s characters.", max=BOARD_NOTE_MAX))
    if entry.status is ProgressStatus.OPEN:
        return BoardEntry(ProgressStatus.OPEN, None, note)
    on = entry.on or today
    if on > today:
        raise _field_error("on", _l("The date cannot be in the future."))
    if on < EARLIEST:
        raise _field_error(
            "on", _l("The date cannot be before %(date)s.", date=EARLIEST.strftime("%d.%m.%Y"))
        )
    return BoardEntry(entry.status, on, note)


def _field_error(field: str, message) -> InvalidAnswer:
    """A board error that names its field ("st" state, "on" date, "no" note) for the page."""
    error = InvalidAnswer(message)
    error.field = field  # type: ignore[attr-defined]
    return error


@dataclass(frozen=True)
class BoardSaved:
    """What saving the board did: whether anything changed, and rows someone else changed meanwhile."""

    changed: bool
    conflicts: tuple[str, ...] = ()


def save_board(
    session: Session,
    assessment: Assessment,
    entries: Mapping[str, BoardEntry],
    allowed: Set[str],
    shown: Mapping[str, str],
    today: date,
) -> BoardSaved:
    """Store the board's rows that the user changed; check all first, one bad row stores none.

    A row left as the page showed it is not written (someone else may have changed it
    since); a row both changed is not overwritten but returned as a conflict, and so is a
    changed row of a measure no longer on the board (the roadmap changed meanwhile).
    """
    clean = {}
    for measure_id, entry in entries.items():
        try:
            clean[measure_id] = checked_entry(entry, today)
        except InvalidAnswer as exc:
            exc.question_id = measure_id
            raise
    lock(session, assessment)
    session.expire(assessment, ["measure_progress"])
    stored = {row.measure_id: row for row in assessment.measure_progress}
    changed, conflicts = False, []
    for measure_id, entry in clean.items():
        row = stored.get(measure_id)
        before, now = shown.get(measure_id), board_fingerprint(row)
        if before is None:
            raise UnknownQuestion(measure_id)
        if board_fingerprint(entry) == before:
            continue  # left as shown: whatever is stored now stays
        if measure_id not in allowed and row is None:
            conflicts.append(measure_id)
            continue
        if row is not None and (row.status, row.on_date, row.note) == (entry.status, entry.on, entry.note):
            continue
        if entry.status is ProgressStatus.OPEN and not entry.note and row is None:
            continue
        if now != before:
            conflicts.append(measure_id)
            continue
        if entry.status is ProgressStatus.OPEN and not entry.note:
            assessment.measure_progress.remove(row)
        else:
            if row is None:
                row = MeasureProgress(measure_id=measure_id)
                assessment.measure_progress.append(row)
            row.status, row.on_date, row.note = entry.status, entry.on, entry.note
        changed = True
    if changed:
        touch(assessment)  # the report shows the board
    session.flush()
    return BoardSaved(changed, tuple(conflicts))


def board_measures(session: Session, catalogue: Catalogue, assessment: Assessment, today: date) -> list[str]:
    """The measures on the board, in roadmap order, then any marked earlier.

    The roadmap as shown counts (the advisor's removals left out); measures marked earlier
    that the roadmap no longer holds stay on the board.
    """
    from advisor.advising.measures import advised_plan

    from .results import of_assessment

    plan = of_assessment(catalogue, assessment, today).plan
    planned = [
        shown.item.measure_id
        for phase in advised_plan(session, assessment, plan).phases
        for shown in phase.items
    ]
    return planned + [mid for mid in board(assessment) if mid not in planned]


def board(assessment: Assessment) -> dict[str, MeasureProgress]:
    """The stored rows of the board by measure id (measures not in it are open)."""
    return {row.measure_id: row for row in assessment.measure_progress}


def done_between(earlier: Assessment, until: datetime | None = None) -> list[MeasureProgress]:
    """The earlier round's measures marked done (by ``until``, when given), in date order."""
    limit = until.date() if until is not None else None
    return sorted(
        (
            row
            for row in earlier.measure_progress
            if row.status is ProgressStatus.DONE
            and (limit is None or row.on_date is None or row.on_date <= limit)
        ),
        key=lambda row: (row.on_date or EARLIEST, row.measure_id),
    )


def months_between(start: datetime | date, end: datetime | date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is not later)."""
    start_day = start.date() if isinstance(start, datetime) else start
    end_day = end.date() if isinstance(end, datetime) else end
    months = (end_day.year - start_day.year) * 12 + end_day.month - start_day.month
    if end_day.day < start_day.day:
        months -= 1
    return max(months, 0)


__all__ = [
    "BoardEntry",
    "FollowUpRefused",
    "LastTime",
    "board",
    "chain",
    "last_time",
    "save_board",
    "start_follow_up",
    "successor_of",
    "with_confirmed",
]
