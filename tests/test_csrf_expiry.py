"""A form left open longer than the token lives is shown again with what was entered (issue 12, 9)."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from tests.conftest import stored_answers

NINE_HOURS = 9 * 3600


class _NineHoursAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - NINE_HOURS


class _OldTokens(URLSafeTimedSerializer):
    default_signer = _NineHoursAgo


@pytest.fixture
def old_tokens(monkeypatch):
    """Pages fetched inside ``with old_tokens():`` carry CSRF tokens signed nine hours ago."""

    class Clock:
        def __enter__(self):
            monkeypatch.setattr("flask_wtf.csrf.URLSafeTimedSerializer", _OldTokens)

        def __exit__(self, *exc):
            monkeypatch.undo()

    return Clock


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_the_token_limit_is_a_working_day(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] == 8 * 3600


def test_an_expired_field_page_comes_back_with_the_input_and_saves_nothing(app, client, old_tokens):
    aid, _ = client.start()
    with old_tokens():
        token = csrf_of(client.get(f"/a/{aid}/fields/alpha").get_data(as_text=True))
    data = {"csrf_token": token, "q_a_level": "3", "n_a_level": "Notiz von gestern", "nav": "stay"}
    response = client.post(f"/a/{aid}/fields/alpha", data, csrf=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "aus Sicherheitsgründen nicht gespeichert" in page
    assert 'value="3" checked' in page and "Notiz von gestern" in page
    assert stored_answers(app, aid) == {}
    # The page carries a fresh token: saving again works.
    again = client.post(f"/a/{aid}/fields/alpha", {**data, "csrf_token": csrf_of(page)}, csrf=False)
    assert again.status_code == 303 and stored_answers(app, aid)["a_level"][:2] == ("answered", 3)


@pytest.mark.parametrize(
    "page, data, shown",
    [
        ("profile", {"municipality_name": "Gesternhausen"}, 'value="Gesternhausen"'),
        ("priorities", {"relevance_alpha": "5"}, 'value="5" checked'),
    ],
)
def test_expired_profile_and_priorities_pages_keep_the_input(client, old_tokens, page, data, shown):
    aid, _ = client.start()
    with old_tokens():
        token = csrf_of(client.get(f"/a/{aid}/{page}").get_data(as_text=True))
    response = client.post(f"/a/{aid}/{page}", {**data, "csrf_token": token}, csrf=False)
    assert response.status_code == 422 and shown in response.get_data(as_text=True)


def test_other_forms_with_an_expired_token_get_the_security_page(client, old_tokens):
    aid, _ = client.start()
    with old_tokens():
        token = csrf_of(client.get(f"/a/{aid}/summary").get_data(as_text=True))
    response = client.post(f"/a/{aid}/complete", {"csrf_token": token}, csrf=False)
    assert response.status_code == 400 and "Sicherheitsprüfung" in response.get_data(as_text=True)
