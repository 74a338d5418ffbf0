"""Accounts of staff who use the tool on behalf of others.

Municipalities need no account: they reach their assessment through a resume
link. Advisors own the assessments of the sessions they run; analysts read
anonymised statistics; administrators manage accounts. Nobody signs up: an
administrator (or ``flask users create``) creates an account and hands over a
one-time link to set its password.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from advisor.db import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    """What a staff account may do."""

    ADMIN = "admin"
    ADVISOR = "advisor"
    ANALYST = "analyst"


class User(Base):
    """A staff account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    #: The advisor's organisation (competence centre, agency, IT provider), shown on the report's cover.
    organisation: Mapped[str] = mapped_column(String(200), default="", server_default="")
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Part of every login session's id: raising it ends all sessions ("log out everywhere").
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The code a municipality enters to hand its self-assessment to this advisor (its consent).
    invite_code: Mapped[str | None] = mapped_column(String(9), unique=True)
    #: The TOTP secret of the second factor, sealed with the application's secret key.
    totp_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: The last time step a code was accepted for (a code works once).
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The session's reference: id and session version, so a version bump ends it."""
        return f"{self.id}:{self.session_version}"


class LinkPurpose(enum.StrEnum):
    """What a one-time account link is for."""

    INVITATION = "invitation"
    RESET = "reset"


class AccountLink(Base):
    """A one-time link to set a password (invitation or reset); stored as a hash only."""

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[LinkPurpose] = mapped_column(
        Enum(LinkPurpose, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccountEvent(Base):
    """What happened to an account: logins, failures, invitations, role and status changes."""

    __tablename__ = "account_events"
    __table_args__ = (CheckConstraint("kind <> ''", name="kind_given"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
