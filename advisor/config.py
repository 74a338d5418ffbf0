"""Settings: safe defaults here, overridden by ``ADVISOR_*`` environment variables.

``ADVISOR_DATABASE_URL`` selects the database (SQLite under ``instance/`` by
default), ``ADVISOR_SECRET_KEY`` the signing key. ``ADVISOR_ENV`` is
``production`` unless set to ``development``: production refuses to start
without a secret key, development keeps a generated one under ``instance/``.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: A retention period: a number and d(ays), w(eeks), m(onths) or y(ears).
PERIOD = re.compile(r"^\s*(\d{1,4})\s*([dwmy])\s*$")


class ConfigurationError(RuntimeError):
    """The application cannot start with the settings it was given."""


DEFAULTS: dict[str, object] = {
    "ENV": "production",
    "DATABASE_URL": None,  # filled from instance_path when not set
    "CATALOGUE_DIR": str(PROJECT_ROOT / "questionnaires"),
    "ACTIVE_CATALOGUE": "kommunal",
    # Form posts are small; an exchange file of a full assessment is < 200 kB.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 512 * 1024,
    # A form's token is valid for 8 hours (a working day); an older one re-shows the page with
    # what was entered (see web.REENTERABLE).
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    # Every validator message is advisor's own (translated with Flask-Babel), so WTForms'
    # catalogue is not needed; Flask-WTF would otherwise load it on every request.
    "WTF_I18N_ENABLED": False,
    "BABEL_DEFAULT_LOCALE": "de",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
    "LANGUAGES": ["de", "en"],
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "advisor_session",
    # None: secure cookies (HTTPS only) in production, plain HTTP allowed in development.
    "SESSION_COOKIE_SECURE": None,
    # Set to the public base URL (https://advisor.example.org) behind a proxy
    # so resume links are absolute and correct; otherwise the request host is used.
    "PUBLIC_BASE_URL": None,
    # Redis (redis://host:6379/0): rate-limit counters shared by all workers. Without it the
    # counters live in each process's memory (fine for `make run`, per worker under gunicorn).
    "REDIS_URL": None,
    # Background jobs (report rendering): with REDIS_URL they go to RQ workers (`flask worker`);
    # without it to a pool of this many threads in the web process.
    "JOB_THREADS": 2,
    # Seconds one report may take to render; a longer render is stopped and the page says so.
    "REPORT_TIME_LIMIT": 60,
    # Data protection (see docs/deployment.md and the privacy page): unfinished assessments
    # nobody changed for this long are deleted by the daily purge (at PURGE_AT_HOUR local
    # time; None: no schedule, run `flask assessments purge` yourself); completed ones only
    # when PURGE_COMPLETED_AFTER is set. Periods: 30d, 8w, 12m, 2y.
    "PURGE_UNFINISHED_AFTER": "12m",
    "PURGE_COMPLETED_AFTER": None,
    "PURGE_AT_HOUR": 3,
    # Statistics: a snapshot of the consenting, completed assessments is taken by a daily job
    # (at this local hour; None: only by `flask stats snapshot`) once the latest is older than
    # STATS_SNAPSHOT_INTERVAL_DAYS, so a revocation takes effect within that period.
    "STATS_SNAPSHOT_AT_HOUR": 4,
    "STATS_SNAPSHOT_INTERVAL_DAYS": 7,
    # A browser's grant to open an assessment without its link, unused this many days, ends.
    "GRANT_RETENTION_DAYS": 30,
    # The record of staff account events (sign-ins, failures, changes) is kept this long.
    "ACCOUNT_EVENT_RETENTION_DAYS": 365,
    # The operator, named in the Impressum and the privacy notice. An operator's own pages
    # (HTML fragments) replace the defaults: IMPRINT_FILE, PRIVACY_FILE (``{lang}`` in the
    # path picks the language's file).
    "OPERATOR_NAME": "",
    "OPERATOR_ADDRESS": "",
    "OPERATOR_EMAIL": "",
    "OPERATOR_PHONE": "",
    "OPERATOR_REPRESENTATIVE": "",
    "DATA_PROTECTION_OFFICER": "",
    "SUPERVISORY_AUTHORITY": "",
    "IMPRINT_FILE": None,
    "PRIVACY_FILE": None,
    # A public body processes under Art. 6(1)(e) GDPR, anyone else under Art. 6(1)(f).
    "OPERATOR_PUBLIC_BODY": True,
    # Days after which deleted data is gone from the operator's backups (None: not stated).
    "BACKUP_RETENTION_DAYS": None,
    # How long the web server's access logs are kept (the operator sets the log rotation
    # to match; the privacy notice states it).
    "ACCESS_LOG_RETENTION_DAYS": 14,
    # E-mail for the one-time links of staff accounts. Without MAIL_SERVER the links are
    # shown to the administrator instead. MAIL_SECURITY: starttls, ssl or none.
    "MAIL_SERVER": None,
    "MAIL_PORT": 587,
    "MAIL_SECURITY": "starttls",
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "advisor@localhost",
    "MAIL_SENDER_NAME": "Digitale Selbsteinschätzung",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_STRATEGY": "moving-window",
    # Per client address. Resume links carry 256 random bits: the limit is against noise and
    # scanning, not guessing; imports and report renders cost CPU.
    "RATE_LIMIT_RESUME": "20 per minute; 200 per hour",
    "RATE_LIMIT_IMPORT": "10 per minute; 60 per hour",
    "RATE_LIMIT_REPORT": "10 per minute; 60 per hour",
    # Sign-in attempts per client address, and per account whatever the address.
    "RATE_LIMIT_LOGIN": "10 per minute; 50 per hour",
    "RATE_LIMIT_LOGIN_ACCOUNT": "20 per hour",
    "RATE_LIMIT_FORGOT": "5 per minute; 20 per hour",
    # The read-only statistics API (/api/v1), all its routes together, per client address.
    "RATE_LIMIT_API": "600 per hour",
}


def finalise(config: dict, instance_path: str) -> None:
    """Derive settings that depend on others and refuse unsafe combinations."""
    instance = Path(instance_path)
    if not config.get("DATABASE_URL"):
        instance.mkdir(parents=True, exist_ok=True)
        config["DATABASE_URL"] = f"sqlite:///{instance / 'advisor.sqlite3'}"
    config["SQLALCHEMY_ENGINES"] = {"default": _engine_options(config["DATABASE_URL"])}
    config.setdefault("RATELIMIT_STORAGE_URI", config.get("REDIS_URL") or "memory://")
    for name in ("PURGE_UNFINISHED_AFTER", "PURGE_COMPLETED_AFTER"):
        if config.get(name) and not PERIOD.match(str(config[name])):
            raise ConfigurationError(
                f"{name} must be a period such as 30d, 8w, 12m or 2y, not {config[name]!r}"
            )
    if config.get("SESSION_COOKIE_SECURE") is None:
        config["SESSION_COOKIE_SECURE"] = config["ENV"] == "production"
    if not config.get("SECRET_KEY"):
        if config.get("TESTING"):
            config["SECRET_KEY"] = secrets.token_hex(32)
        elif config["ENV"] == "development":
            config["SECRET_KEY"] = _development_secret(instance)
        else:
            raise ConfigurationError(
                "ADVISOR_SECRET_KEY is not set. In production the application refuses to "
                "start without a secret key (generate one with "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`), or set "
                "ADVISOR_ENV=development for a local instance."
            )


def _engine_options(url: str) -> dict:
    options: dict = {"url": url}
    if url.startswith("sqlite"):
        options["connect_args"] = {"timeout": 15}
    else:
        options["pool_pre_ping"] = True
    return options


def _development_secret(instance: Path) -> str:
    """Keep one generated key per development instance so sessions survive restarts."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
