"""Shared fixtures, markers and hypothesis profiles.

Fixtures: paths to the embedded data and ../shared (present in CI); the embedded Sumedang
dataset, its boundaries and its posyandu table, each read once per session; the tiny
four-village dataset of ``tests/conftest_db.py``; a migrated SQLite scenario store; one
Dash app for tests that only read it.
Session-scoped objects are shared by many modules: treat them as read-only (copy a frame
before changing it). Database fixtures on every backend live in ``tests/conftest_db.py``.

Markers (``pyproject.toml``): ``slow`` (seconds each: property tests, marked here
automatically; subprocesses; PDFs with maps; the wheel; the national code list), ``pg``
(PostgreSQL), ``e2e`` (browser).
The fast layer is ``bash scripts/test.sh -m "not e2e and not slow"``.

Hypothesis: profile ``dev`` (few examples, the default) or ``ci`` (more examples,
derandomized, no deadline), chosen by ``HYPOTHESIS_PROFILE``; scripts/test.sh picks ``ci``.
Tests that set ``max_examples`` themselves keep their count under both profiles.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SHARED_DATA = ROOT.parent / "shared" / "data"
SUMEDANG_BOUNDARIES = DATA / "sumedang" / "sumedang_desa_kel_2025.geojson"
SUMEDANG_POSYANDU = DATA / "sumedang" / "sumedang_stunting_posyandu_2019_2021.csv"

settings.register_profile("ci", max_examples=200, derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=20, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist (scripts/test.sh runs two workers) each worker starts its Dash test
    servers on its own ports: dash.testing counts up from 58050 in every process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw"):
        try:
            from dash.testing.application_runners import BaseDashRunner
        except ImportError:  # dash[testing] not installed: no browser tests either
            return
        BaseDashRunner._next_port += 1000 * int(worker[2:])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Property tests (hypothesis ``@given``) are ``slow``: the fast layer runs the examples
    written out, the full run explores."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)


# --------------------------------------------------------------------------- folders
@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The embedded data folder."""
    return DATA


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout; tests using it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not beside this checkout")
    return SHARED_DATA


# --------------------------------------------------------------------------- embedded Sumedang
@pytest.fixture(scope="session")
def registry():
    """The embedded datasets, loaded lazily; its scoring memo is shared by every module."""
    from geo.view.registry import Registry

    return Registry(DATA)


@pytest.fixture(scope="session")
def sumedang_dataset(registry):
    """The embedded Sumedang :class:`~geo.data.model.Dataset` (loaded once)."""
    return registry.get("sumedang")


@pytest.fixture(scope="session")
def sumedang_result(registry):
    """The default preset ("prevalensi_kasus", 2021) scored on Sumedang, through the registry's
    memo, so the modules that score it share one run."""
    from geo.scoring.presets import preset_config

    config = preset_config(registry.get("sumedang"), "prevalensi_kasus", 2021).to_dict()
    return registry.score("sumedang", config)


@pytest.fixture(scope="session")
def sumedang_path() -> Path:
    """The embedded Sumedang village boundaries (GeoJSON)."""
    return SUMEDANG_BOUNDARIES


@cache
def _read_sumedang_gdf():
    import geopandas as gpd

    return gpd.read_file(SUMEDANG_BOUNDARIES, engine="pyogrio")


@pytest.fixture(scope="module")
def sumedang_gdf():
    """The Sumedang village boundaries as read from the GeoJSON (a copy per module)."""
    return _read_sumedang_gdf().copy()


@pytest.fixture(scope="module")
def sumedang_villages() -> pd.DataFrame:
    """kode, nama, nama_kec of every Sumedang village, as :func:`read_boundaries` gives them."""
    from geo.io.boundaries import read_boundaries

    return pd.DataFrame(read_boundaries(SUMEDANG_BOUNDARIES).gdf[["kode", "nama", "nama_kec"]])


@cache
def _read_posyandu() -> pd.DataFrame:
    return pd.read_csv(SUMEDANG_POSYANDU, dtype=str)


@pytest.fixture(scope="module")
def sumedang_posyandu() -> pd.DataFrame:
    """The embedded posyandu table 2019–2021, every cell as text (a copy per module)."""
    return _read_posyandu().copy()


# --------------------------------------------------------------------------- tiny dataset, store
@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory: pytest.TempPathFactory):
    """Four villages in two kecamatan (``tests/conftest_db.py``: A, B, C, D and their counts)."""
    from tests.conftest_db import make_tiny_dataset

    return make_tiny_dataset(tmp_path_factory.mktemp("mini"))


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory):
    """The Dash app on an empty state folder, shared by tests that only read it or whose
    changes are refused; a test that saves builds its own with ``create_app``."""
    from app import create_app

    state = tmp_path_factory.mktemp("app-state")
    return create_app(database_url=f"sqlite:///{state}/lokus.db", state_dir=state)


@pytest.fixture
def store(tmp_path: Path) -> Iterator:
    """A migrated scenario store on SQLite in ``tmp_path`` (``tests/conftest_db.py`` has the
    one that runs on every backend)."""
    from geo.store.scenarios import Store

    s = Store(f"sqlite:///{tmp_path}/x.db", data_dir=tmp_path)
    s.upgrade()
    yield s
    s.close()
