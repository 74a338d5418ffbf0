"""Guided sessions (issue 13, items 3-6 and 8): respondents with personal links answer on their
own, the advisor sees the spread (divergent questions first), reveals, agrees or accepts the
median, and the agreed answers are what scores."""

from __future__ import annotations

import re

import sqlalchemy as sa

from advisor.advising.models import Agreement
from advisor.assessments.models import Answer, AssessmentChange, Respondent, RespondentAnswer
from advisor.db import db
from tests.accounts.test_accounts import signed_in
from tests.conftest import Client

LINK = re.compile(r'<textarea id="respondent-url"[^>]*>[^<]*(/s/[A-Za-z0-9_-]+)</textarea>')


def guided(app, runner, name="Musterhausen"):
    """An advisor with a new assessment for a municipality whose profile is filled in."""
    advisor = signed_in(app, runner, "berater@example.org", "advisor")
    created = advisor.post("/advisor/assessments", {"municipality_name": name})
    aid = re.search(r"/a/([0-9a-f]{32})/profile", created.get_data(as_text=True)).group(1)
    advisor.profile(aid)
    return advisor, aid


def invite(app, advisor: Client, aid: str, name: str, role: str) -> Client:
    """Invite a respondent and open their link in a browser of their own."""
    page = advisor.post(f"/a/{aid}/session/respondents", {"name": name, "role": role})
    assert page.status_code == 200
    path = LINK.search(page.get_data(as_text=True)).group(1)
    person = Client(app)
    opened = person.get(path)
    assert opened.status_code == 303
    person.home = opened.location
    return person


def test_respondents_answer_apart_and_the_advisor_agrees(app, runner):
    advisor, aid = guided(app, runner)
    people = [
        invite(app, advisor, aid, n, r) for n, r in (("Anna", "Hauptamt"), ("Ben", "Kämmerei"), ("Cem", "IT"))
    ]
    for person, level in zip(people, ("1", "3", "2"), strict=True):
        field = person.home + "/fields/alpha"
        assert person.get(field).status_code == 200
        saved = person.post(field, {"q_a_level": level, "n_a_level": f"Sicht {level}", "nav": "stay"})
        assert saved.status_code == 303
    # Nobody's answer is the assessment's: nothing is agreed yet, and no respondent sees another's.
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RespondentAnswer)) == 3
    page = people[0].get(people[0].home + "/fields/alpha").get_data(as_text=True)
    assert "Wie die Gruppe geantwortet hat" not in page and "Sicht 3" not in page

    overview = advisor.get(f"/a/{aid}/session").get_data(as_text=True)
    rows = re.findall(
        r'<tr( class="divergent")?>\s*<th scope="row"><a href="[^"]*/projector/(\w+)"', overview
    )
    assert rows[0] == (' class="divergent"', "a_level")  # the divergent question comes first
    assert "Spannweite 1–3" in overview

    projector = advisor.get(f"/a/{aid}/session/projector/a_level").get_data(as_text=True)
    assert "3 von 3 Befragten haben geantwortet" in projector
    assert "Sicht 1" not in projector  # hidden until revealed
    advisor.post(f"/a/{aid}/session/projector/a_level/reveal", {"shown": "1"})
    projector = advisor.get(f"/a/{aid}/session/projector/a_level").get_data(as_text=True)
    assert "Sicht 1" in projector and "Die Antworten gehen auseinander" in projector
    assert "Median übernehmen: Stufe 2" in projector
    revealed = people[1].get(people[1].home + "/fields/alpha").get_data(as_text=True)
    assert "Wie die Gruppe geantwortet hat" in revealed

    agreed = advisor.post(
        f"/a/{aid}/session/projector/a_level/agree",
        {"q_a_level": "2", "rationale": "Das Portal läuft, aber ohne E-Akte."},
    )
    assert agreed.status_code == 303
    with app.app_context():
        answer = db.session.scalar(sa.select(Answer).where(Answer.question_id == "a_level"))
        agreement = db.session.scalar(sa.select(Agreement))
        change = db.session.scalar(sa.select(AssessmentChange).where(AssessmentChange.kind == "agreed"))
    assert (answer.state.value, answer.value) == ("answered", 2)
    assert (agreement.method, agreement.spread_low, agreement.spread_high, agreement.respondents) == (
        "agreed",
        1,
        3,
        3,
    )
    assert agreement.rationale == "Das Portal läuft, aber ohne E-Akte." and agreement.divergent
    assert change.after == ["answered", 2] and change.user_id is not None
    # The respondents' own answers stay as they were.
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(RespondentAnswer.value))) == [1, 2, 3]
    # The agreed answer scores.
    assert "Stufe 2" in advisor.get(f"/a/{aid}/session/projector/a_level").get_data(as_text=True)


def test_accepting_the_median_and_what_there_is_none_of(app, runner):
    advisor, aid = guided(app, runner)
    a, b = (invite(app, advisor, aid, n, r) for n, r in (("Anna", "Hauptamt"), ("Ben", "Kämmerei")))
    a.post(a.home + "/fields/alpha", {"q_a_level": "1", "q_a_single": "one", "nav": "stay"})
    b.post(b.home + "/fields/alpha", {"q_a_level": "3", "q_a_single": "two", "nav": "stay"})
    assert advisor.post(f"/a/{aid}/session/projector/a_level/agree", {"median": "1"}).status_code == 303
    with app.app_context():
        answer = db.session.scalar(sa.select(Answer).where(Answer.question_id == "a_level"))
    assert answer.value == 1  # the lower of the two middle levels
    none = advisor.post(f"/a/{aid}/session/projector/a_single/agree", {"median": "1"})
    assert none.status_code == 422 and "keinen Median" in none.get_data(as_text=True)
    empty = advisor.post(f"/a/{aid}/session/projector/a_single/agree", {"rationale": "x"})
    assert empty.status_code == 422


