"""Development since the earlier round (issue 15, item 3), for the results page and the report.

A follow-up's results page and its report show, against the round it follows up: the score
and band per field then and now with the change, the questions that moved, the measures of
the earlier roadmap marked done (and how many were started or stayed open), whether the
earlier roadmap's projection was met, and a chart of the scores over all stored rounds.

Each round is scored against its own catalogue (the earlier one's plan as of the day it was
completed); questions the catalogue's migration renamed are matched by their new id. The
result is plain data (dataclasses of strings and numbers) in the words of one language: the
report's context holds no ORM object.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advisor.advising.measures import advised_plan
from advisor.catalogue import Catalogue
from advisor.catalogue.migrate import NoMigration, carry_over
from advisor.core import comparison, roadmap
from advisor.core.scoring import Result

from . import presentation, rounds, services
from .models import Assessment, ProgressStatus
from .results import Evaluation, of_assessment, score_of

#: The groups of moved questions, in the order they are shown.
KINDS = ("up", "down", "now_known", "no_longer_known", "new", "gone")

#: The chart's plot area in its viewBox (0 0 400 240): x 60 … 368 (room for a date label on
#: either side), y 200 (score 0) … 16 (100). See ``line_chart`` in templates/_charts.html.
LEFT, RIGHT, TOP, BOTTOM = 60.0, 368.0, 16.0, 200.0
#: At most this many date labels under the chart (every round still has its markers).
X_LABELS = 6
#: Line styles: overall first, then the fields in turn; colour, dash pattern and marker differ,
#: so a line is told apart without colour too.
OVERALL_STYLE = ("#1b1b1b", "", "circle")
FIELD_STYLES = (
    ("#00507a", "7 4", "square"),
    ("#a8470a", "2 3", "triangle"),
    ("#2e7d32", "10 3 2 3", "diamond"),
    ("#7b2d83", "12 5", "ring"),
    ("#5e5a00", "4 2 1 2", "cross"),
)


@dataclass(frozen=True)
class ScoreRow:
    """A field (or the overall score) then and now; ``delta`` is now minus then of the scores shown."""

    title: str
    before: int | None
    after: int | None
    band_before: str | None
    band_after: str | None
    delta: int | None

    @property
    def delta_text(self) -> str:
        """The change as written: +5, −3, 0, – (unknown)."""
        if self.delta is None:
            return "–"
        return f"+{self.delta}" if self.delta > 0 else (f"−{-self.delta}" if self.delta < 0 else "0")


@dataclass(frozen=True)
class MovedQuestion:
    """A question whose answer moved, with the answers in words (then, now)."""

    question: str
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class MoveGroup:
    """Moved questions of one kind (improved, declined, now known, …)."""

    kind: str
    title: str
    questions: tuple[MovedQuestion, ...]


@dataclass(frozen=True)
class DoneMeasure:
    """A measure of the earlier round's board marked done, and when."""

    title: str
    on: str


@dataclass(frozen=True)
class ProjectionRow:
    """One field: the earlier roadmap's projection by now, that of the measures done, the score now."""

    title: str
    planned: int | None
    from_done: int | None
    now: int | None
    met: bool | None
    verdict: str


@dataclass(frozen=True)
class Series:
    """One line of the chart: a field or the overall score, per round."""

    label: str
    values: tuple[int | None, ...]
    points: tuple[tuple[float, float] | None, ...]
    segments: tuple[tuple[tuple[float, float], ...], ...]
    colour: str
    dash: str
    marker: str
    overall: bool = False


@dataclass(frozen=True)
class Chart:
    """The scores over all stored rounds: x positions and dates of the rounds, one series per line."""

    #: (x, short date under the axis or "" when not labelled, date for the table)
    rounds: tuple[tuple[float, str, str], ...]
    series: tuple[Series, ...]
    description: str


@dataclass(frozen=True)
class Development:
    """Everything the section shows.

    ``status`` is "shown", "missing" (the earlier round is not stored here) or "unavailable"
    (its questionnaire version is not).
    """

    status: str
    since: str = ""
    #: Carried answers not confirmed yet: while there are any, the comparison is provisional.
    provisional: int = 0
    overall: ScoreRow | None = None
    fields: tuple[ScoreRow, ...] = ()
    moved: tuple[MoveGroup, ...] = ()
    done: tuple[DoneMeasure, ...] = ()
    planned: int = 0
    planned_done: int = 0
    started: int = 0
    still_open: int = 0
    months: int = 0
    #: Whether the phase compared has ended (else it is phase 1, still running).
    phase_due: bool = True
    phase: int = 0
    phase_end: int = 0
    projection: tuple[ProjectionRow, ...] = ()
    chart: Chart | None = None
    #: The sentences with counts, in words (the report's templates take no ngettext with variables).
    provisional_text: str = ""
    planned_text: str = ""
    months_text: str = ""


