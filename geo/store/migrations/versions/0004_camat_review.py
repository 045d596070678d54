"""The camat's review of a scenario: review requests and one answer per village per account.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

Written out in full (no imports from ``geo``), like 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``camat_request`` and ``camat_answer``."""
    op.create_table(
        "camat_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sent_by", sa.String(length=120), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenario.id"], ondelete="CASCADE",
                                name=op.f("fk_camat_request_scenario_id_scenario")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camat_request")),
    )
    op.create_index(op.f("ix_camat_request_scenario_id"), "camat_request", ["scenario_id"], unique=False)
    op.create_index("uq_camat_request_scenario_version", "camat_request", ["scenario_id", "version"],
                    unique=True)
    op.create_table(
        "camat_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kode", sa.String(length=13), nullable=False),
        sa.Column("kecamatan", sa.String(length=13), nullable=False),
        sa.Column("who", sa.String(length=120), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("answer IN ('setuju', 'keberatan')", name=op.f("ck_camat_answer_answer_known")),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenario.id"], ondelete="CASCADE",
                                name=op.f("fk_camat_answer_scenario_id_scenario")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camat_answer")),
    )
    op.create_index(op.f("ix_camat_answer_scenario_id"), "camat_answer", ["scenario_id"], unique=False)
    op.create_index("uq_camat_answer_scenario_kode_who", "camat_answer", ["scenario_id", "kode", "who"],
                    unique=True)


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("uq_camat_answer_scenario_kode_who", table_name="camat_answer")
    op.drop_index(op.f("ix_camat_answer_scenario_id"), table_name="camat_answer")
    op.drop_table("camat_answer")
    op.drop_index("uq_camat_request_scenario_version", table_name="camat_request")
    op.drop_index(op.f("ix_camat_request_scenario_id"), table_name="camat_request")
    op.drop_table("camat_request")
