"""The read-only statistics API (docs/statistics-api.yaml): published tables for programs.

``Authorization: Bearer <token>`` with a token the analyst created at ``/statistics/tokens``.
No cookies, no CSRF (nothing here changes anything but a token's "last used" time), JSON
errors, and a rate limit per client address (``RATE_LIMIT_API``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from advisor.db import db

from . import exports, published, tokens
from .services import latest

bp = Blueprint("stats_api", __name__, url_prefix="/api/v1")

#: Short, stable error codes for programs; the message is for the person reading the log.
ERRORS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "too_many_requests",
}


def error(status: int, message: str) -> tuple[Response, int]:
    """A JSON error body; a 401 says how to authenticate (RFC 6750)."""
    response = jsonify({"error": ERRORS.get(status, "error"), "message": message})
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="statistics", error="invalid_token"'
    return response, status


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only requests that present a valid token of an active analyst or administrator."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return error(401, "An API token is required: Authorization: Bearer <token>.")
        if tokens.authenticate(db.session, token.strip()) is None:
            return error(401, "The token is unknown or revoked, or its account may not read statistics.")
        return view(*args, **kwargs)

    return wrapper


@bp.get("/snapshots")
@token_required
def snapshots() -> Response:
    """The snapshots, newest first: what identifies each, without its tables."""
    return jsonify(
        {
            "snapshots": [
                {
                    "id": info.id,
                    "created_at": info.created_at.isoformat(),
                    "assessments": info.assessments,
                    "catalogue": {"id": info.catalogue_id, "version": info.catalogue_version},
                }
                for info in published.snapshot_list(db.session)
            ]
        }
    )


@bp.get("/snapshots/latest")
@token_required
def latest_snapshot() -> Response | tuple[Response, int]:
    """The newest snapshot's published tables."""
    snapshot = latest(db.session)
    if snapshot is None:
        return error(404, "No snapshot has been taken yet.")
    return jsonify(exports.as_document(snapshot))


@bp.get("/snapshots/<int:snapshot_id>")
@token_required
def snapshot(snapshot_id: int) -> Response | tuple[Response, int]:
    """One snapshot's published tables."""
    found = published.get(db.session, snapshot_id)
    if found is None:
        return error(404, f"No snapshot {snapshot_id}.")
    return jsonify(exports.as_document(found))


@bp.route("/<path:rest>", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str) -> tuple[Response, int]:
    """Anything else under /api/v1: a JSON 404, or 405 for a route that exists for GET only.

    Without this route the web pages' HTML error would answer (and, for a POST, their CSRF check).
    """
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _values = adapter.match(request.path, method="GET")
    except HTTPException:
        endpoint = None
    if endpoint not in (None, "stats_api.unknown"):
        response, status = error(405, "Only GET is supported.")
        response.headers["Allow"] = "GET, HEAD"
        return response, status
    return error(404, "No such API route.")


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> tuple[Response, int]:
    """Errors of the API in JSON, not as the web pages' HTML."""
    code = exc.code or 500
    return error(code, exc.description if code != 429 else "Too many requests; slow down.")


def init_app(app: Flask) -> None:
    """Register the API; token authentication replaces the forms' CSRF protection here."""
    from advisor.web import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
