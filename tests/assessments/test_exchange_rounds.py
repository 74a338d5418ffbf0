"""Exchange format version 3 (issue 15, item 5): the earlier round and the measure board in the file.

A round names its predecessor by content hash; importing both rounds of a pair links them
again in either order, where the importing browser (or its signed-in advisor) may open the
other round, and never otherwise. Export, import and export again say the same.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from advisor.assessments import exchange
from advisor.assessments.models import Assessment, MeasureProgress
from advisor.db import db
from tests.accounts.test_accounts import signed_in
from tests.assessments.test_exchange import export_of, guided_assessment, upload, valid_document
from tests.conftest import Client, count_rows

#: Stored with microseconds: the file keeps seconds, and a round trip must still agree.
COMPLETED = datetime(2026, 11, 20, 15, 30, 12, 654321, tzinfo=UTC)
BOARD = {
    "m_a_basics": ("done", date(2026, 11, 25), "Im Hauptamt erledigt „vollständig“"),
    "m_lead": ("started", date(2026, 11, 22), ""),
    "m_b_numbers": ("open", None, "Noch offen: Haushalt 2027"),
}


def completed_pair(app) -> tuple[str, str]:
    """A completed first round with everything a file carries and a board, and its completed follow-up."""
    from advisor.advising.models import Agreement, GuidedSession
    from advisor.assessments.models import Answer, AnswerState, Priority, ProgressStatus, Status
    from advisor.assessments.rounds import start_follow_up
    from advisor.assessments.services import complete

    aid = guided_assessment(app)
    with app.app_context():
        catalogues = app.extensions["advisor.catalogues"]
        first = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == aid))
        first.municipality_type, first.state = "stadt", "SN"
        first.population_band, first.staff_band, first.it_provider = "5k-20k", "50-199", "KDN"
        first.capacity_days_per_year = 120
        first.answers.extend(
            [
                Answer(question_id="b_share", state=AnswerState.ANSWERED, value=40.0),
                Answer(question_id="b_number", state=AnswerState.ANSWERED, value=12, note="Zwölf"),
                Answer(question_id="b_multi", state=AnswerState.ANSWERED, value=["x", "y"]),
                Answer(question_id="a_single", state=AnswerState.NOT_RESPONSIBLE, note="Kreis"),
            ]
        )
        first.priorities = [
            Priority(field_id="beta", relevance=2, target_level=None),
            Priority(field_id="alpha", relevance=5, target_level=3),
        ]
        notes = db.session.scalar(sa.select(GuidedSession).where(GuidedSession.assessment_id == first.id))
        notes.notes, notes.notes_shared = "Geteilte Notizen der Sitzung", True
        for respondent in first.respondents:
            if respondent.submitted_at is not None:
                respondent.submitted_at = respondent.submitted_at.replace(microsecond=987654)
        for agreement in db.session.scalars(sa.select(Agreement).where(Agreement.assessment_id == first.id)):
            if agreement.revealed_at is not None:
                agreement.revealed_at = agreement.revealed_at.replace(microsecond=1)
        first.status, first.completed_at = Status.COMPLETED, COMPLETED
        for measure_id, (status, on, note) in BOARD.items():
            first.measure_progress.append(
                MeasureProgress(measure_id=measure_id, status=ProgressStatus(status), on_date=on, note=note)
            )
        db.session.flush()
        follow_up, _ = start_follow_up(db.session, catalogues, first)
        follow_up.answers.append(Answer(question_id="a_level", state=AnswerState.ANSWERED, value=3))
        follow_up.answers.append(Answer(question_id="a_yes", state=AnswerState.ANSWERED, value=True))
        complete(db.session, follow_up)
        db.session.commit()
        return aid, follow_up.public_id


def file_of(app, aid: str) -> bytes:
    """The exchange file of an assessment, as the download writes it."""
    return json.dumps(export_of(app, aid), ensure_ascii=False, indent=2).encode()


def by_public_id(aid: str) -> Assessment:
    return db.session.scalar(sa.select(Assessment).where(Assessment.public_id == aid))


def imported_id(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.location.split("/")[2]


def test_the_file_carries_the_board_and_names_the_earlier_round_by_its_hash(app):
    first, later = completed_pair(app)
    earlier = export_of(app, first)
    document = export_of(app, later)
    assert earlier["format_version"] == document["format_version"] == 3
    assert earlier["measure_progress"] == {
        "m_a_basics": {"status": "done", "date": "2026-11-25", "note": "Im Hauptamt erledigt „vollständig“"},
        "m_b_numbers": {"status": "open", "date": None, "note": "Noch offen: Haushalt 2027"},
        "m_lead": {"status": "started", "date": "2026-11-22", "note": ""},
    }
    assert list(earlier["measure_progress"]) == sorted(BOARD)
    assert "predecessor" not in earlier
    assert document["predecessor"] == {
        "content_hash": exchange.content_hash(earlier),
        "completed_at": "2026-11-20T15:30:12+00:00",
    }
    text = json.dumps(document)
    assert '"id"' not in text.replace('"id": "mini"', "")  # no database id, only the catalogue's


def test_the_content_hash_ignores_when_and_how_the_file_was_written():
    document = valid_document() | {"predecessor": {"content_hash": "a" * 64, "completed_at": None}}
    same = document | {
        "format_version": 3,
        "exported_at": "2027-01-01T00:00:00+00:00",
        "predecessor": {"content_hash": "a" * 64, "completed_at": "2026-11-20T15:30:12+00:00"},
    }
    assert exchange.content_hash(document) == exchange.content_hash(dict(reversed(same.items())))
    assert exchange.content_hash(document) != exchange.content_hash(document | {"locale": "en"})
    assert exchange.content_hash(document) != exchange.content_hash(
        document | {"predecessor": {"content_hash": "b" * 64}}
    )


def test_export_import_export_keeps_the_content_hash(app):
    first, later = completed_pair(app)
    catalogues = app.extensions["advisor.catalogues"]
    for aid in (first, later):
        before = export_of(app, aid)
        with app.app_context():
            copy, _ = exchange.import_assessment(db.session, catalogues, file_of(app, aid))
            db.session.commit()
            copy_id = copy.public_id
        after = export_of(app, copy_id)
        assert exchange.content_hash(after) == exchange.content_hash(before), aid
        # Everything says the same, to the second and in the same order; only the earlier
        # round's completion is unknown where the earlier round is not stored with the copy.
        for document in (before, after):
            document.pop("exported_at")
            if "predecessor" in document:
                document["predecessor"].pop("completed_at")
        assert json.dumps(after, sort_keys=False) == json.dumps(before, sort_keys=False)


def test_whitespace_and_empty_rows_do_not_change_the_hash_of_a_round_trip(app):
    """What an import would strip or leave out is exported as the import stores it."""
    from advisor.advising.models import AdvisorMeasure, Agreement, GuidedSession
    from advisor.assessments.models import Answer, AnswerState

    aid = guided_assessment(app)
    with app.app_context():
        assessment = by_public_id(aid)
        assessment.answers.append(Answer(question_id="b_share", state=AnswerState.ANSWERED, value=None))
        agreement = db.session.scalar(
            sa.select(Agreement).where(Agreement.assessment_id == assessment.id, Agreement.method == "agreed")
        )
        agreement.rationale, agreement.note = "  Begründung \n", " Notiz "
        notes = db.session.scalar(
            sa.select(GuidedSession).where(GuidedSession.assessment_id == assessment.id)
        )
        notes.notes, notes.notes_shared = "\n Notizen ", True
        own = db.session.scalar(sa.select(AdvisorMeasure).where(AdvisorMeasure.action == "add"))
        own.title, own.reason = " Eigene Maßnahme ", "Grund  "
        db.session.commit()
    before = export_of(app, aid)
    assert "b_share" not in before["answers"]
    with app.app_context():
        copy, _ = exchange.import_assessment(
            db.session, app.extensions["advisor.catalogues"], file_of(app, aid)
        )
        db.session.commit()
        copy_id = copy.public_id
    assert exchange.content_hash(export_of(app, copy_id)) == exchange.content_hash(before)


@pytest.mark.parametrize("order", ["earlier first", "follow-up first"])
def test_a_pair_imported_in_another_browser_links_again_in_either_order(app, order):
    first, later = completed_pair(app)
    files = {"earlier": file_of(app, first), "follow-up": file_of(app, later)}
    browser = Client(app)
    browser.get("/language/en")
    names = ["earlier", "follow-up"] if order == "earlier first" else ["follow-up", "earlier"]
    imported = {}
    for name in names:
        response = upload(browser, files[name])
        imported[name] = imported_id(response)
        page = browser.get(response.location).get_data(as_text=True)
    if order == "earlier first":
        assert (
            "The file has been imported as a new assessment, as the follow-up of the round completed on "
            "November 20, 2026." in page
        )
    else:
        assert "as the earlier round of a follow-up you already have." in page
    with app.app_context():
        earlier, follow_up = by_public_id(imported["earlier"]), by_public_id(imported["follow-up"])
        assert follow_up.predecessor_id == earlier.id
        catalogue = app.extensions["advisor.catalogues"]["mini"]
        assert follow_up.predecessor_hash == exchange.content_hash(
            exchange.export_assessment(catalogue, earlier)
        )
        # The originals keep their own link; the import links to nothing this browser cannot open.
        original_first, original_later = by_public_id(first), by_public_id(later)
        assert original_later.predecessor_id == original_first.id
        assert earlier.predecessor_id is None
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(Assessment.predecessor_id.is_not(None))) == 2
        )
    assert export_of(app, imported["follow-up"])["predecessor"]["completed_at"] == "2026-11-20T15:30:12+00:00"


def test_a_browser_that_cannot_open_the_earlier_round_does_not_link(app):
    first, later = completed_pair(app)
    imported_first = imported_id(upload(Client(app), file_of(app, first)))
    other = Client(app)
    other.get("/language/en")
    response = upload(other, file_of(app, later))
    follow_up = imported_id(response)
    page = other.get(response.location).get_data(as_text=True)
    assert "The file has been imported as a new assessment." in page
    with app.app_context():
        copy = by_public_id(follow_up)
        assert copy.predecessor_id is None
        assert copy.predecessor_hash == exchange.content_hash(export_of(app, imported_first))
    # Nor the other way round: the earlier round imported here does not reach the first browser's.
    second = imported_id(upload(Client(app), file_of(app, first)))
    with app.app_context():
        assert by_public_id(follow_up).predecessor_id is None
        assert db.session.scalar(sa.select(Assessment.id).where(Assessment.predecessor_id.is_not(None))) == (
            by_public_id(later).id
        )
        assert by_public_id(second).predecessor_id is None


def test_a_browser_whose_link_was_changed_elsewhere_does_not_link(app):
    from advisor.assessments.services import regenerate_token

    first, later = completed_pair(app)
    browser = Client(app)
    earlier = imported_id(upload(browser, file_of(app, first)))
    with app.app_context():
        regenerate_token(db.session, by_public_id(earlier))  # this browser's grant is void now
        db.session.commit()
    follow_up = imported_id(upload(browser, file_of(app, later)))
    with app.app_context():
        assert by_public_id(follow_up).predecessor_id is None


def test_the_signed_in_advisor_links_to_a_round_they_own(app, runner):
    from advisor.accounts.models import User

    first, later = completed_pair(app)
    earlier = imported_id(upload(Client(app), file_of(app, first)))
    advisor = signed_in(app, runner, email="zweite@example.org")
    with app.app_context():
        owner = db.session.scalar(sa.select(User).where(User.email == "zweite@example.org"))
        by_public_id(earlier).owner_id = owner.id
        db.session.commit()
    follow_up = imported_id(upload(advisor, file_of(app, later)))
    with app.app_context():
        assert by_public_id(follow_up).predecessor_id == by_public_id(earlier).id


def test_an_earlier_round_links_to_one_follow_up_only(app):
    first, later = completed_pair(app)
    browser = Client(app)
    earlier = imported_id(upload(browser, file_of(app, first)))
    once = imported_id(upload(browser, file_of(app, later)))
    twice = imported_id(upload(browser, file_of(app, later)))
    again = imported_id(upload(browser, file_of(app, first)))
    with app.app_context():
        assert by_public_id(once).predecessor_id == by_public_id(earlier).id
        # The second copy of the follow-up finds its earlier round taken, and the second copy
        # of the earlier round is linked to that waiting follow-up instead.
        assert by_public_id(twice).predecessor_id == by_public_id(again).id
        assert by_public_id(again).predecessor_id is None


def test_the_cli_import_keeps_working_and_names_the_earlier_round(app, tmp_path):
    first, later = completed_pair(app)
    path = tmp_path / "later.json"
    path.write_bytes(file_of(app, later))
    result = app.test_cli_runner().invoke(args=["assessments", "import", str(path)])
    assert result.exit_code == 0, result.output
    expected = exchange.content_hash(export_of(app, first))
    assert f"follow-up of the round with content hash {expected}" in result.output
    with app.app_context():
        copy = db.session.scalar(sa.select(Assessment).order_by(Assessment.id.desc()).limit(1))
        assert (copy.predecessor_id, copy.predecessor_hash) == (None, expected)


# -- refused files ------------------------------------------------------------------------


def version_3(**changes) -> bytes:
    return json.dumps(valid_document() | {"format_version": 3} | changes).encode()


def tomorrow() -> str:
    return (datetime.now(UTC).date() + timedelta(days=2)).isoformat()


HASH = "0123456789abcdef" * 4
BAD_ROUND_FILES = {
    "v2 with predecessor": json.dumps(
        valid_document() | {"format_version": 2, "predecessor": {"content_hash": HASH}}
    ).encode(),
    "v2 with board": json.dumps(
        valid_document() | {"format_version": 2, "measure_progress": {"m_lead": {"status": "done"}}}
    ).encode(),
    "v1 with predecessor": json.dumps(valid_document() | {"predecessor": {"content_hash": HASH}}).encode(),
    "hash in capitals": version_3(predecessor={"content_hash": HASH.upper()}),
    "hash too short": version_3(predecessor={"content_hash": HASH[:63]}),
    "predecessor by id": version_3(predecessor={"content_hash": HASH, "id": 1}),
    "naive completion": version_3(predecessor={"content_hash": HASH, "completed_at": "2026-11-20T10:00:00"}),
    "future date": "future",
    "before 2020": version_3(measure_progress={"m_lead": {"status": "done", "date": "2019-12-31"}}),
    "unknown measure": version_3(measure_progress={"m_nope": {"status": "done", "date": "2026-11-02"}}),
    "note of 501": version_3(measure_progress={"m_lead": {"status": "open", "note": "x" * 501}}),
    "NUL in note": version_3(measure_progress={"m_lead": {"status": "open", "note": "a\x00b"}}),
    "German date": version_3(measure_progress={"m_lead": {"status": "done", "date": "02.11.2026"}}),
    "date and time": version_3(
        measure_progress={"m_lead": {"status": "done", "date": "2026-11-02T00:00:00"}}
    ),
    "date as number": version_3(measure_progress={"m_lead": {"status": "done", "date": 1764633600}}),
    "no such day": version_3(measure_progress={"m_lead": {"status": "done", "date": "2026-02-30"}}),
    "unknown status": version_3(measure_progress={"m_lead": {"status": "finished"}}),
    "board as list": version_3(measure_progress=[{"m_lead": "done"}]),
}


@pytest.mark.parametrize("name", BAD_ROUND_FILES)
def test_bad_round_entries_are_refused_and_nothing_is_imported(app, name):
    content = BAD_ROUND_FILES[name]
    if content == "future":  # made when the test runs: it must be in the future then
        content = version_3(measure_progress={"m_lead": {"status": "started", "date": tomorrow()}})
    response = upload(Client(app), content)
    assert response.status_code == 422
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert count_rows(app, Assessment) == count_rows(app, MeasureProgress) == 0


def test_refusals_of_round_entries_name_them(app):
    from flask_babel import force_locale

    def problems(content: bytes) -> list[str]:
        with pytest.raises(exchange.ImportRefused) as info:
            exchange.check(app.extensions["advisor.catalogues"], content)
        return [str(p) for p in info.value.problems]

    with app.app_context(), force_locale("en"):
        assert problems(BAD_ROUND_FILES["unknown measure"]) == [
            "measure_progress: the catalogue has no measure “m_nope”."
        ]
        future = version_3(measure_progress={"m_lead": {"status": "done", "date": tomorrow()}})
        assert problems(future) == ["measure_progress “m_lead”: The date cannot be in the future."]
        assert problems(BAD_ROUND_FILES["note of 501"]) == [
            "measure_progress.m_lead.note: value out of the allowed range."
        ]
        assert problems(BAD_ROUND_FILES["German date"]) == [
            "measure_progress.m_lead.date: a date written YYYY-MM-DD is expected (for example 2026-12-02)."
        ]
        assert any("only in format_version 3" in p for p in problems(BAD_ROUND_FILES["v2 with predecessor"]))
        assert problems(BAD_ROUND_FILES["NUL in note"]) == [
            "The file contains a NUL character, which cannot be stored."
        ]
        # Several unknown measures: each is named (at most 20 problems in all).
        many = version_3(measure_progress={f"m_{i}": {"status": "open", "note": "n"} for i in range(3)})
        assert len(problems(many)) == 3


def test_an_unknown_measure_is_escaped_on_the_page(app):
    content = version_3(measure_progress={"<b>m</b>": {"status": "done", "date": "2026-11-02"}})
    page = upload(Client(app), content).get_data(as_text=True)
    assert "&lt;b&gt;m&lt;/b&gt;" in page and "<b>m</b>" not in page


def test_the_board_of_a_file_is_stored_as_the_board_stores_it(app):
    content = version_3(
        status="completed",
        completed_at="2026-11-20T10:00:00+01:00",
        measure_progress={
            "m_lead": {"status": "done", "date": "2026-11-02", "note": "  fertig  "},
            "m_a_basics": {"status": "open", "date": "2026-11-03"},  # open has no date: nothing to store
            "m_a_yes": {"status": "open", "note": "bald"},
        },
    )
    with app.app_context():
        assessment, _ = exchange.import_assessment(db.session, app.extensions["advisor.catalogues"], content)
        db.session.commit()
        rows = [(r.measure_id, r.status.value, r.on_date, r.note) for r in assessment.measure_progress]
    assert rows == [("m_a_yes", "open", None, "bald"), ("m_lead", "done", date(2026, 11, 2), "fertig")]


# -- flask assess --baseline --------------------------------------------------------------


def test_assess_says_whether_the_baseline_is_the_round_the_file_follows_up(app, tmp_path):
    first, later = completed_pair(app)
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_bytes(file_of(app, first))
    new.write_bytes(file_of(app, later))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["assess", str(new), "--baseline", str(old), "--json"])
    assert result.exit_code == 0, result.output
    baseline = json.loads(result.stdout)["baseline"]
    assert baseline["linked"] is True
    assert baseline["content_hash"] == exchange.content_hash(json.loads(old.read_text()))
    assert baseline["measures"] == {"done": ["m_a_basics"], "started": ["m_lead"]}
    assert "warning" not in result.stderr
    text = runner.invoke(args=["assess", str(new), "--baseline", str(old)])
    assert f"follow-up of {old} (the content hash matches)" in text.stdout
    assert "measures done by the earlier round: m_a_basics" in text.stdout
    assert "measures started by the earlier round: m_lead" in text.stdout

    # Another earlier round (here: the same one with one note changed) is not the one named.
    other = json.loads(old.read_text())
    other["answers"]["a_level"]["note"] = "geändert"
    other["measure_progress"] = {}
    changed = tmp_path / "other.json"
    changed.write_text(json.dumps(other))
    result = runner.invoke(args=["assess", str(new), "--baseline", str(changed), "--json"])
    assert result.exit_code == 0, result.output
    baseline = json.loads(result.stdout)["baseline"]
    assert baseline["linked"] is False and baseline["measures"] == {"done": [], "started": []}
    assert f"warning: {new} is the follow-up of another round than {changed}" in result.stderr
    text = runner.invoke(args=["assess", str(new), "--baseline", str(changed)])
    assert "warning:" in text.stderr
    assert f"{changed} is not the earlier round this file names" in text.stdout
    assert "measures done by the earlier round: none" in text.stdout

    # A file that names no earlier round: compared as asked, the link unknown.
    result = runner.invoke(args=["assess", str(old), "--baseline", str(old), "--json"])
    assert json.loads(result.stdout)["baseline"]["linked"] is None and "warning" not in result.stderr
    text = runner.invoke(args=["assess", str(old), "--baseline", str(old)])
    assert "this file names no earlier round" in text.stdout


def test_the_documented_pair_of_rounds_imports_and_compares(kommunal_app):
    from tests.assessments.test_exchange import DOCS

    first, later = DOCS / "examples" / "first-round.json", DOCS / "examples" / "follow-up.json"
    earlier, document = json.loads(first.read_text()), json.loads(later.read_text())
    assert earlier["format_version"] == document["format_version"] == exchange.FORMAT_VERSION
    assert document["predecessor"]["content_hash"] == exchange.content_hash(earlier)
    assert exchange.content_hash(earlier) in (DOCS / "exchange-format.md").read_text()
    browser = Client(kommunal_app)
    for path in (first, later):
        imported_id(upload(browser, path.read_bytes()))
    assert count_rows(kommunal_app, MeasureProgress) == 3  # the open measure with a note too
    result = kommunal_app.test_cli_runner().invoke(
        args=["assess", str(later), "--baseline", str(first), "--json", "--date", "2026-12-02"]
    )
    assert result.exit_code == 0, result.output
    baseline = json.loads(result.stdout)["baseline"]
    assert baseline["linked"] is True
    assert baseline["measures"] == {"done": ["m_cs_efa_connect"], "started": ["m_org_steering_group"]}


def test_assess_prints_the_projection_the_results_page_shows(app, tmp_path):
    """Item 4: the command line says what the follow-up's page says about the earlier roadmap."""
    from advisor.assessments import development
    from advisor.assessments.results import of_assessment
    from advisor.assessments.services import catalogue_of

    first, later = completed_pair(app)
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_bytes(file_of(app, first))
    new.write_bytes(file_of(app, later))
    result = app.test_cli_runner().invoke(args=["assess", str(new), "--baseline", str(old), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)["baseline"]["projection"]
    with app.test_request_context():
        loaded = app.extensions["advisor.catalogues"]
        follow = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == later))
        catalogue = catalogue_of(db.session, loaded, follow)
        day = follow.completed_at.date()
        shown = development.for_page(
            db.session, loaded, catalogue, follow, of_assessment(catalogue, follow, day), "en", day
        )
    assert (printed["phase"], printed["phase_end"], printed["months"]) == (
        shown.phase,
        shown.phase_end,
        shown.months,
    )
    assert printed["due"] == shown.phase_due
    assert len(printed["fields"]) == len(shown.projection) > 0
    for row, page_row in zip(printed["fields"], shown.projection, strict=True):
        for key in ("planned", "from_done", "now"):
            value = row[key]
            assert (None if value is None else round(value)) == getattr(page_row, key), (row, page_row)
        assert row["met"] == page_row.met
    text = app.test_cli_runner().invoke(args=["assess", str(new), "--baseline", str(old)]).stdout
    assert f"projection of phase {printed['phase']} (to month {printed['phase_end']}" in text


