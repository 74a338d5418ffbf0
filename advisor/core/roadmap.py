"""PURE: scores + profile + priorities -> a phased, explained roadmap.

No Flask, no SQLAlchemy; deterministic (every ordering ends in a stable tie-break).

1. Candidates are the measures whose triggers hold for these answers and this profile.
2. Each candidate's benefit is the score gain on the questions it raises (up to the level
   it raises them to), per field, weighted by the field's relevance and by urgency from
   legal deadlines. Candidates are ranked: pressing legal duties first, then quick wins
   (small effort, at least median benefit), then benefit per person-day.
3. Scheduling walks that ranking. A measure's prerequisites are scheduled before it, also
   when they were not triggered themselves ("pulled in", with the reason). A dependent
   starts no earlier than its prerequisites' shortest duration after their start.
4. Three phases (0-6, 6-18, 18-36 months) have a capacity in person-days and parallel
   measures that depends on the staff band, so a small Gemeinde is not handed twenty
   parallel projects. What does not fit is listed as "later".
5. Projected field scores after each phase assume each scheduled measure reaches the
   levels it raises its questions to.

Person-days and months are sized to the municipality: a variant's own figures (and the
effort class they fall into), else the measure's scaled by the catalogue's ``sizing`` rule
for the profile (a Landkreis's e-file programme is several times a small town's), with
the effort class relative to the organisation's size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from advisor.catalogue.loader import Catalogue
from advisor.catalogue.schema import EFFORT_PERSON_DAYS, Measure, Sizing, Trigger
from advisor.core.rules import Fact, all_hold, triggered
from advisor.core.scoring import (
    DEFAULT_RELEVANCE,
    Priority,
    QuestionScore,
    Result,
    Urgency,
    duty_urgency,
)

#: (number, first month, end month) of the three phases.
PHASES = ((1, 0, 6), (2, 6, 18), (3, 18, 36))
#: Staff band -> (person-days a month for digitalisation measures, measures per phase).
#: About 0.2 full-time equivalents for the smallest band (4 person-days a month).
CAPACITY = {
    "lt20": (4.0, 3),
    "20-49": (8.0, 4),
    "50-199": (20.0, 6),
    "200-999": (50.0, 9),
    "1000+": (120.0, 12),
}
DEFAULT_STAFF_BAND = "20-49"
NO_URGENCY = Urgency(1.0)


@dataclass(frozen=True)
class Reason:
    """Why a measure is on the roadmap."""

    kind: str  # "answers" | "profile" | "priority" | "duty" | "prerequisite"
    question_ids: tuple[str, ...] = ()
    field_id: str | None = None
    measure_id: str | None = None
    duty_id: str | None = None
    due: date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class Size:
    """A measure's effort for one municipality, and the variant it is written in.

    ``person_days`` are the municipality's own: with a partner (its joint administration,
    IT service provider or district) doing most of the work, they are the coordination share,
    and ``whole_person_days`` the whole job, shown but not counted against the capacity.
    """

    person_days: tuple[int, int]
    duration_months: tuple[int, int]
    effort: str
    variant: int | None = None
    partner: str | None = None
    whole_person_days: tuple[int, int] | None = None

    @property
    def mean_person_days(self) -> float:
        """The midpoint the schedule plans with."""
        return (self.person_days[0] + self.person_days[1]) / 2


def size(
    catalogue: Catalogue, measure: Measure, profile: Mapping[str, str | None], fallback: bool = False
) -> Size:
    """Person-days, months and effort class of a measure (or of its lighter way) for this profile."""
    return _size(measure, catalogue.variants(profile)[measure.id], sizing_rule(catalogue, profile), fallback)


def sizing_rule(catalogue: Catalogue, profile: Mapping[str, str | None]) -> Sizing | None:
    """The first catalogue sizing rule that holds for the profile."""
    return next((z for z in catalogue.sizing if all_hold(z.when, {}, {}, profile)), None)


def _size(measure: Measure, index: int | None, rule: Sizing | None, fallback: bool = False) -> Size:
    """The size of the measure as written for this profile (or of its fallback, the lighter way)."""
    variant = measure.variants[index] if index is not None else None
    way = measure.fallback if fallback else variant
    partner = (way.partner if way is not None else None) or measure.partner
    days, months, effort = measure.person_days, measure.duration_months, measure.effort
    if measure.sized and rule is not None:
        # Scaled to the size of the organisation: the effort class stays relative to it
        # (a small step for a city is still a small step, with more person-days).
        days = [max(1, round(d * rule.person_days)) for d in days]
        months = [min(60, max(1, round(m * rule.duration))) for m in months]
    # The partner's whole job is never sized below the measure's own figures: the rules that
    # shrink them (a small Gemeinde, an Ortsgemeinde's own share) size the municipality's part.
    whole = [max(scaled, reference) for scaled, reference in zip(days, measure.person_days, strict=True)]
    if way is not None and way.person_days is not None:
        # Written for this kind of municipality (or the lighter way): its own figures and class.
        days = way.person_days
        months = way.duration_months or measure.duration_months
        effort = _effort_class(days)
    elif partner is not None:
        # The partner does the work: the municipality's part is its coordination share.
        days = [max(1, round(d * partner.own_share)) for d in days]
        effort = _effort_class(days)
    return Size(
        (days[0], days[1]),
        (months[0], months[1]),
        effort,
        index,
        partner.by if partner is not None else None,
        (max(whole[0], days[0]), max(whole[1], days[1])) if partner is not None else None,
    )


def _effort_class(days: list[int]) -> str:
    return next((k for k, (_, high) in EFFORT_PERSON_DAYS.items() if days[1] <= high), "L")


@dataclass(frozen=True)
class Lift:
    """Score points a measure is expected to add to one field."""

    field_id: str
    points: float


@dataclass(frozen=True)
class Item:
    """A scheduled measure."""

    measure_id: str
    field_id: str
    phase: int
    start_month: int
    end_month: int
    effort: str
    person_days: float
    size: Size
    benefit: float
    quick_win: bool
    pulled_in: bool
    urgency: Urgency
    variant: int | None
    reasons: tuple[Reason, ...]
    lifts: tuple[Lift, ...]
    #: Person-days beyond the phase's capacity that meeting a legal deadline needs (0: none);
    #: the roadmap says so in words instead of moving the measure to "later".
    over_capacity: float = 0.0
    #: Whether even an immediate start cannot finish before the deadline.
    too_late: bool = False
    #: Planned in the measure's shared or lighter way (its ``fallback``), because its own way
    #: would miss the deadline (``own_way_too_late``) or overrun the capacity by ``own_way_over``.
    fallback: bool = False
    own_way_over: float = 0.0
    own_way_too_late: bool = False


@dataclass(frozen=True)
class Phase:
    """One of the three phases with its load."""

    number: int
    start_month: int
    end_month: int
    measure_ids: tuple[str, ...]
    person_days: float
    capacity_person_days: float
    capacity_measures: int
    projected: Mapping[str, float | None]


@dataclass(frozen=True)
class Roadmap:
    """The phased plan."""

    items: tuple[Item, ...]
    phases: tuple[Phase, ...]
    later: tuple[str, ...]  # candidates that did not fit into 36 months, most valuable first
    #: Measure id in ``later`` -> why: "capacity" or "prerequisite" (its prerequisite did not fit).
    later_reasons: Mapping[str, str] = field(default_factory=dict)
    #: Questions of binding duties answered "weiß nicht": finding out comes first.
    clarify: tuple[str, ...] = ()

    def item(self, measure_id: str) -> Item | None:
        """The scheduled item of a measure."""
        return next((i for i in self.items if i.measure_id == measure_id), None)


@dataclass
class _Candidate:
    measure: Measure
    benefit: float
    lifts: tuple[Lift, ...]
    urgency: Urgency
    reasons: tuple[Reason, ...]
    size: Size
    pulled_in: bool = False
    quick_win: bool = False
    trigger: Trigger | None = None  # reasons are spelled out only for scheduled measures
    rank: tuple = ()

    @property
    def person_days(self) -> float:
        return self.size.mean_person_days


def build(
    catalogue: Catalogue,
    result: Result,
    answers: Mapping[str, Fact],
    profile: Mapping[str, str | None],
    priorities: Mapping[str, Priority],
    today: date,
    capacity_days_per_year: float | None = None,
) -> Roadmap:
    """Select, rank and schedule measures; project field scores per phase.

    ``capacity_days_per_year`` overrides the capacity of the staff band (person-days a year
    the municipality can give); measures in parallel follow the band of that capacity.
    """
    measures = {m.id: m for m in catalogue.measures}
    urgencies = {d.id: duty_urgency(catalogue, d, profile, today) for d in catalogue.duties}
    rule = sizing_rule(catalogue, profile)
    variants = catalogue.variants(profile)
    field_weights = _applicable_weights(result)
    field_order = {f.id: i for i, f in enumerate(catalogue.fields)}

    def evaluate(measure: Measure, reasons: tuple[Reason, ...], pulled_in: bool) -> _Candidate:
        lifts, urgency = _lifts(catalogue, result, field_weights, field_order, measure, urgencies)
        benefit = (
            sum(lift.points * _relevance(priorities, lift.field_id) / DEFAULT_RELEVANCE for lift in lifts)
            * urgency.factor
        )
        if urgency.duty_id is not None:
            reasons = (
                *reasons,
                Reason("duty", duty_id=urgency.duty_id, due=urgency.due, overdue=urgency.overdue),
            )
        return _Candidate(
            measure,
            benefit,
            lifts,
            urgency,
            reasons,
            _size(measure, variants[measure.id], rule),
            pulled_in,
        )

    candidates: dict[str, _Candidate] = {}
    for measure in catalogue.measures:
        trigger = triggered(measure.triggers, catalogue.questions, answers, profile)
        if trigger is None:
            continue
        candidate = evaluate(measure, (), False)
        candidate.trigger = trigger
        if candidate.benefit > 0:
            candidates[measure.id] = candidate
    if candidates:
        benefits = sorted(c.benefit for c in candidates.values())
        median = benefits[len(benefits) // 2]
        for c in candidates.values():
            c.quick_win = c.size.effort == "S" and c.benefit >= median
            c.rank = _rank_key(c)

    ranked = sorted(candidates.values(), key=lambda c: c.rank)
    per_month, per_phase = capacity(profile, capacity_days_per_year)
    load = {number: [0.0, 0] for number, _, _ in PHASES}
    scheduled: dict[str, Item] = {}
    later: dict[str, str] = {}

    def place(candidate: _Candidate, earliest: int) -> tuple[int, int, float, bool] | None:
        """Phase, start month, person-days over capacity and whether it is too late.

        A measure goes into the first phase with room for it; one larger than a phase may take
        an empty phase alone. A measure needed for a dated duty must also finish (at its
        shortest duration) before the deadline: it takes the first phase with room that allows
        that, else the phase before the deadline where the fewest person-days are missing
        (earliest first), else the first phase, too late.
        """
        dated = candidate.urgency.due is not None
        # A passed deadline cannot be met any more: the measure starts as soon as possible.
        due = None if candidate.urgency.overdue else _due_month(candidate.urgency, today)
        shortest = candidate.size.duration_months[0]
        options = []
        for number, start, end in PHASES:
            begin = max(start, earliest)
            if begin >= end:
                continue
            used_days, used_count = load[number]
            over = max(0.0, used_days + candidate.person_days - per_month * (end - start))
            in_time = due is None or begin + shortest <= due
            room = used_count < per_phase and over == 0
            if in_time and (room or (used_count == 0 and not dated)):
                return number, begin, 0.0, False
            options.append((number, begin, over, in_time))
        if not dated or not options:
            return None
        in_time = [o for o in options if o[3]]
        if in_time:
            number, begin, over, _ = min(in_time, key=lambda o: (o[2], o[0]))
            return number, begin, over, False
        number, begin, over, _ = options[0]
        return number, begin, over, True

    def schedule(candidate: _Candidate, chain: tuple[str, ...], force: bool = False) -> Item | None:
        measure = candidate.measure
        if measure.id in scheduled:
            return scheduled[measure.id]
        if measure.id in later and not force:
            return None
        # Prerequisites scheduled for this measure are undone if the measure itself does not
        # fit: a pulled-in prerequisite always has a planned dependent.
        before, loads = set(scheduled), {k: list(v) for k, v in load.items()}
        earliest = 0
        for prerequisite_id in measure.prerequisites:
            if prerequisite_id in chain:  # the catalogue check forbids cycles; stay safe
                continue
            prerequisite = candidates.get(prerequisite_id)
            if prerequisite is None and not any(
                result.questions[r.question].applicable for r in measures[prerequisite_id].raises
            ):
                continue  # someone else's work (the joint administration's, the Kreis's): not planned here
            if prerequisite is None:
                reason = Reason("prerequisite", measure_id=measure.id)
                prerequisite = evaluate(measures[prerequisite_id], (reason,), True)
                prerequisite.rank = _rank_key(prerequisite)
                candidates[prerequisite_id] = prerequisite
            # A duty's prerequisites share its deadline.
            if candidate.urgency.due is not None and prerequisite.urgency.due is None:
                prerequisite.urgency = candidate.urgency
            item = schedule(prerequisite, (*chain, measure.id), force)
            if item is None:
                _undo(scheduled, load, before, loads)
                later[measure.id] = "prerequisite"
                return None
            earliest = max(earliest, item.start_month + item.size.duration_months[0])
        placed = place(candidate, earliest)
        own_way = None  # where the measure's own way would have gone, when the lighter way is planned
        if placed is not None and measure.fallback is not None and (placed[2] > 0 or placed[3]):
            # The deadline cannot be kept this way: plan the shared or lighter way if it does better.
            lighter = replace(candidate, size=_size(measure, candidate.size.variant, rule, fallback=True))
            other = place(lighter, earliest)
            if other is not None and (other[3], other[2]) < (placed[3], placed[2]):
                candidate, placed, own_way = lighter, other, placed
        if placed is None and force:
            placed = _emptiest(load, earliest, per_month)
        if placed is None:
            _undo(scheduled, load, before, loads)
            later[measure.id] = "capacity"
            return None
        number, begin, over, too_late = placed
        later.pop(measure.id, None)
        load[number] = [load[number][0] + candidate.person_days, load[number][1] + 1]
        item = Item(
            measure_id=measure.id,
            field_id=measure.field,
            phase=number,
            start_month=begin,
            end_month=begin + candidate.size.duration_months[1],
            effort=candidate.size.effort,
            person_days=candidate.person_days,
            size=candidate.size,
            benefit=candidate.benefit,
            quick_win=candidate.quick_win and number == 1,
            pulled_in=candidate.pulled_in,
            urgency=candidate.urgency,
            variant=candidate.size.variant,
            reasons=(
                _trigger_reasons(candidate.trigger, measure, priorities) + candidate.reasons
                if candidate.trigger is not None
                else candidate.reasons
            ),
            lifts=candidate.lifts,
            over_capacity=over,
            too_late=too_late,
            fallback=own_way is not None,
            own_way_over=own_way[2] if own_way is not None else 0.0,
            own_way_too_late=own_way is not None and own_way[3],
        )
        scheduled[measure.id] = item
        return item

    # 1. Dated duties that bind the municipality (overdue first), 2. the best measure of each
    # field rated 4 or 5, 3. the rest by rank.
    for candidate in ranked:
        if candidate.urgency.due is not None:
            schedule(candidate, ())
    for field_id in sorted(
        (f.id for f in catalogue.fields if _relevance(priorities, f.id) >= 4),
        key=lambda f: (-_relevance(priorities, f), field_order[f]),
    ):
        lifting = [
            (next(x.points for x in c.lifts if x.field_id == field_id), -position, c)
            for position, c in enumerate(ranked)
            if any(lift.field_id == field_id for lift in c.lifts)
        ]
        if lifting and not any(any(x.field_id == field_id for x in i.lifts) for i in scheduled.values()):
            schedule(max(lifting, key=lambda t: t[:2])[2], (), force=True)
    for candidate in ranked:
        schedule(candidate, ())

    items = sorted(scheduled.values(), key=lambda i: (i.phase, i.start_month, candidates[i.measure_id].rank))
    phases = []
    projection = _Projection(result)
    for number, start, end in PHASES:
        in_phase = [i for i in items if i.phase == number]
        for item in in_phase:
            projection.reach(measures[item.measure_id])
        phases.append(
            Phase(
                number,
                start,
                end,
                tuple(i.measure_id for i in in_phase),
                sum(i.person_days for i in in_phase),
                per_month * (end - start),
                per_phase,
                projection.scores(),
            )
        )
    # Pulled-in prerequisites that did not fit are not advice of their own.
    waiting = sorted(
        (m for m in later if not candidates[m].pulled_in), key=lambda m: (-candidates[m].benefit, m)
    )
    clarify = tuple(
        qid
        for qid, qs in result.questions.items()
        if qs.state == "unknown" and urgencies.get(catalogue.questions[qid].duty or "", NO_URGENCY).duty_id
    )
    return Roadmap(tuple(items), tuple(phases), tuple(waiting), {m: later[m] for m in waiting}, clarify)


class _Projection:
    """Field scores as measures reach the levels they raise their questions to.

    Running weighted sums per field: a raise changes one question's score, so each measure
    only adds the differences (the same weighted mean as ``scoring.field_score``). A question
    already at or above the level stays as it is; questions that do not count stay out.
    """

    def __init__(self, result: Result) -> None:
        self.result = result
        self.weights = _applicable_weights(result)
        self.levels = {qid: qs.score or 0.0 for qid, qs in result.questions.items() if qs.applicable}
        self.sums = {f.field_id: 0.0 for f in result.fields}
        for qid, value in self.levels.items():
            qs = result.questions[qid]
            self.sums[qs.field_id] = self.sums.get(qs.field_id, 0.0) + value * qs.weight

    def reach(self, measure: Measure) -> None:
        """Raise the questions ``measure`` raises to its levels."""
        for raised in measure.raises:
            old = self.levels.get(raised.question)
            if old is not None and old < raised.to_level / 4:
                qs = self.result.questions[raised.question]
                self.sums[qs.field_id] += (raised.to_level / 4 - old) * qs.weight
                self.levels[raised.question] = raised.to_level / 4

    def scores(self) -> dict[str, float | None]:
        """Field id -> the projected score (0-100); None for a field where nothing counts."""
        return {
            field_id: 100 * total / self.weights[field_id] if self.weights.get(field_id) else None
            for field_id, total in self.sums.items()
        }


def project(
    result: Result, measures: Mapping[str, Measure], measure_ids: Iterable[str]
) -> dict[str, float | None]:
    """Field scores once the given measures reach the levels they raise their questions to.

    What the roadmap projects after each phase, for any set of measures (for instance those
    marked done since): ``measures`` by id (a catalogue's), ids it does not know are ignored.
    """
    projection = _Projection(result)
    for measure_id in dict.fromkeys(measure_ids):
        measure = measures.get(measure_id)
        if measure is not None:
            projection.reach(measure)
    return projection.scores()


def phase_due(plan: Roadmap, months: int) -> Phase | None:
    """The last phase that should be finished ``months`` after the plan was made.

    While the first phase still runs, the first phase (its ``end_month`` says when it is due);
    None for a plan without phases.
    """
    if not plan.phases:
        return None
    finished = [p for p in plan.phases if p.end_month <= months]
    return finished[-1] if finished else plan.phases[0]


def capacity(profile: Mapping[str, str | None], days_per_year: float | None = None) -> tuple[float, int]:
    """Person-days a month and measures per phase: entered, or from the staff band."""
    per_month, per_phase = CAPACITY.get(profile.get("staff_band") or "", CAPACITY[DEFAULT_STAFF_BAND])
    if days_per_year is None:
        return per_month, per_phase
    per_month = days_per_year / 12
    # As many measures in parallel as the largest band whose capacity this reaches.
    per_phase = max(
        [count for days, count in CAPACITY.values() if days <= per_month] or [CAPACITY["lt20"][1]]
    )
    return per_month, per_phase


def _due_month(urgency: Urgency, today: date) -> int | None:
    """Months from today to a duty's deadline; None without a deadline, 0 when it has passed."""
    if urgency.due is None:
        return None
    months = (urgency.due.year - today.year) * 12 + urgency.due.month - today.month
    return max(0, months)


def _undo(scheduled: dict[str, Item], load: dict, before: set[str], loads: dict) -> None:
    for measure_id in set(scheduled) - before:
        del scheduled[measure_id]
    load.update(loads)


def _emptiest(load: dict, earliest: int, per_month: float) -> tuple[int, int, float, bool] | None:
    """The phase with the most free person-days (for a high-relevance field's one measure)."""
    options = [
        (per_month * (end - start) - load[number][0], number, max(start, earliest))
        for number, start, end in PHASES
        if max(start, earliest) < end
    ]
    if not options:
        return None
    free, number, begin = max(options, key=lambda o: (o[0], -o[1]))
    return number, begin, max(0.0, -free), False


def _rank_key(candidate: _Candidate) -> tuple:
    """Dated duties first, by deadline (passed ones first); then quick wins, then benefit per day."""
    due = candidate.urgency.due
    ratio = candidate.benefit / max(candidate.person_days, 0.5)
    return (due is None, due or date.max, not candidate.quick_win, -ratio, candidate.measure.id)


def _relevance(priorities: Mapping[str, Priority], field_id: str) -> int:
    priority = priorities.get(field_id)
    return DEFAULT_RELEVANCE if priority is None or priority.relevance is None else priority.relevance


def _applicable_weights(result: Result) -> dict[str, float]:
    weights: dict[str, float] = {}
    for qs in result.questions.values():
        if qs.applicable:
            weights[qs.field_id] = weights.get(qs.field_id, 0.0) + qs.weight
    return weights


def _lifts(
    catalogue: Catalogue,
    result: Result,
    field_weights: Mapping[str, float],
    field_order: Mapping[str, int],
    measure: Measure,
    urgencies: Mapping[str, Urgency],
) -> tuple[tuple[Lift, ...], Urgency]:
    points: dict[str, float] = {}
    urgency = urgencies.get(measure.duty or "", NO_URGENCY)
    for raised in measure.raises:
        qs: QuestionScore = result.questions[raised.question]
        if not qs.applicable:
            continue
        gain = raised.to_level / 4 - (qs.score or 0.0)
        if gain <= 0:
            continue
        points[qs.field_id] = (
            points.get(qs.field_id, 0.0) + 100 * gain * qs.weight / field_weights[qs.field_id]
        )
        duty = catalogue.questions[raised.question].duty
        if duty is not None:
            other = urgencies.get(duty, NO_URGENCY)
            if (other.factor, other.duty_id or "") > (urgency.factor, urgency.duty_id or ""):
                urgency = other
    lifts = tuple(Lift(f, p) for f, p in sorted(points.items(), key=lambda kv: field_order[kv[0]]))
    return lifts, urgency


def _trigger_reasons(
    trigger: Trigger, measure: Measure, priorities: Mapping[str, Priority]
) -> tuple[Reason, ...]:
    reasons = [Reason("answers", tuple(dict.fromkeys(c.question for c in trigger.when if c.question)))]
    if any(c.profile for c in trigger.when):
        reasons.append(Reason("profile"))
    relevance = _relevance(priorities, measure.field)
    if measure.field in {p for p in priorities} and relevance >= 4:
        reasons.append(Reason("priority", field_id=measure.field))
    return tuple(reasons)
