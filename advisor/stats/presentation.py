"""The peer comparison in words, for the results page and the report."""

from __future__ import annotations

from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

from advisor.assessments.models import Assessment
from advisor.assessments.presentation import option_label
from advisor.catalogue import Catalogue
from advisor.core.scoring import Result
from advisor.db import db

from . import peers
from .services import OVERALL


def own_scores(result: Result) -> dict[str, float | None]:
    """The scores the comparison shows, as statistics store them (one decimal)."""
    scores = {f.field_id: None if f.score is None else round(f.score, 1) for f in result.fields}
    scores[OVERALL] = None if result.overall is None else round(result.overall, 1)
    return scores


def group_text(comparison: peers.Comparison, catalogue: Catalogue, profile: dict, locale: str) -> str:
    """How the peer group was formed, in one sentence (``profile``: type and size band ids)."""
    kind = option_label(catalogue.profile.municipality_types, profile.get("municipality_type"), locale)
    band = option_label(catalogue.profile.population_bands, profile.get("population_band"), locale)
    texts = {
        "type_size": _(
            "Compared with %(n)s municipalities of the same type (%(type)s) and size (%(band)s) "
            "from all Länder.",
            n=comparison.peers,
            type=kind,
            band=band,
        ),
        "type_near_size": _(
            "Fewer than %(min)s municipalities of the same type and size have shared their results, so the "
            "group is widened to the neighbouring sizes: %(n)s municipalities of the type %(type)s around "
            "%(band)s.",
            min=peers.MIN_PEERS,
            n=comparison.peers,
            type=kind,
            band=band,
        ),
        "type": _(
            "Too few municipalities of your size have shared their results, so the group is all %(n)s "
            "municipalities of the type %(type)s, of every size.",
            n=comparison.peers,
            type=kind,
        ),
        "all": _(
            "Too few municipalities of your type have shared their results, so the group is all %(n)s "
            "municipalities that did, of every type and size.",
            n=comparison.peers,
        ),
    }
    return texts[comparison.step]


def comparison_of(catalogue: Catalogue, assessment: Assessment, result: Result) -> peers.Comparison | None:
    """The assessment against its peers in the latest snapshot (None: no snapshot yet)."""
    return peers.compare(
        db.session,
        assessment,
        own_scores(result),
        [f.id for f in catalogue.fields],
        [o.id for o in catalogue.profile.population_bands],
    )


def peer_context(catalogue: Catalogue, assessment: Assessment, result: Result, locale: str) -> dict[str, Any]:
    """What the results page's comparison section renders (``peers`` None: no snapshot yet)."""
    comparison = comparison_of(catalogue, assessment, result)
    return {
        "peers": comparison,
        "min_peers": peers.MIN_PEERS,
        "peer_group_text": group_text(comparison, catalogue, assessment.profile(), locale)
        if comparison is not None and comparison.step
        else "",
    }


def report_section(
    comparison: peers.Comparison | None, catalogue: Catalogue, profile: dict, locale: str
) -> dict[str, Any] | None:
    """The comparison as the report shows it (call in the report's locale); None: no snapshot."""
    if comparison is None:
        return None
    titles = {f.id: f.title.get(locale) for f in catalogue.fields}
    date = format_date(comparison.snapshot_at, "medium")
    if comparison.step is None:
        return {"text": "", "min": peers.MIN_PEERS, "rows": [], "date": date}
    rows = [
        {
            "label": _("Overall") if f.field_id == OVERALL else titles.get(f.field_id, f.field_id),
            "own": None if f.own is None else round(f.own),
            "median": None if f.median is None else round(f.median),
            "range": None if f.median is None else f"{round(f.p25)}–{round(f.p75)}",
        }
        for f in comparison.fields
    ]
    text = group_text(comparison, catalogue, profile, locale)
    return {"text": text, "min": peers.MIN_PEERS, "rows": rows, "date": date}
