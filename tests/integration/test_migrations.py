"""The Alembic migrations build the models' schema from empty, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from responder import create_app
from responder.models import Base, db


def postgres_url() -> str:
    url = os.environ.get("RESPONDER_TEST_PG_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("RESPONDER_TEST_PG_URL is not set: scripts/test.sh starts PostgreSQL")
        pytest.skip("no PostgreSQL server (run the suite through scripts/test.sh)")
    return url


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
    base_url = postgres_url()
    name = f"responder_test_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = sa.make_url(base_url).set(database=name).render_as_string(hide_password=False)
        assert migrate_and_compare(url) == []
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
