"""API tokens and the read-only statistics API (issue 14, item 7): a token is shown once and
stored as a hash, stops working when revoked or when its account may no longer read
statistics; the API answers in JSON, sets no cookies, needs no CSRF token, and is rate-limited."""

from __future__ import annotations

import datetime
import hashlib
import re
import types

import sqlalchemy as sa
from gunicorn.config import Config

from advisor.accounts.models import AccountEvent, Role, User
from advisor.accounts.services import change_role, set_active
from advisor.db import Base, db
from advisor.logredact import RedactingLogger
from advisor.stats import exports
from advisor.stats.models import ApiToken, StatsSnapshot
from tests.conftest import Client
from tests.stats.factories import english, make_snapshot, staff

TOKEN = re.compile(r'<textarea id="new-token"[^>]*>(advs_[A-Za-z0-9_-]{43})</textarea>')


def new_token(client: Client, name: str = "Verbandsportal") -> str:
    response = client.post("/statistics/tokens", {"name": name})
    assert response.status_code == 200
    return TOKEN.search(response.get_data(as_text=True)).group(1)


def api(app, path: str, token: str | None = None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return app.test_client().get(path, headers=headers, **kwargs)


def token_rows(app) -> list[ApiToken]:
    with app.app_context():
        return list(db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id)))


def test_a_token_is_shown_once_stored_as_a_hash_and_revoked(app):
    snapshot_id = make_snapshot(app)
    analyst = staff(app, "analyst")
    token = new_token(analyst)
    [row] = token_rows(app)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and row.name == "Verbandsportal"
    with app.app_context():  # the token itself is nowhere in the database
        for table in Base.metadata.sorted_tables:
            for values in db.session.execute(sa.select(table)):
                assert token not in repr(tuple(values))
        assert {"api_token_created"} <= set(db.session.scalars(sa.select(AccountEvent.kind)))
    listing = analyst.get("/statistics/tokens").get_data(as_text=True)
    assert token not in listing and "Verbandsportal" in listing and 'name="token" value="1"' in listing
    assert api(app, f"/api/v1/snapshots/{snapshot_id}", token).status_code == 200
    assert token_rows(app)[0].last_used_at is not None
    # Another analyst cannot revoke it; its owner can, and it stops working at once.
    other = staff(app, "analyst", "zweite@example.org")
    assert other.post("/statistics/tokens/revoke", {"token": row.id}).status_code == 404
    assert other.post("/statistics/tokens/revoke", {"token": "x"}).status_code == 400
    assert api(app, "/api/v1/snapshots", token).status_code == 200
    response = analyst.post("/statistics/tokens/revoke", {"token": row.id})
    assert response.status_code == 303 and response.location.endswith("/statistics/tokens")
    assert token_rows(app)[0].revoked_at is not None
    assert api(app, "/api/v1/snapshots", token).status_code == 401
    assert analyst.post("/statistics/tokens/revoke", {"token": row.id}).status_code == 303  # no change
    listing = english(analyst).get("/statistics/tokens").get_data(as_text=True)
    assert "revoked on" in listing and 'name="token" value="1"' not in listing


def test_a_token_needs_a_name(app):
    analyst = staff(app, "analyst")
    response = analyst.post("/statistics/tokens", {"name": "  "})
    assert response.status_code == 422 and 'aria-invalid="true"' in response.get_data(as_text=True)
    assert analyst.post("/statistics/tokens", {"name": "x" * 101}).status_code == 422
    assert token_rows(app) == []


def test_tokens_stop_working_with_their_account(app):
    make_snapshot(app)
    analyst = staff(app, "analyst")
    token = new_token(analyst)
    admin_token = new_token(staff(app, "admin"))

    def account_change(change) -> None:
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.email == "analyst@example.org"))
            admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
            change(user, admin)
            db.session.commit()

    account_change(lambda user, admin: set_active(db.session, user, False, admin))
    assert api(app, "/api/v1/snapshots/latest", token).status_code == 401
    assert api(app, "/api/v1/snapshots/latest", admin_token).status_code == 200  # administrators may read
    account_change(lambda user, admin: set_active(db.session, user, True, admin))
    assert api(app, "/api/v1/snapshots/latest", token).status_code == 200  # reactivated, not revoked
    account_change(lambda user, admin: change_role(db.session, user, Role.ADVISOR, admin))
    assert api(app, "/api/v1/snapshots/latest", token).status_code == 401
    account_change(lambda user, admin: db.session.delete(user))  # its tokens go with it
    assert len(token_rows(app)) == 1


