"""Disclosure control of the published statistics tables (issue 14, docs/disclosure.md).

The differencing attacks here work from the published JSON alone and do not use HiGHS: exact
linear algebra over fractions (is a withheld count a combination of published ones?), the
plain subtraction an analyst would try line by line, and for tiny tables every integer table
that fits the published counts.
"""

from __future__ import annotations

import copy
import random
import statistics
from fractions import Fraction
from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.core import disclosure
from advisor.core.disclosure import (
    MARGIN,
    MIN_COUNT,
    MIN_COUNT_COMBINED,
    NARROW,
    OVERALL,
    Record,
    audit,
    publish,
    threshold,
)

FIELDS = ("a", "b")
DIMS = disclosure.DIMENSIONS


def records_for(counts: dict[tuple[str, str, str], int], seed: int = 0) -> list[Record]:
    """Records with the given count per state x type x size cell and varied scores."""
    rng = random.Random(seed)
    out = []
    for (s, t, z), n in counts.items():
        for _ in range(n):
            a = round(rng.uniform(0, 100), 1)
            b = None if rng.random() < 0.2 else round(rng.uniform(0, 100), 1)
            out.append(Record(s, t, z, {OVERALL: round((a + (b or a)) / 2, 2), "a": a, "b": b}))
    return out


def key_of(dims, cell) -> tuple:
    return tuple((None if cell[d] == MARGIN else cell[d]) if d in dims else None for d in DIMS)


def published_cells(data) -> dict[tuple, dict]:
    """Every distinct cell of a publication's JSON, by (state, type, size) with None for "*"."""
    out = {}
    for table in data["tables"]:
        for cell in table["cells"]:
            out.setdefault(key_of(table["dimensions"], cell), cell)
    return out


def true_counts(records) -> dict[tuple, int]:
    out: dict[tuple, int] = {}
    for r in records:
        for keep in ((), (0,), (1,), (2,), (0, 1), (0, 2), (1, 2)):
            k = tuple(v if i in keep else None for i, v in enumerate(r.key))
            out[k] = out.get(k, 0) + 1
    return out


# --- the attacker's tools, independent of the module under test --------------------------


def attacker_system(data):
    """Unknowns (finest cells not under a published zero) and the published equations over them."""
    cells = published_cells(data)
    axes = [sorted({k[i] for k in cells if k[i] is not None}) for i in range(3)]
    zero = {k for k, c in cells.items() if not c["suppressed"] and c["n"] == 0}

    def under(key, fine):
        return all(v is None or v == fine[i] for i, v in enumerate(key))

    unknowns = [f for f in product(*axes) if not any(under(z, f) for z in zero)]
    equations = [
        ([1 if under(k, f) else 0 for f in unknowns], c["n"])
        for k, c in cells.items()
        if not c["suppressed"] and c["n"]
    ]
    withheld = {k: [1 if under(k, f) else 0 for f in unknowns] for k, c in cells.items() if c["suppressed"]}
    return unknowns, equations, withheld


def determined_by_linear_algebra(data) -> set[tuple]:
    """Withheld cells whose count is a linear combination of published counts (exact, fractions)."""
    _, equations, withheld = attacker_system(data)
    basis: dict[int, list[Fraction]] = {}  # pivot column -> row with 1 there, reduced

    def reduce(row: list[Fraction]) -> list[Fraction]:
        row = list(row)
        for pivot, b in basis.items():
            if row[pivot]:
                factor = row[pivot]
                row = [x - factor * y for x, y in zip(row, b, strict=True)]
        return row

    for coefficients, _ in equations:
        row = reduce([Fraction(c) for c in coefficients])
        pivot = next((i for i, x in enumerate(row) if x), None)
        if pivot is None:
            continue
        row = [x / row[pivot] for x in row]
        for p, b in list(basis.items()):
            if b[pivot]:
                basis[p] = [x - b[pivot] * y for x, y in zip(b, row, strict=True)]
        basis[pivot] = row
    return {k for k, v in withheld.items() if not any(reduce([Fraction(x) for x in v]))}


