"""Alembic environment of the Lokus scenario store.

In the app and the tests, :func:`geo.store.engine.upgrade` passes an open connection (inside
its transaction) in ``config.attributes["connection"]``. From the ``alembic`` command line
(developers, ``alembic.ini`` at the repository root), the URL is ``-x url=...`` or
``DATABASE_URL`` (:meth:`geo.core.settings.Settings.from_env`); the engine gets the same SQLite
settings as the store (:func:`geo.store.engine.make_engine`).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from geo.core.settings import Settings
from geo.store.engine import make_engine
from geo.store.schema import metadata

target_metadata = metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds tables instead
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or Settings.from_env().database_url
    url = url or context.config.get_main_option("sqlalchemy.url") or ""
    if not url:
        raise SystemExit("Set DATABASE_URL or pass -x url=... (e.g. sqlite:///data/lokus.db).")
    return url


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade head --sql``)."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run on the connection given by the store, or on a new engine (CLI)."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url(), foreign_keys=False)
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


# Alembic runs this file with its context set up; imported any other way (doctest
# collection, a type checker) it must do nothing.
if hasattr(context, "config"):
    if context.is_offline_mode():
        run_migrations_offline()
    else:
        run_migrations_online()
