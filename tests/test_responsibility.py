"""Who carries a task, and what follows for scoring, duties, sizing and migration (pure core)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.catalogue import load_catalogue
from advisor.catalogue.migrate import NoMigration, carry_over
from advisor.core import roadmap, rules, scoring
from advisor.core.rules import Fact
from tests.catalogue.helpers import TASKS

CATALOGUE = load_catalogue(TASKS)
TODAY = date(2026, 12, 2)


def profile(kind: str | None, land: str | None = None, band: str | None = "lt10k") -> dict:
    return {"municipality_type": kind, "state": land, "population_band": band, "staff_band": "lt20"}


def carrier(question_id: str, kind: str | None, land: str | None = None) -> str:
    return CATALOGUE.responsibility(CATALOGUE.questions[question_id], profile(kind, land))


@pytest.mark.parametrize(
    ("question", "kind", "land", "expected"),
    [
        ("a_council", "ortsgemeinde", "RP", rules.OWN),
        ("a_admin", "ortsgemeinde", "RP", rules.ADMINISTRATION),
        ("a_admin", "verwaltungsverband", "RP", rules.OWN),
        ("a_heat", "ortsgemeinde", "RP", rules.ADMINISTRATION),  # AGWPG: the Verbandsgemeinde plans
        ("a_heat", "ortsgemeinde", "BB", rules.OWN),  # BbgWPV: the Gemeinden plan
        ("a_heat", "verwaltungsverband", "BB", rules.OTHER),
        ("a_heat", "landkreis", "NW", rules.OTHER),
        ("a_district", "landkreis", None, rules.OWN),
        ("a_district", "gemeinde", None, rules.SKIP),
        ("a_district", None, None, rules.OWN),  # no type given: nothing is hidden
    ],
)
def test_who_carries_a_task_depends_on_type_and_land(question, kind, land, expected):
    assert carrier(question, kind, land) == expected


def test_an_ortsgemeinde_is_not_scored_on_what_its_administration_runs():
    answers = {
        "a_council": Fact("answered", 4),
        "a_admin": Fact("answered", 0),
        "a_heat": Fact("answered", 0),
    }
    rp = scoring.score(CATALOGUE, answers, profile("ortsgemeinde", "RP"), {}, TODAY)
    assert rp.field("alpha").score == 100.0
    assert rp.field("alpha").delegated == ("a_admin", "a_heat")
    assert not any(g.question_id in ("a_admin", "a_heat") for g in rp.gaps)
    bb = scoring.score(CATALOGUE, answers, profile("ortsgemeinde", "BB"), {}, TODAY)
    assert bb.field("alpha").score == 50.0  # in Brandenburg heat planning is its own task
    assert bb.field("alpha").delegated == ("a_admin",)


def test_questions_a_type_is_not_asked_do_not_count():
    answers = {"a_council": Fact("answered", 4), "a_district": Fact("answered", False)}
    result = scoring.score(CATALOGUE, answers, profile("gemeinde", "NW"), {}, TODAY)
    assert result.questions["a_district"].state == "skipped"
    assert result.field("alpha").applicable == 3


def test_duties_bind_the_carrier_of_their_task():
    heat = next(d for d in CATALOGUE.duties if d.id == "d_heat")
    assert not scoring.duty_binds(CATALOGUE, heat, profile("ortsgemeinde", "RP"))
    assert scoring.duty_binds(CATALOGUE, heat, profile("verwaltungsverband", "RP"))
    assert scoring.duty_binds(CATALOGUE, heat, profile("ortsgemeinde", "BB"))
    assert scoring.duty_urgency(CATALOGUE, heat, profile("ortsgemeinde", "RP"), TODAY).factor == 1.0
    due = scoring.duty_urgency(CATALOGUE, heat, profile("ortsgemeinde", "BB"), TODAY)
    assert (due.factor, due.due) == (2.0, date(2028, 6, 30))


def test_a_standing_duty_without_a_date_is_urgent_but_never_overdue():
    online = next(d for d in CATALOGUE.duties if d.id == "d_online")
    urgency = scoring.duty_urgency(CATALOGUE, online, profile("gemeinde"), TODAY)
    assert urgency == scoring.Urgency(scoring.STANDING_DUTY, "d_online", None, False)


def plan(kind: str, land: str, answers: dict) -> roadmap.Roadmap:
    p = profile(kind, land)
    result = scoring.score(CATALOGUE, answers, p, {}, TODAY)
    return roadmap.build(CATALOGUE, result, answers, p, {}, TODAY)


LOW = {"a_council": Fact("answered", 0), "a_admin": Fact("answered", 1), "a_heat": Fact("answered", 0)}


def test_an_ortsgemeinde_gets_what_it_can_do_and_what_to_ask_never_administration_work():
    road = plan("ortsgemeinde", "RP", LOW)
    planned = {i.measure_id for i in road.items}
    assert "m_online" not in planned and "m_heat" not in planned  # its Verbandsgemeinde's work
    assert {"m_council_goals", "m_ask_online"} <= planned
    assert road.item("m_council_goals").variant == 0


def test_a_prerequisite_that_is_the_administrations_work_is_not_pulled_in():
    answers = {**LOW, "a_admin": Fact("answered", 4)}  # online services need no measure of their own
    own = plan("gemeinde", "NW", answers)
    assert own.item("m_online").pulled_in  # a Gemeinde runs it, so it comes first
    member = plan("ortsgemeinde", "NW", answers)
    assert member.item("m_online") is None and member.item("m_council_goals") is not None


def test_in_brandenburg_the_ortsgemeinde_plans_heat_itself():
    road = plan("ortsgemeinde", "BB", LOW)
    item = road.item("m_heat")
    assert item is not None and item.urgency.duty_id == "d_heat"


def test_effort_is_sized_to_type_and_variants_bring_their_own():
    landkreis = roadmap.size(CATALOGUE, CATALOGUE_MEASURES["m_online"], profile("landkreis"))
    gemeinde = roadmap.size(CATALOGUE, CATALOGUE_MEASURES["m_online"], profile("gemeinde"))
    assert gemeinde.person_days == (10, 40) and gemeinde.effort == "M"
    # More person-days for a larger organisation, but still a medium step for it.
    assert landkreis.person_days == (50, 200) and landkreis.duration_months == (6, 18)
    assert landkreis.effort == "M"
    own = roadmap.size(CATALOGUE, CATALOGUE_MEASURES["m_council_goals"], profile("ortsgemeinde"))
    assert own.person_days == (1, 3) and own.duration_months == (1, 3) and own.effort == "S"
    fixed = roadmap.size(CATALOGUE, CATALOGUE_MEASURES["m_ask_online"], profile("landkreis"))
    assert fixed.person_days == (1, 3)


CATALOGUE_MEASURES = {m.id: m for m in CATALOGUE.measures}


def test_carry_over_renames_removes_maps_and_asks_where_a_band_was_split():
    carried = carry_over(
        CATALOGUE,
        "1.0",
        {"a_old": "A", "a_gone": "G", "a_council": "C"},
        {"municipality_type": "amt", "population_band": "lt25k", "state": "RP"},
    )
    assert carried.answers == {"a_admin": "A", "a_council": "C"}
    assert carried.removed == ("a_gone",)
    assert carried.profile == {
        "municipality_type": "verwaltungsverband",
        "population_band": None,
        "state": "RP",
    }
    assert carried.choices == {"population_band": ("lt10k", "10k-25k")}
    assert carried.note is not None and "2.0" in carried.note.de


def test_carry_over_refuses_an_unknown_version_and_passes_the_current_one_unchanged():
    with pytest.raises(NoMigration):
        carry_over(CATALOGUE, "0.1", {}, {})
    same = carry_over(CATALOGUE, "2.0", {"a_council": 1}, {"population_band": "lt10k"})
    assert same.answers == {"a_council": 1} and same.choices == {}


KINDS = [t.id for t in CATALOGUE.profile.municipality_types] + [None]
LANDS = [s.id for s in CATALOGUE.profile.states] + [None]


@given(
    st.sampled_from(KINDS),
    st.sampled_from(LANDS),
    st.lists(st.sampled_from([0, 1, 2, 3, 4]), min_size=3, max_size=3),
)
def test_delegated_and_skipped_questions_never_change_the_score(kind, land, levels):
    p = profile(kind, land)
    answers = {
        qid: Fact("answered", level)
        for qid, level in zip(["a_council", "a_admin", "a_heat"], levels, strict=True)
    }
    base = scoring.score(CATALOGUE, answers, p, {}, TODAY)
    for qid, qs in base.questions.items():
        if qs.state not in ("delegated", "skipped"):
            continue
        question = CATALOGUE.questions[qid]
        current = answers.get(qid)
        if question.type == "yes_no":
            other = Fact("answered", not (current and current.value))
        else:
            other = Fact("answered", 0 if current and current.value == 4 else 4)
        again = scoring.score(CATALOGUE, {**answers, qid: other}, p, {}, TODAY)
        assert again.field("alpha").score == base.field("alpha").score
