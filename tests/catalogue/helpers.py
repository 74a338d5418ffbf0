"""Editing copies of the fixture catalogue and reading the problems the loader reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.catalogue import CatalogueError, load_catalogue
from tests.conftest import CATALOGUES

MINI = CATALOGUES / "mini"
TASKS = CATALOGUES / "tasks"


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first occurrence of ``old``; fail loudly if the fixture changed."""
    text = path.read_text()
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1))


def problems(directory: Path) -> list[str]:
    """The problems a broken catalogue is refused with."""
    with pytest.raises(CatalogueError) as info:
        load_catalogue(directory)
    return [str(p) for p in info.value.problems]


def line_of(path: Path, needle: str) -> int:
    """1-based line number of the first line containing ``needle``."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)
