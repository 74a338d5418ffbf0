"""Handing a self-assessment to an advisor, and taking it back.

The municipality consents by entering the advisor's invite code on its own assessment;
it can take the assessment back at any time. The advisor then opens the assessment from
the dashboard (not through the municipality's personal link, which stays the
municipality's).
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from advisor.accounts.models import Role, User
from advisor.accounts.services import AccountError, record
from advisor.assessments.models import Assessment
from advisor.db import utcnow
from advisor.i18n import lazy_gettext as _l

#: No 0/O, 1/I/L: codes are read out and typed.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ADVISING_ROLES = (Role.ADVISOR, Role.ADMIN)
UNKNOWN_CODE = _l("No advisor has this code. Please check it, or ask your advisor for it again.")


def new_code() -> str:
    """A code like ``K7QM-3XTR`` (about 40 bits; attempts are rate-limited)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(text: str) -> str:
    """What a person typed, as stored: upper case, one dash in the middle."""
    raw = "".join(ch for ch in (text or "").upper() if ch in ALPHABET)
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else ""


def invite_code(session: Session, advisor: User, renew: bool = False) -> str:
    """The advisor's invite code (made on first use; ``renew`` replaces it)."""
    if advisor.invite_code is None or renew:
        code = new_code()
        while session.scalar(select(User.id).where(User.invite_code == code)) is not None:
            code = new_code()
        advisor.invite_code = code
        session.flush()
        record(session, "invite_code_renewed" if renew else "invite_code_created", advisor, advisor)
    return advisor.invite_code


def hand_over(session: Session, assessment: Assessment, code: str) -> User:
    """Give the assessment to the advisor with this code; return the advisor."""
    normal = normalise_code(code)
    advisor = session.scalar(select(User).where(User.invite_code == normal)) if normal else None
    if advisor is None or not advisor.active or advisor.role not in ADVISING_ROLES:
        raise AccountError(UNKNOWN_CODE)
    assessment.owner_id, assessment.handed_over_at = advisor.id, utcnow()
    session.flush()
    record(session, "assessment_handed_over", advisor, None, assessment=assessment.public_id)
    return advisor


def take_back(session: Session, assessment: Assessment) -> None:
    """The municipality ends the advisor's access."""
    if assessment.owner_id is None:
        return
    advisor = session.get(User, assessment.owner_id)
    assessment.owner_id, assessment.handed_over_at = None, None
    session.flush()
    record(session, "assessment_taken_back", advisor, None, assessment=assessment.public_id)


def create_for(
    session: Session, catalogue, advisor: User, municipality_name: str, locale: str
) -> tuple[Assessment, str]:
    """A new assessment the advisor runs with a municipality; return it with its personal link's token.

    The municipality gets the personal link (shown once to the advisor, to pass on): with it
    it sees and changes everything, and can take the assessment back from the advisor.
    """
    from advisor.assessments.services import create_assessment

    assessment, token = create_assessment(session, catalogue, locale)
    assessment.municipality_name = municipality_name.strip()[:200]
    assessment.owner_id, assessment.handed_over_at = advisor.id, utcnow()
    session.flush()
    record(session, "assessment_created", advisor, advisor, assessment=assessment.public_id)
    return assessment, token


def owner_of(session: Session, assessment: Assessment) -> User | None:
    """The advisor the assessment is shared with, if any."""
    return session.get(User, assessment.owner_id) if assessment.owner_id else None


def owned(session: Session, advisor: User) -> list[Assessment]:
    """The assessments the advisor may open, most recently changed first."""
    return list(
        session.scalars(
            select(Assessment).where(Assessment.owner_id == advisor.id).order_by(Assessment.updated_at.desc())
        )
    )


def owned_by(session: Session, advisor: User, public_id: str) -> Assessment | None:
    """The assessment with this public id if ``advisor`` owns it."""
    if not public_id or len(public_id) > 32:
        return None
    return session.scalar(
        select(Assessment).where(Assessment.public_id == public_id, Assessment.owner_id == advisor.id)
    )
