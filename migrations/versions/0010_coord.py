"""The week as people live it: crop losses against the plan, reception shortfalls, backup
coordinators and the coordinator's confirmation of their week.

Revision ID: 0010_coord
Revises: 0009_rounds
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_coord"
down_revision: str | None = "0009_rounds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crop_failures") as batch:
        batch.add_column(sa.Column("quantity_withdrawn", sa.Numeric(12, 3), nullable=True))
    with op.batch_alter_table("receipts") as batch:
        batch.add_column(sa.Column("shortfall_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("coordinator_assignments") as batch:
        batch.add_column(sa.Column("backup_farm_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("confirmed_dt", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("confirmed_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_coordinator_assignments_backup_farm_id_farms"), "farms",
            ["backup_farm_id"], ["id"],
        )
        batch.create_foreign_key(
            op.f("fk_coordinator_assignments_confirmed_by_id_users"), "users",
            ["confirmed_by_id"], ["id"], ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("coordinator_assignments") as batch:
        batch.drop_constraint(
            op.f("fk_coordinator_assignments_confirmed_by_id_users"), type_="foreignkey"
        )
        batch.drop_constraint(
            op.f("fk_coordinator_assignments_backup_farm_id_farms"), type_="foreignkey"
        )
        batch.drop_column("confirmed_by_id")
        batch.drop_column("confirmed_dt")
        batch.drop_column("backup_farm_id")
    with op.batch_alter_table("receipts") as batch:
        batch.drop_column("shortfall_reason")
    with op.batch_alter_table("crop_failures") as batch:
        batch.drop_column("quantity_withdrawn")
