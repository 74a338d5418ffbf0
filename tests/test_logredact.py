"""Resume tokens never reach an access log (issue 12, finding 7, first part)."""

from __future__ import annotations

import datetime
import logging
import types

from gunicorn.config import Config

from advisor.logredact import RedactingLogger, RedactTokens

TOKEN = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG8"


def test_gunicorn_access_lines_carry_no_token(tmp_path):
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    logger = RedactingLogger(config)
    # Alembic's fileConfig (migration tests) disables loggers that existed before it ran.
    logger.access_log.disabled = False
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/r/{TOKEN}?x=1",
        "PATH_INFO": f"/r/{TOKEN}",
        "QUERY_STRING": "x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
        "HTTP_REFERER": f"https://advisor.example/r/{TOKEN}",
    }
    response = types.SimpleNamespace(status="303 See Other", sent=0, headers=[])
    request = types.SimpleNamespace(headers=[("Referer", f"https://advisor.example/r/{TOKEN}")])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=3))
    for handler in list(logger.access_log.handlers):
        handler.close()
        logger.access_log.removeHandler(handler)
    line = (tmp_path / "access.log").read_text()
    assert "GET /r/[redacted]?x=1 HTTP/1.1" in line and TOKEN not in line


def test_development_server_lines_carry_no_token():
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '%s - - "%s" %s -',
        ("127.0.0.1", f"GET /r/{TOKEN} HTTP/1.1", "303"),
        None,
    )
    assert RedactTokens().filter(record)
    assert TOKEN not in record.getMessage() and "/r/[redacted]" in record.getMessage()


def test_the_app_installs_the_filter(app):
    assert any(isinstance(f, RedactTokens) for f in logging.getLogger("werkzeug").filters)
