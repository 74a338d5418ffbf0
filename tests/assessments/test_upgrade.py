"""Stored assessments move onto a newer catalogue version by its rules, and lose nothing."""

from __future__ import annotations

import copy

import sqlalchemy as sa

from advisor.assessments.models import (
    Answer,
    AnswerState,
    Assessment,
    CatalogueSnapshot,
    Respondent,
    RespondentAnswer,
    Status,
)
from advisor.catalogue import catalogue_as_dict, catalogue_from_dict
from advisor.db import db
from advisor.web import catalogues
from tests.conftest import Client, stored_answers


def old_version(app, without: tuple[str, ...] = ()) -> str:
    """Store catalogue "tasks" 1.0 as it was: type `amt`, band `lt25k`, questions a_old and a_gone.

    ``without``: questions 1.0 did not have yet (new in the current version).
    """
    with app.app_context():
        content = copy.deepcopy(catalogue_as_dict(catalogues()["tasks"]))
        content["version"] = "1.0"
        content["migrations"] = []
        for duty in content["duties"]:  # duties of 2026.x named no legal basis
            duty["basis"] = None
        content["profile"]["municipality_types"].append({"id": "amt", "label": {"de": "Amt", "en": "Amt"}})
        content["profile"]["population_bands"] = [
            {"id": "lt25k", "max": 24999, "label": {"de": "unter 25.000", "en": "under 25,000"}},
            {"id": "25k+", "min": 25000, "label": {"de": "25.000 und mehr", "en": "25,000 or more"}},
        ]
        questions = content["fields"][0]["questions"]
        admin = next(q for q in questions if q["id"] == "a_admin")
        admin["id"] = "a_old"
        questions.append({**copy.deepcopy(admin), "id": "a_gone"})
        content["fields"][0]["questions"] = [q for q in questions if q["id"] not in without]
        old = catalogue_from_dict(content)
        db.session.add(
            CatalogueSnapshot(
                hash=old.hash, catalogue_id="tasks", version="1.0", content=catalogue_as_dict(old)
            )
        )
        db.session.commit()
        return old.hash


def started_on_old_version(
    app, client: Client, status: Status = Status.IN_PROGRESS, without: tuple[str, ...] = ()
) -> str:
    aid, _ = client.start()
    old_hash = old_version(app, without)
    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == aid))
        assessment.catalogue_version, assessment.catalogue_hash = "1.0", old_hash
        assessment.municipality_name, assessment.state = "Amt Beispielsee", "BB"
        assessment.municipality_type, assessment.population_band, assessment.staff_band = (
            "amt",
            "lt25k",
            "20+",
        )
        assessment.status = status
        assessment.answers = [
            Answer(question_id="a_council", state=AnswerState.ANSWERED, value=3, note="Beschluss 2025"),
            Answer(question_id="a_old", state=AnswerState.ANSWERED, value=2, note="laut Hauptamt"),
            Answer(question_id="a_gone", state=AnswerState.UNKNOWN, value=None, note="fragen"),
            # 2.0 no longer offers "nicht zuständig" here: the answer is asked again, not lost.
            Answer(question_id="a_district", state=AnswerState.NOT_RESPONSIBLE, value=None, note="Kreis"),
        ]
        respondent = Respondent(label="Kämmerin", role="Kämmerei")
        respondent.answers = [
            RespondentAnswer(question_id="a_old", state=AnswerState.ANSWERED, value=1, note=""),
            RespondentAnswer(question_id="a_gone", state=AnswerState.ANSWERED, value=4, note=""),
        ]
        assessment.respondents = [respondent]
        db.session.commit()
    return aid


def test_opening_an_assessment_in_progress_carries_it_over_and_says_what_changed(app_factory):
    app = app_factory(ACTIVE_CATALOGUE="tasks")
    client = Client(app)
    aid = started_on_old_version(app, client)

    page = client.get(f"/a/{aid}/profile").get_data(as_text=True)
    assert "Version 2.0: neue Typen." in page
    assert "wurden Angaben Ihres Profils feiner unterteilt" in page
    assert "unter 10.000 oder 10.000 bis unter 25.000" in page
    assert "Frühere Antworten, die die neue Fassung nicht übernehmen kann" in page

    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == aid))
        assert (assessment.catalogue_version, assessment.catalogue_hash) == (
            "2.0",
            catalogues()["tasks"].hash,
        )
        assert (assessment.municipality_type, assessment.population_band) == ("verwaltungsverband", None)
        assert (assessment.municipality_name, assessment.state, assessment.staff_band) == (
            "Amt Beispielsee",
            "BB",
            "20+",
        )
        answers = {a.question_id: (a.state.value, a.value, a.note) for a in assessment.answers}
        assert answers == {
            "a_council": ("answered", 3, "Beschluss 2025"),
            "a_admin": ("answered", 2, "laut Hauptamt"),
            "a_district": ("answered", None, "Kreis"),  # asked again, note kept
        }
        respondent = {a.question_id: a.value for a in assessment.respondents[0].answers}
        assert respondent == {"a_admin": 1}
        notice = assessment.upgrade_notice
        assert notice["choices"] == {"population_band": ["lt10k", "10k-25k"]}
        assert notice["asked_again"] == ["a_district"]
        kept = {
            (k["question_id"], k["respondent"]): (k["state"], k["value"], k["note"]) for k in notice["kept"]
        }
        assert kept == {
            ("a_gone", None): ("unknown", None, "fragen"),
            ("a_district", None): ("not_responsible", None, "Kreis"),
            ("a_gone", "Kämmerin"): ("answered", 4, ""),
        }
        gone = next(k for k in notice["kept"] if k["question_id"] == "a_gone")
        assert gone["text"]["de"] == "Wie weit sind die Online-Dienste?"  # as it was asked

    summary = client.get(f"/a/{aid}/summary").get_data(as_text=True)
    assert "Frühere Antworten, die die neue Fassung des Fragebogens nicht übernehmen kann" in summary
    assert "Weiß nicht – Anmerkung: fragen" in summary and "(Kämmerin)" in summary
    assert "1 Antwort passt nicht mehr zur geänderten Frage" in summary

    # The split band is asked once: choosing it clears the question, the note can be hidden.
    response = client.post(
        f"/a/{aid}/profile",
        {
            "municipality_type": "verwaltungsverband",
            "state": "BB",
            "population_band": "10k-25k",
            "staff_band": "20+",
            "municipality_name": "Amt Beispielsee",
            "nav": "stay",
        },
    )
    assert response.status_code == 303
    page = client.get(f"/a/{aid}/profile").get_data(as_text=True)
    assert "feiner unterteilt" not in page and "Version 2.0: neue Typen." in page
    # Hiding the note from a page with a form also saves what the page holds.
    response = client.post(f"/a/{aid}/fields/alpha", {"q_a_council": "4", "nav": "dismiss-notice"})
    assert response.status_code == 303 and response.location.endswith(f"/a/{aid}/fields/alpha")
    assert stored_answers(app, aid)["a_council"] == ("answered", 4, "")
    assert "Version 2.0: neue Typen." not in client.get(f"/a/{aid}/profile").get_data(as_text=True)
    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == aid))
        assert assessment.population_band == "10k-25k"
        # The kept old answers stay listed; the note itself is gone.
        assert assessment.upgrade_notice["dismissed"] and len(assessment.upgrade_notice["kept"]) == 3
    assert "Frühere Antworten" in client.get(f"/a/{aid}/summary").get_data(as_text=True)


