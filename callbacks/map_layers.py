"""Map overlays: count bubbles over the rates, village names, numbered lokus, and the
hand-out map (PNG / one-page PDF). Overlays are traces of the base figure (positions sent
once); every change here is a Patch of sizes, texts and visibility."""

from __future__ import annotations

import numpy as np
from dash import Dash, Input, Output, Patch, State, ctx, dcc, no_update

from callbacks.errors import MESSAGE, input_errors
from callbacks.scoring import LAYERS, layer_classes
from geo.core.errors import InputError
from geo.core.i18n import DEFAULT_LANG, format_number, lang_of
from geo.core.indicators import IndicatorValues
from geo.core.indicators import catalogue as indicator_catalogue
from geo.data.model import Dataset
from geo.export import safe_filename
from geo.export.common import kabupaten_name
from geo.scoring.classify import classify
from geo.scoring.result import ScoringResult
from geo.view.registry import Registry
from layouts import ids
from layouts.map_page import bubble_legend, direction_label, legend_message, unit_label
from layouts.mapfig import (
    BUBBLE_TRACE,
    LABEL_TRACE,
    NO_DATA_COLOUR,
    RANK_TRACE,
    bubble_sizes,
    class_colours,
    neutral_patch,
    reference_counts,
)
from layouts.text import t

#: Scoring layers on which the lokus are numbered (the recommendation map).
NUMBERED_LAYERS = ("rekomendasi",)
#: Without a kecamatan or a lokus list, name every village only up to this many (MapLibre
#: hides names that would overlap, so a kabupaten stays readable).
NAME_ALL_MAX = 400


def bubble_counts(values: IndicatorValues, lang: str = DEFAULT_LANG):
    """(counts per village, what is counted, unit) behind an indicator: the numerator of a
    rate (children flagged, not the rate), the value of a count; None for percentages and
    differences, which have no count behind them."""
    ind = values.indicator
    if ind.kind == "count":
        return np.asarray(values.value, dtype=float), ind.label(lang), unit_label(ind.unit, lang)
    if ind.is_rate:
        counts = np.where(np.isnan(values.value), np.nan, values.numerator)
        source = indicator_catalogue().get(ind.numerator)
        what = source.label(lang) if source else ind.numerator
        return counts, what, unit_label(source.unit if source else "", lang)
    return None, "", ""


def bubble_update(values: IndicatorValues, on: bool, lang: str = DEFAULT_LANG):
    """(Patch of the bubble trace, its size key) for the current indicator and year."""
    fig = Patch()
    trace = fig["data"][BUBBLE_TRACE]
    counts, what, unit = bubble_counts(values, lang)
    if not on:
        trace["visible"] = False
        return fig, None
    if counts is None:
        trace["visible"] = False
        return fig, t("map.bubbles.none", lang)
    sizes, sizeref = bubble_sizes(counts.tolist())
    trace["visible"] = True
    trace["marker"]["size"] = sizes
    trace["marker"]["sizeref"] = sizeref
    trace["text"] = ["" if np.isnan(c) else t("map.bubbles.hover", lang, what=what,
                                              n=format_number(c, 0, lang), unit=unit)
                     for c in counts]
    return fig, bubble_legend(what, unit, counts, lang)


def score_or_none(registry: Registry, dataset_id, config) -> ScoringResult | None:
    """The scoring result of the page's config, or None (no config, or one that cannot score:
    the scoring panel says why)."""
    if not config:
        return None
    try:
        return registry.score(dataset_id, config)
    except InputError:
        return None


def lokus_ranks(result: ScoringResult | None) -> dict[str, int]:
    """Recommended villages → their number 1, 2, … by rank (the order of the exported list)."""
    if result is None:
        return {}
    chosen = result.ranked()
    chosen = chosen[chosen["rekomendasi"] == "ya"]
    return {str(code): i for i, code in enumerate(chosen["kode"], start=1)}


