"""Dataset picker, switching and deleting.

Switching sends the new map figure (with geometry) once and resets every
dataset-dependent option and value; the other callbacks take ``STORE_DATASET`` as State
and are re-triggered by those new values, so they all compute on the new dataset.
"""

from __future__ import annotations

import logging
from pathlib import Path

from dash import Dash, Input, Output, State, ctx, dcc, no_update
from dash.exceptions import PreventUpdate

from callbacks.access import allowed_dataset, author
from callbacks.errors import MESSAGE, alert, input_errors
from geo.core.errors import InputError
from geo.core.i18n import lang_of
from geo.data.library import delete_dataset
from geo.export import safe_filename
from geo.export.quality import quality_report_bytes
from geo.store.scenarios import Store
from geo.view.registry import Registry
from layouts import ids
from layouts.dataset_view import (
    default_indicator,
    map_figure,
    scoring_choices,
    source_line,
    village_choices,
)
from layouts.map_page import report_body
from layouts.scoring import indicator_options
from layouts.shell import dataset_label
from layouts.text import t

log = logging.getLogger(__name__)


def picker_options(registry: Registry, lang: str = "id") -> list[dict]:
    """Every dataset present inside the account's area (embedded first), labelled with its title."""
    out = []
    for dataset_id in sorted(registry.visible_ids(), key=lambda i: (not registry.is_embedded(i), i)):
        try:
            title = registry.title(dataset_id)
        except InputError:
            continue
        label = title if registry.is_embedded(dataset_id) else t("dataset.uploaded", lang, title=title)
        out.append({"label": label, "value": dataset_id})
    return out


def switch_outputs(registry: Registry, dataset_id: str, lang: str = "id") -> tuple:
    """Everything that changes with the dataset, in the order of the switch callback, in the
    page's language ``lang``."""
    dataset = registry.get(dataset_id)
    geom = registry.geometry(dataset_id)
    years = dataset.years
    year_options = [{"label": str(y), "value": y} for y in years]
    return (
        map_figure(dataset, geom, lang), source_line(dataset, lang),
        dataset_label(dataset.title, dataset.synthetic or dataset.coverage_synthetic, lang),
        [{"label": i.label(lang), "value": i.id} for i in dataset.indicators],
        default_indicator(dataset),
        year_options, years[-1],
        [{"label": r.nama_kec, "value": r.kode_kec} for r in dataset.kecamatan.itertuples()], None,
        "indikator",
        year_options, years[-1], indicator_options(scoring_choices(dataset, lang), lang),
        [{"label": label, "value": code} for code, label in village_choices(dataset, lang)], None,
        {"in": {}, "out": {}}, [], None,
        report_body(dataset, lang),
    )


