"""Map page callbacks. Every map update is a Patch: geometry is sent only once."""

from __future__ import annotations

import math

import numpy as np
from dash import Dash, Input, Output, Patch, State, ctx, no_update

from callbacks import map_layers
from geo.core.i18n import DEFAULT_LANG, format_number, lang_of
from geo.core.indicators import IndicatorValues
from geo.core.indicators import catalogue as indicator_catalogue
from geo.core.rates import wilson_interval
from geo.scoring.classify import classify
from geo.view.mapdata import fit_view
from geo.view.registry import Registry
from layouts import ids
from layouts.map_page import column_defs, legend, scheme_labels, summary, unit_label
from layouts.mapfig import (
    NO_DATA_COLOUR,
    OFFLINE_STYLE,
    ONLINE_STYLE,
    PIN_TRACE,
    VILLAGE_TRACE,
    class_colours,
    stepped_colourscale,
)
from layouts.text import catalogue, t

MAX_TABLE_ROWS = 5_000
TABLE_ROWS_WHEN_LARGE = 2_000


def format_many(values, decimals: int, lang: str = DEFAULT_LANG) -> list[str]:
    """:func:`format_number` of every number in ``values``, each distinct rounded value
    formatted once: a province's hover texts hold ~30,000 numbers but a few thousand
    distinct ones, and Babel takes ~50 µs a number. Rounding is vectorised; a value near a
    tie (or a negative one rounding to zero) goes through format_number itself, so every
    text is exactly format_number's."""
    array = np.asarray(values, dtype=float)
    scale = 10.0**decimals
    with np.errstate(invalid="ignore"):
        scaled = np.abs(array) * scale
        keys = np.floor(scaled + 0.5) * np.sign(array)  # half away from zero
        exact = (np.abs(scaled % 1 - 0.5) < 1e-6) | ((keys == 0) & np.signbit(array)) | (scaled > 2**52)
    done: dict[float | str, str] = {}
    out = []
    for value, key, own in zip(array.tolist(), keys.tolist(), exact.tolist(), strict=True):
        if own:
            out.append(format_number(value, decimals, lang))
            continue
        if not math.isfinite(value):
            key = value if value == value else "nan"  # NaN != NaN: one key for all
            if key not in done:
                done[key] = format_number(value, decimals, lang)
            out.append(done[key])
            continue
        if key not in done:
            done[key] = format_number(key / scale, decimals, lang)
        out.append(done[key])
    return out


def hover_text(values: IndicatorValues, lang: str = DEFAULT_LANG) -> list[str]:
    """Per-village hover line: value with numerator, denominator and, for rates, the 95 %
    Wilson interval (small denominators show as wide intervals); numbers in ``lang`` style."""
    ind = values.indicator
    rate = ind.is_rate and values.denominator is not None
    if rate:
        k = np.nan_to_num(values.numerator)
        n = np.nan_to_num(values.denominator)
        low, high = wilson_interval(np.minimum(k, n), n)
        low_text, high_text = format_many(100 * low, 1, lang), format_many(100 * high, 1, lang)
        num_text = format_many(values.numerator, 0, lang)
        den_text = format_many(values.denominator, 0, lang)
    value_text = format_many(values.value, 1 if ind.is_rate else 0, lang)
    out = []
    no_data, no_data_zero = t("map.hover.no_data", lang), t("map.hover.no_data_zero", lang)
    unit = unit_label(ind.unit, lang)
    for i, value in enumerate(values.value):
        if np.isnan(value):
            if values.denominator is not None and values.denominator[i] == 0:
                out.append(no_data_zero)
            else:
                out.append(no_data)
        elif ind.is_rate:
            out.append(t("map.hover.rate", lang, value=value_text[i], numerator=num_text[i],
                         denominator=den_text[i], low=low_text[i], high=high_text[i]))
        else:
            out.append(f"{value_text[i]} {unit}")
    return out


def hover_template(label: str, lang: str = DEFAULT_LANG) -> str:
    """Hover box of a village: name, kecamatan, then ``label: text``."""
    return ("<b>%{customdata[0]}</b><br>" + t("map.hover.kecamatan", lang, name="%{customdata[1]}")
            + "<br>" + label + ": %{text}<extra></extra>")