def named_villages(dataset: Dataset, kecamatan: str | None, lokus: dict[str, int],
                   lang: str = DEFAULT_LANG) -> tuple[list[str], str]:
    """(codes whose names are shown, a note saying which): the kecamatan in view; else the
    lokus when there is a list; else every village of a dataset small enough to name."""
    villages = dataset.villages
    if kecamatan and (villages["kode_kec"] == kecamatan).any():
        inside = villages[villages["kode_kec"] == kecamatan]
        return (inside["kode"].astype(str).tolist(),
                t("map.labels.kecamatan", lang, name=inside["nama_kec"].iloc[0]))
    if lokus:
        return list(lokus), t("map.labels.lokus", lang)
    if len(villages) <= NAME_ALL_MAX:
        return villages["kode"].astype(str).tolist(), t("map.labels.all", lang)
    return [], t("map.labels.none", lang)


def label_update(dataset: Dataset, on: bool, kecamatan: str | None, lokus: dict[str, int],
                 lang: str = DEFAULT_LANG):
    """(Patch of the name trace, note)."""
    fig = Patch()
    if not on:
        fig["data"][LABEL_TRACE]["visible"] = False
        return fig, ""
    named, note = named_villages(dataset, kecamatan, lokus, lang)
    keep = set(named)
    fig["data"][LABEL_TRACE]["text"] = [name if code in keep else "" for code, name in
                                        zip(dataset.villages["kode"].astype(str),
                                            dataset.villages["nama"], strict=True)]
    fig["data"][LABEL_TRACE]["visible"] = True
    return fig, note


def rank_update(dataset: Dataset, layer: str, lokus: dict[str, int]) -> Patch:
    """Patch of the numbered lokus: shown on the recommendation layer when there is a list."""
    fig = Patch()
    trace = fig["data"][RANK_TRACE]
    if layer not in NUMBERED_LAYERS or not lokus:
        trace["visible"] = False
        return fig
    villages = dataset.villages.set_index("kode")
    codes = sorted(lokus, key=lokus.__getitem__)
    points = villages.loc[codes].geometry.representative_point()
    trace["lon"] = [round(p.x, 5) for p in points]
    trace["lat"] = [round(p.y, 5) for p in points]
    trace["text"] = [str(lokus[c]) for c in codes]
    trace["visible"] = True
    return fig


def indicator_layer(dataset: Dataset, indicator_id: str, year: int, scheme: str, k: int,
                    lang: str = DEFAULT_LANG) -> tuple[np.ndarray, list[str], dict, str, bool]:
    """(class index, colours, legend fields of :class:`geo.export.handout.HandoutLegend`,
    title, synthetic) of the indicator layer, classified as the page classifies it."""
    values = dataset.values(indicator_id, int(year))
    classes = classify(values.value, scheme, int(k), lang=lang)
    colours = class_colours(len(classes.labels), values.indicator.direction)
    ind = values.indicator
    unit = "%" if ind.is_rate else unit_label(ind.unit, lang)
    legend = {"title": f"{ind.label(lang)} ({unit}), {values.year}",
              "subtitle": t("map.legend.direction", lang,
                            direction=direction_label(ind.direction, lang)),
              "entries": list(zip(colours, classes.labels, classes.counts, strict=True)),
              "missing": (NO_DATA_COLOUR, t("map.legend.no_data", lang), classes.n_missing),
              "note": classes.note.render(lang) if classes.note else ""}
    synthetic = dataset.synthetic or (ind.kind == "coverage" and dataset.coverage_synthetic)
    return classes.index, colours, legend, f"{ind.label(lang)} {values.year}", synthetic