def for_report(
    session: Session,
    loaded: Mapping[str, Catalogue],
    catalogue: Catalogue,
    assessment: Assessment,
    evaluation: Evaluation,
    locale: str,
    today: date,
) -> Development | None:
    """The section for the report, in the report's language; None for a first round."""
    with force_locale(locale):
        return for_page(session, loaded, catalogue, assessment, evaluation, locale, today)


def for_page(
    session: Session,
    loaded: Mapping[str, Catalogue],
    catalogue: Catalogue,
    assessment: Assessment,
    evaluation: Evaluation,
    locale: str,
    today: date,
) -> Development | None:
    """The section for the results page, in the request's language; None for a first round.

    It compares the assessment with the round it follows up (see the module's docstring).
    """
    earlier = assessment.predecessor
    if earlier is None:
        return Development("missing") if assessment.predecessor_hash else None
    old_catalogue = services.catalogue_of(session, loaded, earlier)
    finished = earlier.completed_at or earlier.updated_at
    if old_catalogue is None or finished is None:
        return Development("unavailable")
    old = of_assessment(old_catalogue, earlier, _day(finished))
    renamed = renames(catalogue, earlier.catalogue_version, old_catalogue)
    change = comparison.compare(old.result, evaluation.result, renamed)
    titles = {f.id: f.title.get(locale) for f in catalogue.fields}
    old_titles = {f.id: f.title.get(locale) for f in old_catalogue.fields}

    until = assessment.completed_at or datetime.combine(today, time())
    done_rows = rounds.done_between(earlier, until)
    done_ids = {row.measure_id for row in done_rows}
    board = rounds.board(earlier)
    # The roadmap as it was shown: without the measures the advisor removed.
    removed = {r.item.measure_id for r in advised_plan(session, earlier, old.plan).removed}
    planned_ids = [item.measure_id for item in old.plan.items if item.measure_id not in removed]
    started = sum(
        1
        for mid in planned_ids
        if mid not in done_ids
        and (row := board.get(mid)) is not None
        and row.status is not ProgressStatus.OPEN
    )
    planned_done = sum(1 for mid in planned_ids if mid in done_ids)
    months = rounds.months_between(finished, until)
    provisional = len(rounds.unconfirmed(session, loaded, catalogue, assessment))
    projection = _projection(old, old_catalogue, done_ids, evaluation.result, titles, months)

    return Development(
        "shown",
        since=format_date(finished, "long"),
        provisional=provisional,
        provisional_text=ngettext(
            "%(num)s answer carried over from the earlier round is not confirmed yet. Until it is, it "
            "counts as not answered: this comparison is provisional.",
            "%(num)s answers carried over from the earlier round are not confirmed yet. Until they are, "
            "they count as not answered: this comparison is provisional.",
            provisional,
        )
        if provisional
        else "",
        overall=_row(
            _("Overall"), change.overall_before, change.overall_after, old.result, evaluation.result
        ),
        fields=tuple(
            ScoreRow(
                titles[c.field_id],
                _int(c.before),
                _int(c.after),
                _band(c.band_before),
                _band(c.band_after),
                _delta(c.before, c.after),
            )
            for c in change.fields
        ),
        moved=_moves(change, catalogue, old_catalogue, renamed, old, evaluation, titles, old_titles, locale),
        done=tuple(
            DoneMeasure(
                _measure_title(old_catalogue, earlier, old.plan, row.measure_id, locale), _date(row.on_date)
            )
            for row in done_rows
        ),
        planned=len(planned_ids),
        planned_done=planned_done,
        started=started,
        still_open=len(planned_ids) - planned_done - started,
        planned_text=ngettext(
            "Of the %(num)s measure the earlier roadmap planned: %(done)s done, %(started)s started, "
            "%(open)s still open.",
            "Of the %(num)s measures the earlier roadmap planned: %(done)s done, %(started)s started, "
            "%(open)s still open.",
            len(planned_ids),
            done=planned_done,
            started=started,
            open=len(planned_ids) - planned_done - started,
        ),
        months=months,
        months_text=_months_text(months, projection),
        **projection,
        chart=chart(session, loaded, assessment, evaluation, catalogue, locale, today),
    )


