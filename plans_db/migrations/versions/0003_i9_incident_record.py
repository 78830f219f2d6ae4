"""Incident record per the national rule (deaths, serious injuries, direct loss, derived
grade, the reason for a raised grade) and operators' notes on an incident's timeline.

Revision ID: 0003_i9
Revises: 0003_i16a
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_i9"
down_revision = "0003_i16a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deaths", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("serious_injuries", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("direct_loss_yuan", sa.Double(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("figures_estimated", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column(
                "derived_severity", sa.String(length=20), nullable=False, server_default="general"
            )
        )
        batch_op.add_column(
            sa.Column("severity_reason", sa.String(length=500), nullable=False, server_default="")
        )
    op.create_table(
        "incident_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_incident_notes_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_notes_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_notes")),
    )
    with op.batch_alter_table("incident_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_notes_incident_id"), ["incident_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("incident_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_notes_incident_id"))
    op.drop_table("incident_notes")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        for column in (
            "severity_reason",
            "derived_severity",
            "figures_estimated",
            "direct_loss_yuan",
            "serious_injuries",
            "deaths",
        ):
            batch_op.drop_column(column)
