"""Scenarios saved in a real database: SQLite by default, PostgreSQL through ``DATABASE_URL``.

A *scenario* is everything a planner decides for one dataset: the year and the
scoring configuration (:class:`geo.scoring.pipeline.ScoringConfig`, stored as its exact JSON,
so the ranking can be reproduced), the final chosen list with a reason per village,
target overrides, notes, the Aksi 2 plan items and optionally last year's lokus. Nothing
lives only in the browser.

Design points (each is tested in ``tests/unit/test_store.py``):

- **One transaction per write.** Every public write runs in one transaction: the
  scenario row, its audit rows and its plan rows are saved together or not at all.
  On SQLite, write transactions start with ``BEGIN IMMEDIATE`` (the write lock is
  taken up front, so two workers never both read and then fail to upgrade their
  lock); on PostgreSQL the scenario row is read ``FOR UPDATE``.
- **Optimistic concurrency.** ``version`` grows by one on every write. A write given
  ``expected_version`` that is no longer current raises :class:`StaleScenarioError`
  (an :class:`~geo.core.errors.InputError`): a planner never silently overwrites a
  colleague's change.
- **Audit log.** Every change of the chosen list appends one ``audit`` row per village
  added or removed (who, when, which village, why); renames, notes, targets, plan
  and configuration changes get one row each. Audit rows cascade with their
  scenario; a deletion leaves one ``delete`` row *without* a scenario id holding the
  deleted scenario as JSON (:meth:`Store.deletions`), so a deleted list can be found.
- **Times** are timezone-aware UTC (SQLite stores them naive in UTC; the column type
  converts).
- **Migrations** are Alembic revisions in ``migrations/``; :meth:`Store.upgrade`
  runs ``upgrade head`` in-process. On SQLite the upgrade connection has foreign keys
  off (a batch table rebuild would otherwise cascade-delete children) and runs
  ``PRAGMA foreign_key_check`` before committing; on PostgreSQL an advisory lock lets
  several workers start at once.
- SQLite runs in WAL mode with foreign keys on (a connect event).
"""

from __future__ import annotations

import importlib.util
import json
import os
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Connection,
    DateTime,
    Dialect,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool, StaticPool

from geo.core.codes import normalise_code
from geo.core.errors import InputError
from geo.decide.continuity import PreviousList
from geo.decide.plan import PlanItem, check_targets
from geo.scoring.pipeline import ScoringConfig

if TYPE_CHECKING:
    from alembic.config import Config

    from geo.scoring.pipeline import ScoringResult

__all__ = [
    "ACTIONS",
    "EXPORT_FORMAT",
    "MIGRATIONS_DIR",
    "AuditEntry",
    "ChosenVillage",
    "Scenario",
    "ScenarioDiff",
    "ScenarioExport",
    "ScenarioNotFoundError",
    "ScenarioSummary",
    "StaleScenarioError",
    "Store",
    "chosen_from_result",
    "compare_lists",
    "default_url",
    "metadata",
    "read_export",
]

#: Folder of the Alembic environment and revisions.
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
#: ``format`` value of a scenario JSON export.
EXPORT_FORMAT = "lokus-scenario"  # shared with geo.export.scenario
_EXPORT_VERSION = 1
_MAX_IMPORT_BYTES = 10_000_000
#: Audit actions.
ACTIONS = ("create", "add", "remove", "reorder", "rename", "duplicate", "notes", "targets", "plan",
           "config", "previous", "import", "delete")
_NAME_MAX = 120
_PG_LOCK_KEY = 7_203_115_042  # any constant: serialises concurrent upgrades on PostgreSQL


# =========================================================================== schema
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
    Column("name", String(_NAME_MAX), nullable=False),
    # casefolded, spaces collapsed: "Lokus 2025" and "lokus  2025" are the same name
    Column("name_key", String(4 * _NAME_MAX), nullable=False),
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


# =========================================================================== value types
class StaleScenarioError(InputError):
    """The scenario changed since the version the caller read (reload, then retry)."""


class ScenarioNotFoundError(InputError):
    """No scenario with that id (deleted, or never existed)."""


@dataclass(frozen=True)
class ChosenVillage:
    """A village on the chosen list and why it is there."""

    kode: str
    alasan: str

    def __post_init__(self) -> None:
        code = normalise_code(self.kode)
        if code is None:
            raise InputError("Kode desa bukan kode Kemendagri yang sah.", rows=[self.kode])
        object.__setattr__(self, "kode", code)
        object.__setattr__(self, "alasan", _clean(self.alasan, "Alasan", 1000))


