"""Repeat assessments: a follow-up from a completed round, "last time", the measure board."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import sqlalchemy as sa

from advisor.assessments.models import Assessment, MeasureProgress, ProgressStatus, Status
from advisor.db import db
from tests.conftest import Client, count_rows, stored_answers

FINGERPRINTS = re.compile(r'name="h_([^"]+)" value="([^"]+)"')
BOARD = re.compile(r'name="bh_([^"]+)" value="([^"]+)"')


def completed_round(client: Client, **answers: str) -> str:
    """A completed first round on the mini catalogue with a note to carry over."""
    aid, _ = client.start()
    client.profile(aid)
    data = {"q_a_level": "1", "q_a_single": "two", "q_a_yes": "no", "n_a_level": "<b>laut Hauptamt</b>"}
    assert client.post(f"/a/{aid}/fields/alpha", {**data, **answers}).status_code == 303
    assert client.post(f"/a/{aid}/complete").status_code == 303
    return aid


def follow_up(client: Client, aid: str) -> str:
    response = client.post(f"/a/{aid}/follow-up")
    assert response.status_code == 303, response.status_code
    assert "/link?new=1" in response.location
    return response.location.split("/")[2]


def page_form(client: Client, url: str) -> tuple[str, dict[str, str]]:
    """The page and what a browser sends back unchanged: the answers' fingerprints."""
    page = client.get(url).get_data(as_text=True)
    return page, {f"h_{qid}": value for qid, value in FINGERPRINTS.findall(page)}


def board_form(client: Client, aid: str) -> tuple[str, dict[str, str]]:
    """The results page and its board as a browser would send it unchanged."""
    page = client.get(f"/a/{aid}/results").get_data(as_text=True)
    shown = dict(BOARD.findall(page))
    data = {f"bh_{mid}": value for mid, value in shown.items()}
    for mid in shown:
        status = re.search(rf'<select id="st_{mid}".*?<option value="(\w+)" selected', page, re.S)
        data[f"st_{mid}"] = status.group(1)
        data[f"on_{mid}"] = re.search(rf'id="on_{mid}" name="on_{mid}" value="([^"]*)"', page).group(1)
        data[f"no_{mid}"] = re.search(rf'id="no_{mid}" name="no_{mid}" value="([^"]*)"', page).group(1)
    return page, data


def test_a_follow_up_carries_profile_and_priorities_and_offers_answers_as_last_time(app, client):
    aid = completed_round(client)
    client.post(f"/a/{aid}/results", {"relevance_alpha": "5", "target_alpha": "4"})
    new = follow_up(client, aid)
    link_page = client.get(f"/a/{new}/link?new=1").get_data(as_text=True)
    assert "earlier round" in link_page or "letzten Runde" in link_page or "früheren Runde" in link_page

    with app.app_context():
        follow = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == new))
        earlier = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == aid))
        assert follow.predecessor_id == earlier.id and len(follow.predecessor_hash) == 64
        assert (follow.municipality_type, follow.state, follow.population_band) == ("stadt", "NW", "100k+")
        assert {(p.field_id, p.relevance, p.target_level) for p in follow.priorities} >= {("alpha", 5, 4)}
        assert follow.status is Status.IN_PROGRESS and follow.answers == []

    listed = json.loads(app.test_cli_runner().invoke(args=["assessments", "list", "--json"]).output)
    follows = {row["public_id"]: row["follows"] for row in listed}
    assert follows[aid] is None and follows[new] == earlier.id

    page, _ = page_form(client, f"/a/{new}/fields/alpha")
    assert page.count('class="last-time open"') == 3
    assert "&lt;b&gt;laut Hauptamt&lt;/b&gt;" in page and "<b>laut Hauptamt" not in page
    summary = client.get(f"/a/{new}/summary").get_data(as_text=True)
    assert re.search(r"\b3 (?:answers from last time|Antworten aus der letzten Runde)", summary)


