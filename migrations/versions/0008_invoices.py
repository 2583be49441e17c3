"""Prices stored with the published lines; invoices and credit notes; who invoices whom.

Lines published before this revision keep a null price: they are priced on read by the same
rule (pial.allocation.pricing.PriceBook).

Revision ID: 0008_invoices
Revises: 0007_security
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_invoices"
down_revision: str | None = "0007_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_key", sa.String(length=20), nullable=False),
        sa.Column("issuer_farm_id", sa.Integer(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("invoice", "credit_note", name="invoicekind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("buyer_canteen_id", sa.Integer(), nullable=True),
        sa.Column("buyer_group_id", sa.Integer(), nullable=True),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("total_excl_vat_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("vat_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("total_incl_vat_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("seller_name", sa.String(length=200), nullable=False),
        sa.Column("seller_siret", sa.String(length=14), nullable=True),
        sa.Column("seller_address", sa.Text(), nullable=True),
        sa.Column("seller_vat_number", sa.String(length=20), nullable=True),
        sa.Column("seller_organic", sa.String(length=200), nullable=True),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("buyer_siret", sa.String(length=14), nullable=True),
        sa.Column("buyer_address", sa.Text(), nullable=True),
        sa.Column("vat_mention", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "issued",
                "paid",
                "overdue",
                "credited",
                name="paymentstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("paid_date", sa.Date(), nullable=True),
        sa.Column("reminded_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('invoice', 'credit_note')", name=op.f("ck_invoices_kind")),
        sa.CheckConstraint(
            "status IN ('issued', 'paid', 'overdue', 'credited')", name=op.f("ck_invoices_status")
        ),
        sa.CheckConstraint(
            "(buyer_canteen_id IS NULL) != (buyer_group_id IS NULL)",
            name=op.f("ck_invoices_one_buyer"),
        ),
        sa.CheckConstraint("sequence >= 1", name=op.f("ck_invoices_sequence")),
        sa.ForeignKeyConstraint(
            ["buyer_canteen_id"],
            ["canteens.id"],
            name=op.f("fk_invoices_buyer_canteen_id_canteens"),
        ),
        sa.ForeignKeyConstraint(
            ["buyer_group_id"],
            ["canteen_groups.id"],
            name=op.f("fk_invoices_buyer_group_id_canteen_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["invoices.id"], name=op.f("fk_invoices_corrects_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_farm_id"], ["farms.id"], name=op.f("fk_invoices_issuer_farm_id_farms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("issuer_key", "sequence", name=op.f("uq_invoices_issuer_key_sequence")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoices_buyer_canteen_id"), ["buyer_canteen_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_invoices_buyer_group_id"), ["buyer_group_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_invoices_corrects_id"), ["corrects_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_invoices_issuer_farm_id"), ["issuer_farm_id"], unique=False
        )

    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("allocation_line_id", sa.Integer(), nullable=False),
        sa.Column("canteen_id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("product_name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("unit_price_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("value_eur", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("under_contract", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["allocation_line_id"],
            ["allocation_lines.id"],
            name=op.f("fk_invoice_lines_allocation_line_id_allocation_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["canteen_id"], ["canteens.id"], name=op.f("fk_invoice_lines_canteen_id_canteens")
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"], ["farms.id"], name=op.f("fk_invoice_lines_farm_id_farms")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_lines_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
        sa.UniqueConstraint(
            "invoice_id", "position", name=op.f("uq_invoice_lines_invoice_id_position")
        ),
    )
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_lines_allocation_line_id"), ["allocation_line_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_invoice_lines_canteen_id"), ["canteen_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_invoice_lines_farm_id"), ["farm_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_invoice_lines_invoice_id"), ["invoice_id"], unique=False
        )

    with op.batch_alter_table("allocation_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unit_price_eur", sa.Numeric(precision=12, scale=2), nullable=True)
        )
        batch_op.add_column(sa.Column("contract_line_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_allocation_lines_contract_line_id"), ["contract_line_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_allocation_lines_contract_line_id_contract_lines"),
            "contract_lines",
            ["contract_line_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("canteen_groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("siret", sa.String(length=14), nullable=True))
        batch_op.add_column(sa.Column("address", sa.Text(), nullable=True))

    with op.batch_alter_table("canteens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invoiced_group_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_canteens_invoiced_group_id"), ["invoiced_group_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_canteens_invoiced_group_id_canteen_groups"),
            "canteen_groups",
            ["invoiced_group_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("invoiced_by", sa.String(length=10), server_default="group", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_contracts_invoiced_by"), "invoiced_by IN ('group', 'grower')"
        )


def downgrade() -> None:
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_contracts_invoiced_by"), type_="check")
        batch_op.drop_column("invoiced_by")

    with op.batch_alter_table("canteens", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_canteens_invoiced_group_id_canteen_groups"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_canteens_invoiced_group_id"))
        batch_op.drop_column("invoiced_group_id")

    with op.batch_alter_table("canteen_groups", schema=None) as batch_op:
        batch_op.drop_column("address")
        batch_op.drop_column("siret")

    with op.batch_alter_table("allocation_lines", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_allocation_lines_contract_line_id_contract_lines"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_allocation_lines_contract_line_id"))
        batch_op.drop_column("contract_line_id")
        batch_op.drop_column("unit_price_eur")

    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_lines_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_invoice_lines_farm_id"))
        batch_op.drop_index(batch_op.f("ix_invoice_lines_canteen_id"))
        batch_op.drop_index(batch_op.f("ix_invoice_lines_allocation_line_id"))

    op.drop_table("invoice_lines")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoices_issuer_farm_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_corrects_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_buyer_group_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_buyer_canteen_id"))

    op.drop_table("invoices")