def test_a_completed_assessment_keeps_its_version_until_the_user_switches(app_factory):
    app = app_factory(ACTIVE_CATALOGUE="tasks")
    client = Client(app)
    aid = started_on_old_version(app, client, Status.COMPLETED)

    page = client.get(f"/a/{aid}/results").get_data(as_text=True)
    assert "Auf Version 2.0 umstellen" in page
    assert "Rechtsgrundlage: ." not in page and "Verpflichtet:" in page
    with app.app_context():
        assert (
            db.session.scalar(sa.select(Assessment.catalogue_version).where(Assessment.public_id == aid))
            == "1.0"
        )

    response = client.post(f"/a/{aid}/upgrade")
    assert response.status_code == 303
    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == aid))
        assert assessment.catalogue_version == "2.0" and assessment.status is Status.COMPLETED
        assert {a.question_id for a in assessment.answers} == {"a_council", "a_admin", "a_district"}
    assert "Auf Version 2.0 umstellen" not in client.get(f"/a/{aid}/results").get_data(as_text=True)


def test_the_upgrade_needs_the_form_token(app_factory):
    app = app_factory(ACTIVE_CATALOGUE="tasks")
    client = Client(app)
    aid = started_on_old_version(app, client, Status.COMPLETED)
    assert client.post(f"/a/{aid}/upgrade", csrf=False).status_code == 400
    with app.app_context():
        assert (
            db.session.scalar(sa.select(Assessment.catalogue_version).where(Assessment.public_id == aid))
            == "1.0"
        )


def test_operators_carry_assessments_over_from_the_command_line(app_factory):
    app = app_factory(ACTIVE_CATALOGUE="tasks")
    client = Client(app)
    open_one = started_on_old_version(app, client)
    with app.app_context():
        old_hash = db.session.scalar(
            sa.select(Assessment.catalogue_hash).where(Assessment.public_id == open_one)
        )
    done, _ = client.start()
    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == done))
        assessment.catalogue_version, assessment.catalogue_hash = "1.0", old_hash
        assessment.status = Status.COMPLETED
        db.session.commit()
    runner = app.test_cli_runner()

    assert runner.invoke(args=["assessments", "upgrade"]).exit_code == 2  # nothing named
    result = runner.invoke(args=["assessments", "upgrade", "--all"])
    assert result.exit_code == 0, result.output
    assert f"({open_one}): 1.0 -> 2.0" in result.output
    assert "population_band was split: the user chooses one of lt10k, 10k-25k" in result.output
    assert "1 assessment(s) carried over" in result.output

    result = runner.invoke(args=["assessments", "upgrade", "--all", "--completed"])
    assert f"({done}): 1.0 -> 2.0" in result.output and "1 assessment(s) carried over" in result.output
    with app.app_context():
        versions = db.session.scalars(sa.select(Assessment.catalogue_version)).all()
        assert set(versions) == {"2.0"}


def test_hostile_return_addresses_fall_back_to_a_safe_page(app_factory):
    app = app_factory(ACTIVE_CATALOGUE="tasks")
    client = Client(app)
    aid = started_on_old_version(app, client)
    client.get(f"/a/{aid}/summary")  # carried over, the note is shown
    for target in ("/\r\nX-Injected: 1", "//evil.example/", "https://evil.example/", "/a b", "/" + "x" * 600):
        response = client.post(f"/a/{aid}/notice", {"next": target})
        assert response.status_code == 303, target
        assert response.location.endswith(f"/a/{aid}/summary"), target
        response = client.get("/language/en", query_string={"next": target})
        assert (
            response.status_code in (302, 303)
            and "evil" not in response.location
            and "\n" not in response.location
        )
