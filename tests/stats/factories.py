"""Snapshots made from synthetic records, and signed-in staff, for the statistics pages' tests."""

from __future__ import annotations

from datetime import UTC, datetime

from advisor.core import disclosure
from advisor.db import db
from advisor.stats.models import StatsSnapshot
from advisor.stats.services import dimension_values
from advisor.web import active_catalogue
from tests.accounts.test_accounts import signed_in
from tests.conftest import Client


def records(groups: dict[tuple[str, str, str], int], score: float = 50.0) -> list[disclosure.Record]:
    """``count`` records per (Land, type, size band); scores spread around ``score``."""
    out = []
    for (state, kind, band), count in groups.items():
        for i in range(count):
            value = score + (i % 5) * 5 - 10
            out.append(disclosure.Record(state, kind, band, {"overall": value, "alpha": value, "beta": None}))
    return out


#: Plenty in North Rhine-Westphalia and Bavaria, two in Berlin (withheld, with whatever else
#: has to go so that Berlin cannot be worked out).
MIXED = {
    ("NW", "stadt", "100k+"): 12,
    ("NW", "gemeinde", "lt2k"): 11,
    ("BY", "gemeinde", "lt2k"): 12,
    ("BY", "stadt", "20k-100k"): 6,
    ("BE", "stadt", "100k+"): 2,
}


def make_snapshot(app, groups=None, score: float = 50.0, when: datetime | None = None) -> int:
    """A snapshot of the mini catalogue with the published tables of these records; its id."""
    with app.app_context():
        catalogue = active_catalogue()
        publication = disclosure.publish(
            records(MIXED if groups is None else groups, score),
            [f.id for f in catalogue.fields],
            values=dimension_values(catalogue),
        )
        snapshot = StatsSnapshot(
            catalogue_id=catalogue.id,
            catalogue_version=catalogue.version,
            assessments=publication.summary.assessments,
            publication=publication.to_dict(),
            created_at=when or datetime.now(UTC),
        )
        db.session.add(snapshot)
        db.session.commit()
        return snapshot.id


def staff(app, role: str, email: str | None = None) -> Client:
    """A client signed in to a new account with this role."""
    return signed_in(app, app.test_cli_runner(), email or f"{role}@example.org", role)


def english(client: Client) -> Client:
    client.get("/language/en")
    return client