def scheme_options(indicator_id: str, scheme: str,
                   lang: str = DEFAULT_LANG) -> tuple[list[dict], str]:
    """Classification choices for an indicator; WHO bands only for prevalence-type rates."""
    who_ok = indicator_catalogue()[indicator_id].thresholds == "who_stunting"
    options = [{"label": label, "value": key, "disabled": key == "who" and not who_ok}
               for key, label in scheme_labels(lang).items()]
    return options, ("quantiles" if scheme == "who" and not who_ok else scheme)


def update_indicator(registry: Registry, dataset_id: str, indicator_id: str, year: int,
                     scheme: str, k: int, kecamatan: str | None, lang: str = DEFAULT_LANG):
    """Recolour the map and refill legend, summary and table for indicator/year/classes."""
    dataset = registry.get(dataset_id)
    values = dataset.values(indicator_id, int(year))
    classes = classify(values.value, scheme, int(k), lang=lang)
    colours = class_colours(len(classes.labels), values.indicator.direction)

    fig = Patch()
    trace = fig["data"][VILLAGE_TRACE]
    trace["z"] = classes.index.tolist()
    trace["zmax"] = max(len(classes.labels) - 1, 0)
    trace["colorscale"] = stepped_colourscale(colours)
    check = dataset.measurement_check(int(year))
    trace["text"] = [f"{text}<br>⚠ {t('map.hover.measurement_check', lang)}" if flagged else text
                     for text, flagged in zip(hover_text(values, lang), check, strict=True)]
    trace["hovertemplate"] = hover_template(values.indicator.label(lang), lang)

    rows, table_note = table_rows(dataset.villages, values, kecamatan, lang, check)
    if not has_data(values):
        rows = []  # a table of dashes says nothing: the empty-state message says why
    note = table_note
    definition = values.indicator.note(lang)  # e.g. the screening ratio's denominator
    if definition:
        note = f"{definition} {note}".strip()
    in_view, place = kecamatan_view(dataset, kecamatan)
    return (fig, legend(values, classes, colours, NO_DATA_COLOUR, lang),
            summary(values, len(dataset.villages), lang, in_view, place), rows,
            column_defs(values, lang), note)


def kecamatan_view(dataset, kecamatan: str | None) -> tuple[np.ndarray | None, str | None]:
    """(villages of the kecamatan in view, its name), or (None, None) for the whole dataset
    (also for a code the dataset does not know)."""
    if not kecamatan:
        return None, None
    in_view = (dataset.villages["kode_kec"] == kecamatan).to_numpy()
    if not in_view.any():
        return None, None
    return in_view, str(dataset.villages.loc[in_view, "nama_kec"].iloc[0])


def summary_place(dataset, kecamatan: str | None, lang: str = DEFAULT_LANG) -> str:
    """What the summary cards add up: "Ringkasan: Kecamatan Wado" / the whole kabupaten."""
    _in_view, place = kecamatan_view(dataset, kecamatan)
    return (t("map.summary.place_kec", lang, name=place) if place
            else t("map.summary.place_all", lang))


def has_data(values: IndicatorValues) -> bool:
    """Whether any village has a value for this indicator and year."""
    return bool((~np.isnan(np.asarray(values.value, dtype=float))).any())


def empty_state(values: IndicatorValues, lang: str = DEFAULT_LANG) -> tuple[str, bool, str, bool]:
    """Map and table messages (text, hidden) when the year/indicator has no data at all, so
    an all-grey map reads as "no data", never as a broken page."""
    if has_data(values):
        return "", True, "", True
    names = {"indicator": values.indicator.label(lang), "year": values.year}
    return t("shell.empty.map", lang, **names), False, t("shell.empty.table", lang, **names), False


def table_rows(villages, values: IndicatorValues, kecamatan: str | None,
               lang: str = DEFAULT_LANG, measurement_check: np.ndarray | None = None,
               ) -> tuple[list[dict], str]:
    """Village table rows for the current indicator; very large datasets send only the
    highest values unless a kecamatan is chosen (the map still shows every village).
    ``measurement_check`` marks villages whose measurements need checking (a note column)."""
    frame = villages[["kode", "nama", "nama_kec"]].copy()
    frame["nilai"] = np.round(values.value, 2)
    if values.denominator is not None:
        frame["pembilang"] = values.numerator
        frame["penyebut"] = values.denominator
    if measurement_check is not None and measurement_check.any():
        frame["catatan"] = np.where(measurement_check, t("map.hover.measurement_check", lang), None)
    note = ""
    if kecamatan:
        frame = frame[villages["kode_kec"].to_numpy() == kecamatan]
    elif len(frame) > MAX_TABLE_ROWS:
        frame = frame.sort_values("nilai", ascending=False).head(TABLE_ROWS_WHEN_LARGE)
        note = t("map.table.large", lang, n=format_number(TABLE_ROWS_WHEN_LARGE, 0, lang))
    return frame.astype(object).where(frame.notna(), None).to_dict("records"), note