def test_each_answer_is_confirmed_or_changed_and_only_then_counts(app, client):
    aid = completed_round(client)
    new = follow_up(client, aid)
    _, shown = page_form(client, f"/a/{new}/fields/alpha")
    # Confirm one, change another, leave the third open.
    response = client.post(
        f"/a/{new}/fields/alpha", {**shown, "c_a_level": "y", "q_a_single": "one", "nav": "stay"}
    )
    assert response.status_code == 303
    assert stored_answers(app, new) == {
        "a_level": ("answered", 1, "<b>laut Hauptamt</b>"),
        "a_single": ("answered", "one", ""),
    }
    page, shown = page_form(client, f"/a/{new}/fields/alpha")
    assert page.count('class="last-time open"') == 1
    summary = client.get(f"/a/{new}/summary").get_data(as_text=True)
    assert re.search(r"\b1 (?:answer from last time|Antwort aus der letzten Runde)", summary)

    # "Take over every open one" leaves the answers already given as they are.
    kept = {"q_a_level": "1", "q_a_single": "one", "n_a_level": "<b>laut Hauptamt</b>"}
    response = client.post(f"/a/{new}/fields/alpha", {**shown, **kept, "nav": "confirm-all"})
    assert response.status_code == 303
    assert stored_answers(app, new)["a_yes"] == ("answered", False, "")
    assert stored_answers(app, new)["a_single"] == ("answered", "one", "")
    assert 'class="last-time open"' not in client.get(f"/a/{new}/fields/alpha").get_data(as_text=True)


def test_a_closed_round_stays_as_it_was(app, client):
    aid = completed_round(client)
    new = follow_up(client, aid)
    before = stored_answers(app, aid)
    response = client.post(f"/a/{aid}/fields/alpha", {"q_a_level": "4"})
    assert response.status_code == 409
    assert "follow-up" in response.get_data(as_text=True) or "Folgebewertung" in response.get_data(
        as_text=True
    )
    assert client.post(f"/a/{aid}/results", {"relevance_alpha": "1"}).status_code == 409
    assert client.post(f"/a/{aid}/follow-up").status_code == 409  # one follow-up per round
    assert stored_answers(app, aid) == before
    # Its wizard leads to its results, which say it is closed and link to the follow-up.
    assert client.get(f"/a/{aid}/fields/alpha").status_code == 303
    page = client.get(f"/a/{aid}/results").get_data(as_text=True)
    assert 'id="closed-round"' in page and f"/a/{new}/results" in page
    assert 'id="priorities-form"' not in page and 'name="st_' not in page
    # Its link, consent and deletion stay the municipality's.
    assert client.post(f"/a/{aid}/link").status_code == 303


def test_only_a_completed_round_is_followed_up(client):
    aid, _ = client.start()
    client.profile(aid)
    assert client.post(f"/a/{aid}/follow-up").status_code == 409


def test_another_browser_cannot_follow_up_or_mark_measures(app, client):
    aid = completed_round(client)
    stranger = Client(app)
    assert stranger.post(f"/a/{aid}/follow-up").status_code == 404
    assert stranger.post(f"/a/{aid}/board", {"st_m_lead": "done", "bh_m_lead": "-"}).status_code == 404
    assert count_rows(app, MeasureProgress) == 0


def test_the_board_works_as_a_plain_form(app, client):
    aid = completed_round(client)
    page, data = board_form(client, aid)
    assert 'id="board"' in page
    measures = [key[3:] for key in data if key.startswith("st_")]
    assert len(measures) >= 2
    first, second = measures[:2]
    data |= {f"st_{first}": "done", f"on_{first}": "03.11.2026", f"no_{first}": "<i>Ratsbeschluss</i>"}
    data |= {f"st_{second}": "started", f"on_{second}": ""}
    response = client.post(f"/a/{aid}/board", data)
    assert response.status_code == 303 and response.location.endswith("#board")
    with app.app_context():
        rows = {r.measure_id: r for r in db.session.scalars(sa.select(MeasureProgress))}
    assert rows[first].status is ProgressStatus.DONE and rows[first].on_date == date(2026, 11, 3)
    assert rows[first].note == "<i>Ratsbeschluss</i>"
    assert rows[second].status is ProgressStatus.STARTED and rows[second].on_date is not None
    assert set(rows) == {first, second}  # open measures without a note are not stored
    page, data = board_form(client, aid)
    assert "&lt;i&gt;Ratsbeschluss&lt;/i&gt;" in page
    # Back to open: the row goes.
    response = client.post(f"/a/{aid}/board", data | {f"st_{second}": "open", f"on_{second}": ""})
    assert response.status_code == 303
    assert count_rows(app, MeasureProgress) == 1


