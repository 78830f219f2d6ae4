"""Sessions that end server-side, tokens that expire, throttled sign-in.

``users.session_version`` is part of every session's identity (sign-out and deactivation
raise it); ``api_tokens.expires_at`` bounds a token's life; ``login_failures`` counts failed
sign-ins per user name and per client address.

Revision ID: 0003_i16b
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_i16b"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(op.f("ix_login_failures_key"), "login_failures", ["key"])
    op.create_index(op.f("ix_login_failures_at"), "login_failures", ["at"])


def downgrade():
    op.drop_index(op.f("ix_login_failures_at"), table_name="login_failures")
    op.drop_index(op.f("ix_login_failures_key"), table_name="login_failures")
    op.drop_table("login_failures")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
