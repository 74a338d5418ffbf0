"""Liveness and readiness for load balancers and orchestrators.

``/healthz`` answers while the process serves requests, without touching anything else.
``/readyz`` answers 200 only when the database is reachable, its schema is at the newest
migration and the active catalogue is loaded; otherwise 503 with what is missing.
"""

from __future__ import annotations

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from advisor.db import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """The process is alive."""
    return Response("ok\n", mimetype="text/plain", headers={"Cache-Control": "no-store"})


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Database reachable, migrations current, catalogue loaded."""
    checks = {"database": "ok", "migrations": "ok", "catalogue": "ok"}
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError:
        checks["database"] = checks["migrations"] = "unreachable"
    else:
        if current != _heads():
            checks["migrations"] = "behind" if current else "missing"
    if current_app.config["ACTIVE_CATALOGUE"] not in current_app.extensions.get("advisor.catalogues", {}):
        checks["catalogue"] = "missing"
    ready = all(value == "ok" for value in checks.values())
    response = jsonify(status="ready" if ready else "not ready", checks=checks)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ready else 503


def _heads() -> set[str]:
    """The newest migrations shipped with this code (read from disk once per app)."""
    heads = current_app.extensions.get("advisor.migration_heads")
    if heads is None:
        script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
        heads = current_app.extensions["advisor.migration_heads"] = set(script.get_heads())
    return heads