@dataclass(frozen=True)
class Scenario:
    """A saved scenario (or one read from an export, then ``id`` is None).

    Attributes
    ----------
    id, name, dataset_id, year
        Identity; ``year`` equals ``config.year``.
    config
        The scoring configuration (reproduces the ranking exactly).
    chosen
        The final chosen list, in order, each with its reason.
    targets
        Coverage target overrides (indicator id → percent); empty = catalogue targets.
    notes, author
        Free notes; who created it.
    created_at, updated_at
        UTC, timezone-aware.
    version
        Grows by one on every write (optimistic concurrency).
    """

    id: int | None
    name: str
    dataset_id: str
    year: int
    config: ScoringConfig
    chosen: tuple[ChosenVillage, ...]
    targets: Mapping[str, float] = field(default_factory=dict)
    notes: str = ""
    author: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 1

    @property
    def codes(self) -> tuple[str, ...]:
        """Chosen codes in list order."""
        return tuple(v.kode for v in self.chosen)

    @property
    def reasons(self) -> dict[str, str]:
        """Chosen code → reason."""
        return {v.kode: v.alasan for v in self.chosen}

    def to_dict(self, *, plan: Sequence[PlanItem] = (),
                previous: PreviousList | None = None) -> dict[str, Any]:
        """The export document (see :meth:`to_json`)."""
        doc: dict[str, Any] = {
            # shared head of the ``lokus-scenario`` v1 shape (geo.export.scenario), in order
            "format": EXPORT_FORMAT,
            "version": _EXPORT_VERSION,
            "dataset_id": self.dataset_id,
            "name": self.name,
            "config": self.config.to_dict(),
            "chosen": [{"kode": v.kode, "alasan": v.alasan} for v in self.chosen],
            "notes": self.notes,
            "author": self.author,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            # store extras (optional when reading)
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "id": self.id,
            "scenario_version": self.version,
            "year": self.year,
            "targets": dict(self.targets),
            "plan": [_plan_export(p) for p in plan],
        }
        if previous is not None:
            doc["previous"] = {"year": previous.year, "file": previous.file,
                               "villages": [{"kode": c, "nama": previous.names.get(c, "")}
                                            for c in previous.codes]}
        return doc

    def to_json(self, *, plan: Sequence[PlanItem] = (), previous: PreviousList | None = None) -> str:
        """JSON export that reloads into the app (:meth:`from_json`, :meth:`Store.import_json`).

        The configuration is :meth:`ScoringConfig.to_dict` verbatim, so
        ``run_scoring(dataset, Scenario.from_json(s).config)`` gives the same ranking.
        """
        return json.dumps(self.to_dict(plan=plan, previous=previous), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> Scenario:
        """The scenario of an export (``id`` kept for reference; the plan via :func:`read_export`)."""
        return read_export(text).scenario


@dataclass(frozen=True)
class ScenarioSummary:
    """One line of :meth:`Store.find`."""

    id: int
    name: str
    dataset_id: str
    year: int
    n_chosen: int
    author: str
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class AuditEntry:
    """One audit row: who did what, when and why.

    ``scenario_id`` is None only for the tombstone of a deleted scenario, whose
    ``detail`` holds the scenario as exported (key ``skenario``).
    """

    id: int
    scenario_id: int | None
    at: datetime
    who: str
    action: str
    code: str | None
    reason: str
    detail: Mapping[str, Any]


@dataclass(frozen=True)
class ScenarioDiff:
    """Villages entering and leaving when going from list A to list B.

    ``entering``: in B, not in A (B's order and reasons); ``leaving``: in A, not in B
    (A's order and reasons); ``both``: in both (B's order and reasons).
    """

    entering: tuple[ChosenVillage, ...]
    leaving: tuple[ChosenVillage, ...]
    both: tuple[ChosenVillage, ...]

    def to_frame(self, villages: pd.DataFrame | None = None) -> pd.DataFrame:
        """``kode, status (masuk/keluar/tetap), alasan`` (+ ``nama, nama_kec`` from ``villages``)."""
        rows = [(v.kode, status, v.alasan) for status, group in
                (("masuk", self.entering), ("keluar", self.leaving), ("tetap", self.both)) for v in group]
        frame = pd.DataFrame(rows, columns=["kode", "status", "alasan"])
        if villages is not None:
            names = villages.set_index("kode")[["nama", "nama_kec"]]
            frame = frame.join(names, on="kode")[["kode", "nama", "nama_kec", "status", "alasan"]]
        return frame


@dataclass(frozen=True)
class ScenarioExport:
    """Everything in a scenario JSON export."""

    scenario: Scenario
    plan: tuple[PlanItem, ...] = ()
    previous: tuple[tuple[str, str], ...] = ()
    previous_year: int | None = None
    previous_file: str = ""


# =========================================================================== helpers
def _now() -> datetime:
    return datetime.now(UTC)


def _clean(value: object, what: str, max_len: int, *, required: bool = True, multiline: bool = False) -> str:
    """Trimmed NFC text without control characters (newline/tab only when multiline)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InputError(f"{what} harus berupa teks.")
    out = unicodedata.normalize("NFC", value).strip()
    if required and not out:
        raise InputError(f"{what} wajib diisi.")
    if len(out) > max_len:
        raise InputError(f"{what} terlalu panjang (maks. {max_len} karakter).")
    allowed = {"\n", "\t", "\r"} if multiline else set()
    if any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed for ch in out):
        raise InputError(f"{what} berisi karakter kendali.")
    return out


def _name(value: object) -> tuple[str, str]:
    """(name, uniqueness key)."""
    name = _clean(value, "Nama skenario", _NAME_MAX)
    return name, " ".join(name.casefold().split())


def _taken(name: str) -> str:
    return f"Nama skenario '{name}' sudah dipakai untuk dataset ini; pilih nama lain."


def _chosen(items: Sequence[ChosenVillage | tuple[str, str]]) -> tuple[ChosenVillage, ...]:
    out = tuple(v if isinstance(v, ChosenVillage) else ChosenVillage(*v) for v in items)
    counts = Counter(v.kode for v in out)
    dup = [c for c, n in counts.items() if n > 1]
    if dup:
        raise InputError("Desa tercantum lebih dari sekali dalam daftar terpilih.", rows=dup)
    return out


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _plan_export(item: PlanItem) -> dict[str, Any]:
    doc = item.to_dict()
    doc.pop("id")
    return doc


def chosen_from_result(result: ScoringResult) -> list[ChosenVillage]:
    """The recommended list of a scoring result with its reasons (``peringkat 3``, ...)."""
    sel = result.selection
    return [ChosenVillage(c, sel.reasons.get(c) or "direkomendasikan") for c in sel.chosen]


def compare_lists(a: Sequence[ChosenVillage], b: Sequence[ChosenVillage]) -> ScenarioDiff:
    """Villages entering (in ``b`` only), leaving (in ``a`` only) and staying."""
    in_a = {v.kode for v in a}
    in_b = {v.kode for v in b}
    return ScenarioDiff(entering=tuple(v for v in b if v.kode not in in_a),
                        leaving=tuple(v for v in a if v.kode not in in_b),
                        both=tuple(v for v in b if v.kode in in_a))


def default_url(data_dir: Path) -> str:
    """``DATABASE_URL`` when set, else ``sqlite:///<data_dir>/lokus.db``."""
    env = os.environ.get("DATABASE_URL", "").strip()
    if env:
        return env
    return URL.create("sqlite", database=str(Path(data_dir).resolve() / "lokus.db")).render_as_string()


def _normalise_url(url: str | URL) -> URL:
    """``postgres://`` → ``postgresql://``; a bare ``postgresql://`` gets an installed driver.

    SQLAlchemy 2.1 maps a bare ``postgresql://`` to psycopg 3; when only psycopg2 is
    installed (``psycopg2-binary``), that driver is named explicitly instead.
    """
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]  # Heroku-style scheme, refused by SQLAlchemy
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername=f"postgresql+{_pg_driver()}")
    return parsed


