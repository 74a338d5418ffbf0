"""Report download, HTML preview and the bundled assets the preview needs."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale

from advisor.assessments.access import catalogue_for, load_assessment
from advisor.assessments.exchange import slug
from advisor.assessments.services import missing_for_advice
from advisor.db import db
from advisor.i18n import lazy_gettext as _l
from advisor.web import today

from . import services
from .render import REPORT_DIR

bp = Blueprint("reports", __name__)
ASSETS = re.compile(
    r"^(report\.css|bullet\.svg|timeline-grid\.svg|fonts/NotoSans-(Regular|Bold|Italic|BoldItalic)\.ttf)$"
)


def _language() -> str:
    wanted = request.args.get("lang")
    return wanted if wanted in current_app.config["LANGUAGES"] else str(get_locale())


def _request(aid: str):
    """The assessment and its report's state (queued on first demand); None if advice is missing."""
    assessment = load_assessment(aid)
    if missing_for_advice(assessment):
        return assessment, None
    state = services.request_report(
        db.session,
        catalogue_for(assessment),
        assessment,
        _language(),
        today(),
        current_app.config["REPORT_TIME_LIMIT"],
    )
    g.report_queued = state.queued_now  # what the rate limit counts
    return assessment, state


@bp.get("/a/<aid>/report.pdf")
def download(aid: str) -> Response:
    """The PDF report when it is ready; otherwise the page that follows its making."""
    assessment, state = _request(aid)
    if state is None:
        return redirect(url_for("assessments.results", aid=aid), code=303)  # which says what is missing
    if state.status != "ready":
        return redirect(url_for(".status", aid=aid, lang=_language()), code=303)
    english = _language() == "en"
    name = slug(assessment.municipality_name) or ("municipality" if english else "kommune")
    prefix = "roadmap" if english else "fahrplan"
    return Response(
        services.stored_pdf(db.session, assessment, _language()),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{prefix}-{name}.pdf"'},
    )


@bp.get("/a/<aid>/report/status")
def status(aid: str) -> Response | str:
    """How far the report is: refreshes itself while it is being made, then offers the download."""
    assessment, state = _request(aid)
    if state is None:
        return redirect(url_for("assessments.results", aid=aid), code=303)
    return render_template(
        "report_status.html",
        assessment=assessment,
        state=state,
        lang=_language(),
        message=status_message(state),
        refresh_seconds=REFRESH_SECONDS,
        time_limit=current_app.config["REPORT_TIME_LIMIT"],
    )


@bp.get("/a/<aid>/report/status.json")
def status_json(aid: str) -> Response:
    """The same as data, for the status page's script (it polls instead of reloading)."""
    _assessment, state = _request(aid)
    if state is None:
        abort(404)
    return jsonify(status=state.status, message=str(status_message(state)))


#: How often the status page looks again while the report is being made.
REFRESH_SECONDS = 3


def status_message(state: services.ReportState):
    """One sentence on where the report stands (shown, and announced to screen readers)."""
    if state.status == "ready":
        return _l("Your report is ready.")
    if state.status == "failed" and state.error == "timeout":
        return _l(
            "The report could not be created in the time available. This usually comes from very "
            "long notes. Your answers are saved."
        )
    if state.status == "failed":
        return _l("The report could not be created. Your answers are saved.")
    if state.status == "running":
        return _l("Your report is being created. This usually takes a few seconds.")
    if state.status == "waiting":
        return _l("The report in the other language is being created first; yours follows.")
    return _l("Your report is waiting to be created.")


@bp.get("/a/<aid>/report")
def preview(aid: str) -> Response:
    """The same report as a web page."""
    assessment = load_assessment(aid)
    if missing_for_advice(assessment):
        return redirect(url_for("assessments.results", aid=aid), code=303)
    html = services.report_html(
        catalogue_for(assessment),
        assessment,
        _language(),
        today(),
        url_for(".asset", filename=""),
        url_for("assessments.results", aid=aid),
    )
    response = Response(html, mimetype="text/html")
    # The report sets its page footer in an inline style; scripts stay forbidden.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "script-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'none'"
    )
    return response


@bp.get("/report-assets/<path:filename>")
def asset(filename: str) -> Response:
    """The report's stylesheet and fonts, for the preview."""
    if not ASSETS.match(filename):
        abort(404)
    return send_from_directory(REPORT_DIR, filename, max_age=86400)