def subtraction_attack(data) -> dict[tuple, int]:
    """What an analyst gets by subtracting along every line of every table, repeated until stuck."""
    cells = published_cells(data)
    known = {k: c["n"] for k, c in cells.items() if not c["suppressed"]}
    lines = []
    for table in data["tables"]:
        dims = [DIMS.index(d) for d in table["dimensions"]]
        keys = [key_of(table["dimensions"], c) for c in table["cells"]]
        for free in dims:
            wholes = {tuple(None if i == free else v for i, v in enumerate(k)) for k in keys}
            for whole in wholes:
                parts = [
                    k
                    for k in keys
                    if k[free] is not None and all(k[i] == whole[i] for i in range(3) if i != free)
                ]
                lines.append((whole, parts))
    recovered: dict[tuple, int] = {}
    changed = True
    while changed:
        changed = False
        for whole, parts in lines:
            unknown = [m for m in (whole, *parts) if m not in known]
            if len(unknown) != 1:
                continue
            (m,) = unknown
            value = (
                known[whole] - sum(known[p] for p in parts if p != m)
                if m != whole
                else sum(known[p] for p in parts)
            )
            known[m] = recovered[m] = value
            changed = True
    return recovered


def integer_ranges(data, limit: int) -> dict[tuple, set[int]]:
    """Every count each withheld cell takes over all integer tables that fit the published counts."""
    unknowns, equations, withheld = attacker_system(data)
    taken: dict[tuple, set[int]] = {k: set() for k in withheld}
    values = [0] * len(unknowns)

    def fits(upto: int) -> bool:
        for coefficients, n in equations:
            partial = sum(v for v, c in zip(values[:upto], coefficients, strict=False) if c)
            rest = any(coefficients[upto:])
            if partial > n or (not rest and partial != n):
                return False
        return True

    def search(i: int) -> None:
        if i == len(unknowns):
            for k, coefficients in withheld.items():
                count = sum(v for v, c in zip(values, coefficients, strict=True) if c)
                if count >= 1:  # withheld cells are known not to be empty
                    taken[k].add(count)
            return
        for v in range(limit + 1):
            values[i] = v
            if fits(i + 1):
                search(i + 1)
        values[i] = 0

    search(0)
    return taken


# --- data for the properties ---------------------------------------------------------------


@st.composite
def snapshots(draw, max_states=3, max_types=3, max_sizes=2, max_count=24):
    states = [f"S{i}" for i in range(draw(st.integers(1, max_states)))]
    types = [f"T{i}" for i in range(draw(st.integers(1, max_types)))]
    sizes = [f"Z{i}" for i in range(draw(st.integers(1, max_sizes)))]
    small = st.one_of(st.integers(0, 4), st.integers(0, max_count))
    counts = {cell: draw(small) for cell in product(states, types, sizes)}
    return records_for(counts, seed=draw(st.integers(0, 1000)))


PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- primary suppression -----------------------------------------------------------------


@pytest.mark.parametrize(("n", "withheld"), [(4, True), (5, False)])
def test_a_single_dimension_cell_needs_five(n, withheld):
    # Land A's assessments fall into two types and two sizes, all pair cells small; B and C are big.
    counts = {
        ("A", "t1", "z1"): 2,
        ("A", "t2", "z2"): n - 2,
        ("B", "t1", "z1"): 3,
        ("B", "t2", "z2"): 3,
        ("C", "t1", "z1"): 25,
        ("C", "t2", "z2"): 30,
    }
    publication = publish(records_for(counts), FIELDS)
    cell = publication.table("state").cell(state="A")
    assert cell.suppressed is withheld
    assert cell.n == (None if withheld else n)
    assert audit(publication) == []


