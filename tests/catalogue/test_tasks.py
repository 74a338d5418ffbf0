"""Who does what: the task rules of a catalogue, each shown failing on a broken copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.catalogue import load_catalogue
from advisor.catalogue.checks import names_role
from tests.catalogue.helpers import TASKS, edit, line_of, problems


def fields(directory: Path) -> Path:
    return directory / "fields" / "alpha.yaml"


def measures(directory: Path) -> Path:
    return directory / "measures" / "all.yaml"


def root(directory: Path) -> Path:
    return directory / "catalogue.yaml"


def test_fixture_loads_with_tasks_sizing_and_legal_date():
    catalogue = load_catalogue(TASKS)
    assert [t.id for t in catalogue.tasks] == ["council", "administration", "heat", "district"]
    assert catalogue.legal_as_of.isoformat() == "2026-12-01"
    assert len(catalogue.sizing) == 3


def test_every_question_names_a_known_task(tasks_dir):
    edit(fields(tasks_dir), "    task: council\n", "")
    edit(fields(tasks_dir), "task: heat", "task: hot_water")
    found = problems(tasks_dir)
    assert any("questions[0]: a question names its task" in m for m in found)
    assert any("questions[2].task: unknown task 'hot_water'" in m for m in found)


def test_a_task_some_type_does_not_carry_offers_not_responsible(tasks_dir):
    edit(fields(tasks_dir), "    task: heat\n    allow_not_responsible: true\n", "    task: heat\n")
    (message,) = problems(tasks_dir)
    line = line_of(fields(tasks_dir), "id: a_heat")
    assert (
        f"alpha.yaml:{line}: questions[2]: task 'heat' is not carried by landkreis, verwaltungsverband"
        in message
    )
    assert "allow_not_responsible: true" in message


def test_not_responsible_for_gives_way_to_the_task(tasks_dir):
    edit(
        fields(tasks_dir), "    task: council\n", "    task: council\n    not_responsible_for: [landkreis]\n"
    )
    (message,) = problems(tasks_dir)
    assert "questions[0].not_responsible_for: use the task's rules" in message


def test_a_duty_states_basis_date_or_none_and_whom_it_binds(tasks_dir):
    edit(root(tasks_dir), '    basis: {de: "Wärmeplanungsgesetz § 4", en: "Heat Planning Act § 4"}\n', "")
    edit(root(tasks_dir), '    no_deadline: {de: "Keine Frist.", en: "No deadline."}\n', "")
    edit(root(tasks_dir), "    task: administration\n    sources", "    sources")
    found = problems(tasks_dir)
    assert any("duties[0]: a duty needs its legal basis" in m for m in found)
    assert any("duties[1]: a duty has deadlines or says why it has none" in m for m in found)
    assert any("duties[1]: a duty names whom it binds" in m for m in found)


def test_a_duty_with_a_date_cannot_also_say_it_has_none(tasks_dir):
    edit(
        root(tasks_dir),
        "    task: heat\n    deadlines:",
        '    no_deadline: {de: "Keine.", en: "None."}\n    task: heat\n    deadlines:',
    )
    (message,) = problems(tasks_dir)
    assert "duties[0]: a duty has deadlines or says why it has none (`no_deadline`), not both" in message


def test_task_rules_name_known_lands_and_types_and_end_with_the_general_rule(tasks_dir):
    edit(
        root(tasks_dir),
        "      - states: [RP]\n        responsible: [gemeinde, verwaltungsverband]",
        "      - states: [XX]\n        responsible: [gemeinde, amt]",
    )
    edit(
        root(tasks_dir),
        "      - responsible: [gemeinde, ortsgemeinde]\n",
        "      - states: [BB]\n        responsible: [gemeinde, ortsgemeinde]\n",
    )
    found = problems(tasks_dir)
    assert any("tasks[2].rules[0].states[0]: unknown state 'XX'" in m for m in found)
    assert any("tasks[2].rules[0].responsible[1]: unknown municipality type 'amt'" in m for m in found)
    assert any(
        "tasks[2].rules: the last rule, and only the last, holds for every other Land" in m for m in found
    )


def test_a_type_without_offices_needs_a_variant_for_each_measure_it_can_reach(tasks_dir):
    title = '\n        title: {de: "Ziele im Gemeinderat beschließen"'
    edit(
        measures(tasks_dir),
        "      - when: [{profile: municipality_type, in: [ortsgemeinde]}]" + title,
        "      - when: [{profile: municipality_type, in: [landkreis]}]" + title,
    )
    found = problems(tasks_dir)
    line = line_of(measures(tasks_dir), "variants:")
    assert any(
        f"all.yaml:{line}: measures[0].variants: ortsgemeinde can reach this measure: add a variant" in m
        for m in found
    )
    # ...and a Landkreis has no joint administration to do the work of the variant.
    assert any("measures[0].variants[0].partner.by: only municipalities with a joint" in m for m in found)


def test_a_variant_for_a_type_without_offices_names_none_it_lacks(tasks_dir):
    edit(
        measures(tasks_dir),
        'responsible: {de: "Bürgermeisterin oder Bürgermeister mit {administration}"',
        'responsible: {de: "Bauamt der Gemeinde"',
    )
    (message,) = problems(tasks_dir)
    assert (
        "measures[3].variants[0].responsible: ortsgemeinde has no Bauamt: name who does it there" in message
    )


def test_measures_an_ortsgemeinde_cannot_reach_need_no_variant():
    catalogue = load_catalogue(TASKS)
    online = next(m for m in catalogue.measures if m.id == "m_online")
    assert online.variants == [] and "Hauptamt" in online.responsible.de  # and the fixture loads


def test_lowest_answer_triggers_a_measure_for_each_type_and_land_that_carries_the_task(tasks_dir):
    edit(
        measures(tasks_dir),
        "      - when: [{question: a_heat, max_level: 2}]",
        "      - when: [{question: a_heat, max_level: 2}, {profile: state, in: [RP]}]",
    )
    (message,) = problems(tasks_dir)
    assert "the lowest answer to 'a_heat' triggers no measure for: gemeinde, ortsgemeinde" in message


def test_profile_migration_maps_to_known_values(tasks_dir):
    edit(root(tasks_dir), '"lt25k": ["lt10k", "10k-25k"]', '"lt25k": ["lt10k", "10k-20k"]')
    (message,) = problems(tasks_dir)
    assert "migrations[0].profile.population_band.lt25k[1]: unknown population_band '10k-20k'" in message


def test_kinds_of_administration_name_known_lands_and_how_to_address_them(tasks_dir):
    edit(
        root(tasks_dir),
        '      states: [BB]\n      your: {de: "Ihr Amt", en: "your Amt"}\n',
        "      states: [BY]\n",
    )
    found = problems(tasks_dir)
    assert any("profile.association_kinds[0].states[0]: unknown state 'BY'" in m for m in found)
    assert any(
        "profile.association_kinds[0]: a kind of administration needs `your` and `your_dative`" in m
        for m in found
    )


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Das Hauptamt prüft die Angebote.", True),
        ("Die Leiterin des Hauptamtes lädt ein.", True),
        ("Das Hauptamt der Verbandsgemeinde prüft die Angebote.", False),
        ("Fragen Sie beim Hauptamt des Amtes nach.", False),
        ("Das Hauptamt bei {administration} hilft.", False),
        ("Das Hauptamt beim Amt hilft.", False),
        ("Eine hauptamtliche Kraft fehlt.", False),
    ],
)
def test_a_role_of_the_joint_administration_is_not_the_municipalitys_own(text, named):
    assert names_role("Hauptamt", text) is named


def test_a_band_variant_before_the_types_own_is_what_a_small_member_sees(tasks_dir):
    edit(
        measures(tasks_dir),
        """    variants:
      - when: [{profile: municipality_type, in: [ortsgemeinde]}]
        summary:""",
        """    variants:
      - when: [{profile: population_band, in: [lt10k]}]
        responsible: {de: "Bauamt der kleinen Gemeinde", en: "Building office"}
      - when: [{profile: municipality_type, in: [ortsgemeinde]}]
        summary:""",
    )
    (message,) = problems(tasks_dir)
    assert "measures[3].variants[0].responsible: ortsgemeinde has no Bauamt" in message


def test_partner_and_fallback_are_read():
    catalogue = load_catalogue(TASKS)
    measures = {m.id: m for m in catalogue.measures}
    assert measures["m_council_goals"].variants[0].partner.by == "administration"
    assert measures["m_heat"].fallback.person_days == [4, 12]


def test_only_a_member_of_a_joint_administration_has_it_do_the_work(tasks_dir):
    edit(
        measures(tasks_dir), "    duty: d_online\n", "    duty: d_online\n    partner: {by: administration}\n"
    )
    (message,) = problems(tasks_dir)
    assert "measures[1].partner.by: only municipalities with a joint administration have one" in message


def test_a_fallback_belongs_to_a_duty_and_costs_less(tasks_dir):
    edit(measures(tasks_dir), "    duty: d_heat\n", "")
    edit(measures(tasks_dir), "      person_days: [4, 12]", "      person_days: [4, 40]")
    found = problems(tasks_dir)
    assert any("measures[3].fallback: a fallback is a way to meet a duty's deadline" in m for m in found)
    assert any("measures[3].fallback.person_days: a fallback must cost less own effort" in m for m in found)


def test_a_fallback_names_no_office_a_small_type_lacks(tasks_dir):
    edit(
        measures(tasks_dir),
        'summary: {de: "Einer gemeinsamen Planung beitreten."',
        'summary: {de: "Das Bauamt tritt bei."',
    )
    (message,) = problems(tasks_dir)
    assert "measures[3].fallback.summary: ortsgemeinde has no Bauamt" in message
