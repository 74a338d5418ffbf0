"""User-facing names shared by pages: sections, generic maturity levels, relevance."""

from __future__ import annotations

from advisor.i18n import lazy_gettext as _l

LEVEL_NAMES = {
    0: _l("Not in place"),
    1: _l("First steps"),
    2: _l("Partly in place"),
    3: _l("Largely in place"),
    4: _l("Fully established"),
}

RELEVANCE_NAMES = {
    1: _l("very low"),
    2: _l("low"),
    3: _l("medium"),
    4: _l("high"),
    5: _l("very high"),
}

PROFILE_LABELS = {
    "municipality_name": _l("Name of the municipality"),
    "municipality_type": _l("Type of municipality"),
    "state": _l("Federal state"),
    "population_band": _l("Population"),
    "staff_band": _l("Administrative staff"),
    "association_kind": _l("Joint administration"),
    "association_name": _l("Name of the joint administration"),
    "it_provider": _l("IT service provider"),
}

PROGRESS_NAMES = {
    "open": _l("Open"),
    "started": _l("Started"),
    "done": _l("Done"),
}
