"""Scoring callbacks: controls → ScoringConfig (small JSON in the browser) → ranking on the
server (memoised per worker by :meth:`geo.view.registry.Registry.score`). Texts follow the page
language (``scoring.*`` catalogue); the result itself stays language-free (Indonesian data)."""

from __future__ import annotations

import json

import dash_bootstrap_components as dbc
import numpy as np
from dash import ALL, MATCH, Dash, Input, Output, Patch, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from callbacks.analytics_shown import smaa_of_page
from callbacks.errors import MESSAGE, input_errors
from geo.core.errors import InputError
from geo.core.i18n import format_number, lang_of
from geo.core.messages import render_all
from geo.scoring.ahp import ahp_weights, matrix_from_judgements
from geo.scoring.classify import classify
from geo.scoring.config import HOTSPOT_ID, PRESETS, ScoringConfig
from geo.scoring.explain import explain_village
from geo.scoring.presets import preset_config
from geo.scoring.quadrant import quadrant
from geo.scoring.result import ScoringResult, with_texts
from geo.scoring.smaa import SmaaResult
from geo.view.analytics_shown import smaa_labels
from geo.view.registry import Registry
from layouts import ids
from layouts.map_page import legend_box, legend_message
from layouts.mapfig import (
    NO_DATA_COLOUR,
    VILLAGE_TRACE,
    class_colours,
    neutral_patch,
    stepped_colourscale,
)
from layouts.scoring import (
    ahp_matrix,
    explanation_card,
    forced_list,
    quadrant_figure,
    quadrant_message,
    weight_rows,
)
from layouts.text import t

#: Map layers of the scoring result (title: ``scoring.layer.<layer>``).
LAYERS = ("skor", "rekomendasi", "stabilitas", "lisa")
#: Layer → (value in the result table, colour); label ``scoring.category.<layer>.<value>``.
CATEGORIES = {
    "rekomendasi": [("ya", "#b2182b"), ("tidak", "#fddbc7")],
    "stabilitas": [("inti", "#b2182b"), ("bimbang", "#f4a582"), ("jarang", "#f7f7f7")],
    "lisa": [("Tinggi-Tinggi", "#b2182b"), ("Rendah-Rendah", "#2166ac"), ("Tinggi-Rendah", "#f4a582"),
             ("Rendah-Tinggi", "#92c5de"), ("Tidak signifikan", "#f7f7f7"),
             ("Tanpa tetangga", "#e0e0e0")],
}


def category_label(layer: str, value: str, lang: str = "id") -> str:
    """Legend label of a category of a scoring layer in ``lang``."""
    return t(f"scoring.category.{layer}.{value.lower().replace(' ', '_').replace('-', '_')}", lang)


#: Config fields with no control: kept from a loaded scenario so it reproduces exactly.
UNCONTROLLED = ("hotspot_fdr", "draws", "seed", "weight_cv", "ahp_cr", "notes")


def config_from_controls(year, indicators, slider_ids, slider_values, method, normalisation,
                         smoothing, min_n, missing, hotspot, top_n, max_per_kec, min_one,
                         forced, base: dict | None = None, preset: str | None = None) -> dict:
    """The ScoringConfig dict from the control values (weights normalised by the config);
    fields without a control come from ``base`` (a loaded scenario's config). ``preset`` (the
    preset chosen) lets the result name the preset indicators this data could not give."""
    chosen = list(indicators or [])
    raw = {sid["indicator"]: float(v or 0) for sid, v in zip(slider_ids, slider_values, strict=True)}
    weights = {i: raw.get(i, 1.0) for i in chosen}
    if chosen and sum(weights.values()) == 0:
        weights = dict.fromkeys(chosen, 1.0)
    forced = forced or {}
    return ScoringConfig(
        year=int(year), indicators=tuple(chosen), weights=weights, method=method,
        normalisation=normalisation, smoothing=smoothing, min_n=int(min_n or 0), missing=missing,
        top_n=max(1, int(top_n or 1)), max_per_kecamatan=int(max_per_kec) if max_per_kec else None,
        min_one_per_kecamatan=bool(min_one), force_in=dict(forced.get("in", {})),
        force_out=dict(forced.get("out", {})), hotspot_criterion=bool(hotspot),
        preset=preset if preset in PRESETS else None,
        **{k: base[k] for k in UNCONTROLLED if base and k in base},
    ).to_dict()


