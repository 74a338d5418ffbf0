"""Four real profiles walked through scoring and roadmap of the shipped catalogue.

An Ortsgemeinde in Rhineland-Palatinate (its Verbandsgemeinde runs the administration and,
under the AGWPG, heat planning), an amtsangehörige Gemeinde in Brandenburg (plans heat
itself under the BbgWPV), a town of 30,000 in North Rhine-Westphalia and a Landkreis.
"""

from __future__ import annotations

from datetime import date

import pytest

from advisor.catalogue import load_catalogue
from advisor.catalogue.checks import names_role
from advisor.core import roadmap, rules, scoring
from advisor.core.rules import Fact
from tests.conftest import PROJECT

CATALOGUE = load_catalogue(PROJECT / "questionnaires" / "kommunal")
MEASURES = {m.id: m for m in CATALOGUE.measures}
TODAY = date(2026, 12, 2)

RP_ORTSGEMEINDE = {
    "municipality_type": "ortsgemeinde",
    "state": "RP",
    "population_band": "lt2k",
    "staff_band": "lt20",
    "association_kind": "verbandsgemeinde",
}
BB_GEMEINDE = {**RP_ORTSGEMEINDE, "state": "BB", "population_band": "2k-5k", "association_kind": "amt"}
NW_STADT = {
    "municipality_type": "stadt",
    "state": "NW",
    "population_band": "25k-50k",
    "staff_band": "200-999",
}
LANDKREIS = {
    "municipality_type": "landkreis",
    "state": "NW",
    "population_band": "200k-400k",
    "staff_band": "1000+",
}


def weak() -> dict[str, Fact]:
    """Every question at its lowest answer: everything a measure can address is open."""
    return {q.id: rules.worst_answer(q) for q in CATALOGUE.questions.values()}


def plan(profile, answers=None, priorities=None):
    answers = answers or weak()
    priorities = priorities or {f.id: scoring.Priority(4, 3) for f in CATALOGUE.fields}
    result = scoring.score(CATALOGUE, answers, profile, priorities, TODAY)
    return result, roadmap.build(CATALOGUE, result, answers, profile, priorities, TODAY)


def carrier(question_id: str, profile) -> str:
    return CATALOGUE.responsibility(CATALOGUE.questions[question_id], profile)


def duty(duty_id: str):
    return next(d for d in CATALOGUE.duties if d.id == duty_id)


def shown_texts(item: roadmap.Item) -> list[str]:
    measure = MEASURES[item.measure_id]
    variant = measure.variants[item.variant] if item.variant is not None else None
    texts = [(variant.title if variant and variant.title else measure.title).de]
    texts.append((variant.summary if variant and variant.summary else measure.summary).de)
    texts += [s.de for s in (variant.first_steps if variant and variant.first_steps else measure.first_steps)]
    texts.append((variant.responsible if variant and variant.responsible else measure.responsible).de)
    return texts


# -- Ortsgemeinde in Rhineland-Palatinate --------------------------------------------------


@pytest.mark.parametrize(
    "question", ["ip_electronic_files", "ip_einvoicing", "ip_it_security", "cs_online_services"]
)
def test_rp_ortsgemeinde_is_not_scored_on_its_administrations_operations(question):
    assert carrier(question, RP_ORTSGEMEINDE) == rules.ADMINISTRATION
    result, _ = plan(RP_ORTSGEMEINDE)
    assert result.questions[question].state == "delegated"
    assert question in result.field(CATALOGUE.field_of[question]).delegated


def test_rp_ortsgemeinde_decides_council_lighting_buildings_and_local_mobility_itself():
    own = [q for q in CATALOGUE.questions.values() if carrier(q.id, RP_ORTSGEMEINDE) == rules.OWN]
    tasks = {q.task for q in own}
    assert {
        "council",
        "street_lighting",
        "own_buildings",
        "local_mobility",
        "administration_cooperation",
    } <= tasks
    assert carrier("org_admin_cooperation", RP_ORTSGEMEINDE) == rules.OWN
    assert carrier("org_admin_cooperation", NW_STADT) == rules.SKIP


def test_rp_ortsgemeinde_has_no_heat_planning_duty_the_verbandsgemeinde_has():
    assert carrier("en_heat_planning", RP_ORTSGEMEINDE) == rules.ADMINISTRATION
    assert not scoring.duty_binds(CATALOGUE, duty("heat_planning"), RP_ORTSGEMEINDE)
    assert scoring.duty_binds(
        CATALOGUE, duty("heat_planning"), {**RP_ORTSGEMEINDE, "municipality_type": "verwaltungsverband"}
    )
    _, road = plan(RP_ORTSGEMEINDE)
    assert not [i for i in road.items if i.urgency.duty_id == "heat_planning"]
    assert all(MEASURES[i.measure_id].duty != "heat_planning" for i in road.items)


