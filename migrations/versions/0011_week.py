"""The week as people live it: a farm's « mes produits », canteens' closures and school zone.

Revision ID: 0011_week
Revises: 0010_coord
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_week"
down_revision: str | None = "0010_coord"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "farm_products",
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("learnt", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_farm_products_farm_id_farms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_farm_products_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("farm_id", "product_id", name=op.f("pk_farm_products")),
    )
    op.create_index(
        op.f("ix_farm_products_product_id"), "farm_products", ["product_id"], unique=False
    )
    op.create_table(
        "canteen_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("canteen_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_canteen_closures_dates")),
        sa.ForeignKeyConstraint(
            ["canteen_id"], ["canteens.id"], name=op.f("fk_canteen_closures_canteen_id_canteens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canteen_closures")),
    )
    op.create_index(
        op.f("ix_canteen_closures_canteen_id"), "canteen_closures", ["canteen_id"], unique=False
    )
    with op.batch_alter_table("canteens") as batch:
        batch.add_column(sa.Column("school_zone", sa.String(length=1), nullable=True))
        batch.create_check_constraint(
            "school_zone", "school_zone IS NULL OR school_zone IN ('A', 'B', 'C')"
        )
    # The platform serves the Comminges (académie de Toulouse): its schools follow zone C.
    op.execute(
        "UPDATE canteens SET school_zone = 'C' WHERE kind IN ('school', 'secondary_school')"
    )
    # « Mes produits » learnt from each farm's past offers.
    op.execute(
        "INSERT INTO farm_products (farm_id, product_id, learnt) "
        "SELECT DISTINCT farm_id, product_id, true FROM availability_lines WHERE quantity > 0"
    )


def downgrade() -> None:
    with op.batch_alter_table("canteens") as batch:
        batch.drop_constraint("school_zone", type_="check")
        batch.drop_column("school_zone")
    op.drop_index(op.f("ix_canteen_closures_canteen_id"), table_name="canteen_closures")
    op.drop_table("canteen_closures")
    op.drop_index(op.f("ix_farm_products_product_id"), table_name="farm_products")
    op.drop_table("farm_products")