@pytest.mark.parametrize(("n", "withheld"), [(9, True), (10, False)])
def test_a_cell_combining_two_dimensions_needs_ten(n, withheld):
    counts = {("A", "t1", "z1"): n, ("A", "t2", "z1"): 30, ("B", "t1", "z1"): 30, ("B", "t2", "z1"): 30}
    publication = publish(records_for(counts), FIELDS)
    cell = publication.table("state-type").cell(state="A", type="t1")
    assert cell.suppressed is withheld
    assert cell.n == (None if withheld else n)
    assert publication.summary.withheld == (4 if withheld else 0)  # with its row and column complements
    assert audit(publication) == []


def test_margins_of_pair_tables_need_only_the_single_threshold():
    counts = {("A", "t1", "z1"): 3, ("A", "t2", "z2"): 3, ("B", "t1", "z1"): 3, ("B", "t2", "z2"): 3}
    counts |= {("C", "t1", "z1"): 30, ("C", "t2", "z2"): 30}
    publication = publish(records_for(counts), FIELDS)
    margin = publication.table("state-type").cell(state="A", type=MARGIN)
    assert (margin.n, margin.suppressed) == (6, False)
    assert publication.table("state-type").cell(state="A", type="t1").suppressed
    assert audit(publication) == []


def test_every_published_count_meets_its_threshold_and_carries_no_small_statistics():
    counts = {("A", "t1", "z1"): 12, ("A", "t2", "z2"): 12, ("A", "t2", "z1"): 15}
    counts |= {("B", "t1", "z1"): 20, ("B", "t2", "z2"): 20, ("B", "t1", "z2"): 15}
    records = records_for(counts)
    # Only three of Land B's assessments scored field b: too few to describe.
    scored = [i for i, r in enumerate(records) if r.state == "B"][:3]
    records = [
        Record(r.state, r.municipality_type, r.size_band, {**r.scores, "b": 50.0 if i in scored else None})
        if r.state == "B"
        else r
        for i, r in enumerate(records)
    ]
    publication = publish(records, FIELDS)
    b = publication.table("state").cell(state="B")
    assert b.n == 55
    assert b.fields["b"].suppressed and b.fields["b"].mean is None and b.fields["b"].p75 is None
    assert b.fields["a"].mean is not None and not b.fields["a"].suppressed
    for table in publication.tables:
        for cell in table.cells:
            if not cell.suppressed:
                key = key_of(table.dimensions, dict(zip(table.dimensions, cell.values, strict=True)))
                assert cell.n == 0 or cell.n >= threshold(key)


# --- secondary suppression and the audit ---------------------------------------------------


def test_one_small_cell_in_a_row_gets_a_complement_and_cannot_be_subtracted():
    counts = {("A", "t1", "z1"): 3, ("A", "t2", "z1"): 15, ("A", "t3", "z1"): 40}
    counts |= {("B", "t1", "z1"): 25, ("B", "t2", "z1"): 30, ("B", "t3", "z1"): 35}
    publication = publish(records_for(counts), FIELDS)
    data = publication.to_dict()
    table = publication.table("state-type")
    row = [table.cell(state="A", type=t) for t in ("t1", "t2", "t3")]
    column = [table.cell(state=s, type="t1") for s in ("A", "B")]
    assert row[0].suppressed
    assert sum(c.suppressed for c in row) >= 2  # the complement in its row
    assert sum(c.suppressed for c in column) >= 2  # and in its column
    assert table.cell(state="A", type=MARGIN).n == 58  # the margin itself is still published
    assert subtraction_attack(data) == {}
    assert determined_by_linear_algebra(data) == set()
    assert audit(data) == []