def renames(catalogue: Catalogue, version: str, old_catalogue: Catalogue) -> dict[str, str]:
    """Old question id -> new id, where ``catalogue``'s migration from ``version`` renamed one."""
    try:
        carried = carry_over(catalogue, version, {qid: qid for qid in old_catalogue.questions}, {})
    except NoMigration:
        return {}
    return {old: new for new, old in carried.answers.items() if old != new}


def board_of(assessment: Assessment) -> dict[str, tuple[str, date | None]]:
    """The round's own board as plain data: measure id -> (status, date), the open ones left out."""
    return {
        mid: (row.status.value, row.on_date)
        for mid, row in rounds.board(assessment).items()
        if row.status is not ProgressStatus.OPEN
    }


# -- the parts ----------------------------------------------------------------------------


def _moves(
    change: comparison.Change,
    catalogue: Catalogue,
    old_catalogue: Catalogue,
    renamed: Mapping[str, str],
    old: Evaluation,
    new: Evaluation,
    titles: Mapping[str, str],
    old_titles: Mapping[str, str],
    locale: str,
) -> tuple[MoveGroup, ...]:
    """The moved questions by kind, each with its text and the answers then and now in words."""
    old_id = {new_id: old_id for old_id, new_id in renamed.items()}
    names = {
        "up": _("Improved"),
        "down": _("Declined"),
        "now_known": _("Now known"),
        "no_longer_known": _("No longer known"),
        "new": _("New questions"),
        "gone": _("Removed from the questionnaire"),
    }
    groups = []
    for kind in KINDS:
        entries = []
        for move in (m for m in change.moved if m.kind == kind):
            then_id = old_id.get(move.question_id, move.question_id)
            then_q = old_catalogue.questions.get(then_id)
            now_q = catalogue.questions.get(move.question_id)
            shown = now_q if kind != "gone" and now_q is not None else then_q
            if shown is None:
                continue
            entries.append(
                MovedQuestion(
                    shown.text.get(locale),
                    (titles if kind != "gone" else old_titles).get(move.field_id, ""),
                    presentation.answer_label(then_q, old.answers.get(then_id), locale)
                    if then_q is not None and kind != "new"
                    else "–",
                    presentation.answer_label(now_q, new.answers.get(move.question_id), locale)
                    if now_q is not None and kind != "gone"
                    else "–",
                )
            )
        if entries:
            groups.append(MoveGroup(kind, names[kind], tuple(entries)))
    return tuple(groups)


def _projection(
    old: Evaluation,
    old_catalogue: Catalogue,
    done_ids: set[str],
    now: Result,
    titles: Mapping[str, str],
    months: int,
) -> dict:
    """The earlier roadmap's projection for the phase due by now, that of the measures done, and now."""
    found = comparison.projection_since(
        old.plan, old.result, {m.id: m for m in old_catalogue.measures}, done_ids, now, months
    )
    if found is None:
        return {}
    rows = []
    for check in found.checks:
        if check.met is None:
            verdict = "–"
        elif check.met:
            verdict = _("met")
        else:
            short = max(1, round(check.short))
            verdict = ngettext("not met (%(num)s point short)", "not met (%(num)s points short)", short)
        rows.append(
            ProjectionRow(
                titles.get(check.field_id, check.field_id),
                _int(check.planned),
                _int(check.from_done),
                _int(check.now),
                check.met,
                verdict,
            )
        )
    return {
        "phase_due": found.due,
        "phase": found.phase.number,
        "phase_end": found.phase.end_month,
        "projection": tuple(rows),
    }


def _months_text(months: int, projection: Mapping) -> str:
    """How long ago the earlier round was, and which phase of its roadmap is due by now."""
    if not projection:
        return ""
    if projection["phase_due"]:
        return ngettext(
            "%(num)s month has passed since the earlier round: phase %(phase)s of its roadmap (to month "
            "%(end)s) should be finished.",
            "%(num)s months have passed since the earlier round: phase %(phase)s of its roadmap (to month "
            "%(end)s) should be finished.",
            months,
            phase=projection["phase"],
            end=projection["phase_end"],
        )
    return ngettext(
        "%(num)s month has passed since the earlier round: phase 1 of its roadmap runs to month %(end)s, "
        "so its projection is not due yet.",
        "%(num)s months have passed since the earlier round: phase 1 of its roadmap runs to month %(end)s, "
        "so its projection is not due yet.",
        months,
        end=projection["phase_end"],
    )