def _pg_driver() -> str:
    for module, driver in (("psycopg", "psycopg"), ("psycopg2", "psycopg2")):
        if importlib.util.find_spec(module) is not None:
            return driver
    return "psycopg"  # neither installed: SQLAlchemy's own error names the missing package


def _sqlite_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def make_engine(url: str | URL, *, foreign_keys: bool = True) -> Engine:
    """Engine with the SQLite pragmas (WAL, foreign keys, busy timeout) and BEGIN control.

    For SQLite, the driver's own transaction handling is switched off and the engine
    emits ``BEGIN`` itself — ``BEGIN IMMEDIATE`` on connections with the execution
    option ``lokus_write=True`` — so DDL is transactional and writers take the lock
    up front.
    """
    url = _normalise_url(url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    memory = _sqlite_memory(url)
    # the pool hands a connection to one thread at a time; sqlite3's own thread check would
    # refuse a pooled connection reused by another thread (Dash callbacks run in threads)
    options: dict[str, Any] = {"connect_args": {"timeout": 30, "check_same_thread": False}}
    if memory:
        options["poolclass"] = StaticPool  # one shared connection, or every checkout sees an empty DB
    elif not foreign_keys:
        options["poolclass"] = NullPool
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (see _on_begin)
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, far fewer fsyncs
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("lokus_write")
                             else "BEGIN")

    return engine


def _parse_time(value: object) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        stamp = datetime.fromisoformat(str(value))
    except ValueError:
        raise InputError("Waktu dalam berkas skenario tidak sah.", rows=[value]) from None
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def read_export(text: str | bytes) -> ScenarioExport:
    """Parse and validate a scenario JSON export.

    Raises
    ------
    InputError
        Not JSON, not a Lokus scenario, a newer format, or invalid content.
    """
    if len(text) > _MAX_IMPORT_BYTES:
        raise InputError("Berkas skenario terlalu besar.")
    try:
        doc = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise InputError("Berkas skenario bukan JSON yang sah.") from None
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
        raise InputError(f"Berkas JSON ini bukan ekspor skenario Lokus (\"format\": \"{EXPORT_FORMAT}\").")
    if doc.get("version") != _EXPORT_VERSION:
        raise InputError(f"Versi skenario {doc.get('version')!r} tidak didukung (hanya {_EXPORT_VERSION}); "
                         "perbarui aplikasi.")
    try:
        config = ScoringConfig.from_dict(doc["config"])
        chosen = _chosen([ChosenVillage(str(v["kode"]), str(v["alasan"])) for v in doc["chosen"]])
        targets = check_targets(doc.get("targets") or {})
        plan = tuple(PlanItem.from_dict(p) for p in doc.get("plan") or [])
        prev_doc = doc.get("previous") or {}
        previous = tuple((str(v["kode"]), str(v.get("nama", ""))) for v in prev_doc.get("villages", []))
        scenario = Scenario(
            id=doc.get("id") if isinstance(doc.get("id"), int) else None,
            name=_clean(doc.get("name") or "", "Nama skenario", _NAME_MAX, required=False),
            dataset_id=_clean(doc["dataset_id"], "Dataset", 120),
            year=config.year, config=config, chosen=chosen, targets=targets,
            notes=_clean(doc.get("notes") or "", "Catatan", 20_000, required=False, multiline=True),
            author=_clean(doc.get("author") or "", "Penulis", 120, required=False),
            created_at=_parse_time(doc.get("created_at")), updated_at=_parse_time(doc.get("updated_at")),
            version=int(doc.get("scenario_version") or 1),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"Berkas skenario tidak lengkap atau rusak ({exc.__class__.__name__}).") from None
    if doc.get("year") is not None and doc["year"] != config.year:
        raise InputError("Tahun skenario tidak sama dengan tahun konfigurasi.")
    return ScenarioExport(scenario=scenario, plan=plan, previous=previous,
                          previous_year=prev_doc.get("year"),
                          previous_file=str(prev_doc.get("file") or ""))


# =========================================================================== store
@dataclass
class _Change:
    """What one write does besides bumping the version: new column values and audit rows."""

    values: dict[str, Any] = field(default_factory=dict)
    audits: list[tuple[str, str | None, str, dict[str, Any] | None]] = field(default_factory=list)
    after: Callable[[Connection, int], None] | None = None