def test_the_api_answers_in_json(app):
    analyst = staff(app, "analyst")
    token = new_token(analyst)
    missing = api(app, "/api/v1/snapshots/latest", token)
    assert missing.status_code == 404 and missing.json["error"] == "not_found"
    first = make_snapshot(app)
    second = make_snapshot(app, score=70.0)
    listing = api(app, "/api/v1/snapshots", token)
    assert listing.status_code == 200 and listing.mimetype == "application/json"
    assert [s["id"] for s in listing.json["snapshots"]] == [second, first]
    assert set(listing.json["snapshots"][0]) == {"id", "created_at", "assessments", "catalogue"}
    assert listing.json["snapshots"][0]["catalogue"] == {"id": "mini", "version": "1.0"}
    with app.app_context():
        documents = {i: exports.as_document(db.session.get(StatsSnapshot, i)) for i in (first, second)}
    assert api(app, "/api/v1/snapshots/latest", token).json == documents[second]
    assert api(app, f"/api/v1/snapshots/{first}", token).json == documents[first]
    unknown = api(app, f"/api/v1/snapshots/{second + 1}", token)
    assert unknown.status_code == 404 and unknown.json == {
        "error": "not_found",
        "message": f"No snapshot {second + 1}.",
    }
    # Without a token, with a wrong one, with a session cookie only: 401 in JSON.
    for response in (
        api(app, "/api/v1/snapshots"),
        api(app, "/api/v1/snapshots", "advs_" + "A" * 43),
        api(app, "/api/v1/snapshots", "something-else"),
        app.test_client().get("/api/v1/snapshots", headers={"Authorization": f"Basic {token}"}),
        analyst.get("/api/v1/snapshots"),
    ):
        assert response.status_code == 401 and response.json["error"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    # No CSRF token needed (and nothing to post): 405 in JSON, not a CSRF failure.
    refused = app.test_client().post("/api/v1/snapshots", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 405 and refused.json["error"] == "method_not_allowed"
    assert refused.headers["Allow"] == "GET, HEAD"
    nowhere = app.test_client().delete("/api/v1/nowhere", headers={"Authorization": f"Bearer {token}"})
    assert nowhere.status_code == 404 and nowhere.json["error"] == "not_found"


def test_the_api_sets_no_cookies(app):
    make_snapshot(app)
    analyst = staff(app, "analyst")
    token = new_token(analyst)
    for client in (app.test_client(), analyst.http):  # a fresh one, and one with a session
        for path in ("/api/v1/snapshots", "/api/v1/snapshots/latest", "/api/v1/snapshots/99"):
            for auth in ({"Authorization": f"Bearer {token}"}, {}):
                response = client.get(path, headers=auth)
                assert "Set-Cookie" not in response.headers, (path, auth)
                assert response.headers["Cache-Control"] == "no-store"


def test_the_api_is_rate_limited(app_factory):
    app = app_factory(RATE_LIMIT_API="3 per minute")
    make_snapshot(app)
    token = new_token(staff(app, "analyst"))
    paths = ["/api/v1/snapshots", "/api/v1/snapshots/latest", "/api/v1/snapshots/1"]
    assert [api(app, p, token).status_code for p in paths] == [200, 200, 200]  # one count for all routes
    refused = api(app, "/api/v1/snapshots", token)
    assert refused.status_code == 429 and refused.json["error"] == "too_many_requests"
    assert "Retry-After" in refused.headers
    assert api(app, "/api/v1/snapshots").status_code == 429  # requests without a token count too


def test_access_logs_carry_no_token(tmp_path):
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s "%({authorization}i)s"')
    logger = RedactingLogger(config)
    logger.access_log.disabled = False  # Alembic's fileConfig disables earlier loggers
    secret = "advs_" + "S" * 43
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/api/v1/snapshots",
        "PATH_INFO": "/api/v1/snapshots",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
    }
    response = types.SimpleNamespace(status="200 OK", sent=0, headers=[])
    request = types.SimpleNamespace(headers=[("AUTHORIZATION", f"Bearer {secret}")])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=3))
    for handler in list(logger.access_log.handlers):
        handler.close()
        logger.access_log.removeHandler(handler)
    line = (tmp_path / "access.log").read_text()
    assert '"GET /api/v1/snapshots HTTP/1.1" 200 "[redacted]"' in line and secret not in line
