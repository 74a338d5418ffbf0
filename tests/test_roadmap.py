"""The pure roadmap core on the shipped catalogue: selection, order, capacity, explanations."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.catalogue import load_catalogue
from advisor.core import roadmap
from advisor.core.rules import Fact
from advisor.core.scoring import Priority, duty_urgency, score
from tests.conftest import PROJECT
from tests.test_scoring import answers_for

CATALOGUE = load_catalogue(PROJECT / "questionnaires" / "kommunal")
MEASURES = {m.id: m for m in CATALOGUE.measures}
TODAY = date(2026, 11, 21)
#: Every profile the shipped catalogue offers, and unknown values.
profiles = st.fixed_dictionaries(
    {
        key: st.sampled_from([o.id for o in options] + [None])
        for key, options in (
            ("municipality_type", CATALOGUE.profile.municipality_types),
            ("state", CATALOGUE.profile.states),
            ("population_band", CATALOGUE.profile.population_bands),
            ("staff_band", CATALOGUE.profile.staff_bands),
            ("association_kind", CATALOGUE.profile.association_kinds),
        )
    }
)
SMALL = {"municipality_type": "gemeinde", "population_band": "2k-5k", "staff_band": "lt20", "state": "RP"}
CITY = {
    "municipality_type": "kreisfreie_stadt",
    "population_band": "200k-400k",
    "staff_band": "1000+",
    "state": "NW",
}


def a(value):
    return Fact("answered", value)


def middling() -> dict[str, Fact]:
    """Every question answered at a middle level, so many measures apply."""
    answers = {}
    for q in CATALOGUE.questions.values():
        if q.type == "level":
            answers[q.id] = a(1)
        elif q.type == "yes_no":
            answers[q.id] = a(False)
        elif q.type == "single":
            answers[q.id] = a(sorted(q.options, key=lambda o: o.score)[1].id)
        elif q.type == "multiple":
            answers[q.id] = a([next(o.id for o in q.options if not o.exclusive)])
        else:
            answers[q.id] = a(q.min)
    return answers


def plan(answers, profile, priorities=None):
    priorities = priorities or {}
    result = score(CATALOGUE, answers, profile, priorities, TODAY)
    return result, roadmap.build(CATALOGUE, result, answers, profile, priorities, TODAY)


def test_prerequisites_come_first_and_are_pulled_in_with_a_reason():
    answers = middling()
    # A digital lead exists, so x_digital_lead is not triggered by the answers ...
    answers["org_responsibility"] = a("dedicated_unit")
    answers["org_strategy"] = a(4)
    result, road = plan(answers, CITY)
    for item in road.items:
        for prerequisite in MEASURES[item.measure_id].prerequisites:
            before = road.item(prerequisite)
            assert before is not None, (item.measure_id, prerequisite)
            assert before.start_month + before.size.duration_months[0] <= item.start_month
    # ... but measures that need it pull it in, and say why.
    lead = road.item("x_digital_lead")
    assert lead is not None and lead.pulled_in
    assert {r.kind for r in lead.reasons} == {"prerequisite"}
    assert MEASURES[lead.reasons[0].measure_id].prerequisites.count("x_digital_lead") == 1


def test_capacity_depends_on_the_staff_band():
    answers = middling()
    _, small = plan(answers, SMALL)
    _, city = plan(answers, CITY)
    assert len(small.items) < len(city.items)
    for phase in small.phases:
        items = [small.item(m) for m in phase.measure_ids]
        # Only a dated legal duty may go beyond the phase's capacity, and it says by how much.
        optional = [i for i in items if i.urgency.due is None]
        assert len(optional) <= roadmap.CAPACITY["lt20"][1]
        over = phase.person_days - phase.capacity_person_days
        assert len(items) == 1 or over <= 1e-9 or sum(i.over_capacity for i in items) > 0
    assert small.later  # what does not fit is shown, not dropped silently


def test_pressing_legal_duty_goes_first():
    answers = middling()
    answers["en_heat_planning"] = a(0)
    priorities = {"energy": Priority(5, 4)}
    result, road = plan(answers, {**CITY, "municipality_type": "stadt"}, priorities)
    heat = road.item("m_en_heat_planning_start")
    assert heat is not None and heat.phase == 1 and heat.urgency.overdue
    assert any(r.kind == "duty" and r.duty_id == "heat_planning" for r in heat.reasons)
    top = [g.question_id for g in result.gaps[:3]]
    assert "en_heat_planning" in top


def test_quick_wins_are_marked_and_lead_among_equally_urgent_measures():
    _, road = plan(middling(), CITY)
    quick = [i for i in road.items if i.quick_win]
    assert quick and all(i.size.effort == "S" for i in quick)
    first_phase = [i for i in road.items if i.phase == 1 and not i.pulled_in and i.urgency.factor < 2.5]
    if first_phase:
        assert first_phase[0].quick_win or not quick


def test_every_item_explains_itself_and_lifts_scores():
    answers = middling()
    _, road = plan(answers, SMALL, {"citizen_service": Priority(5, 4)})
    for item in road.items:
        assert item.reasons
        if not item.pulled_in:
            answered = [r for r in item.reasons if r.kind == "answers"]
            assert answered and all(q in CATALOGUE.questions for q in answered[0].question_ids)
            assert item.lifts and all(lift.points > 0 for lift in item.lifts)


def test_small_municipalities_get_the_small_variant():
    _, road = plan(middling(), SMALL)
    variants = [i for i in road.items if i.variant is not None]
    assert variants
    for item in variants:
        chosen = MEASURES[item.measure_id].variants[item.variant]
        assert all(SMALL.get(c.profile) in c.in_ for c in chosen.when), item.measure_id


def test_projected_scores_rise_phase_by_phase():
    result, road = plan(middling(), CITY)
    previous = {f.field_id: f.score for f in result.fields}
    for phase in road.phases:
        for field_id, value in phase.projected.items():
            assert value is None or value >= previous[field_id] - 1e-9
        previous = dict(phase.projected)
    assert road.phases[-1].projected["citizen_service"] > result.field("citizen_service").score


def test_changing_priorities_changes_the_order():
    answers = middling()
    _, energy_first = plan(answers, CITY, {"energy": Priority(5, 4), "mobility": Priority(1, 1)})
    _, mobility_first = plan(answers, CITY, {"energy": Priority(1, 1), "mobility": Priority(5, 4)})

    def share(road, field):
        return sum(1 for i in road.items if i.field_id == field and i.phase == 1)

    assert share(energy_first, "energy") >= share(mobility_first, "energy")
    assert [i.measure_id for i in energy_first.items] != [i.measure_id for i in mobility_first.items]


def test_nothing_to_do_when_everything_is_at_the_top():
    answers = {}
    for q in CATALOGUE.questions.values():
        if q.type == "level":
            answers[q.id] = a(4)
        elif q.type == "yes_no":
            answers[q.id] = a(q.yes_score >= q.no_score)
        elif q.type == "single":
            answers[q.id] = a(max(q.options, key=lambda o: o.score).id)
        elif q.type == "multiple":
            answers[q.id] = a([o.id for o in q.options if not o.exclusive])
        else:
            answers[q.id] = a(q.max)
    result, road = plan(answers, CITY)
    assert all(f.score == pytest.approx(100) for f in result.fields)
    assert result.gaps == ()
    assert road.items == ()


@settings(max_examples=30, deadline=None)
@given(answers_for(CATALOGUE), profiles)
def test_roadmap_invariants(answers, profile):
    result, road = plan(answers, profile)
    again = roadmap.build(CATALOGUE, result, answers, profile, {}, TODAY)
    assert again == road  # deterministic
    ids = [i.measure_id for i in road.items]
    assert len(ids) == len(set(ids))
    assert not set(ids) & set(road.later)
    for item in road.items:
        assert 0 <= item.start_month < 36
        for prerequisite in MEASURES[item.measure_id].prerequisites:
            before = road.item(prerequisite)
            assert (
                before is not None
                and before.start_month < item.start_month
                or (before is not None and before.size.duration_months[0] == 0)
            )


def months_until(due: date) -> int:
    return max(0, (due.year - TODAY.year) * 12 + due.month - TODAY.month)


@settings(max_examples=40, deadline=None)
@given(answers_for(CATALOGUE), profiles)
def test_the_roadmap_keeps_its_own_promises(answers, profile):
    priorities = {f.id: Priority(5 if i % 2 else 2, 3) for i, f in enumerate(CATALOGUE.fields)}
    result, road = plan(answers, profile, priorities)
    planned = {i.measure_id for i in road.items}
    for item in road.items:
        # A quick win starts in the first six months.
        assert not item.quick_win or (item.phase == 1 and item.start_month < 6)
        # A pulled-in prerequisite always has a planned dependent.
        if item.pulled_in:
            assert any(item.measure_id in MEASURES[m].prerequisites for m in planned), item.measure_id
        # A measure for a dated duty finishes before the deadline, or says it cannot; one
        # whose deadline has passed starts as soon as it can.
        if item.urgency.due is not None and not item.urgency.overdue and not item.too_late:
            assert item.start_month + item.size.duration_months[0] <= months_until(item.urgency.due)
    # No measure of a dated duty that binds the municipality waits for lack of capacity.
    for measure_id, why in road.later_reasons.items():
        duty = next((d for d in CATALOGUE.duties if d.id == MEASURES[measure_id].duty), None)
        if why == "capacity" and duty is not None:
            assert duty_urgency(CATALOGUE, duty, profile, TODAY).due is None, measure_id
    # Only the own share of partner work counts against the capacity; the lighter way of a
    # duty's measure is planned only where the measure's own way would miss, and does better.
    for phase in road.phases:
        own = sum(i.size.mean_person_days for i in road.items if i.phase == phase.number)
        assert phase.person_days == pytest.approx(own)
    for item in road.items:
        if item.size.partner is not None:
            assert item.size.whole_person_days[0] >= item.size.person_days[0]
            assert item.size.whole_person_days[1] >= item.size.person_days[1]
        if item.fallback:
            assert MEASURES[item.measure_id].fallback is not None and item.urgency.due is not None
            assert (item.too_late, item.over_capacity) < (item.own_way_too_late, item.own_way_over)
    # "Weiß nicht" is a knowledge gap, never a level-0 gap.
    assert not {g.question_id for g in result.gaps} & set(result.knowledge_gaps)
    assert set(road.later_reasons) == set(road.later) and not set(road.later) & planned


TOWN = {"municipality_type": "stadt", "state": "NW", "population_band": "25k-50k", "staff_band": "50-199"}
SMALL_GEMEINDE = {
    "municipality_type": "gemeinde",
    "state": "HE",
    "population_band": "2k-5k",
    "staff_band": "lt20",
}


@pytest.mark.parametrize("profile", [TOWN, SMALL_GEMEINDE])
def test_heat_planning_is_planned_before_its_deadline_when_energy_matters_most(profile):
    """The issue's two cases: a town of 30,000 and a small Gemeinde rating energy "sehr hoch"."""
    answers = middling()
    answers["en_heat_planning"] = a(0)
    priorities = {f.id: Priority(3, 3) for f in CATALOGUE.fields} | {"energy": Priority(5, 3)}
    _, road = plan(answers, profile, priorities)
    heat = [i for i in road.items if i.urgency.duty_id == "heat_planning"]
    assert heat, "no heat-planning measure planned"
    assert not [m for m in road.later if MEASURES[m].duty == "heat_planning"]
    first = min(heat, key=lambda i: i.start_month)
    assert first.too_late or first.start_month + first.size.duration_months[0] <= months_until(
        date(2028, 6, 30)
    )
    # The field rated most relevant has measures in the 36 months.
    assert any(any(lift.field_id == "energy" for lift in i.lifts) for i in road.items)


