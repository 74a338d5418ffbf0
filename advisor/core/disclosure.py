"""PURE: the published statistics tables of one snapshot, and which of their cells must be withheld.

Associations see aggregates by Land, municipality type and size band, never a single
municipality (issue 14, docs/disclosure.md). This module turns a snapshot's records into the
fixed set of published tables and decides what may be shown:

* Tables: by state, by type, by size, and by each pair of them, each with its margins ("*").
  A cell counts assessments (``n``) and gives mean, median and quartiles per field and
  overall. All tables are projections of one unpublished cross-classification
  state x type x size; that is what an attacker who combines tables works against.
* Primary suppression: a cell of one dimension (and the grand total) needs at least
  ``MIN_COUNT`` assessments, a cell combining two dimensions ``MIN_COUNT_COMBINED``.
* Empty cells are published as ``n = 0``: there is nobody to protect, and many are known
  anyway (no Landkreis has 500 inhabitants). For that reason they are never used to hide
  another cell, and an attacker is assumed to know that a withheld cell is not empty.
* Secondary suppression, across all tables at once (a Land's margin appears in three of
  them): no line (a margin and its parts) may hold exactly one withheld count, which would be
  the difference; and a published margin minus its published parts, which gives the count and
  (through the means) the sum of the withheld parts together, must leave a group as large as
  a published part would have to be, or the whole margin.
* Complements cost information and are chosen to lose least: cells of two dimensions before
  cells of one, the grand total last; no part whose withholding would force a margin out; then
  the smallest count. A pair-table row whose parts are all withheld keeps its margin.
* Audit: two linear programs per withheld cell bound its count from everything published
  (HiGHS). The range must hold at least two whole counts; if not, more is withheld (cheapest
  first, among the cells its bounds rest on) and the audit repeats. A wider required range
  would turn the 5-rule into an 11-rule: a Land's margin of 5 with its types withheld cannot
  leave any type a range of 10. The group a small range could expose is covered by the
  remainder rule above. The audit reads nothing but the published figures, so anyone can rerun
  it on an export.
* Statistics are published only with a published count, so means give no more than counts:
  the sums an attacker could form (mean x n) obey the same equations as the counts. A field's
  statistics in a published cell are withheld when fewer than the cell's threshold scored it.

Plain data in and out: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import highspy
import numpy as np

#: The dimensions of the cross-classification, in the order of a cell key.
DIMENSIONS: tuple[str, ...] = ("state", "type", "size")
#: The published tables, by the dimensions they classify by.
TABLES: tuple[tuple[str, ...], ...] = (
    ("state",),
    ("type",),
    ("size",),
    ("state", "type"),
    ("state", "size"),
    ("type", "size"),
)
MARGIN = "*"
OVERALL = "overall"
#: Smallest published group of one dimension (and of everything).
MIN_COUNT = 5
#: Smallest published group that combines two dimensions.
MIN_COUNT_COMBINED = 10

#: Why the audit objects to a cell.
BELOW_THRESHOLD = "below_threshold"  # a published count under its threshold
NARROW = "narrow"  # a withheld count the published ones determine (or bound too tightly)
SMALL_REMAINDER = "small_remainder"  # a margin minus its published parts leaves a small group
INCONSISTENT = "inconsistent"  # one cell with different figures in two tables
WITHHELD_WITH_DATA = "withheld_with_data"  # a withheld cell that still carries figures

#: A cell of any table, as (state, type, size) with None for a margin.
Key = tuple[str | None, str | None, str | None]
TOTAL: Key = (None, None, None)
_INDEX = {d: i for i, d in enumerate(DIMENSIONS)}
#: Which dimensions each kind of cell keeps: the grand total, the three singles, the three pairs.
_PROJECTIONS: tuple[tuple[int, ...], ...] = ((), (0,), (1,), (2,), (0, 1), (0, 2), (1, 2))
#: How many whole counts beyond one a withheld cell's range must leave open (1: at least two
#: possible counts, so the count, and with it the sum behind a mean, cannot be worked out).
MIN_RANGE = 1
_EPSILON = 1e-6
#: How many single cells the repair of an exposed count tries before it settles for a partial step.
_TRIALS = 40


@dataclass(frozen=True)
class Record:
    """One assessment of a snapshot: where it belongs and its scores (0-100, None when not scored)."""

    state: str
    municipality_type: str
    size_band: str
    scores: Mapping[str, float | None]

    @property
    def key(self) -> Key:
        """Its cell in the finest (unpublished) cross-classification."""
        return (self.state, self.municipality_type, self.size_band)


@dataclass(frozen=True)
class FieldStats:
    """Statistics of one field in one published cell.

    All None either because nobody in the cell scored the field (``suppressed`` False) or
    because fewer than the cell's threshold did (``suppressed`` True): quartiles of three values
    would come close to showing the values themselves.
    """

    mean: float | None = None
    median: float | None = None
    p25: float | None = None
    p75: float | None = None
    suppressed: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of issue 14."""
        return {
            "mean": self.mean,
            "median": self.median,
            "p25": self.p25,
            "p75": self.p75,
            "suppressed": self.suppressed,
        }


