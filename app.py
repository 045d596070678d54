"""Lokus — stunting priority-village (lokus) dashboard for Bappeda.

``python app.py`` serves the dashboard on the embedded Kabupaten Sumedang data;
``create_app()`` builds an app (used by tests and by gunicorn: ``app:server``).
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

import dash_bootstrap_components as dbc
import flask
from dash import Dash, html

from callbacks import register_all
from geo.core.errors import InputError
from geo.core.i18n import t
from geo.data.dataset import default_state_dir, embedded_data_dir
from geo.data.library import clean_staging, user_datasets_dir
from geo.store.repository import Store
from geo.view.registry import Registry
from geo.view.viewstate import parse_query, pick_dataset, resolve_view, to_query
from layouts import decide, ids, map_page, scoring, upload
from layouts.dataset_view import (
    map_figure,
    preset_labels,
    scoring_choices,
    source_line,
    view_choices,
    village_choices,
)
from layouts.present import present_mode
from layouts.shell import shell

ROOT = Path(__file__).resolve().parent


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
    data_dir = Path(data_dir or embedded_data_dir())
    state_dir = Path(state_dir or default_state_dir())
    # user datasets (upload page, `lokus import`) live apart from the embedded data
    registry = Registry(data_dir, extra_roots=[user_datasets_dir(state_dir)])
    clean_staging(user_datasets_dir(state_dir))  # half-saved datasets of a killed process
    store = Store(database_url, data_dir=state_dir)
    store.upgrade()  # idempotent: every worker may run it
    app = Dash(
        __name__,
        title="Lokus — analisis situasi stunting",
        assets_folder=str(ROOT / "assets"),
        serve_locally=True,
        update_title=None,
        external_stylesheets=[],  # Bootstrap is served from assets/: no CDN, works offline
    )
    registry.get(None)  # load and validate the default dataset now, not at the first visit
    max_bytes = max_upload_bytes()
    figures: dict[tuple[str, str], tuple] = {}

    def figure_of(dataset, lang: str):
        """The map of a dataset in a language, built once per worker: with national data the
        figure holds 65 MB of geometry and must not be rebuilt per page view."""
        cached = figures.get((dataset.id, lang))
        if cached is None or cached[0] is not dataset:  # a re-saved dataset is a new object
            figure = map_figure(dataset, registry.geometry(dataset.id), lang)
            cached = figures[(dataset.id, lang)] = (dataset, figure)
        return cached[1]

    def layout() -> html.Div:
        """The page, built per request in the language and view its URL asks for."""
        args = parse_query(page_query())
        dataset = page_dataset(registry, args)
        view = resolve_view(args, dataset.id, view_choices(dataset, ids.TAB_IDS))
        lang = view.lang
        figure = figure_of(dataset, lang)
        source = source_line(dataset, lang)
        tabs = dbc.Tabs([
            dbc.Tab(map_page.table_panel(lang), label=t("shell.tab.table", lang), tab_id="tabel"),
            dbc.Tab(scoring.scoring_panel(dataset.years, preset_labels(lang),
                                          scoring_choices(dataset, lang), village_choices(dataset, lang),
                                          lang),
                    label=t("shell.tab.scoring", lang), tab_id="skoring"),
            dbc.Tab(scoring.quadrant_panel(lang), label=t("shell.tab.quadrant", lang), tab_id="kuadran"),
            dbc.Tab(decide.decide_panel(lang), label=t("shell.tab.decide", lang), tab_id="keputusan"),
            dbc.Tab(map_page.report_panel(dataset, lang), label=t("shell.tab.data", lang),
                    tab_id="data"),
            dbc.Tab(upload.upload_panel(max_bytes, lang), label=t("shell.tab.upload", lang),
                    tab_id="unggah"),
        ], id=ids.TABS, active_tab=view.page)
        page = shell(dataset.id, dataset.title, dataset.synthetic or dataset.coverage_synthetic, [
            present_mode(lang, view.step),
            map_page.controls(dataset, view.indicator, view.year, view.kecamatan, lang),
            dbc.Row([
                dbc.Col(map_page.map_panel(figure, source, lang), lg=6),
                dbc.Col(tabs, lg=6, className="right-panel"),
            ], className="g-2"),
        ], lang=lang, search=to_query(view))  # canonical: matches what the controls show
        return page

    app.layout = layout
    register_all(app, registry, store, state_dir=state_dir, max_bytes=max_bytes)
    return app


def page_query() -> str:
    """Query string (``?…``) of the page being built; empty outside a request.

    Dash fetches the layout from ``/_dash-layout``: assets/lokus.js appends the page's query
    to that request; the Referer header is the fallback when the script did not run.
    """
    if not flask.has_request_context():
        return ""
    query = flask.request.query_string.decode("utf-8", "replace")
    if not query and flask.request.referrer:
        query = urlsplit(flask.request.referrer).query
    return f"?{query}" if query else ""


def page_dataset(registry: Registry, args: dict[str, str]):
    """The dataset the URL names, or the default one when it is unknown or unreadable."""
    dataset_id = pick_dataset(args, registry.ids(), registry.default_id)
    try:
        return registry.get(dataset_id)
    except InputError:  # a saved dataset that no longer loads: show the default, not an error
        logging.getLogger(__name__).warning("dataset %s from the URL does not load", dataset_id)
        return registry.get(None)


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
