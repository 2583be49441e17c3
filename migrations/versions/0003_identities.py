"""Legal identities: the SIRET of farms and of the group, farms' quality certificates.

The farm's single organic body and number become a certificate row (label BIO) valid from the
farm's creation, with no end date until the lead enters the one printed on the certificate.
On SQLite, altering ``farms`` rebuilds it, and dropping the old table would cascade to the
certificates: their foreign key is added only once ``farms`` has its final shape.

Revision ID: 0003_identities
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_identities"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LABELS = ("BIO", "HVE", "LABEL_ROUGE", "AOCAOP", "IGP", "STG")


def upgrade() -> None:
    op.create_table(
        "farm_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column(
            "label",
            sa.Enum(*LABELS, name="certificationlabel", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("body", sa.String(length=100), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("in_conversion", sa.Boolean(), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "label IN ('BIO', 'HVE', 'LABEL_ROUGE', 'AOCAOP', 'IGP', 'STG')",
            name=op.f("ck_farm_certificates_label"),
        ),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_until >= valid_from",
            name=op.f("ck_farm_certificates_valid_period"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_farm_certificates")),
    )
    with op.batch_alter_table("farm_certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_farm_certificates_farm_id"), ["farm_id"])

    sqlite = op.get_bind().dialect.name == "sqlite"
    creation_day = "date(created_dt)" if sqlite else "CAST(created_dt AS DATE)"
    op.execute(
        f"""
        INSERT INTO farm_certificates (farm_id, label, body, number, valid_from, valid_until,
                                       in_conversion, created_dt, updated_dt)
        SELECT id, 'BIO', COALESCE(organic_body, ''), organic_number, {creation_day},
               NULL, false, created_dt, created_dt
        FROM farms WHERE organic_number IS NOT NULL AND organic_number != ''
        """
    )
    with op.batch_alter_table("farms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("siret", sa.String(length=14), nullable=True))
        batch_op.drop_column("organic_number")
        batch_op.drop_column("organic_body")
    with op.batch_alter_table("farm_certificates", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_farm_certificates_farm_id_farms"), "farms", ["farm_id"], ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("platform", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legal_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("siret", sa.String(length=14), nullable=True))
        batch_op.add_column(sa.Column("address", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("vat_number", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("organic_body", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("organic_number", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("platform", schema=None) as batch_op:
        for column in ("organic_number", "organic_body", "vat_number", "address", "siret",
                       "legal_name"):
            batch_op.drop_column(column)

    with op.batch_alter_table("farm_certificates", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_farm_certificates_farm_id_farms"), type_="foreignkey"
        )
    with op.batch_alter_table("farms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organic_body", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("organic_number", sa.String(length=64), nullable=True))
        batch_op.drop_column("siret")
    # Each farm keeps the number of its latest organic certificate, as before.
    op.execute(
        """
        UPDATE farms SET
          organic_body = (SELECT c.body FROM farm_certificates c
                          WHERE c.farm_id = farms.id AND c.label = 'BIO'
                          ORDER BY c.valid_from DESC LIMIT 1),
          organic_number = (SELECT c.number FROM farm_certificates c
                            WHERE c.farm_id = farms.id AND c.label = 'BIO'
                            ORDER BY c.valid_from DESC LIMIT 1)
        """
    )
    with op.batch_alter_table("farm_certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_farm_certificates_farm_id"))
    op.drop_table("farm_certificates")
