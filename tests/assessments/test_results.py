"""The results page and the assess command, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import date

from advisor.assessments.models import Priority as PriorityRow
from tests.conftest import PROJECT, Client, count_rows, stored_answers

EXAMPLE = PROJECT / "docs" / "examples" / "assessment.json"


def answer_all(client, aid):
    client.post(
        f"/a/{aid}/profile",
        {
            "municipality_name": "Musterstadt",
            "municipality_type": "stadt",
            "state": "NW",
            "population_band": "100k+",
            "staff_band": "1000+",
        },
    )
    client.post(f"/a/{aid}/fields/alpha", {"q_a_level": "1", "q_a_single": "two", "q_a_yes": "no"})
    client.post(
        f"/a/{aid}/fields/beta",
        {"q_b_multi": ["z"], "s_b_number": "", "q_b_number": "100", "s_b_share": "unknown"},
    )


def text(html: str) -> str:
    main = re.search(r"<main.*?</main>", html, re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_results_page_shows_scores_gaps_knowledge_gaps_and_roadmap(client):
    aid, _ = client.start()
    answer_all(client, aid)
    response = client.get(f"/a/{aid}/results")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = text(html)
    # alpha: (0.25 + 1 + 0) / 3 = 41.7 -> "Im Aufbau"; beta: (0.25 + 0.1 + 0) / 3 = 11.7 -> "Einstieg"
    assert re.search(r"Alpha 42 Im Aufbau 100 %", page)
    assert re.search(r"Beta 12 Einstieg 67 %", page)
    assert 'role="img"' in html and '<title id="radar-title">' in html and "<desc" in html
    assert "Wissenslücken" in page and "Welcher Anteil?" in page  # "weiß nicht" on b_share
    # The overdue demo duty (100k+ city, deadline 30 June 2026) puts a_level first among the gaps.
    gaps = page[page.index("Die wichtigsten Lücken") :]
    assert gaps.index("Wie weit ist A?") < gaps.index("Wie viele?")
    assert "Frist abgelaufen" in gaps or "abgelaufen" in gaps
    roadmap = page[page.index("Fahrplan für die nächsten drei Jahre") :]
    assert "Phase 1" in roadmap and "Grundlagen A" in roadmap
    assert "Ihre Antworten: „Wie weit ist A?“ – Stufe 1: Erste Schritte." in roadmap
    assert "„Demo-Pflicht“: Die Frist (30. Juni 2026) ist abgelaufen." in roadmap
    assert "Schneller Erfolg" in roadmap


def test_a_prerequisite_that_was_not_triggered_is_pulled_in_with_its_reason(client):
    aid, _ = client.start()
    answer_all(client, aid)
    # Level 3 does not trigger "Verantwortliche Person" (m_lead), but option "one" triggers
    # "Grundlagen A", which needs it.
    client.post(f"/a/{aid}/fields/alpha", {"q_a_level": "3", "q_a_single": "one", "q_a_yes": "no"})
    roadmap = text(client.get(f"/a/{aid}/results").get_data(as_text=True))
    roadmap = roadmap[roadmap.index("Fahrplan für die nächsten drei Jahre") :]
    assert roadmap.index("Verantwortliche Person") < roadmap.index("Grundlagen A Gesetzliche Pflicht")
    assert "Ist Voraussetzung für „Grundlagen A“." in roadmap


def test_changing_priorities_on_the_page_recomputes_and_saves(app, client):
    aid, _ = client.start()
    answer_all(client, aid)
    before = text(client.get(f"/a/{aid}/results").get_data(as_text=True))
    response = client.post(
        f"/a/{aid}/results",
        {"relevance_alpha": "1", "target_alpha": "0", "relevance_beta": "5", "target_beta": "4"},
    )
    assert response.status_code == 303 and response.location.endswith("#roadmap")
    after = text(client.get(f"/a/{aid}/results").get_data(as_text=True))
    assert before != after
    assert (
        "Wie weit ist A?" not in after[after.index("Die wichtigsten Lücken") : after.index("Wissenslücken")]
    )
    assert count_rows(app, PriorityRow) == 2


def test_priorities_out_of_range_on_the_results_page_are_refused(client):
    aid, _ = client.start()
    assert client.post(f"/a/{aid}/results", {"relevance_alpha": "9"}).status_code == 422
    assert client.post(f"/a/{aid}/results", {"relevance_gamma": "3"}).status_code == 400


def test_results_of_another_browser_are_404(app, client):
    aid, _ = client.start()
    assert Client(app).get(f"/a/{aid}/results").status_code == 404


def test_assess_command_prints_scores_gaps_and_roadmap_as_json(kommunal_app, tmp_path):
    runner = kommunal_app.test_cli_runner()
    result = runner.invoke(args=["assess", str(EXAMPLE), "--json", "--date", "2026-11-21"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["catalogue"]["id"] == "kommunal"
    assert [f["id"] for f in data["fields"]] == [
        "citizen_service",
        "internal_processes",
        "organisation",
        "energy",
        "mobility",
    ]
    assert data["gaps"][0]["overdue"] is True
    # The example is an Ortsgemeinde: its Verbandsgemeinde runs the cash office, so the
    # unknown e-invoicing state is information about the administration, not a gap of its own,
    # and the roadmap says what to ask for.
    internal = next(f for f in data["fields"] if f["id"] == "internal_processes")
    assert "ip_einvoicing" in internal["delegated"] and "ip_einvoicing" not in data["knowledge_gaps"]
    items = data["roadmap"]["items"]
    planned = {i["measure"] for i in items} | set(data["roadmap"]["later"])
    assert "m_ip_ask_invoices_procurement" in planned and "m_ip_xrechnung_receipt" not in planned
    assert items and all(i["reasons"] for i in items)
    assert [p["phase"] for p in data["roadmap"]["phases"]] == [1, 2, 3]
    # Same input, same output.
    again = runner.invoke(args=["assess", str(EXAMPLE), "--json", "--date", "2026-11-21"])
    assert again.output == result.output

    broken = tmp_path / "broken.json"
    broken.write_text(EXAMPLE.read_text().replace('"value": 2,', '"value": 7,'))
    result = runner.invoke(args=["assess", str(EXAMPLE), str(broken), "--json", "--date", "2026-11-21"])
    assert result.exit_code == 1
    assert len(json.loads(result.stdout)) == 1
    assert "cs_online_services" in result.stderr


SMALL_GEMEINDE = {
    "municipality_type": "gemeinde",
    "state": "HE",
    "population_band": "2k-5k",
    "staff_band": "lt20",
}


def results_as_of_2026_11_21(app, monkeypatch, profile: dict, *posts: tuple[str, dict]) -> str:
    """The results page of a new assessment with this profile and these pages posted."""
    monkeypatch.setattr("advisor.assessments.views.today", lambda: date(2026, 11, 21))
    client = Client(app)
    aid, _ = client.start()
    assert client.post(f"/a/{aid}/profile", profile).status_code == 303
    for page, data in posts:
        assert client.post(f"/a/{aid}/{page}", data).status_code == 303
    return client.get(f"/a/{aid}/results").get_data(as_text=True)


def test_results_say_what_to_clarify_first_and_when_a_deadline_cannot_be_kept(kommunal_app, monkeypatch):
    page = results_as_of_2026_11_21(
        kommunal_app,
        monkeypatch,
        SMALL_GEMEINDE,
        ("fields/internal_processes", {"q_ip_einvoice_issuing": "0"}),
        ("fields/energy", {"q_en_heat_planning": "unknown"}),
    )
    clarify = page[page.index("Zuerst klären") :]
    assert "Wie weit ist die kommunale Wärmeplanung" in clarify[: clarify.index("</section>")]
    # Issuing e-invoices is due on 1 January 2027: too soon to convert every system, so the
    # roadmap plans the lighter way, says why, and who does most of it.
    card = text(page)[
        text(page).index("Zuerst die Rechnungen des Finanzverfahrens als E-Rechnung ausstellen") :
    ]
    assert (
        "Frist 01.01.27 ist auf dem üblichen Weg auch bei sofortigem Beginn nicht zu halten. "
        "Der Fahrplan sieht deshalb den hier beschriebenen gemeinsamen oder leichteren Weg vor." in card
    )
    assert (
        "Partner Den Großteil der Arbeit (insgesamt etwa" in card and "leistet Ihr IT-Dienstleister;" in card
    )
    # "Weiß nicht" is no gap at level 0.
    gaps = page[page.index("Die wichtigsten Lücken") : page.index("Wissenslücken")]
    assert "Wie weit ist die kommunale Wärmeplanung" not in gaps


def test_capacity_is_entered_on_the_priorities_page_and_drives_the_roadmap(app, client):
    from advisor.assessments.models import Assessment
    from advisor.db import db

    aid, _ = client.start()
    for bad in ("0", "abc", "12,5", "999999999", "-3", "nan", "inf", "1e400"):
        response = client.post(f"/a/{aid}/priorities", {"capacity": bad, "relevance_alpha": "5"})
        assert response.status_code == 422, bad
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert count_rows(app, PriorityRow) == 0  # nothing saved on refusal
    assert client.post(f"/a/{aid}/priorities", {"capacity": "1.200", "nav": "stay"}).status_code == 303
    with app.app_context():
        assessment = db.session.query(Assessment).filter_by(public_id=aid).one()
        assert assessment.capacity_days_per_year == 1200
    client.profile(aid)
    page = client.get(f"/a/{aid}/results").get_data(as_text=True)
    assert "verfügbare Kapazität bei Ihrer Größe: etwa 600" in page  # 100 a month, six months
    assert 'id="capacity" name="capacity" size="8"\n        value="1200"' in page
    exported = json.loads(client.get(f"/a/{aid}/export.json").get_data(as_text=True))
    assert exported["capacity_days_per_year"] == 1200


def test_results_and_report_wait_for_type_land_and_size(app, client):
    aid, _ = client.start()
    client.post(f"/a/{aid}/fields/alpha", {"q_a_level": "1", "q_a_single": "two", "q_a_yes": "no"})
    # An empty profile is saved (nothing entered is lost) and the user is told what is missing.
    saved = client.post(f"/a/{aid}/profile", {"nav": "stay"}, follow_redirects=True)
    assert "Das Profil wurde ohne Angaben gespeichert" in text(saved.get_data(as_text=True))
    for url in (f"/a/{aid}/results", f"/a/{aid}/summary"):
        page = client.get(url).get_data(as_text=True)
        for key, label in (("municipality_type", "Art der Kommune"), ("state", "Bundesland")):
            assert f'<a href="/a/{aid}/profile#{key}">{label}</a>' in page, (url, key)
        assert "Fahrplan für die nächsten drei Jahre" not in page
    assert "Ergebnis und Fahrplan anzeigen" not in client.get(f"/a/{aid}/summary").get_data(as_text=True)
    for url in (f"/a/{aid}/report.pdf", f"/a/{aid}/report"):
        response = client.get(url)
        assert response.status_code == 303 and response.location.endswith(f"/a/{aid}/results"), url
    # Part of it: the message names only what is still missing.
    partial = client.post(
        f"/a/{aid}/profile",
        {"municipality_type": "stadt", "state": "NW", "nav": "stay"},
        follow_redirects=True,
    )
    assert "Für die Ergebnisse fehlt noch: Einwohnerzahl." in text(partial.get_data(as_text=True))
    assert stored_answers(app, aid)["a_level"][:2] == ("answered", 1)
    client.profile(aid)
    results = client.get(f"/a/{aid}/results").get_data(as_text=True)
    assert "Fahrplan für die nächsten drei Jahre" in results and "fehlt noch" not in results
    assert "Ergebnis und Fahrplan anzeigen" in client.get(f"/a/{aid}/summary").get_data(as_text=True)
    assert client.get(f"/a/{aid}/report").status_code == 200


def test_offline_scoring_says_when_the_profile_lacks_what_the_advice_needs(kommunal_app, tmp_path):
    runner = kommunal_app.test_cli_runner()
    document = json.loads(EXAMPLE.read_text())
    assert json.loads(runner.invoke(args=["assess", str(EXAMPLE), "--json"]).output)["profile_missing"] == []
    document["profile"].update(state=None, population_band=None)
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(document))
    data = json.loads(runner.invoke(args=["assess", str(bare), "--json"]).output)
    assert data["profile_missing"] == ["state", "population_band"]
    plain = runner.invoke(args=["assess", str(bare)])
    assert "profile lacks state, population_band" in plain.output
    refused = runner.invoke(args=["assess", str(bare), "--pdf", str(tmp_path / "r.pdf")])
    assert refused.exit_code == 1 and "profile lacks state, population_band" in refused.output
    assert not (tmp_path / "r.pdf").exists()


def test_work_of_the_joint_administration_is_shown_but_counts_only_the_own_share(kommunal_app, monkeypatch):
    profile = {
        "municipality_type": "ortsgemeinde",
        "association_kind": "amt",
        "association_name": "Amt <b>Beispielsee</b>",
        "state": "BB",
        "population_band": "lt2k",
        "staff_band": "lt20",
        "it_provider": "<script>x</script>",
    }
    page = results_as_of_2026_11_21(
        kommunal_app, monkeypatch, profile, ("fields/energy", {"q_en_heat_planning": "0"})
    )
    assert "<script>x</script>" not in page and "<b>Beispielsee" not in page
    card = text(page)[text(page).index("Wärmeplanung für Ihre Gemeinde beschließen und gemeinsam vergeben") :]
    card = card[: card.index("Erste Schritte")]
    assert "Aufwand gering (1–4 Personentage)" in card
    low, high = re.search(r"insgesamt etwa (\d+)–(\d+) Personentage\) leistet Ihr Amt;", card).groups()
    assert int(high) > 4


def test_a_deadline_the_capacity_cannot_carry_is_met_the_shared_way(kommunal_app, monkeypatch):
    page = results_as_of_2026_11_21(
        kommunal_app,
        monkeypatch,
        SMALL_GEMEINDE,
        ("fields/energy", {"q_en_heat_planning": "0"}),
        ("priorities", {"capacity": "12", "nav": "stay"}),  # a day a month
    )
    page = text(page)
    joint = "Sich einer gemeinsamen Wärmeplanung mehrerer Gemeinden anschließen"
    card = page[page.index(joint) : page.index("Den Wärmeplan im gemeinsamen Verfahren fertigstellen")]
    assert re.search(
        r"Frist 30\.06\.28 ist auf dem üblichen Weg mit der angesetzten Kapazität nicht zu halten: "
        r"Es fehlen etwa \d+ Personentage\. Der Fahrplan sieht deshalb den hier beschriebenen "
        r"gemeinsamen oder leichteren Weg vor\.",
        card,
    )
    assert "Aufwand gering (4–12 Personentage)" in card
    # The plan that follows names its prerequisite as planned: the joint way.
    adopt = page[page.index("Den Wärmeplan im gemeinsamen Verfahren fertigstellen") :]
    assert f"Setzt voraus {joint}" in adopt
