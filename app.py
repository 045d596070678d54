"""Lokus — stunting priority-village (lokus) dashboard for Bappeda.

``python app.py`` (or ``lokus-app``) serves the dashboard on the embedded Kabupaten Sumedang
data; ``create_app(settings)`` builds an app (used by tests and by gunicorn: ``app:server``,
whose settings come from the environment: :meth:`geo.core.settings.Settings.from_env`).
"""

from __future__ import annotations

import argparse
import logging
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dash_bootstrap_components as dbc
import flask
from dash import Dash, html

from callbacks import auth, compression, register_all
from callbacks.access import current_account, lock_forbidden, scenario_gate, sees_dataset
from callbacks.errors import callback_raised
from geo.core.errors import InputError
from geo.core.settings import Settings
from geo.data.library import clean_staging, user_datasets_dir
from geo.store.dataset_files import DatasetSync
from geo.store.scenarios import Store
from geo.view.registry import Registry
from geo.view.viewstate import parse_query, pick_dataset, resolve_view, to_query
from layouts import decide, ids, map_page, scoring, upload
from layouts.analytics import analytics_panel
from layouts.area_empty import empty_page
from layouts.camat import camat_panel
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
from layouts.stepbar import step_bar
from layouts.text import t

#: Dash assets (CSS, Bootstrap, scripts) ship inside the ``layouts`` package.
ASSETS = Path(str(resources.files("layouts").joinpath("assets")))


