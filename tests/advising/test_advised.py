"""The pure overlay of the advisor's entries on the roadmap (advisor/core/advised.py), property-tested."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.core import advised
from advisor.core.advised import ADD, ADJUST, REMOVE, Entry
from advisor.core.roadmap import PHASES, Item, Phase, Roadmap, Size
from advisor.core.scoring import Urgency

CAPACITY = {1: 24.0, 2: 48.0, 3: 72.0}


def item(measure_id: str, phase: int, start: int, days: float, effort: str = "M") -> Item:
    low = int(days)
    return Item(
        measure_id=measure_id,
        field_id="f",
        phase=phase,
        start_month=start,
        end_month=start + 4,
        effort=effort,
        person_days=days,
        size=Size((low, low), (2, 4), effort),
        benefit=1.0,
        quick_win=False,
        pulled_in=False,
        urgency=Urgency(1.0),
        variant=None,
        reasons=(),
        lifts=(),
    )


def roadmap(items: list[Item]) -> Roadmap:
    phases = tuple(
        Phase(
            number,
            start,
            end,
            tuple(i.measure_id for i in items if i.phase == number),
            sum(i.person_days for i in items if i.phase == number),
            CAPACITY[number],
            3,
            {},
        )
        for number, start, end in PHASES
    )
    return Roadmap(tuple(items), phases, ())


@st.composite
def plans(draw) -> Roadmap:
    count = draw(st.integers(0, 8))
    items = []
    for n in range(count):
        phase = draw(st.sampled_from([1, 2, 3]))
        first, end = next((s, e) for p, s, e in PHASES if p == phase)
        items.append(
            item(
                f"m{n}",
                phase,
                draw(st.integers(first, end - 1)),
                draw(st.integers(1, 200)) / 2,
                draw(st.sampled_from(advised.EFFORTS)),
            )
        )
    return roadmap(sorted(items, key=lambda i: (i.phase, i.start_month)))


def entries_for(plan: Roadmap):
    ids = [i.measure_id for i in plan.items] + ["unknown", "m99"]
    entry = st.builds(
        Entry,
        id=st.integers(1, 10_000),
        action=st.sampled_from([ADD, ADJUST, REMOVE, "bogus"]),
        measure_id=st.one_of(st.none(), st.sampled_from(ids)),
        title=st.text(max_size=5),
        text=st.sampled_from(["", "  ", "Anders angehen"]),
        phase=st.one_of(st.none(), st.integers(-1, 5)),
        effort=st.one_of(st.none(), st.sampled_from(["S", "M", "L", "X"])),
        responsible=st.just(""),
        reason=st.text(max_size=5),
    )
    return st.lists(entry, max_size=10, unique_by=lambda e: e.id)


@st.composite
def plans_and_entries(draw):
    plan = draw(plans())
    return plan, draw(entries_for(plan))


@settings(max_examples=200, deadline=None)
@given(plans())
def test_without_entries_the_roadmap_is_shown_as_planned(plan):
    result = advised.apply(plan, [])
    assert not result.changed and result.removed == () and result.unmatched == ()
    for phase, core in zip(result.phases, plan.phases, strict=True):
        assert tuple(s.item.measure_id for s in phase.items) == core.measure_ids
        assert phase.person_days == core.person_days
        assert phase.capacity_person_days == core.capacity_person_days
        assert phase.uncounted == 0 and phase.own == ()
        assert all(not s.adjusted and s.phase == s.item.phase for s in phase.items)


@settings(max_examples=400, deadline=None)
@given(plans_and_entries())
def test_every_measure_and_entry_is_accounted_for_exactly_once(pair):
    plan, entries = pair
    result = advised.apply(plan, entries)
    shown = [s.item.measure_id for p in result.phases for s in p.items]
    removed = [r.item.measure_id for r in result.removed]
    assert sorted(shown + removed) == sorted(i.measure_id for i in plan.items)
    own = [e.id for p in result.phases for e in p.own]
    applied = [s.entry_id for p in result.phases for s in p.items if s.entry_id is not None]
    applied += [r.entry_id for r in result.removed]
    everything = own + applied + [e.id for e in result.unmatched]
    assert sorted(everything) == sorted(e.id for e in entries)
    # Own measures sit in their phase; entries about unknown measures change nothing.
    for phase in result.phases:
        assert all(e.action == ADD and e.phase == phase.number for e in phase.own)
        assert all(s.phase == phase.number for s in phase.items)
        assert [s.start_month for s in phase.items] == sorted(s.start_month for s in phase.items)
    for entry in result.unmatched:
        assert entry.action != ADD or entry.phase not in (1, 2, 3)


@settings(max_examples=400, deadline=None)
@given(plans_and_entries())
def test_person_days_are_counted_only_where_they_are_known(pair):
    plan, entries = pair
    result = advised.apply(plan, entries)
    total = sum(i.person_days for i in plan.items)
    counted = sum(p.person_days for p in result.phases)
    uncounted = sum(s.item.person_days for p in result.phases for s in p.items if not s.counted)
    assert abs(counted + uncounted + sum(r.item.person_days for r in result.removed) - total) < 1e-9
    for phase in result.phases:
        assert phase.person_days == sum(s.item.person_days for s in phase.items if "effort" not in s.changed)
        assert phase.uncounted == len(phase.own) + sum(1 for s in phase.items if "effort" in s.changed)


@settings(max_examples=300, deadline=None)
@given(plans_and_entries())
def test_the_last_entry_about_a_measure_counts(pair):
    plan, entries = pair
    result = advised.apply(plan, entries)
    scheduled = {i.measure_id for i in plan.items}
    for measure_id in scheduled:
        about = [e for e in entries if e.action in (ADJUST, REMOVE) and e.measure_id == measure_id]
        if not about:
            assert not result.shown(measure_id).adjusted
            continue
        last = max(about, key=lambda e: e.id)
        if last.action == REMOVE:
            assert result.shown(measure_id) is None
            assert any(r.entry_id == last.id and r.reason == last.reason for r in result.removed)
        else:
            shown = result.shown(measure_id)
            assert shown.entry_id == last.id and shown.reason == last.reason
            if last.phase in (1, 2, 3):
                assert shown.phase == last.phase
            if last.effort in advised.EFFORTS:
                assert shown.effort == last.effort


def test_an_adjusted_measure_moves_with_its_duration_and_says_what_changed():
    plan = roadmap([item("a", 1, 2, 10.0, "S"), item("b", 1, 0, 6.0), item("c", 3, 20, 30.0)])
    entries = [
        Entry(1, ADJUST, "a", phase=2, effort="S", text="Erst nach der Wahl", reason="Haushalt"),
        Entry(2, REMOVE, "c", reason="Macht der Kreis"),
        Entry(3, ADD, title="Eigene", phase=3, effort="L"),
        Entry(4, ADJUST, "b", effort="L", reason="größer"),
        Entry(5, ADJUST, "gone", phase=1, reason="alt"),
    ]
    result = advised.apply(plan, entries)
    moved = result.shown("a")
    assert (moved.phase, moved.start_month, moved.end_month) == (2, 6, 10)
    assert moved.changed == ("phase", "text") and moved.text == "Erst nach der Wahl" and moved.counted
    assert result.shown("b").changed == ("effort",) and not result.shown("b").counted
    first, second, third = result.phases
    assert first.person_days == 0 and first.uncounted == 1
    assert second.person_days == 10.0 and second.uncounted == 0
    assert third.items == () and [e.title for e in third.own] == ["Eigene"] and third.uncounted == 1
    assert [(r.item.measure_id, r.reason) for r in result.removed] == [("c", "Macht der Kreis")]
    assert [e.id for e in result.unmatched] == [5]
    assert result.changed