def test_every_field_rated_high_gets_a_measure_when_one_is_triggered():
    answers = middling()
    priorities = {f.id: Priority(5, 4) for f in CATALOGUE.fields}
    _, road = plan(answers, SMALL_GEMEINDE, priorities)
    for f in CATALOGUE.fields:
        assert any(any(lift.field_id == f.id for lift in i.lifts) for i in road.items), f.id


def test_an_unknown_answer_to_a_duty_question_is_to_be_clarified_first():
    answers = middling()
    answers["en_heat_planning"] = Fact("unknown")
    result, road = plan(answers, TOWN)
    assert "en_heat_planning" in road.clarify
    assert "en_heat_planning" in result.knowledge_gaps
    assert "en_heat_planning" not in {g.question_id for g in result.gaps}


def test_capacity_entered_replaces_the_staff_bands():
    assert roadmap.capacity(SMALL) == roadmap.CAPACITY["lt20"]
    assert roadmap.capacity(SMALL, 600) == (50.0, roadmap.CAPACITY["200-999"][1])
    assert roadmap.capacity(SMALL, 12) == (1.0, roadmap.CAPACITY["lt20"][1])
    answers = middling()
    result = score(CATALOGUE, answers, SMALL, {}, TODAY)
    default = roadmap.build(CATALOGUE, result, answers, SMALL, {}, TODAY)
    more = roadmap.build(CATALOGUE, result, answers, SMALL, {}, TODAY, capacity_days_per_year=600)
    assert len(more.items) > len(default.items)
    assert more.phases[0].capacity_person_days == 300  # 50 person-days a month for six months


