"""Sending e-mail through the operator's SMTP server (only when ``MAIL_SERVER`` is set).

advisor mails only what staff need: the one-time links to set a password. Mail goes out
from background jobs, so a slow mail server never holds up a page and a page never shows
whether an address has an account.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


def configured() -> bool:
    """Whether this installation sends e-mail."""
    return bool(current_app.config.get("MAIL_SERVER"))


def send(to: str, subject: str, body: str) -> None:
    """Hand one plain-text message to the configured SMTP server."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = formataddr((config["MAIL_SENDER_NAME"], config["MAIL_FROM"]))
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    message.set_content(body)
    security = config["MAIL_SECURITY"]
    try:
        if security == "ssl":
            client = smtplib.SMTP_SSL(
                config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20)
        with client:
            if security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                client.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{type(exc).__name__}: {exc}") from exc
