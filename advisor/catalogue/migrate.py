"""PURE: carry answers and a profile from an older catalogue version onto a newer one.

The catalogue's ``migrations`` say how: question ids renamed or removed, profile values
mapped (``amt`` -> ``verwaltungsverband``) or split (a population band cut at a legal
threshold, offered to the user once to choose from). Used for imported exchange files and
for stored assessments alike, so both follow the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .loader import Catalogue
from .schema import Migration, Text

T = TypeVar("T")


class NoMigration(LookupError):
    """The catalogue has no rule for carrying answers over from that version."""


@dataclass(frozen=True)
class Carried(Generic[T]):
    """Answers and profile in the newer version, and what the user must be told or asked."""

    answers: dict[str, T]
    profile: dict[str, str | None]
    #: Profile key -> the values the old one was split into; the key itself is left empty.
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    removed: tuple[str, ...] = ()
    note: Text | None = None


def migration_for(catalogue: Catalogue, version: str) -> Migration | None:
    """The rule that carries ``version`` onto ``catalogue``; None if it is the same version."""
    if version == catalogue.version:
        return None
    for migration in catalogue.migrations:
        if migration.from_version == version:
            return migration
    raise NoMigration(version)


def carry_over(
    catalogue: Catalogue,
    version: str,
    answers: Mapping[str, T],
    profile: Mapping[str, str | None],
) -> Carried[T]:
    """Map answers and profile of ``version`` onto ``catalogue``; raise :class:`NoMigration`.

    Unknown question ids stay in ``answers`` under their old id: the caller decides whether
    that is an error (an import) or cannot happen (a stored assessment).
    """
    migration = migration_for(catalogue, version)
    if migration is None:
        return Carried(dict(answers), dict(profile))
    removed = tuple(qid for qid in answers if qid in migration.removed)
    moved = {
        migration.renamed.get(qid, qid): answer
        for qid, answer in answers.items()
        if qid not in migration.removed
    }
    new_profile = dict(profile)
    choices: dict[str, tuple[str, ...]] = {}
    for key, mapping in migration.profile.items():
        old = new_profile.get(key)
        if old is None or old not in mapping:
            continue
        targets = mapping[old]
        if len(targets) == 1:
            new_profile[key] = targets[0]
        else:
            new_profile[key] = None
            choices[key] = tuple(targets)
    return Carried(moved, new_profile, choices, removed, migration.note)
