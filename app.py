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
from geo.datasets import user_datasets_dir
from geo.errors import InputError
from geo.registry import Registry
from geo.store import Store
from layouts import decide, ids, map_page, scoring, upload
from layouts.dataset_view import (
    default_indicator,
    map_figure,
    preset_labels,
    scoring_choices,
    source_line,
    village_choices,
)
from layouts.shell import shell

ROOT = Path(__file__).resolve().parent
DEFAULT_DATA_DIR = ROOT / "data"
DEFAULT_STATE_DIR = ROOT / "var"


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
    # user datasets (upload page, `lokus import`) live apart from the embedded data
    registry = Registry(data_dir, extra_roots=[user_datasets_dir(state_dir)])
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
    indicator = default_indicator(dataset)
    figure = map_figure(dataset, geom)
    source = source_line(dataset)
    max_bytes = max_upload_bytes()
    tabs = dbc.Tabs([
        dbc.Tab(map_page.table_panel(), label="Tabel desa", tab_id="tabel"),
        dbc.Tab(scoring.scoring_panel(dataset.years, preset_labels(),
                                      scoring_choices(dataset), village_choices(dataset)),
                label="Skoring lokus", tab_id="skoring"),
        dbc.Tab(scoring.quadrant_panel(), label="Kuadran", tab_id="kuadran"),
        dbc.Tab(decide.decide_panel(), label="Keputusan & unduh", tab_id="keputusan"),
        dbc.Tab(map_page.report_panel(dataset), label="Data & sumber", tab_id="data"),
        dbc.Tab(upload.upload_panel(max_bytes), label="Unggah data", tab_id="unggah"),
    ], id=ids.TABS, active_tab="tabel")
    app.layout = shell(dataset.id, dataset.title, dataset.synthetic or dataset.coverage_synthetic, [
        map_page.controls(dataset, indicator, dataset.years[-1]),
        dbc.Row([
            dbc.Col(map_page.map_panel(figure, source), lg=6),
            dbc.Col(tabs, lg=6, className="right-panel"),
        ], className="g-2"),
    ])
    register_all(app, registry, store, state_dir=state_dir, max_bytes=max_bytes)
    return app


def max_upload_bytes() -> int:
    """Upload size limit: ``LOKUS_MAX_UPLOAD_MB`` (default 200 MB)."""
    try:
        mb = float(os.environ.get("LOKUS_MAX_UPLOAD_MB") or 200)
    except ValueError:
        mb = 200
    return int(max(mb, 1) * 1024 * 1024)


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
