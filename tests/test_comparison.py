"""Progress since last time (issue 15, item 4): the comparison of two rounds, pure and on the CLI."""

from __future__ import annotations

import json

import pytest

from advisor.core.comparison import compare, renamed_result
from advisor.core.scoring import FieldScore, QuestionScore, Result, band_of
from tests.conftest import PROJECT

FULL = PROJECT / "tests" / "fixtures" / "full_assessment.json"


def later_round(tmp_path, question: str = "cs_online_services", level: int = 4):
    """The full assessment again, with one level answer raised: a later round."""
    document = json.loads(FULL.read_text())
    old = document["answers"][question]["value"]
    document["answers"][question] = {"status": "answered", "value": level}
    path = tmp_path / "later.json"
    path.write_text(json.dumps(document))
    return path, old


def test_the_cli_prints_what_changed_since_the_baseline(kommunal_app, tmp_path):
    later, old = later_round(tmp_path)
    assert old < 4
    runner = kommunal_app.test_cli_runner()
    args = ["assess", str(later), "--baseline", str(FULL), "--date", "2026-12-02"]
    result = runner.invoke(args=[*args, "--json"])
    assert result.exit_code == 0, result.output
    scored = json.loads(result.output)
    fields = {f["id"]: f for f in scored["fields"]}
    assert fields["citizen_service"]["delta"] > 0
    changed = fields["citizen_service"]
    assert abs(changed["delta"] - (changed["score"] - changed["before"])) <= 0.1  # both rounded to 0.1
    assert all(f["delta"] == 0 for key, f in fields.items() if key != "citizen_service")
    assert scored["overall"]["delta"] > 0
    assert scored["baseline"]["moved"] == [
        {
            "question": "cs_online_services",
            "field": "citizen_service",
            "before": float(old),
            "after": 4.0,
            "kind": "up",
        }
    ]
    text = runner.invoke(args=args).output
    assert "questions moved: 1 up" in text and "citizen_service" in text


def test_a_baseline_needs_one_file_and_a_valid_baseline(kommunal_app, tmp_path):
    runner = kommunal_app.test_cli_runner()
    broken = tmp_path / "broken.json"
    broken.write_text("{}")
    refused = runner.invoke(args=["assess", str(FULL), "--baseline", str(broken)])
    assert refused.exit_code != 0 and "broken.json" in refused.output
    two = runner.invoke(args=["assess", str(FULL), str(FULL), "--baseline", str(FULL)])
    assert two.exit_code != 0 and "exactly one" in two.output


def test_an_unchanged_round_has_no_moves(kommunal_app):
    from datetime import date

    from advisor.assessments import exchange
    from advisor.assessments.batch import evaluation_of

    with kommunal_app.app_context():
        checked = exchange.check(kommunal_app.extensions["advisor.catalogues"], FULL.read_bytes())
        result = evaluation_of(checked.catalogue, checked, date(2026, 12, 2)).result
    change = compare(result, result)
    assert change.moved == () and change.overall_delta == 0
    assert all(f.delta in (0, None) for f in change.fields)


# -- a catalogue that renamed questions between the rounds (issue 15, item 3) ---------------


def plain_result(levels: dict[str, float | None]) -> Result:
    """A result of one field "f" with level questions (None: "don't know"), weight 1 each."""
    questions = {
        qid: QuestionScore(qid, "f", "answered" if level is not None else "unknown", (level or 0) / 4, 1.0)
        for qid, level in levels.items()
    }
    score = 100 * sum(q.score for q in questions.values()) / len(questions)
    unknown = tuple(qid for qid, level in levels.items() if level is None)
    field = FieldScore("f", score, band_of(score), None, len(questions), 0, unknown, (), ())
    return Result((field,), score, band_of(score), questions, (), (), unknown)


def test_a_renamed_question_is_compared_under_its_new_id():
    before = plain_result({"a_old": 1, "b": 2, "c": None})
    after = plain_result({"a_new": 3, "b": 2, "c": 4})
    unmatched = compare(before, after)
    assert {(m.question_id, m.kind) for m in unmatched.moved} == {
        ("a_new", "new"),
        ("a_old", "gone"),
        ("c", "now_known"),
    }
    change = compare(before, after, {"a_old": "a_new"})
    assert [(m.question_id, m.before, m.after, m.kind) for m in change.moved] == [
        ("a_new", 1.0, 3.0, "up"),
        ("c", None, 4.0, "now_known"),
    ]
    assert change.fields[0].delta == pytest.approx(100 * (9 - 3) / 12)
    assert "a_old" in before.questions  # the earlier result itself is left as it was


def test_renames_apply_at_once_so_two_ids_can_swap():
    before = plain_result({"x": 1, "y": 3, "z": None})
    moved = renamed_result(before, {"x": "y", "y": "x", "z": "w"})
    assert {qid: qs.level for qid, qs in moved.questions.items()} == {"y": 1.0, "x": 3.0, "w": 0.0}
    assert all(qid == qs.question_id for qid, qs in moved.questions.items())
    assert moved.knowledge_gaps == ("w",) and moved.fields[0].unknown == ("w",)
    assert renamed_result(before, {}) is before
    change = compare(before, plain_result({"x": 3, "y": 1, "w": None}), {"x": "y", "y": "x", "z": "w"})
    assert change.moved == ()
