"""Which browser may open which assessment: a server-side reference instead of tokens in cookies.

The browser keeps a random key in its session cookie. The server keeps, per assessment
the browser opened, the key's hash and the resume token sealed (Fernet: AES-CBC with an
HMAC) with a key derived from the browser's key. Neither the cookie nor the database
alone yields a resume token.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from advisor.db import utcnow

from .models import Assessment, BrowserGrant
from .services import token_matches

#: How many assessments one browser remembers; the least recently used one is forgotten.
MAX_REMEMBERED = 12
#: A grant used within this time is not touched again (no write on every page view).
TOUCH_EVERY = timedelta(hours=1)


def new_browser_key() -> str:
    """A fresh random key for one browser's session cookie."""
    return secrets.token_urlsafe(32)


def _hash(browser_key: str) -> str:
    return hashlib.sha256(b"advisor-browser:" + browser_key.encode()).hexdigest()


def _fernet(browser_key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"advisor-seal:" + browser_key.encode()).digest()))


def grant(session: Session, browser_key: str, assessment: Assessment, token: str) -> None:
    """Let this browser open ``assessment`` (it showed the token, or created the assessment)."""
    browser = _hash(browser_key)
    row = session.scalar(
        select(BrowserGrant).where(
            BrowserGrant.browser_hash == browser, BrowserGrant.assessment_id == assessment.id
        )
    )
    sealed = _fernet(browser_key).encrypt(token.encode())
    if row is None:
        session.add(BrowserGrant(browser_hash=browser, assessment_id=assessment.id, sealed_token=sealed))
    else:
        row.sealed_token, row.used_at = sealed, utcnow()
    session.flush()
    surplus = session.scalars(
        select(BrowserGrant.id)
        .where(BrowserGrant.browser_hash == browser)
        .order_by(BrowserGrant.used_at.desc(), BrowserGrant.id.desc())
        .offset(MAX_REMEMBERED)
    ).all()
    if surplus:
        session.execute(delete(BrowserGrant).where(BrowserGrant.id.in_(surplus)))


def opened(session: Session, browser_key: str | None, public_id: str) -> tuple[Assessment, str] | None:
    """The assessment with this public id and its token, if this browser may open it."""
    if not browser_key or not isinstance(browser_key, str):
        return None
    row = session.execute(
        select(BrowserGrant, Assessment)
        .join(Assessment, Assessment.id == BrowserGrant.assessment_id)
        .where(BrowserGrant.browser_hash == _hash(browser_key), Assessment.public_id == public_id)
    ).first()
    if row is None:
        return None
    granted, assessment = row
    try:
        token = _fernet(browser_key).decrypt(granted.sealed_token).decode()
    except InvalidToken:
        return None
    if not token_matches(token, assessment):
        return None  # the personal link was changed (elsewhere): this browser's grant is void
    if granted.used_at < utcnow() - TOUCH_EVERY:
        granted.used_at = utcnow()
    return assessment, token


def forget_unused(session: Session, older_than: timedelta, dry_run: bool = False) -> int:
    """Delete grants no browser used for ``older_than``; return how many (would be) deleted."""
    unused = BrowserGrant.used_at < utcnow() - older_than
    if dry_run:
        return session.scalar(select(func.count()).select_from(BrowserGrant).where(unused))
    return session.execute(delete(BrowserGrant).where(unused)).rowcount or 0
