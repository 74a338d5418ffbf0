"""Walk whole assessments through the test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from advisor.assessments.models import Assessment
from advisor.db import db
from tests.conftest import Client, count_rows, stored_answers

PROFILE = {
    "municipality_name": "Musterdorf",
    "municipality_type": "gemeinde",
    "state": "BY",
    "population_band": "lt2k",
    "staff_band": "lt20",
    "it_provider": "Kommunales Rechenzentrum",
}


def test_start_page_explains_purpose_duration_and_data_use(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="de">' in page
    assert "45 bis 90 Minuten" in page
    assert "Was mit Ihren Daten geschieht" in page


def test_full_walk_through_the_wizard(app, client):
    aid, link = client.start()
    assert re.fullmatch(r"http://advisor\.test/r/[A-Za-z0-9_-]{43}", link)

    response = client.post(f"/a/{aid}/profile", {**PROFILE, "nav": "next"})
    assert response.status_code == 303
    assert response.location == f"/a/{aid}/fields/alpha"

    response = client.post(
        f"/a/{aid}/fields/alpha",
        {
            "q_a_level": "3",
            "q_a_single": "not_responsible",
            "q_a_yes": "no",
            "n_a_level": "E-Akte im Bauamt",
            "nav": "next",
        },
    )
    assert response.location == f"/a/{aid}/fields/beta"
    response = client.post(
        f"/a/{aid}/fields/beta",
        {"q_b_multi": ["z", "x"], "q_b_number": "1.500", "s_b_share": "unknown", "nav": "next"},
    )
    assert response.location == f"/a/{aid}/priorities"
    response = client.post(
        f"/a/{aid}/priorities",
        {
            "relevance_alpha": "5",
            "target_alpha": "4",
            "relevance_beta": "2",
            "target_beta": "3",
            "nav": "next",
        },
    )
    assert response.location == f"/a/{aid}/summary"

    summary = client.get(f"/a/{aid}/summary").get_data(as_text=True)
    assert "6 von 6 Fragen beantwortet" in summary
    assert "Alles ist beantwortet" in summary

    response = client.post(f"/a/{aid}/complete")
    assert response.status_code == 303
    assert "abgeschlossen" in client.get(f"/a/{aid}/summary").get_data(as_text=True)

    assert stored_answers(app, aid) == {
        "a_level": ("answered", 3, "E-Akte im Bauamt"),
        "a_single": ("not_responsible", None, ""),
        "a_yes": ("answered", False, ""),
        "b_multi": ("answered", ["x", "z"], ""),
        "b_number": ("answered", 1500, ""),
        "b_share": ("unknown", None, ""),
    }
    with app.app_context():
        from advisor.db import db

        assessment = db.session.query(Assessment).one()
        assert assessment.status.value == "completed"
        assert assessment.municipality_name == "Musterdorf"
        assert assessment.catalogue_id == "mini" and len(assessment.catalogue_hash) == 64
        assert {p.field_id: (p.relevance, p.target_level) for p in assessment.priorities} == {
            "alpha": (5, 4),
            "beta": (2, 3),
        }


def test_pages_show_saved_answers_and_progress(client):
    aid, _ = client.start()
    client.post(f"/a/{aid}/fields/beta", {"q_b_number": "42", "q_b_share": "12,5", "n_b_share": "geschätzt"})
    page = client.get(f"/a/{aid}/fields/beta").get_data(as_text=True)
    assert 'value="42"' in page
    assert 'value="12,5"' in page
    assert ">geschätzt</textarea>" in page
    assert "2 von 6 Fragen beantwortet" in page
    assert "2 von 3 Fragen in diesem Handlungsfeld beantwortet" in page


def test_back_forward_and_jump_all_save(app, client):
    aid, _ = client.start()
    response = client.post(f"/a/{aid}/fields/beta", {"q_b_number": "7", "nav": "back"})
    assert response.location == f"/a/{aid}/fields/alpha"
    response = client.post(f"/a/{aid}/fields/alpha", {"q_a_level": "1", "nav": "section:priorities"})
    assert response.location == f"/a/{aid}/priorities"
    response = client.post(f"/a/{aid}/priorities", {"relevance_beta": "4", "nav": "section:profile"})
    assert response.location == f"/a/{aid}/profile"
    response = client.post(f"/a/{aid}/profile", {"municipality_name": "Testheim", "nav": "stay"})
    assert response.location == f"/a/{aid}/profile"
    assert stored_answers(app, aid) == {"b_number": ("answered", 7, ""), "a_level": ("answered", 1, "")}
    assert 'value="Testheim"' in client.get(f"/a/{aid}/profile").get_data(as_text=True)
    assert 'id="relevance_beta-4" value="4" checked' in client.get(f"/a/{aid}/priorities").get_data(
        as_text=True
    )


def test_changing_and_clearing_answers(app, client):
    aid, _ = client.start()
    client.post(f"/a/{aid}/fields/beta", {"q_b_number": "7", "q_b_multi": ["y"]})
    client.post(f"/a/{aid}/fields/beta", {"q_b_number": "", "s_b_multi": "not_responsible"})
    assert stored_answers(app, aid) == {"b_multi": ("not_responsible", None, "")}


def test_summary_lists_unanswered_questions_with_links(client):
    aid, _ = client.start()
    client.post(f"/a/{aid}/fields/alpha", {"q_a_level": "2"})
    page = client.get(f"/a/{aid}/summary").get_data(as_text=True)
    assert f'href="/a/{aid}/fields/alpha#q-a_single"' in page
    assert f'href="/a/{aid}/fields/beta#q-b_number"' in page
    assert f'href="/a/{aid}/fields/alpha#q-a_level"' not in page
    assert f'href="/a/{aid}/profile#municipality_name"' in page
    assert "5 Fragen sind noch offen" in page


def test_resume_link_opens_the_assessment_in_a_fresh_browser(app, client):
    aid, link = client.start()
    client.post(f"/a/{aid}/profile", PROFILE)
    client.post(f"/a/{aid}/fields/alpha", {"q_a_level": "4", "q_a_single": "one", "q_a_yes": "yes"})

    other = Client(app)
    assert other.get(f"/a/{aid}/fields/alpha").status_code == 404
    response = other.get(link)
    assert response.status_code == 303
    # Profile and alpha are complete: resume where work is left.
    assert response.location == f"/a/{aid}/fields/beta"
    page = other.get(f"/a/{aid}/fields/alpha").get_data(as_text=True)
    assert 'id="q_a_level-4" value="4" checked' in page


def test_resume_by_pasting_the_link_into_the_start_page(app, client):
    aid, link = client.start()
    other = Client(app)
    response = other.post("/resume", {"link": f"  {link}  "})
    assert response.status_code == 303
    assert other.get(f"/a/{aid}/summary").status_code == 200


def test_regenerated_link_revokes_the_old_one(app, client):
    aid, old_link = client.start()
    holder = Client(app)
    assert holder.get(old_link).status_code == 303

    response = client.post(f"/a/{aid}/link")
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    new_link = re.search(r'<textarea id="resume-url"[^>]*>([^<]+)</textarea>', page).group(1)
    assert new_link != old_link

    stranger = Client(app)
    revoked = stranger.get(old_link)
    assert revoked.status_code == 404
    assert "Dieser Link funktioniert nicht" in revoked.get_data(as_text=True)
    # A browser that opened the old link loses access as well.
    assert holder.get(f"/a/{aid}/summary").status_code == 404
    assert Client(app).get(new_link).status_code == 303
    assert client.get(f"/a/{aid}/summary").status_code == 200


def test_unknown_token_reveals_nothing(app, client):
    aid, _ = client.start()
    client.post(f"/a/{aid}/profile", PROFILE)
    response = Client(app).get("/r/" + "A" * 43)
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Musterdorf" not in body and aid not in body


def test_token_is_long_random_and_stored_only_as_hash(app, client):
    aid, link = client.start()
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 22  # 128 bits in URL-safe base64; we use 256 bits
    with app.app_context():
        from advisor.db import db

        assessment = db.session.query(Assessment).one()
        assert token not in (assessment.resume_token_hash or "")
        assert len(assessment.resume_token_hash) == 64


def test_link_download_and_printable_page(client):
    aid, link = client.start()
    response = client.get(f"/a/{aid}/link.txt")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert link in response.get_data(as_text=True)
    page = client.get(f"/a/{aid}/link").get_data(as_text=True)
    assert "Speichern Sie diesen Link jetzt" in page


def test_each_assessment_is_only_reachable_by_its_own_browser(app):
    first, second = Client(app), Client(app)
    aid_one, _ = first.start()
    aid_two, _ = second.start()
    first.post(f"/a/{aid_one}/profile", PROFILE)
    assert second.get(f"/a/{aid_one}/profile").status_code == 404
    assert second.post(f"/a/{aid_one}/profile", {"municipality_name": "Übernahme"}).status_code == 404
    assert second.get(f"/a/{aid_one}/export.json").status_code == 404
    assert count_rows(app, Assessment) == 2
    assert 'value="Musterdorf"' in first.get(f"/a/{aid_one}/profile").get_data(as_text=True)


def test_assessment_keeps_its_catalogue_version_after_an_upgrade(app, client, tmp_path):
    import shutil

    from advisor.catalogue import load_all
    from tests.conftest import CATALOGUES

    aid, _ = client.start()
    client.post(f"/a/{aid}/fields/alpha", {"q_a_level": "2"})

    # The operator upgrades the catalogue and restarts: a text changes, a question is added.
    folder = tmp_path / "upgraded"
    shutil.copytree(CATALOGUES, folder)
    alpha = folder / "mini" / "fields" / "alpha.yaml"
    alpha.write_text(
        alpha.read_text().replace("Wie weit ist A?", "Wie weit ist A jetzt?")
        + '  - id: a_new\n    type: yes_no\n    text: {de: "Neue Frage?", en: "New question?"}\n'
    )
    measures = folder / "mini" / "measures" / "all.yaml"
    measures.write_text(
        measures.read_text()
        .replace(
            "raises: [{question: a_yes, to_level: 4}]",
            "raises: [{question: a_yes, to_level: 4}, {question: a_new, to_level: 4}]",
        )
        .replace(
            '      - when: [{question: a_yes, in: ["no"]}]',
            '      - when: [{question: a_yes, in: ["no"]}]\n      - when: [{question: a_new, in: ["no"]}]',
        )
    )
    app.extensions["advisor.catalogues"] = load_all(folder)

    page = client.get(f"/a/{aid}/fields/alpha").get_data(as_text=True)
    assert "Wie weit ist A?" in page and "Neue Frage?" not in page
    assert 'id="q_a_level-2" value="2" checked' in page
    assert client.post(f"/a/{aid}/fields/alpha", {"q_a_level": "3"}).status_code == 303
    assert "1 von 6 Fragen beantwortet" in client.get(f"/a/{aid}/summary").get_data(as_text=True)

    new_aid, _ = client.start()
    page = client.get(f"/a/{new_aid}/fields/alpha").get_data(as_text=True)
    assert "Wie weit ist A jetzt?" in page and "Neue Frage?" in page


def test_repeated_saves_without_following_redirects_keep_the_cookie_small(client):
    aid, _ = client.start()
    for level in range(40):
        assert client.post(f"/a/{aid}/fields/alpha", {"q_a_level": str(level % 5)}).status_code == 303
    cookie = client.http.get_cookie("advisor_session", domain="advisor.test")
    assert len(cookie.value) < 1000
    page = client.get(f"/a/{aid}/fields/alpha").get_data(as_text=True)
    assert page.count("Ihre Antworten wurden gespeichert.") == 1


def test_not_responsible_is_offered_first_where_usually_not_a_municipal_task(app, client):
    aid, _ = client.start()
    client.post(f"/a/{aid}/profile", {**PROFILE, "municipality_type": "landkreis"})
    page = client.get(f"/a/{aid}/fields/alpha").get_data(as_text=True)
    question = page[page.index('id="q-a_yes"') :]
    question = question[: question.index("</fieldset>")]
    assert "Für Kommunen der Art „Landkreis“ ist das meist nicht die eigene Aufgabe" in question
    # "nicht zuständig" comes before yes and no, and only once.
    assert question.index('value="not_responsible"') < question.index('value="yes"')
    assert question.count('value="not_responsible"') == 1
    assert client.post(f"/a/{aid}/fields/alpha", {"q_a_yes": "not_responsible"}).status_code == 303
    assert stored_answers(app, aid)["a_yes"] == ("not_responsible", None, "")


def test_other_types_see_not_responsible_after_the_answers(client):
    aid, _ = client.start()
    client.post(f"/a/{aid}/profile", PROFILE)  # a Gemeinde
    page = client.get(f"/a/{aid}/fields/alpha").get_data(as_text=True)
    question = page[page.index('id="q-a_yes"') :]
    question = question[: question.index("</fieldset>")]
    assert "meist nicht die eigene Aufgabe" not in question
    assert question.index('value="yes"') < question.index('value="not_responsible"')


def test_a_member_municipality_is_asked_what_it_decides_and_may_record_the_rest(app_factory):
    """Catalogue "tasks": a_council is its own, a_admin and (in RP) a_heat its administration's."""
    app = app_factory(ACTIVE_CATALOGUE="tasks")
    client = Client(app)
    aid, _ = client.start()
    district = {
        "municipality_type": "landkreis",
        "state": "RP",
        "population_band": "25k+",
        "staff_band": "20+",
    }
    client.post(f"/a/{aid}/profile", district)
    client.post(f"/a/{aid}/fields/alpha", {"q_a_district": "yes"})
    member = {**district, "municipality_type": "ortsgemeinde", "population_band": "lt10k"}
    member |= {
        "association_kind": "verbandsgemeinde",
        "association_name": "VG Musterland",
        "staff_band": "lt20",
    }
    assert client.post(f"/a/{aid}/profile", member).status_code == 303

    page = client.get(f"/a/{aid}/fields/alpha").get_data(as_text=True)
    assert 'id="q-a_district"' not in page  # a district task: not asked of a member municipality
    assert page.count("Zur Information: Das erledigt Ihre Verbandsgemeinde.") == 2  # a_admin, a_heat (AGWPG)
    assert "2 Fragen dieses Handlungsfelds betreffen Aufgaben, die Ihre Verbandsgemeinde" in page
    assert "0 von 1 Fragen in diesem Handlungsfeld beantwortet" in page

    saved = client.post(
        f"/a/{aid}/fields/alpha", {"q_a_council": "1", "q_a_admin": "2", "n_a_admin": "laut VG"}
    )
    assert saved.status_code == 303
    answers = stored_answers(app, aid)
    assert answers["a_admin"] == ("answered", 2, "laut VG") and answers["a_council"] == ("answered", 1, "")
    assert answers["a_district"] == ("answered", True, "")  # kept, though no longer shown
    summary = client.get(f"/a/{aid}/summary").get_data(as_text=True)
    assert "1 von 1 Fragen beantwortet" in summary

    results = client.get(f"/a/{aid}/results").get_data(as_text=True)
    assert "Was Ihre Verbandsgemeinde für Sie erledigt" in results
    assert "Wie weit sind die Online-Dienste? <span" in results  # recorded as information
    assert "Ihre Verbandsgemeinde nach den Online-Diensten fragen" in results  # what to ask for
    assert "Online-Dienste ausbauen" not in results  # never its administration's own measure


def test_a_joint_administration_is_forgotten_when_the_type_has_none(app_factory):
    app = app_factory(ACTIVE_CATALOGUE="tasks")
    client = Client(app)
    aid, _ = client.start()
    member = {
        "municipality_type": "ortsgemeinde",
        "state": "RP",
        "population_band": "lt10k",
        "staff_band": "lt20",
    }
    client.post(
        f"/a/{aid}/profile", {**member, "association_kind": "verbandsgemeinde", "association_name": "VG X"}
    )
    client.post(
        f"/a/{aid}/profile",
        {**member, "municipality_type": "gemeinde", "association_kind": "verbandsgemeinde"},
    )
    with app.app_context():
        assessment = db.session.query(Assessment).filter_by(public_id=aid).one()
        assert (assessment.municipality_type, assessment.association_kind, assessment.association_name) == (
            "gemeinde",
            None,
            "",
        )


def test_pages_have_a_favicon_and_the_summary_one_primary_button(client):
    page = client.get("/").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    aid, _ = client.start()
    summary = client.get(f"/a/{aid}/summary").get_data(as_text=True)
    assert len(re.findall(r'class="button"', summary)) == 1  # completing is the one main action
