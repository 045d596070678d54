"""Saved datasets' files in the database: one compressed archive per dataset (issue 13).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

Written out in full (no imports from ``geo``), like 0001. PostGIS geometry columns are a
possible later step; today the geometry travels inside the archived boundary file.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``dataset_content``."""
    op.create_table(
        "dataset_content",
        sa.Column("dataset_id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("archive", sa.LargeBinary(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset_record.id"], ondelete="CASCADE",
                                name=op.f("fk_dataset_content_dataset_id_dataset_record")),
        sa.PrimaryKeyConstraint("dataset_id", name=op.f("pk_dataset_content")),
    )


def downgrade() -> None:
    """Drop ``dataset_content`` (the folders on disk stay)."""
    op.drop_table("dataset_content")
