"""Accounts: creation, one-time links, login, password, role and status changes.

Services add and flush; the request (or CLI command) commits. Every change worth
auditing leaves an :class:`AccountEvent` and a line in the application log.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from advisor.db import utcnow
from advisor.i18n import lazy_gettext as _l

from . import passwords, totp
from .models import AccountEvent, AccountLink, LinkPurpose, Role, User

log = logging.getLogger("advisor.accounts")
#: How long a one-time link to set a password stays valid.
LINK_VALIDITY = timedelta(hours=72)
TOKEN_BYTES = 32


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; ``message`` says why, translated."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


NOT_AN_EMAIL = _l("Please enter a valid e-mail address.")
EXISTS = _l("An account with this e-mail address exists already.")
DELETE_ACTIVE = _l("Only a deactivated account can be deleted: deactivate it first.")
LAST_ADMIN = _l("This is the last active administrator account; it keeps its role and stays active.")


def normalise_email(email: str) -> str:
    """E-mail addresses compare case-insensitively and without surrounding spaces."""
    return (email or "").strip().lower()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def record(session: Session, kind: str, user: User | None, actor: User | None = None, **detail) -> None:
    """Keep an event of an account (and log it)."""
    session.add(
        AccountEvent(
            kind=kind,
            user_id=user.id if user is not None else None,
            actor_id=actor.id if actor is not None else None,
            detail=detail,
        )
    )
    log.info(
        "account %s: user=%s actor=%s %s",
        kind,
        user.id if user is not None else "-",
        actor.id if actor is not None else "-",
        " ".join(f"{k}={v}" for k, v in detail.items()),
    )


def by_email(session: Session, email: str) -> User | None:
    """The account with this e-mail address."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    session: Session,
    email: str,
    role: Role,
    name: str = "",
    actor: User | None = None,
    with_link: bool = True,
) -> tuple[User, str | None]:
    """Create an account without password; return it with the token of its invitation link.

    ``with_link=False`` when the link is mailed instead (the mail job creates it).
    """
    email = normalise_email(email)
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise AccountError(NOT_AN_EMAIL)
    if by_email(session, email) is not None:
        raise AccountError(EXISTS)
    user = User(email=email, role=role, name=name.strip()[:200])
    session.add(user)
    session.flush()
    record(session, "created", user, actor, role=role.value)
    return user, issue_link(session, user, LinkPurpose.INVITATION, actor) if with_link else None


def issue_link(session: Session, user: User, purpose: LinkPurpose, actor: User | None = None) -> str:
    """A new one-time link to set the password; earlier unused links of the user stop working."""
    now = utcnow()
    for link in session.scalars(
        select(AccountLink).where(AccountLink.user_id == user.id, AccountLink.used_at.is_(None))
    ):
        link.used_at = now
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        AccountLink(user_id=user.id, token_hash=_hash(token), purpose=purpose, expires_at=now + LINK_VALIDITY)
    )
    session.flush()
    record(session, f"link_{purpose.value}", user, actor)
    return token


