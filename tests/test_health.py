"""Liveness, readiness, and a 503 (not a 500) while the database is unreachable (issue 12, finding 8)."""

from __future__ import annotations

from tests.conftest import make_app


def test_healthz_answers_without_the_database(tmp_path):
    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2", tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.data == b"ok\n"


def test_readyz_is_ready_only_on_a_migrated_database(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'ready.sqlite3'}", tmp_path)
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "ok", "migrations": "missing", "catalogue": "ok"}
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json["status"] == "ready"
    assert response.headers["Cache-Control"] == "no-store"


def test_an_unreachable_database_gives_503_pages_not_500(tmp_path):
    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2", tmp_path)
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["checks"]["database"] == "unreachable"
    start = client.get("/")
    token = start.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/assessments", data={"csrf_token": token})
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    page = response.get_data(as_text=True)
    assert "Vorübergehend nicht erreichbar" in page and "sind sicher" not in page
