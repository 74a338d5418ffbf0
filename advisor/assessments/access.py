"""Who may open an assessment: the browser that showed its resume token.

The session cookie holds a random browser key, never a token (see :mod:`.grants`). Any
other id, unknown or foreign, is a 404 that reveals nothing.
"""

from __future__ import annotations

from flask import Flask, Response, abort, g, request, session

from advisor.catalogue import Catalogue
from advisor.db import db
from advisor.i18n import lazy_gettext as _l
from advisor.web import abort_with, catalogues

from . import grants, rounds, services
from .models import Assessment, Status


def browser_key(create: bool = False) -> str | None:
    key = session.get("browser")
    if (not isinstance(key, str) or not key) and create:
        key = session["browser"] = grants.new_browser_key()
    return key if isinstance(key, str) else None


def remember(assessment: Assessment, token: str) -> None:
    """Let this browser open the assessment until its session ends (or the link changes)."""
    grants.grant(db.session, browser_key(create=True), assessment, token)


def load_assessment(aid: str, by_link_only: bool = False) -> Assessment:
    """The assessment with this public id, if this browser may open it; else 404.

    A browser may open it when it showed the personal link, or when its signed-in advisor
    owns it (the municipality handed it over) unless ``by_link_only``: the personal link,
    deletion and the handover stay the municipality's. An assessment still in progress
    moves onto a newer catalogue version when it is opened (the user is told what
    changed); a completed one keeps the version its results were given with until the
    user asks for the upgrade.
    """
    found = grants.opened(db.session, browser_key(), aid)
    if found is not None:
        assessment, g.resume_token = found
        g.assessment_access = "link"
    else:
        assessment = None if by_link_only else _owned(aid)
        if assessment is None:
            abort(404)
        g.resume_token, g.assessment_access = None, "owner"
    keep_current(assessment)
    refuse_changes_when_closed(assessment)
    return assessment


#: What may still be done to a closed round: its link, consent, handover and deletion
#: change nothing its follow-up compared (see ``rounds``). Removing a respondent with their
#: answers does (the content hash no longer matches), but a person's data comes first, as
#: with deleting the whole round.
WHILE_CLOSED = frozenset(
    {
        "session.remove_respondent",
        "assessments.delete",
        "assessments.regenerate_link",
        "assessments.dismiss_notice",
        "advising.hand_over",
        "advising.take_back",
        "stats.consent",
    }
)


def refuse_changes_when_closed(assessment: Assessment) -> None:
    """A round a follow-up was started from no longer changes: 409 for any change but those above.

    Its content hash is what the follow-up names, and its board is what the follow-up
    counts as done; both must stay as they were.
    """
    if request.method in ("GET", "HEAD") or request.endpoint in WHILE_CLOSED:
        return
    if rounds.successor_id(db.session, assessment) is not None:
        abort_with(
            409,
            _l(
                "This round is closed: a follow-up has been started from it, and it stays as it was "
                "so that the two can be compared. Please make changes in the follow-up."
            ),
        )


def load_owned(aid: str) -> Assessment:
    """The assessment, if the signed-in advisor owns it (however else this browser may open it); else 404.

    For the advisor's own pages: the guided session, the advisor's measures.
    """
    assessment = _owned(aid)
    if assessment is None:
        abort(404)
    g.resume_token, g.assessment_access = None, "owner"
    keep_current(assessment)
    refuse_changes_when_closed(assessment)
    return assessment


def may_open(assessment: Assessment) -> bool:
    """Whether this browser (or its signed-in advisor) may open ``assessment``: for links to it."""
    if grants.opened(db.session, browser_key(), assessment.public_id) is not None:
        return True
    return _owned(assessment.public_id) is not None


def _owned(aid: str) -> Assessment | None:
    from flask_login import current_user

    from advisor.advising.services import owned_by

    if not current_user.is_authenticated:
        return None
    return owned_by(db.session, current_user._get_current_object(), aid)


def actor() -> tuple[str, int | None]:
    """Who acts in this request: ("link", None) for the municipality, ("advisor", id) for its advisor."""
    from flask_login import current_user

    if g.get("assessment_access") == "owner" and current_user.is_authenticated:
        return "advisor", current_user.id
    return "link", None


def resume_token(assessment: Assessment) -> str:
    """The token of the assessment this request opened through its link (the personal link)."""
    return g.resume_token


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


def init_app(app: Flask) -> None:
    """Move tokens from cookies of earlier versions into grants (and out of the cookie)."""

    @app.before_request
    def _move_tokens_out_of_the_cookie() -> None:
        tokens = session.get("tokens")
        if tokens is None:
            return
        g.tokens_moved = True
        if not isinstance(tokens, dict):
            return
        for aid, token in list(tokens.items())[-grants.MAX_REMEMBERED :]:
            assessment = services.get_by_public_id(db.session, aid) if isinstance(aid, str) else None
            if assessment is not None and isinstance(token, str):
                if services.token_matches(token, assessment):
                    remember(assessment, token)

    @app.after_request
    def _drop_moved_tokens(response: Response) -> Response:
        # Only once the grants are committed (an error response rolls them back).
        if g.get("tokens_moved") and response.status_code < 400:
            session.pop("tokens", None)
        return response
