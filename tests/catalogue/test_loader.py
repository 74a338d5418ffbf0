"""Catalogue validation: good catalogues load, every kind of broken file is named with its line."""

from __future__ import annotations

import shutil

import pytest

from advisor.catalogue import CatalogueError, load_all, load_catalogue
from tests.catalogue.helpers import MINI, edit, line_of, problems
from tests.conftest import PROJECT


def test_fixture_catalogue_loads_with_all_question_types():
    catalogue = load_catalogue(MINI)
    assert [f.id for f in catalogue.fields] == ["alpha", "beta"]
    assert {q.type for q in catalogue.questions.values()} == {
        "level",
        "single",
        "yes_no",
        "multiple",
        "number",
    }
    assert catalogue.field_of["b_number"] == "beta"
    assert len(catalogue.hash) == 64


def test_shipped_catalogue_has_five_fields_with_three_questions_each():
    catalogue = load_catalogue(PROJECT / "questionnaires" / "kommunal")
    assert [f.id for f in catalogue.fields] == [
        "citizen_service",
        "internal_processes",
        "organisation",
        "energy",
        "mobility",
    ]
    for field in catalogue.fields:
        assert len(field.questions) >= 3, field.id
    for question in catalogue.questions.values():
        if question.type == "level":
            assert sorted(question.levels) == [0, 1, 2, 3, 4]


def test_hash_ignores_formatting_and_comments_but_not_content(mini):
    original = load_catalogue(mini).hash
    alpha = mini / "fields" / "alpha.yaml"
    alpha.write_text("# a comment\n" + alpha.read_text().replace('"Hilfe zu A."', "'Hilfe zu A.'"))
    assert load_catalogue(mini).hash == original
    edit(alpha, "Hilfe zu A.", "Andere Hilfe zu A.")
    assert load_catalogue(mini).hash != original


def test_invalid_yaml_names_file_and_line(mini):
    alpha = mini / "fields" / "alpha.yaml"
    edit(
        alpha,
        '    text: {de: "Gibt es B?", en: "Is there B?"}',
        '    text: {de: "Gibt es B?", en: "Is there B?"',
    )
    (message,) = problems(mini)
    # The flow mapping opened on this line is never closed; YAML notices on the next one.
    assert f"fields/alpha.yaml:{line_of(alpha, 'Gibt es B') + 1}: invalid YAML" in message


def test_unknown_key_names_line_and_path(mini):
    alpha = mini / "fields" / "alpha.yaml"
    edit(alpha, "    allow_unknown: false\n", "    allow_unknown: false\n    colour: blue\n")
    (message,) = problems(mini)
    assert f"alpha.yaml:{line_of(alpha, 'colour')}: questions[2].colour: unknown key" in message


def test_missing_english_text_is_reported(mini):
    alpha = mini / "fields" / "alpha.yaml"
    edit(alpha, '{de: "Welche Variante?", en: "Which variant?"}', '{de: "Welche Variante?"}')
    (message,) = problems(mini)
    assert (
        f"alpha.yaml:{line_of(alpha, 'Welche Variante')}: questions[1].text.en: missing English text"
        in message
    )


def test_empty_german_text_is_reported(mini):
    beta = mini / "fields" / "beta.yaml"
    edit(beta, '{de: "Wie viele?"', '{de: "  "')
    (message,) = problems(mini)
    assert "questions[1].text.de: empty German text" in message


def test_duplicate_question_id_across_files(mini):
    beta = mini / "fields" / "beta.yaml"
    edit(beta, "id: b_share", "id: a_level")
    (message,) = problems(mini)
    assert (
        f"beta.yaml:{line_of(beta, 'id: a_level')}: questions[2].id: duplicate question id 'a_level'"
        in message
    )
    assert "alpha.yaml" in message