def test_a_margin_that_is_one_small_cell_is_withheld_in_every_table_it_appears_in():
    # Land A has 7 assessments, all of one type and one size: its pair cells equal its margin.
    counts = {("A", "t1", "z1"): 7, ("B", "t1", "z1"): 30, ("B", "t2", "z2"): 30, ("C", "t2", "z1"): 20}
    publication = publish(records_for(counts), FIELDS)
    for table_id, other in (
        ("state", {}),
        ("state-type", {"type": MARGIN}),
        ("state-size", {"size": MARGIN}),
    ):
        cell = publication.table(table_id).cell(state="A", **other)
        assert (cell.suppressed, cell.n, dict(cell.fields)) == (True, None, {})
    data = publication.to_dict()
    assert subtraction_attack(data) == {}
    assert determined_by_linear_algebra(data) == set()
    assert audit(data) == []


def test_withheld_parts_of_a_published_margin_are_not_a_small_group():
    # A's margin (60) minus its published types would leave (A, t2) + (A, t3) = 2 + 2: the mean
    # of four assessments. The remainder rule withholds a further type.
    counts = {("A", "t1", "z1"): 56, ("A", "t2", "z1"): 2, ("A", "t3", "z1"): 2}
    counts |= {("B", "t1", "z1"): 30, ("B", "t2", "z1"): 30, ("B", "t3", "z1"): 30}
    publication = publish(records_for(counts), FIELDS)
    table = publication.table("state-type")
    assert table.cell(state="A", type=MARGIN).n == 60
    assert table.cell(state="A", type="t1").suppressed
    assert audit(publication) == []


def test_means_of_margin_and_siblings_give_only_the_sum_of_several_withheld_cells():
    counts = {("A", "t1", "z1"): 3, ("A", "t2", "z1"): 15, ("A", "t3", "z1"): 40}
    counts |= {("B", "t1", "z1"): 25, ("B", "t2", "z1"): 30, ("B", "t3", "z1"): 35}
    records = records_for(counts, seed=3)
    publication = publish(records, FIELDS)
    table = publication.table("state-type")
    margin = table.cell(state="A", type=MARGIN)
    siblings = [table.cell(state="A", type=t) for t in ("t1", "t2", "t3")]
    derived = margin.fields["a"].mean * margin.n - sum(
        c.fields["a"].mean * c.n for c in siblings if not c.suppressed
    )
    withheld = [t for t, c in zip(("t1", "t2", "t3"), siblings, strict=True) if c.suppressed]
    group = [r.scores["a"] for r in records if r.state == "A" and r.municipality_type in withheld]
    assert len(withheld) >= 2 and len(group) >= MIN_COUNT_COMBINED
    assert derived == pytest.approx(sum(group))  # the attacker gets this sum: a group of 10 or more
    small = [r.scores["a"] for r in records if (r.state, r.municipality_type) == ("A", "t1")]
    assert derived != pytest.approx(sum(small))


@given(snapshots())
@PROPERTY
def test_no_withheld_count_can_be_worked_out_from_the_published_tables(records):
    publication = publish(records, FIELDS)
    data = publication.to_dict()
    assert subtraction_attack(data) == {}
    assert determined_by_linear_algebra(data) == set()
    assert audit(data) == []
    assert publication.summary.exposures == ()
    # Sums (mean x n) obey the same equations, restricted to cells that publish a mean: a field
    # mean never appears without its count, so no withheld sum can be worked out either.
    for table in data["tables"]:
        for cell in table["cells"]:
            if cell["suppressed"]:
                assert cell["n"] is None and cell["fields"] == {}


@given(snapshots(max_states=2, max_types=2, max_sizes=2, max_count=4))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_withheld_count_is_pinned_down_even_among_whole_numbers(records):
    data = publish(records, FIELDS).to_dict()
    total = published_cells(data)[(None, None, None)]
    if total["suppressed"]:
        return  # nothing bounds anything
    for key, counts in integer_ranges(data, limit=total["n"]).items():
        assert len(counts) >= 2, (key, counts)


