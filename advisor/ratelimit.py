"""Rate limits per client address (Flask-Limiter), counted in Redis when configured.

The limits are settings (``RATE_LIMIT_*``), read per request so an operator or a test can
change them. Behind a reverse proxy the client address must reach the app (ProxyFix or the
proxy's own limits); otherwise all clients share the proxy's address.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, g, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def setting(name: str) -> Callable[[], str]:
    """The limit named ``RATE_LIMIT_<name>`` in the configuration, looked up when it applies."""
    return lambda: current_app.config[f"RATE_LIMIT_{name}"]


def submitted_email() -> str:
    """The account a login attempt is for: guessing one account's password from many addresses."""
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


def pending_account() -> str:
    """The account whose second-factor code is being entered."""
    pending = session.get("second_factor")
    return "code:" + str(pending.get("ref", "") if isinstance(pending, dict) else "").split(":")[0]


def queued(response: Response) -> bool:
    """Only a report render asked for counts against its limit, not a look at its progress."""
    return bool(g.get("report_queued"))


#: Endpoint, setting and options of every limited route. Routes with a ``scope`` share
#: one count (any of them can ask for a report render).
LIMITED = (
    ("assessments.resume_link", "RESUME", {}),
    ("assessments.resume_form", "RESUME", {}),
    ("session.respondent_link", "RESUME", {}),  # a respondent's personal link, like the municipality's
    ("assessments.import_file", "IMPORT", {"methods": ["POST"]}),
    ("accounts.login", "LOGIN", {"methods": ["POST"]}),
    ("accounts.login", "LOGIN_ACCOUNT", {"methods": ["POST"], "key_func": submitted_email}),
    ("accounts.login_code", "LOGIN", {"methods": ["POST"]}),
    ("accounts.login_code", "LOGIN_ACCOUNT", {"methods": ["POST"], "key_func": pending_account}),
    ("accounts.forgot", "FORGOT", {"methods": ["POST"]}),
    ("advising.hand_over", "IMPORT", {}),  # guessing invite codes
    ("reports.download", "REPORT", {"scope": "report", "deduct_when": queued}),
    ("reports.status", "REPORT", {"scope": "report", "deduct_when": queued}),
    ("reports.status_json", "REPORT", {"scope": "report", "deduct_when": queued}),
    ("stats_api.snapshots", "API", {"scope": "api"}),  # the statistics API, all requests together
    ("stats_api.latest_snapshot", "API", {"scope": "api"}),
    ("stats_api.snapshot", "API", {"scope": "api"}),
    ("stats_api.unknown", "API", {"scope": "api"}),
)


def init_app(app: Flask) -> Limiter:
    """One limiter per app (its storage and counters are its own), limiting the routes above."""
    limiter = Limiter(get_remote_address, app=app)
    for endpoint, name, options in LIMITED:
        decorate = limiter.shared_limit if "scope" in options else limiter.limit
        app.view_functions[endpoint] = decorate(setting(name), **options)(app.view_functions[endpoint])
    app.extensions["advisor.limiter"] = limiter
    return limiter
