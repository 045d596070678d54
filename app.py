"""Lokus — stunting priority-village (lokus) dashboard for Bappeda.

``python app.py`` serves the dashboard on the embedded Kabupaten Sumedang data;
``create_app()`` builds an app (used by tests and by gunicorn: ``app:server``).
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

import dash_bootstrap_components as dbc
from dash import Dash

from callbacks import register_all
from geo.dataset import Dataset
from geo.errors import InputError
from geo.indicators import base_id
from geo.mapdata import fit_view
from geo.registry import Registry
from geo.scoring import PRESETS
from geo.store import Store
from layouts import decide, ids, map_page, scoring
from layouts.mapfig import base_figure
from layouts.shell import shell

ROOT = Path(__file__).resolve().parent
DEFAULT_DATA_DIR = ROOT / "data"
DEFAULT_STATE_DIR = ROOT / "var"
PREFERRED_INDICATORS = ("rasio_merah", "prevalensi", "merah", "stunting")


def create_app(data_dir: str | Path | None = None, *, database_url: str | None = None,
               state_dir: str | Path | None = None) -> Dash:
    """Build the Dash app.

    Parameters
    ----------
    data_dir
        Folder of dataset folders (default: the embedded data; ``LOKUS_DATA_DIR``).
    database_url
        SQLAlchemy URL of the scenario database (default: ``DATABASE_URL``, else SQLite
        ``<state_dir>/lokus.db``).
    state_dir
        Folder for saved work (default: ``LOKUS_STATE_DIR`` or ``var/`` beside app.py).
    """
    data_dir = Path(data_dir or os.environ.get("LOKUS_DATA_DIR") or DEFAULT_DATA_DIR)
    state_dir = Path(state_dir or os.environ.get("LOKUS_STATE_DIR") or DEFAULT_STATE_DIR)
    registry = Registry(data_dir)
    store = Store(database_url, data_dir=state_dir)
    store.upgrade()  # idempotent: every worker may run it
    dataset = registry.get(None)
    geom = registry.geometry(None)

    app = Dash(
        __name__,
        title="Lokus — analisis situasi stunting",
        assets_folder=str(ROOT / "assets"),
        serve_locally=True,
        update_title=None,
        external_stylesheets=[],  # Bootstrap is served from assets/: no CDN, works offline
    )
    available = [i.id for i in dataset.indicators]
    indicator = next((i for i in PREFERRED_INDICATORS if i in available), available[0])
    figure = base_figure(geom, dataset.villages["nama"].tolist(),
                         dataset.villages["nama_kec"].tolist(), fit_view(geom.total_bounds))
    source = f"Sumber: {dataset.attribution}"
    tabs = dbc.Tabs([
        dbc.Tab(map_page.table_panel(), label="Tabel desa", tab_id="tabel"),
        dbc.Tab(scoring.scoring_panel(dataset.years, preset_labels(),
                                      scoring_choices(dataset), village_choices(dataset)),
                label="Skoring lokus", tab_id="skoring"),
        dbc.Tab(scoring.quadrant_panel(), label="Kuadran", tab_id="kuadran"),
        dbc.Tab(decide.decide_panel(), label="Keputusan & unduh", tab_id="keputusan"),
        dbc.Tab(map_page.report_panel(dataset), label="Data & sumber", tab_id="data"),
    ], id=ids.TABS, active_tab="tabel")
    app.layout = shell(dataset.id, dataset.title, dataset.synthetic or dataset.coverage_synthetic, [
        map_page.controls(dataset, indicator, dataset.years[-1]),
        dbc.Row([
            dbc.Col(map_page.map_panel(figure, source), lg=6),
            dbc.Col(tabs, lg=6, className="right-panel"),
        ], className="g-2"),
    ])
    register_all(app, registry, store)
    return app


def preset_labels() -> dict[str, str]:
    """Preset name → Indonesian label."""
    return {name: p["label_id"] for name, p in PRESETS.items()}


def scoring_choices(dataset: Dataset) -> list[tuple[str, str, str, str]]:
    """Indicators a planner may score with in the latest year: (id, label, direction, sector)."""
    tag = " · SINTETIS" if dataset.coverage_synthetic else ""
    return [(i.id, i.label_id + (tag if dataset.indicator(base_id(i.id)).kind == "coverage" else ""),
             i.direction, i.sector)
            for i in dataset.scoring_indicators(dataset.years[-1])]


def village_choices(dataset: Dataset) -> list[tuple[str, str]]:
    """(code, "Desa — Kec. X") for pickers, sorted by kecamatan then village."""
    v = dataset.villages.sort_values(["nama_kec", "nama"])
    return [(c, f"{n} — Kec. {k}") for c, n, k in zip(v["kode"], v["nama"], v["nama_kec"], strict=True)]


def main(argv: list[str] | None = None) -> None:
    """Serve the dashboard (development server; use gunicorn ``app:server`` in production)."""
    parser = argparse.ArgumentParser(description="Lokus dashboard")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8050")))
    parser.add_argument("--data-dir", default=None, help="folder with dataset folders")
    parser.add_argument("--state-dir", default=None, help="folder for saved work (SQLite)")
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    try:
        app = create_app(args.data_dir, state_dir=args.state_dir)
    except InputError as exc:  # bad data folder: one clear line, no traceback
        raise SystemExit(f"lokus: {exc}") from None
    app.run(host=args.host, port=args.port, debug=args.debug)


def __getattr__(name: str):
    """Build ``server`` on first access (``gunicorn app:server``), not at import time."""
    if name == "server":
        return create_app().server
    raise AttributeError(name)


if __name__ == "__main__":
    main()