def test_partner_work_counts_only_its_coordination_share():
    """An Ortsgemeinde's Verbandsgemeinde, a Gemeinde's IT service provider and its district."""
    member = {
        "municipality_type": "ortsgemeinde",
        "state": "BB",
        "population_band": "lt2k",
        "staff_band": "lt20",
    }
    stations = roadmap.size(CATALOGUE, MEASURES["m_mob_stations"], member)
    assert stations.partner == "administration"
    # Its own part is the variant's; the whole job is the measure's, not shrunk by the rule that
    # sizes an Ortsgemeinde's own share.
    assert stations.person_days == (3, 8) and stations.whole_person_days == (40, 120)
    backup = roadmap.size(CATALOGUE, MEASURES["m_ip_backup_restore"], SMALL)
    assert backup.partner == "it_provider"
    scaled = [max(1, round(d * 0.6)) for d in MEASURES["m_ip_backup_restore"].person_days]  # 2k-5k: x0.6
    assert backup.person_days == tuple(max(1, round(d * 0.4)) for d in scaled)
    assert backup.whole_person_days == tuple(MEASURES["m_ip_backup_restore"].person_days)
    bus = roadmap.size(CATALOGUE, MEASURES["m_mob_on_demand"], SMALL)
    assert bus.partner == "district" and bus.person_days == (1, 4)
    # The district plans its own on-demand service: no partner there.
    assert (
        roadmap.size(
            CATALOGUE, MEASURES["m_mob_on_demand"], CITY | {"municipality_type": "landkreis"}
        ).partner
        is None
    )
    # A municipality doing the work itself: no partner, no whole job shown.
    assert roadmap.size(CATALOGUE, MEASURES["m_en_pv_roofs"], SMALL).partner is None


