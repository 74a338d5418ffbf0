"""Who may open an assessment: the browser that holds its resume token.

Any other id, unknown or foreign, is a 404 that reveals nothing.
"""

from __future__ import annotations

from flask import abort, session

from advisor.catalogue import Catalogue
from advisor.db import db
from advisor.web import catalogues

from . import services
from .models import Assessment, Status

#: How many assessments one browser session remembers (cookie size stays small).
MAX_REMEMBERED = 12


def remember(assessment: Assessment, token: str) -> None:
    """Keep the token in this browser's session (a session cookie, gone when it closes)."""
    tokens = dict(session.get("tokens", {}))
    tokens.pop(assessment.public_id, None)
    tokens[assessment.public_id] = token
    while len(tokens) > MAX_REMEMBERED:
        tokens.pop(next(iter(tokens)))
    session["tokens"] = tokens


def load_assessment(aid: str) -> Assessment:
    """The assessment with this public id, if this browser holds its token; else 404.

    An assessment still in progress moves onto a newer catalogue version when it is
    opened (the user is told what changed); a completed one keeps the version its results
    were given with until the user asks for the upgrade.
    """
    token = session.get("tokens", {}).get(aid)
    assessment = services.get_by_public_id(db.session, aid) if token else None
    if assessment is None or not services.token_matches(token, assessment):
        abort(404)
    keep_current(assessment)
    return assessment


def keep_current(assessment: Assessment) -> None:
    """Move an assessment in progress onto the newer catalogue version, if there is one."""
    if assessment.status is Status.IN_PROGRESS:
        services.upgrade_catalogue(db.session, catalogues(), assessment)


def catalogue_for(assessment: Assessment) -> Catalogue:
    """The catalogue version the assessment was started with."""
    catalogue = services.catalogue_of(db.session, catalogues(), assessment)
    if catalogue is None:
        abort(404)
    return catalogue
