"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from advisor.db import Base, db
from tests.conftest import database_url, make_app


def test_upgrade_matches_models_and_downgrade_cleans_up(backend, tmp_path):
    app = make_app(database_url(backend, tmp_path), tmp_path)
    with app.app_context():
        engine = db.engine
        Base.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        downgrade(revision="base")
        remaining = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        engine.dispose()
