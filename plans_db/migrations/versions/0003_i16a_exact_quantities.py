"""Stock quantities as exact decimals: NUMERIC(18, 6) instead of DOUBLE.

inventory_lines.quantity and material_dispatches.quantity / consumed / returned held binary
floats (2.3 - 2.0 left 0.2999999999999998 in a depot).  Existing values are rounded to six
decimals, the scale kept from now on (see responder/models/quantity.py).

Revision ID: 0003_i16a
Revises: 0003_i11
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_i16a"
down_revision = "0003_i11"
branch_labels = None
depends_on = None

COLUMNS = {
    "inventory_lines": (("quantity", False),),
    "material_dispatches": (("quantity", False), ("consumed", True), ("returned", True)),
}
EXACT = sa.Numeric(18, 6)


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, columns in COLUMNS.items():
        for name, _nullable in columns:
            op.execute(
                f"UPDATE {table} SET {name} = round({name}::numeric, 6)"
                if postgres
                else f"UPDATE {table} SET {name} = round({name}, 6)"
            )
        with op.batch_alter_table(table) as batch:
            for name, nullable in columns:
                batch.alter_column(
                    name,
                    existing_type=sa.Double(),
                    type_=EXACT,
                    existing_nullable=nullable,
                    postgresql_using=f"round({name}::numeric, 6)",
                )


def downgrade():
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for name, nullable in columns:
                batch.alter_column(
                    name,
                    existing_type=EXACT,
                    type_=sa.Double(),
                    existing_nullable=nullable,
                    postgresql_using=f"{name}::double precision",
                )
