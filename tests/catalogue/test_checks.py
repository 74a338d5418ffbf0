"""Each cross-file catalogue rule, shown failing on a broken copy of the fixture catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.catalogue import load_catalogue
from advisor.catalogue.checks import source_problem
from tests.catalogue.helpers import MINI, TASKS, edit, line_of, problems


def measures(mini: Path) -> Path:
    return mini / "measures" / "all.yaml"


def test_fixture_has_measures_duties_and_frameworks():
    catalogue = load_catalogue(MINI)
    assert [m.id for m in catalogue.measures] == [
        "m_lead",
        "m_a_basics",
        "m_a_yes",
        "m_b_multi",
        "m_b_numbers",
    ]
    assert [d.id for d in catalogue.duties] == ["d_demo"]
    assert set(catalogue.frameworks) == {"demo"}


def test_unknown_prerequisite(mini):
    edit(measures(mini), "prerequisites: [m_lead]", "prerequisites: [m_nowhere]")
    (message,) = problems(mini)
    line = line_of(measures(mini), "m_nowhere")
    assert f"all.yaml:{line}: measures[1].prerequisites[0]: unknown measure 'm_nowhere'" in message


def test_prerequisite_cycle(mini):
    edit(
        measures(mini),
        "    triggers:\n      - when: [{question: a_level, state: unknown}]",
        "    prerequisites: [m_a_yes]\n    triggers:\n      - when: [{question: a_level, state: unknown}]",
    )
    (message,) = problems(mini)
    assert "prerequisites form a cycle: m_a_basics -> m_lead -> m_a_yes -> m_a_basics" in message or (
        "prerequisites form a cycle" in message and "m_lead" in message and "m_a_yes" in message
    )


def test_trigger_names_unknown_question_and_option(mini):
    edit(measures(mini), '{question: a_yes, in: ["no"]}', '{question: a_yess, in: ["no"]}')
    edit(measures(mini), "{question: a_single, in: [one]}", "{question: a_single, in: [three]}")
    found = problems(mini)
    assert any("measures[2].triggers[0].when[0].question: unknown question 'a_yess'" in m for m in found)
    assert any("measures[1].triggers[1].when[0].in: a_single has no option 'three'" in m for m in found)


def test_trigger_test_must_fit_the_question_type(mini):
    edit(measures(mini), "{question: b_number, below: 100}", "{question: b_number, max_level: 1}")
    edit(measures(mini), "{question: b_share, below: 50}", "{question: b_share, below: 500}")
    found = problems(mini)
    assert any("when[0].max_level: max_level needs a level question, b_number is number" in m for m in found)
    assert any("when[0].below: 500.0 is outside the range of b_share" in m for m in found)


def test_trigger_on_unknown_profile_value_and_special_not_offered(mini):
    edit(measures(mini), 'in: ["20k-100k", "100k+"]', 'in: ["20k-100k", "huge"]')
    edit(measures(mini), "{question: a_level, state: unknown}", "{question: a_level, state: not_responsible}")
    found = problems(mini)
    assert any("when[1].in: unknown population_band 'huge'" in m for m in found)
    assert any("state: a_level does not offer “not responsible”" in m for m in found)


def test_a_condition_needs_exactly_one_test(mini):
    edit(
        measures(mini), "{question: b_number, below: 100}", "{question: b_number, below: 100, state: unknown}"
    )
    (message,) = problems(mini)
    assert "exactly one of max_level, in, lacks, below, state" in message


def test_variant_may_only_use_profile_conditions(mini):
    edit(
        measures(mini),
        "      - when: [{profile: municipality_type, in: [gemeinde, amt]}]",
        "      - when: [{question: a_level, max_level: 1}]",
    )
    (message,) = problems(mini)
    assert "measures[2].variants[0].when[0]: only profile conditions are allowed here" in message


def test_every_question_must_be_raised_by_a_measure(mini):
    edit(measures(mini), "      - {question: b_number, to_level: 2}\n", "")
    found = problems(mini)
    line = line_of(mini / "fields" / "beta.yaml", "id: b_number")
    expected = f"beta.yaml:{line}: questions[1].id: no measure raises question 'b_number'"
    assert any(expected in m for m in found)


def test_lowest_answer_must_trigger_a_measure_for_every_municipality_type(mini):
    edit(
        measures(mini),
        '      - when: [{question: a_yes, in: ["no"]}]',
        '      - when: [{question: a_yes, in: ["no"]}, {profile: municipality_type, in: [gemeinde, stadt]}]',
    )
    (message,) = problems(mini)
    assert "questions[2].id: the lowest answer to 'a_yes' triggers no measure for: amt, landkreis" in message


def test_effort_and_person_days_must_agree(mini):
    edit(measures(mini), "person_days: [1, 3]", "person_days: [1, 30]")
    edit(measures(mini), "duration_months: [1, 3]", "duration_months: [4, 3]")
    found = problems(mini)
    assert any("measures[0].person_days: effort S means 1 to 15 person-days; got 1 to 30" in m for m in found)
    assert any("measures[2].duration_months: minimum above maximum" in m for m in found)


def test_too_few_first_steps_and_missing_english(mini):
    edit(measures(mini), "    effort: L\n", '    effort: L\n    good_practice: [{text: {de: "Beispiel"}}]\n')
    steps = [f'      - {{de: "Schritt {i}", en: "Step {i}"}}\n' for i in (1, 2, 3)]
    three_steps, one_step = "".join(steps), steps[0]
    text = (
        measures(mini)
        .read_text()
        .replace(
            f"    first_steps:\n{three_steps}    effort: S\n    person_days: [1, 3]",
            f"    first_steps:\n{one_step}    effort: S\n    person_days: [1, 3]",
            1,
        )
    )
    measures(mini).write_text(text)
    found = problems(mini)
    assert any("measures[0].first_steps: List should have at least 3 items" in m for m in found)
    assert any("measures[3].good_practice[0].text.en: missing English text" in m for m in found)


def test_duplicate_measure_id_and_missing_measure_file(mini, tmp_path):
    edit(measures(mini), "  - id: m_b_multi", "  - id: m_a_yes")
    found = problems(mini)
    assert any("measures[3].id: duplicate measure id 'm_a_yes'" in m for m in found)
    measures(mini).unlink()
    found = problems(mini)
    assert any("measure_files[0]: file not found: measures/all.yaml" in m for m in found)


def test_unknown_framework_area_duty_and_type(mini):
    alpha = mini / "fields" / "alpha.yaml"
    edit(alpha, "frameworks: {demo: [first]}", "frameworks: {demo: [third], other: [x]}")
    edit(alpha, "duty: d_demo", "duty: d_nothing")
    edit(alpha, "not_responsible_for: [landkreis]", "not_responsible_for: [bezirk]")
    found = problems(mini)
    assert any("questions[0].frameworks.demo[0]: unknown demo area 'third'" in m for m in found)
    assert any("questions[0].frameworks.other: unknown framework 'other'" in m for m in found)
    assert any("questions[0].duty: unknown duty 'd_nothing'" in m for m in found)
    assert any("questions[2].not_responsible_for[0]: unknown municipality type 'bezirk'" in m for m in found)


def test_scores_and_scales_are_required_and_sound(mini):
    beta = mini / "fields" / "beta.yaml"
    alpha = mini / "fields" / "alpha.yaml"
    edit(alpha, "{id: two, score: 1, label", "{id: two, score: 0.5, label")
    edit(beta, "{id: z, score: 0.25, label", "{id: z, label")
    edit(
        beta,
        "scale: [{value: 0, score: 0}, {value: 1000, score: 1}]",
        "scale: [{value: 1000, score: 1}, {value: 0, score: 0}]",
    )
    edit(beta, "{value: 80, score: 1}", "{value: 800, score: 1}")
    found = problems(mini)
    assert any("questions[1].options: option scores must range from 0 to 1" in m for m in found)
    assert any("questions[0].options[2]: option needs a score (0 to 1)" in m for m in found)
    assert any("questions[1].scale: scale values must be strictly ascending" in m for m in found)
    assert any("questions[2].scale: scale values must lie within min and max" in m for m in found)


@pytest.mark.parametrize(
    ("source", "ok"),
    [
        ("https://www.gesetze-im-internet.de/wpg/", True),
        ("Wärmeplanungsgesetz (WPG) vom 20. Dezember 2023, § 4", True),
        ("BSI-Standard 200-2", True),
        ("www.bsi.bund.de/wiba", False),
        ("Wikipedia", False),
        ("TODO: find source", False),
        ("https://no domain", False),
    ],
)
def test_a_source_is_a_url_or_a_citation(source, ok):
    assert (source_problem(source) is None) is ok


def test_bad_source_in_a_measure_is_reported_with_its_line(mini):
    edit(measures(mini), 'sources: ["https://example.org/a"]', 'sources: ["tbd"]')
    (message,) = problems(mini)
    assert (
        f"all.yaml:{line_of(measures(mini), 'tbd')}: measures[1].sources[0]: placeholder instead of a source"
        in message
    )


def test_duty_deadlines_use_profile_conditions_only(mini):
    edit(
        mini / "catalogue.yaml",
        'when: [{profile: population_band, in: ["100k+"]}]',
        "when: [{question: a_level, max_level: 1}]",
    )
    (message,) = problems(mini)
    assert "duties[0].deadlines[0].when[0]: only profile conditions are allowed here" in message


def test_trigger_level_out_of_range(mini):
    edit(measures(mini), "{question: a_level, max_level: 1}", "{question: a_level, max_level: 7}")
    (message,) = problems(mini)
    assert (
        f"all.yaml:{line_of(measures(mini), 'max_level: 7')}: measures[1].triggers[0].when[0].max_level:"
        in message
    )
    assert "less than or equal to 4" in message


def test_raise_to_level_out_of_range(mini):
    edit(measures(mini), "{question: a_level, to_level: 3}", "{question: a_level, to_level: 5}")
    (message,) = problems(mini)
    assert "measures[1].raises[0].to_level" in message


def test_stats_report_measures_profile_share_and_framework_coverage():
    from advisor.catalogue.stats import catalogue_stats

    stats = catalogue_stats(load_catalogue(MINI))
    assert stats["measures_per_field"] == {"alpha": 2, "beta": 2, "cross_cutting": 1}
    assert stats["profile_dependent_measures"] == 2  # m_a_yes (variant), m_b_numbers (trigger)
    assert stats["profile_dependent_share"] == 0.4
    assert stats["framework_coverage"]["demo"] == {
        "questions": 1,
        "areas": {"first": 1, "second": 0},
        "uncovered": ["second"],
    }
    assert stats["duties"]["d_demo"] == {
        "questions": 1,
        "measures": 1,
        "deadlines": ["2026-06-30", "2028-06-30"],
        "basis": "Demo-Gesetz § 1",
    }
    assert stats["usually_not_responsible"]["landkreis"] == 1


def test_stats_count_per_type_what_it_is_scored_on_and_what_its_administration_does():
    from advisor.catalogue.stats import catalogue_stats

    stats = catalogue_stats(load_catalogue(TASKS))
    assert stats["responsibility"]["ortsgemeinde"] == {"own": 2, "administration": 1, "other": 0, "skip": 1}
    assert stats["responsibility"]["landkreis"] == {"own": 3, "administration": 0, "other": 1, "skip": 0}
    assert stats["land_rules"] == {"heat": ["RP"]}
    assert stats["usually_not_responsible"]["verwaltungsverband"] == 1
