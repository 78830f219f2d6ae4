"""Key counties (重点县): a jurisdiction can be marked key for hazardous chemicals
(危化品重点县) and/or mining (矿山重点县); existing rows are not key.

Revision ID: 0004_h13b
Revises: 0003_i9
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_h13b"
down_revision = "0003_i9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("jurisdictions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("key_hazchem", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("key_mining", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("jurisdictions", schema=None) as batch_op:
        batch_op.drop_column("key_mining")
        batch_op.drop_column("key_hazchem")
