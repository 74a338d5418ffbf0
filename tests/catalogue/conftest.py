"""A fresh copy of the fixture catalogue per test, to break on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.catalogue.helpers import MINI, TASKS


@pytest.fixture
def mini(tmp_path) -> Path:
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def tasks_dir(tmp_path) -> Path:
    """A copy of the fixture catalogue in the 2027 model (tasks, joint administrations)."""
    target = tmp_path / "tasks"
    shutil.copytree(TASKS, target)
    return target
