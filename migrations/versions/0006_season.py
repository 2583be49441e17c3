"""The coming season: history before PIAL, crops declared, season plans, tender lots.

Revision ID: 0006_season
Revises: 0004_egalim
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_season"
down_revision: str | None = "0004_egalim"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "farm_weeks_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("monday_date", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_farm_weeks_off_farm_id_farms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_farm_weeks_off")),
        sa.UniqueConstraint(
            "farm_id", "monday_date", name=op.f("uq_farm_weeks_off_farm_id_monday_date")
        ),
    )
    op.create_index(op.f("ix_farm_weeks_off_farm_id"), "farm_weeks_off", ["farm_id"], unique=False)

    op.create_table(
        "season_history_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("order", "offer", "loss", name="historykind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("monday_date", sa.Date(), nullable=False),
        sa.Column("canteen_id", sa.Integer(), nullable=True),
        sa.Column("farm_id", sa.Integer(), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'order') = (canteen_id IS NOT NULL)",
            name=op.f("ck_season_history_lines_owner_kind"),
        ),
        sa.CheckConstraint(
            "kind IN ('order', 'offer', 'loss')", name=op.f("ck_season_history_lines_kind")
        ),
        sa.CheckConstraint(
            "(canteen_id IS NULL) != (farm_id IS NULL)",
            name=op.f("ck_season_history_lines_one_owner"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_season_history_lines_quantity")),
        sa.ForeignKeyConstraint(
            ["canteen_id"],
            ["canteens.id"],
            name=op.f("fk_season_history_lines_canteen_id_canteens"),
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_season_history_lines_farm_id_farms")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_season_history_lines_product_id_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_season_history_lines")),
    )
    op.create_index(
        op.f("ix_season_history_lines_canteen_id"),
        "season_history_lines",
        ["canteen_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_season_history_lines_farm_id"), "season_history_lines", ["farm_id"], unique=False
    )
    op.create_index(
        op.f("ix_season_history_lines_monday_date"),
        "season_history_lines",
        ["monday_date"],
        unique=False,
    )
    op.create_index(
        op.f("ix_season_history_lines_product_id"),
        "season_history_lines",
        ["product_id"],
        unique=False,
    )

    op.create_table(
        "crop_declarations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("season_year", sa.SmallInteger(), nullable=False),
        sa.Column("max_weekly_quantity", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("area_m2", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("yield_per_m2", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "(area_m2 IS NULL) = (yield_per_m2 IS NULL)",
            name=op.f("ck_crop_declarations_area_and_yield"),
        ),
        sa.CheckConstraint(
            "area_m2 IS NULL OR area_m2 > 0", name=op.f("ck_crop_declarations_area_m2")
        ),
        sa.CheckConstraint(
            "max_weekly_quantity IS NULL OR max_weekly_quantity >= 0",
            name=op.f("ck_crop_declarations_max_weekly_quantity"),
        ),
        sa.CheckConstraint(
            "yield_per_m2 IS NULL OR yield_per_m2 > 0",
            name=op.f("ck_crop_declarations_yield_per_m2"),
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_crop_declarations_farm_id_farms")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_crop_declarations_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_crop_declarations_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crop_declarations")),
        sa.UniqueConstraint(
            "farm_id",
            "product_id",
            "season_year",
            name=op.f("uq_crop_declarations_farm_id_product_id_season_year"),
        ),
    )
    op.create_index(
        op.f("ix_crop_declarations_farm_id"), "crop_declarations", ["farm_id"], unique=False
    )
    op.create_index(
        op.f("ix_crop_declarations_product_id"), "crop_declarations", ["product_id"], unique=False
    )

    op.create_table(
        "season_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("season_year", sa.SmallInteger(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "optimal", "feasible", "infeasible", name="planstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("service_level", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("max_share", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("advance_share", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("scenarios", sa.Integer(), nullable=False),
        sa.Column("met_share", sa.Float(), nullable=False),
        sa.Column("demand_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("planned_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("solve_s", sa.Float(), nullable=False),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('optimal', 'feasible', 'infeasible')", name=op.f("ck_season_plans_status")
        ),
        sa.CheckConstraint(
            "advance_share >= 0 AND advance_share <= 1", name=op.f("ck_season_plans_advance_share")
        ),
        sa.CheckConstraint(
            "max_share > 0 AND max_share <= 1", name=op.f("ck_season_plans_max_share")
        ),
        sa.CheckConstraint("sequence >= 1", name=op.f("ck_season_plans_sequence")),
        sa.CheckConstraint(
            "service_level > 0 AND service_level < 1", name=op.f("ck_season_plans_service_level")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_season_plans_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_season_plans_published_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_season_plans")),
        sa.UniqueConstraint(
            "season_year", "sequence", name=op.f("uq_season_plans_season_year_sequence")
        ),
    )
    op.create_table(
        "tender_lots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("tender_reference", sa.String(length=100), nullable=True),
        sa.Column("lot_label", sa.String(length=100), nullable=True),
        sa.Column("canteen_id", sa.Integer(), nullable=True),
        sa.Column("canteen_group_id", sa.Integer(), nullable=True),
        sa.Column("delivery_sites", sa.Text(), nullable=True),
        sa.Column("delivery_weekdays", sa.String(length=20), nullable=False),
        sa.Column("years", sa.SmallInteger(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("confidence", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft", "answered", "won", "lost", name="lotstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("lead_farm_id", sa.Integer(), nullable=True),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("answered_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("draws", sa.Integer(), nullable=True),
        sa.Column("answer_s", sa.Float(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'answered', 'won', 'lost')", name=op.f("ck_tender_lots_status")
        ),
        sa.CheckConstraint(
            "(canteen_id IS NULL) != (canteen_group_id IS NULL)",
            name=op.f("ck_tender_lots_one_buyer"),
        ),
        sa.CheckConstraint(
            "confidence > 0.5 AND confidence < 1", name=op.f("ck_tender_lots_confidence")
        ),
        sa.CheckConstraint("years BETWEEN 1 AND 10", name=op.f("ck_tender_lots_years")),
        sa.ForeignKeyConstraint(
            ["canteen_group_id"],
            ["canteen_groups.id"],
            name=op.f("fk_tender_lots_canteen_group_id_canteen_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["canteen_id"], ["canteens.id"], name=op.f("fk_tender_lots_canteen_id_canteens")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_tender_lots_contract_id_contracts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lead_farm_id"], ["farms.id"], name=op.f("fk_tender_lots_lead_farm_id_farms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_lots")),
    )
    op.create_index(
        op.f("ix_tender_lots_canteen_group_id"), "tender_lots", ["canteen_group_id"], unique=False
    )
    op.create_index(op.f("ix_tender_lots_canteen_id"), "tender_lots", ["canteen_id"], unique=False)
    op.create_index(
        op.f("ix_tender_lots_contract_id"), "tender_lots", ["contract_id"], unique=False
    )
    op.create_index(
        op.f("ix_tender_lots_lead_farm_id"), "tender_lots", ["lead_farm_id"], unique=False
    )

    op.create_table(
        "season_plan_covers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("monday_date", sa.Date(), nullable=False),
        sa.Column("demand_mean", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("planned", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("met_share", sa.Float(), nullable=False),
        sa.Column("gap", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["season_plans.id"],
            name=op.f("fk_season_plan_covers_plan_id_season_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_season_plan_covers_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_season_plan_covers")),
        sa.UniqueConstraint(
            "plan_id",
            "product_id",
            "monday_date",
            name=op.f("uq_season_plan_covers_plan_id_product_id_monday_date"),
        ),
    )
    op.create_index(
        op.f("ix_season_plan_covers_product_id"), "season_plan_covers", ["product_id"], unique=False
    )

    op.create_table(
        "season_plan_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("monday_date", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_season_plan_lines_quantity")),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_season_plan_lines_farm_id_farms")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["season_plans.id"],
            name=op.f("fk_season_plan_lines_plan_id_season_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_season_plan_lines_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_season_plan_lines")),
        sa.UniqueConstraint(
            "plan_id",
            "farm_id",
            "product_id",
            "monday_date",
            name=op.f("uq_season_plan_lines_plan_id_farm_id_product_id_monday_date"),
        ),
    )
    op.create_index(
        op.f("ix_season_plan_lines_farm_id"), "season_plan_lines", ["farm_id"], unique=False
    )
    op.create_index(
        "ix_season_plan_lines_plan_id_farm_id",
        "season_plan_lines",
        ["plan_id", "farm_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_season_plan_lines_product_id"), "season_plan_lines", ["product_id"], unique=False
    )

    op.create_table(
        "season_plan_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("season_year", sa.SmallInteger(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("first_monday", sa.Date(), nullable=False),
        sa.Column("last_monday", sa.Date(), nullable=False),
        sa.Column("weekly_quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                name="proposalstate",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "state IN ('pending', 'accepted', 'declined')",
            name=op.f("ck_season_plan_proposals_state"),
        ),
        sa.CheckConstraint(
            "last_monday >= first_monday", name=op.f("ck_season_plan_proposals_weeks")
        ),
        sa.CheckConstraint(
            "weekly_quantity >= 0", name=op.f("ck_season_plan_proposals_weekly_quantity")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_season_plan_proposals_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_season_plan_proposals_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_season_plan_proposals_farm_id_farms")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["season_plans.id"],
            name=op.f("fk_season_plan_proposals_plan_id_season_plans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_season_plan_proposals_product_id_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_season_plan_proposals")),
    )
    op.create_index(
        op.f("ix_season_plan_proposals_farm_id"), "season_plan_proposals", ["farm_id"], unique=False
    )
    op.create_index(
        op.f("ix_season_plan_proposals_plan_id"), "season_plan_proposals", ["plan_id"], unique=False
    )
    op.create_index(
        op.f("ix_season_plan_proposals_product_id"),
        "season_plan_proposals",
        ["product_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_season_plan_proposals_season_year"),
        "season_plan_proposals",
        ["season_year"],
        unique=False,
    )

    op.create_table(
        "tender_lot_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("yearly_estimate", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("production_cost_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("margin_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("intermediation_fee_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("volume_90", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("volume_95", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("volume_99", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("committed_quantity", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("expected_shortfall", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("shortfall_probability", sa.Float(), nullable=True),
        sa.Column("expected_deliverable", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "production_cost_eur >= 0 AND margin_eur >= 0 AND intermediation_fee_eur >= 0",
            name=op.f("ck_tender_lot_lines_non_negative"),
        ),
        sa.CheckConstraint("yearly_estimate > 0", name=op.f("ck_tender_lot_lines_yearly_estimate")),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["tender_lots.id"],
            name=op.f("fk_tender_lot_lines_lot_id_tender_lots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_tender_lot_lines_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_lot_lines")),
        sa.UniqueConstraint(
            "lot_id", "product_id", name=op.f("uq_tender_lot_lines_lot_id_product_id")
        ),
    )
    op.create_index(
        op.f("ix_tender_lot_lines_product_id"), "tender_lot_lines", ["product_id"], unique=False
    )

    op.create_table(
        "tender_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_line_id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("volume_share", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("own_shortfall", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("covers_for_others", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.CheckConstraint(
            "volume_share > 0 AND volume_share <= 1", name=op.f("ck_tender_shares_volume_share")
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_tender_shares_farm_id_farms")
        ),
        sa.ForeignKeyConstraint(
            ["lot_line_id"],
            ["tender_lot_lines.id"],
            name=op.f("fk_tender_shares_lot_line_id_tender_lot_lines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_shares")),
        sa.UniqueConstraint(
            "lot_line_id", "farm_id", name=op.f("uq_tender_shares_lot_line_id_farm_id")
        ),
    )
    op.create_index(op.f("ix_tender_shares_farm_id"), "tender_shares", ["farm_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_tender_shares_farm_id"), table_name="tender_shares")

    op.drop_table("tender_shares")
    op.drop_index(op.f("ix_tender_lot_lines_product_id"), table_name="tender_lot_lines")

    op.drop_table("tender_lot_lines")
    op.drop_index(op.f("ix_season_plan_proposals_season_year"), table_name="season_plan_proposals")
    op.drop_index(op.f("ix_season_plan_proposals_product_id"), table_name="season_plan_proposals")
    op.drop_index(op.f("ix_season_plan_proposals_plan_id"), table_name="season_plan_proposals")
    op.drop_index(op.f("ix_season_plan_proposals_farm_id"), table_name="season_plan_proposals")

    op.drop_table("season_plan_proposals")
    op.drop_index(op.f("ix_season_plan_lines_product_id"), table_name="season_plan_lines")
    op.drop_index("ix_season_plan_lines_plan_id_farm_id", table_name="season_plan_lines")
    op.drop_index(op.f("ix_season_plan_lines_farm_id"), table_name="season_plan_lines")

    op.drop_table("season_plan_lines")
    op.drop_index(op.f("ix_season_plan_covers_product_id"), table_name="season_plan_covers")

    op.drop_table("season_plan_covers")
    op.drop_index(op.f("ix_tender_lots_lead_farm_id"), table_name="tender_lots")
    op.drop_index(op.f("ix_tender_lots_contract_id"), table_name="tender_lots")
    op.drop_index(op.f("ix_tender_lots_canteen_id"), table_name="tender_lots")
    op.drop_index(op.f("ix_tender_lots_canteen_group_id"), table_name="tender_lots")

    op.drop_table("tender_lots")
    op.drop_table("season_plans")
    op.drop_index(op.f("ix_crop_declarations_product_id"), table_name="crop_declarations")
    op.drop_index(op.f("ix_crop_declarations_farm_id"), table_name="crop_declarations")

    op.drop_table("crop_declarations")
    op.drop_index(op.f("ix_season_history_lines_product_id"), table_name="season_history_lines")
    op.drop_index(op.f("ix_season_history_lines_monday_date"), table_name="season_history_lines")
    op.drop_index(op.f("ix_season_history_lines_farm_id"), table_name="season_history_lines")
    op.drop_index(op.f("ix_season_history_lines_canteen_id"), table_name="season_history_lines")

    op.drop_table("season_history_lines")
    op.drop_index(op.f("ix_farm_weeks_off_farm_id"), table_name="farm_weeks_off")

    op.drop_table("farm_weeks_off")
