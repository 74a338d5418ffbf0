"""A fresh copy of the fixture catalogue per test, to break on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.catalogue.helpers import MINI


@pytest.fixture
def mini(tmp_path) -> Path:
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target