def test_a_deadline_the_capacity_cannot_carry_gets_the_shared_way():
    answers = middling()
    answers["en_heat_planning"] = a(0)
    # About a day a month for digitalisation: the measure's own way cannot meet 30 June 2028.
    result = score(CATALOGUE, answers, SMALL_GEMEINDE, {}, TODAY)
    road = roadmap.build(CATALOGUE, result, answers, SMALL_GEMEINDE, {}, TODAY, capacity_days_per_year=12)
    start = road.item("m_en_heat_planning_start")
    assert start is not None and start.fallback
    assert start.own_way_over > 0 and start.size.person_days == (4, 12)
    assert start.start_month + start.size.duration_months[0] <= months_until(date(2028, 6, 30))
    # With the capacity of the staff band the own way fits, and no lighter way is planned.
    roomy = roadmap.build(CATALOGUE, result, answers, SMALL_GEMEINDE, {}, TODAY, capacity_days_per_year=600)
    assert not roomy.item("m_en_heat_planning_start").fallback


def test_a_deadline_too_close_for_the_own_way_gets_the_lighter_way():
    answers = middling()
    answers["ip_einvoice_issuing"] = a(0)
    result = score(CATALOGUE, answers, TOWN, {}, TODAY)
    road = roadmap.build(CATALOGUE, result, answers, TOWN, {}, TODAY)
    issuing = road.item("m_ip_einvoice_issuing")
    # 1 January 2027 is two months away; converting every system takes at least three.
    assert issuing.fallback and issuing.own_way_too_late and not issuing.too_late
    assert issuing.start_month + issuing.size.duration_months[0] <= months_until(date(2027, 1, 1))
    assert issuing.size.partner == "it_provider"
