"""Cross-cutting web concerns: language, CSRF, error pages, security headers, catalogue access."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import Babel
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from advisor.catalogue import Catalogue
from advisor.i18n import lazy_gettext as _l

csrf = CSRFProtect()
#: Flask-WTF's reason for a token older than WTF_CSRF_TIME_LIMIT.
CSRF_EXPIRED = "The CSRF token has expired."
#: Pages whose form is shown again with the user's input when its token has expired.
REENTERABLE = frozenset(
    {"assessments.profile", "assessments.field", "assessments.priorities", "assessments.results"}
)
babel = Babel()
bp = Blueprint("web", __name__)

ERROR_TEXTS = {
    400: (
        _l("The request could not be processed"),
        _l(
            "The data sent was incomplete or not in the expected form. Nothing has been changed. "
            "Please go back and try again."
        ),
    ),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("This page does not exist, or the link is no longer valid.")),
    405: (_l("Not allowed"), _l("This page cannot be used in this way.")),
    409: (_l("Not changed"), _l("This can no longer be changed. Nothing has been changed.")),
    413: (
        _l("File or form too large"),
        _l("What you sent is larger than allowed (at most 1 MB). Nothing has been changed."),
    ),
    422: (_l("Input not accepted"), _l("The input could not be accepted. Nothing has been changed.")),
    429: (
        _l("Too many requests"),
        _l(
            "Too many requests came from your connection in a short time. Nothing has been changed. "
            "Please wait a minute and try again."
        ),
    ),
    503: (
        _l("Temporarily unavailable"),
        _l(
            "The service cannot reach its database at the moment, so nothing could be read or saved "
            "with this request. Please try again in a few minutes."
        ),
    ),
    500: (
        _l("Something went wrong"),
        _l(
            "An unexpected error occurred on our side. Your answers saved before are safe. "
            "Please try again later."
        ),
    ),
}


def select_locale() -> str:
    """German unless the user chose another supported language in this session."""
    chosen = session.get("lang") if has_request_context() else None
    return chosen if chosen in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def catalogues() -> dict[str, Catalogue]:
    """All loaded catalogues by id."""
    return current_app.extensions["advisor.catalogues"]


def active_catalogue() -> Catalogue:
    """The catalogue new assessments are answered against."""
    return catalogues()[current_app.config["ACTIVE_CATALOGUE"]]


def today() -> date:
    """Today in the configured time zone (legal deadlines are dates, not instants)."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


#: Where `make run` serves, for links made outside a request (command line, background jobs).
LOCAL_BASE_URL = "http://127.0.0.1:5000"


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link to pass on (personal and one-time links), in a request or outside one.

    ``PUBLIC_BASE_URL`` when configured (behind a proxy the request's host may be internal),
    else the request's own address, else the local one of ``make run``.
    """
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base is None and has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=(base or LOCAL_BASE_URL).rstrip("/") + "/"):
        return url_for(endpoint, _external=True, **values)


def safe_next(target: str | None, default: str = "/") -> str:
    """Accept only local paths as redirect targets (no open redirect)."""
    if not target:
        return default
    if len(target) > 500 or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default  # a header value must not carry line breaks or controls
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


@bp.get("/language/<code>")
def set_language(code: str) -> Response:
    """Switch the interface language for this browser session and go back."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")), code=303)


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    """Render the translated error page for ``code``; ``message`` replaces the standard text."""
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500] if code >= 500 else ERROR_TEXTS[400])
    return render_template("error.html", code=code, title=title, text=message or text), code


def init_app(app: Flask) -> None:
    """Register extensions, error pages and headers on ``app``."""

    @app.before_request
    def _refuse_nul() -> None:
        # PostgreSQL cannot store NUL in text, and no form of ours needs one.
        if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)) or (
            request.method == "POST"
            and any("\x00" in key or "\x00" in value for key, value in request.form.items(multi=True))
        ):
            abort_with(
                400,
                _l("The input contains a NUL character, which cannot be stored. Nothing has been saved."),
            )

    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        if exc.description == CSRF_EXPIRED and request.endpoint in REENTERABLE:
            # A page left open too long: show it again with what was entered, nothing saved
            # (its form fails the same check), and a fresh token.
            g.csrf_expired = True
            return current_app.view_functions[request.endpoint](**(request.view_args or {}))
        return render_error(
            400,
            _l(
                "The form has expired or was not sent from this site (security check failed). "
                "Nothing has been changed. Please reload the page and submit it again."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = exc.code or 500
        if code == 405:
            return render_error(405)
        custom = exc.description if getattr(exc, "advisor_message", False) else None
        return render_error(code, custom)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_unreachable(exc: Exception):
        # Not a 500 that calls earlier answers safe: whether this request's were saved is unknown.
        app.logger.error("database unreachable: %s", type(exc).__name__)
        body, code = render_error(503)
        return body, code, {"Retry-After": "60"}

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        return render_error(500)

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        )
        # Resume links carry a secret: never leak the URL to another site.
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        if request.endpoint != "static":
            headers.setdefault("Cache-Control", "no-store")
        return response

    @app.template_filter("num")
    def _number(value: float | int | None) -> str:
        from flask_babel import format_decimal

        return "" if value is None else format_decimal(value)

    @app.context_processor
    def _globals() -> dict:
        from flask_babel import get_locale

        from advisor.assessments import presentation

        return {
            "current_locale": str(get_locale()),
            "languages": app.config["LANGUAGES"],
            "radar_points": presentation.radar_points,
            "radar_axis": presentation.radar_axis,
            "band_names": presentation.BAND_NAMES,
            "band_meanings": presentation.BAND_MEANINGS,
            "effort_names": presentation.EFFORT_NAMES,
            "answer_label": presentation.answer_label,
            "measure_text": presentation.measure_text,
            "reason_text": presentation.reason_text,
            "capacity_note": presentation.capacity_note,
            "partner_note": presentation.partner_note,
            "later_reason": presentation.later_reason,
            "later_shown": presentation.LATER_SHOWN,
        }


def refuse_unknown_fields(allowed: set[str]) -> None:
    """A posted form with fields its page does not have was forged: 400, and nothing is saved."""
    unknown = sorted(set(request.form.keys()) - allowed)
    if unknown:
        abort_with(
            400,
            _l(
                "The form contained fields that do not belong to this page (%(names)s). "
                "Nothing has been saved.",
                names=", ".join(unknown[:5]),
            ),
        )


def abort_with(code: int, message) -> None:
    """Abort with a status code and a specific, translated message for the error page."""
    from werkzeug.exceptions import default_exceptions

    exc = default_exceptions[code](description=message)
    exc.advisor_message = True  # type: ignore[attr-defined]
    raise exc