@given(snapshots(), st.randoms(use_true_random=False))
@PROPERTY
def test_the_audit_catches_every_cell_a_tampered_publication_gives_away(records, rng):
    publication = publish(records, FIELDS)
    data = publication.to_dict()
    withheld = [(t, c) for t in data["tables"] for c in t["cells"] if c["suppressed"]]
    if not withheld:
        return
    counts = true_counts(records)
    tampered = copy.deepcopy(data)
    table, cell = rng.choice(withheld)
    key = key_of(table["dimensions"], cell)
    for t in tampered["tables"]:  # publish that cell's count wherever it appears
        for c in t["cells"]:
            if key_of(t["dimensions"], c) == key:
                c["n"], c["suppressed"] = counts.get(key, 0), False
    exposed = {tuple(None if e.cell[d] == MARGIN else e.cell[d] for d in DIMS) for e in audit(tampered)}
    assert determined_by_linear_algebra(tampered) <= exposed
    assert set(subtraction_attack(tampered)) <= exposed


def test_the_audit_repairs_a_combination_across_tables_that_line_by_line_suppression_misses(monkeypatch):
    # Every line holds two withheld cells or none, yet (S0, T1, Z0) = 18 in type-size and
    # (S0, Z0) = 19 in state-size leave exactly one assessment of type T2: linear algebra over
    # the three tables recovers (S0, T2) = (*, T2) = 1.
    counts = {("S0", "T1", "Z0"): 18, ("S0", "T1", "Z1"): 4, ("S0", "T2", "Z0"): 1, ("S1", "T0", "Z0"): 3}
    publication = publish(records_for(counts), FIELDS)
    assert publication.summary.audit_rounds >= 2  # the audit found something and more was withheld
    data = publication.to_dict()
    assert determined_by_linear_algebra(data) == set()
    assert audit(data) == []

    monkeypatch.setattr(disclosure, "_repair", lambda *args: None)  # suppression without the repair
    unrepaired = publish(records_for(counts), FIELDS)
    exposed = {tuple(None if e.cell[d] == MARGIN else e.cell[d] for d in DIMS) for e in audit(unrepaired)}
    recovered = determined_by_linear_algebra(unrepaired.to_dict())
    assert ("S0", "T2", None) in recovered
    assert recovered <= exposed
    assert {e.cell["type"] for e in unrepaired.summary.exposures} == {"T2"}


def test_the_audit_names_a_cell_that_subtraction_recovers():
    counts = {("A", "t1", "z1"): 3, ("A", "t2", "z1"): 15, ("A", "t3", "z1"): 40}
    counts |= {("B", "t1", "z1"): 25, ("B", "t2", "z1"): 30, ("B", "t3", "z1"): 35}
    data = publish(records_for(counts), FIELDS).to_dict()
    table = next(t for t in data["tables"] if t["id"] == "state-type")
    complement = next(c for c in table["cells"] if c["suppressed"] and (c["state"], c["type"]) != ("A", "t1"))
    tampered = copy.deepcopy(data)
    true = true_counts(records_for(counts))
    key = key_of(table["dimensions"], complement)
    for t in tampered["tables"]:
        for c in t["cells"]:
            if key_of(t["dimensions"], c) == key:
                c["n"], c["suppressed"] = true[key], False
    exposures = audit(tampered)
    assert any(e.reason == NARROW and e.high - e.low < 1 for e in exposures)


def test_the_audit_reports_small_published_counts_inconsistent_margins_and_withheld_figures():
    data = publish(records_for({("A", "t1", "z1"): 30, ("B", "t2", "z1"): 30}), FIELDS).to_dict()
    tampered = copy.deepcopy(data)
    state = next(t for t in tampered["tables"] if t["id"] == "state")
    state["cells"][0]["n"] = 3  # below the threshold, and no longer what state-type says
    pair = next(t for t in tampered["tables"] if t["id"] == "state-type")
    pair["cells"][1]["suppressed"] = True  # withheld, yet still carrying n and statistics
    reasons = {e.reason for e in audit(tampered)}
    assert {disclosure.BELOW_THRESHOLD, disclosure.INCONSISTENT, disclosure.WITHHELD_WITH_DATA} <= reasons


