"""Accounts of staff who use the tool on behalf of others.

Municipalities need no account: they reach their assessment through a resume
link. Advisors own the assessments of the sessions they run.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, String
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
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
