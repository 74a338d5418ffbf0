"""Export and import of the exchange file: round trip, documentation, and refusal of bad files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from advisor.assessments import exchange
from advisor.assessments.models import Answer, Assessment
from tests.conftest import PROJECT, Client, count_rows, stored_answers

DOCS = PROJECT / "docs"


def filled(client) -> str:
    aid, _ = client.start()
    client.post(
        f"/a/{aid}/profile",
        {
            "municipality_name": "Ölbach",
            "municipality_type": "stadt",
            "state": "SN",
            "population_band": "5k-20k",
            "staff_band": "50-199",
        },
    )
    client.post(
        f"/a/{aid}/fields/alpha",
        {
            "q_a_level": "3",
            "n_a_level": "Notiz „mit“ Zeichen",
            "q_a_single": "not_responsible",
            "q_a_yes": "no",
        },
    )
    client.post(
        f"/a/{aid}/fields/beta", {"q_b_multi": ["y", "x"], "q_b_number": "12", "s_b_share": "unknown"}
    )
    client.post(f"/a/{aid}/priorities", {"relevance_alpha": "4", "target_alpha": "3"})
    return aid


def upload(client, content: bytes, name: str = "file.json"):
    # Encode in memory: the test client would spool large bodies to a file it never closes.
    boundary, body = encode_multipart(
        {"csrf_token": client.csrf(), "file": FileStorage(io.BytesIO(content), name)}
    )
    return client.http.post("/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_export_import_round_trip(app, client):
    aid = filled(client)
    response = client.get(f"/a/{aid}/export.json")
    assert response.status_code == 200
    assert 'filename="selbsteinschaetzung-oelbach.json"' in response.headers["Content-Disposition"]
    document = json.loads(response.get_data())
    assert document["catalogue"]["id"] == "mini"
    assert document["answers"]["a_single"] == {"status": "not_responsible"}
    assert document["answers"]["b_multi"] == {"value": ["x", "y"]}

    importer = Client(app)
    response = upload(importer, response.get_data())
    assert response.status_code == 303
    new_aid = response.location.split("/")[2]
    assert new_aid != aid
    assert stored_answers(app, new_aid) == stored_answers(app, aid)
    again = json.loads(importer.get(f"/a/{new_aid}/export.json").get_data())
    for key in ("catalogue", "profile", "priorities", "answers", "status", "respondents"):
        assert again[key] == document[key], key


def test_schema_in_docs_matches_the_code():
    published = json.loads((DOCS / "exchange-format.schema.json").read_text())
    assert published == exchange.json_schema()


def test_documented_example_imports_against_the_shipped_catalogue(kommunal_app):
    client = Client(kommunal_app)
    response = upload(client, (DOCS / "examples" / "assessment.json").read_bytes())
    assert response.status_code == 303, response.get_data(as_text=True)
    aid = response.location.split("/")[2]
    answers = stored_answers(kommunal_app, aid)
    # Recorded as information: in Rhineland-Palatinate the Verbandsgemeinde plans heat.
    assert answers["en_heat_planning"] == (
        "answered",
        1,
        "Die Verbandsgemeinde hat die Wärmeplanung 2026 ausgeschrieben.",
    )
    assert answers["cs_online_services"] == (
        "answered",
        2,
        "Gewerbeanmeldung und Hundesteuer online, Rest als PDF.",
    )


def valid_document() -> dict:
    return {
        "format": "advisor-assessment",
        "format_version": 1,
        "catalogue": {"id": "mini", "version": "1.0"},
        "answers": {"a_level": {"value": 2}},
    }


BAD_FILES = {
    "not json": b"{answers: 1",
    "empty": b"",
    "binary": b"\xff\xfe\x00\x01",
    "wrong format": json.dumps({"format": "something-else"}).encode(),
    "a list": b"[1, 2]",
}


def mutate(**changes) -> bytes:
    document = valid_document()
    for dotted, value in changes.items():
        target = document
        *path, last = dotted.split("__")
        for key in path:
            target = target[key]
        target[last] = value
    return json.dumps(document).encode()


BAD_DOCUMENTS = {
    "unknown catalogue": mutate(catalogue__id="other"),
    "other version": mutate(catalogue__version="0.9"),
    "unknown question": mutate(answers={"zz_unknown": {"value": 1}}),
    "level out of range": mutate(answers={"a_level": {"value": 9}}),
    "level as text": mutate(answers={"a_level": {"value": "2"}}),
    "value with status": mutate(answers={"a_level": {"status": "unknown", "value": 1}}),
    "special not allowed": mutate(answers={"a_yes": {"status": "unknown"}}),
    "unknown option": mutate(answers={"b_multi": {"value": ["x", "q"]}}),
    "number out of range": mutate(answers={"b_share": {"value": 101}}),
    "unknown key": mutate(extra="x"),
    "relevance out of range": mutate(priorities={"alpha": {"relevance": 7}}),
    "unknown field": mutate(priorities={"gamma": {"relevance": 3}}),
    "unknown profile option": mutate(profile={"state": "XY"}),
    "format version": mutate(format_version=4),
}


@pytest.mark.parametrize(
    "content", [*BAD_FILES.values(), *BAD_DOCUMENTS.values()], ids=[*BAD_FILES, *BAD_DOCUMENTS]
)
def test_bad_files_are_refused_and_change_nothing(app, client, content):
    aid = filled(client)
    before = stored_answers(app, aid)
    response = upload(client, content)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page
    assert count_rows(app, Assessment) == 1
    assert stored_answers(app, aid) == before


def test_refusal_names_the_problem(client):
    page = upload(client, BAD_DOCUMENTS["unknown question"]).get_data(as_text=True)
    assert "zz_unknown" in page
    page = upload(client, BAD_DOCUMENTS["other version"]).get_data(as_text=True)
    assert "0.9" in page and "1.0" in page
    page = upload(client, BAD_FILES["not json"]).get_data(as_text=True)
    assert "JSON" in page
    page = upload(client, BAD_FILES["wrong format"]).get_data(as_text=True)
    assert "Diese Datei ist kein Export dieser Selbsteinschätzung." in page


def test_import_without_file_is_refused(app, client):
    response = client.post("/import", {}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert count_rows(app, Assessment) == 0


def test_oversized_import_is_refused(app, client):
    response = upload(client, b"{" + b" " * (1024 * 1024 + 1) + b"}")
    assert response.status_code == 413
    assert count_rows(app, Assessment) == 0


def test_import_follows_catalogue_migration(app_factory, tmp_path):
    import shutil

    catalogues = tmp_path / "catalogues"
    shutil.copytree(PROJECT / "tests" / "fixtures" / "catalogues", catalogues)
    path = catalogues / "mini" / "catalogue.yaml"
    path.write_text(
        path.read_text().replace(
            'version: "1.0"',
            'version: "1.1"\nmigrations:\n  - from_version: "1.0"\n'
            "    renamed: {a_old: a_level}\n    removed: [a_gone]",
        )
    )
    app = app_factory(CATALOGUE_DIR=str(catalogues))
    client = Client(app)
    document = valid_document()
    document["answers"] = {"a_old": {"value": 4}, "a_gone": {"value": 1}}
    response = upload(client, json.dumps(document).encode())
    assert response.status_code == 303
    assert stored_answers(app, response.location.split("/")[2]) == {"a_level": ("answered", 4, "")}
    assert count_rows(app, Answer) == 1


def test_cli_export_and_import(app, client, tmp_path: Path):
    aid = filled(client)
    runner = app.test_cli_runner()
    out = tmp_path / "export.json"
    result = runner.invoke(args=["assessments", "export", aid, "-o", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["assessments", "import", str(out)])
    assert result.exit_code == 0, result.output
    assert "resume path: /r/" in result.output
    assert count_rows(app, Assessment) == 2

    broken = tmp_path / "broken.json"
    broken.write_bytes(BAD_DOCUMENTS["level out of range"])
    result = runner.invoke(args=["assessments", "import", str(broken)])
    assert result.exit_code == 1
    assert "a_level" in result.output
    assert count_rows(app, Assessment) == 2


def test_a_2026_2_file_imports_into_2027_1_with_nothing_lost(kommunal_app):
    """The old type `amt` becomes `verwaltungsverband`; the split band is asked once."""
    old = json.loads((PROJECT / "tests" / "fixtures" / "exchange_2026_2.json").read_text())
    assert old["catalogue"]["version"] == "2026.2"
    old["profile"].update(municipality_type="amt", population_band="20k-100k")
    client = Client(kommunal_app)
    response = upload(client, json.dumps(old).encode())
    assert response.status_code == 303, response.get_data(as_text=True)
    aid = response.location.split("/")[2]

    answers = stored_answers(kommunal_app, aid)
    for question_id, entry in old["answers"].items():
        state, value, note = answers[question_id]
        assert state == entry.get("status", "answered") and note == entry.get("note", "")
        assert value == entry.get("value"), question_id
    with kommunal_app.app_context():
        from advisor.db import db

        assessment = db.session.query(Assessment).filter_by(public_id=aid).one()
        assert (assessment.catalogue_version, assessment.municipality_type) == (
            "2027.1",
            "verwaltungsverband",
        )
        assert assessment.population_band is None
        assert assessment.upgrade_notice["choices"] == {"population_band": ["10k-25k", "25k-50k", "50k-100k"]}

    page = client.get(f"/a/{aid}/profile").get_data(as_text=True)
    assert "Der Fragebogen wurde aktualisiert" in page
    assert "10.000 bis unter 25.000 Einwohner oder 25.000 bis unter 50.000 Einwohner oder" in page


def test_assess_says_when_a_file_was_carried_over_and_what_is_open(kommunal_app, tmp_path):
    old = json.loads((PROJECT / "tests" / "fixtures" / "exchange_2026_2.json").read_text())
    old["profile"]["population_band"] = "100k+"
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    result = kommunal_app.test_cli_runner().invoke(
        args=["assess", str(path), "--json", "--date", "2026-12-02"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["carried_over"]["from"] == "2026.2" and data["carried_over"]["to"] == "2027.1"
    assert data["carried_over"]["choices"] == {"population_band": ["100k-200k", "200k-400k", "400k+"]}
    current = kommunal_app.test_cli_runner().invoke(
        args=["assess", str(DOCS / "examples" / "assessment.json"), "--json", "--date", "2026-12-02"]
    )
    assert "carried_over" not in json.loads(current.output)


# -- version 2: guided sessions ---------------------------------------------------------


def guided_assessment(app) -> str:
    """A guided assessment with everything version 2 carries, and private things it must not."""
    from datetime import UTC, datetime

    from advisor.accounts.models import Role, User
    from advisor.advising.models import AdvisorMeasure, Agreement, GuidedSession
    from advisor.assessments.models import AnswerState, Respondent, RespondentAnswer
    from advisor.assessments.services import create_assessment
    from advisor.db import db

    when = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    with app.app_context():
        catalogue = app.extensions["advisor.catalogues"]["mini"]
        advisor = User(email="beraterin@example.org", name="Bea Rater", role=Role.ADVISOR)
        db.session.add(advisor)
        assessment, _ = create_assessment(db.session, catalogue, "de")
        db.session.flush()
        assessment.municipality_name, assessment.owner_id = "Ölbach", advisor.id
        assessment.answers.append(Answer(question_id="a_level", state=AnswerState.ANSWERED, value=2))
        assessment.answers.append(Answer(question_id="a_yes", state=AnswerState.ANSWERED, value=True))
        for label, role, named, level, token in (
            ("Anna Amt", "Hauptamt", True, 1, "a" * 64),
            ("Bert Bau", "IT", False, 3, None),
            ("Cleo Kasse", "Kämmerei", False, None, None),
        ):
            respondent = Respondent(
                label=label,
                role=role,
                named_in_report=named,
                token_hash=token,
                submitted_at=when if named else None,
            )
            state = AnswerState.UNKNOWN if level is None else AnswerState.ANSWERED
            respondent.answers = [
                RespondentAnswer(question_id="a_level", state=state, value=level, note=f"Notiz {label}"),
                RespondentAnswer(question_id="b_multi", state=AnswerState.ANSWERED, value=["x"]),
            ]
            assessment.respondents.append(respondent)
        db.session.flush()
        db.session.add_all(
            [
                Agreement(
                    assessment_id=assessment.id,
                    question_id="a_level",
                    revealed_at=when,
                    method="agreed",
                    rationale="Die Kämmerei kannte die Zahlen.",
                    agreed_at=when,
                    agreed_by_id=advisor.id,
                    spread_low=1,
                    spread_high=3,
                    respondents=3,
                    divergent=True,
                    note="Geteilte Notiz zur Frage",
                    note_shared=True,
                ),
                Agreement(
                    assessment_id=assessment.id,
                    question_id="a_yes",
                    revealed_at=when,
                    method="median",
                    agreed_at=when,
                    respondents=2,
                    note="PRIVATE question note",
                ),
                Agreement(assessment_id=assessment.id, question_id="b_multi", revealed_at=when),
                Agreement(assessment_id=assessment.id, question_id="a_single", note="PRIVATE only a note"),
                GuidedSession(assessment_id=assessment.id, notes="PRIVATE session notes", notes_shared=False),
                AdvisorMeasure(
                    assessment_id=assessment.id,
                    action="add",
                    title="Eigene Maßnahme",
                    text="Text",
                    phase=2,
                    effort="M",
                    responsible="Hauptamt",
                    created_by_id=advisor.id,
                ),
                AdvisorMeasure(
                    assessment_id=assessment.id,
                    action="adjust",
                    measure_id="m_a_basics",
                    phase=3,
                    reason="Später",
                ),
                AdvisorMeasure(
                    assessment_id=assessment.id, action="remove", measure_id="m_b_multi", reason="Erledigt"
                ),
            ]
        )
        db.session.commit()
        return assessment.public_id


def export_of(app, public_id: str) -> dict:
    from advisor.assessments.services import catalogue_of
    from advisor.db import db

    with app.app_context():
        assessment = db.session.query(Assessment).filter_by(public_id=public_id).one()
        catalogue = catalogue_of(db.session, app.extensions["advisor.catalogues"], assessment)
        return exchange.export_assessment(catalogue, assessment)


def test_version_2_round_trip_of_a_guided_assessment(app):
    from advisor.advising.models import AdvisorMeasure, Agreement, GuidedSession
    from advisor.assessments.models import Respondent
    from advisor.db import db

    aid = guided_assessment(app)
    document = export_of(app, aid)
    text = json.dumps(document, ensure_ascii=False)
    assert document["format_version"] == 3
    # Nothing private leaves: tokens, account ids and e-mail addresses, private notes.
    assert "PRIVATE" not in text and "example.org" not in text and "a" * 64 not in text
    assert "Bea Rater" not in text and "agreed_by" not in text and "owner" not in text
    assert [(r["label"], r["role"], r["named_in_report"]) for r in document["respondents"]] == [
        ("Anna Amt", "Hauptamt", True),
        ("Bert Bau", "IT", False),
        ("Cleo Kasse", "Kämmerei", False),
    ]
    assert document["respondents"][0]["submitted_at"] == "2026-11-20T14:00:00+00:00"
    assert document["respondents"][2]["answers"]["a_level"] == {
        "status": "unknown",
        "note": "Notiz Cleo Kasse",
    }
    assert document["agreements"] == {
        "a_level": {
            "revealed_at": "2026-11-20T14:00:00+00:00",
            "method": "agreed",
            "rationale": "Die Kämmerei kannte die Zahlen.",
            "agreed_at": "2026-11-20T14:00:00+00:00",
            "spread": {"low": 1, "high": 3, "respondents": 3, "divergent": True},
            "note": "Geteilte Notiz zur Frage",
        },
        "a_yes": {
            "revealed_at": "2026-11-20T14:00:00+00:00",
            "method": "median",
            "rationale": "",
            "agreed_at": "2026-11-20T14:00:00+00:00",
            "spread": {"low": None, "high": None, "respondents": 2, "divergent": False},
        },
        "b_multi": {
            "revealed_at": "2026-11-20T14:00:00+00:00",
            "method": None,
            "rationale": "",
            "agreed_at": None,
            "spread": None,
        },
    }
    assert document["session_notes"] == ""
    assert [m["action"] for m in document["measures"]] == ["add", "adjust", "remove"]
    assert document["measures"][1] == {
        "action": "adjust",
        "measure_id": "m_a_basics",
        "title": "",
        "text": "",
        "phase": 3,
        "effort": None,
        "responsible": "",
        "reason": "Später",
    }

    with app.app_context():
        imported, token = exchange.import_assessment(
            db.session, app.extensions["advisor.catalogues"], json.dumps(document).encode()
        )
        db.session.commit()
        new_id, new_aid = imported.id, imported.public_id
        assert token and imported.owner_id is None
        people = db.session.query(Respondent).filter_by(assessment_id=new_id).all()
        assert len(people) == 3 and all(p.token_hash is None for p in people)
        assert db.session.query(Agreement).filter_by(assessment_id=new_id).count() == 3
        assert db.session.query(AdvisorMeasure).filter_by(assessment_id=new_id).count() == 3
        assert db.session.query(GuidedSession).filter_by(assessment_id=new_id).count() == 0
        shared = db.session.query(Agreement).filter_by(assessment_id=new_id, question_id="a_level").one()
        assert shared.note_shared and shared.agreed_by_id is None
    again = export_of(app, new_aid)
    assert again.pop("exported_at") and document.pop("exported_at")
    assert again == document


def test_shared_session_notes_travel_and_stay_shared(app):
    from advisor.advising.models import GuidedSession
    from advisor.db import db

    document = valid_document() | {"format_version": 2, "session_notes": "  Geteilte Sitzungsnotiz "}
    with app.app_context():
        imported, _ = exchange.import_assessment(
            db.session, app.extensions["advisor.catalogues"], json.dumps(document).encode()
        )
        db.session.commit()
        row = db.session.query(GuidedSession).filter_by(assessment_id=imported.id).one()
        assert (row.notes, row.notes_shared) == ("Geteilte Sitzungsnotiz", True)
        public_id = imported.public_id
    assert export_of(app, public_id)["session_notes"] == "Geteilte Sitzungsnotiz"


def test_version_1_files_still_import_and_export_as_version_3(app, client):
    document = valid_document()
    document["respondents"] = [{"label": "Anna", "role": "Hauptamt", "answers": {"a_level": {"value": 1}}}]
    response = upload(client, json.dumps(document).encode())
    assert response.status_code == 303, response.get_data(as_text=True)
    aid = response.location.split("/")[2]
    exported = export_of(app, aid)
    assert exported["format_version"] == 3
    assert exported["respondents"] == [
        {
            "label": "Anna",
            "role": "Hauptamt",
            "named_in_report": False,
            "submitted_at": None,
            "answers": {"a_level": {"value": 1}},
        }
    ]
    assert (exported["agreements"], exported["measures"], exported["session_notes"]) == ({}, [], "")
    assert exported["measure_progress"] == {} and "predecessor" not in exported


def mutate_v2(**changes) -> bytes:
    document = json.loads(mutate(**changes))
    document.setdefault("format_version", 2)
    if changes.get("format_version") is None:
        document["format_version"] = 2
    return json.dumps(document).encode()


AGREED = {"method": "agreed", "rationale": "r", "spread": {"low": 1, "high": 2}}
BAD_V2_DOCUMENTS = {
    "v1 with agreements": mutate(agreements={"a_level": AGREED}),
    "v1 with measures": mutate(measures=[{"action": "add", "title": "t"}]),
    "v1 respondent named": mutate(respondents=[{"label": "A", "named_in_report": True}]),
    "agreement unknown question": mutate_v2(agreements={"zz_unknown": AGREED}),
    "agreement unknown method": mutate_v2(agreements={"a_level": {"method": "vote"}}),
    "agreement spread reversed": mutate_v2(agreements={"a_level": {"spread": {"low": 3, "high": 1}}}),
    "agreement spread level 5": mutate_v2(agreements={"a_level": {"spread": {"low": 1, "high": 5}}}),
    "agreement rationale too long": mutate_v2(agreements={"a_level": {"rationale": "x" * 10_001}}),
    "agreement unknown key": mutate_v2(agreements={"a_level": {"agreed_by": 1}}),
    "agreement naive time": mutate_v2(agreements={"a_level": {"agreed_at": "2026-11-20T14:00:00"}}),
    "measure unknown catalogue id": mutate_v2(measures=[{"action": "adjust", "measure_id": "m_nope"}]),
    "measure remove without id": mutate_v2(measures=[{"action": "remove", "reason": "x"}]),
    "measure add with id": mutate_v2(measures=[{"action": "add", "title": "t", "measure_id": "m_lead"}]),
    "measure add without title": mutate_v2(measures=[{"action": "add", "title": " "}]),
    "measure phase 4": mutate_v2(measures=[{"action": "add", "title": "t", "phase": 4}]),
    "measure effort XL": mutate_v2(measures=[{"action": "add", "title": "t", "effort": "XL"}]),
    "measure unknown action": mutate_v2(measures=[{"action": "replace", "measure_id": "m_lead"}]),
    "respondent named as text": mutate_v2(respondents=[{"label": "A", "named_in_report": "yes"}]),
    "respondent token": mutate_v2(respondents=[{"label": "A", "token": "abc"}]),
    "session notes not text": mutate_v2(session_notes=["x"]),
}


@pytest.mark.parametrize("content", BAD_V2_DOCUMENTS.values(), ids=BAD_V2_DOCUMENTS)
def test_bad_version_2_files_are_refused_and_change_nothing(app, content):
    from advisor.advising.models import AdvisorMeasure, Agreement

    with app.app_context():
        with pytest.raises(exchange.ImportRefused) as info:
            exchange.check(app.extensions["advisor.catalogues"], content)
    assert info.value.problems and all(str(p) for p in info.value.problems)
    response = upload(Client(app), content)
    assert response.status_code == 422
    assert count_rows(app, Assessment) == count_rows(app, Agreement) == count_rows(app, AdvisorMeasure) == 0


def test_refusal_of_version_2_entries_names_them(app):
    from flask_babel import force_locale

    with app.app_context(), force_locale("en"):
        catalogues = app.extensions["advisor.catalogues"]
        problems = [
            str(p)
            for name in ("measure unknown catalogue id", "agreement unknown question", "v1 with agreements")
            for p in _problems(catalogues, BAD_V2_DOCUMENTS[name])
        ]
    assert "measures.0: the catalogue has no measure “m_nope” to adjust or remove." in problems
    assert "agreements: unknown question “zz_unknown”." in problems
    assert any("only in format_version 2" in p for p in problems)


def _problems(catalogues, content):
    with pytest.raises(exchange.ImportRefused) as info:
        exchange.check(catalogues, content)
    return info.value.problems


def test_documented_guided_example_imports_and_scores(kommunal_app, tmp_path):
    from advisor.advising.models import AdvisorMeasure, Agreement

    example = DOCS / "examples" / "guided-assessment.json"
    client = Client(kommunal_app)
    response = upload(client, example.read_bytes())
    assert response.status_code == 303, response.get_data(as_text=True)
    assert count_rows(kommunal_app, Agreement) == 3 and count_rows(kommunal_app, AdvisorMeasure) == 2
    result = kommunal_app.test_cli_runner().invoke(
        args=["assess", str(example), "--json", "--date", "2026-12-02"]
    )
    assert result.exit_code == 0, result.output
    scored = json.loads(result.output)
    # The agreed answers are what scores (the respondents' own answers do not).
    assert "cs_online_services" not in scored["fields"][0]["unanswered"]
    assert scored["catalogue"]["version"] == "2027.1"
    # The advisor's measures are applied to the roadmap it prints; one about a measure this
    # roadmap does not schedule changes nothing and is named as such.
    advisor = scored["advisor_measures"]
    own = [o["title"] for phase in advisor["phases"] for o in phase["own"]]
    assert own == ["Digitalisierungsrunde mit den Fachbereichen"]
    scheduled = {m for phase in scored["roadmap"]["phases"] for m in phase["measures"]}
    assert all(m not in scheduled for m in advisor["not_applied"])
    text = kommunal_app.test_cli_runner().invoke(args=["assess", str(example), "--date", "2026-12-02"])
    assert "advisor: phase 1 + Digitalisierungsrunde mit den Fachbereichen" in text.output