def test_bad_board_entries_are_refused_with_the_entry_kept(app, client):
    aid = completed_round(client)
    _, data = board_form(client, aid)
    mid = next(key[3:] for key in data if key.startswith("st_"))
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    for changes, field in (
        ({f"st_{mid}": "done", f"on_{mid}": tomorrow}, "on"),
        ({f"st_{mid}": "finished"}, "st"),
        ({f"st_{mid}": "done", f"on_{mid}": "31.02.2026"}, "on"),
        ({f"st_{mid}": "done", f"on_{mid}": "9" * 40}, "on"),
        ({f"st_{mid}": "done", f"no_{mid}": "x" * 501}, "no"),
        ({f"st_{mid}": "done", f"on_{mid}": "01.01.1999"}, "on"),
        ({f"st_{mid}": "done", f"on_{mid}": "١.١.٢٠٢٥"}, "on"),  # digits of another script
    ):
        response = client.post(f"/a/{aid}/board", data | changes)
        assert response.status_code == 422, changes
        page = response.get_data(as_text=True)
        assert 'class="error-summary"' in page and f'href="#{field}_{mid}"' in page
        invalid = re.findall(r'id="(\w+?)_' + re.escape(mid) + r'"[^>]*aria-invalid="true"', page)
        assert invalid == [field], (changes, invalid)
    assert count_rows(app, MeasureProgress) == 0
    assert client.post(f"/a/{aid}/board", data | {f"no_{mid}": "a\x00b"}).status_code == 400
    assert client.post(f"/a/{aid}/board", data | {"st_not_a_measure": "done"}).status_code == 400
    assert client.post(f"/a/{aid}/board", data | {f"bh_{mid}": "zz"}).status_code == 400
    assert client.post(f"/a/{aid}/board", data | {f"bh_{mid}": "-\n"}).status_code == 400
    assert count_rows(app, MeasureProgress) == 0


def test_the_board_never_silently_overwrites_a_change_made_meanwhile(app, client):
    aid = completed_round(client)
    _, stale = board_form(client, aid)
    mid = next(key[3:] for key in stale if key.startswith("st_"))
    _, fresh = board_form(client, aid)
    assert client.post(f"/a/{aid}/board", fresh | {f"st_{mid}": "done"}).status_code == 303
    response = client.post(f"/a/{aid}/board", stale | {f"st_{mid}": "started"}, follow_redirects=True)
    assert "changed" in response.get_data(as_text=True) or "geändert" in response.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(sa.select(MeasureProgress))
    assert row.status is ProgressStatus.DONE


def test_a_follow_up_on_a_changed_catalogue_migrates_answers_and_marks_new_questions(app_factory):
    from advisor.assessments import rounds, services
    from advisor.web import catalogues
    from tests.assessments.test_upgrade import started_on_old_version

    app = app_factory(ACTIVE_CATALOGUE="tasks")
    client = Client(app)
    # Version 1.0 did not ask a_heat yet; it had a_old (now a_admin) and a_gone (removed since).
    aid = started_on_old_version(app, client, Status.COMPLETED, without=("a_heat",))
    new = follow_up(client, aid)
    with app.app_context():
        follow = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == new))
        assert follow.catalogue_version != "1.0"
        # The profile moved by the catalogue's rules: amt is now verwaltungsverband, and the split
        # population band is asked once.
        assert follow.municipality_type == "verwaltungsverband" and follow.population_band is None
        assert follow.upgrade_notice["choices"] == {"population_band": ["lt10k", "10k-25k"]}
        last = rounds.last_time(db.session, catalogues(), follow)
        # The closed round stays on 1.0: no upgrade, neither on its page nor from the command line.
        assert services.upgrade_available(catalogues(), follow.predecessor) is None
    result = app.test_cli_runner().invoke(args=["assessments", "upgrade", aid, "--completed"])
    with app.app_context():
        assert (
            db.session.scalar(sa.select(Assessment.catalogue_version).where(Assessment.public_id == aid))
            == "1.0"
        )
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert last.new == {"a_heat"}
    assert last.answers["a_admin"].value == 2 and last.answers["a_admin"].note == "laut Hauptamt"
    assert "a_gone" not in last.answers and "a_old" not in last.answers
    assert "a_district" not in last.answers  # "nicht zuständig" is no longer offered there: asked again
    client.profile(
        new, municipality_type="verwaltungsverband", state="BB", population_band="10k-25k", staff_band="20+"
    )
    page, _ = page_form(client, f"/a/{new}/fields/alpha")
    admin = page[page.index('id="q-a_admin"') :]
    assert "laut Hauptamt" in admin[: admin.index("</fieldset>")]
    assert 'name="c_a_admin"' in admin[: admin.index("</fieldset>")]
    heat = page[page.index('id="q-a_heat"') :]
    heat = heat[: heat.index("</fieldset>")]
    assert 'class="badge-new"' in heat and 'name="c_a_heat"' not in heat
    assert page.count('class="badge-new"') == 1


