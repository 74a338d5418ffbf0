"""The report of a guided assessment (issue 13, item 9): the advisor on the cover, the participants,
agreed answers with method and rationale, the spread where answers differ, shared notes only, the
advisor's measures; and a report made before any of it changed is never served."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import sqlalchemy as sa
from pypdf import PdfReader

from advisor.accounts.models import User
from advisor.advising.models import Agreement, GuidedSession
from advisor.assessments.models import AnswerState, Assessment, Respondent, RespondentAnswer
from advisor.db import db
from tests.advising.test_measures import OWN, guided
from tests.conftest import finish_jobs, get_report

AGREED_AT = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def session_rows(app, aid: str) -> None:
    """Three respondents (one agreed to be named), an agreed and a median question, notes."""
    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == aid))
        people = [
            Respondent(label="Erika Muster", role="Bürgermeisterin", named_in_report=True),
            Respondent(label="Max Geheim", role="Kämmerei"),
            Respondent(label="Ida Intern", role="IT-Koordination"),
        ]
        assessment.respondents.extend(people)
        db.session.flush()
        for person, level, single in zip(people, (1, 3, 2), ("one", "two", "one"), strict=True):
            person.answers.append(RespondentAnswer(question_id="a_level", value=level))
            person.answers.append(RespondentAnswer(question_id="a_single", value=single))
        people[2].answers.append(RespondentAnswer(question_id="b_number", state=AnswerState.UNKNOWN))
        people[0].answers.append(RespondentAnswer(question_id="b_number", value=5))
        db.session.add_all(
            [
                Agreement(
                    assessment_id=assessment.id,
                    question_id="a_level",
                    method="agreed",
                    rationale="Die Kämmerei kennt den Stand am besten.",
                    agreed_at=AGREED_AT,
                    spread_low=1,
                    spread_high=3,
                    respondents=3,
                    divergent=True,
                    note="Geteilte Notiz zu A",
                    note_shared=True,
                ),
                Agreement(
                    assessment_id=assessment.id,
                    question_id="a_single",
                    method="median",
                    agreed_at=AGREED_AT,
                    respondents=3,
                    divergent=True,
                    note="Private Notiz zu A-Auswahl",
                    note_shared=False,
                ),
                GuidedSession(assessment_id=assessment.id, notes="Geteilte Sitzungsnotiz", notes_shared=True),
            ]
        )
        db.session.execute(
            sa.update(User).where(User.email == "berater@example.org").values(organisation="KDZ Nord")
        )
        assessment.revision = Assessment.revision + 1
        db.session.commit()


def test_the_report_of_a_guided_assessment_says_who_took_part_and_how_answers_were_agreed(app, runner):
    advisor, municipality, aid = guided(app, runner)
    advisor.post(f"/a/{aid}/fields/alpha", {"q_a_level": "1", "nav": "stay"})  # the agreed value
    session_rows(app, aid)
    advisor.post(f"/a/{aid}/measures", OWN)
    advisor.post(
        f"/a/{aid}/measures/catalogue", {"measure": "m_lead", "action": "remove", "reason": "Gibt es schon."}
    )
    page = municipality.get(f"/a/{aid}/report").get_data(as_text=True)
    cover = page[page.index('id="cover"') : page.index('id="toc-title"')]
    assert "Eva Berater, KDZ Nord" in cover
    session = page[page.index('id="session"') : page.index('id="field-')]
    assert "Bürgermeisterin (Erika Muster)" in session
    assert "Kämmerei" in session and "IT-Koordination" in session
    assert "Max Geheim" not in page and "Ida Intern" not in page  # not consented
    assert "Assessment agreed on May 4, 2026, range 1–3 (3 answers)" in session
    assert "Die Kämmerei kennt den Stand am besten." in session
    assert "Median of the answers accepted." in session
    assert "Geteilte Notiz zu A" in session and "Geteilte Sitzungsnotiz" in session
    assert "Private Notiz" not in page
    # b_number is not agreed yet: a known number beside "Don't know" differs.
    assert "Not agreed yet: the answers range from 5 to 5 (2 answers)." in session
    roadmap = page[page.index('id="roadmap"') :]
    assert "Breitbandförderung prüfen" in roadmap and "Advisor's recommendation" in roadmap
    assert "Removed from the roadmap by the advisor" in roadmap and "Gibt es schon." in roadmap

    response = get_report(municipality, aid)
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages))
    for expected in (
        "KDZ Nord",
        "range 1–3",
        "Breitbandförderung prüfen",
        "Advisor's recommendation",
        "Bürgermeisterin (Erika Muster)",
    ):
        assert expected in text, expected
    assert "Max Geheim" not in text and "Private Notiz" not in text


def test_a_report_made_before_a_change_is_never_served(app, runner):
    advisor, municipality, aid = guided(app, runner)
    session_rows(app, aid)

    def fresh() -> bool:
        """Whether the download needs a new render (it redirects to the progress page)."""
        response = municipality.get(f"/a/{aid}/report.pdf")
        finish_jobs(app)
        return response.status_code == 303 and "/report/status" in response.location

    assert fresh()
    assert not fresh()  # ready, from the cache
    advisor.post(f"/a/{aid}/measures", OWN)
    assert fresh()
    assert not fresh()
    saved = advisor.post("/account/details", {"name": "Eva Berater", "organisation": "Amt für Digitales"})
    assert saved.status_code == 303
    assert fresh()  # the cover changed
    assert "Amt für Digitales" in municipality.get(f"/a/{aid}/report").get_data(as_text=True)
    with app.app_context():
        answer = db.session.scalar(
            sa.select(RespondentAnswer).where(RespondentAnswer.question_id == "b_number")
        )
        answer.value, answer.updated_at = 9, datetime.now(UTC)
        db.session.commit()
    assert fresh()  # a respondent's answer changed the spread shown
    with app.app_context():
        db.session.execute(sa.update(Respondent).values(named_in_report=True))
        db.session.commit()
    assert fresh()  # who is named changed
    assert "Max Geheim" in municipality.get(f"/a/{aid}/report").get_data(as_text=True)


def test_the_account_page_edits_name_and_organisation(app, runner):
    advisor, _, _ = guided(app, runner)
    page = advisor.get("/account").get_data(as_text=True)
    assert 'id="details-organisation"' in page and 'for="details-organisation"' in page
    too_long = advisor.post("/account/details", {"name": "Eva", "organisation": "x" * 201})
    assert too_long.status_code == 422
    assert "at most 200 characters" in too_long.get_data(as_text=True)
    assert advisor.post("/account/details", {"name": "Eva B.", "organisation": "<KDZ>"}).status_code == 303
    page = advisor.get("/account").get_data(as_text=True)
    assert 'value="&lt;KDZ&gt;"' in page and 'value="Eva B."' in page
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "berater@example.org"))
        assert (user.name, user.organisation) == ("Eva B.", "<KDZ>")
