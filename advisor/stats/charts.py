"""PURE: the published tables of snapshots shaped for the dashboard's charts and data tables.

Plain data in (the JSON of a publication, labels from the catalogue), plain data out: no
Flask, no SQLAlchemy. Every figure says whether it is shown, withheld (disclosure control,
or too few scored the field), empty (no assessment) or unscored, so that no chart or table
leaves a withheld cell silently blank.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MARGIN = "*"
OVERALL = "overall"
SHOWN, WITHHELD, EMPTY, UNSCORED = "shown", "withheld", "empty", "unscored"

#: (value id, label) in the order the catalogue lists them.
Labels = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Figure:
    """One cell's figures for one field, with a label for charts and tables."""

    key: str
    label: str
    n: int | None
    status: str
    mean: float | None = None
    median: float | None = None
    p25: float | None = None
    p75: float | None = None


def figure(cell: Mapping[str, Any] | None, field: str, key: str, label: str) -> Figure:
    """The figures of ``field`` in ``cell`` (None: the cell is not in the table: nobody there)."""
    if cell is None:
        return Figure(key, label, 0, EMPTY)
    if cell["suppressed"] or cell["n"] is None:
        return Figure(key, label, None, WITHHELD)
    if cell["n"] == 0:
        return Figure(key, label, 0, EMPTY)
    stats = (cell.get("fields") or {}).get(field)
    if not stats or stats.get("median") is None:
        status = WITHHELD if stats and stats.get("suppressed") else UNSCORED
        return Figure(key, label, cell["n"], status)
    return Figure(
        key, label, cell["n"], SHOWN, stats.get("mean"), stats["median"], stats.get("p25"), stats.get("p75")
    )


def _table(publication: Mapping[str, Any], table_id: str) -> Mapping[str, Any] | None:
    return next((t for t in publication.get("tables", ()) if t["id"] == table_id), None)


def _ordered(labels: Labels, present: Sequence[str]) -> list[tuple[str, str]]:
    """The catalogue's values in its order, then values it no longer lists (by their id)."""
    known = dict(labels)
    return list(labels) + [(v, v) for v in present if v != MARGIN and v not in known]


def total(publication: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The cell of all assessments together."""
    table = _table(publication, "state")
    if table is None:
        return None
    return next((c for c in table["cells"] if c.get("state") == MARGIN), None)


def distribution(publication: Mapping[str, Any], fields: Labels) -> list[Figure]:
    """Overall and per field, the figures of all assessments together."""
    cell = total(publication)
    return [figure(cell, key, key, label) for key, label in fields]


def by_dimension(
    publication: Mapping[str, Any], dimension: str, labels: Labels, field: str = OVERALL
) -> list[Figure]:
    """One field's figures per value of one dimension ("state", "type" or "size"), margin left out."""
    table = _table(publication, dimension)
    cells = {c[dimension]: c for c in table["cells"]} if table else {}
    return [figure(cells.get(key), field, key, label) for key, label in _ordered(labels, list(cells))]


@dataclass(frozen=True)
class Crosstab:
    """A table of two dimensions: rows of one, columns of the other, each with its margin last."""

    id: str
    row_dimension: str
    column_dimension: str
    columns: list[tuple[str, str]]
    rows: list[tuple[str, list[Figure]]]


def crosstab(
    publication: Mapping[str, Any],
    table_id: str,
    labels: Mapping[str, Labels],
    field: str = OVERALL,
    all_label: str = "all",
) -> Crosstab | None:
    """A two-dimensional table's figures of one field, with its margins ("all")."""
    table = _table(publication, table_id)
    if table is None or len(table["dimensions"]) != 2:
        return None
    first, second = table["dimensions"]
    cells = {(c[first], c[second]): c for c in table["cells"]}
    rows = _ordered(labels.get(first, ()), [k[0] for k in cells]) + [(MARGIN, all_label)]
    columns = _ordered(labels.get(second, ()), [k[1] for k in cells]) + [(MARGIN, all_label)]
    return Crosstab(
        table_id,
        first,
        second,
        columns,
        [
            (
                label,
                [
                    figure(cells.get((key, column)), field, column, column_label)
                    for column, column_label in columns
                ],
            )
            for key, label in rows
        ],
    )


@dataclass(frozen=True)
class TrendPoint:
    """One snapshot's total for one field, placed in the trend chart."""

    snapshot_id: int
    created_at: datetime
    assessments: int
    figure: Figure
    x: float
    y: float | None  # the median's height; None where withheld or missing
    y25: float | None
    y75: float | None
    labelled: bool  # whether the x axis names its date (at most six do)


#: The trend chart's plot area in its viewBox (0 0 400 250): x from LEFT to RIGHT, y from
#: BOTTOM (score 0) to TOP (score 100).
LEFT, RIGHT, TOP, BOTTOM = 48.0, 384.0, 16.0, 196.0


def y_of(score: float) -> float:
    """The height of a score (0-100) in the trend chart."""
    return round(BOTTOM - (BOTTOM - TOP) * max(0.0, min(100.0, score)) / 100, 1)


def trend(
    snapshots: Sequence[Any], totals: Mapping[int, Mapping[str, Any] | None], field: str = OVERALL
) -> tuple[list[TrendPoint], list[list[tuple[float, float]]]]:
    """The total of ``field`` per snapshot, oldest first, and the line segments between shown points.

    ``snapshots`` carry ``id``, ``created_at`` and ``assessments``; a withheld total breaks the line.
    """
    ordered = sorted(snapshots, key=lambda s: (s.created_at, s.id))
    count = len(ordered)
    step = max(1, -(-count // 6))
    points: list[TrendPoint] = []
    for index, info in enumerate(ordered):
        fig = figure(totals.get(info.id), field, str(info.id), "")
        x = (
            (LEFT + RIGHT) / 2
            if count == 1
            else round(LEFT + 16 + index * (RIGHT - LEFT - 32) / (count - 1), 1)
        )
        shown = fig.status == SHOWN
        points.append(
            TrendPoint(
                info.id,
                info.created_at,
                info.assessments,
                fig,
                x,
                y_of(fig.median) if shown else None,
                y_of(fig.p25) if shown and fig.p25 is not None else None,
                y_of(fig.p75) if shown and fig.p75 is not None else None,
                (count - 1 - index) % step == 0,
            )
        )
    segments: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point.y is None:
            segments.append([])
        else:
            segments[-1].append((point.x, point.y))
    return points, [s for s in segments if len(s) > 1]


def counts(figures: Sequence[Figure]) -> dict[str, int]:
    """How many figures are shown, withheld, empty and unscored (for a chart's description)."""
    out = dict.fromkeys((SHOWN, WITHHELD, EMPTY, UNSCORED), 0)
    for fig in figures:
        out[fig.status] += 1
    return out
