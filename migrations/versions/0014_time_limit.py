"""Allocation runs record whether their solve passed its time limit (cut short by time).

Revision ID: 0014_time_limit
Revises: 0013_round_costs
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_time_limit"
down_revision: str | None = "0013_round_costs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Earlier runs keep null: their results did not say.
    with op.batch_alter_table("allocation_runs") as batch:
        batch.add_column(sa.Column("time_limit_reached", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("allocation_runs") as batch:
        batch.drop_column("time_limit_reached")