def chart(
    session: Session,
    loaded: Mapping[str, Catalogue],
    assessment: Assessment,
    evaluation: Evaluation,
    catalogue: Catalogue,
    locale: str,
    today: date,
) -> Chart:
    """The scores (overall and per field of this round's catalogue) over all stored rounds, oldest first."""
    scored: list[tuple[date, Result]] = []
    for round_ in rounds.chain(assessment):
        if round_ is assessment:
            scored.append(
                (_day(assessment.completed_at) if assessment.completed_at else today, evaluation.result)
            )
            continue
        round_catalogue = services.catalogue_of(session, loaded, round_)
        finished = round_.completed_at or round_.updated_at
        if round_catalogue is None or finished is None:
            continue
        scored.append((_day(finished), score_of(round_catalogue, round_, _day(finished))))
    titles = [(f.id, f.title.get(locale)) for f in catalogue.fields]
    lines = [(_("Overall"), [result.overall for _when, result in scored], OVERALL_STYLE, True)]
    for index, (field_id, title) in enumerate(titles):
        values = [_field_score(result, field_id) for _when, result in scored]
        lines.append((title, values, FIELD_STYLES[index % len(FIELD_STYLES)], False))
    return line_chart(
        [(format_date(day, "short"), format_date(day, "medium")) for day, _result in scored], lines
    )


def line_chart(
    dates: list[tuple[str, str]], lines: list[tuple[str, list, tuple[str, str, str], bool]]
) -> Chart:
    """Place the lines (label, scores per round, style, overall?) in the chart's plot area."""
    count = len(dates)
    step = max(1, -(-count // X_LABELS))
    xs = [round(LEFT + (RIGHT - LEFT) * (i / (count - 1) if count > 1 else 0.5), 1) for i in range(count)]
    labelled = [(count - 1 - i) % step == 0 for i in range(count)]
    series = []
    for label, values, (colour, dash, marker), overall in lines:
        points = tuple(None if v is None else (xs[i], y_of(v)) for i, v in enumerate(values))
        segments: list[list[tuple[float, float]]] = [[]]
        for point in points:
            if point is None:
                segments.append([])
            else:
                segments[-1].append(point)
        series.append(
            Series(
                label,
                tuple(_int(v) for v in values),
                points,
                tuple(tuple(s) for s in segments if len(s) > 1),
                colour,
                dash,
                marker,
                overall,
            )
        )
    description = "; ".join(
        f"{s.label}: " + " → ".join("–" if v is None else str(v) for v in s.values) for s in series
    )
    if dates:
        description = (
            ngettext(
                "Scores (0 to 100) in %(num)s round, on %(first)s.",
                "Scores (0 to 100) in %(num)s rounds, from %(first)s to %(last)s, oldest first.",
                count,
                first=dates[0][1],
                last=dates[-1][1],
            )
            + " "
            + description
        )
    return Chart(
        tuple(
            (x, short if shown else "", full)
            for x, (short, full), shown in zip(xs, dates, labelled, strict=True)
        ),
        tuple(series),
        description,
    )


def y_of(score: float) -> float:
    """The height of a score (0-100) in the chart."""
    return round(BOTTOM - (BOTTOM - TOP) * max(0.0, min(100.0, score)) / 100, 1)


# -- small helpers ------------------------------------------------------------------------


def _row(title: str, before: float | None, after: float | None, old: Result, new: Result) -> ScoreRow:
    return ScoreRow(
        title,
        _int(before),
        _int(after),
        _band(old.overall_band),
        _band(new.overall_band),
        _delta(before, after),
    )


def _field_score(result: Result, field_id: str) -> float | None:
    return next((f.score for f in result.fields if f.field_id == field_id), None)


def _measure_title(
    catalogue: Catalogue, assessment: Assessment, plan: roadmap.Roadmap, measure_id: str, locale: str
) -> str:
    """The measure's title as the earlier round's roadmap named it (its variant, its lighter way)."""
    measure = next((m for m in catalogue.measures if m.id == measure_id), None)
    if measure is None:
        return measure_id
    item = plan.item(measure_id)
    variant = item.variant if item is not None else catalogue.variants(assessment.profile()).get(measure_id)
    administration = presentation.administration_names(catalogue, assessment.association_kind, locale)
    return presentation.measure_text(
        measure, variant, locale, administration, item.fallback if item is not None else False
    ).title


def _delta(before: float | None, after: float | None) -> int | None:
    """Now minus then of the rounded scores, so that the row adds up as shown."""
    return None if before is None or after is None else _int(after) - _int(before)


def _band(band: str | None) -> str | None:
    return str(presentation.BAND_NAMES[band]) if band else None


def _int(value: float | None) -> int | None:
    return None if value is None else int(round(value))


def _day(moment: datetime | date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _date(day: date | None) -> str:
    return format_date(day, "long") if day is not None else ""


__all__ = ["Development", "board_of", "for_page", "for_report", "line_chart", "renames"]
