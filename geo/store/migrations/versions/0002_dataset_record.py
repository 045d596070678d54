"""Dataset records: who saved which uploaded dataset when, and when it was deleted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Written out in full (no imports from ``geo``), like 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``dataset_record``."""
    op.create_table(
        "dataset_record",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("detail_json", sa.Text(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_record")),
    )


def downgrade() -> None:
    """Drop ``dataset_record``."""
    op.drop_table("dataset_record")