class Store:
    """Scenario storage on one database.

    Parameters
    ----------
    url
        SQLAlchemy URL; default ``DATABASE_URL``, else ``sqlite:///<data_dir>/lokus.db``
        (the folder is created). ``postgres://`` is accepted as ``postgresql://``.
    data_dir
        Folder of the default SQLite file.

    Notes
    -----
    Call :meth:`upgrade` once at start-up (idempotent). A store owns a connection pool:
    create one per process (after a fork) and :meth:`close` it at the end.
    """

    def __init__(self, url: str | None = None, *, data_dir: Path) -> None:
        raw = url if url else default_url(data_dir)
        self._url = _normalise_url(raw)
        if self._url.get_backend_name() == "sqlite" and not _sqlite_memory(self._url):
            Path(str(self._url.database)).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        self._engine = make_engine(self._url)

    # ------------------------------------------------------------------ plumbing
    @property
    def url(self) -> str:
        """The URL with the password hidden."""
        return self._url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql`` (or another SQLAlchemy dialect name)."""
        return self._engine.dialect.name

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tests and maintenance, not for the UI)."""
        return self._engine

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def alembic_config(self) -> Config:
        """Alembic configuration pointing at ``migrations/`` (no ``alembic.ini`` needed)."""
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.set_main_option("sqlalchemy.url", self._url.render_as_string(hide_password=False)
                            .replace("%", "%%"))
        return cfg

    @contextmanager
    def _migration_connection(self) -> Iterator[Connection]:
        if self.dialect == "sqlite" and not _sqlite_memory(self._url):
            engine = make_engine(self._url, foreign_keys=False)
            try:
                with engine.connect() as conn:
                    conn.execution_options(lokus_write=True)
                    with conn.begin():
                        yield conn
                        bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if bad:
                            raise RuntimeError(f"migration left broken foreign keys: {bad[:5]}")
            finally:
                engine.dispose()
        else:
            with self._engine.connect() as conn:
                conn.execution_options(lokus_write=True)
                with conn.begin():
                    if self.dialect == "postgresql":
                        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
                    yield conn

    def _migrate(self, fn: Callable[[Config, str], None], revision: str) -> None:
        cfg = self.alembic_config()
        with self._migration_connection() as conn:
            cfg.attributes["connection"] = conn
            fn(cfg, revision)

    def upgrade(self, revision: str = "head") -> None:
        """Apply the Alembic migrations up to ``revision`` in-process (idempotent)."""
        from alembic import command

        self._migrate(command.upgrade, revision)

    def downgrade(self, revision: str) -> None:
        """Revert the migrations down to ``revision`` (``"base"`` drops every table)."""
        from alembic import command

        self._migrate(command.downgrade, revision)

    def current_revision(self) -> str | None:
        """The revision the database is at (None when never migrated)."""
        from alembic.runtime.migration import MigrationContext

        with self._engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            conn.execution_options(lokus_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    # ------------------------------------------------------------------ rows
    @staticmethod
    def _scenario(row: Row[Any]) -> Scenario:
        chosen = tuple(ChosenVillage(v["kode"], v["alasan"]) for v in json.loads(row.chosen_json))
        return Scenario(
            id=row.id, name=row.name, dataset_id=row.dataset_id, year=row.year,
            config=ScoringConfig.from_dict(json.loads(row.config_json)), chosen=chosen,
            targets={str(k): float(v) for k, v in json.loads(row.targets_json).items()},
            notes=row.notes, author=row.author, created_at=row.created_at, updated_at=row.updated_at,
            version=row.version)

    def _row(self, conn: Connection, scenario_id: int, *, lock: bool = False) -> Row[Any]:
        query = select(scenario_table).where(scenario_table.c.id == int(scenario_id))
        if lock:
            query = query.with_for_update()  # PostgreSQL; SQLite already holds the write lock
        row = conn.execute(query).first()
        if row is None:
            raise ScenarioNotFoundError(f"Skenario #{scenario_id} tidak ditemukan (mungkin sudah dihapus).")
        return row

    def _check_name_free(self, conn: Connection, dataset_id: str, key: str, *, except_id: int | None = None,
                         name: str = "") -> None:
        query = select(scenario_table.c.id).where(scenario_table.c.dataset_id == dataset_id,
                                                  scenario_table.c.name_key == key)
        if except_id is not None:
            query = query.where(scenario_table.c.id != except_id)
        if conn.execute(query).first() is not None:
            raise InputError(_taken(name))

    def _insert_audit_row(self, conn: Connection, scenario_id: int | None, at: datetime, who: str,
                          action: str, code: str | None, reason: str,
                          detail: Mapping[str, Any] | None) -> None:
        assert action in ACTIONS, action
        conn.execute(insert(audit_table).values(
            scenario_id=scenario_id, at=at, who=who, action=action, code=code, reason=reason,
            detail_json=None if detail is None else _dumps(detail)))

    def _insert_plan(self, conn: Connection, scenario_id: int, items: Sequence[PlanItem]) -> None:
        for pos, item in enumerate(items):
            doc = _plan_export(item)
            conn.execute(insert(plan_item_table).values(scenario_id=scenario_id, posisi=pos, **doc))

    def _insert_previous(self, conn: Connection, scenario_id: int, rows: Sequence[tuple[str, str]],
                         year: int | None, file: str) -> None:
        for pos, (code, name) in enumerate(rows):
            conn.execute(insert(previous_list_table).values(
                scenario_id=scenario_id, posisi=pos, kode=code, nama=name[:200], tahun=year,
                berkas=file[:255]))

    def _insert_scenario(self, conn: Connection, *, name: str, dataset_id: str, config: ScoringConfig,
                         chosen: Sequence[ChosenVillage], targets: Mapping[str, float], notes: str,
                         author: str, now: datetime) -> int:
        name, key = _name(name)
        self._check_name_free(conn, dataset_id, key, name=name)
        try:
            with conn.begin_nested():  # a racing duplicate name must not poison the transaction
                result = conn.execute(insert(scenario_table).values(
                    name=name, name_key=key, dataset_id=dataset_id, year=config.year,
                    config_json=_dumps(config.to_dict()),
                    chosen_json=_dumps([{"kode": v.kode, "alasan": v.alasan} for v in chosen]),
                    targets_json=_dumps(dict(targets)), notes=notes, author=author, created_at=now,
                    updated_at=now, version=1).returning(scenario_table.c.id))
                return int(result.scalar_one())
        except IntegrityError:
            raise InputError(_taken(name)) from None

    # ------------------------------------------------------------------ create / read
    def save_new(
        self,
        name: str,
        dataset_id: str,
        config: ScoringConfig,
        chosen: Sequence[ChosenVillage | tuple[str, str]],
        *,
        author: str,
        notes: str = "",
        targets: Mapping[str, float] | None = None,
    ) -> Scenario:
        """Save a new scenario; audit: one ``create`` row and one ``add`` row per village.

        Raises
        ------
        InputError
            Invalid or duplicate name, invalid codes/reasons, duplicate villages.
        """
        who = _clean(author, "Nama pengguna", 120)
        dataset_id = _clean(dataset_id, "Dataset", 120)
        villages = _chosen(chosen)
        notes = _clean(notes, "Catatan", 20_000, required=False, multiline=True)
        targets_ok = check_targets(targets or {})
        now = _now()
        with self._write() as conn:
            sid = self._insert_scenario(conn, name=name, dataset_id=dataset_id, config=config,
                                        chosen=villages, targets=targets_ok, notes=notes, author=who, now=now)
            self._insert_audit_row(conn, sid, now, who, "create", None, "skenario dibuat",
                                   {"nama": _name(name)[0], "jumlah_desa": len(villages),
                                    "tahun": config.year})
            for v in villages:
                self._insert_audit_row(conn, sid, now, who, "add", v.kode, v.alasan, None)
            return self._scenario(self._row(conn, sid))

    def get(self, scenario_id: int) -> Scenario:
        """The scenario with this id.

        Raises
        ------
        ScenarioNotFoundError
        """
        with self._read() as conn:
            return self._scenario(self._row(conn, scenario_id))

    def find(self, dataset_id: str) -> list[ScenarioSummary]:
        """Scenarios of a dataset, most recently changed first."""
        t = scenario_table
        with self._read() as conn:
            rows = conn.execute(select(t.c.id, t.c.name, t.c.dataset_id, t.c.year, t.c.chosen_json,
                                       t.c.author,
                                       t.c.created_at, t.c.updated_at, t.c.version)
                                .where(t.c.dataset_id == dataset_id)
                                .order_by(t.c.updated_at.desc(), t.c.id.desc())).all()
        return [ScenarioSummary(id=r.id, name=r.name, dataset_id=r.dataset_id, year=r.year,
                                n_chosen=len(json.loads(r.chosen_json)), author=r.author,
                                created_at=r.created_at, updated_at=r.updated_at, version=r.version)
                for r in rows]

    def record_dataset(self, dataset_id: str, title: str, *, author: str,
                       detail: Mapping[str, Any]) -> None:
        """Record a saved user dataset (files live in its folder; this row says who and when).
        Saving again under an id of a deleted dataset replaces the old record."""
        who = _clean(author, "Nama pengguna", 120)
        t = dataset_record_table
        with self._write() as conn:
            conn.execute(t.delete().where(t.c.id == dataset_id))
            conn.execute(t.insert().values(id=dataset_id, title=_clean(title, "Judul", 200),
                                           created_at=_now(), created_by=who,
                                           detail_json=_dumps(dict(detail))))

    def delete_dataset_record(self, dataset_id: str, *, author: str) -> int:
        """Mark a dataset deleted (the row stays as a record); returns how many saved
        scenarios were made on it (they stay, for the record, but cannot be opened)."""
        who = _clean(author, "Nama pengguna", 120)
        t, s = dataset_record_table, scenario_table
        with self._write() as conn:
            conn.execute(t.update().where(t.c.id == dataset_id, t.c.deleted_at.is_(None))
                         .values(deleted_at=_now(), deleted_by=who))
            return int(conn.execute(select(func.count()).select_from(s)
                                    .where(s.c.dataset_id == dataset_id)).scalar_one())

    def dataset_records(self) -> list[dict[str, Any]]:
        """Every dataset record (deleted ones too), newest first."""
        t = dataset_record_table
        with self._read() as conn:
            rows = conn.execute(select(t).order_by(t.c.created_at.desc(), t.c.id)).all()
        return [{**r._asdict(), "detail": json.loads(r.detail_json)} for r in rows]

    def audit(self, scenario_id: int) -> list[AuditEntry]:
        """Audit rows of a scenario, oldest first."""
        with self._read() as conn:
            self._row(conn, scenario_id)
            rows = conn.execute(select(audit_table).where(audit_table.c.scenario_id == int(scenario_id))
                                .order_by(audit_table.c.id)).all()
        return [self._audit_entry(r) for r in rows]

    def deletions(self, dataset_id: str | None = None) -> list[AuditEntry]:
        """Tombstones of deleted scenarios (``detail["skenario"]`` is the export), oldest first."""
        with self._read() as conn:
            rows = conn.execute(select(audit_table).where(audit_table.c.scenario_id.is_(None),
                                                          audit_table.c.action == "delete")
                                .order_by(audit_table.c.id)).all()
        out = [self._audit_entry(r) for r in rows]
        if dataset_id is not None:
            out = [e for e in out if e.detail.get("skenario", {}).get("dataset_id") == dataset_id]
        return out

    @staticmethod
    def _audit_entry(r: Row[Any]) -> AuditEntry:
        return AuditEntry(id=r.id, scenario_id=r.scenario_id, at=r.at, who=r.who, action=r.action,
                          code=r.code, reason=r.reason,
                          detail=json.loads(r.detail_json) if r.detail_json else {})

    def plan(self, scenario_id: int) -> list[PlanItem]:
        """Saved plan items of a scenario, in saved order."""
        t = plan_item_table
        with self._read() as conn:
            self._row(conn, scenario_id)
            rows = conn.execute(select(t).where(t.c.scenario_id == int(scenario_id))
                                .order_by(t.c.posisi, t.c.id)).all()
        return [self._plan_item(r) for r in rows]

    @staticmethod
    def _plan_item(r: Row[Any]) -> PlanItem:
        m = r._mapping
        return PlanItem(**{k: m[k] for k in (
            "kode", "kegiatan", "opd", "nama", "kecamatan", "indicator_id", "indicator", "value", "target",
            "gap", "volume", "satuan", "anggaran", "catatan", "source", "id")})

    def previous(self, scenario_id: int) -> PreviousList | None:
        """Last year's lokus saved with the scenario (None when none was imported)."""
        t = previous_list_table
        with self._read() as conn:
            self._row(conn, scenario_id)
            rows = conn.execute(select(t).where(t.c.scenario_id == int(scenario_id))
                                .order_by(t.c.posisi)).all()
        if not rows:
            return None
        return PreviousList(codes=tuple(r.kode for r in rows), names={r.kode: r.nama for r in rows},
                            year=rows[0].tahun, file=rows[0].berkas)

    def compare(self, id_a: int, id_b: int) -> ScenarioDiff:
        """Villages entering (in B only), leaving (in A only) and in both, going from A to B."""
        with self._read() as conn:
            a = self._scenario(self._row(conn, id_a))
            b = self._scenario(self._row(conn, id_b))
        return compare_lists(a.chosen, b.chosen)

    def export_json(self, scenario_id: int) -> str:
        """The scenario with its plan and last year's list as JSON (:meth:`Scenario.to_json`)."""
        return self.get(scenario_id).to_json(plan=self.plan(scenario_id), previous=self.previous(scenario_id))

    def import_json(self, text: str | bytes, *, author: str, name: str | None = None) -> Scenario:
        """Save an exported scenario as a new one (plan and last year's list included).

        The audit starts with an ``import`` row naming the original author and id.
        """
        doc = read_export(text)
        sc = doc.scenario
        who = _clean(author, "Nama pengguna", 120)
        now = _now()
        with self._write() as conn:
            sid = self._insert_scenario(conn, name=name or sc.name or "Skenario impor",
                                        dataset_id=sc.dataset_id,
                                        config=sc.config, chosen=sc.chosen, targets=sc.targets,
                                        notes=sc.notes, author=who, now=now)
            self._insert_audit_row(conn, sid, now, who, "import", None, "skenario diimpor dari berkas JSON",
                                   {"id_asal": sc.id, "penulis_asal": sc.author, "nama_asal": sc.name,
                                    "jumlah_desa": len(sc.chosen)})
            for v in sc.chosen:
                self._insert_audit_row(conn, sid, now, who, "add", v.kode, v.alasan, None)
            self._insert_plan(conn, sid, doc.plan)
            self._insert_previous(conn, sid, doc.previous, doc.previous_year, doc.previous_file)
            return self._scenario(self._row(conn, sid))

    # ------------------------------------------------------------------ writes
    def _change(self, scenario_id: int, *, author: str, expected_version: int | None,
                build: Callable[[Connection, Scenario], _Change]) -> Scenario:
        """Read (locked), build the change, bump the version, write audit rows: one transaction."""
        who = _clean(author, "Nama pengguna", 120)
        with self._write() as conn:
            row = self._row(conn, scenario_id, lock=True)
            if expected_version is not None and row.version != int(expected_version):
                raise StaleScenarioError(
                    f"Skenario '{row.name}' telah diubah (versi {row.version}, Anda membuka versi "
                    f"{expected_version}); muat ulang skenario sebelum menyimpan.")
            current = self._scenario(row)
            change = build(conn, current)
            now = _now()
            result = conn.execute(update(scenario_table)
                                  .where(scenario_table.c.id == row.id,
                                         scenario_table.c.version == row.version)
                                  .values(**change.values, version=row.version + 1, updated_at=now))
            if result.rowcount != 1:  # only reachable if a backend ignored the row lock
                raise StaleScenarioError(f"Skenario '{row.name}' sedang diubah pengguna lain; coba lagi.")
            for action, code, reason, detail in change.audits:
                self._insert_audit_row(conn, row.id, now, who, action, code, reason, detail)
            if change.after is not None:
                change.after(conn, row.id)
            return self._scenario(self._row(conn, row.id))

    @staticmethod
    def _list_audits(old: Sequence[ChosenVillage], new: Sequence[ChosenVillage],
                     reason: str) -> list[tuple[str, str | None, str, dict[str, Any] | None]]:
        """One ``remove`` row per village leaving, one ``add`` per village entering (why = ``reason``)."""
        diff = compare_lists(old, new)
        rows: list[tuple[str, str | None, str, dict[str, Any] | None]] = []
        rows += [("remove", v.kode, reason, {"alasan_sebelumnya": v.alasan}) for v in diff.leaving]
        rows += [("add", v.kode, reason, {"alasan_pilih": v.alasan}) for v in diff.entering]
        if not rows and [v.kode for v in old] != [v.kode for v in new]:
            rows.append(("reorder", None, reason, {"urutan": [v.kode for v in new]}))
        return rows

    def _chosen_values(self, chosen: Sequence[ChosenVillage]) -> dict[str, Any]:
        return {"chosen_json": _dumps([{"kode": v.kode, "alasan": v.alasan} for v in chosen])}

    def update_config(
        self,
        scenario_id: int,
        config: ScoringConfig,
        chosen: Sequence[ChosenVillage | tuple[str, str]],
        *,
        author: str,
        reason: str,
        expected_version: int,
    ) -> Scenario:
        """Replace the configuration and the chosen list (e.g. after re-scoring).

        Audit: one ``config`` row naming the settings changed (before/after), then one
        ``remove``/``add`` row per village leaving/entering, all with ``reason``.

        Raises
        ------
        StaleScenarioError
            ``expected_version`` is not the current version.
        """
        why = _clean(reason, "Alasan perubahan", 1000)
        villages = _chosen(chosen)

        def build(conn: Connection, cur: Scenario) -> _Change:
            before, after = cur.config.to_dict(), config.to_dict()
            changed = [k for k in after if before.get(k) != after[k]]
            audits: list[tuple[str, str | None, str, dict[str, Any] | None]] = []
            if changed:
                audits.append(("config", None, why, {"berubah": changed,
                                                     "sebelum": {k: before.get(k) for k in changed},
                                                     "sesudah": {k: after[k] for k in changed}}))
            audits += self._list_audits(cur.chosen, villages, why)
            return _Change(values={"config_json": _dumps(after), "year": config.year,
                                   **self._chosen_values(villages)}, audits=audits)

        return self._change(scenario_id, author=author, expected_version=expected_version, build=build)

    def set_chosen(
        self,
        scenario_id: int,
        chosen: Sequence[ChosenVillage | tuple[str, str]],
        *,
        author: str,
        reason: str,
        expected_version: int | None = None,
    ) -> Scenario:
        """Replace the chosen list; one audit row per village added or removed (why = ``reason``)."""
        why = _clean(reason, "Alasan perubahan", 1000)
        villages = _chosen(chosen)

        def build(conn: Connection, cur: Scenario) -> _Change:
            return _Change(values=self._chosen_values(villages),
                           audits=self._list_audits(cur.chosen, villages, why))

        return self._change(scenario_id, author=author, expected_version=expected_version, build=build)

    def add_village(self, scenario_id: int, code: str, reason: str, *, author: str,
                    expected_version: int | None = None) -> Scenario:
        """Append a village to the chosen list (reason required; stored as its reason too).

        Raises
        ------
        InputError
            Empty reason, invalid code, or the village is already on the list.
        """
        village = ChosenVillage(code, reason)

        def build(conn: Connection, cur: Scenario) -> _Change:
            if village.kode in cur.reasons:
                raise InputError("Desa sudah ada dalam daftar terpilih.", rows=[village.kode])
            new = (*cur.chosen, village)
            return _Change(values=self._chosen_values(new),
                           audits=[("add", village.kode, village.alasan, None)])

        return self._change(scenario_id, author=author, expected_version=expected_version, build=build)

    def remove_village(self, scenario_id: int, code: str, reason: str, *, author: str,
                       expected_version: int | None = None) -> Scenario:
        """Remove a village from the chosen list (reason required).

        Raises
        ------
        InputError
            Empty reason, or the village is not on the list.
        """
        why = _clean(reason, "Alasan", 1000)
        kode = normalise_code(code) or str(code)

        def build(conn: Connection, cur: Scenario) -> _Change:
            if kode not in cur.reasons:
                raise InputError("Desa tidak ada dalam daftar terpilih.", rows=[kode])
            new = tuple(v for v in cur.chosen if v.kode != kode)
            return _Change(values=self._chosen_values(new),
                           audits=[("remove", kode, why, {"alasan_sebelumnya": cur.reasons[kode]})])

        return self._change(scenario_id, author=author, expected_version=expected_version, build=build)

    def rename(self, scenario_id: int, new_name: str, *, author: str,
               expected_version: int | None = None) -> Scenario:
        """Rename (unique per dataset, case-insensitive).

        Raises
        ------
        InputError
            Invalid name, or the name is taken by another scenario of the dataset.
        """
        name, key = _name(new_name)

        def build(conn: Connection, cur: Scenario) -> _Change:
            self._check_name_free(conn, cur.dataset_id, key, except_id=cur.id, name=name)
            return _Change(values={"name": name, "name_key": key},
                           audits=[("rename", None, "nama diubah", {"sebelum": cur.name, "sesudah": name})])

        try:
            return self._change(scenario_id, author=author, expected_version=expected_version, build=build)
        except IntegrityError:  # a concurrent rename won the race
            raise InputError(_taken(name)) from None

    def duplicate(self, scenario_id: int, new_name: str, *, author: str) -> Scenario:
        """Copy a scenario (configuration, list, targets, notes, plan, last year's list)."""
        who = _clean(author, "Nama pengguna", 120)
        now = _now()
        with self._write() as conn:
            src = self._scenario(self._row(conn, scenario_id))
            sid = self._insert_scenario(conn, name=new_name, dataset_id=src.dataset_id, config=src.config,
                                        chosen=src.chosen, targets=src.targets, notes=src.notes, author=who,
                                        now=now)
            self._insert_audit_row(conn, sid, now, who, "duplicate", None,
                                   f"disalin dari skenario '{src.name}'",
                                   {"dari_id": src.id, "dari_nama": src.name, "dari_versi": src.version,
                                    "terpilih": [v.kode for v in src.chosen]})
            t = plan_item_table
            items = [self._plan_item(r) for r in conn.execute(
                select(t).where(t.c.scenario_id == src.id).order_by(t.c.posisi, t.c.id)).all()]
            self._insert_plan(conn, sid, items)
            p = previous_list_table
            prev = conn.execute(select(p).where(p.c.scenario_id == src.id).order_by(p.c.posisi)).all()
            if prev:
                self._insert_previous(conn, sid, [(r.kode, r.nama) for r in prev], prev[0].tahun,
                                      prev[0].berkas)
            return self._scenario(self._row(conn, sid))

    def delete(self, scenario_id: int, *, author: str, reason: str = "",
               expected_version: int | None = None) -> None:
        """Delete a scenario with its audit rows and plan (cascade), leaving a tombstone.

        The tombstone is an audit row without scenario id whose detail holds the
        full export (see :meth:`deletions`).
        """
        who = _clean(author, "Nama pengguna", 120)
        why = _clean(reason, "Alasan", 1000, required=False) or "skenario dihapus"
        with self._write() as conn:
            row = self._row(conn, scenario_id, lock=True)
            if expected_version is not None and row.version != int(expected_version):
                raise StaleScenarioError(f"Skenario '{row.name}' telah diubah (versi {row.version}); "
                                         "muat ulang sebelum menghapus.")
            sc = self._scenario(row)
            t = plan_item_table
            items = [self._plan_item(r) for r in conn.execute(
                select(t).where(t.c.scenario_id == row.id).order_by(t.c.posisi, t.c.id)).all()]
            self._insert_audit_row(conn, None, _now(), who, "delete", None, why,
                                   {"skenario": sc.to_dict(plan=items)})
            conn.execute(delete(scenario_table).where(scenario_table.c.id == row.id))

    def set_notes(self, scenario_id: int, notes: str, *, author: str,
                  expected_version: int | None = None) -> Scenario:
        """Replace the free notes (audit keeps before/after)."""
        clean = _clean(notes, "Catatan", 20_000, required=False, multiline=True)

        def build(conn: Connection, cur: Scenario) -> _Change:
            return _Change(values={"notes": clean},
                           audits=[("notes", None, "catatan diubah",
                                    {"sebelum": cur.notes, "sesudah": clean})])

        return self._change(scenario_id, author=author, expected_version=expected_version, build=build)

    def set_targets(self, scenario_id: int, targets: Mapping[str, float], *, author: str,
                    expected_version: int | None = None) -> Scenario:
        """Replace the coverage target overrides (empty = catalogue targets)."""
        clean = check_targets(targets)

        def build(conn: Connection, cur: Scenario) -> _Change:
            return _Change(values={"targets_json": _dumps(clean)},
                           audits=[("targets", None, "target cakupan diubah",
                                    {"sebelum": dict(cur.targets), "sesudah": clean})])

        return self._change(scenario_id, author=author, expected_version=expected_version, build=build)

    def save_plan(self, scenario_id: int, items: Sequence[PlanItem], *, author: str,
                  expected_version: int | None = None) -> list[PlanItem]:
        """Replace the plan items (the whole edited list from the UI) in one transaction.

        Audit: one ``plan`` row with counts before/after, items added/removed and the
        total budget. Items need not belong to chosen villages (a planner may keep an
        activity while a village is debated); the UI may flag those.
        """
        new = [it if isinstance(it, PlanItem) else PlanItem.from_dict(it) for it in items]

        def build(conn: Connection, cur: Scenario) -> _Change:
            def replace_items(conn: Connection, sid: int) -> None:
                t = plan_item_table
                rows = conn.execute(select(t).where(t.c.scenario_id == sid)).all()
                old = [self._plan_item(r) for r in rows]
                conn.execute(delete(t).where(t.c.scenario_id == sid))
                self._insert_plan(conn, sid, new)
                key = lambda it: _dumps(_plan_export(it))  # noqa: E731
                before, after = Counter(map(key, old)), Counter(map(key, new))
                budget = sum(it.anggaran or 0 for it in new)
                self._insert_audit_row(conn, sid, _now(), _clean(author, "Nama pengguna", 120), "plan", None,
                                       "rencana kegiatan disimpan",
                                       {"sebelum": len(old), "sesudah": len(new),
                                        "ditambah_atau_diubah": sum((after - before).values()),
                                        "dihapus_atau_diubah": sum((before - after).values()),
                                        "otomatis": sum(it.source == "otomatis" for it in new),
                                        "manual": sum(it.source == "manual" for it in new),
                                        "anggaran_total": budget})
            return _Change(after=replace_items)

        self._change(scenario_id, author=author, expected_version=expected_version, build=build)
        return self.plan(scenario_id)

    def set_previous(self, scenario_id: int, previous: PreviousList | None, *, author: str,
                     expected_version: int | None = None) -> Scenario:
        """Save (or with None, clear) last year's lokus list for the scenario."""

        def build(conn: Connection, cur: Scenario) -> _Change:
            def replace_rows(conn: Connection, sid: int) -> None:
                conn.execute(delete(previous_list_table).where(previous_list_table.c.scenario_id == sid))
                if previous is not None:
                    self._insert_previous(conn, sid, [(c, previous.names.get(c, "")) for c in previous.codes],
                                          previous.year, previous.file)
            detail = None if previous is None else {
                "jumlah_desa": len(previous.codes), "tahun": previous.year, "berkas": previous.file}
            return _Change(after=replace_rows, audits=[(
                "previous", None, "daftar lokus tahun lalu dihapus" if previous is None
                else "daftar lokus tahun lalu diimpor", detail)])

        return self._change(scenario_id, author=author, expected_version=expected_version, build=build)

    def count(self) -> int:
        """Number of scenarios (all datasets)."""
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(scenario_table)).scalar_one())