def scoring_layer(result: ScoringResult, layer: str, dataset: Dataset,
                  lang: str = DEFAULT_LANG) -> tuple[np.ndarray, list[str], dict, str, bool]:
    """The same five things for a scoring layer, with the page's classes and colours."""
    index, entries, colours, title = layer_classes(result, layer, lang)
    missing = int((index == -1).sum())
    legend = {"title": title, "subtitle": t("scoring.map.subtitle", lang, n=result.config.top_n,
                                            method=result.config.method),
              "entries": entries,
              "missing": ((NO_DATA_COLOUR, t("scoring.map.legend_no_data", lang), missing)
                          if missing else None)}
    return index, colours, legend, title, bool(result.synthetic or dataset.synthetic)


def handout_file(registry: Registry, dataset_id, view: dict, fmt: str,
                 lang: str = DEFAULT_LANG) -> tuple[bytes, str]:
    """(file bytes, safe file name) of the map as the page shows it. ``view`` holds the
    page's ``indicator``, ``year``, ``scheme``, ``k``, ``kecamatan``, ``layer``, ``config``,
    ``bubbles`` and ``labels``. The comparison layer is handed out as the indicator layer."""
    from geo.export.handout import HandoutLegend, HandoutMap, render_handout  # matplotlib: lazily

    dataset = registry.get(dataset_id)
    result = score_or_none(registry, dataset_id, view.get("config"))
    layer = view.get("layer") or "indikator"
    if layer in LAYERS and result is not None:
        index, colours, legend, title, synthetic = scoring_layer(result, layer, dataset, lang)
        what, year = layer, result.config.year
    else:
        index, colours, legend, title, synthetic = indicator_layer(
            dataset, view["indicator"], view["year"], view["scheme"], view["k"], lang)
        what, year = view["indicator"], view["year"]
    # the hand-out numbers the lokus on every scoring layer (the page: on the recommendation)
    lokus = lokus_ranks(result) if layer in LAYERS else {}
    kecamatan = view.get("kecamatan")
    title = f"{title} — {kabupaten_name(dataset)}"
    names = dataset.villages.loc[dataset.villages["kode_kec"] == kecamatan, "nama_kec"]
    if kecamatan and len(names):
        title = t("handout.title.kecamatan", lang, title=title, name=names.iloc[0])
    named = named_villages(dataset, kecamatan, lokus_ranks(result), lang)[0] \
        if view.get("labels") else []
    counts, count_what, unit = (bubble_counts(dataset.values(view["indicator"], int(view["year"])),
                                              lang) if view.get("bubbles") else (None, "", ""))
    top = float(np.nanmax(counts)) if counts is not None and np.isfinite(counts).any() else 0.0
    refs = [(c, t("map.bubbles.item", lang, n=format_number(c, 0, lang), unit=unit))
            for c in reference_counts(top)]
    spec = HandoutMap(dataset=dataset, class_index=index, colours=colours,
                      legend=HandoutLegend(**legend),
                      title=title, no_data_colour=NO_DATA_COLOUR, lokus=lokus, named=named,
                      kecamatan=kecamatan, bubbles=counts, bubble_refs=refs,
                      bubble_title=t("map.bubbles.title", lang, what=count_what) if count_what
                      else "", synthetic=synthetic)
    name = safe_filename(f"{t('handout.filename', lang, what=what, year=year)}.{fmt}")
    return render_handout(spec, fmt, lang=lang), name