def select_village(registry: Registry, dataset_id: str, code: str | None,
                   lang: str = DEFAULT_LANG):
    """Highlight a village on the map, pan to it with its kecamatan in view (the kecamatan's
    bounds, widened to hold the village), and describe it."""
    fig = Patch()
    if not code:
        fig["data"][VILLAGE_TRACE]["selectedpoints"] = None
        fig["data"][PIN_TRACE]["lon"] = []
        fig["data"][PIN_TRACE]["lat"] = []
        return fig, ""
    dataset = registry.get(dataset_id)
    geom = registry.geometry(dataset_id)
    pos = geom.codes.index(code)
    row = dataset.villages.iloc[pos]
    point = row.geometry.representative_point()
    view = fit_view(_union(geom.kecamatan_bounds.get(row["kode_kec"]), geom.bounds[code]),
                    max_zoom=13)
    fig["data"][VILLAGE_TRACE]["selectedpoints"] = [pos]
    fig["data"][PIN_TRACE]["lon"] = [point.x]
    fig["data"][PIN_TRACE]["lat"] = [point.y]
    fig["layout"]["map"]["center"] = {"lon": view.lon, "lat": view.lat}
    fig["layout"]["map"]["zoom"] = view.zoom
    fig["layout"]["uirevision"] = f"village-{code}"
    kind = catalogue(lang_of(lang)).get(f"map.kind.{str(row['jenis']).replace(' ', '_')}",
                                        row["jenis"])
    detail = t("map.detail", lang, name=row["nama"], kind=kind, kecamatan=row["nama_kec"],
               code=code)
    return fig, detail


def _union(a, b):
    """Bounding box holding both boxes (``a`` may be None)."""
    if a is None:
        return b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def clicked_code(click: dict | None) -> str | None:
    """Village code of a map click: a village polygon's location, or the code a count bubble
    carries (its third customdata field); None for anything else."""
    point = ((click or {}).get("points") or [{}])[0]
    data = point.get("customdata")
    if point.get("location"):
        return point["location"]
    return data[2] if isinstance(data, list) and len(data) > 2 else None


def zoom_kecamatan(registry: Registry, dataset_id: str, kecamatan: str | None) -> Patch:
    """Zoom the map to a kecamatan, or back to the whole dataset."""
    geom = registry.geometry(dataset_id)
    bounds = geom.kecamatan_bounds.get(kecamatan) if kecamatan else geom.total_bounds
    view = fit_view(bounds or geom.total_bounds)
    fig = Patch()
    fig["layout"]["map"]["center"] = {"lon": view.lon, "lat": view.lat}
    fig["layout"]["map"]["zoom"] = view.zoom
    fig["layout"]["uirevision"] = f"kec-{kecamatan}"
    return fig


def basemap(online: bool) -> Patch:
    """Switch between the offline blank style and the online OpenStreetMap tiles."""
    fig = Patch()
    fig["layout"]["map"]["style"] = ONLINE_STYLE if online else OFFLINE_STYLE
    fig["data"][VILLAGE_TRACE]["marker"]["opacity"] = 0.7 if online else 0.85
    return fig


