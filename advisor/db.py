"""Database base class, the session extension and the per-request transaction.

Services add and flush; exactly one place commits: :func:`init_app` commits
after a successful request and rolls back on any error response or exception.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, Response, g
from flask_sqlalchemy_lite import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints alike."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


db = SQLAlchemy()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL lets readers proceed while one writer commits; foreign keys must be switched on.

    secure_delete overwrites deleted rows in the file, so a deleted assessment is gone from
    it, not only unlinked (the WAL file is overwritten at its next checkpoint).
    """
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


def init_app(app: Flask) -> None:
    """Register the extension and the single commit point of a request."""
    db.init_app(app)
    # Flask-SQLAlchemy-Lite also registers a teardown for async sessions. advisor has no
    # async engine, yet Flask would run that coroutine through asgiref on every request
    # (a thread and an event loop: about 1 ms of CPU per request, measured in bench/).
    app.teardown_appcontext_funcs[:] = [
        func
        for func in app.teardown_appcontext_funcs
        if getattr(func, "__name__", "") != "_close_async_sessions"
    ]

    @app.after_request
    def _commit(response: Response) -> Response:
        session = _open_session()
        if session is not None:
            if response.status_code < 400:
                session.commit()
            else:
                session.rollback()
        return response

    @app.teardown_request
    def _rollback_on_error(exc: BaseException | None) -> None:
        session = _open_session()
        if exc is not None and session is not None:
            session.rollback()


def _open_session() -> Session | None:
    """Return the request's session if a view used one, without creating one."""
    return g.get("_sqlalchemy_sessions", {}).get("default")
