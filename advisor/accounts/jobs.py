"""Background jobs of accounts: mailing a one-time link.

The job creates the link itself, so the secret never sits in the job queue; it takes ids
only. A failure is recorded as an account event the administrator sees.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from advisor import mail
from advisor.db import db

from . import services
from .models import LinkPurpose, User

MAIL_JOB = "advisor.accounts.jobs.mail_link"


def mail_link(user_id: int, purpose: str, actor_id: int | None) -> None:
    """Create a one-time link for the account and mail it to its address."""
    session = db.session
    user = session.get(User, user_id)
    if user is None or not user.active:
        return
    actor = session.get(User, actor_id) if actor_id else None
    token = services.issue_link(session, user, LinkPurpose(purpose), actor)
    from .views import account_link_url  # views import this module

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        link = account_link_url(token)
        hours = int(services.LINK_VALIDITY.total_seconds() // 3600)
        if purpose == LinkPurpose.INVITATION:
            subject = _("Your account for the digital self-assessment")
            intro = _("An account has been created for you (%(email)s).", email=user.email)
        else:
            subject = _("A new password for the digital self-assessment")
            intro = _("A new password was requested for your account (%(email)s).", email=user.email)
        body = "\n\n".join(
            [
                intro,
                _("Open this link within %(hours)s hours to set your password (it works once):", hours=hours),
                link,
                _("If you did not expect this message, you can ignore it; nothing changes."),
            ]
        )
    try:
        mail.send(user.email, subject, body + "\n")
    except mail.MailError as exc:
        session.rollback()  # the link was never delivered: it must not work
        services.record(session, "mail_failed", user, actor, error=str(exc)[:200])
        session.commit()
        raise
    services.record(session, "mail_sent", user, actor, purpose=purpose)
    session.commit()
