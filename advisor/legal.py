"""The operator's Impressum and privacy notice, linked from every page.

An operator names itself through settings (``OPERATOR_*``), which fill the default pages,
or supplies its own pages as HTML fragments (``IMPRINT_FILE``, ``PRIVACY_FILE``; a
``{lang}`` in the path picks the language's file). The default privacy notice is built
from the settings that decide what is kept and for how long, so it stays true when they
change. The Impressum duty: § 5 Digitale-Dienste-Gesetz (DDG, in force since 14 May 2024,
replacing § 5 TMG).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, current_app, render_template
from flask_babel import get_locale
from markupsafe import Markup

bp = Blueprint("legal", __name__)


def _own_page(setting: str) -> Markup | None:
    """The operator's own page for the current language, if configured (trusted HTML)."""
    pattern = current_app.config.get(setting)
    if not pattern:
        return None
    path = Path(str(pattern).replace("{lang}", str(get_locale())))
    if not path.is_file():
        path = Path(str(pattern).replace("{lang}", current_app.config["BABEL_DEFAULT_LOCALE"]))
    # The operator's own page: trusted like a template, written by whoever runs the installation.
    return Markup(path.read_text("utf-8")) if path.is_file() else None  # noqa: S704


def operator() -> dict:
    """Who runs this installation, as configured."""
    config = current_app.config
    return {
        "name": config["OPERATOR_NAME"],
        "address": [line.strip() for line in str(config["OPERATOR_ADDRESS"]).splitlines() if line.strip()],
        "email": config["OPERATOR_EMAIL"],
        "phone": config["OPERATOR_PHONE"],
        "representative": config["OPERATOR_REPRESENTATIVE"],
        "dpo": config["DATA_PROTECTION_OFFICER"],
        "authority": config["SUPERVISORY_AUTHORITY"],
    }


def period_text(period: str | None):
    """``12m`` as words ("12 Monate"), for the privacy notice."""
    from flask_babel import ngettext

    from advisor.config import PERIOD

    match = PERIOD.match(period or "")
    if match is None:
        return None
    count, unit = int(match.group(1)), match.group(2)
    words = {
        "d": ngettext("%(num)s day", "%(num)s days", count),
        "w": ngettext("%(num)s week", "%(num)s weeks", count),
        "m": ngettext("%(num)s month", "%(num)s months", count),
        "y": ngettext("%(num)s year", "%(num)s years", count),
    }
    return words[unit]


@bp.get("/impressum")
def imprint() -> str:
    """Who offers this service (§ 5 DDG)."""
    return render_template("imprint.html", own=_own_page("IMPRINT_FILE"), operator=operator())


@bp.get("/datenschutz")
def privacy() -> str:
    """What is stored, for how long and why; the user's rights."""
    config = current_app.config
    return render_template(
        "privacy.html",
        own=_own_page("PRIVACY_FILE"),
        operator=operator(),
        unfinished=period_text(config["PURGE_UNFINISHED_AFTER"]),
        completed=period_text(config["PURGE_COMPLETED_AFTER"]),
        grant_days=config["GRANT_RETENTION_DAYS"],
        event_days=config["ACCOUNT_EVENT_RETENTION_DAYS"],
        log_days=config["ACCESS_LOG_RETENTION_DAYS"],
        backup_days=config["BACKUP_RETENTION_DAYS"],
        public_body=config["OPERATOR_PUBLIC_BODY"],
    )


def init_app(app: Flask) -> None:
    """Register the pages and warn an operator who has not named itself."""
    app.register_blueprint(bp)
    named = app.config["OPERATOR_NAME"] or app.config["IMPRINT_FILE"]
    if app.config["ENV"] == "production" and not app.testing and not named:
        app.logger.warning(
            "ADVISOR_OPERATOR_NAME (or ADVISOR_IMPRINT_FILE) is not set: the Impressum names no operator"
        )
