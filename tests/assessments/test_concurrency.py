"""Two people on one assessment: nothing acknowledged is lost silently, nothing fails (issue 12, 1-2)."""

from __future__ import annotations

import re
import threading

import pytest

from tests.conftest import Client, stored_answers

FINGERPRINTS = re.compile(r'name="h_(\w+)" value="([^"]+)"')


def second_browser(app, link: str) -> Client:
    """Another browser that opened the same resume link."""
    other = Client(app)
    assert other.get(link).status_code in (302, 303)
    return other


def shown(client: Client, aid: str) -> dict[str, str]:
    """The fingerprints the alpha page carries, as a browser would post them back."""
    page = client.get(f"/a/{aid}/fields/alpha").get_data(as_text=True)
    return {f"h_{qid}": value for qid, value in FINGERPRINTS.findall(page)}


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_changes_to_different_answers_from_two_browsers_are_both_kept(app, client):
    aid, link = client.start()
    other = second_browser(app, link)
    a, b = shown(client, aid), shown(other, aid)
    assert set(a) == {"h_a_level", "h_a_single", "h_a_yes"} and set(a.values()) == {"-"}
    assert client.post(f"/a/{aid}/fields/alpha", {**a, "q_a_level": "3", "nav": "stay"}).status_code == 303
    # The second browser still shows an empty a_level; it changes only a_single.
    assert other.post(f"/a/{aid}/fields/alpha", {**b, "q_a_single": "one", "nav": "stay"}).status_code == 303
    saved = stored_answers(app, aid)
    assert saved["a_level"][:2] == ("answered", 3) and saved["a_single"][:2] == ("answered", "one")


@pytest.mark.parametrize("choice, kept", [("stored", 3), ("mine", 1)])
def test_a_conflict_shows_both_answers_and_the_user_chooses(app, client, choice, kept):
    aid, link = client.start()
    other = second_browser(app, link)
    a, b = shown(client, aid), shown(other, aid)
    client.post(f"/a/{aid}/fields/alpha", {**a, "q_a_level": "3", "n_a_level": "von A", "nav": "stay"})
    response = other.post(f"/a/{aid}/fields/alpha", {**b, "q_a_level": "1", "q_a_yes": "yes", "nav": "stay"})
    assert response.status_code == 200
    page = text(response.get_data(as_text=True))
    assert "Inzwischen geändert" in page
    assert "Gespeicherte Antwort behalten: Stufe 3: " in page and "Anmerkung: von A" in page
    assert "Meine Antwort übernehmen: Stufe 1: " in page
    assert "Ihre übrigen Antworten auf dieser Seite wurden gespeichert." in page  # a_yes
    # The rest of the page is saved; the disputed answer stays as the other person saved it.
    saved = stored_answers(app, aid)
    assert saved["a_level"][:2] == ("answered", 3) and saved["a_yes"][:2] == ("answered", True)
    fields = dict(
        re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', response.get_data(as_text=True))
    )
    fields.pop("csrf_token")
    assert other.post(f"/a/{aid}/fields/alpha", {**fields, "keep_a_level": choice}).status_code == 303
    saved = stored_answers(app, aid)
    assert saved["a_level"][:2] == ("answered", kept) and saved["a_yes"][:2] == ("answered", True)


def test_a_page_re_shown_with_errors_keeps_what_the_user_saw(app, client):
    aid, link = client.start()
    other = second_browser(app, link)
    b = shown(other, aid)
    client.post(f"/a/{aid}/fields/alpha", {**shown(client, aid), "q_a_level": "3", "nav": "stay"})
    refused = other.post(f"/a/{aid}/fields/alpha", {**b, "q_a_level": "9", "nav": "stay"})
    assert refused.status_code == 422
    again = dict(FINGERPRINTS.findall(refused.get_data(as_text=True)))
    assert again["a_level"] == "-"  # what the second browser saw, not what is stored now
    conflict = other.post(
        f"/a/{aid}/fields/alpha", {**{f"h_{k}": v for k, v in again.items()}, "q_a_level": "1"}
    )
    assert "Inzwischen geändert" in conflict.get_data(as_text=True)
    assert "Ihre übrigen Antworten" not in conflict.get_data(as_text=True)  # nothing else changed
    assert stored_answers(app, aid)["a_level"][:2] == ("answered", 3)


def test_a_forged_fingerprint_is_refused_and_changes_nothing(app, client):
    aid, _ = client.start()
    response = client.post(f"/a/{aid}/fields/alpha", {"h_a_level": "<x>", "q_a_level": "2"})
    assert response.status_code == 400 and stored_answers(app, aid) == {}


def at_once(requests: list) -> list[int]:
    """Send (client, csrf token, url, data) requests from as many threads, released together."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = []

    def send(browser, token, url, data):
        barrier.wait()
        statuses.append(browser.http.post(url, data={**data, "csrf_token": token}).status_code)

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_simultaneous_first_answers_never_fail(app, client):
    """Two browsers answer the same new question (and first priorities) at the same instant."""
    aid, link = client.start()
    browsers = [client, second_browser(app, link)]
    for round_ in range(8):
        tokens = [b.csrf() for b in browsers]
        answer = [{"q_a_single": "two", "n_a_single": f"{round_}-{i}"} for i in range(2)]
        requests = [(browsers[i], tokens[i], f"/a/{aid}/fields/alpha", answer[i]) for i in range(2)]
        requests += [
            (browsers[i], tokens[i], f"/a/{aid}/priorities", {"relevance_alpha": str(3 + i)})
            for i in range(2)
        ]
        assert at_once(requests) == [303] * 4
    saved = stored_answers(app, aid)
    assert saved["a_single"][:2] == ("answered", "two") and saved["a_single"][2].startswith("7-")