def create_app(settings: Settings | None = None, **options: Any) -> Dash:
    """Build the Dash app.

    Parameters
    ----------
    settings
        Data folder, state folder, database URL, upload limit (default: :class:`Settings`
        defaults; the environment is read only by :func:`main` and ``app:server``).
    options
        Fields of :class:`Settings` to override (``database_url=...``, ``state_dir=...``).
    """
    settings = (settings or Settings()).override(**options)
    state_dir = settings.state_dir
    # user datasets (upload page, `lokus import`) live apart from the embedded data
    # gates (issue 12): a dataset or scenario outside the account's area is not found
    registry = Registry(settings.data_dir, extra_roots=[user_datasets_dir(state_dir)], gate=sees_dataset)
    clean_staging(user_datasets_dir(state_dir))  # half-saved datasets of a killed process
    store = Store(settings.database_url, data_dir=state_dir, gate=scenario_gate(registry))
    store.upgrade()  # idempotent: every worker may run it
    registry.sync = DatasetSync(store.engine, user_datasets_dir(state_dir))  # issue 13: datasets from the DB
    app = Dash(
        __name__,
        title="Lokus — analisis situasi stunting",
        assets_folder=str(ASSETS),
        serve_locally=True,
        update_title=None,
        external_stylesheets=[],  # Bootstrap is served from assets/: no CDN, works offline
        on_error=callback_raised,  # an unforeseen failure: logged, a message shown, no 500
    )
    compression.install(app.server)  # first: it then runs after every other after_request hook
    registry.get(None)  # load and validate the default dataset now, not at the first visit
    max_bytes = settings.max_upload_bytes
    figures: dict[tuple[str, str], tuple] = {}

    def figure_of(dataset, lang: str):
        """The map of a dataset in a language, built once per worker: with national data the
        figure holds 65 MB of geometry and must not be rebuilt per page view."""
        cached = figures.get((dataset.id, lang))
        if cached is None or cached[0] is not dataset:  # a re-saved dataset is a new object
            # kept as plain JSON data: a go.Figure is deep-copied on every serialisation
            # (~3 s a page for a province's 6 MB of geometry)
            figure = map_figure(dataset, registry.geometry(dataset.id), lang).to_plotly_json()
            cached = figures[(dataset.id, lang)] = (dataset, figure)
        return cached[1]

    def layout(*, with_map: bool = True) -> html.Div:
        """The page, built per request in the language and view its URL asks for."""
        args = parse_query(page_query())
        dataset = page_dataset(registry, args)
        if dataset is None:  # no dataset inside the account's area
            return empty_page(args.get("lang"), page_query())
        view = resolve_view(args, dataset.id, view_choices(dataset, ids.TAB_IDS))
        lang = view.lang
        figure = figure_of(dataset, lang) if with_map else {}
        source = source_line(dataset, lang)
        tabs = dbc.Tabs([
            dbc.Tab(map_page.table_panel(lang), label=t("shell.tab.table", lang), tab_id=ids.TAB_TABLE),
            dbc.Tab(scoring.scoring_panel(dataset.years, preset_labels(lang),
                                          scoring_choices(dataset, lang), village_choices(dataset, lang),
                                          lang),
                    label=t("shell.tab.scoring", lang), tab_id=ids.TAB_SCORING),
            dbc.Tab(scoring.quadrant_panel(lang), label=t("shell.tab.quadrant", lang),
                    tab_id=ids.TAB_QUADRANT),
            dbc.Tab(decide.decide_panel(lang), label=t("shell.tab.decide", lang), tab_id=ids.TAB_DECIDE),
            dbc.Tab(map_page.report_panel(dataset, lang), label=t("shell.tab.data", lang),
                    tab_id=ids.TAB_DATA),
            dbc.Tab(upload.upload_panel(max_bytes, lang), label=t("shell.tab.upload", lang),
                    tab_id=ids.TAB_UPLOAD),
            dbc.Tab(analytics_panel(dataset, lang), label=t("an.tab", lang), tab_id=ids.TAB_ANALYTICS),
            dbc.Tab(camat_panel(lang), label=t("camat.tab", lang), tab_id=ids.TAB_CAMAT),
        ], id=ids.TABS, active_tab=view.page)
        # the step bar (sticky) on top; then the compact controls; then the map (sticky,
        # sized to the viewport) beside the active list, both above the fold at 1366×768
        page = shell(dataset.id, dataset.title, dataset.synthetic or dataset.coverage_synthetic, [
            html.Div([step_bar(lang), present_mode(lang, view.step)], className="flow-head"),
            html.Div(map_page.controls(dataset, view.indicator, view.year, view.kecamatan, lang),
                     className="controls-bar"),
            dbc.Row([
                dbc.Col(map_page.map_panel(figure, source, lang), lg=6, id=ids.MAP_COLUMN,
                        className="map-column"),
                dbc.Col(tabs, lg=6, className="right-panel"),
            ], className="g-2 flow-row"),
        ], lang=lang, search=to_query(view))  # canonical: matches what the controls show
        lock_forbidden(page, auth.CALLBACK_PERMISSIONS, current_account(), lang)  # role: say why
        return page

    app.layout = layout
    # the index page carries this for the browser's id checks: without the map geometry,
    # which /_dash-layout sends (it went twice: in the page and in the layout)
    app.validation_layout = layout(with_map=False)
    register_all(app, registry, store, state_dir=state_dir, max_bytes=max_bytes,
                 max_unzipped_mb=settings.max_unzipped_mb)
    auth.install(app, store, settings)  # sign-in, guard and security headers: after every callback
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
    """The dataset the URL names, or the first one the account may see when it is unknown,
    unreadable or outside the account's area (then: not found); None when it sees none."""
    first = registry.first_visible()
    if first is None:
        return None
    dataset_id = pick_dataset(args, registry.visible_ids(), first)
    try:
        return registry.get(dataset_id)
    except InputError:  # a saved dataset that no longer loads: show the first, not an error
        logging.getLogger(__name__).warning("dataset %s from the URL does not load", dataset_id)
        return registry.get(first)


def main(argv: list[str] | None = None) -> None:
    """Serve the dashboard (development server; use gunicorn ``app:server`` in production).

    Options override the environment (:meth:`Settings.from_env`)."""
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(description="Lokus dashboard")
    parser.add_argument("--host", default=None, help=f"address to listen on (default {settings.host})")
    parser.add_argument("--port", type=int, default=None, help=f"port (default {settings.port})")
    parser.add_argument("--data-dir", default=None, help="folder with dataset folders")
    parser.add_argument("--state-dir", default=None, help="folder for saved work (SQLite)")
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL of the scenario database")
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    settings = settings.override(host=args.host, port=args.port, data_dir=args.data_dir,
                                 state_dir=args.state_dir, database_url=args.database_url)
    logging.basicConfig(level=logging.INFO)
    try:
        app = create_app(settings)
    except InputError as exc:  # bad data folder: one clear line, no traceback
        raise SystemExit(f"lokus: {exc.render(settings.lang)}") from None
    app.run(host=settings.host, port=settings.port, debug=args.debug)


def __getattr__(name: str):
    """Build ``server`` on first access (``gunicorn app:server``), not at import time."""
    if name == "server":
        return create_app(Settings.from_env()).server
    raise AttributeError(name)


if __name__ == "__main__":
    main()
