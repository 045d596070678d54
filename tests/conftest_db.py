"""Database fixtures (SQLite always, PostgreSQL when DATABASE_URL points to one) and a tiny
hand-built dataset for the plan and continuity tests.

Import the fixtures into a test module (``from tests.conftest_db import db_url, store``).

PostgreSQL: the session creates a fresh database ``lokus_test_<random>`` on the server of
``DATABASE_URL`` (never touching the database named there) and drops it at the end; each
test gets its own schema through ``search_path``. ``scripts/with_postgres.sh`` starts a throwaway
cluster and sets ``DATABASE_URL``.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from geo.data.loading import load_dataset
from geo.data.model import CoverageSpec, Dataset
from geo.store.scenarios import Store

DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
PG_SKIP = ("DATABASE_URL does not point to PostgreSQL (postgresql://...); "
           "run scripts/with_postgres.sh (scripts/test.sh does as root) to test on PostgreSQL")
#: The PostgreSQL run is marked ``pg`` (``-m "not pg"`` leaves it out).
BACKENDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.pg))


def is_postgresql(url: str) -> bool:
    """True for a PostgreSQL SQLAlchemy URL."""
    return url.startswith(("postgresql", "postgres://"))


@pytest.fixture(scope="session")
def pg_database() -> Iterator[URL]:
    """A fresh PostgreSQL database for this test session (skips without PostgreSQL)."""
    if not is_postgresql(DATABASE_URL):
        pytest.skip(PG_SKIP)
    base = make_url(DATABASE_URL.replace("postgres://", "postgresql://", 1))
    name = f"lokus_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty database: a SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        return URL.create("sqlite", database=str(tmp_path / "db" / "lokus.db")).render_as_string()
    server: URL = request.getfixturevalue("pg_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(server, poolclass=NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()
    url = server.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture()
def empty_store(db_url: str, tmp_path: Path) -> Iterator[Store]:
    """A store on an empty database (not migrated)."""
    store = Store(db_url, data_dir=tmp_path)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture()
def store(empty_store: Store) -> Store:
    """A migrated store."""
    empty_store.upgrade()
    return empty_store


# --------------------------------------------------------------------------- tiny dataset
#: Four villages in two kecamatan. Names chosen for the name-matching tests.
A, B, C, D = "32.11.01.2001", "32.11.01.2002", "32.11.02.2001", "32.11.02.2002"
NAMES = {A: ("Sukamaju", "Satu"), B: ("Cikoneng", "Satu"),
         C: ("Mekarsari", "Dua"), D: ("Pasirreungit", "Dua")}
#: (merah, hijau) per year: rasio_merah 2021 A 30 %, B 10 %, C 25 %, D 5 %;
#: 2020 A 20 %, B 30 %, C 10 %, D 5 %.
COUNTS = {2020: {A: (20, 80), B: (30, 70), C: (10, 90), D: (5, 95)},
          2021: {A: (30, 70), B: (10, 90), C: (25, 75), D: (5, 95)}}
COVERAGE_COLUMNS = ("sp_mpasi", "se_kehamilan_tidak_diinginkan", "se_air_minum", "sc_akta_lahir")
#: Coverage (%) 2021, in COVERAGE_COLUMNS order (None = empty cell).
COVERAGE_2021 = {A: (70.0, 20.0, 50.0, 100.0), B: (50.0, 30.0, 40.0, 60.0),
                 C: (85.0, 10.0, 90.0, 95.0), D: (None, None, None, None)}
COVERAGE_2020 = {A: (60.0, 25.0, 45.0, 90.0), B: (55.0, 28.0, 40.0, 50.0),
                 C: (80.0, 12.0, 88.0, 90.0), D: (None, None, None, None)}


def _square(i: int) -> list:
    x0, y0 = 107.0 + 0.01 * i, -6.9
    return [[[x0, y0], [x0 + 0.01, y0], [x0 + 0.01, y0 + 0.01], [x0, y0 + 0.01], [x0, y0]]]


def make_tiny_dataset(folder: Path) -> Dataset:
    """Load the four-village dataset (counts 2020–2021, coverage 2020–2021)."""
    folder.mkdir(parents=True, exist_ok=True)
    features = [
        {"type": "Feature",
         "properties": {"kode": code, "nama": NAMES[code][0], "kode_kec": code[:8],
                        "nama_kec": NAMES[code][1]},
         "geometry": {"type": "Polygon", "coordinates": _square(i)}}
        for i, code in enumerate((A, B, C, D))
    ]
    boundaries = folder / "desa.geojson"
    boundaries.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    lines = ["kode,tahun,merah,hijau"]
    for year, counts in COUNTS.items():
        lines += [f"{code},{year},{red},{green}" for code, (red, green) in counts.items()]
    table = folder / "jumlah.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cov = ["kode,tahun," + ",".join(COVERAGE_COLUMNS)]
    for year, values in ((2020, COVERAGE_2020), (2021, COVERAGE_2021)):
        for code, row in values.items():
            cov.append(f"{code},{year}," + ",".join("" if v is None else str(v) for v in row))
    coverage = folder / "cakupan.csv"
    coverage.write_text("\n".join(cov) + "\n", encoding="utf-8")
    return load_dataset(boundaries, table, dataset_id="mini", title="Mini",
                        coverage=(CoverageSpec(coverage, title="uji"),))