def test_only_the_owning_advisor_moderates_and_respondents_see_only_their_own(app, runner):
    advisor, aid = guided(app, runner)
    other = signed_in(app, runner, "andere@example.org", "advisor")
    person = invite(app, advisor, aid, "Anna", "Hauptamt")
    stranger = Client(app)
    rid = person.home.rsplit("/", 1)[1]
    for client in (other, stranger, person):
        assert client.get(f"/a/{aid}/session").status_code == 404
        assert client.get(f"/a/{aid}/session/projector/a_level").status_code == 404
        assert client.get(f"/a/{aid}/session/version.json").status_code == 404
    assert stranger.get(f"/p/{rid}").status_code == 404
    assert stranger.get("/s/" + "x" * 43).status_code == 404
    # A new link replaces the old one: the browser that opened the old link is shut out.
    page = advisor.post(f"/a/{aid}/session/respondents/{rid}/link").get_data(as_text=True)
    assert LINK.search(page)
    assert person.get(f"/p/{rid}").status_code == 404


def test_respondent_input_is_checked_like_the_wizard(app, runner):
    advisor, aid = guided(app, runner)
    person = invite(app, advisor, aid, "Anna", "Hauptamt")
    field = person.home + "/fields/alpha"
    assert person.post(field, {"q_a_level": "9"}).status_code == 422
    assert person.post(field, {"q_other": "1"}).status_code == 400
    assert person.post(field, {"n_a_level": "x" * 5000}).status_code == 422
    assert person.get(person.home + "/fields/nope").status_code == 404
    done = person.post(person.home + "/done", follow_redirects=True).get_data(as_text=True)
    assert "abgeschlossen" in done or "fertig" in done


def test_the_version_changes_when_a_respondent_saves(app, runner):
    advisor, aid = guided(app, runner)
    person = invite(app, advisor, aid, "Anna", "Hauptamt")
    before = advisor.get(f"/a/{aid}/session/version.json").get_json()["version"]
    assert advisor.get(f"/a/{aid}/session/version.json").get_json()["version"] == before
    person.post(person.home + "/fields/alpha", {"q_a_level": "2", "nav": "stay"})
    assert advisor.get(f"/a/{aid}/session/version.json").get_json()["version"] != before


def test_foreign_and_unknown_ids_are_404_and_bad_invitations_change_nothing(app, runner):
    advisor, aid = guided(app, runner)
    created = advisor.post("/advisor/assessments", {"municipality_name": "Nachbarort"})
    other = re.search(r"/a/([0-9a-f]{32})/profile", created.get_data(as_text=True)).group(1)
    advisor.profile(other)
    person = invite(app, advisor, aid, "Anna", "Hauptamt")
    rid = person.home.rsplit("/", 1)[1]
    # A respondent of one assessment is unknown in the other, even to the same advisor.
    assert advisor.post(f"/a/{other}/session/respondents/{rid}/link").status_code == 404
    assert advisor.post(f"/a/{other}/session/respondents/{rid}/delete").status_code == 404
    assert advisor.get(f"/a/{aid}/session/projector/no_such_question").status_code == 404
    assert (
        advisor.post(f"/a/{aid}/session/projector/no_such_question/agree", {"median": "1"}).status_code == 404
    )
    too_long = advisor.post(f"/a/{aid}/session/respondents", {"name": "x" * 201, "role": "IT"})
    assert too_long.status_code == 303
    missing_role = advisor.post(f"/a/{aid}/session/respondents", {"name": "Ben", "role": ""})
    assert missing_role.status_code == 303
    page = advisor.get(f"/a/{aid}/session").get_data(as_text=True)
    assert "Bitte geben Sie Name und Rolle" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Respondent)) == 1
    long_rationale = advisor.post(
        f"/a/{aid}/session/projector/a_level/agree", {"q_a_level": "2", "rationale": "x" * 2001}
    )
    assert long_rationale.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


def test_notes_are_private_until_shared(app, runner):
    advisor, aid = guided(app, runner)
    saved = advisor.post(
        f"/a/{aid}/session/notes", {"note": "Kämmerei skeptisch", "next": f"/a/{aid}/session"}
    )
    assert saved.status_code == 303 and saved.location.endswith(f"/a/{aid}/session")
    advisor.post(f"/a/{aid}/session/projector/a_level/note", {"note": "<b>nachfragen</b>", "shared": "y"})
    projector = advisor.get(f"/a/{aid}/session/projector/a_level").get_data(as_text=True)
    assert "&lt;b&gt;nachfragen&lt;/b&gt;" in projector and "Kämmerei skeptisch" in projector
    with app.app_context():
        from advisor.advising.models import GuidedSession

        state = db.session.scalar(sa.select(GuidedSession))
        agreement = db.session.scalar(sa.select(Agreement))
    assert (state.notes, state.notes_shared) == ("Kämmerei skeptisch", False)
    assert (agreement.note, agreement.note_shared) == ("<b>nachfragen</b>", True)
    elsewhere = advisor.post(f"/a/{aid}/session/notes", {"note": "x", "next": "https://example.org/"})
    assert elsewhere.location.endswith(f"/a/{aid}/session")  # never away from the site
    assert advisor.post(f"/a/{aid}/session/notes", {"note": "x" * 5001}).status_code == 422