# --- choice of complements: withhold little on sparse data ----------------------------------

LÄNDER = ("BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH")
TYPES = ("gemeinde", "ortsgemeinde", "stadt", "kreisfreie_stadt", "verwaltungsverband", "landkreis")
BANDS = ("lt2k", "2k-5k", "5k-10k", "10k-25k", "25k-50k", "50k-100k", "100k-200k", "200k-400k", "400k+")
PILOT = {"BY": 21, "RP": 16, "BW": 14, "SH": 12, "NI": 9, "HE": 8, "BB": 8, "TH": 6, "SN": 5, "MV": 5}
PILOT |= {"ST": 1, "NW": 1, "HH": 1}


def pilot(seed: int) -> list[Record]:
    """A pilot's 107 assessments over 13 Länder, mostly Gemeinden and Ortsgemeinden, mostly small."""
    rng = random.Random(seed)
    out = []
    for land, n in PILOT.items():
        for _ in range(n):
            kind = rng.choices(TYPES, weights=(40, 35, 10, 5, 5, 5))[0]
            band = rng.choices(BANDS, weights=(30, 25, 15, 10, 8, 5, 4, 2, 1))[0]
            out.append(Record(land, kind, band, {OVERALL: round(rng.uniform(0, 100), 1), "a": 50.0}))
    return out


def forced(counts: dict[tuple, int], key: tuple) -> bool:
    """A one-dimension cell no publication can show: below 5, or equal to one of its pair cells below 10."""
    inside = [
        k
        for k in counts
        if sum(v is not None for v in k) == 2 and all(v is None or v == k[i] for i, v in enumerate(key))
    ]
    return counts[key] < MIN_COUNT or any(counts[k] == counts[key] < MIN_COUNT_COMBINED for k in inside)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_pilot_publishes_its_total_and_its_big_groups(seed):
    records = pilot(seed)
    values = {"state": LÄNDER, "type": TYPES, "size": BANDS}
    publication = publish(records, FIELDS, values=values)
    state = publication.table("state")
    assert state.cell(state=MARGIN).n == 107
    for land in ("BY", "RP", "BW", "SH"):
        assert state.cell(state=land).n == PILOT[land]
    for land in ("ST", "NW", "HH"):
        assert state.cell(state=land).suppressed
    # Besides the three primaries, at most the complements their remainder needs (e.g. MV).
    assert sum(state.cell(state=land).suppressed for land, n in PILOT.items() if n >= MIN_COUNT) <= 2
    counts = true_counts(records)
    for dim in ("type", "size"):
        for cell in publication.table(dim).cells:
            key = key_of((dim,), dict(zip((dim,), cell.values, strict=True)))
            if counts.get(key, 0) >= 20:
                assert cell.n == counts[key]
    # The margins of the pair tables are the single cells, decided once.
    for pair, other in (("state-type", "type"), ("state-size", "size")):
        for land in LÄNDER:
            margin = publication.table(pair).cell(state=land, **{other: MARGIN})
            assert (margin.n, margin.suppressed) == (
                state.cell(state=land).n,
                state.cell(state=land).suppressed,
            )
    data = publication.to_dict()
    assert subtraction_attack(data) == {}
    assert determined_by_linear_algebra(data) == set()
    assert audit(data) == []


