"""Per-device « rester connecté » tokens, rotated on each use; one-time sign-in links.

Revision ID: 0012_remember
Revises: 0011_week
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_remember"
down_revision: str | None = "0011_week"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "remember_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("selector", sa.String(length=32), nullable=False),
        sa.Column("validator_hash", sa.String(length=64), nullable=False),
        sa.Column("previous_validator_hash", sa.String(length=64), nullable=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_dt", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_remember_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remember_tokens")),
        sa.UniqueConstraint("selector", name=op.f("uq_remember_tokens_selector")),
    )
    op.create_index(
        op.f("ix_remember_tokens_user_id"), "remember_tokens", ["user_id"], unique=False
    )

    op.create_table(
        "signin_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_dt", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_signin_links_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_signin_links_token_hash")),
    )
    op.create_index(op.f("ix_signin_links_user_id"), "signin_links", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_signin_links_user_id"), table_name="signin_links")
    op.drop_table("signin_links")
    op.drop_index(op.f("ix_remember_tokens_user_id"), table_name="remember_tokens")
    op.drop_table("remember_tokens")
