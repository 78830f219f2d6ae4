"""The Alembic migrations build the models' schema from empty, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from responder import create_app
from responder.models import Base, db
from tests.fixtures.databases import scratch_database


def migrate_and_compare(url: str) -> list:
    app = create_app({"DATABASE_URL": url, "LOAD_ROADS": False})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            # The audit log refuses changes in the database itself.
            connection.execute(
                sa.text(
                    "INSERT INTO audit_log (at, username, action, entity, note) "
                    "VALUES (CURRENT_TIMESTAMP, 'x', 'create', 'test', '')"
                )
            )
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                connection.execute(sa.text("UPDATE audit_log SET note = 'changed'"))
            connection.rollback()
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert sa.inspect(connection).get_table_names() == ["alembic_version"]
        db.engine.dispose()
    return diff


def test_sqlite_from_empty(tmp_path: Path) -> None:
    assert migrate_and_compare(f"sqlite:///{tmp_path / 'empty.sqlite'}") == []


@pytest.mark.postgres
def test_postgresql_from_empty() -> None:
    with scratch_database("responder_test") as url:
        assert migrate_and_compare(url) == []
