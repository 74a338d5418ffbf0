"""Rate limits per client address (Flask-Limiter), counted in Redis when configured.

The limits are settings (``RATE_LIMIT_*``), read per request so an operator or a test can
change them. Behind a reverse proxy the client address must reach the app (ProxyFix or the
proxy's own limits); otherwise all clients share the proxy's address.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def setting(name: str) -> Callable[[], str]:
    """The limit named ``RATE_LIMIT_<name>`` in the configuration, looked up when it applies."""
    return lambda: current_app.config[f"RATE_LIMIT_{name}"]


def rendered(response: Response) -> bool:
    """Only a report actually rendered counts against its limit, not a cached copy."""
    return response.headers.get("X-Report-Cache") == "miss"


#: Endpoint, setting and options of every limited route.
LIMITED = (
    ("assessments.resume_link", "RESUME", {}),
    ("assessments.resume_form", "RESUME", {}),
    ("assessments.import_file", "IMPORT", {"methods": ["POST"]}),
    ("reports.download", "REPORT", {"deduct_when": rendered}),
)


def init_app(app: Flask) -> Limiter:
    """One limiter per app (its storage and counters are its own), limiting the routes above."""
    limiter = Limiter(get_remote_address, app=app)
    for endpoint, name, options in LIMITED:
        app.view_functions[endpoint] = limiter.limit(setting(name), **options)(app.view_functions[endpoint])
    app.extensions["advisor.limiter"] = limiter
    return limiter
