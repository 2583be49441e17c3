"""Delivery rounds: vehicles, collection points, canteens' delivery windows, road distances.

Revision ID: 0009_rounds
Revises: 0008_invoices
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_rounds"
down_revision: str | None = "0008_invoices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('road_distances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('place_a', sa.String(length=40), nullable=False),
    sa.Column('place_b', sa.String(length=40), nullable=False),
    sa.Column('distance_km', sa.Float(), nullable=False),
    sa.Column('duration_min', sa.Float(), nullable=True),
    sa.CheckConstraint('distance_km >= 0', name=op.f('ck_road_distances_distance')),
    sa.CheckConstraint('duration_min IS NULL OR duration_min >= 0', name=op.f('ck_road_distances_duration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_road_distances')),
    sa.UniqueConstraint('place_a', 'place_b', name=op.f('uq_road_distances_place_a_place_b'))
    )
    op.create_table('canteen_delivery_windows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('canteen_id', sa.Integer(), nullable=False),
    sa.Column('starts_min', sa.SmallInteger(), nullable=False),
    sa.Column('ends_min', sa.SmallInteger(), nullable=False),
    sa.Column('unloading_min', sa.SmallInteger(), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=True),
    sa.CheckConstraint('0 <= starts_min AND starts_min < ends_min AND ends_min <= 1440', name=op.f('ck_canteen_delivery_windows_window')),
    sa.ForeignKeyConstraint(['canteen_id'], ['canteens.id'], name=op.f('fk_canteen_delivery_windows_canteen_id_canteens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_canteen_delivery_windows'))
    )
    with op.batch_alter_table('canteen_delivery_windows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_canteen_delivery_windows_canteen_id'), ['canteen_id'], unique=False)

    op.create_table('collection_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('farm_id', sa.Integer(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('opens_min', sa.SmallInteger(), nullable=False),
    sa.Column('handover_min', sa.SmallInteger(), nullable=False),
    sa.Column('closes_min', sa.SmallInteger(), nullable=False),
    sa.Column('handling_min', sa.SmallInteger(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('0 <= opens_min AND opens_min <= handover_min AND handover_min <= closes_min AND closes_min <= 1440', name=op.f('ck_collection_points_hours')),
    sa.ForeignKeyConstraint(['farm_id'], ['farms.id'], name=op.f('fk_collection_points_farm_id_farms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_points'))
    )
    op.create_table('round_vehicles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('farm_id', sa.Integer(), nullable=True),
    sa.Column('depot_lat', sa.Float(), nullable=True),
    sa.Column('depot_lon', sa.Float(), nullable=True),
    sa.Column('capacity_kg', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.Column('capacity_crates', sa.Integer(), nullable=False),
    sa.Column('free_from_min', sa.SmallInteger(), nullable=False),
    sa.Column('free_until_min', sa.SmallInteger(), nullable=False),
    sa.Column('cost_per_km_eur', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('cost_per_hour_eur', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('driver_name', sa.String(length=200), nullable=True),
    sa.Column('driver_phone', sa.String(length=32), nullable=True),
    sa.Column('days_off', sa.String(length=20), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(farm_id IS NULL) = (depot_lat IS NOT NULL)', name=op.f('ck_round_vehicles_start')),
    sa.CheckConstraint('0 <= free_from_min AND free_from_min < free_until_min AND free_until_min <= 1440', name=op.f('ck_round_vehicles_free_hours')),
    sa.CheckConstraint('capacity_kg > 0 AND capacity_crates > 0', name=op.f('ck_round_vehicles_capacity')),
    sa.CheckConstraint('cost_per_km_eur >= 0 AND cost_per_hour_eur >= 0', name=op.f('ck_round_vehicles_costs')),
    sa.ForeignKeyConstraint(['farm_id'], ['farms.id'], name=op.f('fk_round_vehicles_farm_id_farms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_vehicles'))
    )
    with op.batch_alter_table('round_vehicles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_vehicles_farm_id'), ['farm_id'], unique=False)


    op.create_table(
        "round_pins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("allocation_line_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["allocation_line_id"], ["allocation_lines.id"],
            name=op.f("fk_round_pins_allocation_line_id_allocation_lines"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["round_vehicles.id"],
            name=op.f("fk_round_pins_vehicle_id_round_vehicles"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_pins")),
        sa.UniqueConstraint("allocation_line_id", name=op.f("uq_round_pins_allocation_line_id")),
    )
    with op.batch_alter_table("round_pins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_pins_vehicle_id"), ["vehicle_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("round_pins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_pins_vehicle_id"))

    op.drop_table("round_pins")
    with op.batch_alter_table('round_vehicles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_vehicles_farm_id'))

    op.drop_table('round_vehicles')
    op.drop_table('collection_points')
    with op.batch_alter_table('canteen_delivery_windows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_canteen_delivery_windows_canteen_id'))

    op.drop_table('canteen_delivery_windows')
    op.drop_table('road_distances')