def test_assess_marks_questions_the_earlier_version_did_not_ask_as_new(app_factory, tmp_path):
    """An earlier file on an older catalogue version is migrated first; what it never asked is "new"."""
    from advisor.assessments.models import Status
    from advisor.assessments.services import catalogue_of
    from tests.assessments.test_upgrade import started_on_old_version

    app = app_factory(ACTIVE_CATALOGUE="tasks")
    aid = started_on_old_version(app, Client(app), Status.COMPLETED, without=("a_heat",))
    with app.app_context():
        loaded = app.extensions["advisor.catalogues"]
        earlier = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == aid))
        old_file = exchange.export_assessment(catalogue_of(db.session, loaded, earlier), earlier)
        old_file["answers"].pop("a_district")  # 2.0 no longer offers "nicht zuständig" there
        later = json.loads(json.dumps(old_file))
        later["catalogue"] = {"id": "tasks", "version": loaded["tasks"].version, "hash": loaded["tasks"].hash}
        later["answers"] = {"a_council": {"value": 3}, "a_admin": {"value": 2}, "a_heat": {"value": 2}}
        later["profile"].update(municipality_type="verwaltungsverband", population_band="lt10k")
        later["respondents"] = []
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(old_file))
    new.write_text(json.dumps(later))
    result = app.test_cli_runner().invoke(args=["assess", str(new), "--baseline", str(old), "--json"])
    assert result.exit_code == 0, result.output
    kinds = {m["question"]: m["kind"] for m in json.loads(result.stdout)["baseline"]["moved"]}
    assert kinds["a_heat"] == "new"
    assert "a_admin" not in kinds  # a_old, renamed: level 2 then and now