def test_level_out_of_range(mini):
    alpha = mini / "fields" / "alpha.yaml"
    edit(
        alpha,
        '      4: {de: "Vollständig", en: "Fully"}',
        '      4: {de: "Vollständig", en: "Fully"}\n      5: {de: "Mehr", en: "More"}',
    )
    (message,) = problems(mini)
    assert (
        f"alpha.yaml:{line_of(alpha, '5: {de')}: questions[0].levels[5]: level 5 is out of range (0 to 4)"
        in message
    )


def test_missing_level_is_reported(mini):
    alpha = mini / "fields" / "alpha.yaml"
    edit(alpha, '      3: {de: "Weitgehend", en: "Largely"}\n', "")
    (message,) = problems(mini)
    assert "questions[0].levels: levels missing: 3" in message


def test_yaml_1_1_booleans_are_not_silently_converted(mini):
    # Unquoted `no` would be the boolean false in YAML 1.1 and lose the text.
    alpha = mini / "fields" / "alpha.yaml"
    edit(alpha, '0: {de: "Nichts", en: "Nothing"}', '0: {de: "Nichts", en: no}')
    catalogue = load_catalogue(mini)
    assert catalogue.questions["a_level"].levels[0].en == "no"


def test_duplicate_key_in_mapping(mini):
    alpha = mini / "fields" / "alpha.yaml"
    edit(alpha, "    type: yes_no\n", "    type: yes_no\n    type: multiple\n")
    (message,) = problems(mini)
    assert f"alpha.yaml:{line_of(alpha, 'type: multiple')}: duplicate key 'type'" in message


def test_type_specific_rules(mini):
    beta = mini / "fields" / "beta.yaml"
    edit(beta, "    min: 0\n    max: 100\n", "    min: 100\n    max: 10\n")
    edit(beta, "      - {id: z, score: 0.25, label", "      - {id: unknown, score: 0.25, label")
    found = problems(mini)
    assert any("questions[2].min: min must be less than max" in m for m in found)
    assert any("questions[0].options[2].id: 'unknown' is reserved" in m for m in found)


def test_forbidden_key_for_type(mini):
    alpha = mini / "fields" / "alpha.yaml"
    edit(alpha, "    type: yes_no\n", "    type: yes_no\n    unit: {de: x, en: x}\n")
    (message,) = problems(mini)
    assert (
        f"alpha.yaml:{line_of(alpha, 'unit: {de: x')}: questions[2].unit: not allowed for a yes_no question"
        in message
    )


def test_unknown_question_type(mini):
    alpha = mini / "fields" / "alpha.yaml"
    edit(alpha, "    type: single\n", "    type: sometimes\n")
    (message,) = problems(mini)
    assert f"alpha.yaml:{line_of(alpha, 'type: sometimes')}: questions[1].type: must be one of" in message


def test_missing_field_file_and_field_mismatch(mini):
    (mini / "fields" / "beta.yaml").unlink()
    edit(mini / "fields" / "alpha.yaml", "field: alpha", "field: gamma")
    found = problems(mini)
    assert any(
        "catalogue.yaml" in m and "fields[1].file: file not found: fields/beta.yaml" in m for m in found
    )
    assert any("alpha.yaml:1: field: file is listed for field 'alpha' but says 'gamma'" in m for m in found)


def test_load_all_reports_every_broken_catalogue(tmp_path):
    for name in ("one", "two"):
        shutil.copytree(MINI, tmp_path / name)
        edit(tmp_path / name / "catalogue.yaml", "id: mini", f"id: {name}")
    edit(tmp_path / "two" / "fields" / "beta.yaml", "type: number\n    integer", "type: numbr\n    integer")
    with pytest.raises(CatalogueError) as info:
        load_all(tmp_path)
    assert all("two" in p.file for p in info.value.problems)
    edit(tmp_path / "two" / "fields" / "beta.yaml", "type: numbr", "type: number")
    assert set(load_all(tmp_path)) == {"one", "two"}
