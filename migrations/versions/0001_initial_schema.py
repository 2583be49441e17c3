"""Initial schema: every PIAL table.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "canteen_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canteen_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_canteen_groups_name")),
    )
    op.create_table(
        "canteens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "school",
                "secondary_school",
                "nursing_home",
                "creche",
                "restaurant",
                name="canteenkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("siret", sa.String(length=14), nullable=True),
        sa.Column("commune", sa.String(length=200), nullable=False),
        sa.Column("insee_code", sa.String(length=5), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("meals_per_day", sa.Integer(), nullable=True),
        sa.Column("delivery_weekdays", sa.String(length=20), nullable=True),
        sa.Column("delivery_note", sa.Text(), nullable=True),
        sa.Column("contact_phone", sa.String(length=32), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('school', 'secondary_school', 'nursing_home', 'creche', 'restaurant')",
            name=op.f("ck_canteens_kind"),
        ),
        sa.CheckConstraint("lat BETWEEN -90 AND 90", name=op.f("ck_canteens_lat")),
        sa.CheckConstraint("lon BETWEEN -180 AND 180", name=op.f("ck_canteens_lon")),
        sa.CheckConstraint(
            "meals_per_day IS NULL OR meals_per_day >= 0", name=op.f("ck_canteens_meals_per_day")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canteens")),
    )
    op.create_table(
        "delivery_weeks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("iso_week", sa.String(length=8), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("week_number", sa.SmallInteger(), nullable=False),
        sa.Column("monday_date", sa.Date(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "open",
                "closed",
                "allocated",
                "published",
                "delivered",
                name="weekstate",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("availability_deadline_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_deadline_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("publish_fallback_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("allocated_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "state IN ('draft', 'open', 'closed', 'allocated', 'published', 'delivered')",
            name=op.f("ck_delivery_weeks_state"),
        ),
        sa.CheckConstraint(
            "week_number BETWEEN 1 AND 53", name=op.f("ck_delivery_weeks_week_number")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_weeks")),
        sa.UniqueConstraint("iso_week", name=op.f("uq_delivery_weeks_iso_week")),
        sa.UniqueConstraint("monday_date", name=op.f("uq_delivery_weeks_monday_date")),
    )
    op.create_index(op.f("ix_delivery_weeks_state"), "delivery_weeks", ["state"], unique=False)
    op.create_table(
        "farms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("commune", sa.String(length=200), nullable=False),
        sa.Column("insee_code", sa.String(length=5), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("organic_body", sa.String(length=100), nullable=True),
        sa.Column("organic_number", sa.String(length=64), nullable=True),
        sa.Column("target_share", sa.Numeric(precision=5, scale=4), nullable=True),
        sa.Column("contact_phone", sa.String(length=32), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("lat BETWEEN -90 AND 90", name=op.f("ck_farms_lat")),
        sa.CheckConstraint("lon BETWEEN -180 AND 180", name=op.f("ck_farms_lon")),
        sa.CheckConstraint(
            "target_share IS NULL OR target_share BETWEEN 0 AND 1",
            name=op.f("ck_farms_target_share"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_farms")),
    )
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=100), nullable=False),
        sa.Column("scheduled_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "succeeded",
                "failed",
                "skipped",
                name="jobstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'succeeded', 'failed', 'skipped')",
            name=op.f("ck_job_runs_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
        sa.UniqueConstraint("job_id", "scheduled_dt", name=op.f("uq_job_runs_job_id_scheduled_dt")),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_lower", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("attempted_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index(
        "ix_login_attempts_email_lower_attempted_dt",
        "login_attempts",
        ["email_lower", "attempted_dt"],
        unique=False,
    )
    op.create_index(
        "ix_login_attempts_ip_attempted_dt", "login_attempts", ["ip", "attempted_dt"], unique=False
    )
    op.create_table(
        "platform",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("territory_name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("default_locale", sa.String(length=8), nullable=False),
        sa.Column("delivery_weekdays", sa.String(length=20), nullable=False),
        sa.Column("deadline_weeks_before", sa.Integer(), nullable=False),
        sa.Column("availability_deadline_weekday", sa.Integer(), nullable=False),
        sa.Column("availability_deadline_time", sa.Time(), nullable=False),
        sa.Column("order_deadline_weekday", sa.Integer(), nullable=False),
        sa.Column("order_deadline_time", sa.Time(), nullable=False),
        sa.Column("publish_fallback_weekday", sa.Integer(), nullable=False),
        sa.Column("publish_fallback_time", sa.Time(), nullable=False),
        sa.Column("max_km", sa.Float(), nullable=True),
        sa.Column("road_factor", sa.Float(), nullable=False),
        sa.Column("max_growers_per_line", sa.Integer(), nullable=True),
        sa.Column("ledger_catch_up", sa.Float(), nullable=False),
        sa.Column("weight_distance", sa.Float(), nullable=False),
        sa.Column("weight_fairness", sa.Float(), nullable=False),
        sa.Column("weight_deliveries", sa.Float(), nullable=False),
        sa.Column("weight_stability", sa.Float(), nullable=False),
        sa.Column("time_limit_s", sa.Float(), nullable=False),
        sa.Column("default_fee_rate", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("default_fund_rate", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "availability_deadline_weekday BETWEEN 1 AND 7",
            name=op.f("ck_platform_availability_deadline_weekday"),
        ),
        sa.CheckConstraint(
            "deadline_weeks_before >= 0", name=op.f("ck_platform_deadline_weeks_before")
        ),
        sa.CheckConstraint(
            "default_fee_rate BETWEEN 0 AND 1", name=op.f("ck_platform_default_fee_rate")
        ),
        sa.CheckConstraint(
            "default_fund_rate BETWEEN 0 AND 1", name=op.f("ck_platform_default_fund_rate")
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_platform_single_row")),
        sa.CheckConstraint(
            "max_growers_per_line IS NULL OR max_growers_per_line >= 1",
            name=op.f("ck_platform_max_growers_per_line"),
        ),
        sa.CheckConstraint("max_km IS NULL OR max_km > 0", name=op.f("ck_platform_max_km")),
        sa.CheckConstraint(
            "order_deadline_weekday BETWEEN 1 AND 7",
            name=op.f("ck_platform_order_deadline_weekday"),
        ),
        sa.CheckConstraint(
            "publish_fallback_weekday BETWEEN 1 AND 7",
            name=op.f("ck_platform_publish_fallback_weekday"),
        ),
        sa.CheckConstraint("road_factor >= 1", name=op.f("ck_platform_road_factor")),
        sa.CheckConstraint("time_limit_s > 0", name=op.f("ck_platform_time_limit_s")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform")),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name_fr", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("family", sa.String(length=64), nullable=False),
        sa.Column(
            "unit",
            sa.Enum("kg", "piece", "bunch", name="productunit", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("unit_kg", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("lot_size", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("season_mask", sa.String(length=12), nullable=False),
        sa.Column("is_organic", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "length(season_mask) = 12 AND replace(replace(season_mask, '0', ''), '1', '') = ''",
            name=op.f("ck_products_season_mask"),
        ),
        sa.CheckConstraint("unit IN ('kg', 'piece', 'bunch')", name=op.f("ck_products_unit")),
        sa.CheckConstraint("lot_size IS NULL OR lot_size > 0", name=op.f("ck_products_lot_size")),
        sa.CheckConstraint("unit_kg > 0", name=op.f("ck_products_unit_kg")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("slug", name=op.f("uq_products_slug")),
    )
    op.create_table(
        "seasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.CheckConstraint("end_date > start_date", name=op.f("ck_seasons_dates")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seasons")),
        sa.UniqueConstraint("code", name=op.f("uq_seasons_code")),
    )
    op.create_table(
        "canteen_group_members",
        sa.Column("canteen_group_id", sa.Integer(), nullable=False),
        sa.Column("canteen_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["canteen_group_id"],
            ["canteen_groups.id"],
            name=op.f("fk_canteen_group_members_canteen_group_id_canteen_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["canteen_id"],
            ["canteens.id"],
            name=op.f("fk_canteen_group_members_canteen_id_canteens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "canteen_group_id", "canteen_id", name=op.f("pk_canteen_group_members")
        ),
    )
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("tender_reference", sa.String(length=100), nullable=True),
        sa.Column("lot_label", sa.String(length=100), nullable=True),
        sa.Column("canteen_id", sa.Integer(), nullable=True),
        sa.Column("canteen_group_id", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("renewal_of_id", sa.Integer(), nullable=True),
        sa.Column("delivery_frequency", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "(canteen_id IS NULL) != (canteen_group_id IS NULL)",
            name=op.f("ck_contracts_one_buyer"),
        ),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_contracts_dates")),
        sa.ForeignKeyConstraint(
            ["canteen_group_id"],
            ["canteen_groups.id"],
            name=op.f("fk_contracts_canteen_group_id_canteen_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["canteen_id"], ["canteens.id"], name=op.f("fk_contracts_canteen_id_canteens")
        ),
        sa.ForeignKeyConstraint(
            ["renewal_of_id"],
            ["contracts.id"],
            name=op.f("fk_contracts_renewal_of_id_contracts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
    )
    op.create_index(
        op.f("ix_contracts_canteen_group_id"), "contracts", ["canteen_group_id"], unique=False
    )
    op.create_index(op.f("ix_contracts_canteen_id"), "contracts", ["canteen_id"], unique=False)
    op.create_table(
        "coordinator_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_coordinator_assignments_farm_id_farms")
        ),
        sa.ForeignKeyConstraint(
            ["week_id"],
            ["delivery_weeks.id"],
            name=op.f("fk_coordinator_assignments_week_id_delivery_weeks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordinator_assignments")),
        sa.UniqueConstraint("week_id", name=op.f("uq_coordinator_assignments_week_id")),
    )
    op.create_index(
        op.f("ix_coordinator_assignments_farm_id"),
        "coordinator_assignments",
        ["farm_id"],
        unique=False,
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("canteen_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("route_order", sa.SmallInteger(), nullable=True),
        sa.Column("delivered_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["canteen_id"], ["canteens.id"], name=op.f("fk_deliveries_canteen_id_canteens")
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_deliveries_farm_id_farms")
        ),
        sa.ForeignKeyConstraint(
            ["week_id"],
            ["delivery_weeks.id"],
            name=op.f("fk_deliveries_week_id_delivery_weeks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "week_id",
            "farm_id",
            "canteen_id",
            "day",
            name=op.f("uq_deliveries_week_id_farm_id_canteen_id_day"),
        ),
    )
    op.create_index(op.f("ix_deliveries_canteen_id"), "deliveries", ["canteen_id"], unique=False)
    op.create_index(op.f("ix_deliveries_farm_id"), "deliveries", ["farm_id"], unique=False)
    op.create_table(
        "prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("season_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("production_cost_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("margin_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("intermediation_fee_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "production_cost_eur >= 0 AND margin_eur >= 0 AND intermediation_fee_eur >= 0",
            name=op.f("ck_prices_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_prices_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["season_id"],
            ["seasons.id"],
            name=op.f("fk_prices_season_id_seasons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prices")),
        sa.UniqueConstraint("season_id", "product_id", name=op.f("uq_prices_season_id_product_id")),
    )
    op.create_index(op.f("ix_prices_product_id"), "prices", ["product_id"], unique=False)
    op.create_table(
        "standing_order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("canteen_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_standing_order_lines_quantity")),
        sa.CheckConstraint("weekday BETWEEN 1 AND 7", name=op.f("ck_standing_order_lines_weekday")),
        sa.ForeignKeyConstraint(
            ["canteen_id"],
            ["canteens.id"],
            name=op.f("fk_standing_order_lines_canteen_id_canteens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_standing_order_lines_product_id_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standing_order_lines")),
        sa.UniqueConstraint(
            "canteen_id",
            "product_id",
            "weekday",
            name=op.f("uq_standing_order_lines_canteen_id_product_id_weekday"),
        ),
    )
    op.create_index(
        op.f("ix_standing_order_lines_product_id"),
        "standing_order_lines",
        ["product_id"],
        unique=False,
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_lower", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("password_changed_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "role",
            sa.Enum("lead", "grower", "canteen", name="role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("farm_id", sa.Integer(), nullable=True),
        sa.Column("canteen_id", sa.Integer(), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("email_reminders", sa.Boolean(), nullable=False),
        sa.Column("email_planning", sa.Boolean(), nullable=False),
        sa.Column("email_alerts", sa.Boolean(), nullable=False),
        sa.Column("last_login_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role != 'canteen' OR canteen_id IS NOT NULL", name=op.f("ck_users_canteen_has_canteen")
        ),
        sa.CheckConstraint(
            "role != 'grower' OR farm_id IS NOT NULL", name=op.f("ck_users_grower_has_farm")
        ),
        sa.CheckConstraint("role IN ('lead', 'grower', 'canteen')", name=op.f("ck_users_role")),
        sa.CheckConstraint(
            "farm_id IS NULL OR canteen_id IS NULL", name=op.f("ck_users_farm_or_canteen")
        ),
        sa.ForeignKeyConstraint(
            ["canteen_id"], ["canteens.id"], name=op.f("fk_users_canteen_id_canteens")
        ),
        sa.ForeignKeyConstraint(["farm_id"], ["farms.id"], name=op.f("fk_users_farm_id_farms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email_lower", name=op.f("uq_users_email_lower")),
    )
    op.create_index(op.f("ix_users_canteen_id"), "users", ["canteen_id"], unique=False)
    op.create_index(op.f("ix_users_farm_id"), "users", ["farm_id"], unique=False)
    op.create_table(
        "allocation_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "optimal",
                "feasible",
                "infeasible",
                "invalid",
                "error",
                name="runstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "trigger",
            sa.Enum(
                "manual",
                "scheduler",
                "replan",
                "crop_failure",
                name="runtrigger",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("instance_json", sa.Text(), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("ordered_eur", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("served_eur", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("fill_rate", sa.Float(), nullable=True),
        sa.Column("contract_fill_rate", sa.Float(), nullable=True),
        sa.Column("kg_km", sa.Float(), nullable=True),
        sa.Column("deliveries", sa.Integer(), nullable=True),
        sa.Column("share_deviation_eur", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("moved_from_previous", sa.Float(), nullable=True),
        sa.Column("solve_s", sa.Float(), nullable=True),
        sa.Column("supersedes_run_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('optimal', 'feasible', 'infeasible', 'invalid', 'error')",
            name=op.f("ck_allocation_runs_status"),
        ),
        sa.CheckConstraint(
            "trigger IN ('manual', 'scheduler', 'replan', 'crop_failure')",
            name=op.f("ck_allocation_runs_trigger"),
        ),
        sa.CheckConstraint(
            "(published_version IS NULL) = (published_dt IS NULL)",
            name=op.f("ck_allocation_runs_publication"),
        ),
        sa.CheckConstraint("sequence >= 1", name=op.f("ck_allocation_runs_sequence")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_allocation_runs_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_allocation_runs_published_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_run_id"],
            ["allocation_runs.id"],
            name=op.f("fk_allocation_runs_supersedes_run_id_allocation_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["week_id"],
            ["delivery_weeks.id"],
            name=op.f("fk_allocation_runs_week_id_delivery_weeks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_runs")),
        sa.UniqueConstraint(
            "week_id",
            "published_version",
            name=op.f("uq_allocation_runs_week_id_published_version"),
        ),
        sa.UniqueConstraint(
            "week_id", "sequence", name=op.f("uq_allocation_runs_week_id_sequence")
        ),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_dt", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("before_json", sa.Text(), nullable=True),
        sa.Column("after_json", sa.Text(), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_log_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_actor_id"), "audit_log", ["actor_id"], unique=False)
    op.create_index(op.f("ix_audit_log_created_dt"), "audit_log", ["created_dt"], unique=False)
    op.create_index(
        "ix_audit_log_entity_type_entity_id",
        "audit_log",
        ["entity_type", "entity_id"],
        unique=False,
    )
    op.create_table(
        "availability_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_availability_lines_quantity")),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_availability_lines_farm_id_farms")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_availability_lines_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_availability_lines_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["week_id"],
            ["delivery_weeks.id"],
            name=op.f("fk_availability_lines_week_id_delivery_weeks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_lines")),
    )
    op.create_index(
        "ix_availability_lines_farm_id_week_id",
        "availability_lines",
        ["farm_id", "week_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_availability_lines_product_id"), "availability_lines", ["product_id"], unique=False
    )
    op.create_index(
        "uq_availability_lines_week_farm_product_anyday",
        "availability_lines",
        ["week_id", "farm_id", "product_id"],
        unique=True,
        sqlite_where=sa.text("day IS NULL"),
        postgresql_where=sa.text("day IS NULL"),
    )
    op.create_index(
        "uq_availability_lines_week_farm_product_day",
        "availability_lines",
        ["week_id", "farm_id", "product_id", "day"],
        unique=True,
        sqlite_where=sa.text("day IS NOT NULL"),
        postgresql_where=sa.text("day IS NOT NULL"),
    )
    op.create_table(
        "cash_advances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("season_id", sa.Integer(), nullable=True),
        sa.Column("amount_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("granted_date", sa.Date(), nullable=False),
        sa.Column("recovery_rate", sa.Numeric(precision=6, scale=4), nullable=True),
        sa.Column("closed_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("amount_eur > 0", name=op.f("ck_cash_advances_amount_eur")),
        sa.CheckConstraint(
            "recovery_rate IS NULL OR recovery_rate BETWEEN 0 AND 1",
            name=op.f("ck_cash_advances_recovery_rate"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_cash_advances_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_cash_advances_farm_id_farms")
        ),
        sa.ForeignKeyConstraint(
            ["season_id"], ["seasons.id"], name=op.f("fk_cash_advances_season_id_seasons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cash_advances")),
    )
    op.create_index(op.f("ix_cash_advances_farm_id"), "cash_advances", ["farm_id"], unique=False)
    op.create_table(
        "contract_growers",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_growers_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_contract_growers_farm_id_farms")
        ),
        sa.PrimaryKeyConstraint("contract_id", "farm_id", name=op.f("pk_contract_growers")),
    )
    op.create_index(
        op.f("ix_contract_growers_farm_id"), "contract_growers", ["farm_id"], unique=False
    )
    op.create_table(
        "contract_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column(
            "committed_min_quantity_per_year", sa.Numeric(precision=12, scale=3), nullable=False
        ),
        sa.Column("production_cost_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("margin_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("intermediation_fee_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "committed_min_quantity_per_year >= 0",
            name=op.f("ck_contract_lines_committed_min_quantity_per_year"),
        ),
        sa.CheckConstraint(
            "production_cost_eur >= 0 AND margin_eur >= 0 AND intermediation_fee_eur >= 0",
            name=op.f("ck_contract_lines_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_lines_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_contract_lines_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_lines")),
        sa.UniqueConstraint(
            "contract_id", "product_id", name=op.f("uq_contract_lines_contract_id_product_id")
        ),
    )
    op.create_index(
        op.f("ix_contract_lines_product_id"), "contract_lines", ["product_id"], unique=False
    )
    op.create_table(
        "coordinator_swaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("other_assignment_id", sa.Integer(), nullable=True),
        sa.Column("requested_farm_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "requested",
                "accepted",
                "refused",
                "cancelled",
                name="swapstate",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_dt", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('requested', 'accepted', 'refused', 'cancelled')",
            name=op.f("ck_coordinator_swaps_state"),
        ),
        sa.CheckConstraint(
            "other_assignment_id IS NOT NULL OR requested_farm_id IS NOT NULL",
            name=op.f("ck_coordinator_swaps_target"),
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["coordinator_assignments.id"],
            name=op.f("fk_coordinator_swaps_assignment_id_coordinator_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_coordinator_swaps_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["other_assignment_id"],
            ["coordinator_assignments.id"],
            name=op.f("fk_coordinator_swaps_other_assignment_id_coordinator_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_coordinator_swaps_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_farm_id"],
            ["farms.id"],
            name=op.f("fk_coordinator_swaps_requested_farm_id_farms"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordinator_swaps")),
    )
    op.create_index(
        op.f("ix_coordinator_swaps_assignment_id"),
        "coordinator_swaps",
        ["assignment_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_coordinator_swaps_other_assignment_id"),
        "coordinator_swaps",
        ["other_assignment_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_coordinator_swaps_state"), "coordinator_swaps", ["state"], unique=False
    )
    op.create_table(
        "fee_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("fee", "fund", name="feekind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("rate", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('fee', 'fund')", name=op.f("ck_fee_rates_kind")),
        sa.CheckConstraint("rate BETWEEN 0 AND 1", name=op.f("ck_fee_rates_rate")),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_fee_rates_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_rates")),
        sa.UniqueConstraint(
            "kind",
            "contract_id",
            "valid_from",
            name=op.f("uq_fee_rates_kind_contract_id_valid_from"),
        ),
    )
    op.create_index(op.f("ix_fee_rates_contract_id"), "fee_rates", ["contract_id"], unique=False)
    op.create_index(
        "uq_fee_rates_platform_kind_valid_from",
        "fee_rates",
        ["kind", "valid_from"],
        unique=True,
        sqlite_where=sa.text("contract_id IS NULL"),
        postgresql_where=sa.text("contract_id IS NULL"),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "invitation",
                "password_reset",
                name="invitationpurpose",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column(
            "role",
            sa.Enum("lead", "grower", "canteen", name="role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("farm_id", sa.Integer(), nullable=True),
        sa.Column("canteen_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consumed_dt", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('invitation', 'password_reset')", name=op.f("ck_invitations_purpose")
        ),
        sa.CheckConstraint(
            "role IN ('lead', 'grower', 'canteen')", name=op.f("ck_invitations_role")
        ),
        sa.CheckConstraint(
            "farm_id IS NULL OR canteen_id IS NULL", name=op.f("ck_invitations_farm_or_canteen")
        ),
        sa.ForeignKeyConstraint(
            ["canteen_id"],
            ["canteens.id"],
            name=op.f("fk_invitations_canteen_id_canteens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_invitations_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_invitations_farm_id_farms"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_invitations_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_index(op.f("ix_invitations_email"), "invitations", ["email"], unique=False)
    op.create_index(op.f("ix_invitations_user_id"), "invitations", ["user_id"], unique=False)
    op.create_table(
        "manual_locks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("canteen_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_manual_locks_quantity")),
        sa.ForeignKeyConstraint(
            ["canteen_id"], ["canteens.id"], name=op.f("fk_manual_locks_canteen_id_canteens")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_manual_locks_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_manual_locks_farm_id_farms")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_manual_locks_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["week_id"],
            ["delivery_weeks.id"],
            name=op.f("fk_manual_locks_week_id_delivery_weeks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manual_locks")),
        sa.UniqueConstraint(
            "week_id",
            "farm_id",
            "canteen_id",
            "product_id",
            "day",
            name=op.f("uq_manual_locks_week_id_farm_id_canteen_id_product_id_day"),
        ),
    )
    op.create_index(
        op.f("ix_manual_locks_canteen_id"), "manual_locks", ["canteen_id"], unique=False
    )
    op.create_index(op.f("ix_manual_locks_farm_id"), "manual_locks", ["farm_id"], unique=False)
    op.create_index(
        op.f("ix_manual_locks_product_id"), "manual_locks", ["product_id"], unique=False
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("dedup_key", sa.String(length=200), nullable=True),
        sa.Column(
            "status",
            sa.Enum("pending", "sent", "failed", name="outboxstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_dt", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name=op.f("ck_outbox_messages_status")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_outbox_messages_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_outbox_messages_dedup_key")),
    )
    op.create_index(
        "ix_outbox_messages_status_next_attempt_dt",
        "outbox_messages",
        ["status", "next_attempt_dt"],
        unique=False,
    )
    op.create_index(
        op.f("ix_outbox_messages_user_id"), "outbox_messages", ["user_id"], unique=False
    )
    op.create_table(
        "allocation_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("canteen_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("distance_km", sa.Float(), nullable=False),
        sa.Column("value_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_allocation_lines_quantity")),
        sa.ForeignKeyConstraint(
            ["canteen_id"], ["canteens.id"], name=op.f("fk_allocation_lines_canteen_id_canteens")
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_allocation_lines_farm_id_farms")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_allocation_lines_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["allocation_runs.id"],
            name=op.f("fk_allocation_lines_run_id_allocation_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_lines")),
        sa.UniqueConstraint(
            "run_id",
            "farm_id",
            "canteen_id",
            "product_id",
            "day",
            name=op.f("uq_allocation_lines_run_id_farm_id_canteen_id_product_id_day"),
        ),
    )
    op.create_index(
        op.f("ix_allocation_lines_canteen_id"), "allocation_lines", ["canteen_id"], unique=False
    )
    op.create_index(
        "ix_allocation_lines_farm_id_day", "allocation_lines", ["farm_id", "day"], unique=False
    )
    op.create_index(
        op.f("ix_allocation_lines_product_id"), "allocation_lines", ["product_id"], unique=False
    )
    op.create_index(
        "ix_allocation_lines_run_id_canteen_id",
        "allocation_lines",
        ["run_id", "canteen_id"],
        unique=False,
    )
    op.create_table(
        "contract_line_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_line_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("min_quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_contract_line_periods_dates")),
        sa.CheckConstraint("min_quantity >= 0", name=op.f("ck_contract_line_periods_min_quantity")),
        sa.ForeignKeyConstraint(
            ["contract_line_id"],
            ["contract_lines.id"],
            name=op.f("fk_contract_line_periods_contract_line_id_contract_lines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_line_periods")),
        sa.UniqueConstraint(
            "contract_line_id",
            "start_date",
            name=op.f("uq_contract_line_periods_contract_line_id_start_date"),
        ),
    )
    op.create_table(
        "crop_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("quantity_lost", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("declared_by_id", sa.Integer(), nullable=True),
        sa.Column("declared_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replan_run_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("quantity_lost > 0", name=op.f("ck_crop_failures_quantity_lost")),
        sa.ForeignKeyConstraint(
            ["declared_by_id"],
            ["users.id"],
            name=op.f("fk_crop_failures_declared_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_crop_failures_farm_id_farms")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_crop_failures_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["replan_run_id"],
            ["allocation_runs.id"],
            name=op.f("fk_crop_failures_replan_run_id_allocation_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["week_id"],
            ["delivery_weeks.id"],
            name=op.f("fk_crop_failures_week_id_delivery_weeks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crop_failures")),
    )
    op.create_index(op.f("ix_crop_failures_farm_id"), "crop_failures", ["farm_id"], unique=False)
    op.create_index(
        op.f("ix_crop_failures_product_id"), "crop_failures", ["product_id"], unique=False
    )
    op.create_index(op.f("ix_crop_failures_week_id"), "crop_failures", ["week_id"], unique=False)
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "allocation",
                "receipt_correction",
                "manual",
                name="ledgerkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("amount_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("balance_after_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('allocation', 'receipt_correction', 'manual')",
            name=op.f("ck_ledger_entries_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_ledger_entries_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_ledger_entries_farm_id_farms")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["allocation_runs.id"],
            name=op.f("fk_ledger_entries_run_id_allocation_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["week_id"],
            ["delivery_weeks.id"],
            name=op.f("fk_ledger_entries_week_id_delivery_weeks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    op.create_index(
        "ix_ledger_entries_farm_id_id", "ledger_entries", ["farm_id", "id"], unique=False
    )
    op.create_index(op.f("ix_ledger_entries_run_id"), "ledger_entries", ["run_id"], unique=False)
    op.create_index(op.f("ix_ledger_entries_week_id"), "ledger_entries", ["week_id"], unique=False)
    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("canteen_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column(
            "priority",
            sa.Enum("contract", "regular", name="orderpriority", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("contract_line_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "priority IN ('contract', 'regular')", name=op.f("ck_order_lines_priority")
        ),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_order_lines_quantity")),
        sa.ForeignKeyConstraint(
            ["canteen_id"], ["canteens.id"], name=op.f("fk_order_lines_canteen_id_canteens")
        ),
        sa.ForeignKeyConstraint(
            ["contract_line_id"],
            ["contract_lines.id"],
            name=op.f("fk_order_lines_contract_line_id_contract_lines"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_order_lines_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_order_lines_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["week_id"],
            ["delivery_weeks.id"],
            name=op.f("fk_order_lines_week_id_delivery_weeks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint(
            "week_id",
            "canteen_id",
            "product_id",
            "day",
            name=op.f("uq_order_lines_week_id_canteen_id_product_id_day"),
        ),
    )
    op.create_index(
        "ix_order_lines_canteen_id_week_id", "order_lines", ["canteen_id", "week_id"], unique=False
    )
    op.create_index(
        op.f("ix_order_lines_contract_line_id"), "order_lines", ["contract_line_id"], unique=False
    )
    op.create_index(op.f("ix_order_lines_product_id"), "order_lines", ["product_id"], unique=False)
    op.create_table(
        "receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("allocation_line_id", sa.Integer(), nullable=False),
        sa.Column("received_quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column(
            "quality_rating",
            sa.Enum("ok", "minor", "rejected", name="qualityrating", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("quality_note", sa.Text(), nullable=True),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.Column("received_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "quality_rating IN ('ok', 'minor', 'rejected')", name=op.f("ck_receipts_quality_rating")
        ),
        sa.CheckConstraint("received_quantity >= 0", name=op.f("ck_receipts_received_quantity")),
        sa.ForeignKeyConstraint(
            ["allocation_line_id"],
            ["allocation_lines.id"],
            name=op.f("fk_receipts_allocation_line_id_allocation_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["received_by_id"],
            ["users.id"],
            name=op.f("fk_receipts_received_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
        sa.UniqueConstraint("allocation_line_id", name=op.f("uq_receipts_allocation_line_id")),
    )
    op.create_table(
        "fee_accruals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=True),
        sa.Column("allocation_line_id", sa.Integer(), nullable=True),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("canteen_id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("base_value_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("fee_rate", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("fee_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("fund_rate", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("fund_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "fee_rate BETWEEN 0 AND 1 AND fund_rate BETWEEN 0 AND 1",
            name=op.f("ck_fee_accruals_rates"),
        ),
        sa.CheckConstraint(
            "receipt_id IS NOT NULL OR allocation_line_id IS NOT NULL",
            name=op.f("ck_fee_accruals_source"),
        ),
        sa.ForeignKeyConstraint(
            ["allocation_line_id"],
            ["allocation_lines.id"],
            name=op.f("fk_fee_accruals_allocation_line_id_allocation_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["canteen_id"], ["canteens.id"], name=op.f("fk_fee_accruals_canteen_id_canteens")
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_fee_accruals_farm_id_farms")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_fee_accruals_receipt_id_receipts")
        ),
        sa.ForeignKeyConstraint(
            ["week_id"], ["delivery_weeks.id"], name=op.f("fk_fee_accruals_week_id_delivery_weeks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_accruals")),
        sa.UniqueConstraint("allocation_line_id", name=op.f("uq_fee_accruals_allocation_line_id")),
        sa.UniqueConstraint("receipt_id", name=op.f("uq_fee_accruals_receipt_id")),
    )
    op.create_index(
        op.f("ix_fee_accruals_canteen_id"), "fee_accruals", ["canteen_id"], unique=False
    )
    op.create_index(op.f("ix_fee_accruals_farm_id"), "fee_accruals", ["farm_id"], unique=False)
    op.create_index(op.f("ix_fee_accruals_week_id"), "fee_accruals", ["week_id"], unique=False)
    op.create_table(
        "advance_recoveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("advance_id", sa.Integer(), nullable=False),
        sa.Column("recovery_date", sa.Date(), nullable=False),
        sa.Column("amount_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("fee_accrual_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_eur > 0", name=op.f("ck_advance_recoveries_amount_eur")),
        sa.ForeignKeyConstraint(
            ["advance_id"],
            ["cash_advances.id"],
            name=op.f("fk_advance_recoveries_advance_id_cash_advances"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fee_accrual_id"],
            ["fee_accruals.id"],
            name=op.f("fk_advance_recoveries_fee_accrual_id_fee_accruals"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advance_recoveries")),
    )
    op.create_index(
        op.f("ix_advance_recoveries_advance_id"), "advance_recoveries", ["advance_id"], unique=False
    )
    op.create_index(
        op.f("ix_advance_recoveries_fee_accrual_id"),
        "advance_recoveries",
        ["fee_accrual_id"],
        unique=False,
    )
    op.create_table(
        "fund_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("movement_date", sa.Date(), nullable=False),
        sa.Column("amount_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("fee_accrual_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_fund_movements_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["fee_accrual_id"],
            ["fee_accruals.id"],
            name=op.f("fk_fund_movements_fee_accrual_id_fee_accruals"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_movements")),
    )
    op.create_index(
        op.f("ix_fund_movements_fee_accrual_id"), "fund_movements", ["fee_accrual_id"], unique=False
    )
    op.create_index(
        op.f("ix_fund_movements_movement_date"), "fund_movements", ["movement_date"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_fund_movements_movement_date"), table_name="fund_movements")
    op.drop_index(op.f("ix_fund_movements_fee_accrual_id"), table_name="fund_movements")
    op.drop_table("fund_movements")
    op.drop_index(op.f("ix_advance_recoveries_fee_accrual_id"), table_name="advance_recoveries")
    op.drop_index(op.f("ix_advance_recoveries_advance_id"), table_name="advance_recoveries")
    op.drop_table("advance_recoveries")
    op.drop_index(op.f("ix_fee_accruals_week_id"), table_name="fee_accruals")
    op.drop_index(op.f("ix_fee_accruals_farm_id"), table_name="fee_accruals")
    op.drop_index(op.f("ix_fee_accruals_canteen_id"), table_name="fee_accruals")
    op.drop_table("fee_accruals")
    op.drop_table("receipts")
    op.drop_index(op.f("ix_order_lines_product_id"), table_name="order_lines")
    op.drop_index(op.f("ix_order_lines_contract_line_id"), table_name="order_lines")
    op.drop_index("ix_order_lines_canteen_id_week_id", table_name="order_lines")
    op.drop_table("order_lines")
    op.drop_index(op.f("ix_ledger_entries_week_id"), table_name="ledger_entries")
    op.drop_index(op.f("ix_ledger_entries_run_id"), table_name="ledger_entries")
    op.drop_index("ix_ledger_entries_farm_id_id", table_name="ledger_entries")
    op.drop_table("ledger_entries")
    op.drop_index(op.f("ix_crop_failures_week_id"), table_name="crop_failures")
    op.drop_index(op.f("ix_crop_failures_product_id"), table_name="crop_failures")
    op.drop_index(op.f("ix_crop_failures_farm_id"), table_name="crop_failures")
    op.drop_table("crop_failures")
    op.drop_table("contract_line_periods")
    op.drop_index("ix_allocation_lines_run_id_canteen_id", table_name="allocation_lines")
    op.drop_index(op.f("ix_allocation_lines_product_id"), table_name="allocation_lines")
    op.drop_index("ix_allocation_lines_farm_id_day", table_name="allocation_lines")
    op.drop_index(op.f("ix_allocation_lines_canteen_id"), table_name="allocation_lines")
    op.drop_table("allocation_lines")
    op.drop_index(op.f("ix_outbox_messages_user_id"), table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_status_next_attempt_dt", table_name="outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_index(op.f("ix_manual_locks_product_id"), table_name="manual_locks")
    op.drop_index(op.f("ix_manual_locks_farm_id"), table_name="manual_locks")
    op.drop_index(op.f("ix_manual_locks_canteen_id"), table_name="manual_locks")
    op.drop_table("manual_locks")
    op.drop_index(op.f("ix_invitations_user_id"), table_name="invitations")
    op.drop_index(op.f("ix_invitations_email"), table_name="invitations")
    op.drop_table("invitations")
    op.drop_index(
        "uq_fee_rates_platform_kind_valid_from",
        sqlite_where=sa.text("contract_id IS NULL"),
        postgresql_where=sa.text("contract_id IS NULL"),
        table_name="fee_rates",
    )
    op.drop_index(op.f("ix_fee_rates_contract_id"), table_name="fee_rates")
    op.drop_table("fee_rates")
    op.drop_index(op.f("ix_coordinator_swaps_state"), table_name="coordinator_swaps")
    op.drop_index(op.f("ix_coordinator_swaps_other_assignment_id"), table_name="coordinator_swaps")
    op.drop_index(op.f("ix_coordinator_swaps_assignment_id"), table_name="coordinator_swaps")
    op.drop_table("coordinator_swaps")
    op.drop_index(op.f("ix_contract_lines_product_id"), table_name="contract_lines")
    op.drop_table("contract_lines")
    op.drop_index(op.f("ix_contract_growers_farm_id"), table_name="contract_growers")
    op.drop_table("contract_growers")
    op.drop_index(op.f("ix_cash_advances_farm_id"), table_name="cash_advances")
    op.drop_table("cash_advances")
    op.drop_index(
        "uq_availability_lines_week_farm_product_day",
        sqlite_where=sa.text("day IS NOT NULL"),
        postgresql_where=sa.text("day IS NOT NULL"),
        table_name="availability_lines",
    )
    op.drop_index(
        "uq_availability_lines_week_farm_product_anyday",
        sqlite_where=sa.text("day IS NULL"),
        postgresql_where=sa.text("day IS NULL"),
        table_name="availability_lines",
    )
    op.drop_index(op.f("ix_availability_lines_product_id"), table_name="availability_lines")
    op.drop_index("ix_availability_lines_farm_id_week_id", table_name="availability_lines")
    op.drop_table("availability_lines")
    op.drop_index("ix_audit_log_entity_type_entity_id", table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_created_dt"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_actor_id"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("allocation_runs")
    op.drop_index(op.f("ix_users_farm_id"), table_name="users")
    op.drop_index(op.f("ix_users_canteen_id"), table_name="users")
    op.drop_table("users")
    op.drop_index(op.f("ix_standing_order_lines_product_id"), table_name="standing_order_lines")
    op.drop_table("standing_order_lines")
    op.drop_index(op.f("ix_prices_product_id"), table_name="prices")
    op.drop_table("prices")
    op.drop_index(op.f("ix_deliveries_farm_id"), table_name="deliveries")
    op.drop_index(op.f("ix_deliveries_canteen_id"), table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_index(op.f("ix_coordinator_assignments_farm_id"), table_name="coordinator_assignments")
    op.drop_table("coordinator_assignments")
    op.drop_index(op.f("ix_contracts_canteen_id"), table_name="contracts")
    op.drop_index(op.f("ix_contracts_canteen_group_id"), table_name="contracts")
    op.drop_table("contracts")
    op.drop_table("canteen_group_members")
    op.drop_table("seasons")
    op.drop_table("products")
    op.drop_table("platform")
    op.drop_index("ix_login_attempts_ip_attempted_dt", table_name="login_attempts")
    op.drop_index("ix_login_attempts_email_lower_attempted_dt", table_name="login_attempts")
    op.drop_table("login_attempts")
    op.drop_table("job_runs")
    op.drop_table("farms")
    op.drop_index(op.f("ix_delivery_weeks_state"), table_name="delivery_weeks")
    op.drop_table("delivery_weeks")
    op.drop_table("canteens")
    op.drop_table("canteen_groups")