def test_a_round_has_one_follow_up_even_when_two_start_it_at_once(app, client):
    import pytest
    from sqlalchemy.exc import IntegrityError

    aid = completed_round(client)
    follow_up(client, aid)
    with app.app_context():
        earlier = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == aid))
        twin = Assessment(
            catalogue_id=earlier.catalogue_id,
            catalogue_version=earlier.catalogue_version,
            catalogue_hash=earlier.catalogue_hash,
            predecessor_id=earlier.id,
        )
        db.session.add(twin)
        with pytest.raises(IntegrityError):  # what the lock serialises, the index guarantees
            db.session.flush()
        db.session.rollback()


def test_enter_still_continues_and_a_confirmation_on_a_stale_page_is_a_conflict(app, client):
    aid = completed_round(client)
    new = follow_up(client, aid)
    page, shown = page_form(client, f"/a/{new}/fields/alpha")
    form = page[page.index('id="wizard-form"') :]
    assert re.search(r'<button type="submit" name="nav" value="(\w+)"', form).group(1) == "next"
    # Someone else answers a_level meanwhile; this page still offers last time's answer.
    _, fresh = page_form(client, f"/a/{new}/fields/alpha")
    assert client.post(f"/a/{new}/fields/alpha", {**fresh, "q_a_level": "4"}).status_code == 303
    response = client.post(f"/a/{new}/fields/alpha", {**shown, "c_a_level": "y"})
    assert response.status_code == 200 and "conflict" in response.get_data(as_text=True).lower()
    assert stored_answers(app, new)["a_level"][:2] == ("answered", 4)


def test_a_note_without_an_answer_is_no_confirmation(app, client):
    aid = completed_round(client)
    new = follow_up(client, aid)
    _, shown = page_form(client, f"/a/{new}/fields/alpha")
    client.post(f"/a/{new}/fields/alpha", {**shown, "n_a_level": "meine Notiz"})
    page, shown = page_form(client, f"/a/{new}/fields/alpha")
    assert page.count('class="last-time open"') == 3  # still open: a note is no answer
    client.post(f"/a/{new}/fields/alpha", {**shown, "n_a_level": "meine Notiz", "c_a_level": "y"})
    assert stored_answers(app, new)["a_level"] == ("answered", 1, "meine Notiz")
    summary = client.get(f"/a/{new}/summary").get_data(as_text=True)
    assert re.search(r"\b2 (?:answers from last time|Antworten aus der letzten Runde)", summary)


def test_an_untouched_stale_board_row_is_no_conflict_and_a_changed_roadmap_no_forgery(app, client):
    aid = completed_round(client)
    _, stale = board_form(client, aid)
    measures = [key[3:] for key in stale if key.startswith("st_")]
    _, fresh = board_form(client, aid)
    assert client.post(f"/a/{aid}/board", fresh | {f"st_{measures[0]}": "done"}).status_code == 303
    response = client.post(f"/a/{aid}/board", stale | {f"st_{measures[1]}": "started"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "while you were editing" not in page and "Während Sie bearbeitet haben" not in page
    with app.app_context():
        states = {r.measure_id: r.status for r in db.session.scalars(sa.select(MeasureProgress))}
    assert states == {measures[0]: ProgressStatus.DONE, measures[1]: ProgressStatus.STARTED}
    # The roadmap changes (every answer raised): the old page's rows are no forgery.
    _, shown = page_form(client, f"/a/{aid}/fields/alpha")
    client.post(f"/a/{aid}/fields/alpha", {**shown, "q_a_level": "4", "q_a_single": "two", "q_a_yes": "yes"})
    _, now = board_form(client, aid)
    gone = [m for m in measures if f"st_{m}" not in now]
    assert gone, "raising every answer should take a measure off the roadmap"
    response = client.post(f"/a/{aid}/board", stale | {f"st_{gone[0]}": "done"}, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "while you were editing" in page or "Während Sie bearbeitet haben" in page
    with app.app_context():
        assert gone[0] not in {r.measure_id for r in db.session.scalars(sa.select(MeasureProgress))}
