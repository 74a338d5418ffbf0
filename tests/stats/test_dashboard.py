"""The analyst's dashboard (issue 14, item 6): who may see it, charts with data tables, withheld
cells marked, snapshots to choose from and their change; the downloads of item 7."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from advisor.db import db
from advisor.stats import exports
from advisor.stats.models import StatsSnapshot
from tests.conftest import Client
from tests.stats.factories import MIXED, english, make_snapshot, staff


def test_only_analysts_and_administrators_see_the_statistics(app):
    snapshot_id = make_snapshot(app)
    pages = [
        "/statistics",
        f"/statistics/{snapshot_id}.json",
        f"/statistics/{snapshot_id}.csv",
        "/statistics/tokens",
    ]
    anonymous, advisor = Client(app), staff(app, "advisor")
    for page in pages:
        response = anonymous.get(page)
        assert response.status_code == 302 and "/login" in response.location
        assert advisor.get(page).status_code == 403
    for role in ("analyst", "admin"):
        client = staff(app, role)
        assert [client.get(page).status_code for page in pages] == [200] * len(pages)
        assert 'href="/statistics"' in client.get("/account").get_data(as_text=True)  # in the header
    assert 'href="/statistics"' not in advisor.get("/account").get_data(as_text=True)


def test_without_a_snapshot_the_page_says_how_to_take_one(app):
    page = english(staff(app, "analyst")).get("/statistics").get_data(as_text=True)
    assert "No statistics yet" in page and "flask --app wsgi stats snapshot" in page
    assert "<svg" not in page


def regions(page: str) -> list[str]:
    """The ids that the table regions are labelled by (each must exist as a caption)."""
    return re.findall(
        r'<div class="table-scroll" role="region" tabindex="0" aria-labelledby="([^"]+)">', page
    )


def test_charts_come_with_tables_and_withheld_cells_are_marked(app):
    snapshot_id = make_snapshot(app)
    client = english(staff(app, "analyst"))
    page = client.get("/statistics").get_data(as_text=True)
    charts = re.findall(
        r'<svg class="stat-chart"[^>]*role="img" aria-labelledby="([\w-]+)-title \1-desc"', page
    )
    assert charts == ["dist", "dim-state", "dim-type", "dim-size", "trend"]
    for chart in charts:
        assert f'<title id="{chart}-title">' in page and f'<desc id="{chart}-desc">' in page
    labelled = regions(page)
    assert {
        "dist-caption",
        "dim-state-caption",
        "dim-type-caption",
        "dim-size-caption",
        "trend-caption",
    } <= set(labelled)
    assert {"state-type-caption", "state-size-caption", "type-size-caption", "list-caption"} <= set(labelled)
    for caption in labelled:
        assert f'<caption id="{caption}"' in page
    # Berlin (two municipalities) is withheld: a marked gap in the chart, a marker in the table.
    state_chart = page.split('id="dim-state-title"')[1].split("</svg>")[0]
    berlin = state_chart.split(">Berlin<")[1]
    assert berlin.split("<text")[2].split(">")[1].startswith("withheld")  # the gap's own text
    assert 'stroke-dasharray="5 3"' in berlin.split("<text")[1]
    state_table = page.split('id="dim-state-caption"')[1].split("</table>")[0]
    row = re.search(r'<th scope="row">Berlin</th>(.*?)</tr>', state_table, re.S).group(1)
    assert row.count('<span class="visually-hidden">withheld</span>') == 4  # n, median, middle half, mean
    assert 'aria-hidden="true">–</span>' in row
    assert "withheld: fewer than 5 municipalities (10 where two characteristics are combined)" in page
    # Nothing is silently blank: every data cell has content.
    assert not re.search(r"<td>\s*</td>", page)
    # Beta was scored by nobody: marked as such, not withheld and not empty.
    distribution = page.split('id="dist-caption"')[1].split("</table>")[0]
    beta = re.search(r'<th scope="row">Beta</th>(.*?)</tr>', distribution, re.S).group(1)
    assert beta.count("not scored") == 4
    # Headers have their scope; the snapshot is named with its count.
    assert "<th>" not in page and '<th scope="col">Median</th>' in page
    assert "43 municipalities counted." in page
    assert (
        f'href="/statistics/{snapshot_id}.json"' in page and f'href="/statistics/{snapshot_id}.csv"' in page
    )


#: Two groups of ten: every cell of the tables is large enough to be published.
TWENTY = {("NW", "stadt", "100k+"): 10, ("BY", "stadt", "100k+"): 10}


def test_the_figures_are_the_published_ones(app):
    make_snapshot(app, TWENTY, score=60.0)
    page = english(staff(app, "analyst")).get("/statistics").get_data(as_text=True)
    # Four each of 50, 55, 60, 65, 70: median 60, quartiles 55 and 65, mean 60.
    distribution = page.split('id="dist-caption"')[1].split("</table>")[0]
    overall = re.search(r'<th scope="row">Overall</th>(.*?)</tr>', distribution, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", overall) == ["60", "55", "65", "60"]
    chart = page.split('id="dist-title"')[1].split("</svg>")[0]
    assert 'x1="236.0"' in chart  # the median line at 20 + 60 * 3.6


def test_a_chosen_snapshot_a_chosen_field_and_the_change_between_snapshots(app):
    old = make_snapshot(app, {("NW", "stadt", "100k+"): 3}, when=datetime.now(UTC) - timedelta(days=60))
    middle = make_snapshot(app, TWENTY, score=40.0, when=datetime.now(UTC) - timedelta(days=30))
    new = make_snapshot(app, TWENTY, score=70.0)
    client = english(staff(app, "analyst"))
    page = client.get("/statistics").get_data(as_text=True)
    assert f'<option value="{new}" selected>' in page
    trend = page.split('id="trend-caption"')[1].split("</table>")[0]
    rows = re.findall(r'<tr>\s*<th scope="row">(.*?)</th>(.*?)</tr>', trend, re.S)
    assert len(rows) == 3  # oldest first; the first had three municipalities: withheld, and marked
    assert "withheld" in rows[0][1] and "40" in rows[1][1] and "70" in rows[2][1]
    chart = page.split('id="trend-title"')[1].split("</svg>")[0]
    assert chart.count("<circle") == 2 and ">withheld</text>" in chart and chart.count("<polyline") == 1
    chosen = client.get(f"/statistics?snapshot={middle}&field=alpha").get_data(as_text=True)
    assert f'<option value="{middle}" selected>' in chosen and '<option value="alpha" selected>' in chosen
    assert "Side by side: Alpha" in chosen and "20 municipalities counted." in chosen
    assert f'href="/statistics?snapshot={old}&amp;field=alpha"' in chosen  # the list keeps the field
    assert client.get("/statistics?snapshot=999").status_code == 404
    unknown_field = client.get(f"/statistics?snapshot={new}&field=nonsense").get_data(as_text=True)
    assert "Side by side: Overall" in unknown_field


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_downloads_are_the_published_tables(app, kind):
    snapshot_id = make_snapshot(app)
    client = staff(app, "analyst")
    response = client.get(f"/statistics/{snapshot_id}.{kind}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="statistik-{snapshot_id}.{kind}"'
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        snapshot = db.session.get(StatsSnapshot, snapshot_id)
        if kind == "json":
            assert response.mimetype == "application/json"
            assert json.loads(response.get_data(as_text=True)) == exports.as_document(snapshot)
        else:
            assert response.mimetype == "text/csv"
            assert response.get_data(as_text=True) == exports.as_csv(snapshot)
            rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
            berlin = [r for r in rows if r["table"] == "state" and r["state"] == "BE"]
            assert berlin == [dict(berlin[0], n="", suppressed="true", field="")]
    assert client.get(f"/statistics/{snapshot_id + 1}.{kind}").status_code == 404
    assert (
        sum(MIXED.values())
        == json.loads(client.get(f"/statistics/{snapshot_id}.json").data)["snapshot"]["assessments"]
    )