def register(app: Dash, registry: Registry, store: Store, datasets_root: Path) -> None:
    """Wire the picker, the switch and delete."""

    @app.callback(Output(ids.DATASET_PICKER, "options"), Input(ids.STORE_DATASETS_VERSION, "data"),
                  State(ids.STORE_LANG, "data"))
    def _list(_version, lang):
        return picker_options(registry, lang_of(lang))

    @app.callback(Output(ids.STORE_DATASET, "data"), Output(ids.DATASET_STATUS, "children"),
                  Input(ids.DATASET_PICKER, "value"), State(ids.STORE_DATASET, "data"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    @input_errors(no_update, MESSAGE)
    def _pick(dataset_id, current, lang):
        if not dataset_id or dataset_id == current:
            raise PreventUpdate
        registry.get(dataset_id)  # load (and validate) before anything switches
        return dataset_id, no_update  # keeps a "dihapus" message of the delete that led here

    @app.callback(
        Output(ids.MAP_GRAPH, "figure", allow_duplicate=True), Output(ids.MAP_SOURCE, "children"),
        Output(ids.DATASET_TITLE, "children"),
        Output(ids.FILTER_INDICATOR, "options"), Output(ids.FILTER_INDICATOR, "value"),
        Output(ids.FILTER_YEAR, "options"), Output(ids.FILTER_YEAR, "value"),
        Output(ids.FILTER_KECAMATAN, "options"), Output(ids.FILTER_KECAMATAN, "value"),
        Output(ids.MAP_LAYER, "value"),
        Output(ids.SCORE_YEAR, "options"), Output(ids.SCORE_YEAR, "value"),
        Output(ids.SCORE_INDICATORS, "options"),
        Output(ids.SCORE_FORCE_VILLAGE, "options"), Output(ids.SCORE_FORCE_VILLAGE, "value"),
        Output(ids.STORE_FORCED, "data", allow_duplicate=True),
        Output(ids.SCORE_FORCE_LIST, "children", allow_duplicate=True),
        Output(ids.STORE_SELECTED, "data", allow_duplicate=True),
        Output(ids.REPORT_BODY, "children"),
        Output(ids.SCORE_PRESET, "value"),
        Output(ids.STORE_SCENARIO, "data", allow_duplicate=True),
        Output(ids.STORE_CONFIG_BASE, "data", allow_duplicate=True),
        Input(ids.STORE_DATASET, "data"), State(ids.SCORE_PRESET, "value"),
        State(ids.STORE_LANG, "data"),
        prevent_initial_call=True,
    )
    def _switch(dataset_id, preset, lang):
        # Re-setting the preset re-runs it on the new dataset (indicators and weights); a
        # scenario belongs to one dataset, so the active one is let go.
        return (*switch_outputs(registry, dataset_id, lang_of(lang)), preset, None, None)

    @app.callback(Output(ids.DATASET_STATUS, "children", allow_duplicate=True),
                  Output(ids.STORE_DATASETS_VERSION, "data", allow_duplicate=True),
                  Output(ids.DATASET_PICKER, "value", allow_duplicate=True),
                  Input(ids.DATASET_DELETE, "submit_n_clicks"), State(ids.STORE_DATASET, "data"),
                  State(ids.STORE_DATASETS_VERSION, "data"), State(ids.STORE_LANG, "data"),
                  prevent_initial_call=True)
    @input_errors(MESSAGE, no_update, no_update)
    def _delete(_n, dataset_id, version, lang):
        dataset_id = allowed_dataset(registry, dataset_id)  # outside the area: not found
        if registry.is_embedded(dataset_id):
            raise InputError.of("dataset.error.builtin", id=dataset_id)
        delete_dataset(datasets_root, dataset_id, protected=[registry.default_id])
        scenarios = store.delete_dataset_record(dataset_id, author=author())  # the signed-in account
        log.info("dataset %s deleted", dataset_id)
        text = t("dataset.deleted", lang, id=dataset_id)
        if scenarios:
            text += " " + t("dataset.deleted_scenarios", lang, n=scenarios)
        return alert(text, "success"), (version or 0) + 1, registry.first_visible() or registry.default_id

    @app.callback(Output(ids.QUALITY_DOWNLOAD, "data"),
                  Input(ids.QUALITY_CSV, "n_clicks"), Input(ids.QUALITY_XLSX, "n_clicks"),
                  State(ids.STORE_DATASET, "data"), State(ids.STORE_LANG, "data"),
                  prevent_initial_call=True)
    def _quality_report(_csv, _xlsx, dataset_id, lang):
        if ctx.triggered_id not in (ids.QUALITY_CSV, ids.QUALITY_XLSX):
            raise PreventUpdate
        lang = lang_of(lang)
        dataset = registry.get(dataset_id or registry.default_id)
        suffix = ".xlsx" if ctx.triggered_id == ids.QUALITY_XLSX else ".csv"
        name = safe_filename(t("quality.ui.file", lang, dataset=dataset.id) + suffix)
        return dcc.send_bytes(lambda buffer: quality_report_bytes(dataset.quality_log, buffer, suffix, lang),
                              name)