def test_a_row_whose_pair_cells_are_all_withheld_keeps_its_margin():
    # Land A: 7 assessments in three types and two sizes, every pair cell withheld; A is published.
    counts = {("A", "t1", "z1"): 3, ("A", "t2", "z2"): 2, ("A", "t3", "z1"): 2}
    counts |= {("B", "t1", "z1"): 30, ("B", "t2", "z2"): 30, ("B", "t3", "z2"): 30}
    publication = publish(records_for(counts), FIELDS)
    table = publication.table("state-type")
    assert all(table.cell(state="A", type=t).suppressed for t in ("t1", "t2", "t3"))
    assert table.cell(state="A", type=MARGIN).n == 7
    assert publication.table("state-size").cell(state="A", size=MARGIN).n == 7
    assert publication.table("state").cell(state=MARGIN).n == 97
    assert audit(publication) == []


@given(snapshots(max_states=4, max_types=3, max_sizes=3, max_count=12))
@PROPERTY
def test_sparse_data_loses_no_more_than_the_rules_need(records):
    publication = publish(records, FIELDS)
    data = publication.to_dict()
    assert subtraction_attack(data) == {}
    assert determined_by_linear_algebra(data) == set()
    assert audit(data) == []
    counts = true_counts(records)
    total = publication.table("state").cell(state=MARGIN)
    pairs = [k for k in counts if sum(v is not None for v in k) == 2]
    if len(records) >= MIN_COUNT and not any(counts[k] == len(records) < MIN_COUNT_COMBINED for k in pairs):
        assert total.n == len(records)
    for dim in DIMS:
        cells = publication.table(dim).cells
        keys = [key_of((dim,), {dim: c.values[0]}) for c in cells if c.values != (MARGIN,)]
        unavoidable = sum(1 for k in keys if counts.get(k, 0) and forced(counts, k))
        withheld = sum(c.suppressed for c in cells if c.values != (MARGIN,))
        assert withheld <= unavoidable + 3, (dim, withheld, unavoidable)


# --- tables, empty cells and statistics ----------------------------------------------------


@given(snapshots())
@PROPERTY
def test_a_cell_shared_by_several_tables_reads_the_same_in_each(records):
    data = publish(records, FIELDS).to_dict()
    seen: dict[tuple, dict] = {}
    for table in data["tables"]:
        for cell in table["cells"]:
            key = key_of(table["dimensions"], cell)
            figures = {k: v for k, v in cell.items() if k in ("n", "suppressed", "fields")}
            assert seen.setdefault(key, figures) == figures


def test_tables_have_every_combination_and_their_margins_in_the_shape_of_the_issue():
    values = {"state": ["A", "B", "C"], "type": ["t1", "t2"], "size": ["z1", "z2"]}
    publication = publish(records_for({("A", "t1", "z1"): 30, ("B", "t2", "z2"): 30}), FIELDS, values=values)
    data = publication.to_dict()
    assert [t["id"] for t in data["tables"]] == [
        "state",
        "type",
        "size",
        "state-type",
        "state-size",
        "type-size",
    ]
    pair = next(t for t in data["tables"] if t["id"] == "state-type")
    assert pair["dimensions"] == ["state", "type"]
    assert [(c["state"], c["type"]) for c in pair["cells"]] == [
        (s, t) for s in ("A", "B", "C", MARGIN) for t in ("t1", "t2", MARGIN)
    ]
    assert set(pair["cells"][0]) == {"state", "type", "n", "suppressed", "fields"}
    assert set(pair["cells"][0]["fields"]) == {OVERALL, "a", "b"}
    assert set(pair["cells"][0]["fields"]["a"]) == {"mean", "median", "p25", "p75", "suppressed"}


def test_empty_cells_are_published_as_zero_and_never_used_to_hide_another():
    values = {"state": ["A", "B", "C"], "type": ["t1", "t2"], "size": ["z1"]}
    counts = {("A", "t1", "z1"): 3, ("A", "t2", "z1"): 40, ("B", "t1", "z1"): 30, ("B", "t2", "z1"): 30}
    publication = publish(records_for(counts), FIELDS, values=values)
    state = publication.table("state").cell(state="C")
    assert (state.n, state.suppressed) == (0, False)
    assert all(s.mean is None and not s.suppressed for s in state.fields.values())
    table = publication.table("state-type")
    assert table.cell(state="A", type="t1").suppressed
    # The column's complement is B's 30, not C's known zero.
    assert (table.cell(state="C", type="t1").n, table.cell(state="B", type="t1").suppressed) == (0, True)
    assert audit(publication) == []


