"""Which browser may open which assessment: a server-side reference instead of tokens in cookies.

The browser keeps a random key in its session cookie. The server keeps, per assessment
the browser opened, the key's hash and the resume token sealed (Fernet: AES-CBC with an
HMAC) with a key derived from the browser's key. Neither the cookie nor the database
alone yields a resume token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from advisor.db import utcnow

from .models import Assessment, BrowserGrant
from .services import hash_token

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
    """What a grant opens.

    The grants' table and its column naming the target, the target model and the attribute
    holding its token's hash, and the salts of the browser hash and of the seal.
    """

    def __init__(
        self, model, column, target, token_hash: str, hash_purpose: bytes, seal_purpose: bytes
    ) -> None:
        self.model, self.column, self.target, self.token_hash = model, column, target, token_hash
        self.hash_purpose, self.seal_purpose = hash_purpose, seal_purpose

    def opened(self, session: Session, browser_key: str | None, public_id: str):
        """(target, token) with this public id, if this browser holds a grant with its current token."""
        if not browser_key or not isinstance(browser_key, str) or not public_id or len(public_id) > 32:
            return None
        target = self.target
        row = session.execute(
            select(self.model, target)
            .join(target, target.id == self.column)
            .where(self.model.browser_hash == self.browser(browser_key), target.public_id == public_id)
        ).first()
        if row is None:
            return None
        granted, found = row
        token = self.token(browser_key, granted)
        stored = getattr(found, self.token_hash)
        if token is None or stored is None or not hmac.compare_digest(hash_token(token), stored):
            return None  # the personal link was changed (elsewhere): this browser's grant is void
        return found, token

    def all_opened(self, session: Session, browser_key: str | None) -> list:
        """Every target this browser holds a grant with the current token for (no grant is touched)."""
        if not browser_key or not isinstance(browser_key, str):
            return []
        target, fernet = self.target, _fernet(browser_key, self.seal_purpose)
        rows = session.execute(
            select(self.model.sealed_token, target)
            .join(target, target.id == self.column)
            .where(self.model.browser_hash == self.browser(browser_key))
            .order_by(target.id)
        ).all()
        found = []
        for sealed, candidate in rows:
            try:
                token = fernet.decrypt(sealed).decode()
            except InvalidToken:
                continue
            stored = getattr(candidate, self.token_hash)
            if stored is not None and hmac.compare_digest(hash_token(token), stored):
                found.append(candidate)
        return found

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


ASSESSMENT = Kind(
    BrowserGrant,
    BrowserGrant.assessment_id,
    Assessment,
    "resume_token_hash",
    b"advisor-browser:",
    b"advisor-seal:",
)


def grant(session: Session, browser_key: str, assessment: Assessment, token: str) -> None:
    """Let this browser open ``assessment`` (it showed the token, or created the assessment)."""
    ASSESSMENT.store(session, browser_key, assessment.id, token)


def opened(session: Session, browser_key: str | None, public_id: str) -> tuple[Assessment, str] | None:
    """The assessment with this public id and its token, if this browser may open it."""
    return ASSESSMENT.opened(session, browser_key, public_id)


def forget_unused(session: Session, older_than: timedelta, dry_run: bool = False) -> int:
    """Delete grants no browser used for ``older_than``; return how many (would be) deleted."""
    return ASSESSMENT.forget_unused(session, older_than, dry_run)


def openable(session: Session, browser_key: str | None, advisor=None) -> list[Assessment]:
    """The assessments this browser may open: its grants, and those ``advisor`` (signed in) owns.

    An import links a round only to one of these (see ``exchange.link_rounds``).
    """
    from advisor.advising.services import owned

    found = {a.id: a for a in ASSESSMENT.all_opened(session, browser_key)}
    if advisor is not None:
        found.update((a.id, a) for a in owned(session, advisor))
    return [found[key] for key in sorted(found)]