@dataclass(frozen=True)
class Cell:
    """One cell of a table; ``values`` follow the table's dimensions, ``"*"`` for a margin.

    ``n`` is the number of assessments in the cell, None when withheld. A withheld cell has no
    field statistics; a published one has an entry for every field.
    """

    values: tuple[str, ...]
    n: int | None
    suppressed: bool
    fields: Mapping[str, FieldStats] = field(default_factory=dict)

    def to_dict(self, dimensions: Sequence[str]) -> dict[str, Any]:
        """The JSON shape of issue 14."""
        out: dict[str, Any] = dict(zip(dimensions, self.values, strict=True))
        out["n"] = self.n
        out["suppressed"] = self.suppressed
        out["fields"] = {name: stats.to_dict() for name, stats in self.fields.items()}
        return out


@dataclass(frozen=True)
class Table:
    """One published table: all combinations of its dimensions' values, then the margins."""

    id: str
    dimensions: tuple[str, ...]
    cells: tuple[Cell, ...]

    def cell(self, **values: str) -> Cell:
        """The cell with these values (``"*"`` for a margin), for tests and pages."""
        wanted = tuple(values[d] for d in self.dimensions)
        return next(c for c in self.cells if c.values == wanted)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of issue 14."""
        return {
            "id": self.id,
            "dimensions": list(self.dimensions),
            "cells": [c.to_dict(self.dimensions) for c in self.cells],
        }


@dataclass(frozen=True)
class Exposure:
    """A cell the audit objects to, with the range of counts the published figures leave open."""

    cell: Mapping[str, str]  # every dimension, "*" where the cell is a margin
    reason: str
    low: float | None = None
    high: float | None = None
    required: int | None = None


@dataclass(frozen=True)
class Summary:
    """How a publication came about; for logs and the operator, not for publication.

    The split into primary and secondary must not be published: knowing that a withheld cell
    is primary tells an attacker its count is below the threshold.
    """

    assessments: int
    cells: int  # distinct cells over all tables (a Land's margin counts once)
    withheld: int
    primary: int
    secondary: int
    audit_rounds: int
    linear_programs: int
    exposures: tuple[Exposure, ...]  # what the final audit found: empty, or publish() failed


@dataclass(frozen=True)
class Publication:
    """The published tables of one snapshot."""

    tables: tuple[Table, ...]
    fields: tuple[str, ...]
    values: Mapping[str, tuple[str, ...]]
    summary: Summary

    def table(self, table_id: str) -> Table:
        """One table by id ("state", "state-type", ...)."""
        return next(t for t in self.tables if t.id == table_id)

    def to_dict(self) -> dict[str, Any]:
        """The ``tables`` part of issue 14's JSON; the snapshot's own data is added by the caller."""
        return {"tables": [t.to_dict() for t in self.tables]}


def threshold(key: Key) -> int:
    """The smallest publishable count of a cell: higher where two dimensions combine."""
    return MIN_COUNT_COMBINED if sum(v is not None for v in key) == 2 else MIN_COUNT


def table_id(dimensions: Sequence[str]) -> str:
    """The id of the table over these dimensions."""
    return "-".join(dimensions)


def publish(
    records: Iterable[Record],
    fields: Sequence[str],
    *,
    values: Mapping[str, Sequence[str]] | None = None,
) -> Publication:
    """Build the published tables of one snapshot, with every disclosure-control step applied.

    ``fields`` are the field ids to publish; ``"overall"`` is always published first.
    ``values`` may give, per dimension, every possible value (from the catalogue), so that
    tables keep their shape between snapshots; otherwise the values present are used.
    Raises ValueError for a record whose value is not among ``values``.
    """
    records = list(records)
    names = tuple(dict.fromkeys((OVERALL, *fields)))
    axes = _axes(records, values)
    finest = Counter(r.key for r in records)
    counts = _counts(axes, finest)
    relations, by_cell = _relations(axes)
    order = {k: i for i, k in enumerate(counts)}

    primary = {k for k, n in counts.items() if 0 < n < threshold(k)}
    withheld = set(primary)
    _complete(counts, withheld, relations, by_cell, order)

    bounds = _Bounds(axes, counts, withheld)
    pending = sorted(withheld, key=order.__getitem__)
    rounds = 0
    exposed: list[Exposure] = []
    while pending:
        rounds += 1
        exposed = [e for e in (bounds.exposure(k) for k in pending) if e is not None]
        if not exposed:
            break
        before = set(withheld)
        for exposure in exposed:
            _repair(_key_of(exposure.cell), counts, withheld, relations, by_cell, order, bounds)
        added = withheld - before
        if not added:
            break  # cannot happen: with every count withheld nothing is bounded; reported if it does
        # Withholding only turns equations into "at least one", so cells that passed stay protected:
        # only the exposed and the newly withheld need another look.
        pending = sorted({_key_of(e.cell) for e in exposed} | added, key=order.__getitem__)

    groups = _group_scores(records, names)
    tables = tuple(_table(dims, axes, counts, withheld, groups, names) for dims in TABLES)
    summary = Summary(
        assessments=len(records),
        cells=len(counts),
        withheld=len(withheld),
        primary=len(primary),
        secondary=len(withheld - primary),
        audit_rounds=rounds,
        linear_programs=bounds.solved,
        exposures=tuple(exposed),
    )
    return Publication(tables, names, dict(zip(DIMENSIONS, axes, strict=True)), summary)


def audit(publication: Publication | Mapping[str, Any]) -> list[Exposure]:
    """Check published tables (a Publication or its JSON) against differencing, from their figures alone.

    Reports published counts below their threshold, cells whose figures differ between tables,
    withheld cells that still carry figures, published margins whose published parts leave a
    small group (count and mean of the withheld parts together), and withheld cells whose count
    the published counts determine (linear programs over the unpublished state x type x size
    counts, which are non-negative; a withheld cell is known to be non-empty because empty cells
    are published). An empty list means the tables pass.
    """
    data = publication.to_dict() if isinstance(publication, Publication) else publication
    exposures: list[Exposure] = []
    seen: dict[Key, int | None] = {}
    axes_seen: list[dict[str, None]] = [{} for _ in DIMENSIONS]
    for table in data["tables"]:
        dims = tuple(table["dimensions"])
        for cell in table["cells"]:
            key = _key_from(dims, cell)
            for i, value in enumerate(key):
                if value is not None:
                    axes_seen[i].setdefault(value)
            n = None if cell["suppressed"] else cell["n"]
            if cell["suppressed"] and (cell["n"] is not None or cell["fields"]):
                exposures.append(Exposure(_cell_of(key), WITHHELD_WITH_DATA))
            if n is not None and 0 < n < threshold(key):
                exposures.append(Exposure(_cell_of(key), BELOW_THRESHOLD, n, n, threshold(key)))
            if key in seen and seen[key] is not None and n is not None and seen[key] != n:
                exposures.append(Exposure(_cell_of(key), INCONSISTENT, seen[key], n))
            if seen.get(key) is None:
                seen[key] = n  # published anywhere means known everywhere
    axes = tuple(tuple(a) for a in axes_seen)
    known = {k: n for k, n in seen.items() if n is not None}
    withheld = [k for k, n in seen.items() if n is None]
    # Cells no table lists are unknown to the attacker as well: they constrain nothing.
    relations, _ = _relations(axes)
    hidden = set(withheld)
    for relation in relations:
        whole, parts = relation
        if all(k in seen for k in (whole, *parts)) and _small_remainder(relation, seen, hidden):
            rest = seen[whole] - sum(seen[p] or 0 for p in parts)  # type: ignore[operator]
            exposures.append(Exposure(_cell_of(whole), SMALL_REMAINDER, rest, rest, threshold(parts[0])))
    try:
        bounds = _Bounds(axes, {**known, **dict.fromkeys(withheld, 1)}, hidden, listed=set(seen))
    except _Inconsistent as error:
        return [*exposures, Exposure(_cell_of(error.key), INCONSISTENT)]
    exposures.extend(e for e in (bounds.exposure(k) for k in withheld) if e is not None)
    return exposures


# --- building the tables -------------------------------------------------------------------


def _axes(records: list[Record], values: Mapping[str, Sequence[str]] | None) -> tuple[tuple[str, ...], ...]:
    present = [sorted({r.key[i] for r in records}) for i in range(len(DIMENSIONS))]
    axes = []
    for i, dim in enumerate(DIMENSIONS):
        given = (values or {}).get(dim)
        if given is None:
            axes.append(tuple(present[i]))
            continue
        given = tuple(dict.fromkeys(given))
        if MARGIN in given:
            raise ValueError(f'"{MARGIN}" is the margin and cannot be a value of {dim}')
        unknown = set(present[i]) - set(given)
        if unknown:
            raise ValueError(f"{dim} values not in the given list: {', '.join(sorted(unknown))}")
        axes.append(given)
    return tuple(axes)


def _project(key: Key, keep: tuple[int, ...]) -> Key:
    return tuple(v if i in keep else None for i, v in enumerate(key))  # type: ignore[return-value]


def _counts(axes: tuple[tuple[str, ...], ...], finest: Mapping[Key, int]) -> dict[Key, int]:
    """The count of every cell of every table, each cell once, in publication order."""
    counts: dict[Key, int] = {}
    for dims in TABLES:
        for key in _table_keys(dims, axes):
            counts[key] = 0
    for key, n in finest.items():
        for keep in _PROJECTIONS:
            counts[_project(key, keep)] += n
    return counts


def _table_keys(dims: tuple[str, ...], axes: tuple[tuple[str, ...], ...]) -> list[Key]:
    keys = []
    for combo in product(*((*axes[_INDEX[d]], MARGIN) for d in dims)):
        keys.append(_key_from(dims, dict(zip(dims, combo, strict=True))))
    return keys


def _key_from(dims: Sequence[str], cell: Mapping[str, Any]) -> Key:
    key: list[str | None] = [None, None, None]
    for d in dims:
        key[_INDEX[d]] = None if cell[d] == MARGIN else cell[d]
    return tuple(key)  # type: ignore[return-value]


def _cell_of(key: Key) -> dict[str, str]:
    return {d: MARGIN if v is None else v for d, v in zip(DIMENSIONS, key, strict=True)}


def _key_of(cell: Mapping[str, str]) -> Key:
    return _key_from(DIMENSIONS, cell)


def _group_scores(records: list[Record], names: tuple[str, ...]) -> dict[Key, dict[str, list[float]]]:
    groups: dict[Key, dict[str, list[float]]] = defaultdict(lambda: {name: [] for name in names})
    for record in records:
        group = groups[record.key]
        for name in names:
            score = record.scores.get(name)
            if score is not None:
                group[name].append(float(score))
    return groups


def _table(
    dims: tuple[str, ...],
    axes: tuple[tuple[str, ...], ...],
    counts: Mapping[Key, int],
    withheld: set[Key],
    groups: Mapping[Key, Mapping[str, list[float]]],
    names: tuple[str, ...],
) -> Table:
    cells = []
    for key in _table_keys(dims, axes):
        values = tuple(MARGIN if key[_INDEX[d]] is None else key[_INDEX[d]] for d in dims)
        if key in withheld:
            cells.append(Cell(values, None, True, {}))
            continue
        inside = [g for k, g in groups.items() if all(v is None or v == k[i] for i, v in enumerate(key))]
        stats = {}
        for name in names:
            scores = sorted(s for g in inside for s in g[name])
            stats[name] = _stats(scores, threshold(key))
        cells.append(Cell(values, counts[key], False, stats))
    return Table(table_id(dims), dims, tuple(cells))


def _stats(ordered: list[float], minimum: int) -> FieldStats:
    """Mean, median and quartiles as ``statistics`` computes them (quartiles: method "inclusive").

    The inclusive method (numpy's default) keeps quartiles inside the observed range.
    """
    m = len(ordered)
    if m == 0:
        return FieldStats()
    if m < minimum:
        return FieldStats(suppressed=True)
    mid = m // 2
    median = ordered[mid] if m % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    if m == 1:
        p25 = p75 = ordered[0]
    else:
        quartiles = []
        for i in (1, 3):
            j, delta = divmod(i * (m - 1), 4)
            quartiles.append((ordered[j] * (4 - delta) + ordered[j + 1] * delta) / 4)
        p25, p75 = quartiles
    return FieldStats(math.fsum(ordered) / m, median, p25, p75)


# --- secondary suppression -----------------------------------------------------------------

Relation = tuple[Key, tuple[Key, ...]]


def _relations(axes: tuple[tuple[str, ...], ...]) -> tuple[list[Relation], dict[Key, list[int]]]:
    """Every published equation "margin = sum of its parts", over all tables at once."""

    def key(fixed: Mapping[int, str]) -> Key:
        return tuple(fixed.get(i) for i in range(len(DIMENSIONS)))  # type: ignore[return-value]

    relations: list[Relation] = []
    for i in range(len(DIMENSIONS)):
        relations.append((TOTAL, tuple(key({i: v}) for v in axes[i])))
    for i, j in ((0, 1), (0, 2), (1, 2)):
        for a in axes[i]:
            relations.append((key({i: a}), tuple(key({i: a, j: b}) for b in axes[j])))
        for b in axes[j]:
            relations.append((key({j: b}), tuple(key({i: a, j: b}) for a in axes[i])))
    by_cell: dict[Key, list[int]] = defaultdict(list)
    for index, (whole, parts) in enumerate(relations):
        for k in (whole, *parts):
            by_cell[k].append(index)
    return relations, by_cell


def _complete(
    counts: Mapping[Key, int],
    withheld: set[Key],
    relations: list[Relation],
    by_cell: Mapping[Key, list[int]],
    order: Mapping[Key, int],
) -> None:
    """Withhold more until no equation gives away a withheld count or a small group.

    A line (margin = sum of parts) with exactly one withheld count gives it away as the
    difference. A published margin minus its published parts also gives the count and the sum
    (from the means) of the withheld parts together: that group must be as large as a
    published part would have to be, or be the whole margin (already published).

    For a line with one withheld count, among its publishable parts the one is chosen that
    opens the fewest new lines with a single withheld cell, then the smallest (least
    information lost); when no part is left, the margin goes, which carries the problem into
    the tables that share that margin. For a small remainder, the smallest part goes.
    Empty cells are never chosen: hiding a known zero protects nothing.
    """

    def open_line(r: int) -> bool:
        return not any(counts[m] and m in withheld for m in (relations[r][0], *relations[r][1]))

    def forced(k: Key) -> int:
        return _forced(k, counts, withheld, relations, by_cell)

    def lonely(k: Key, current: int) -> int:
        return sum(1 for r in by_cell[k] if r != current and open_line(r))

    queue = deque(range(len(relations)))
    queued = set(queue)
    while queue:
        index = queue.popleft()
        queued.discard(index)
        whole, parts = relations[index]
        hidden = [m for m in (whole, *parts) if counts[m] and m in withheld]
        candidates = [p for p in parts if counts[p] and p not in withheld]
        if len(hidden) == 1:
            if candidates:
                pick = min(candidates, key=lambda p: (forced(p), lonely(p, index), counts[p], order[p]))
            else:
                pick = whole  # the single withheld cell is a part and has no publishable sibling
        elif whole not in withheld and candidates and _small_remainder(relations[index], counts, withheld):
            pick = min(candidates, key=lambda p: (forced(p), counts[p], order[p]))
        else:
            continue
        withheld.add(pick)
        for r in by_cell[pick]:
            if r not in queued:
                queued.add(r)
                queue.append(r)


def _forced(
    key: Key,
    counts: Mapping[Key, int],
    withheld: set[Key],
    relations: list[Relation],
    by_cell: Mapping[Key, list[int]],
) -> int:
    """How many published margins withholding this cell would force out: those it is the only part of.

    A margin with a single non-empty part equals that part, so the part cannot be withheld
    alone; choosing such a cell as a complement withholds a cell of one dimension (or the total)
    as well, and that carries on into every table that shows it.
    """
    return sum(
        1
        for r in by_cell[key]
        if relations[r][0] != key
        and relations[r][0] not in withheld
        and not any(counts[p] for p in relations[r][1] if p != key)
    )


def _small_remainder(relation: Relation, counts: Mapping[Key, int | None], withheld: set[Key]) -> bool:
    """Whether a published margin minus its published parts leaves a group too small to publish."""
    whole, parts = relation
    if whole in withheld or counts[whole] is None:
        return False
    rest = counts[whole] - sum(counts[p] or 0 for p in parts if p not in withheld)
    return 0 < rest < threshold(parts[0]) and rest < counts[whole]


def _repair(
    key: Key,
    counts: Mapping[Key, int],
    withheld: set[Key],
    relations: list[Relation],
    by_cell: Mapping[Key, list[int]],
    order: Mapping[Key, int],
    bounds: _Bounds,
) -> None:
    """Withhold the least informative cells that open the range of an exposed withheld count.

    Cells are tried cheapest first: a cell of two dimensions before a cell of one, the grand
    total last, then the smallest count. The candidates are the publishable cells that overlap
    the exposed one and those its bounds rest on (the published rows with a non-zero dual value
    in its two linear programs). The first whose withholding alone opens the range is kept;
    if none does, the cheapest of those the bounds rest on is kept and the search repeats. The
    line rules run after each choice (withholding more only widens ranges).
    """
    columns = set(bounds.members.get(key, []))
    overlapping = [
        m
        for m in counts
        if counts[m] and m not in withheld and m != key and columns & set(bounds.members.get(m, []))
    ]
    while True:
        exposure, binding = bounds.binding(key)
        if exposure is None:
            return
        cost = lambda m: (_rank(m), _forced(m, counts, withheld, relations, by_cell), counts[m], order[m])  # noqa: E731
        candidates = sorted(
            {m for m in (*binding, *overlapping) if counts[m] and m not in withheld}, key=cost
        )
        pick = None
        for m in candidates[:_TRIALS]:
            bounds.withhold([m])
            opened = bounds.exposure(key) is None
            bounds.publish(m, counts[m])
            if opened:
                pick = m
                break
        if pick is None:
            named = [m for m in binding if counts[m] and m not in withheld]
            pick = (
                min(named, key=cost) if named else _fallback(key, counts, withheld, relations, by_cell, order)
            )
            if pick is None:
                return
        before = set(withheld)
        withheld.add(pick)
        _complete(counts, withheld, relations, by_cell, order)
        bounds.withhold(withheld - before)


def _rank(key: Key) -> int:
    """How much withholding a cell takes away: a cell of two dimensions 0, of one 1, the total 2."""
    return 2 - sum(v is not None for v in key)


def _fallback(
    key: Key,
    counts: Mapping[Key, int],
    withheld: set[Key],
    relations: list[Relation],
    by_cell: Mapping[Key, list[int]],
    order: Mapping[Key, int],
) -> Key | None:
    """A cell next to an exposed one, should the linear programs name none (not expected).

    The smallest neighbour in one of its lines; failing any, the grand total, and failing that
    the smallest publishable cell at all (with everything withheld nothing is bounded).
    """
    neighbours = {
        m
        for r in by_cell[key]
        for m in (relations[r][0], *relations[r][1])
        if counts[m] and m not in withheld
    }
    if not neighbours:
        if counts[TOTAL] and TOTAL not in withheld:
            return TOTAL
        neighbours = {k for k, n in counts.items() if n and k not in withheld}
    return min(neighbours, key=lambda m: (_rank(m), counts[m], order[m]), default=None)


# --- the audit -------------------------------------------------------------------------------


def _solver() -> Any:
    # highspy.Highs() writes HiGHS's banner to stdout when it is created (before any option can
    # be set), which would corrupt `flask stats export` to stdout; the bare core class does not.
    core = getattr(getattr(highspy, "_core", None), "_Highs", None)
    solver = core() if core is not None else highspy.Highs()
    solver.setOptionValue("output_flag", False)
    # No presolve, primal simplex: only the objective changes between solves, so the previous
    # basis stays feasible and the next solve starts from it (measured: 5x faster than HiGHS's
    # default dual simplex on a snapshot's tables).
    solver.setOptionValue("presolve", "off")
    solver.setOptionValue("simplex_strategy", 4)
    return solver


class _Inconsistent(ValueError):
    """Published figures no table of counts can produce: the tables were altered or mixed up."""

    def __init__(self, key: Key, message: str) -> None:
        super().__init__(f"inconsistent tables: {_cell_of(key)} {message}")
        self.key = key


class _Bounds:
    """Bounds on withheld counts from the published ones: one HiGHS model, many objectives.

    Variables are the counts of the unpublished state x type x size cells, non-negative; every
    published count is an equation over them, every withheld one says "at least one". Cells
    under a published zero are dropped, since they are known to be zero.
    """

    def __init__(
        self,
        axes: tuple[tuple[str, ...], ...],
        counts: Mapping[Key, int],
        withheld: set[Key],
        listed: set[Key] | None = None,
    ) -> None:
        listed = set(counts) if listed is None else listed
        zero = {k for k, n in counts.items() if n == 0 and k not in withheld}
        members: dict[Key, list[int]] = defaultdict(list)
        column = 0
        for key in product(*axes):
            projections = [_project(key, keep) for keep in _PROJECTIONS]  # type: ignore[arg-type]
            if any(p in zero for p in projections):
                continue
            for p in projections:
                members[p].append(column)
            column += 1
        self.members = members
        self.solved = 0
        self.rows: dict[Key, int] = {}
        self.published: dict[int, Key] = {}
        starts, indices, lower, upper = [0], [], [], []
        for key in (k for k in counts if k in listed and k not in zero):
            columns = members.get(key, [])
            if not columns:
                raise _Inconsistent(key, "is not empty, but every cell inside it is")
            self.rows[key] = len(lower)
            if key not in withheld:
                self.published[len(lower)] = key
            indices.extend(columns)
            starts.append(len(indices))
            lower.append(1.0 if key in withheld else float(counts[key]))
            upper.append(highspy.kHighsInf if key in withheld else float(counts[key]))
        lp = highspy.HighsLp()
        lp.num_col_ = column
        lp.num_row_ = len(lower)
        lp.col_cost_ = np.zeros(column)
        lp.col_lower_ = np.zeros(column)
        lp.col_upper_ = np.full(column, highspy.kHighsInf)
        lp.row_lower_ = np.array(lower, dtype=float)
        lp.row_upper_ = np.array(upper, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(indices, dtype=np.int32)
        lp.a_matrix_.value_ = np.ones(len(indices))
        self.columns = column
        self.solver = _solver()
        self.solver.passModel(lp)
        self._objective: np.ndarray = np.array([], dtype=np.int32)
        if self._optimum(np.array([], dtype=np.int32), 1.0) is None:
            raise _Inconsistent(TOTAL, "no counts fit all published figures")

    def withhold(self, keys: Iterable[Key]) -> None:
        """Turn published counts into withheld ones (known only to be at least one)."""
        for key in keys:
            self.solver.changeRowBounds(self.rows[key], 1.0, highspy.kHighsInf)
            self.published.pop(self.rows[key], None)

    def publish(self, key: Key, count: int) -> None:
        """Undo ``withhold`` for one cell: its published count is an equation again."""
        self.solver.changeRowBounds(self.rows[key], float(count), float(count))
        self.published[self.rows[key]] = key

    def interval(self, key: Key) -> tuple[float, float]:
        """The smallest and largest count of the cell that fit everything published."""
        columns = np.array(self.members.get(key, []), dtype=np.int32)
        low = self._optimum(columns, 1.0)
        high = self._optimum(columns, -1.0)
        return (0.0 if low is None else low, math.inf if high is None else -high)

    def exposure(self, key: Key) -> Exposure | None:
        """An Exposure if the withheld cell's range, in whole counts, is narrower than MIN_RANGE."""
        return self._judge(key, *self.interval(key))

    @staticmethod
    def _judge(key: Key, low: float, high: float) -> Exposure | None:
        width = math.floor(high + _EPSILON) - math.ceil(low - _EPSILON) if math.isfinite(high) else math.inf
        if width >= MIN_RANGE:
            return None
        return Exposure(_cell_of(key), NARROW, low, high, MIN_RANGE)

    def binding(self, key: Key) -> tuple[Exposure | None, set[Key]]:
        """The cell's exposure, if any, and the published counts its two bounds rest on."""
        columns = np.array(self.members.get(key, []), dtype=np.int32)
        binding: set[Key] = set()
        bounds = []
        for sign in (1.0, -1.0):
            value = self._optimum(columns, sign)
            bounds.append(value)
            if value is not None:
                duals = np.asarray(self.solver.getSolution().row_dual)
                rows = np.flatnonzero(np.abs(duals) > _EPSILON)
                binding.update(self.published[r] for r in rows.tolist() if r in self.published)
        low, high = bounds
        return self._judge(key, 0.0 if low is None else low, math.inf if high is None else -high), binding

    def _optimum(self, columns: np.ndarray, sign: float) -> float | None:
        """Minimum of sign * (sum of the columns); None when unbounded (or, on the first call, infeasible)."""
        solver = self.solver
        if len(self._objective):
            solver.changeColsCost(len(self._objective), self._objective, np.zeros(len(self._objective)))
        if len(columns):
            solver.changeColsCost(len(columns), columns, np.full(len(columns), sign))
        self._objective = columns
        solver.run()
        self.solved += 1
        status = solver.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return solver.getInfo().objective_function_value
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return None
        if status == highspy.HighsModelStatus.kModelEmpty:
            return 0.0
        if status == highspy.HighsModelStatus.kInfeasible:
            return None
        raise RuntimeError(f"HiGHS: {solver.modelStatusToString(status)}")
