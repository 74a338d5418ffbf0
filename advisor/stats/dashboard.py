"""The analyst's pages: the dashboard of published tables, their downloads, and API tokens.

Analysts and administrators only. Everything shown or downloaded is what a snapshot
published, withheld cells marked as such; nothing here queries the records behind it.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from advisor.accounts.views import role_required
from advisor.catalogue import Catalogue
from advisor.core import disclosure
from advisor.db import db
from advisor.web import active_catalogue, catalogues

from . import charts, exports, forms, published, tokens
from .models import StatsSnapshot

bp = Blueprint("statistics", __name__)
#: The one-dimensional tables, in the order the dashboard shows them.
DIMENSIONS = ("state", "type", "size")


def _catalogue_of(snapshot: StatsSnapshot) -> Catalogue:
    """The catalogue the snapshot's fields come from (the active one if it is no longer loaded)."""
    return catalogues().get(snapshot.catalogue_id) or active_catalogue()


def dashboard_context(snapshot: StatsSnapshot, field: str | None) -> dict[str, Any]:
    """The charts and tables of one snapshot, labelled in the page's language."""
    locale = str(get_locale())
    catalogue = _catalogue_of(snapshot)
    profile = catalogue.profile
    labels = {
        "state": [(o.id, o.label.get(locale)) for o in profile.states],
        "type": [(o.id, o.label.get(locale)) for o in profile.municipality_types],
        "size": [(o.id, o.label.get(locale)) for o in profile.population_bands],
    }
    fields = [(charts.OVERALL, _("Overall")), *[(f.id, f.title.get(locale)) for f in catalogue.fields]]
    field = field if field in dict(fields) else charts.OVERALL
    publication = snapshot.publication
    listed = published.snapshot_list(db.session, published.TREND)
    points, segments = charts.trend(listed, published.totals(db.session, listed), field)
    return {
        "snapshot": snapshot,
        "fields": fields,
        "field": field,
        "field_label": dict(fields)[field],
        "distribution": charts.distribution(publication, fields),
        "by_dimension": [
            (dimension, charts.by_dimension(publication, dimension, labels[dimension], field))
            for dimension in DIMENSIONS
        ],
        "crosstabs": [
            t
            for t in (
                charts.crosstab(publication, table_id, labels, field, _("all"))
                for table_id in ("state-type", "state-size", "type-size")
            )
            if t is not None
        ],
        "trend": points,
        "trend_segments": segments,
        "y_of": charts.y_of,
        "min_count": disclosure.MIN_COUNT,
        "min_combined": disclosure.MIN_COUNT_COMBINED,
        "count_figures": charts.counts,
    }


@bp.get("/statistics")
@role_required(*tokens.READERS)
def index() -> str:
    """The dashboard: a snapshot's published tables as charts with data tables (default: the latest)."""
    snapshots = published.snapshot_list(db.session)
    if not snapshots:
        return render_template("stats/dashboard.html", snapshots=[], snapshot=None)
    chosen = request.args.get("snapshot", type=int)
    snapshot = published.get(db.session, chosen if chosen is not None else snapshots[0].id)
    if snapshot is None:
        abort(404)
    return render_template(
        "stats/dashboard.html", snapshots=snapshots, **dashboard_context(snapshot, request.args.get("field"))
    )


def _download(snapshot_id: int, body: str, mimetype: str, extension: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="statistik-{snapshot_id}.{extension}"'},
    )


def _snapshot_or_404(snapshot_id: int) -> StatsSnapshot:
    snapshot = published.get(db.session, snapshot_id)
    if snapshot is None:
        abort(404)
    return snapshot


@bp.get("/statistics/<int:snapshot_id>.json")
@role_required(*tokens.READERS)
def download_json(snapshot_id: int) -> Response:
    """The published tables of one snapshot as a JSON file (docs/statistics.schema.json)."""
    document = exports.as_document(_snapshot_or_404(snapshot_id))
    body = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return _download(snapshot_id, body, "application/json", "json")


@bp.get("/statistics/<int:snapshot_id>.csv")
@role_required(*tokens.READERS)
def download_csv(snapshot_id: int) -> Response:
    """The published tables of one snapshot as a CSV file (one row per cell and field)."""
    body = exports.as_csv(_snapshot_or_404(snapshot_id))
    return _download(snapshot_id, body, "text/csv; charset=utf-8", "csv")


@bp.route("/statistics/tokens", methods=["GET", "POST"])
@role_required(*tokens.READERS)
def api_tokens() -> str:
    """One's API tokens; a new one is shown once, in the answer to the form that made it."""
    form = forms.TokenForm()
    created = None
    if form.validate_on_submit():
        row, secret = tokens.create_token(db.session, current_user, form.name.data)
        created = (row, secret)
        form = forms.TokenForm(formdata=None)
    status = 422 if form.errors else 200
    return render_template(
        "stats/tokens.html",
        form=form,
        revoke_form=forms.RevokeTokenForm(formdata=None),
        tokens=tokens.tokens_of(db.session, current_user),
        created=created,
    ), status


@bp.post("/statistics/tokens/revoke")
@role_required(*tokens.READERS)
def revoke_token() -> Response:
    """Revoke one of one's own tokens: it stops working at once."""
    form = forms.RevokeTokenForm()
    if not form.validate_on_submit():
        abort(400)
    row = tokens.revoke_token(db.session, current_user, form.token.data)
    if row is None:
        abort(404)
    flash(_("The token “%(name)s” is revoked; it no longer works.", name=row.name), "success")
    return redirect(url_for(".api_tokens"), code=303)
