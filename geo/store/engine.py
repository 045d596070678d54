"""Database engines and migrations of the scenario store: SQLite by default, PostgreSQL by URL.

- SQLite runs in WAL mode with foreign keys on (a connect event). The driver's own
  transaction handling is off and the engine emits ``BEGIN`` itself — ``BEGIN IMMEDIATE``
  on connections with the execution option ``lokus_write=True`` — so DDL is transactional
  and writers take the lock up front (two workers never both read and then fail to
  upgrade their lock).
- **Migrations** are the Alembic revisions in ``geo/store/migrations`` (package data, so an
  installed wheel migrates too); :func:`upgrade` runs them in-process. On SQLite the
  migration connection has foreign keys off (a batch table rebuild would otherwise
  cascade-delete children) and runs ``PRAGMA foreign_key_check`` before committing; on
  PostgreSQL an advisory lock lets several workers start at once.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool, StaticPool

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["MIGRATIONS_DIR", "alembic_config", "current_revision", "default_url", "downgrade",
           "is_sqlite_memory", "make_engine", "normalise_url", "reading", "upgrade", "writing"]

#: Folder of the Alembic environment and revisions (inside the installed package).
MIGRATIONS_DIR = Path(str(resources.files("geo.store").joinpath("migrations")))
_PG_LOCK_KEY = 7_203_115_042  # any constant: serialises concurrent upgrades on PostgreSQL


def default_url(data_dir: Path, database_url: str = "") -> str:
    """``database_url`` when given (``Settings.database_url``), else ``sqlite:///<data_dir>/lokus.db``."""
    if database_url.strip():
        return database_url.strip()
    return URL.create("sqlite", database=str(Path(data_dir).resolve() / "lokus.db")).render_as_string()


def normalise_url(url: str | URL) -> URL:
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


def is_sqlite_memory(url: URL) -> bool:
    """True for an in-memory SQLite URL."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def make_engine(url: str | URL, *, foreign_keys: bool = True) -> Engine:
    """Engine with the SQLite pragmas (WAL, foreign keys, busy timeout) and BEGIN control."""
    url = normalise_url(url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    memory = is_sqlite_memory(url)
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


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction (SQLite: ``BEGIN IMMEDIATE``, the lock taken up front)."""
    with engine.connect() as conn:
        conn.execution_options(lokus_write=True)
        with conn.begin():
            yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read transaction (one consistent snapshot for several queries)."""
    with engine.connect() as conn, conn.begin():
        yield conn


def alembic_config(url: URL) -> Config:
    """Alembic configuration pointing at the packaged migrations (no ``alembic.ini`` needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


@contextmanager
def _migration_connection(engine: Engine, url: URL) -> Iterator[Connection]:
    if engine.dialect.name == "sqlite" and not is_sqlite_memory(url):
        own = make_engine(url, foreign_keys=False)
        try:
            with own.connect() as conn:
                conn.execution_options(lokus_write=True)
                with conn.begin():
                    yield conn
                    bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if bad:
                        raise RuntimeError(f"migration left broken foreign keys: {bad[:5]}")
        finally:
            own.dispose()
    else:
        with engine.connect() as conn:
            conn.execution_options(lokus_write=True)
            with conn.begin():
                if engine.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
                yield conn


def _migrate(engine: Engine, url: URL, fn: Callable[[Config, str], None], revision: str) -> None:
    cfg = alembic_config(url)
    with _migration_connection(engine, url) as conn:
        cfg.attributes["connection"] = conn
        fn(cfg, revision)


def upgrade(engine: Engine, url: URL, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` in-process (idempotent)."""
    from alembic import command

    _migrate(engine, url, command.upgrade, revision)


def downgrade(engine: Engine, url: URL, revision: str) -> None:
    """Revert the migrations down to ``revision`` (``"base"`` drops every table)."""
    from alembic import command

    _migrate(engine, url, command.downgrade, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
