"""PURE: the roadmap as the advisor leaves it: catalogue measures adjusted or removed, own ones added.

The roadmap core (:mod:`advisor.core.roadmap`) plans from the catalogue alone; an advisor who ran
the assessment with the municipality may know better. This overlay does not plan again: it
takes the built roadmap and the advisor's entries and says what each phase shows.

* ``adjust``: a scheduled catalogue measure keeps its place in the plan, with the phase,
  effort class or text the advisor set (and the reason), marked as changed by the advisor.
  Moved to another phase it starts with that phase.
* ``remove``: the measure leaves its phase and is listed with the reason.
* ``add``: the advisor's own measure, in its phase, marked as the advisor's recommendation.

Honest sums: a phase's person-days count the catalogue measures it shows with the person-days
the core sized for this municipality (moved ones count where they now are, removed ones
nowhere). An effort class the advisor set, and the advisor's own measures, have no sized
person-days; they are not in the sums, and ``uncounted`` says how many such measures a
phase has. Projected scores stay the core's.

Entries about measures that are not on the roadmap (any more: answers or the catalogue
changed since) and own measures without a valid phase are returned as ``unmatched`` for
the advisor to tidy up; they change nothing. Of several entries about one measure the
last (highest id) counts.

No Flask, no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from advisor.core.roadmap import PHASES, Item, Roadmap

ADD, ADJUST, REMOVE = "add", "adjust", "remove"
EFFORTS = ("S", "M", "L")


@dataclass(frozen=True)
class Entry:
    """One of the advisor's entries, as stored."""

    id: int
    action: str  # "add" | "adjust" | "remove"
    measure_id: str | None = None
    title: str = ""
    text: str = ""
    phase: int | None = None
    effort: str | None = None
    responsible: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Shown:
    """A scheduled catalogue measure as shown, with what the advisor changed about it."""

    item: Item
    phase: int
    start_month: int
    end_month: int
    effort: str
    #: The advisor's text in place of the catalogue's summary ("" : the catalogue's).
    text: str = ""
    reason: str = ""
    #: What the advisor changed: a subset of ("phase", "effort", "text"), in that order.
    changed: tuple[str, ...] = ()
    entry_id: int | None = None

    @property
    def adjusted(self) -> bool:
        """Whether the advisor changed anything about this measure."""
        return bool(self.changed)

    @property
    def counted(self) -> bool:
        """Whether its person-days are in the phase's sum (not when the advisor set the effort)."""
        return "effort" not in self.changed


@dataclass(frozen=True)
class Removed:
    """A scheduled catalogue measure the advisor took off the roadmap, and why."""

    item: Item
    reason: str
    entry_id: int


@dataclass(frozen=True)
class AdvisedPhase:
    """One phase with the catalogue measures it shows and the advisor's own measures."""

    number: int
    start_month: int
    end_month: int
    items: tuple[Shown, ...]
    own: tuple[Entry, ...]
    #: Person-days of the counted catalogue measures (see the module's note on honest sums).
    person_days: float
    capacity_person_days: float
    #: Measures shown in the phase whose effort is not in ``person_days``.
    uncounted: int

    @property
    def count(self) -> int:
        """All measures the phase shows."""
        return len(self.items) + len(self.own)


@dataclass(frozen=True)
class Advised:
    """The roadmap with the advisor's entries applied."""

    phases: tuple[AdvisedPhase, ...]
    removed: tuple[Removed, ...]
    unmatched: tuple[Entry, ...]

    def shown(self, measure_id: str) -> Shown | None:
        """How a catalogue measure is shown, if it still is."""
        return next((s for p in self.phases for s in p.items if s.item.measure_id == measure_id), None)

    @property
    def changed(self) -> bool:
        """Whether the advisor changed the roadmap at all."""
        return bool(self.removed) or any(p.own or any(s.adjusted for s in p.items) for p in self.phases)


def apply(plan: Roadmap, entries: Iterable[Entry]) -> Advised:
    """The phases as shown with the advisor's entries; see the module's docstring."""
    ordered = sorted(entries, key=lambda e: e.id)
    scheduled = {item.measure_id for item in plan.items}
    about: dict[str, Entry] = {}
    own: list[Entry] = []
    unmatched: list[Entry] = []
    for entry in ordered:
        if entry.action == ADD and _phase(entry.phase) is not None:
            own.append(entry)
        elif entry.action in (ADJUST, REMOVE) and entry.measure_id in scheduled:
            previous = about.get(entry.measure_id)
            if previous is not None:
                unmatched.append(previous)  # superseded
            about[entry.measure_id] = entry
        else:
            unmatched.append(entry)

    shown: list[tuple[int, Shown]] = []
    removed: list[Removed] = []
    for index, item in enumerate(plan.items):
        entry = about.get(item.measure_id)
        if entry is not None and entry.action == REMOVE:
            removed.append(Removed(item, entry.reason, entry.id))
            continue
        shown.append((index, _adjusted(item, entry) if entry is not None else _unchanged(item)))

    phases = []
    for number, start, end in PHASES:
        core = next((p for p in plan.phases if p.number == number), None)
        items = tuple(
            s for _, s in sorted(((i, s) for i, s in shown if s.phase == number), key=lambda t: _order(t))
        )
        own_here = tuple(e for e in own if e.phase == number)
        phases.append(
            AdvisedPhase(
                number=number,
                start_month=start,
                end_month=end,
                items=items,
                own=own_here,
                person_days=sum(s.item.person_days for s in items if s.counted),
                capacity_person_days=core.capacity_person_days if core is not None else 0.0,
                uncounted=sum(1 for s in items if not s.counted) + len(own_here),
            )
        )
    return Advised(tuple(phases), tuple(removed), tuple(sorted(unmatched, key=lambda e: e.id)))


def _order(pair: tuple[int, Shown]) -> tuple[int, int]:
    index, shown = pair
    return shown.start_month, index


def _phase(value: int | None) -> int | None:
    return value if value in (number for number, _, _ in PHASES) else None


def _unchanged(item: Item) -> Shown:
    return Shown(item, item.phase, item.start_month, item.end_month, item.effort)


def _adjusted(item: Item, entry: Entry) -> Shown:
    changed = []
    phase, start, end = item.phase, item.start_month, item.end_month
    target = _phase(entry.phase)
    if target is not None and target != item.phase:
        changed.append("phase")
        phase = target
        start = next(first for number, first, _ in PHASES if number == target)
        end = start + (item.end_month - item.start_month)
    effort = item.effort
    if entry.effort in EFFORTS and entry.effort != item.effort:
        changed.append("effort")
        effort = entry.effort
    text = entry.text.strip()
    if text:
        changed.append("text")
    return Shown(item, phase, start, end, effort, text, entry.reason, tuple(changed), entry.id)
