"""The pure scoring core: worked examples and properties (hypothesis)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.catalogue import load_catalogue
from advisor.core.rules import Fact
from advisor.core.scoring import Priority, band_of, score, value_score
from tests.conftest import CATALOGUES

MINI = load_catalogue(CATALOGUES / "mini")
TODAY = date(2026, 11, 21)
GEMEINDE = {"municipality_type": "gemeinde", "population_band": "2k-5k", "staff_band": "lt20", "state": "BY"}


def a(value):
    return Fact("answered", value)


BEST = {
    "a_level": a(4),
    "a_single": a("two"),
    "a_yes": a(True),
    "b_multi": a(["x", "y"]),
    "b_number": a(1000),
    "b_share": a(80),
}
WORST = {
    "a_level": a(0),
    "a_single": a("one"),
    "a_yes": a(False),
    "b_multi": a(["none"]),
    "b_number": a(0),
    "b_share": a(0),
}


def run(answers, profile=GEMEINDE, priorities=None, catalogue=MINI):
    return score(catalogue, answers, profile, priorities or {}, TODAY)


def test_best_and_worst_answers_span_the_scale():
    best, worst = run(BEST), run(WORST)
    assert [f.score for f in best.fields] == [100, 100]
    assert [f.score for f in worst.fields] == [0, 0]
    assert best.overall == 100 and best.overall_band == "leading"
    assert worst.overall == 0 and worst.overall_band == "starting"


def test_not_responsible_removes_the_question_from_the_maximum():
    answers = {**WORST, "a_level": a(4), "a_single": Fact("not_responsible")}
    alpha = run(answers).field("alpha")
    assert alpha.score == pytest.approx(50.0)  # (1 + 0) / 2, not (1 + 0 + 0) / 3
    assert alpha.applicable == 2 and alpha.not_responsible == ("a_single",)
    assert alpha.confidence == 1.0


def test_unknown_scores_zero_lowers_confidence_and_is_a_knowledge_gap():
    answers = {**BEST, "a_level": Fact("unknown")}
    result = run(answers)
    alpha = result.field("alpha")
    assert alpha.score == pytest.approx(200 / 3)
    assert alpha.confidence == pytest.approx(2 / 3)
    assert result.knowledge_gaps == ("a_level",)
    assert alpha.unknown == ("a_level",)


def test_unanswered_questions_score_zero_and_lower_confidence():
    answers = {k: v for k, v in BEST.items() if k != "b_number"}
    beta = run(answers).field("beta")
    assert beta.score == pytest.approx(200 / 3)
    assert beta.unanswered == ("b_number",)
    assert beta.confidence == pytest.approx(2 / 3)


def test_field_with_every_question_not_responsible_is_not_applicable():
    answers = {
        **BEST,
        "a_level": Fact("not_responsible"),
        "a_single": Fact("not_responsible"),
        "a_yes": Fact("not_responsible"),
    }
    result = run(answers)
    alpha = result.field("alpha")
    assert alpha.score is None and alpha.band is None and alpha.confidence is None
    assert result.overall == 100  # the mean of the applicable fields only


@pytest.mark.parametrize(
    ("points", "band"),
    [
        (0, "starting"),
        (19.99, "starting"),
        (20, "foundations"),
        (59.9, "developing"),
        (60, "advanced"),
        (80, "leading"),
        (100, "leading"),
        (None, None),
    ],
)
def test_bands(points, band):
    assert band_of(points) == band


def test_choice_and_number_rules():
    multi, share, number = (MINI.questions[q] for q in ("b_multi", "b_share", "b_number"))
    assert value_score(multi, ["x", "y", "z"]) == 1.0  # 1.25, capped
    assert value_score(multi, ["z"]) == 0.25
    assert value_score(share, 65) == pytest.approx(0.75)  # between 50 -> 0.5 and 80 -> 1
    assert value_score(share, 95) == 1.0
    assert value_score(number, 250) == 0.25


def test_gaps_are_ranked_by_distance_relevance_and_legal_urgency():
    answers = {**BEST, "a_level": a(1), "b_number": a(0)}
    big_city = {**GEMEINDE, "municipality_type": "stadt", "population_band": "100k+"}
    # a_level measures a duty whose deadline (30 June 2026 for 100k+) has passed: factor 3.
    gaps = run(answers, big_city).gaps
    assert [g.question_id for g in gaps[:2]] == ["a_level", "b_number"]
    assert gaps[0].urgency.overdue and gaps[0].priority == pytest.approx((3 - 1) * 3 * 3)
    assert gaps[1].priority == pytest.approx((3 - 0) * 3 * 1)
    # With beta far more relevant, its gap goes first.
    priorities = {"alpha": Priority(1, 3), "beta": Priority(5, 3)}
    assert run(answers, big_city, priorities).gaps[0].question_id == "b_number"
    # A district has no such duty: no urgency.
    district = {**big_city, "municipality_type": "landkreis"}
    assert run(answers, district).gaps[0].urgency.factor == 1.0
    # A smaller town's deadline (30 June 2028) is within three years: factor 2.
    town = {**big_city, "population_band": "20k-100k"}
    assert run(answers, town).gaps[0].urgency.factor == 2.0


def test_targets_define_what_counts_as_a_gap():
    answers = {**BEST, "a_level": a(2)}
    assert "a_level" in [g.question_id for g in run(answers).gaps]  # default aim: level 3
    low_aim = {"alpha": Priority(3, 2)}
    assert "a_level" not in [g.question_id for g in run(answers, priorities=low_aim).gaps]


def test_strengths_are_the_best_scoring_known_answers():
    answers = {**WORST, "a_level": a(4), "b_share": a(65), "b_number": a(700)}
    assert run(answers).strengths == ("a_level", "b_share")


# -- properties ---------------------------------------------------------------------------


def answered_for(question):
    """A value the question accepts, as an answered fact."""
    if question.type == "level":
        return st.integers(0, 4).map(a)
    if question.type == "yes_no":
        return st.booleans().map(a)
    if question.type == "single":
        return st.sampled_from([o.id for o in question.options]).map(a)
    if question.type == "multiple":
        ids = [o.id for o in question.options if not o.exclusive]
        return st.lists(st.sampled_from(ids), unique=True).map(a)
    if question.integer:
        return st.integers(int(question.min), int(question.max)).map(a)
    return st.floats(question.min, question.max, allow_nan=False).map(a)


def answer_for(question):
    """Any answer the question accepts, including the special ones it offers."""
    options = [answered_for(question)]
    if question.allow_unknown:
        options.append(st.just(Fact("unknown")))
    if question.offers_not_responsible:
        options.append(st.just(Fact("not_responsible")))
    return st.one_of(options)


def answers_for(catalogue):
    return st.fixed_dictionaries({}, optional={q.id: answer_for(q) for q in catalogue.questions.values()})


profiles = st.fixed_dictionaries(
    {
        "municipality_type": st.sampled_from(["gemeinde", "stadt", "amt", "landkreis", None]),
        "population_band": st.sampled_from(["lt2k", "2k-5k", "5k-20k", "20k-100k", "100k+", None]),
        "staff_band": st.sampled_from(["lt20", "20-49", "50-199", "200-999", "1000+", None]),
        "state": st.just("BY"),
    }
)
priorities_for = st.dictionaries(
    st.sampled_from(["alpha", "beta"]),
    st.builds(Priority, st.one_of(st.none(), st.integers(1, 5)), st.one_of(st.none(), st.integers(0, 4))),
)


@given(answers_for(MINI), profiles, priorities_for)
def test_scores_stay_in_range(answers, profile, priorities):
    result = run(answers, profile, priorities)
    for field in result.fields:
        assert field.score is None or 0 <= field.score <= 100
        assert field.confidence is None or 0 <= field.confidence <= 1
    assert result.overall is None or 0 <= result.overall <= 100
    for gap in result.gaps:
        assert gap.priority > 0


@given(answers_for(MINI), st.sampled_from(sorted(MINI.questions)), st.data())
def test_raising_an_answer_never_lowers_its_field_score(answers, question_id, data):
    question = MINI.questions[question_id]
    first = data.draw(answered_for(question))
    second = data.draw(answered_for(question))
    low, high = sorted([first, second], key=lambda f: value_score(question, f.value))
    field = MINI.field_of[question_id]
    before = run({**answers, question_id: low}).field(field).score
    after = run({**answers, question_id: high}).field(field).score
    assert after >= before - 1e-9


@given(
    answers_for(MINI), st.sampled_from([q.id for q in MINI.questions.values() if q.offers_not_responsible])
)
def test_not_responsible_never_lowers_the_score(answers, question_id):
    field = MINI.field_of[question_id]
    responsible = run({**answers, question_id: Fact("unknown")}).field(field).score
    worst = run(
        {**answers, question_id: a(0) if MINI.questions[question_id].type == "level" else Fact("unknown")}
    )
    not_responsible = run({**answers, question_id: Fact("not_responsible")}).field(field).score
    for other in (responsible, worst.field(field).score):
        assert not_responsible is None or not_responsible >= other - 1e-9


@given(answers_for(MINI), profiles, priorities_for, st.randoms())
def test_order_of_answers_does_not_matter_and_results_repeat(answers, profile, priorities, rnd):
    items = list(answers.items())
    rnd.shuffle(items)
    assert run(dict(items), profile, priorities) == run(answers, profile, priorities)


KOMMUNAL = None


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_properties_hold_on_the_shipped_catalogue(data):
    global KOMMUNAL
    if KOMMUNAL is None:
        from tests.conftest import PROJECT

        KOMMUNAL = load_catalogue(PROJECT / "questionnaires" / "kommunal")
    answers = data.draw(answers_for(KOMMUNAL))
    profile = data.draw(profiles)
    result = score(KOMMUNAL, answers, profile, {}, TODAY)
    assert all(f.score is None or 0 <= f.score <= 100 for f in result.fields)
    assert result == score(KOMMUNAL, dict(reversed(list(answers.items()))), profile, {}, TODAY)
