"""Tables of the scenario store (SQLAlchemy Core); Alembic revisions in ``geo/store/migrations`` create them.

Times are timezone-aware UTC on every backend (SQLite stores them naive in UTC; the column
type converts). Constraints are named so that Alembic batch mode on SQLite can alter them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

__all__ = ["NAME_MAX", "UtcDateTime", "account_table", "audit_table", "camat_answer_table",
           "camat_request_table", "dataset_content_table", "dataset_record_table", "login_attempt_table",
           "metadata", "plan_item_table", "previous_list_table", "scenario_table"]

#: Longest scenario name.
NAME_MAX = 120


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(naming_convention={
    # Named constraints: Alembic batch mode on SQLite needs names to alter them later.
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

scenario_table = Table(
    "scenario", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME_MAX), nullable=False),
    # casefolded, spaces collapsed: "Lokus 2025" and "lokus  2025" are the same name
    Column("name_key", String(4 * NAME_MAX), nullable=False),
    Column("dataset_id", String(120), nullable=False),
    Column("year", Integer, nullable=False),
    Column("config_json", Text, nullable=False),
    Column("chosen_json", Text, nullable=False),
    Column("targets_json", Text, nullable=False),
    Column("notes", Text, nullable=False),
    Column("author", String(120), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
)
Index("uq_scenario_dataset_name", scenario_table.c.dataset_id, scenario_table.c.name_key, unique=True)

audit_table = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True),
    # NULL only for the tombstone of a deleted scenario
    Column("scenario_id", Integer, ForeignKey("scenario.id", ondelete="CASCADE"), nullable=True,
           index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("who", String(120), nullable=False),
    Column("action", String(20), nullable=False),
    Column("code", String(13), nullable=True),
    Column("reason", Text, nullable=False),
    Column("detail_json", Text, nullable=True),
)

plan_item_table = Table(
    "plan_item", metadata,
    Column("id", Integer, primary_key=True),
    Column("scenario_id", Integer, ForeignKey("scenario.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("posisi", Integer, nullable=False),
    Column("kode", String(13), nullable=False),
    Column("nama", String(200), nullable=False),
    Column("kecamatan", String(200), nullable=False),
    Column("indicator_id", String(80), nullable=True),
    Column("indicator", String(300), nullable=False),
    Column("value", Float, nullable=True),
    Column("target", Float, nullable=True),
    Column("gap", Float, nullable=True),
    Column("kegiatan", String(300), nullable=False),
    Column("opd", String(120), nullable=False),
    Column("volume", Float, nullable=True),
    Column("satuan", String(60), nullable=False),
    Column("anggaran", BigInteger, nullable=True),  # rupiah: 2 billion overflows a 32-bit int
    Column("catatan", Text, nullable=False),
    Column("source", String(10), nullable=False),
    CheckConstraint("source IN ('otomatis', 'manual')", name="source_known"),
)

previous_list_table = Table(
    "previous_list", metadata,
    Column("id", Integer, primary_key=True),
    Column("scenario_id", Integer, ForeignKey("scenario.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("posisi", Integer, nullable=False),
    Column("kode", String(13), nullable=False),
    Column("nama", String(200), nullable=False),
    Column("tahun", Integer, nullable=True),
    Column("berkas", String(255), nullable=False),
)


dataset_record_table = Table(
    "dataset_record", metadata,
    Column("id", String(64), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(120), nullable=False),
    Column("detail_json", Text, nullable=False),
    Column("deleted_at", UtcDateTime, nullable=True),
    Column("deleted_by", String(120), nullable=True),
)

# --- saved datasets' files (issue 13): geo/store/dataset_files.py reads and writes this -------
# One compressed archive of the dataset folder per live dataset, so that every server can
# unpack it; PostGIS geometry columns are a possible later step.
dataset_content_table = Table(
    "dataset_content", metadata,
    Column("dataset_id", String(64), ForeignKey("dataset_record.id", ondelete="CASCADE"),
           primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),  # bytes of the archive
    Column("format", String(20), nullable=False),  # "tar.gz"
    Column("archive", LargeBinary, nullable=False),
    Column("saved_at", UtcDateTime, nullable=False),
)

# --- accounts (issue 12): geo/store/accounts.py reads and writes these -----------------------
account_table = Table(
    "account", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),  # normalised lower case
    Column("display_name", String(120), nullable=False),
    Column("role", String(20), nullable=False),
    Column("wilayah", String(13), nullable=False),  # area code prefix; "" = everywhere
    Column("active", Boolean, nullable=False),
    Column("password_hash", String(300), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_login_at", UtcDateTime, nullable=True),
    CheckConstraint("role IN ('admin', 'analis', 'peninjau', 'pemirsa')", name="role_known"),
)

login_attempt_table = Table(
    "login_attempt", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=False, index=True),
    Column("name", String(64), nullable=False, index=True),  # as typed, normalised
    Column("address", String(64), nullable=False, index=True),
    Column("ok", Boolean, nullable=False),
)

# --- camat review (issue 12): geo/store/camat_review.py reads and writes these ---------------
camat_request_table = Table(
    "camat_request", metadata,
    Column("id", Integer, primary_key=True),
    Column("scenario_id", Integer, ForeignKey("scenario.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("version", Integer, nullable=False),  # the scenario version sent for review
    Column("sent_by", String(120), nullable=False),
    Column("sent_at", UtcDateTime, nullable=False),
)
Index("uq_camat_request_scenario_version", camat_request_table.c.scenario_id, camat_request_table.c.version,
      unique=True)

camat_answer_table = Table(
    "camat_answer", metadata,
    Column("id", Integer, primary_key=True),
    Column("scenario_id", Integer, ForeignKey("scenario.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("version", Integer, nullable=False),  # the version under review when answered
    Column("kode", String(13), nullable=False),
    Column("kecamatan", String(13), nullable=False),
    Column("who", String(120), nullable=False),  # the account name
    Column("answer", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    CheckConstraint("answer IN ('setuju', 'keberatan')", name="answer_known"),
)
# one current answer per village per account (earlier ones stay in the audit log)
Index("uq_camat_answer_scenario_kode_who", camat_answer_table.c.scenario_id, camat_answer_table.c.kode,
      camat_answer_table.c.who, unique=True)
