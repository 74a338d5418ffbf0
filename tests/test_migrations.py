"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from advisor.db import Base, db
from tests.conftest import database_url, make_app


def empty_database(engine) -> None:
    """No tables, no migration history: as on a new installation."""
    Base.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


HASH = "a" * 64
NOW = "2026-11-30 10:00:00+00:00"


def insert_assessment(connection, **columns) -> None:
    """A catalogue snapshot and assessment 1, with the columns of the revision at hand."""
    connection.execute(
        sa.text(
            "INSERT INTO catalogue_snapshots (hash, catalogue_id, version, content, created_at) "
            "VALUES (:h, 'kommunal', '2026.2', '{}', :now)"
        ),
        {"h": HASH, "now": NOW},
    )
    values = {
        "id": 1,
        "public_id": "p1",
        "catalogue_id": "kommunal",
        "catalogue_version": "2026.2",
        "catalogue_hash": HASH,
        "status": "in_progress",
        "locale": "de",
        "revision": 3,
        "created_at": NOW,
        "updated_at": NOW,
        "municipality_name": "Musterbach",
        "it_provider": "",
    } | columns
    names, params = ", ".join(values), ", ".join(f":{name}" for name in values)
    connection.execute(sa.text(f"INSERT INTO assessments ({names}) VALUES ({params})"), values)


def test_upgrade_matches_models_and_downgrade_cleans_up(backend, tmp_path):
    app = make_app(database_url(backend, tmp_path), tmp_path)
    with app.app_context():
        engine = db.engine
        empty_database(engine)
        upgrade()
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        downgrade(revision="base")
        remaining = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        engine.dispose()


def test_profile_columns_are_added_to_existing_assessments(backend, tmp_path):
    """0003 keeps every stored assessment as it was and gives it an empty administration name."""
    app = make_app(database_url(backend, tmp_path), tmp_path)
    with app.app_context():
        engine = db.engine
        empty_database(engine)
        upgrade(revision="0002")
        with engine.begin() as connection:
            insert_assessment(
                connection,
                municipality_name="Amt Beispielsee",
                municipality_type="amt",
                state="SH",
                population_band="5k-20k",
                staff_band="lt20",
            )
        upgrade()
        with engine.connect() as connection:
            row = connection.execute(
                sa.text(
                    "SELECT municipality_name, municipality_type, population_band, revision, "
                    "association_kind, association_name, upgrade_notice FROM assessments "
                    "WHERE public_id = 'p1'"
                )
            ).one()
        # The catalogue upgrade (amt -> verwaltungsverband, the split band) is the
        # application's, when the assessment is opened; the schema migration changes no value.
        assert tuple(row) == ("Amt Beispielsee", "amt", "5k-20k", 3, None, "", None)
        downgrade(revision="base")
        engine.dispose()


def test_stored_reports_become_finished_reports(backend, tmp_path):
    """0005 keeps every cached PDF, as a finished report asked for and made when it was stored."""
    app = make_app(database_url(backend, tmp_path), tmp_path)
    with app.app_context():
        engine = db.engine
        empty_database(engine)
        upgrade(revision="0004")
        with engine.begin() as connection:
            insert_assessment(
                connection,
                municipality_type="gemeinde",
                state="HE",
                population_band="5k-20k",
                staff_band="lt20",
                association_name="",
            )
            connection.execute(
                sa.text(
                    "INSERT INTO report_cache (assessment_id, locale, key, pdf, render_ms, created_at) "
                    "VALUES (1, 'de', '3:2026-11-30:abc', :pdf, 1500, :now)"
                ),
                {"pdf": b"%PDF-stored", "now": NOW},
            )
        upgrade()
        with engine.connect() as connection:
            row = connection.execute(
                sa.text(
                    "SELECT status, error, pdf, render_ms, requested_at, started_at, finished_at "
                    "FROM report_cache"
                )
            ).one()
        assert (row.status, row.error, bytes(row.pdf), row.render_ms) == ("ready", None, b"%PDF-stored", 1500)
        assert row.requested_at == row.started_at == row.finished_at
        downgrade(revision="0004")
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT pdf FROM report_cache")).scalar_one() == b"%PDF-stored"
        downgrade(revision="base")
        engine.dispose()


def test_no_migration_loses_the_rows_that_hang_on_an_assessment(backend, tmp_path):
    """SQLite rebuilds a table to alter it; with foreign keys on, dropping the old assessments
    table deleted every answer through ON DELETE CASCADE (0004 did, before env.py switched
    foreign keys off while migrating). Up to the newest revision and back, all rows stay."""
    app = make_app(database_url(backend, tmp_path), tmp_path)
    with app.app_context():
        engine = db.engine
        empty_database(engine)
        upgrade(revision="0003")
        with engine.begin() as connection:
            insert_assessment(connection, association_name="")
            rows = {
                "answers": (
                    "assessment_id, question_id, state, value, note, updated_at",
                    "1, 'q1', 'answered', '2', 'n', :now",
                ),
                "priorities": ("assessment_id, field_id, relevance, target_level", "1, 'energy', 4, 3"),
                "respondents": ("id, assessment_id, label, role, created_at", "1, 1, 'Kämmerei', '', :now"),
                "respondent_answers": (
                    "respondent_id, question_id, state, value, note, updated_at",
                    "1, 'q1', 'answered', '1', '', :now",
                ),
                "report_cache": (
                    "assessment_id, locale, key, pdf, render_ms, created_at",
                    "1, 'de', 'k', :pdf, 1, :now",
                ),
            }
            for table, (columns, values) in rows.items():
                connection.execute(
                    sa.text(f"INSERT INTO {table} ({columns}) VALUES ({values})"),
                    {"now": NOW, "pdf": b"%PDF"},
                )
        tables = ("assessments", "answers", "priorities", "respondents", "respondent_answers", "report_cache")

        def counts() -> dict:
            with engine.connect() as connection:
                return {t: connection.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}

        assert counts() == dict.fromkeys(tables, 1)
        upgrade()
        assert counts() == dict.fromkeys(tables, 1)
        with engine.connect() as connection:  # 0010 gives earlier respondents a public id
            public_id = connection.execute(sa.text("SELECT public_id FROM respondents")).scalar()
        assert isinstance(public_id, str) and len(public_id) == 32
        with engine.connect() as connection:  # 0013: earlier assessments are first rounds, boards empty
            query = "SELECT predecessor_id, predecessor_hash FROM assessments"
            link = connection.execute(sa.text(query)).one()
            assert tuple(link) == (None, None)
            assert connection.execute(sa.text("SELECT count(*) FROM measure_progress")).scalar() == 0
        downgrade(revision="0003")
        assert counts() == dict.fromkeys(tables, 1)
        if backend == "sqlite":  # foreign keys are on again for the application's connections
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        downgrade(revision="base")
        engine.dispose()
