"""The shipped catalogue meets the content requirements: coverage, sizes, sources, duties."""

from __future__ import annotations

import pytest

from advisor.catalogue import load_catalogue
from advisor.catalogue.stats import catalogue_stats, profile_dependent
from advisor.core import rules
from tests.conftest import PROJECT

FIELDS = ["citizen_service", "internal_processes", "organisation", "energy", "mobility"]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(PROJECT / "questionnaires" / "kommunal")


def test_at_least_twelve_questions_per_field_and_sixty_in_all(catalogue):
    assert [f.id for f in catalogue.fields] == FIELDS
    for field in catalogue.fields:
        assert len(field.questions) >= 12, field.id
    assert catalogue.question_count >= 60


def test_every_question_explains_itself(catalogue):
    for question in catalogue.questions.values():
        assert question.help is not None, question.id
        if question.type == "level":
            assert sorted(question.levels) == [0, 1, 2, 3, 4], question.id
            texts = [question.levels[level].de.lower() for level in range(5)]
            assert len(set(texts)) == 5, question.id
            assert not any(t.strip(" .") in {"gut", "sehr gut", "schlecht", "mittel"} for t in texts), (
                question.id
            )


def test_every_question_maps_to_a_reference_framework(catalogue):
    for question in catalogue.questions.values():
        assert question.frameworks, question.id


def test_responsibility_is_declared_where_municipalities_usually_are_not_responsible(catalogue):
    def carrier(question_id: str, kind: str, land: str | None = None) -> str:
        return catalogue.responsibility(
            catalogue.questions[question_id], {"municipality_type": kind, "state": land}
        )

    assert carrier("mob_public_transport", "gemeinde") == rules.OTHER
    assert carrier("en_street_lighting", "landkreis") == rules.OTHER
    assert carrier("en_heat_planning", "landkreis") == rules.OTHER
    assert all(q.task for q in catalogue.questions.values())
    # Topics the Land portal decides are never a municipality's own.
    portal = [q for q in catalogue.questions.values() if q.task == "portal_services"]
    assert all(q.offers_not_responsible for q in portal)


def test_legal_content_has_a_date_and_every_duty_a_basis_and_an_addressee(catalogue):
    assert catalogue.legal_as_of is not None and catalogue.legal_as_of.year == 2026
    for duty in catalogue.duties:
        assert duty.basis is not None and duty.sources, duty.id
        assert bool(duty.deadlines) != (duty.no_deadline is not None), duty.id
        assert duty.task or duty.applies_to, duty.id
    ozg = next(d for d in catalogue.duties if d.id == "ozg_online_access")
    assert ozg.deadlines == [] and "2024" in ozg.no_deadline.de  # OZG 2.0 set no new deadline


def test_at_least_sixty_measures_ten_per_field_and_cross_cutting_ones(catalogue):
    stats = catalogue_stats(catalogue)
    assert stats["measures"] >= 60
    for field in FIELDS:
        assert stats["measures_per_field"][field] >= 10, field
    cross = {m.id for m in catalogue.measures if m.field == "cross_cutting"}
    assert {"x_digital_lead", "x_digital_strategy", "x_staff_skills", "x_wiba", "x_cooperation"} <= cross


def test_measures_are_complete(catalogue):
    for measure in catalogue.measures:
        assert 3 <= len(measure.first_steps) <= 5, measure.id
        assert measure.raises and measure.triggers, measure.id


def test_at_least_fifteen_measures_depend_on_the_profile(catalogue):
    assert sum(profile_dependent(m) for m in catalogue.measures) >= 15


def test_small_municipalities_are_advised_to_share_rather_than_build(catalogue):
    small = {"municipality_type": "ortsgemeinde", "population_band": "lt2k", "staff_band": "lt20"}
    shared = [
        m
        for m in catalogue.measures
        if any(rules.all_hold(v.when, catalogue.questions, {}, small) for v in m.variants)
    ]
    assert len(shared) >= 5


def test_prerequisites_put_foundations_first(catalogue):
    measures = {m.id: m for m in catalogue.measures}
    assert "x_digital_lead" in measures["x_digital_strategy"].prerequisites
    assert "x_process_inventory" in measures["x_process_redesign"].prerequisites


def test_legal_duties_have_dates_sources_questions_and_measures(catalogue):
    stats = catalogue_stats(catalogue)["duties"]
    for duty in ("heat_planning", "e_invoicing", "web_accessibility"):
        assert stats[duty]["questions"] >= 1, duty
        assert stats[duty]["measures"] >= 1, duty
    heat = next(d for d in catalogue.duties if d.id == "heat_planning")
    assert [str(d.due) for d in heat.deadlines] == ["2026-06-30", "2028-06-30"]
    assert heat.deadlines[0].when[0].in_ == ["100k-200k", "200k-400k", "400k+"]


def test_every_named_law_or_date_carries_a_source(catalogue):
    import re

    law = re.compile(r"\b(OZG|WPG|BITV|Richtlinie|Gesetz|Verordnung|EN 301 549|WCAG|XRechnung|WiBA)\b")
    for question in catalogue.questions.values():
        texts = [question.text.de, question.help.de if question.help else ""]
        texts += [t.de for t in (question.levels or {}).values()]
        if any(law.search(t) for t in texts):
            assert question.sources, question.id
    for measure in catalogue.measures:
        texts = [measure.title.de, measure.summary.de, measure.effect.de] + [
            s.de for s in measure.first_steps
        ]
        if any(law.search(t) for t in texts) or measure.duty:
            assert measure.sources, measure.id
