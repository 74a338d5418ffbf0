"""The published tables of a snapshot as JSON and CSV: the only form statistics leave in.

The JSON shape (docs/statistics.schema.json):
``{"snapshot": {"id", "created_at", "assessments", "catalogue"}, "tables": [{"id",
"dimensions", "cells": [{<dimension>: value or "*", "n", "suppressed", "fields": {...}}]}]}``.
Withheld cells carry ``"n": null, "suppressed": true`` and no field statistics.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from .models import StatsSnapshot

DIMENSIONS = ("state", "type", "size")
STATISTICS = ("mean", "median", "p25", "p75")


def as_document(snapshot: StatsSnapshot) -> dict[str, Any]:
    """The snapshot's published tables, with what identifies the snapshot (and nothing else)."""
    return {
        "snapshot": {
            "id": snapshot.id,
            "created_at": snapshot.created_at.isoformat(),
            "assessments": snapshot.assessments,
            "catalogue": {"id": snapshot.catalogue_id, "version": snapshot.catalogue_version},
        },
        "tables": snapshot.publication["tables"],
    }


def as_csv(snapshot: StatsSnapshot) -> str:
    """The tables as CSV: one row per cell and field.

    Columns: snapshot, table, the dimensions ("*" for a margin, empty where the table has no
    such dimension), n (empty when withheld), suppressed, field, mean, median, p25, p75.
    Withheld and empty cells get one row without a field.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["snapshot", "table", *DIMENSIONS, "n", "suppressed", "field", *STATISTICS])
    for table in snapshot.publication["tables"]:
        for cell in table["cells"]:
            where = [cell.get(d, "") for d in DIMENSIONS]
            head = [snapshot.id, table["id"], *where, "" if cell["n"] is None else cell["n"]]
            head.append("true" if cell["suppressed"] else "false")
            fields = cell.get("fields") or {}
            if cell["suppressed"] or not cell["n"] or not fields:
                writer.writerow([*head, "", *[""] * len(STATISTICS)])
                continue
            for field, stats in fields.items():
                values = ["" if stats.get(s) is None else stats[s] for s in STATISTICS]
                writer.writerow([*head, field, *values])
    return out.getvalue()
