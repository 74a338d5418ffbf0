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


def _hash(browser_key: str, purpose: bytes = b"advisor-browser:") -> str:
    return hashlib.sha256(purpose + browser_key.encode()).hexdigest()


def _fernet(browser_key: str, purpose: bytes = b"advisor-seal:") -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(purpose + browser_key.encode()).digest()))


class Kind:
    """What a grant opens: the table, the column naming it, and the salts of hash and seal."""

    def __init__(self, model, column, hash_purpose: bytes, seal_purpose: bytes) -> None:
        self.model, self.column = model, column
        self.hash_purpose, self.seal_purpose = hash_purpose, seal_purpose

    def browser(self, browser_key: str) -> str:
        """The stored hash of a browser key."""
        return _hash(browser_key, self.hash_purpose)

    def store(self, session: Session, browser_key: str, target_id: int, token: str) -> None:
        """Keep (or renew) the grant, and forget this browser's least recently used ones beyond the limit."""
        model, browser = self.model, self.browser(browser_key)
        row = session.scalar(select(model).where(model.browser_hash == browser, self.column == target_id))
        sealed = _fernet(browser_key, self.seal_purpose).encrypt(token.encode())
        if row is None:
            session.add(model(browser_hash=browser, sealed_token=sealed, **{self.column.key: target_id}))
        else:
            row.sealed_token, row.used_at = sealed, utcnow()
        session.flush()
        surplus = session.scalars(
            select(model.id)
            .where(model.browser_hash == browser)
            .order_by(model.used_at.desc(), model.id.desc())
            .offset(MAX_REMEMBERED)
        ).all()
        if surplus:
            session.execute(delete(model).where(model.id.in_(surplus)))

    def token(self, browser_key: str, granted) -> str | None:
        """The token a grant holds, if this browser's key unseals it; touch the grant now and then."""
        try:
            token = _fernet(browser_key, self.seal_purpose).decrypt(granted.sealed_token).decode()
        except InvalidToken:
            return None
        if granted.used_at < utcnow() - TOUCH_EVERY:
            granted.used_at = utcnow()
        return token

    def forget_unused(self, session: Session, older_than: timedelta, dry_run: bool = False) -> int:
        """Delete grants no browser used for ``older_than``; return how many (would be) deleted."""
        unused = self.model.used_at < utcnow() - older_than
        if dry_run:
            return session.scalar(select(func.count()).select_from(self.model).where(unused))
        return session.execute(delete(self.model).where(unused)).rowcount or 0


ASSESSMENT = Kind(BrowserGrant, BrowserGrant.assessment_id, b"advisor-browser:", b"advisor-seal:")


def grant(session: Session, browser_key: str, assessment: Assessment, token: str) -> None:
    """Let this browser open ``assessment`` (it showed the token, or created the assessment)."""
    ASSESSMENT.store(session, browser_key, assessment.id, token)


def opened(session: Session, browser_key: str | None, public_id: str) -> tuple[Assessment, str] | None:
    """The assessment with this public id and its token, if this browser may open it."""
    if not browser_key or not isinstance(browser_key, str):
        return None
    row = session.execute(
        select(BrowserGrant, Assessment)
        .join(Assessment, Assessment.id == BrowserGrant.assessment_id)
        .where(
            BrowserGrant.browser_hash == ASSESSMENT.browser(browser_key), Assessment.public_id == public_id
        )
    ).first()
    if row is None:
        return None
    granted, assessment = row
    token = ASSESSMENT.token(browser_key, granted)
    if token is None or not token_matches(token, assessment):
        return None  # the personal link was changed (elsewhere): this browser's grant is void
    return assessment, token


def forget_unused(session: Session, older_than: timedelta, dry_run: bool = False) -> int:
    """Delete grants no browser used for ``older_than``; return how many (would be) deleted."""
    return ASSESSMENT.forget_unused(session, older_than, dry_run)
