"""The optional second factor: time-based one-time codes (TOTP, RFC 6238) with pyotp.

The secret is stored sealed (Fernet) with a key derived from the application's secret
key, so a copy of the database alone does not yield it. A code is accepted once: its time
step must be later than the last one accepted. One step of clock drift either way is
allowed (30 s).
"""

from __future__ import annotations

import base64
import hashlib
import io
from datetime import datetime

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from markupsafe import Markup

from .models import Role, User

ISSUER = "advisor"
#: The roles offered a second factor (the issue: administrators and advisors).
ROLES = (Role.ADMIN, Role.ADVISOR)


def _fernet() -> Fernet:
    key = hashlib.sha256(b"advisor-totp:" + str(current_app.config["SECRET_KEY"]).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    """A fresh secret (160 bits, base32) for enrolment."""
    return pyotp.random_base32(32)


def seal(secret: str) -> bytes:
    return _fernet().encrypt(secret.encode())


def secret_of(user: User) -> str | None:
    """The user's secret, or None when no second factor is set up (or it cannot be unsealed)."""
    if not user.totp_sealed:
        return None
    try:
        return _fernet().decrypt(user.totp_sealed).decode()
    except InvalidToken:
        return None


def uri(secret: str, email: str) -> str:
    """The ``otpauth://`` address authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(secret: str, email: str, title: str) -> Markup:
    """The QR code as inline SVG (no image request, no third party)."""
    import segno

    buffer = io.BytesIO()
    segno.make(uri(secret, email), error="m").save(
        buffer, kind="svg", scale=4, xmldecl=False, svgns=True, title=title, nl=False
    )
    svg = buffer.getvalue().decode().replace("<svg ", '<svg role="img" focusable="false" ', 1)
    return Markup(svg)  # noqa: S704 - segno's own output; the title is escaped by segno


def accepted_step(secret: str, code: str, last_step: int | None, now: datetime | None = None) -> int | None:
    """The time step ``code`` is valid for (within one step of now), if not used before; else None."""
    code = "".join((code or "").split())
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    moment = now or datetime.now()
    current = totp.timecode(moment)
    for step in (current - 1, current, current + 1):
        fresh = last_step is None or step > last_step
        if fresh and pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None