def register(app: Dash, registry: Registry) -> None:
    """Wire the overlays and the hand-out downloads."""
    graph = ids.MAP_GRAPH

    @app.callback(Output(graph, "figure", allow_duplicate=True),
                  Output(ids.MAP_BUBBLE_LEGEND, "children"),
                  Input(ids.MAP_BUBBLES, "value"), Input(ids.FILTER_INDICATOR, "value"),
                  Input(ids.FILTER_YEAR, "value"), State(ids.STORE_DATASET, "data"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    def _bubbles(on, indicator_id, year, dataset_id, lang):
        if not on and ctx.triggered_id != ids.MAP_BUBBLES:
            return no_update, no_update
        values = registry.get(dataset_id).values(indicator_id, int(year))
        return bubble_update(values, bool(on), lang_of(lang))

    @app.callback(Output(graph, "figure", allow_duplicate=True),
                  Output(ids.MAP_LABEL_NOTE, "children"),
                  Input(ids.MAP_LABELS, "value"), Input(ids.FILTER_KECAMATAN, "value"),
                  Input(ids.MAP_LAYER, "value"), Input(ids.STORE_CONFIG, "data"),
                  State(ids.STORE_DATASET, "data"), State(ids.STORE_LANG, "data"),
                  prevent_initial_call=True)
    def _labels(on, kecamatan, layer, config, dataset_id, lang):
        if not on and ctx.triggered_id != ids.MAP_LABELS:
            return no_update, no_update
        result = score_or_none(registry, dataset_id, config) if layer != "indikator" else None
        return label_update(registry.get(dataset_id), bool(on), kecamatan, lokus_ranks(result),
                            lang_of(lang))

    @app.callback(Output(graph, "figure", allow_duplicate=True),
                  Input(ids.MAP_LAYER, "value"), Input(ids.STORE_CONFIG, "data"),
                  State(ids.STORE_DATASET, "data"), prevent_initial_call=True)
    def _ranks(layer, config, dataset_id):
        result = score_or_none(registry, dataset_id, config) if layer in NUMBERED_LAYERS else None
        return rank_update(registry.get(dataset_id), layer, lokus_ranks(result))

    @app.callback(Output(ids.MAP_DOWNLOAD, "data"), Output(ids.MAP_DOWNLOAD_STATUS, "children"),
                  Input(ids.MAP_DOWNLOAD_PNG, "n_clicks"), Input(ids.MAP_DOWNLOAD_PDF, "n_clicks"),
                  State(ids.FILTER_INDICATOR, "value"), State(ids.FILTER_YEAR, "value"),
                  State(ids.FILTER_SCHEME, "value"), State(ids.FILTER_CLASSES, "value"),
                  State(ids.FILTER_KECAMATAN, "value"), State(ids.MAP_LAYER, "value"),
                  State(ids.STORE_CONFIG, "data"), State(ids.MAP_BUBBLES, "value"),
                  State(ids.MAP_LABELS, "value"), State(ids.STORE_DATASET, "data"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    @input_errors(no_update, MESSAGE)
    def _download(_png, _pdf, indicator_id, year, scheme, k, kecamatan, layer, config, bubbles,
                  labels, dataset_id, lang):
        lang = lang_of(lang)
        fmt = "pdf" if ctx.triggered_id == ids.MAP_DOWNLOAD_PDF else "png"
        view = {"indicator": indicator_id, "year": year, "scheme": scheme, "k": k,
                "kecamatan": kecamatan, "layer": layer, "config": config,
                "bubbles": bool(bubbles), "labels": bool(labels)}
        data, name = handout_file(registry, dataset_id, view, fmt, lang)
        status = t("map.download.done", lang, file=name)
        if layer == "banding":
            status = f"{status} {t('map.download.banding', lang)}"
        return dcc.send_bytes(data, name), status


def empty_layer(n_villages: int, title: str, message: str, hover: str,
                lang: str = DEFAULT_LANG) -> tuple[Patch, object]:
    """(Patch, legend) of a layer with nothing to show yet: every village grey, and a legend
    that says what to choose (never the previous layer's colours and legend)."""
    return neutral_patch(n_villages, hover, lang), legend_message(title, message)


def compare_placeholder(n_villages: int, has_result: bool, lang: str = DEFAULT_LANG):
    """The comparison layer before a scenario to compare (or a result) is chosen."""
    return empty_layer(n_villages, t("map.compare.title", lang),
                       t("map.compare.choose" if has_result else "map.compare.no_result", lang),
                       t("map.compare.hover", lang), lang)
