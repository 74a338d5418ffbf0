"""Command line and start-up: catalogue check and stats, refusal to start when unsafe."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from advisor import create_app
from advisor.catalogue import CatalogueError
from advisor.config import ConfigurationError
from tests.conftest import CATALOGUES, PROJECT


def flask(*args, env=None, cwd=PROJECT):
    environment = {**os.environ, "ADVISOR_ENV": "development", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def broken(tmp_path):
    target = tmp_path / "catalogues"
    shutil.copytree(CATALOGUES, target)
    beta = target / "mini" / "fields" / "beta.yaml"
    beta.write_text(beta.read_text().replace('en: "How many?"', 'en: ""'))
    return target


def test_catalogue_check_passes_for_the_shipped_catalogue(tmp_path):
    result = flask("catalogue", "check", env={"ADVISOR_INSTANCE_PATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "ok – catalogue kommunal" in result.stdout


def test_catalogue_check_names_file_and_line_and_exits_1(broken, tmp_path):
    env = {
        "ADVISOR_CATALOGUE_DIR": str(broken),
        "ADVISOR_ACTIVE_CATALOGUE": "mini",
        "ADVISOR_INSTANCE_PATH": str(tmp_path),
    }
    result = flask("catalogue", "check", env=env)
    assert result.returncode == 1
    assert f"{broken}/mini/fields/beta.yaml:" in result.stderr
    assert "questions[1].text.en: empty English text" in result.stderr
    # Naming one file checks the catalogue it belongs to.
    result = flask("catalogue", "check", str(broken / "mini" / "fields" / "beta.yaml"), env=env)
    assert result.returncode == 1
    assert "empty English text" in result.stderr


def test_app_refuses_to_start_with_a_broken_catalogue(broken, tmp_path):
    with pytest.raises(CatalogueError) as info:
        create_app(
            {
                "TESTING": True,
                "CATALOGUE_DIR": str(broken),
                "ACTIVE_CATALOGUE": "mini",
                "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
            }
        )
    assert "beta.yaml" in str(info.value)
    result = flask(
        "routes", env={"ADVISOR_CATALOGUE_DIR": str(broken), "ADVISOR_INSTANCE_PATH": str(tmp_path)}
    )
    assert result.returncode != 0
    assert "empty English text" in result.stderr


def test_catalogue_stats_json(tmp_path):
    result = flask("catalogue", "stats", "--json", env={"ADVISOR_INSTANCE_PATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["id"] == "kommunal"
    assert set(stats["questions_per_field"]) == {
        "citizen_service",
        "internal_processes",
        "organisation",
        "energy",
        "mobility",
    }
    assert stats["questions"] == sum(stats["questions_per_field"].values())
    assert sum(stats["question_types"].values()) == stats["questions"]
    assert set(stats["measures_per_field"]) == {*stats["questions_per_field"], "cross_cutting"}
    assert stats["measures"] == sum(stats["measures_per_field"].values())
    assert 0 < stats["profile_dependent_share"] <= 1
    assert set(stats["framework_coverage"]) == {"eu_dma", "bitkom_sci", "eea", "ozg"}


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("ADVISOR_SECRET_KEY", raising=False)
    monkeypatch.setenv("ADVISOR_ENV", "production")
    with pytest.raises(ConfigurationError, match="ADVISOR_SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "SECRET_KEY": "k" * 64})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_ENV", "development")
    monkeypatch.setenv("ADVISOR_DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    monkeypatch.setenv("ADVISOR_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app()
    assert app.config["SQLALCHEMY_ENGINES"]["default"]["url"] == f"sqlite:///{tmp_path}/env.db"
    # Development keeps one generated key per instance, so sessions survive restarts.
    assert app.config["SECRET_KEY"] == create_app().config["SECRET_KEY"]


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_ENV", "development")
    monkeypatch.delenv("ADVISOR_DATABASE_URL", raising=False)
    monkeypatch.setenv("ADVISOR_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'inst' / 'advisor.sqlite3'}"


def test_users_create(runner):
    result = runner.invoke(args=["users", "create", "Beraterin@Example.org", "--role", "advisor"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["users", "create", "beraterin@example.org", "--role", "admin"])
    assert again.exit_code != 0 and "exists already" in again.output
