"""Report download, HTML preview and the bundled assets the preview needs."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from advisor.assessments.access import catalogue_for, load_assessment
from advisor.assessments.exchange import slug
from advisor.assessments.services import missing_for_advice
from advisor.db import db
from advisor.web import today

from . import services
from .render import REPORT_DIR, ReportError

bp = Blueprint("reports", __name__)
ASSETS = re.compile(
    r"^(report\.css|bullet\.svg|timeline-grid\.svg|fonts/NotoSans-(Regular|Bold|Italic|BoldItalic)\.ttf)$"
)


def _language() -> str:
    wanted = request.args.get("lang")
    return wanted if wanted in current_app.config["LANGUAGES"] else str(get_locale())


@bp.get("/a/<aid>/report.pdf")
def download(aid: str) -> Response:
    """The PDF report; a failed render sends the user back with a clear message."""
    assessment = load_assessment(aid)
    if missing_for_advice(assessment):
        return redirect(url_for("assessments.results", aid=aid), code=303)  # which says what is missing
    catalogue = catalogue_for(assessment)
    try:
        report = services.report_pdf(db.session, catalogue, assessment, _language(), today())
    except ReportError:
        current_app.logger.exception("report rendering failed for %s", assessment.id)
        flash(
            _("The report could not be created. Your answers are safe; please try again later."),
            "error",
        )
        return redirect(url_for("assessments.results", aid=aid), code=303)
    english = _language() == "en"
    name = slug(assessment.municipality_name) or ("municipality" if english else "kommune")
    prefix = "roadmap" if english else "fahrplan"
    return Response(
        report.pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{prefix}-{name}.pdf"',
            "X-Report-Cache": "hit" if report.cached else "miss",
        },
    )


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