def test_rp_ortsgemeinde_roadmap_holds_what_it_can_do_and_what_to_ask_of_its_verbandsgemeinde():
    result, road = plan(RP_ORTSGEMEINDE)
    assert road.items
    asks = [
        i
        for i in road.items
        if any(r.question == "org_admin_cooperation" for r in MEASURES[i.measure_id].raises)
    ]
    assert asks, "no measure asks the Verbandsgemeinde for anything"
    lacks = next(t for t in CATALOGUE.profile.municipality_types if t.id == "ortsgemeinde").lacks_roles
    for item in road.items:
        measure = MEASURES[item.measure_id]
        raised = [r.question for r in measure.raises]
        # Never a measure only an administration can carry out.
        assert any(result.questions[q].state not in ("delegated", "skipped") for q in raised), item.measure_id
        for text in shown_texts(item):
            assert not [role for role in lacks if names_role(role, text)], (
                item.measure_id,
                text,
            )


def test_rp_ortsgemeinde_measures_are_sized_to_what_it_does_itself():
    _, road = plan(RP_ORTSGEMEINDE)
    assert all(i.size.person_days[1] <= 40 for i in road.items), [
        (i.measure_id, i.size.person_days) for i in road.items if i.size.person_days[1] > 40
    ]


# -- Gemeinde in Brandenburg -----------------------------------------------------------------


def test_bb_gemeinde_plans_heat_itself_by_mid_2028():
    assert carrier("en_heat_planning", BB_GEMEINDE) == rules.OWN
    urgency = scoring.duty_urgency(CATALOGUE, duty("heat_planning"), BB_GEMEINDE, TODAY)
    assert urgency.due == date(2028, 6, 30) and not urgency.overdue
    _, road = plan(BB_GEMEINDE, priorities={"energy": scoring.Priority(5, 3)})
    heat = [i for i in road.items if MEASURES[i.measure_id].duty == "heat_planning"]
    assert heat, "the heat-planning duty of a Brandenburg Gemeinde gets no measure"
    assert all(i.variant is not None for i in heat)  # written for a municipality without offices
    for own_gemeinde in ({**BB_GEMEINDE, "municipality_type": "gemeinde"},):
        assert scoring.duty_binds(CATALOGUE, duty("heat_planning"), own_gemeinde)


# -- Stadt of 30,000 in North Rhine-Westphalia --------------------------------------------------


def test_nrw_town_is_scored_on_its_administration_and_not_on_public_transport():
    result, road = plan(NW_STADT)
    assert carrier("ip_electronic_files", NW_STADT) == rules.OWN
    assert carrier("mob_public_transport", NW_STADT) == rules.OTHER
    assert CATALOGUE.questions["mob_public_transport"].offers_not_responsible
    assert result.field("internal_processes").delegated == ()
    assert scoring.duty_binds(CATALOGUE, duty("heat_planning"), NW_STADT)
    assert scoring.duty_urgency(CATALOGUE, duty("heat_planning"), NW_STADT, TODAY).due == date(2028, 6, 30)
    e_file = roadmap.size(CATALOGUE, MEASURES["m_ip_eakte"], NW_STADT)
    assert e_file.person_days == tuple(2 * d for d in MEASURES["m_ip_eakte"].person_days)  # 25,000-50,000: x2
    assert all(
        i.size == roadmap.size(CATALOGUE, MEASURES[i.measure_id], NW_STADT, i.fallback) for i in road.items
    )


def test_nrw_town_has_the_ozg_duty_as_a_standing_duty_not_an_overdue_one():
    urgency = scoring.duty_urgency(CATALOGUE, duty("ozg_online_access"), NW_STADT, TODAY)
    assert urgency.duty_id == "ozg_online_access" and urgency.due is None and not urgency.overdue


# -- Landkreis -----------------------------------------------------------------------------


def test_landkreis_runs_district_services_but_not_heat_planning_or_street_lighting():
    result, _ = plan(LANDKREIS)
    district = [q.id for q in CATALOGUE.questions.values() if q.task == "district_services"]
    assert len(district) >= 3
    assert all(carrier(q, LANDKREIS) == rules.OWN for q in district)
    assert all(carrier(q, RP_ORTSGEMEINDE) == rules.SKIP for q in district)
    assert carrier("en_heat_planning", LANDKREIS) == rules.OTHER
    assert carrier("en_street_lighting", LANDKREIS) == rules.OTHER
    assert not scoring.duty_binds(CATALOGUE, duty("heat_planning"), LANDKREIS)


def test_landkreis_e_file_is_a_multi_year_programme_of_a_thousand_person_days_or_more():
    size = roadmap.size(CATALOGUE, MEASURES["m_ip_eakte"], LANDKREIS)
    assert size.person_days[1] >= 1000 and size.duration_months[1] >= 24 and size.effort == "L"
    small = roadmap.size(CATALOGUE, MEASURES["m_ip_eakte"], {**NW_STADT, "population_band": "5k-10k"})
    assert small.person_days[1] < size.person_days[1] / 3
