"""Per-analyst tokens for the read-only statistics API: created, listed, revoked, checked.

A token is shown once, when it is created; the database holds its SHA-256 hash only, so a
copy of the database opens nothing. It works only while its account is active and still an
analyst or administrator: a role change or deactivation stops every token of the account
without touching them, and a reactivation brings back those not revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from advisor.accounts.models import Role, User
from advisor.accounts.services import record
from advisor.db import utcnow

from .models import ApiToken

#: Who may read statistics (the dashboard, downloads and the API).
READERS = (Role.ANALYST, Role.ADMIN)
#: Recognisable in a leaked file or a secret scanner; the rest is 256 random bits.
PREFIX = "advs_"
#: ``last_used_at`` is written at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=5)


def digest(token: str) -> str:
    """What is stored of a token (and looked up)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row, and the token itself (to be shown once, never stored)."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name.strip()[:100], token_hash=digest(token), created_at=utcnow())
    session.add(row)
    session.flush()
    record(session, "api_token_created", user, user, token=row.id)
    return row, token


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The account's tokens: those in use first, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken | None:
    """Revoke one of the account's own tokens (None: no such token of this account).

    Revoking a revoked token changes nothing: the first revocation's time stays.
    """
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        return None
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
        record(session, "api_token_revoked", user, user, token=row.id)
    return row


def authenticate(session: Session, token: str) -> User | None:
    """The account a presented token belongs to, if it may read statistics now; else None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active or user.role not in READERS:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        row.last_used_at = now
        session.flush()
    return user