def layer_classes(result: ScoringResult, layer: str, lang: str = "id",
                  smaa: SmaaResult | None = None) -> tuple[np.ndarray, list, list[str], str]:
    """Class index per village (boundary order), legend entries, colours and title for a layer;
    with ``smaa`` the stability layer classes P(lokus) under the weight ranking (SMAA)."""
    table = result.table
    if layer == "skor":
        classes = classify(table["skor"].to_numpy(dtype=float), "quantiles", 5, decimals=3, lang=lang)
        colours = class_colours(len(classes.labels), "higher_worse")
        entries = list(zip(colours, classes.labels, classes.counts, strict=True))
        return (classes.index, entries, colours,
                t("scoring.layer.skor_title", lang, year=result.config.year))
    cats = CATEGORIES[layer]
    values = table[layer].fillna("").astype(str).to_numpy()
    if layer == "stabilitas" and smaa is not None:
        values = smaa_labels(smaa, table["kode"])[1]
    index = np.full(len(values), -1)
    for i, (key, _colour) in enumerate(cats):
        index[values == key] = i
    # villages without data stay grey, unless forced into the list
    index[table["skor"].isna().to_numpy() & (table["rekomendasi"] != "ya").to_numpy()] = -1
    entries = [(colour, category_label(layer, key, lang), int((index == i).sum()))
               for i, (key, colour) in enumerate(cats)]
    return index, entries, [c for _k, c in cats], t(f"scoring.layer.{layer}", lang)


def map_patch(result: ScoringResult, layer: str, lang: str = "id", smaa: SmaaResult | None = None):
    """Patch recolouring the villages for a scoring layer, and its legend (the stability layer
    says its source: the draws of the run, or ``smaa`` = the weight ranking)."""
    smaa = smaa if layer == "stabilitas" else None
    index, entries, colours, title = layer_classes(result, layer, lang, smaa)
    table = result.table
    p_smaa = smaa_labels(smaa, table["kode"])[0] if smaa is not None else np.full(len(table), np.nan)
    fig = Patch()
    trace = fig["data"][VILLAGE_TRACE]
    trace["z"] = index.tolist()
    trace["zmax"] = max(len(colours) - 1, 0)
    trace["colorscale"] = stepped_colourscale(colours)
    no_data, lokus = t("scoring.map.no_data", lang), t("scoring.map.lokus", lang)
    trace["text"] = [
        no_data if np.isnan(s) else
        t("scoring.map.hover", lang, score=format_number(s, 3, lang), rank=r,
          p=format_number(100 * p, 0, lang))
        + (lokus if rec == "ya" else "")
        + ("" if np.isnan(q) else "<br>" + t("shown.smaa.hover", lang, p=format_number(100 * q, 0, lang)))
        for s, r, p, rec, q in zip(table["skor"], table["peringkat"], table["p_top_n"].fillna(0),
                                   table["rekomendasi"], p_smaa, strict=True)]
    trace["hovertemplate"] = ("<b>%{customdata[0]}</b><br>"
                              + t("scoring.map.kecamatan", lang, name="%{customdata[1]}")
                              + "<br>%{text}<extra></extra>")
    missing = int((index == -1).sum())
    legend = legend_box(title, t("scoring.map.subtitle", lang, n=result.config.top_n,
                                 method=result.config.method),
                        entries, (NO_DATA_COLOUR, t("scoring.map.legend_no_data", lang), missing)
                        if missing else None, note=stability_source(layer, smaa, lang), lang=lang)
    return fig, legend


def stability_source(layer: str, smaa: SmaaResult | None, lang: str = "id") -> str:
    """The legend line of the stability layer saying what its P(lokus) comes from ("" elsewhere)."""
    if layer != "stabilitas":
        return ""
    if smaa is None:
        return t("shown.smaa.source_draws", lang)
    return t("shown.smaa.source_smaa", lang, draws=format_number(smaa.draws, 0, lang), n=smaa.top_n)


