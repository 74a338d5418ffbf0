"""Resume tokens stay out of the session cookie: it holds a browser key, the server a sealed
reference (issue 12, finding 7)."""

from __future__ import annotations

import sqlalchemy as sa
from flask.sessions import SecureCookieSessionInterface

from advisor.assessments import grants
from advisor.assessments.models import BrowserGrant
from advisor.db import db
from tests.conftest import Client, count_rows


def cookie_session(app, client: Client) -> dict:
    """What the browser's session cookie says, decoded as anyone holding it could."""
    cookie = client.http.get_cookie(app.config["SESSION_COOKIE_NAME"], domain=app.config["SERVER_NAME"])
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    return serializer.loads(cookie.value)


def test_the_cookie_holds_no_token_and_the_database_none_in_clear(app, client):
    aid, link = client.start()
    token = link.rsplit("/", 1)[1]
    stored = cookie_session(app, client)
    assert token not in repr(stored) and set(stored) <= {"browser", "csrf_token", "_flashes", "lang"}
    with app.app_context():
        row = db.session.scalar(sa.select(BrowserGrant))
        assert token.encode() not in row.sealed_token and stored["browser"] not in row.browser_hash
    # The link page still shows the whole personal link, unsealed with the browser's key.
    assert link in client.get(f"/a/{aid}/link").get_data(as_text=True)
    # The exchange file is for passing on: it carries no way into this assessment.
    export = client.get(f"/a/{aid}/export.json").get_data(as_text=True)
    assert token not in export and "token" not in export


def test_a_stolen_grant_without_the_browser_key_opens_nothing(app, client):
    aid, _ = client.start()
    thief = Client(app)
    thief.http.get("/")
    with thief.http.session_transaction() as forged:
        forged["browser"] = grants.new_browser_key()
    assert thief.get(f"/a/{aid}/summary").status_code == 404
    with app.app_context():  # the browser key is right, the sealed token is someone else's
        row = db.session.scalar(sa.select(BrowserGrant))
        row.sealed_token = grants._fernet("another key").encrypt(b"x" * 43)
        db.session.commit()
    assert client.get(f"/a/{aid}/summary").status_code == 404


def test_a_new_personal_link_voids_the_grants_of_other_browsers(app, client):
    aid, link = client.start()
    other = Client(app)
    assert other.get(link.replace("http://advisor.test", "")).status_code == 303
    assert other.get(f"/a/{aid}/summary").status_code == 200
    assert client.post(f"/a/{aid}/link").status_code == 303
    assert client.get(f"/a/{aid}/summary").status_code == 200  # the browser that changed it
    assert other.get(f"/a/{aid}/summary").status_code == 404


def test_a_browser_remembers_its_latest_assessments(app, client):
    started = [client.start()[0] for _ in range(grants.MAX_REMEMBERED + 1)]
    assert client.get(f"/a/{started[0]}/summary").status_code == 404  # the oldest is forgotten
    assert client.get(f"/a/{started[-1]}/summary").status_code == 200
    assert count_rows(app, BrowserGrant) == grants.MAX_REMEMBERED


def test_tokens_in_cookies_of_the_earlier_version_move_to_the_server(app, client):
    aid, link = client.start()
    token = link.rsplit("/", 1)[1]
    old = Client(app)
    old.http.get("/")
    with old.http.session_transaction() as legacy:  # as an earlier version wrote it
        legacy["tokens"] = {aid: token, "0" * 32: "forged", "x": 5}
    assert old.get(f"/a/{aid}/summary").status_code == 200
    stored = cookie_session(app, old)
    assert "tokens" not in stored and token not in repr(stored)
    assert old.get(f"/a/{aid}/summary").status_code == 200


def test_unused_grants_are_forgotten(app, client):
    from datetime import timedelta

    from advisor.db import utcnow

    client.start()
    with app.app_context():
        db.session.execute(sa.update(BrowserGrant).values(used_at=utcnow() - timedelta(days=31)))
        assert grants.forget_unused(db.session, timedelta(days=30)) == 1
        db.session.commit()
    assert count_rows(app, BrowserGrant) == 0
