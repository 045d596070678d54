"""Scenario store: scenario, audit, plan_item, previous_list.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Written out in full (no imports from ``geo``): a revision must keep creating the same
schema when the models change later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _scenario_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["scenario_id"], ["scenario.id"], ondelete="CASCADE",
                                   name=op.f(f"fk_{table}_scenario_id_scenario"))


def upgrade() -> None:
    """Create the four tables."""
    op.create_table(
        "scenario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_key", sa.String(length=480), nullable=False),
        sa.Column("dataset_id", sa.String(length=120), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("config_json", sa.Text(), nullable=False),
        sa.Column("chosen_json", sa.Text(), nullable=False),
        sa.Column("targets_json", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_scenario_version_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario")),
    )
    op.create_index("uq_scenario_dataset_name", "scenario", ["dataset_id", "name_key"], unique=True)

    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=13), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail_json", sa.Text(), nullable=True),
        _scenario_fk("audit"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    op.create_index(op.f("ix_audit_scenario_id"), "audit", ["scenario_id"], unique=False)

    op.create_table(
        "plan_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("posisi", sa.Integer(), nullable=False),
        sa.Column("kode", sa.String(length=13), nullable=False),
        sa.Column("nama", sa.String(length=200), nullable=False),
        sa.Column("kecamatan", sa.String(length=200), nullable=False),
        sa.Column("indicator_id", sa.String(length=80), nullable=True),
        sa.Column("indicator", sa.String(length=300), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("kegiatan", sa.String(length=300), nullable=False),
        sa.Column("opd", sa.String(length=120), nullable=False),
        sa.Column("volume", sa.Float(), nullable=True),
        sa.Column("satuan", sa.String(length=60), nullable=False),
        sa.Column("anggaran", sa.BigInteger(), nullable=True),
        sa.Column("catatan", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.CheckConstraint("source IN ('otomatis', 'manual')", name=op.f("ck_plan_item_source_known")),
        _scenario_fk("plan_item"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_item")),
    )
    op.create_index(op.f("ix_plan_item_scenario_id"), "plan_item", ["scenario_id"], unique=False)

    op.create_table(
        "previous_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("posisi", sa.Integer(), nullable=False),
        sa.Column("kode", sa.String(length=13), nullable=False),
        sa.Column("nama", sa.String(length=200), nullable=False),
        sa.Column("tahun", sa.Integer(), nullable=True),
        sa.Column("berkas", sa.String(length=255), nullable=False),
        _scenario_fk("previous_list"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_previous_list")),
    )
    op.create_index(op.f("ix_previous_list_scenario_id"), "previous_list", ["scenario_id"], unique=False)


def downgrade() -> None:
    """Drop the four tables (children first)."""
    for table in ("previous_list", "plan_item", "audit"):
        op.drop_index(op.f(f"ix_{table}_scenario_id"), table_name=table)
        op.drop_table(table)
    op.drop_index("uq_scenario_dataset_name", table_name="scenario")
    op.drop_table("scenario")