def ranking_rows(result: ScoringResult, lang: str = "id") -> list[dict]:
    """Rows of the ranked table (rounded for display). Codes and the closed vocabularies
    (``rekomendasi``, ``stabilitas``, ``kelas``) stay as in the result (the grid shows them in
    ``lang``); reasons and flags are written in ``lang``."""
    cols = ["kode", "nama", "nama_kec", "skor", "peringkat", "peringkat_kec", "kelas", "p_top_n",
            "stabilitas", "rekomendasi", "alasan", "flags"]
    table = with_texts(result.ranked()[cols], lang)
    table["skor"] = table["skor"].round(4)
    table["kelas"] = table["kelas"].astype(str)
    return json.loads(table.to_json(orient="records"))


def summary_line(result: ScoringResult, lang: str = "id") -> str:
    """One line: what was scored and what was chosen."""
    cfg = result.config
    chosen = len(result.selection.chosen)
    inti = int(((result.table["rekomendasi"] == "ya") & (result.table["stabilitas"] == "inti")).sum())
    return t("scoring.summary", lang, year=cfg.year, n=len(cfg.indicators), chosen=chosen, inti=inti)


def register(app: Dash, registry: Registry) -> None:
    """Wire the scoring panel."""

    @app.callback(Output(ids.SCORE_INDICATORS, "value"), Output(ids.STORE_WEIGHTS_SET, "data"),
                  Input(ids.SCORE_PRESET, "value"), State(ids.SCORE_YEAR, "value"),
                  State(ids.STORE_DATASET, "data"))
    def _preset(name, year, dataset_id):
        config = preset_config(registry.get(dataset_id), name, year)
        return list(config.indicators), dict(config.weights)

    @app.callback(Output(ids.SCORE_WEIGHTS, "children"), Output(ids.AHP_BODY, "children"),
                  Input(ids.SCORE_INDICATORS, "value"), Input(ids.STORE_WEIGHTS_SET, "data"),
                  State(ids.weight_slider(ALL), "id"), State(ids.weight_slider(ALL), "value"),
                  State(ids.SCORE_YEAR, "value"), State(ids.STORE_DATASET, "data"),
                  State(ids.STORE_LANG, "data"))
    def _weights(indicators, weights_set, slider_ids, slider_values, year, dataset_id, lang):
        lang = lang_of(lang)
        current = {s["indicator"]: (v or 0) / 100 for s, v in zip(slider_ids, slider_values,
                                                                  strict=True)}
        if ids.STORE_WEIGHTS_SET in ctx.triggered_prop_ids.values() or not current:
            current = dict(weights_set or {})
        chosen = list(indicators or [])
        default = 1 / len(chosen) if chosen else 0
        weights = {i: current.get(i, default) for i in chosen}
        dataset = registry.get(dataset_id)
        inds = [dataset.indicator(i, year) for i in chosen]
        return (weight_rows([(i.id, i.label(lang), i.direction) for i in inds], weights, lang),
                ahp_matrix([(i.id, i.label(lang)) for i in inds], lang))

    @app.callback(Output(ids.AHP_COLLAPSE, "is_open"), Input(ids.AHP_OPEN, "n_clicks"),
                  State(ids.AHP_COLLAPSE, "is_open"), prevent_initial_call=True)
    def _ahp_toggle(_n, is_open):
        return not is_open

    @app.callback(Output(ids.AHP_RESULT, "children"), Output(ids.STORE_WEIGHTS_SET, "data",
                                                               allow_duplicate=True),
                  Input(ids.ahp_pair(ALL, ALL), "value"),
                  Input(ids.AHP_APPLY, "n_clicks"),
                  State(ids.ahp_pair(ALL, ALL), "id"),
                  State(ids.SCORE_INDICATORS, "value"), State(ids.AHP_CONFIRM, "value"),
                  State(ids.SCORE_YEAR, "value"), State(ids.STORE_DATASET, "data"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    def _ahp(values, _apply, pair_ids, indicators, confirm, year, dataset_id, lang):
        lang = lang_of(lang)
        dataset = registry.get(dataset_id)
        labels = {i: dataset.indicator(i, year).label(lang) for i in indicators or []}
        return ahp_feedback(values, pair_ids, labels, ctx.triggered_id == ids.AHP_APPLY, confirm,
                            lang)

    @app.callback(Output(ids.weight_slider(MATCH), "value"), Output(ids.weight_input(MATCH), "value"),
                  Input(ids.weight_slider(MATCH), "value"), Input(ids.weight_input(MATCH), "value"),
                  prevent_initial_call=True)
    def _weight_sync(slider, typed):
        return sync_weight(isinstance(ctx.triggered_id, dict)
                           and ctx.triggered_id.get("type") == ids.WEIGHT_INPUT, slider, typed)

    @app.callback(Output(ids.STORE_FORCED, "data"), Output(ids.SCORE_FORCE_REASON, "value"),
                  Output(ids.SCORE_FORCE_LIST, "children"),
                  Output(ids.SCORE_FORCE_MESSAGE, "children"),
                  Output(ids.SCORE_FORCE_REASON, "invalid"),
                  Input(ids.SCORE_FORCE_IN, "n_clicks"), Input(ids.SCORE_FORCE_OUT, "n_clicks"),
                  Input(ids.force_remove(ALL), "n_clicks"),
                  State(ids.SCORE_FORCE_VILLAGE, "value"), State(ids.SCORE_FORCE_REASON, "value"),
                  State(ids.STORE_FORCED, "data"), State(ids.STORE_DATASET, "data"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    def _force(_in, _out, _remove, code, reason, forced, dataset_id, lang):
        def names():
            villages = registry.get(dataset_id).villages
            return dict(zip(villages["kode"], villages["nama"], strict=True))
        return force_action(ctx.triggered_id, _remove, code, reason, forced, names, lang_of(lang))

    @app.callback(
        Output(ids.STORE_CONFIG, "data"), Output(ids.SCORE_WEIGHT_SUM, "children"),
        Input(ids.SCORE_YEAR, "value"), Input(ids.SCORE_INDICATORS, "value"),
        Input(ids.weight_slider(ALL), "value"),
        Input(ids.SCORE_METHOD, "value"), Input(ids.SCORE_NORMALISATION, "value"),
        Input(ids.SCORE_SMOOTHING, "value"), Input(ids.SCORE_MIN_N, "value"),
        Input(ids.SCORE_MISSING, "value"), Input(ids.SCORE_HOTSPOT, "value"),
        Input(ids.SCORE_TOP_N, "value"), Input(ids.SCORE_MAX_PER_KEC, "value"),
        Input(ids.SCORE_MIN_ONE, "value"), Input(ids.STORE_FORCED, "data"),
        State(ids.weight_slider(ALL), "id"), State(ids.STORE_DATASET, "data"),
        State(ids.STORE_CONFIG_BASE, "data"), State(ids.STORE_LANG, "data"),
        State(ids.SCORE_PRESET, "value"),
    )
    def _config(year, indicators, slider_values, method, normalisation, smoothing, min_n,
                missing, hotspot, top_n, max_per_kec, min_one, forced, slider_ids, dataset_id, base,
                lang, preset):
        lang = lang_of(lang)
        if not indicators:
            return None, t("scoring.need_indicator", lang)
        config = config_from_controls(year, indicators, slider_ids, slider_values, method,
                                      normalisation, smoothing, min_n, missing, hotspot, top_n,
                                      max_per_kec, min_one, forced, base, preset)
        dataset = registry.get(dataset_id)
        shares = ", ".join(f"{weight_label(dataset, i, year, lang)} {format_number(100 * w, 0, lang)}%"
                           for i, w in config["weights"].items())
        return config, t("scoring.weight_sum", lang, shares=shares)

    @app.callback(
        Output(ids.SCORE_GRID, "rowData"), Output(ids.SCORE_WARNINGS, "children"),
        Output(ids.SCORE_SUMMARY, "children"),
        Output(ids.MAP_GRAPH, "figure", allow_duplicate=True),
        Output(ids.MAP_LEGEND, "children", allow_duplicate=True),
        Input(ids.STORE_CONFIG, "data"), Input(ids.MAP_LAYER, "value"),
        Input(ids.STORE_ANALYTICS, "data"),  # an SMAA run recolours the stability layer
        State(ids.STORE_DATASET, "data"), State(ids.STORE_LANG, "data"), prevent_initial_call=True,
    )
    @input_errors([], MESSAGE, "", no_update, no_update)
    def _score(config, layer, analytics, dataset_id, lang):
        lang = lang_of(lang)
        if not config:  # a scoring layer with nothing scored: grey, and say what to choose
            fig, legend = (no_update, no_update)
            if layer in LAYERS:
                fig = neutral_patch(len(registry.geometry(dataset_id).codes),
                                    t("map.scoring.hover", lang), lang)
                legend = legend_message(t(f"map.layer.{layer}", lang),
                                        t("scoring.need_indicator", lang))
            return [], None, "", fig, legend
        result = registry.score(dataset_id, config)
        alerts = [dbc.Alert(w, color="warning", className="py-1 small mb-1")
                  for w in render_all(result.warnings, lang)]
        fig, legend = (no_update, no_update)
        if layer in LAYERS:
            smaa = smaa_of_page(registry, dataset_id, config, analytics) if layer == "stabilitas" else None
            fig, legend = map_patch(result, layer, lang, smaa)
        return ranking_rows(result, lang), alerts, summary_line(result, lang), fig, legend

    @app.callback(Output(ids.SCORE_EXPLAIN, "children"), Input(ids.STORE_SELECTED, "data"),
                  Input(ids.STORE_CONFIG, "data"), State(ids.STORE_DATASET, "data"),
                  State(ids.STORE_LANG, "data"))
    def _explain(code, config, dataset_id, lang):
        return explain_card(registry, dataset_id, config, code, lang_of(lang))

    @app.callback(Output(ids.QUADRANT_GRAPH, "figure"), Output(ids.QUADRANT_MESSAGE, "children"),
                  Output(ids.QUADRANT_BODY, "style"),
                  Input(ids.STORE_CONFIG, "data"),
                  Input(ids.QUADRANT_X_CUT, "value"), Input(ids.QUADRANT_Y_CUT, "value"),
                  State(ids.STORE_DATASET, "data"), State(ids.STORE_LANG, "data"))
    @input_errors(no_update, MESSAGE, HIDDEN, show=quadrant_message)
    def _quadrant(config, x_cut, y_cut, dataset_id, lang):
        return quadrant_view(registry, dataset_id, config, x_cut, y_cut, lang_of(lang))


#: Style of the quadrant chart (and its cut lines) when a message replaces it.
HIDDEN = {"display": "none"}


def sync_weight(typed_changed: bool, slider, typed) -> tuple:
    """(slider value, typed value) of one weight after either changed. A typed weight (applied
    on Enter or blur) moves the slider, rounded and kept within 0–100; an empty or invalid box
    gets the slider's value back; a moved slider writes its value in the box."""
    if not typed_changed:
        if slider == typed:
            raise PreventUpdate
        return no_update, slider
    try:
        value = min(100, max(0, round(float(typed))))
    except (TypeError, ValueError):
        return no_update, slider
    return (no_update if value == slider else value), (no_update if value == typed else value)


def force_action(trigger, removes, code, reason, forced, names, lang: str = "id") -> tuple:
    """Outputs of the force in/out controls: (forced store, reason box, forced list, message,
    reason box invalid). ``trigger``: the button's id (or a remove button's dict id);
    ``names``: callable giving code → village name. Forcing without a village or a reason
    changes nothing and says why next to the controls."""
    forced = {"in": dict((forced or {}).get("in", {})), "out": dict((forced or {}).get("out", {}))}
    if isinstance(trigger, dict):
        if not any(removes or []):
            raise PreventUpdate
        for kind in ("in", "out"):
            forced[kind].pop(trigger["code"], None)
        return forced, no_update, forced_list(forced, names(), lang), "", False
    if trigger not in (ids.SCORE_FORCE_IN, ids.SCORE_FORCE_OUT):
        raise PreventUpdate
    kind = "in" if trigger == ids.SCORE_FORCE_IN else "out"
    if not code:
        return no_update, no_update, no_update, t("scoring.force.need_village", lang), False
    if not (reason or "").strip():
        return (no_update, no_update, no_update, t(f"scoring.force.need_reason_{kind}", lang),
                True)
    other = "out" if kind == "in" else "in"
    forced[other].pop(code, None)
    forced[kind][code] = reason.strip()
    return forced, "", forced_list(forced, names(), lang), "", False


def coverage_presets(dataset, year, lang: str = "id") -> list[str]:
    """Labels (in ``lang``) of the presets that score at least one coverage indicator with data
    in ``year``."""
    out = []
    for preset in PRESETS.values():
        entries = [i for entry in preset["indicators"]
                   for i in (entry if isinstance(entry, list) else [entry])]
        for ind_id in entries:
            try:
                if (dataset.indicator(ind_id).kind == "coverage"
                        and year in dataset.indicator_years(ind_id)):
                    out.append(preset.get(f"label_{lang_of(lang)}", preset["label_id"]))
                    break
            except InputError:
                continue
    return out


def quadrant_view(registry: Registry, dataset_id, config, x_cut, y_cut, lang: str = "id") -> tuple:
    """(figure, message, chart style) of the Kuadran tab: the chart, or a plain message saying
    why there is none (no indicator, no coverage indicator among those scored) with the chart
    hidden, never an empty plot; a scoring error is raised (the callback shows it the same way)."""
    if not config:
        return no_update, quadrant_message(t("scoring.quadrant.need_indicator", lang)), HIDDEN
    dataset = registry.get(dataset_id)
    result = registry.score(dataset_id, config)
    quad = quadrant(result, dataset, lang=lang)
    if not quad.coverage_ids:
        presets = coverage_presets(dataset, result.config.year, lang)
        text = (t("scoring.quadrant.need_coverage", lang,
                  presets=", ".join(f"'{p}'" for p in presets))
                if presets else t("scoring.quadrant.need_coverage_indicator", lang))
        return no_update, quadrant_message(text), HIDDEN
    return quadrant_figure(
        quad.table["outcome"], quad.table["gap"], result.table["nama"], result.table["kode"],
        result.table["rekomendasi"] == "ya",
        quad.x_cut if x_cut is None else x_cut, quad.y_cut if y_cut is None else y_cut,
        quad.x_title, quad.y_title, lang), None, {}


def weight_label(dataset, indicator_id: str, year: int, lang: str = "id") -> str:
    """Label of a weighted criterion (the hotspot criterion is not an indicator)."""
    if indicator_id == HOTSPOT_ID:
        return t("scoring.hotspot_label", lang)
    return dataset.indicator(indicator_id, year).label(lang)


def explain_card(registry: Registry, dataset_id, config, code, lang: str = "id"):
    """The "why this village?" card of the selected village (a hint when none is selected)."""
    if not code or not config:
        return html.Div(t("scoring.explain.empty", lang), className="small text-muted")
    result = registry.score(dataset_id, config)
    ex = explain_village(result, code, lang)
    title = t("scoring.explain.title", lang, name=ex.name, rank=ex.rank, rank_kec=ex.rank_kec,
              n_kec=ex.n_kec)
    return explanation_card(title, ex.sentence, [(label, value, share)
                                                 for _i, label, value, share in ex.contributions], lang)


def ahp_feedback(values, pair_ids, labels: dict[str, str], apply: bool, confirm: bool,
                 lang: str = "id"):
    """CR feedback for the AHP judgements (``labels``: chosen indicator id → label); weights
    are applied only on request, and an inconsistent matrix (CR > 0.1) only with explicit
    confirmation."""
    chosen = list(labels)
    judgements = {(p["a"], p["b"]): float(v) for p, v in zip(pair_ids, values, strict=True)
                  if p["a"] in chosen and p["b"] in chosen}
    if len(chosen) < 2 or len(judgements) < len(chosen) * (len(chosen) - 1) // 2:
        return "", no_update
    result = ahp_weights(matrix_from_judgements(chosen, judgements), ids=chosen)
    weights = ", ".join(f"{labels[i]} {format_number(100 * w, 0, lang)}%"
                        for i, w in result.weights.items())
    status = t("scoring.ahp.consistent" if result.consistent else "scoring.ahp.inconsistent", lang,
               cr=format_number(result.cr, 3, lang))
    text = html.Div([html.Div(status, className="fw-semibold" + ("" if result.consistent
                                                                   else " text-danger")),
                     html.Div(t("scoring.ahp.weights", lang, weights=weights))])
    if not apply:
        return text, no_update
    if not result.consistent and not confirm:
        return html.Div([text, html.Div(t("scoring.ahp.not_applied", lang),
                                        className="text-danger")]), no_update
    return html.Div([text, html.Div(t("scoring.ahp.applied", lang), className="text-success")]), \
        result.weights.to_dict()
