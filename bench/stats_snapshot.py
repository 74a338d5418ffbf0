"""Issue 14's measure: statistics of 11,000 municipalities assessed in 3 yearly rounds.

    .venv/bin/python bench/stats_snapshot.py [--municipalities 11000] [--rounds 3] [--repeat 3]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

On PostgreSQL (a schema of this run's own), N municipalities with profiles spread like
German municipalities (``advisor.demo``'s weights) are each assessed R times (one completed,
consenting assessment per yearly round, scores cached as the application caches them).
Then, each timed and repeated:

* ``snapshot``: ``take_snapshot`` over all N × R assessments: read, one record per
  municipality (its latest round), store the records, publish the tables with disclosure
  control (aim: under 10 s);
* ``suppression``: ``disclosure.publish`` and ``disclosure.audit`` of those records alone
  (aim: under 2 s);
* ``export``: the JSON document and the CSV of the snapshot (aim: under 1 s);
* ``dashboard``: the analyst's dashboard page through the test client, p50/p95 over 30
  requests (aim: p95 under 300 ms), when the dashboard exists.

Results go to ``bench/results/statistics-<timestamp>.json``; exit 2 when an aim is missed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import answer_post as ap  # noqa: E402  (schema and machine helpers)

AIMS = {"snapshot_s": 10.0, "suppression_s": 2.0, "export_s": 1.0, "dashboard_p95_ms": 300.0}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def make_app(url: str):
    from advisor import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-statistics",
            "DATABASE_URL": url,
            "PURGE_AT_HOUR": None,
            "STATS_SNAPSHOT_AT_HOUR": None,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


def seed(app, municipalities: int, rounds: int) -> int:
    """Insert N × R completed, consenting assessments with cached scores; return how many."""
    from sqlalchemy import insert

    from advisor import demo
    from advisor.assessments.models import Assessment
    from advisor.assessments.services import ensure_snapshot
    from advisor.db import db
    from advisor.web import active_catalogue

    catalogue = active_catalogue()
    ensure_snapshot(db.session, catalogue)
    rng = random.Random(14)
    builder = demo._Builder(db.session, catalogue, rng, datetime.now(UTC), None)
    fields = [f.id for f in catalogue.fields]
    rows = []
    for number in range(municipalities):
        profile, population, _wanted = builder.profile(number)
        base = 15 + 12 * max(0.0, min(5.0, (population or 1000) ** 0.25 / 3))
        for round_ in range(rounds):
            done = datetime(2024 + round_, 11, 1, tzinfo=UTC) + timedelta(minutes=number)
            scores = {f: round(max(0.0, min(100.0, rng.gauss(base + 6 * round_, 12))), 1) for f in fields}
            scores["overall"] = round(sum(scores.values()) / len(fields), 1)
            rows.append(
                {
                    **{k: profile[k] for k in ("municipality_name", "municipality_type", "state")},
                    "population_band": profile["population_band"],
                    "staff_band": profile["staff_band"],
                    "it_provider": "",
                    "public_id": uuid.uuid4().hex,
                    "catalogue_id": catalogue.id,
                    "catalogue_version": catalogue.version,
                    "catalogue_hash": catalogue.hash,
                    "status": "completed",
                    "locale": "de",
                    "revision": 1,
                    "created_at": done - timedelta(days=30),
                    "updated_at": done,
                    "completed_at": done,
                    "stats_consent_at": done,
                    "scores": scores,
                    "scores_revision": 1,
                }
            )
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(Assessment), rows[start : start + 5000])
    db.session.commit()
    return len(rows)


def timed(function, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def dashboard_times(app, snapshot_id: int) -> list[float] | None:
    """30 requests of the analyst's dashboard, signed in as an analyst (None: no dashboard yet)."""
    rule = next((r for r in app.url_map.iter_rules() if r.endpoint == "statistics.index"), None)
    if rule is None:
        return None
    from advisor.accounts.models import Role
    from advisor.accounts.services import create_user
    from advisor.db import db

    with app.app_context():
        user, _link = create_user(db.session, "bench-analyst@example.org", Role.ANALYST)
        db.session.commit()
        user_id = user.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = user_id, True
    path = rule.rule
    times = []
    for _ in range(30):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise ap.BenchError(f"dashboard answered {response.status_code}")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=11_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; the best counts (3)")
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args(argv)

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from advisor.core import disclosure
    from advisor.db import db
    from advisor.stats import exports
    from advisor.stats.models import SnapshotRecord
    from advisor.stats.services import dimension_values, take_snapshot
    from advisor.web import active_catalogue, catalogues

    report: dict = {"machine": ap.machine(), "settings": vars(args)}
    schema, url = ap.create_schema(args.database_url)
    try:
        app = make_app(url)
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            started = time.perf_counter()
            count = seed(app, args.municipalities, args.rounds)
            print(f"seeded {count} assessments in {time.perf_counter() - started:.1f} s")

            def snap():
                taken = take_snapshot(db.session, catalogues(), active_catalogue(), date(2026, 12, 2))
                db.session.commit()
                return taken

            snapshot_s, snapshot = timed(snap, args.repeat)
            records = [
                disclosure.Record(r.state, r.municipality_type, r.size_band, r.scores)
                for r in db.session.scalars(
                    sa.select(SnapshotRecord).where(SnapshotRecord.snapshot_id == snapshot.id)
                )
            ]
            fields = [f.id for f in active_catalogue().fields] + ["overall"]
            values = dimension_values(active_catalogue())
            publish_s, publication = timed(
                lambda: disclosure.publish(records, fields, values=values), args.repeat
            )
            audit_s, exposures = timed(lambda: disclosure.audit(publication), args.repeat)
            json_s, _ = timed(lambda: json.dumps(exports.as_document(snapshot)), args.repeat)
            csv_s, _ = timed(lambda: exports.as_csv(snapshot), args.repeat)
            cells = [c for t in snapshot.publication["tables"] for c in t["cells"]]
            snapshot_id, records_count = snapshot.id, snapshot.assessments
        dashboard = dashboard_times(app, snapshot_id)
    finally:
        ap.drop_schema(args.database_url, schema)

    results = {
        "assessments": count,
        "records": records_count,
        "cells": len(cells),
        "withheld": sum(1 for c in cells if c["suppressed"]),
        "snapshot_s": round(snapshot_s, 2),
        "suppression_s": round(publish_s + audit_s, 3),
        "publish_s": round(publish_s, 3),
        "audit_s": round(audit_s, 3),
        "exposures": len(exposures),
        "export_json_s": round(json_s, 3),
        "export_csv_s": round(csv_s, 3),
        "dashboard_ms": None
        if dashboard is None
        else {"p50": round(percentile(dashboard, 0.5), 1), "p95": round(percentile(dashboard, 0.95), 1)},
    }
    aims = {
        "snapshot_under_10s": snapshot_s < AIMS["snapshot_s"],
        "suppression_under_2s": publish_s + audit_s < AIMS["suppression_s"],
        "export_under_1s": max(json_s, csv_s) < AIMS["export_s"],
        "no_exposure": not exposures,
    }
    if dashboard is not None:
        aims["dashboard_p95_under_300ms"] = percentile(dashboard, 0.95) < AIMS["dashboard_p95_ms"]
    report.update(results=results, aims=aims)
    ap.RESULTS.mkdir(exist_ok=True)
    out = ap.RESULTS / f"statistics-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(results, indent=2))
    print(f"aims: {aims}\nwritten to {out.relative_to(ROOT)}")
    return 0 if all(aims.values()) else 2


if __name__ == "__main__":
    sys.exit(main())
