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
    "format version": mutate(format_version=2),
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