@given(snapshots())
@PROPERTY
def test_withheld_cells_are_never_empty(records):
    counts = true_counts(records)
    for key, cell in published_cells(publish(records, FIELDS).to_dict()).items():
        if cell["suppressed"]:
            assert counts.get(key, 0) >= 1


def test_a_value_outside_the_given_list_is_refused():
    with pytest.raises(ValueError, match="state values not in the given list: X"):
        publish([Record("X", "t1", "z1", {OVERALL: 1.0})], FIELDS, values={"state": ["A"]})


def test_too_few_assessments_publish_nothing_but_zeros():
    publication = publish(records_for({("A", "t1", "z1"): 2, ("B", "t2", "z1"): 2}), FIELDS)
    for table in publication.tables:
        for cell in table.cells:
            assert cell.suppressed or cell.n == 0
    assert publication.table("state").cell(state=MARGIN).suppressed
    assert audit(publication) == []
    assert publish([], FIELDS).table("state").cells[0].n == 0


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B"]),
            st.sampled_from(["t1", "t2"]),
            st.one_of(st.none(), st.floats(0, 100, allow_nan=False)),
        ),
        min_size=0,
        max_size=60,
    )
)
@PROPERTY
def test_statistics_agree_with_the_statistics_module(rows):
    records = [Record(s, t, "z", {OVERALL: 50.0, "a": score}) for s, t, score in rows]
    publication = publish(records, ["a"])
    for table in publication.tables:
        for cell in table.cells:
            if cell.suppressed or not cell.n:
                continue
            picked = dict(zip(table.dimensions, cell.values, strict=True))
            scores = [
                r.scores["a"]
                for r in records
                if r.scores["a"] is not None
                and all(
                    v == MARGIN
                    or v == {"state": r.state, "type": r.municipality_type, "size": r.size_band}[d]
                    for d, v in picked.items()
                )
            ]
            stats = cell.fields["a"]
            key = key_of(table.dimensions, picked)
            if len(scores) < threshold(key):
                assert stats.mean is None and stats.suppressed == bool(scores)
                continue
            p25, median, p75 = statistics.quantiles(scores, n=4, method="inclusive")
            assert stats.mean == pytest.approx(statistics.mean(scores), abs=1e-9)
            assert stats.median == statistics.median(scores)
            assert stats.median == pytest.approx(median, abs=1e-9)
            assert stats.p25 == pytest.approx(p25, abs=1e-9)
            assert stats.p75 == pytest.approx(p75, abs=1e-9)


def test_the_solver_prints_nothing(capfd):
    publication = publish(
        records_for({("A", "t1", "z1"): 3, ("A", "t2", "z1"): 40, ("B", "t1", "z1"): 30}), FIELDS
    )
    assert publication.summary.linear_programs > 0
    out, _ = capfd.readouterr()
    assert out == ""


def test_thresholds_are_those_of_the_domain():
    assert (MIN_COUNT, MIN_COUNT_COMBINED) == (5, 10)
    assert threshold((None, None, None)) == threshold(("A", None, None)) == 5
    assert threshold(("A", "t", None)) == threshold((None, "t", "z")) == 10


@given(snapshots(), st.randoms(use_true_random=False))
@settings(max_examples=20, deadline=None)
def test_the_same_snapshot_in_any_order_gives_the_same_tables(records, rng):
    shuffled = list(records)
    rng.shuffle(shuffled)
    assert publish(shuffled, FIELDS).to_dict() == publish(records, FIELDS).to_dict()
