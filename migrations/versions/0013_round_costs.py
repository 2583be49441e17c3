"""Delivery rounds kept as history: each day's routes, their costs and each farm's share.

Revision ID: 0013_round_costs
Revises: 0012_remember
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_round_costs"
down_revision: str | None = "0012_remember"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "round_day_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("pooled_km", sa.Float(), nullable=False),
        sa.Column("pooled_min", sa.Integer(), nullable=False),
        sa.Column("pooled_co2_kg", sa.Float(), nullable=False),
        sa.Column("pooled_cost_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("alone_km", sa.Float(), nullable=False),
        sa.Column("alone_min", sa.Integer(), nullable=False),
        sa.Column("alone_co2_kg", sa.Float(), nullable=False),
        sa.Column("alone_cost_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("unserved_lines", sa.Integer(), nullable=False),
        sa.Column("taken_dt", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("pooled_km >= 0 AND alone_km >= 0",
                           name=op.f("ck_round_day_snapshots_km")),
        sa.CheckConstraint("pooled_min >= 0 AND alone_min >= 0",
                           name=op.f("ck_round_day_snapshots_minutes")),
        sa.ForeignKeyConstraint(["week_id"], ["delivery_weeks.id"],
                                name=op.f("fk_round_day_snapshots_week_id_delivery_weeks"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_day_snapshots")),
        sa.UniqueConstraint("day", name=op.f("uq_round_day_snapshots_day")),
    )
    op.create_index(op.f("ix_round_day_snapshots_week_id"), "round_day_snapshots", ["week_id"],
                    unique=False)
    op.create_table(
        "round_route_costs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day_snapshot_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_name", sa.String(length=200), nullable=False),
        sa.Column("driver_farm_id", sa.Integer(), nullable=True),
        sa.Column("distance_km", sa.Float(), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("cost_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("co2_kg", sa.Float(), nullable=False),
        sa.Column("carried_kg_km", sa.Float(), nullable=False),
        sa.CheckConstraint("distance_km >= 0 AND duration_min >= 0 AND cost_eur >= 0",
                           name=op.f("ck_round_route_costs_route")),
        sa.ForeignKeyConstraint(
            ["day_snapshot_id"], ["round_day_snapshots.id"],
            name=op.f("fk_round_route_costs_day_snapshot_id_round_day_snapshots"),
            ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["driver_farm_id"], ["farms.id"],
                                name=op.f("fk_round_route_costs_driver_farm_id_farms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_route_costs")),
    )
    op.create_index(op.f("ix_round_route_costs_day_snapshot_id"), "round_route_costs",
                    ["day_snapshot_id"], unique=False)
    op.create_index(op.f("ix_round_route_costs_driver_farm_id"), "round_route_costs",
                    ["driver_farm_id"], unique=False)
    op.create_table(
        "round_cost_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("route_id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("kg_km", sa.Float(), nullable=False),
        sa.Column("share_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.CheckConstraint("kg_km >= 0 AND share_eur >= 0",
                           name=op.f("ck_round_cost_shares_share")),
        sa.ForeignKeyConstraint(["farm_id"], ["farms.id"],
                                name=op.f("fk_round_cost_shares_farm_id_farms")),
        sa.ForeignKeyConstraint(["route_id"], ["round_route_costs.id"],
                                name=op.f("fk_round_cost_shares_route_id_round_route_costs"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_cost_shares")),
        sa.UniqueConstraint("route_id", "farm_id",
                            name=op.f("uq_round_cost_shares_route_id_farm_id")),
    )
    op.create_index(op.f("ix_round_cost_shares_farm_id"), "round_cost_shares", ["farm_id"],
                    unique=False)
    op.create_index(op.f("ix_round_cost_shares_route_id"), "round_cost_shares", ["route_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_round_cost_shares_route_id"), table_name="round_cost_shares")
    op.drop_index(op.f("ix_round_cost_shares_farm_id"), table_name="round_cost_shares")
    op.drop_table("round_cost_shares")
    op.drop_index(op.f("ix_round_route_costs_driver_farm_id"), table_name="round_route_costs")
    op.drop_index(op.f("ix_round_route_costs_day_snapshot_id"), table_name="round_route_costs")
    op.drop_table("round_route_costs")
    op.drop_index(op.f("ix_round_day_snapshots_week_id"), table_name="round_day_snapshots")
    op.drop_table("round_day_snapshots")