def valid_link(session: Session, token: str) -> AccountLink | None:
    """The unused, unexpired link with this token, for an active account; else None."""
    if not token or len(token) > 100:
        return None
    link = session.scalar(select(AccountLink).where(AccountLink.token_hash == _hash(token)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    user = session.get(User, link.user_id)
    return link if user is not None and user.active else None


def set_password(session: Session, link: AccountLink, password: str) -> User:
    """Set the password through a one-time link (which is then used up); ends other sessions."""
    user = session.get(User, link.user_id)
    found = passwords.problems(password, user.email, user.name)
    if found:
        raise AccountError(found[0])
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = link.used_at = utcnow()
    user.session_version = User.session_version + 1
    session.flush()
    session.refresh(user, ["session_version"])
    record(session, "password_set", user, purpose=link.purpose.value)
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active account with these credentials, or None (a failure is recorded).

    The caller completes the sign-in with :func:`signed_in`, after a second factor if the
    account has one.
    """
    user = by_email(session, email)
    ok = passwords.verify(user.password_hash if user is not None else None, password[: passwords.MAX_LENGTH])
    if user is None or not ok or not user.active:
        reason = "unknown" if user is None else ("inactive" if ok else "password")
        record(session, "login_failed", user, reason=reason)
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


def signed_in(session: Session, user: User, second_factor: bool = False) -> None:
    """Note a completed sign-in."""
    user.last_login_at = utcnow()
    record(session, "login", user, second_factor=second_factor)


def check_second_factor(session: Session, user: User, code: str) -> bool:
    """Whether ``code`` is a fresh valid code of the account's second factor (it is used up)."""
    secret = totp.secret_of(user)
    step = totp.accepted_step(secret, code, user.totp_last_step) if secret else None
    if step is None:
        record(session, "second_factor_failed", user)
        return False
    user.totp_last_step = step
    return True


def enable_second_factor(session: Session, user: User, secret: str, code: str) -> bool:
    """Switch the second factor on once the user proved the app shows the right codes."""
    step = totp.accepted_step(secret, code, None)
    if step is None:
        return False
    user.totp_sealed, user.totp_last_step = totp.seal(secret), step
    user.session_version = User.session_version + 1
    session.flush()
    session.refresh(user, ["session_version"])
    record(session, "second_factor_on", user, user)
    return True


def disable_second_factor(session: Session, user: User, actor: User) -> None:
    """Switch the second factor off (by the user with a code, or by an administrator)."""
    user.totp_sealed, user.totp_last_step = None, None
    user.session_version = User.session_version + 1
    session.flush()
    session.refresh(user, ["session_version"])
    record(session, "second_factor_off", user, actor)


def change_role(session: Session, user: User, role: Role, actor: User) -> None:
    """Give the account another role (not the last active administrator's own)."""
    if user.role is role:
        return
    if user.role is Role.ADMIN and _last_admin(session, user):
        raise AccountError(LAST_ADMIN)
    record(session, "role_changed", user, actor, before=user.role.value, after=role.value)
    user.role = role
    user.session_version = User.session_version + 1  # sessions with the old role end
    session.flush()


def set_active(session: Session, user: User, active: bool, actor: User) -> None:
    """Deactivate (all sessions end, links stop working) or reactivate an account."""
    if user.active == active:
        return
    if not active and user.role is Role.ADMIN and _last_admin(session, user):
        raise AccountError(LAST_ADMIN)
    user.active = active
    user.session_version = User.session_version + 1
    session.flush()
    record(session, "activated" if active else "deactivated", user, actor)


def delete_user(session: Session, user: User, actor: User) -> None:
    """Delete a deactivated account (two steps, so no account goes by one click)."""
    if user.active:
        raise AccountError(DELETE_ACTIVE)
    record(session, "deleted", None, actor, account=user.id)
    session.delete(user)
    session.flush()


def update_details(session: Session, user: User, name: str, organisation: str) -> None:
    """Name and organisation as municipalities see them (the cover of the reports the advisor owns).

    The report's cache key covers the owner's name and organisation, so reports made before
    are made again.
    """
    user.name = (name or "").strip()[:200]
    user.organisation = (organisation or "").strip()[:200]
    session.flush()


def end_sessions(session: Session, user: User) -> None:
    """Log the account out everywhere (every browser's session ends at its next request)."""
    user.session_version = User.session_version + 1
    session.flush()
    session.refresh(user, ["session_version"])
    record(session, "logout_everywhere", user, user)


def _last_admin(session: Session, user: User) -> bool:
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)
    )
    return others == 0


def load(session: Session, reference: str) -> User | None:
    """The user a login session refers to ("id:version"), if it is still valid."""
    user_id, _, version = (reference or "").partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def all_users(session: Session) -> list[User]:
    """Every account, administrators first."""
    return list(session.scalars(select(User).order_by(User.role, User.email)))


def forget_events(session: Session, before, dry_run: bool = False) -> int:
    """Delete account events older than ``before``; return how many (would be) deleted."""
    old = AccountEvent.created_at < before
    if dry_run:
        return session.scalar(select(func.count()).select_from(AccountEvent).where(old))
    return session.execute(delete(AccountEvent).where(old)).rowcount or 0


def recent_events(session: Session, limit: int = 50) -> list[AccountEvent]:
    """The latest account events, newest first."""
    return list(session.scalars(select(AccountEvent).order_by(AccountEvent.id.desc()).limit(limit)))
