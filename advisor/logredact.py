"""Keep resume tokens and one-time account links out of access logs.

A resume link (``/r/<token>``) and a link to set a password (``/account/link/<token>``) are
bearer secrets: whoever reads a log line with one can open the assessment or the account.
gunicorn's access log (``--logger-class advisor.logredact.RedactingLogger``) and the
development server's request log print ``/r/[redacted]`` and ``/account/link/[redacted]``.
Neither logs request headers by default; a gunicorn log format that adds the Authorization
header (the statistics API's bearer tokens) gets ``[redacted]`` instead.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn import glogging

#: Resume links and the one-time links that set a staff account's password.
TOKEN_PATH = re.compile(r"(/r/|/account/link/)[A-Za-z0-9_-]{16,}")
#: gunicorn's atom of the Authorization request header (bearer tokens of the statistics API).
AUTHORIZATION = "{authorization}i"


def redact(text: str) -> str:
    """``text`` with every resume token and account link token replaced."""
    return TOKEN_PATH.sub(r"\1[redacted]", text)


class RedactingLogger(glogging.Logger):
    """gunicorn's logger, with secret link tokens removed from every access-log atom."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms = {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
        # A log format with %({authorization}i)s would print statistics API tokens.
        if atoms.get(AUTHORIZATION, "-") != "-":
            atoms[AUTHORIZATION] = "[redacted]"
        return atoms


class RedactTokens(logging.Filter):
    """A logging filter for the development server's request lines (and any other record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install() -> None:
    """Attach the filter to the loggers that print request paths."""
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
