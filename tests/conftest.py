"""Shared fixtures: an app per database backend, a client that speaks CSRF, CLI runner.

Every test that uses ``app`` runs on SQLite and on PostgreSQL. PostgreSQL is
taken from ADVISOR_TEST_POSTGRES_URL (default: the machine's local server);
when it cannot be reached the PostgreSQL variant is skipped, unless
ADVISOR_TEST_REQUIRE_POSTGRES=1 (as in CI), where that is a failure.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import pytest
import sqlalchemy as sa

from advisor import create_app
from advisor.db import Base, db

FIXTURES = Path(__file__).parent / "fixtures"
CATALOGUES = FIXTURES / "catalogues"
PROJECT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "ADVISOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("ADVISOR_TEST_REQUIRE_POSTGRES") == "1"

_postgres_state: dict[str, object] = {}


def postgres_available() -> bool:
    """Connect once per run and create this run's own schema; remember the answer.

    Each test run works in a schema of its own, so two runs on one machine (a
    developer's and CI's, or two terminals) never see each other's rows.
    """
    if "ok" not in _postgres_state:
        schema = f"advisor_test_{os.getpid()}_{secrets.token_hex(4)}"
        try:
            engine = sa.create_engine(POSTGRES_URL)
            with engine.begin() as connection:
                connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            engine.dispose()
            _postgres_state.update(ok=True, schema=schema)
        except Exception as exc:  # noqa: BLE001 - any failure means "not available"
            _postgres_state.update(ok=False, error=repr(exc))
    return bool(_postgres_state["ok"])


def pytest_sessionfinish(session, exitstatus):
    schema = _postgres_state.get("schema")
    if schema:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def postgres_url_for_run() -> str:
    """The PostgreSQL URL with this run's schema as search path."""
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{_postgres_state['schema']}"


def database_url(backend: str, tmp_path: Path) -> str:
    """A fresh database for one test: a new SQLite file, or the PostgreSQL test database."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    if not postgres_available():
        message = f"PostgreSQL not reachable at {POSTGRES_URL}: {_postgres_state.get('error')}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    return postgres_url_for_run()


def make_app(url: str, tmp_path: Path, **config):
    settings = {
        "TESTING": True,
        "DATABASE_URL": url,
        "CATALOGUE_DIR": str(CATALOGUES),
        "ACTIVE_CATALOGUE": "mini",
        "SERVER_NAME": "advisor.test",
        "SESSION_COOKIE_SECURE": False,
        "PURGE_AT_HOUR": None,  # no daily purge thread per test app (tests/test_retention.py)
        "STATS_SNAPSHOT_AT_HOUR": None,  # nor a snapshot thread (tests/test_stats.py)
    }
    settings.update(config)
    os.environ["ADVISOR_INSTANCE_PATH"] = str(tmp_path / "instance")
    try:
        return create_app(settings)
    finally:
        del os.environ["ADVISOR_INSTANCE_PATH"]


def reset_schema(app) -> None:
    """Empty tables for the test: create them, and clear rows left by a previous test."""
    with app.app_context():
        engine = db.engine
        Base.metadata.create_all(engine)
        if engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            with engine.begin() as connection:
                connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def app_factory(backend, tmp_path):
    """Build apps on this test's database; further config per call."""
    url = database_url(backend, tmp_path)
    apps = []

    def build(**config):
        app = make_app(url, tmp_path, **config)
        reset_schema(app)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["advisor.jobs"].close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def kommunal_app(app_factory):
    """The app with the shipped catalogue instead of the test fixture."""
    return app_factory(CATALOGUE_DIR=str(PROJECT / "questionnaires"), ACTIVE_CATALOGUE="kommunal")


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Client:
    """A test client that fetches CSRF tokens like a browser would."""

    def __init__(self, app):
        self.app = app
        self.http = app.test_client()

    def get(self, url, **kwargs):
        return self.http.get(url, **kwargs)

    def csrf(self) -> str:
        page = self.http.get("/").get_data(as_text=True)
        return CSRF.search(page).group(1)

    def post(self, url, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf())
        return self.http.post(url, data=data, **kwargs)

    def profile(self, aid: str, **values: str) -> None:
        """Fill in what results need (type, Land, size); the test catalogues know these ids."""
        data = {"municipality_type": "stadt", "state": "NW", "population_band": "100k+", **values}
        assert self.post(f"/a/{aid}/profile", data).status_code == 303

    def start(self) -> tuple[str, str]:
        """Start an assessment; return (public id, resume URL)."""
        response = self.post("/assessments")
        assert response.status_code == 303, response.status_code
        aid = response.location.split("/")[2]
        page = self.get(response.location).get_data(as_text=True)
        link = re.search(r'<textarea id="resume-url"[^>]*>([^<]+)</textarea>', page).group(1)
        return aid, link


@pytest.fixture
def client(app) -> Client:
    return Client(app)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def finish_jobs(app) -> None:
    """Wait until the app's background jobs (report renders) are done; fail if they hang."""
    assert app.extensions["advisor.jobs"].wait(timeout=120), "background jobs did not finish"


def get_report(client: Client, aid: str, **query):
    """Download a report as a user does: ask, let it be made, ask again."""
    response = client.get(f"/a/{aid}/report.pdf", query_string=query)
    if response.status_code == 303 and "/report/status" in response.location:
        finish_jobs(client.app)
        response = client.get(f"/a/{aid}/report.pdf", query_string=query)
    return response


def count_rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def stored_answers(app, aid: str) -> dict:
    """question id -> (state, value, note) as stored."""
    from advisor.assessments.models import Assessment

    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == aid))
        return {a.question_id: (a.state.value, a.value, a.note) for a in assessment.answers}


REDIS_URL = os.environ.get("ADVISOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_REDIS = os.environ.get("ADVISOR_TEST_REQUIRE_REDIS") == "1"


@pytest.fixture
def redis_url() -> str:
    """A Redis database for counters shared between apps; skipped only where Redis is not required."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if REQUIRE_REDIS:
            pytest.fail(
                f"Redis required (ADVISOR_TEST_REQUIRE_REDIS=1) but not reachable at {REDIS_URL}: {exc}"
            )
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    return REDIS_URL