def register(app: Dash, registry: Registry) -> None:
    """Wire the map page."""
    graph = ids.MAP_GRAPH

    @app.callback(Output(ids.FILTER_SCHEME, "options"), Output(ids.FILTER_SCHEME, "value"),
                  Input(ids.FILTER_INDICATOR, "value"), State(ids.FILTER_SCHEME, "value"),
                  State(ids.STORE_LANG, "data"))
    def _scheme(indicator_id, scheme, lang):
        return scheme_options(indicator_id, scheme, lang_of(lang))

    @app.callback(
        Output(graph, "figure"), Output(ids.MAP_LEGEND, "children"),
        Output(ids.MAP_SUMMARY, "children"), Output(ids.TABLE_GRID, "rowData"),
        Output(ids.TABLE_GRID, "columnDefs"), Output(ids.FILTER_NOTE, "children"),
        Output(ids.MAP_EMPTY, "children"), Output(ids.MAP_EMPTY, "hidden"),
        Output(ids.TABLE_EMPTY, "children"), Output(ids.TABLE_EMPTY, "hidden"),
        Output(ids.APP_READY, "children"), Output(ids.MAP_SUMMARY_PLACE, "children"),
        Input(ids.FILTER_INDICATOR, "value"), Input(ids.FILTER_YEAR, "value"),
        Input(ids.FILTER_SCHEME, "value"), Input(ids.FILTER_CLASSES, "value"),
        Input(ids.FILTER_KECAMATAN, "value"), Input(ids.MAP_LAYER, "value"),
        State(ids.STORE_DATASET, "data"), State(ids.STORE_LANG, "data"),
    )
    def _update(indicator_id, year, scheme, k, kecamatan, layer, dataset_id, lang):
        out = update_indicator(registry, dataset_id, indicator_id, year, scheme, k, kecamatan,
                               lang_of(lang))
        dataset = registry.get(dataset_id)
        map_msg, map_hidden, table_msg, table_hidden = empty_state(
            dataset.values(indicator_id, int(year)), lang_of(lang))
        place = summary_place(dataset, kecamatan, lang_of(lang))
        if layer != "indikator":  # the map shows a scoring layer: keep it, refresh the table
            return (no_update, no_update, *out[2:], "", True, table_msg, table_hidden, "ready",
                    place)
        return (*out, map_msg, map_hidden, table_msg, table_hidden, "ready", place)

    @app.callback(
        Output(ids.STORE_SELECTED, "data"), Output(graph, "figure", allow_duplicate=True),
        Output(ids.TABLE_GRID, "selectedRows"), Output(ids.TABLE_GRID, "scrollTo"),
        Output(ids.SCORE_GRID, "selectedRows"), Output(ids.TABLE_DETAIL, "children"),
        Input(graph, "clickData"), Input(ids.TABLE_GRID, "selectedRows"),
        Input(ids.SCORE_GRID, "selectedRows"), Input(ids.QUADRANT_GRAPH, "clickData"),
        State(ids.STORE_SELECTED, "data"), State(ids.STORE_DATASET, "data"),
        State(ids.STORE_LANG, "data"),
        prevent_initial_call=True,
    )
    def _select(map_click, table_rows, score_rows, quadrant_click, current, dataset_id, lang):
        trigger = ctx.triggered_id
        code = {
            graph: lambda: clicked_code(map_click),
            ids.TABLE_GRID: lambda: table_rows[0]["kode"] if table_rows else None,
            ids.SCORE_GRID: lambda: score_rows[0]["kode"] if score_rows else None,
            ids.QUADRANT_GRAPH: lambda: ((quadrant_click or {}).get("points") or [{}])[0]
            .get("customdata"),
        }[trigger]()
        if code == current:
            return (no_update,) * 6
        fig, detail = select_village(registry, dataset_id, code, lang_of(lang))
        in_table = {"ids": [code]} if code and trigger != ids.TABLE_GRID else no_update
        scroll = {"rowId": code, "rowPosition": "middle"} if in_table is not no_update else no_update
        in_scores = {"ids": [code]} if code and trigger != ids.SCORE_GRID else no_update
        return code, fig, in_table, scroll, in_scores, detail

    @app.callback(Output(graph, "figure", allow_duplicate=True),
                  Input(ids.FILTER_KECAMATAN, "value"), State(ids.STORE_DATASET, "data"),
                  prevent_initial_call=True)
    def _kecamatan(kecamatan, dataset_id):
        return zoom_kecamatan(registry, dataset_id, kecamatan)

    @app.callback(Output(graph, "figure", allow_duplicate=True),
                  Input(ids.FILTER_BASEMAP, "value"), prevent_initial_call=True)
    def _basemap(online):
        return basemap(bool(online))

    map_layers.register(app, registry)  # bubbles, names, numbered lokus, hand-out downloads

    @app.callback(Output(ids.TABLE_GRID, "dashGridOptions"), Input(ids.TABLE_SEARCH, "value"),
                  prevent_initial_call=True)
    def _search(text):
        options = Patch()
        options["quickFilterText"] = text or ""
        return options
