"""The advisor's own recommendations (issue 13, item 7): own measures, catalogue measures adjusted or
removed with a reason; only the owning advisor changes them, the municipality sees them marked."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.advising.models import AdvisorMeasure
from advisor.assessments.models import Assessment, AssessmentChange
from advisor.db import db
from tests.accounts.test_accounts import signed_in
from tests.advising.test_handover import code_of
from tests.conftest import Client, count_rows

OWN = {
    "title": "Breitbandförderung prüfen",
    "text": "Den Förderaufruf des Landes lesen.",
    "phase": "2",
    "effort": "M",
    "responsible": "Hauptamt",
    "reason": "Der Aufruf endet im Herbst.",
}


def guided(app, runner, email="berater@example.org") -> tuple[Client, Client, str]:
    """An advisor, the municipality that handed its assessment over, and its id (English pages)."""
    advisor = signed_in(app, runner, email, "advisor")
    municipality = Client(app)
    aid, _ = municipality.start()
    municipality.profile(aid, municipality_name="Musterhausen")
    municipality.post(f"/a/{aid}/fields/alpha", {"q_a_level": "0", "nav": "stay"})
    assert municipality.post(f"/a/{aid}/handover", {"code": code_of(advisor)}).status_code == 303
    for client in (advisor, municipality):
        client.get("/language/en")
    return advisor, municipality, aid


def revision(app, aid: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Assessment.revision).where(Assessment.public_id == aid))


def entry_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AdvisorMeasure.id).order_by(AdvisorMeasure.id)))


def test_the_advisor_adds_adjusts_and_removes_and_the_municipality_sees_it_marked(app, runner):
    advisor, municipality, aid = guided(app, runner)
    page = advisor.get(f"/a/{aid}/measures")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<option value="m_a_basics">Basics of A</option>' in html
    assert '<option value="m_lead">Responsible person</option>' in html
    start = revision(app, aid)

    added = advisor.post(f"/a/{aid}/measures", OWN)
    assert added.status_code == 303 and added.location.endswith(f"/a/{aid}/measures#own-list-title")
    adjusted = advisor.post(
        f"/a/{aid}/measures/catalogue",
        {"measure": "m_a_basics", "action": "adjust", "phase": "3", "effort": "", "reason": "Budget <2027>"},
    )
    assert adjusted.status_code == 303
    removed = advisor.post(
        f"/a/{aid}/measures/catalogue",
        {"measure": "m_lead", "action": "remove", "reason": "The mayor does this already."},
    )
    assert removed.status_code == 303
    assert revision(app, aid) == start + 3  # every change makes earlier reports stale

    listed = advisor.get(f"/a/{aid}/measures").get_data(as_text=True)
    assert "Breitbandförderung prüfen" in listed and "Removed from the roadmap." in listed
    assert "Budget &lt;2027&gt;" in listed and "<2027>" not in listed  # escaped

    results = municipality.get(f"/a/{aid}/results").get_data(as_text=True)
    phase2 = results[results.index('id="phase-2"') : results.index('id="phase-3"')]
    assert "Breitbandförderung prüfen" in phase2 and "Advisor's recommendation" in phase2
    assert "Der Aufruf endet im Herbst." in phase2 and "Hauptamt" in phase2
    phase3 = results[results.index('id="phase-3"') : results.index('id="removed-title"')]
    assert "Basics of A" in phase3 and "Changed by the advisor" in phase3
    assert "moved from phase 1 to phase 3" in phase3 and "Budget &lt;2027&gt;" in phase3
    removed_section = results[results.index('id="removed-title"') :]
    assert "Responsible person" in removed_section and "The mayor does this already." in removed_section
    assert 'id="m-m_lead"' not in results  # no longer among the phases
    assert "not in the person-days" in results
    assert f"/a/{aid}/measures" not in results  # the municipality is not offered the advisor's page
    assert f'href="/a/{aid}/measures"' in advisor.get(f"/a/{aid}/results").get_data(as_text=True)

    # The audit trail says who changed which measure, in words.
    summary = municipality.get(f"/a/{aid}/summary").get_data(as_text=True)
    changes = summary[summary.index('id="changes"') :]
    assert "Eva Berater · added the own measure" in changes
    assert "added the own measure “Breitbandförderung prüfen” (phase 2)" in changes
    assert "adjusted “Basics of A”" in changes and "removed “Responsible person” from the roadmap" in changes
    with app.app_context():
        kinds = db.session.scalars(sa.select(AssessmentChange.kind)).all()
    assert kinds.count("measure") == 3


def test_only_the_owning_advisor_opens_and_changes_the_recommendations(app, runner):
    advisor, municipality, aid = guided(app, runner)
    other = signed_in(app, runner, "andere@example.org", "advisor")
    advisor.post(f"/a/{aid}/measures", OWN)
    (entry,) = entry_ids(app)
    for visitor in (municipality, other, Client(app)):
        assert visitor.get(f"/a/{aid}/measures").status_code == 404
        assert visitor.post(f"/a/{aid}/measures", OWN).status_code == 404
        assert visitor.post(f"/a/{aid}/measures/delete", {"entry": str(entry)}).status_code == 404
        assert (
            visitor.post(
                f"/a/{aid}/measures/catalogue", {"measure": "m_lead", "action": "remove", "reason": "x"}
            ).status_code
            == 404
        )
    assert entry_ids(app) == [entry]
    # Taken back, the assessment is no longer the advisor's to change; the entries stay.
    municipality.post(f"/a/{aid}/handback")
    assert advisor.get(f"/a/{aid}/measures").status_code == 404
    assert "Breitbandförderung prüfen" in municipality.get(f"/a/{aid}/results").get_data(as_text=True)


def test_bad_input_is_refused_with_a_message_and_changes_nothing(app, runner):
    advisor, _, aid = guided(app, runner)
    start = revision(app, aid)
    cases = [
        ({**OWN, "title": "  "}, "Please give the measure a title."),
        ({**OWN, "phase": "7"}, "Please choose the phase."),
        ({**OWN, "phase": "9" * 5000}, "Please choose the phase."),
        ({**OWN, "effort": "XL"}, "Please choose the effort."),
        ({**OWN, "title": "x" * 201}, "at most 200 characters"),
        ({**OWN, "text": "ü" * 4001}, "at most 4000 characters"),
    ]
    for body, message in cases:
        response = advisor.post(f"/a/{aid}/measures", body)
        assert response.status_code == 422, body
        assert message in response.get_data(as_text=True)
    catalogue_cases = [
        ({"measure": "m_unknown", "action": "remove", "reason": "x"}, "This measure is not on the roadmap."),
        (
            {"measure": "m_b_numbers", "action": "remove", "reason": "x"},
            "This measure is not on the roadmap.",
        ),
        ({"measure": "m_lead", "action": "remove", "reason": ""}, "Please give the reason."),
        ({"measure": "m_lead", "action": "adjust", "reason": "x"}, "Please change the phase, the effort"),
        ({"measure": "m_lead", "action": "adjust", "phase": "1", "reason": "x"}, "Please change the phase"),
        ({"measure": "m_lead", "action": "drop", "reason": "x"}, "Please change the phase"),
        ({"measure": "m_lead", "action": "adjust", "phase": "4", "reason": "x"}, "Please choose the phase."),
        ({"measure": "m" * 65, "action": "remove", "reason": "x"}, "This measure is not on the roadmap."),
    ]
    for body, message in catalogue_cases:
        response = advisor.post(f"/a/{aid}/measures/catalogue", body)
        assert response.status_code == 422, body
        assert message in response.get_data(as_text=True), body
    assert advisor.post(f"/a/{aid}/measures", {**OWN, "title": "a\x00b"}).status_code == 400
    for entry in ("", "abc", "9" * 5000):
        assert advisor.post(f"/a/{aid}/measures/delete", {"entry": entry}).status_code == 400
    assert advisor.post(f"/a/{aid}/measures/delete", {"entry": "999999"}).status_code == 404
    assert advisor.post(f"/a/{aid}/measures", {**OWN, "entry": "999999"}).status_code == 404
    assert advisor.get(f"/a/{aid}/measures?edit=999999999999999999999").status_code == 200
    assert revision(app, aid) == start and count_rows(app, AdvisorMeasure) == 0


def test_another_assessments_entry_cannot_be_changed_or_deleted(app, runner):
    advisor, _, aid = guided(app, runner)
    second = Client(app)
    other_aid, _ = second.start()
    second.profile(other_aid)
    second.post(f"/a/{other_aid}/handover", {"code": code_of(advisor)})
    advisor.post(f"/a/{other_aid}/measures", OWN)
    (foreign,) = entry_ids(app)
    assert advisor.post(f"/a/{aid}/measures/delete", {"entry": str(foreign)}).status_code == 404
    changed = advisor.post(f"/a/{aid}/measures", {**OWN, "entry": str(foreign), "title": "Fremd"})
    assert changed.status_code == 404
    with app.app_context():
        assert db.session.get(AdvisorMeasure, foreign).title == OWN["title"]


def test_entries_are_changed_and_undone(app, runner):
    advisor, municipality, aid = guided(app, runner)
    advisor.post(f"/a/{aid}/measures", OWN)
    (own,) = entry_ids(app)
    form = advisor.get(f"/a/{aid}/measures?edit={own}").get_data(as_text=True)
    assert f'name="entry" value="{own}"' in form and 'value="Breitbandförderung prüfen"' in form
    assert re.search(r'id="own-phase-2" value="2"\s*checked', form)
    changed = advisor.post(
        f"/a/{aid}/measures", {**OWN, "entry": str(own), "title": "Glasfaser", "phase": "1"}
    )
    assert changed.status_code == 303 and entry_ids(app) == [own]
    phase1 = municipality.get(f"/a/{aid}/results").get_data(as_text=True)
    assert "Glasfaser" in phase1[phase1.index('id="phase-1"') : phase1.index('id="phase-2"')]

    advisor.post(f"/a/{aid}/measures/catalogue", {"measure": "m_lead", "action": "remove", "reason": "r1"})
    advisor.post(
        f"/a/{aid}/measures/catalogue",
        {"measure": "m_lead", "action": "adjust", "effort": "L", "reason": "r2"},
    )
    assert len(entry_ids(app)) == 2  # one entry per catalogue measure: the second replaced the first
    prefilled = advisor.get(f"/a/{aid}/measures?measure=m_lead").get_data(as_text=True)
    assert '<option value="L" selected>' in prefilled and ">r2</textarea>" in prefilled
    results = municipality.get(f"/a/{aid}/results").get_data(as_text=True)
    assert (
        "effort large instead of small" in results and "set by the advisor; not in the person-days" in results
    )
    catalogue_entry = entry_ids(app)[1]
    assert advisor.post(f"/a/{aid}/measures/delete", {"entry": str(catalogue_entry)}).status_code == 303
    assert advisor.post(f"/a/{aid}/measures/delete", {"entry": str(own)}).status_code == 303
    results = municipality.get(f"/a/{aid}/results").get_data(as_text=True)
    assert "Changed by the advisor" not in results and "Glasfaser" not in results
    summary = municipality.get(f"/a/{aid}/summary").get_data(as_text=True)
    assert "put “Responsible person” back on the roadmap as planned" in summary
    assert "deleted the own measure “Glasfaser”" in summary
    assert "changed the own measure “Glasfaser”" in summary


NASTY = st.sampled_from(
    ["\x00", "a\x00b", "9" * 5000, "-1", "0", "4", "nan", "<b>x</b>", "ü" * 5000, "", " "]
)
KEYS = st.sampled_from(
    ["title", "text", "phase", "effort", "responsible", "reason", "entry", "measure", "action", "csrf_token"]
)
BODIES = st.dictionaries(
    KEYS,
    st.lists(
        st.one_of(NASTY, st.text(max_size=20), st.sampled_from(["m_lead", "remove", "adjust", "1", "S"])),
        min_size=1,
        max_size=2,
    ),
    max_size=8,
)


@pytest.fixture
def owned(app, runner):
    advisor, _, aid = guided(app, runner)
    advisor.post(f"/a/{aid}/measures", OWN)
    return advisor, aid


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(["", "/catalogue", "/delete"]), body=BODIES)
def test_no_post_to_the_recommendations_fails_and_a_refusal_changes_nothing(app, owned, route, body):
    advisor, aid = owned

    def state():
        with app.app_context():
            rows = db.session.scalars(sa.select(AdvisorMeasure).order_by(AdvisorMeasure.id)).all()
            return revision(app, aid), [
                (r.action, r.measure_id, r.title, r.phase, r.effort, r.reason) for r in rows
            ]

    before = state()
    response = advisor.http.post(f"/a/{aid}/measures{route}", data={**body, "csrf_token": advisor.csrf()})
    assert response.status_code < 500, (route, body)
    if response.status_code >= 400:
        assert state() == before, (route, body)
