"""h13c drill injects (timed events in a drill's scenario), the enterprise a simulated
incident was placed on, and the evaluation saved with a drill run.

Revision ID: 0004_h13c
Revises: 0004_h13b
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_h13c"
down_revision = "0004_h13b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "drill_injects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("at_min", sa.Double(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("incident_type", sa.String(length=32), nullable=True),
        sa.Column("severity", sa.String(length=20), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("radius_m", sa.Double(), nullable=True),
        sa.Column("line", sa.JSON(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.CheckConstraint("at_min >= 0", name=op.f("ck_drill_injects_at_nonnegative")),
        sa.ForeignKeyConstraint(
            ["drill_id"],
            ["drills.id"],
            name=op.f("fk_drill_injects_drill_id_drills"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_drill_injects_team_id_teams")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["drill_incidents.id"],
            name=op.f("fk_drill_injects_incident_id_drill_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_drill_injects_enterprise_id_enterprises"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_injects")),
    )
    with op.batch_alter_table("drill_injects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drill_injects_drill_id"), ["drill_id"], unique=False)
    with op.batch_alter_table("drill_incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enterprise_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_drill_incidents_enterprise_id_enterprises"),
            "enterprises",
            ["enterprise_id"],
            ["id"],
        )
    with op.batch_alter_table("drill_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evaluation", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("drill_runs", schema=None) as batch_op:
        batch_op.drop_column("evaluation")
    with op.batch_alter_table("drill_incidents", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_drill_incidents_enterprise_id_enterprises"), type_="foreignkey"
        )
        batch_op.drop_column("enterprise_id")
    with op.batch_alter_table("drill_injects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drill_injects_drill_id"))
    op.drop_table("drill_injects")
