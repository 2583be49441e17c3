"""EGalim: the log of ma-cantine exports, canteens' other purchases, the local radius.

Revision ID: 0004_egalim
Revises: 0003_identities
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_egalim"
down_revision: str | None = "0003_identities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "macantine_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("canteen_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("total_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("exported_by_id", sa.Integer(), nullable=True),
        sa.Column("exported_dt", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("last_day >= first_day", name=op.f("ck_macantine_exports_period")),
        sa.CheckConstraint("rows >= 0", name=op.f("ck_macantine_exports_rows")),
        sa.ForeignKeyConstraint(
            ["canteen_id"], ["canteens.id"],
            name=op.f("fk_macantine_exports_canteen_id_canteens"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["exported_by_id"], ["users.id"],
            name=op.f("fk_macantine_exports_exported_by_id_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_macantine_exports")),
    )
    with op.batch_alter_table("macantine_exports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_macantine_exports_canteen_period", ["canteen_id", "first_day", "last_day"]
        )

    op.create_table(
        "other_purchases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("canteen_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("total_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("egalim_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("organic_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("local_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "organic_eur >= 0 AND local_eur >= 0", name=op.f("ck_other_purchases_non_negative")
        ),
        sa.CheckConstraint(
            "organic_eur <= egalim_eur AND egalim_eur <= total_eur",
            name=op.f("ck_other_purchases_nested"),
        ),
        sa.CheckConstraint("local_eur <= total_eur", name=op.f("ck_other_purchases_local")),
        sa.CheckConstraint(
            "source IN ('form', 'import')", name=op.f("ck_other_purchases_source")
        ),
        sa.ForeignKeyConstraint(
            ["canteen_id"], ["canteens.id"],
            name=op.f("fk_other_purchases_canteen_id_canteens"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"],
            name=op.f("fk_other_purchases_updated_by_id_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_other_purchases")),
        sa.UniqueConstraint("canteen_id", "month", name=op.f("uq_other_purchases_canteen_id_month")),
    )

    with op.batch_alter_table("platform", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "local_radius_km", sa.Integer(), server_default=sa.text("100"), nullable=False
            )
        )
        batch_op.create_check_constraint(
            "local_radius_km", "local_radius_km BETWEEN 1 AND 1000"
        )


def downgrade() -> None:
    with op.batch_alter_table("platform", schema=None) as batch_op:
        batch_op.drop_constraint("local_radius_km", type_="check")
        batch_op.drop_column("local_radius_km")
    op.drop_table("other_purchases")
    with op.batch_alter_table("macantine_exports", schema=None) as batch_op:
        batch_op.drop_index("ix_macantine_exports_canteen_period")
    op.drop_table("macantine_exports")
