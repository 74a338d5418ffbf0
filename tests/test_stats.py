"""Consented, anonymised statistics (issue 14): consent, snapshots, exports, peer comparison."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import sqlalchemy as sa

from advisor.assessments.models import Assessment
from advisor.db import db
from advisor.stats import peers
from advisor.stats.models import SnapshotRecord, StatsSnapshot
from advisor.stats.services import take_snapshot
from advisor.web import active_catalogue, catalogues
from tests.conftest import Client


def completed(client: Client, name: str, level: str = "3", consent: bool = True, **profile) -> str:
    """A completed assessment of the mini catalogue; with the consent given at completion."""
    aid, _ = client.start()
    client.profile(aid, municipality_name=name, **profile)
    assert client.post(f"/a/{aid}/fields/alpha", {"q_a_level": level, "nav": "stay"}).status_code == 303
    body = {"stats_consent": "y"} if consent else {}
    assert client.post(f"/a/{aid}/complete", body).status_code == 303
    return aid


def snapshot(app) -> StatsSnapshot:
    with app.app_context():
        taken = take_snapshot(db.session, catalogues(), active_catalogue(), date(2026, 12, 2))
        db.session.commit()
        return db.session.get(StatsSnapshot, taken.id)


def records(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(SnapshotRecord.municipality_type, SnapshotRecord.state, SnapshotRecord.size_band)
        )
        return sorted(tuple(r) for r in rows)


def test_only_completed_consenting_assessments_count_and_each_municipality_once(app):
    client = Client(app)
    completed(client, "Alpha")
    completed(client, "Beta", consent=False)
    completed(client, "  alpha ", level="1")  # the same municipality, assessed again: the latest counts
    unfinished, _ = client.start()
    client.profile(unfinished, municipality_name="Gamma")
    taken = snapshot(app)
    assert taken.assessments == 1
    with app.app_context():
        stored = db.session.scalar(sa.select(SnapshotRecord))
        columns = set(sa.inspect(SnapshotRecord).columns.keys())
    assert columns == {
        "id",
        "snapshot_id",
        "municipality_type",
        "state",
        "size_band",
        "catalogue_version",
        "scores",
    }
    assert (stored.municipality_type, stored.state, stored.size_band) == ("stadt", "NW", "100k+")
    # The latest assessment of "Alpha" (level 1) is the one in the snapshot, not the first (level 3).
    with app.app_context():
        latest = db.session.scalar(
            sa.select(Assessment).order_by(Assessment.id.desc()).where(Assessment.status == "completed")
        )
        assert stored.scores == latest.scores


def test_consent_is_given_and_withdrawn_on_the_results_page(app):
    client = Client(app)
    aid = completed(client, "Delta", consent=False)
    page = client.get(f"/a/{aid}/results").get_data(as_text=True)
    assert "Anonymisierte Statistik" in page and "Einwilligung widerrufen" not in page
    assert client.post(f"/a/{aid}/statistics", {"consent": "y"}).status_code == 303
    assert "Einwilligung widerrufen" in client.get(f"/a/{aid}/results").get_data(as_text=True)
    assert snapshot(app).assessments == 1
    assert client.post(f"/a/{aid}/statistics", {}).status_code == 303
    assert snapshot(app).assessments == 0  # from the next snapshot on
    assert Client(app).post(f"/a/{aid}/statistics", {"consent": "y"}).status_code == 404  # not theirs


def test_exports_carry_the_published_tables_only(app, runner):
    client = Client(app)
    for number in range(10):  # ten alike: even the combined cells may be published
        completed(client, f"Kommune {number}")
    completed(client, "Einzelstück", state="BY")  # alone in its Land: withheld, and marked
    snapshot(app)
    document = json.loads(runner.invoke(args=["stats", "export", "--format", "json"]).output)
    assert set(document) == {"snapshot", "tables"}
    assert set(document["snapshot"]) == {"id", "created_at", "assessments", "catalogue"}
    assert document["snapshot"]["assessments"] == 11
    ids = [t["id"] for t in document["tables"]]
    assert ids == ["state", "type", "size", "state-type", "state-size", "type-size"]
    bavaria = next(c for c in document["tables"][0]["cells"] if c["state"] == "BY")
    assert bavaria == {"state": "BY", "n": None, "suppressed": True, "fields": {}}
    for table in document["tables"]:
        for cell in table["cells"]:
            inner = sum(cell[d] != "*" for d in table["dimensions"])
            if cell["suppressed"]:
                assert cell["n"] is None and not cell["fields"]
            else:
                assert cell["n"] == 0 or cell["n"] >= (10 if inner == 2 else 5)
    text = runner.invoke(args=["stats", "export", "--format", "csv"]).output
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["table"] for r in rows} == set(ids)
    assert all(r["n"] == "" for r in rows if r["suppressed"] == "true")
    assert "Kommune" not in text and "Kommune" not in json.dumps(document)


def test_snapshot_cli_and_no_snapshot_yet(app, runner):
    assert runner.invoke(args=["stats", "export"]).exit_code != 0
    completed(Client(app), "Epsilon")
    result = runner.invoke(args=["stats", "snapshot"])
    assert result.exit_code == 0 and "1 assessments" in result.output


def test_peers_widen_step_by_step_and_leave_the_municipality_out(app):
    client = Client(app)
    own = completed(client, "Selbst", level="4")
    page = client.get(f"/a/{own}/results").get_data(as_text=True)
    assert "Verglichen" not in page and 'id="peers"' not in page  # no snapshot yet
    snapshot(app)
    page = client.get(f"/a/{own}/results").get_data(as_text=True)
    assert "Zu wenige Kommunen" in page  # only itself
    for number in range(5):  # five others of the same type, another size band
        completed(client, f"Nachbar {number}", level="1", population_band="20k-100k")
    snapshot(app)
    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == own))
        comparison = peers.compare(
            db.session, assessment, {"overall": 100.0}, [], ["lt20k", "20k-100k", "100k+"]
        )
    assert comparison.step == "type_near_size" and comparison.peers == 5  # itself left out
    page = client.get(f"/a/{own}/results").get_data(as_text=True)
    assert "Verglichen mit ähnlichen Kommunen" in page and "benachbarten Größen" in page


def test_the_report_compares_with_peers_and_a_new_snapshot_renews_it(app):
    client = Client(app)
    own = completed(client, "Berichtsdorf", level="4")
    for number in range(5):
        completed(client, f"Vergleich {number}", level="2")
    with app.app_context():
        from advisor.reports.services import cache_key

        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == own))
        before = cache_key(active_catalogue(), assessment, date(2026, 12, 2))
    snapshot(app)
    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == own))
        assert cache_key(active_catalogue(), assessment, date(2026, 12, 2)) != before
    preview = client.get(f"/a/{own}/report").get_data(as_text=True)
    assert "Verglichen mit ähnlichen Kommunen" in preview and "Verglichen mit 5 Kommunen" in preview


def test_the_scheduled_snapshot_waits_for_its_interval(app_factory):
    from datetime import timedelta

    from advisor.stats.services import snapshot_job

    app = app_factory(STATS_SNAPSHOT_INTERVAL_DAYS=7)
    completed(Client(app), "Zeta")
    with app.app_context():
        snapshot_job()
        snapshot_job()  # a day later in real life: the latest is not a week old yet
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StatsSnapshot)) == 1
        taken = db.session.scalar(sa.select(StatsSnapshot))
        taken.created_at -= timedelta(days=8)
        db.session.commit()
        snapshot_job()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StatsSnapshot)) == 2
