"""Accounts and sign-in attempts (issue 12).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

Written out in full (no imports from ``geo``), like 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``account`` and ``login_attempt``."""
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("wilayah", sa.String(length=13), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'analis', 'peninjau', 'pemirsa')",
                           name=op.f("ck_account_role_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("name", name=op.f("uq_account_name")),
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    for column in ("at", "name", "address"):
        op.create_index(op.f(f"ix_login_attempt_{column}"), "login_attempt", [column], unique=False)


def downgrade() -> None:
    """Drop both tables."""
    for column in ("at", "name", "address"):
        op.drop_index(op.f(f"ix_login_attempt_{column}"), table_name="login_attempt")
    op.drop_table("login_attempt")
    op.drop_table("account")
