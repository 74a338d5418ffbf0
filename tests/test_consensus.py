"""The consensus rule of guided sessions (advisor.core.consensus): spread, divergence, median."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from advisor.core.consensus import (
    DIFFERENT,
    MIXED_NOT_RESPONSIBLE,
    MIXED_UNKNOWN,
    WIDE,
    divergent_first,
    spread,
)
from advisor.core.rules import Fact


def levels(*values):
    return [Fact("answered", v) for v in values]


def test_levels_two_apart_diverge_and_the_lower_median_is_proposed():
    s = spread("level", levels(1, 3, 2, 3))
    assert (s.low, s.high, s.answered) == (1, 3, 4)
    assert s.reasons == (WIDE,)
    assert s.proposal == Fact("answered", 2)  # 1 2 | 3 3: the lower middle
    assert s.count_map == {"3": 2, "1": 1, "2": 1}


def test_neighbouring_levels_do_not_diverge():
    s = spread("level", levels(2, 3, 3))
    assert not s.divergent
    assert s.proposal == Fact("answered", 3)


def test_unknown_beside_levels_diverges_and_levels_majority_still_proposes():
    s = spread("level", [*levels(2, 2), Fact("unknown")])
    assert s.reasons == (MIXED_UNKNOWN,)
    assert s.proposal == Fact("answered", 2)


def test_not_responsible_beside_levels_diverges():
    s = spread("level", [*levels(1), Fact("not_responsible"), Fact("not_responsible")])
    assert MIXED_NOT_RESPONSIBLE in s.reasons
    assert s.proposal == Fact("not_responsible")


def test_an_even_split_between_a_level_and_unknown_proposes_nothing():
    s = spread("level", [*levels(2), Fact("unknown")])
    assert s.proposal is None and s.divergent


def test_choices_diverge_when_they_differ_and_a_majority_is_proposed():
    s = spread("single", [Fact("answered", "a"), Fact("answered", "b"), Fact("answered", "a")])
    assert s.reasons == (DIFFERENT,)
    assert s.proposal == Fact("answered", "a")
    assert spread("single", [Fact("answered", "a"), Fact("answered", "b")]).proposal is None


def test_several_choices_propose_what_more_than_half_chose():
    s = spread(
        "multiple", [Fact("answered", ["x", "y"]), Fact("answered", ["y"]), Fact("answered", ["y", "z"])]
    )
    assert s.reasons == (DIFFERENT,) and s.proposal == Fact("answered", ["y"])
    scattered = spread("multiple", [Fact("answered", [option]) for option in "xyz"])
    assert scattered.proposal is None  # no option has a majority: nothing to accept


def test_numbers_diverge_beyond_a_fifth():
    assert not spread("number", [Fact("answered", 100.0), Fact("answered", 85.0)]).divergent
    assert spread("number", [Fact("answered", 100.0), Fact("answered", 70.0)]).reasons == (WIDE,)


def test_no_answers_no_proposal():
    s = spread("level", [Fact("answered", None)])
    assert s.answered == 0 and s.proposal is None and not s.divergent


def test_divergent_questions_come_first_in_catalogue_order_otherwise():
    calm, wide, mixed = (
        spread("level", levels(2, 2)),
        spread("level", levels(0, 4)),
        spread("level", [*levels(1, 2), Fact("unknown")]),
    )
    ordered = [qid for qid, _ in divergent_first([("a", calm), ("b", mixed), ("c", wide), ("d", calm)])]
    assert ordered == ["c", "b", "a", "d"]


answer = st.one_of(
    st.integers(min_value=0, max_value=4).map(lambda v: Fact("answered", v)),
    st.sampled_from([Fact("unknown"), Fact("not_responsible")]),
)


@given(st.lists(answer, min_size=1, max_size=30))
def test_the_proposal_lies_within_the_range_and_the_counts_add_up(facts):
    s = spread("level", facts)
    assert sum(n for _, n in s.counts) == s.answered == len(facts)
    if s.proposal is not None and s.proposal.state == "answered":
        assert s.low <= s.proposal.value <= s.high
    if s.low is not None and s.high - s.low >= 2:
        assert s.divergent


@given(st.lists(answer, min_size=1, max_size=30), st.randoms())
def test_the_order_of_answers_does_not_matter(facts, random):
    shuffled = list(facts)
    random.shuffle(shuffled)
    assert spread("level", facts) == spread("level", shuffled)


@given(st.integers(min_value=0, max_value=4), st.integers(min_value=1, max_value=30))
def test_agreement_is_not_divergent(level, count):
    s = spread("level", levels(*[level] * count))
    assert not s.divergent and s.proposal == Fact("answered", level)
