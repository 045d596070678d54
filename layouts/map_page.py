"""The map page: controls, choropleth with legend, village table, data report."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from geo.core.i18n import DEFAULT_LANG, format_number, lang_of
from geo.core.indicators import IndicatorValues
from geo.core.messages import render_all
from geo.core.quality import QualityLog
from geo.data.join import JoinReport
from geo.data.model import Dataset
from geo.io.eppgbm_quality import quality_rule_text
from geo.scoring.classify import Classes
from layouts import ids
from layouts.components import dropdown
from layouts.mapfig import BUBBLE_COLOUR, bubble_diameter, reference_counts
from layouts.text import catalogue, t

#: Classification schemes in the order of the picker (labels: ``map.scheme.<key>``).
SCHEMES = ("who", "quantiles", "equal_interval", "natural_breaks")
#: Map layers in the order of the radio buttons (labels: ``map.layer.<key>``).
MAP_LAYERS = ("indikator", "skor", "rekomendasi", "stabilitas", "lisa", "banding")
#: Units of indicators.csv with a catalogue entry; others are shown as written.
_UNIT_KEYS = {"anak": "map.unit.anak", "keluarga": "map.unit.keluarga",
              "orang": "map.unit.orang", "poin %": "map.unit.points"}


def scheme_labels(lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Classification scheme → label in ``lang``."""
    return {key: t(f"map.scheme.{key}", lang) for key in SCHEMES}


def direction_label(direction: str, lang: str = DEFAULT_LANG) -> str:
    """"higher is worse" etc. of an indicator direction (the code itself when unknown)."""
    return catalogue(lang_of(lang)).get(f"map.direction.{direction}", direction)


def unit_label(unit: str, lang: str = DEFAULT_LANG) -> str:
    """An indicator unit ("anak") in ``lang``; units without an entry are shown as written."""
    key = _UNIT_KEYS.get(unit)
    return t(key, lang) if key else unit


def village_count(n: int, lang: str = DEFAULT_LANG) -> str:
    """"12 desa" / "12 villages" ("1 village")."""
    return t("map.legend.count_one" if n == 1 else "map.legend.count", lang, n=n)


def _control(label: str, component, width: int = 3) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=component.id, className="small fw-semibold mb-1"),
                    component], md=width)


def controls(dataset: Dataset, indicator: str, year: int, kecamatan: str | None = None,
             lang: str = DEFAULT_LANG) -> dbc.Card:
    """Indicator, year, classification and kecamatan pickers (initial values from the URL)."""
    return dbc.Card(dbc.CardBody(dbc.Row([
        _control(t("map.control.indicator", lang), dropdown(
            id=ids.FILTER_INDICATOR, value=indicator, clearable=False,
            options=[{"label": i.label(lang), "value": i.id} for i in dataset.indicators]), 4),
        _control(t("map.control.year", lang), dropdown(
            id=ids.FILTER_YEAR, value=year, clearable=False,
            options=[{"label": str(y), "value": y} for y in dataset.years]), 1),
        _control(t("map.control.scheme", lang), dropdown(
            id=ids.FILTER_SCHEME, value="quantiles", clearable=False,
            options=[{"label": v, "value": k} for k, v in scheme_labels(lang).items()]), 2),
        _control(t("map.control.classes", lang), dropdown(
            id=ids.FILTER_CLASSES, value=5, clearable=False,
            options=[{"label": str(k), "value": k} for k in range(3, 8)]), 1),
        _control(t("map.control.kecamatan", lang), dropdown(
            id=ids.FILTER_KECAMATAN, value=kecamatan,
            placeholder=t("map.control.kecamatan_all", lang),
            options=[{"label": r.nama_kec, "value": r.kode_kec}
                     for r in dataset.kecamatan.itertuples()]), 2),
        dbc.Col([dbc.Label(t("map.control.basemap", lang), html_for=ids.FILTER_BASEMAP,
                           className="small fw-semibold mb-1"),
                 dbc.Switch(id=ids.FILTER_BASEMAP, value=False,
                            label=t("map.control.osm", lang))], md=2),
        dbc.Col(html.Div(id=ids.FILTER_NOTE, className="small text-muted mt-1"), md=12),
    ], className="g-2")), className="mb-2")


def legend(values: IndicatorValues, classes: Classes, colours: list[str],
           no_data_colour: str, lang: str = DEFAULT_LANG) -> html.Div:
    """Legend of an indicator layer: villages per class and a grey 'no data' entry.
    ``classes`` should be classified in ``lang`` too (its labels hold numbers)."""
    ind = values.indicator
    unit = "%" if ind.is_rate else unit_label(ind.unit, lang)
    note = t("map.legend.who_note", lang) if classes.scheme == "who" else ""
    if classes.note is not None:  # fewer classes than asked: say why (tied values)
        note = f"{note} {classes.note.render(lang)}".strip()
    return legend_box(f"{ind.label(lang)} ({unit}), {values.year}",
                      t("map.legend.direction", lang,
                        direction=direction_label(ind.direction, lang)),
                      list(zip(colours, classes.labels, classes.counts, strict=True)),
                      (no_data_colour, t("map.legend.no_data", lang), classes.n_missing), note,
                      lang)


def legend_box(title: str, subtitle: str, entries: list[tuple[str, str, int]],
               missing: tuple[str, str, int] | None, note: str = "",
               lang: str = DEFAULT_LANG) -> html.Div:
    """Legend: (colour, label, number of villages) per class, then the 'no data' entry."""
    rows = entries + ([missing] if missing else [])
    items = [html.Li([html.Span(className="legend-swatch", style={"background": colour}),
                      html.Span(label),
                      html.Span(village_count(count, lang), className="legend-count")])
             for colour, label, count in rows]
    return html.Div([
        html.Div(title, className="fw-semibold small"),
        html.Div(subtitle, className="small text-muted"),
        html.Ul(items, className="legend-list"),
        *([html.Div(note, className="small text-muted")] if note else []),
    ])


def summary(values: IndicatorValues, n_villages: int, lang: str = DEFAULT_LANG,
            in_view: np.ndarray | None = None, place: str | None = None) -> list:
    """Headline numbers for the current indicator and year (number style of ``lang``):
    of the whole kabupaten, or pooled over the villages ``in_view`` (a boolean mask) of the
    kecamatan named ``place``."""
    ind = values.indicator
    mask = np.ones(len(values.value), dtype=bool) if in_view is None else np.asarray(in_view)
    n_villages = int(mask.sum()) if in_view is not None else n_villages
    has = int((~np.isnan(values.value[mask])).sum())
    cards = [(t("map.summary.with_data", lang), f"{has} / {n_villages}")]
    num_total = float(np.nansum(values.numerator[mask]))
    where = {} if place is None else {"name": place}
    suffix = "" if place is None else "_kec"
    if ind.is_rate and values.denominator is not None:
        den_total = float(np.nansum(values.denominator[mask]))
        pooled = 100 * num_total / den_total if den_total else float("nan")
        cards += [(t(f"map.summary.pooled{suffix}", lang, **where),
                   f"{format_number(pooled, 1, lang)}%"),
                  (t("map.summary.num_den", lang), f"{format_number(num_total, 0, lang)} / "
                                                   f"{format_number(den_total, 0, lang)}")]
    else:
        cards.append((t(f"map.summary.total{suffix}", lang, **where),
                      f"{format_number(num_total, 0, lang)} {unit_label(ind.unit, lang)}"))
    return [dbc.Col(html.Div([html.Div(v, className="summary-value"),
                              html.Div(k, className="summary-label")],
                             className="summary-card"), xs=6, md=4) for k, v in cards]


def legend_message(title: str, message: str) -> html.Div:
    """A legend that is only a sentence (a layer with nothing to show yet)."""
    return html.Div([html.Div(title, className="fw-semibold small"),
                     html.Div(message, className="small legend-message", role="status")])


def bubble_legend(what: str, unit: str, counts, lang: str = DEFAULT_LANG) -> html.Div:
    """Size key of the count bubbles in words ("● 10 anak ● 50 anak"): two or three round
    reference counts drawn at the size the map uses (area proportional to the count)."""
    top = float(np.nanmax(counts)) if len(counts) and np.isfinite(np.nanmax(counts)) else 0.0
    items = []
    for count in reference_counts(top):
        px = bubble_diameter(count, top)
        items.append(html.Span([
            html.Span(className="bubble-key", style={
                "width": f"{px:.0f}px", "height": f"{px:.0f}px", "background": BUBBLE_COLOUR}),
            html.Span(t("map.bubbles.item", lang, n=format_number(count, 0, lang), unit=unit))],
            className="bubble-item"))
    return html.Div([html.Div(t("map.bubbles.title", lang, what=what), className="small fw-semibold"),
                     html.Div(items, className="bubble-items")], className="bubble-legend")


def grid(lang: str = DEFAULT_LANG) -> dag.AgGrid:
    """The village table; rows arrive from the indicator callback."""
    return dag.AgGrid(
        id=ids.TABLE_GRID,
        rowData=[],
        columnDefs=[],
        getRowId="params.data.kode",
        defaultColDef={"sortable": True, "resizable": True, "filter": False},
        dashGridOptions={
            "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
            "animateRows": False,
            "localeText": {"noRowsToShow": t("map.table.no_rows", lang)},
        },
        style={"height": "560px"},
    )


def number_format(spec: str, lang: str = DEFAULT_LANG) -> dict:
    """AG Grid right-aligned column with a d3 number format in the language's style
    (``1.234,5`` / ``1,234.5``); missing values show as ``–``."""
    text = f"d3.format('{spec}')(params.value)"
    if lang == "id":  # swap the separators through a placeholder
        text += ".replace(/,/g,'_').replace('.',',').replace(/_/g,'.')"
    return {"type": "rightAligned",
            "valueFormatter": {"function": f"params.value == null ? '–' : {text}"}}


def column_defs(values: IndicatorValues, lang: str = DEFAULT_LANG) -> list[dict]:
    """Table columns for the current indicator (numerator/denominator shown for rates)."""
    number, count = number_format(",.1f", lang), number_format(",.0f", lang)
    cols: list[dict] = [
        {"field": "nama_kec", "headerName": t("map.table.kecamatan", lang), "width": 130},
        {"field": "nama", "headerName": t("map.table.desa", lang), "width": 140},
        {"field": "nilai",
         "headerName": "%" if values.indicator.is_rate else t("map.table.count", lang),
         "sort": "desc", "width": 90, **(number if values.indicator.is_rate else count)},
    ]
    if values.indicator.is_rate:
        cols += [{"field": "pembilang", "headerName": t("map.table.numerator", lang), "width": 100,
                  **count},
                 {"field": "penyebut", "headerName": "n", "width": 80, **count}]
    cols.append({"field": "kode", "headerName": t("map.table.kode", lang), "width": 125})
    cols.append({"field": "catatan", "headerName": t("map.table.note", lang), "width": 170})
    return cols


def loading(child, **kwargs) -> dcc.Loading:
    """A spinner over ``child`` after 500 ms of waiting; the content stays visible (dimmed)
    so the planner keeps their place during a quick update."""
    return dcc.Loading(child, delay_show=500, overlay_style={"visibility": "visible",
                                                             "opacity": 0.6}, **kwargs)


def map_panel(figure: go.Figure, source: str, lang: str = DEFAULT_LANG) -> dbc.Card:
    """Map with the layer choice and its switches (count bubbles, village names), the
    empty-state message, the legend (below the map, never over villages or the tooltip),
    the hand-out downloads and the source line."""
    return dbc.Card(dbc.CardBody([
        html.Div(id=ids.MAP_SUMMARY_PLACE, className="small text-muted mb-1"),
        dbc.Row(id=ids.MAP_SUMMARY, className="g-2 mb-2"),
        html.Div(id=ids.MAP_SURVEY),  # survey vs register (Analisis lanjutan); empty until entered
        html.Div([html.Span(t("map.layer.label", lang), id=ids.MAP_LAYER_LABEL,
                            className="small fw-semibold me-2 mb-0"),
                  dbc.RadioItems(id=ids.MAP_LAYER, value="indikator", inline=True,
                                 className="small d-inline-block", options=[
                                     {"label": t(f"map.layer.{k}", lang), "value": k}
                                     for k in MAP_LAYERS])],
                 role="radiogroup", className="mb-1",
                 **{"aria-labelledby": ids.MAP_LAYER_LABEL}),
        html.Div([dbc.Switch(id=ids.MAP_BUBBLES, value=False, label=t("map.bubbles.switch", lang),
                             className="small me-3 d-inline-block"),
                  dbc.Switch(id=ids.MAP_LABELS, value=False, label=t("map.labels.switch", lang),
                             className="small d-inline-block")], className="map-switches"),
        loading(html.Div([
            dcc.Graph(id=ids.MAP_GRAPH, figure=figure, className="map-graph",
                      responsive=True,  # fills .map-graph, sized to the viewport (lokus.css)
                      config={"displaylogo": False, "scrollZoom": True,
                              "modeBarButtonsToRemove": ["select2d", "lasso2d"],
                              "toImageButtonOptions": {"filename": t("map.image_filename", lang)}}),
            html.Div(id=ids.MAP_EMPTY, className="empty-state map-empty", hidden=True,
                     role="status"),
        ], className="map-wrap", role="region", **{"aria-label": t("shell.map_aria", lang)})),
        html.Div([html.Div(id=ids.MAP_LEGEND, className="map-legend"),
                  html.Div([html.Div(id=ids.MAP_BUBBLE_LEGEND),
                            html.Div(id=ids.MAP_LABEL_NOTE, className="small text-muted")],
                           className="map-legend-side")], className="map-legend-row"),
        html.Div([dbc.Button(t("map.download.png", lang), id=ids.MAP_DOWNLOAD_PNG, size="sm",
                             color="secondary", outline=True, className="me-2"),
                  dbc.Button(t("map.download.pdf", lang), id=ids.MAP_DOWNLOAD_PDF, size="sm",
                             color="secondary", outline=True, className="me-2"),
                  html.Span(id=ids.MAP_DOWNLOAD_STATUS, className="small text-muted",
                            role="status"),
                  dcc.Download(id=ids.MAP_DOWNLOAD)], className="map-downloads mt-1"),
        html.Div(source, id=ids.MAP_SOURCE, className="small text-muted mt-1"),
    ]))


def table_panel(lang: str = DEFAULT_LANG) -> dbc.Card:
    """Searchable village table with a detail line for the selected village."""
    return dbc.Card(dbc.CardBody([
        dbc.Label(t("map.table.search", lang), html_for=ids.TABLE_SEARCH,
                  className="visually-hidden"),
        dbc.Input(id=ids.TABLE_SEARCH, type="search",
                  placeholder=t("map.table.search_placeholder", lang), className="mb-2"),
        html.Div(id=ids.TABLE_EMPTY, className="empty-state mb-2", hidden=True, role="status"),
        loading(grid(lang)),
        html.Div(id=ids.TABLE_DETAIL, className="small mt-2", **{"aria-live": "polite"}),
    ]))


def report_panel(dataset: Dataset, lang: str = DEFAULT_LANG) -> html.Div:
    """The *Data & sumber* tab: notes and reports (replaced on a dataset switch) and the
    download of the laporan kualitas data (static controls)."""
    return html.Div([
        html.Div(report_body(dataset, lang), id=ids.REPORT_BODY),
        html.Div([
            dbc.Button(t("quality.ui.download_csv", lang), id=ids.QUALITY_CSV, size="sm",
                       color="secondary", outline=True, className="me-2"),
            dbc.Button(t("quality.ui.download_xlsx", lang), id=ids.QUALITY_XLSX, size="sm",
                       color="secondary", outline=True),
            dcc.Download(id=ids.QUALITY_DOWNLOAD),
        ], className="mt-2"),
    ], className="p-2")


def report_body(dataset: Dataset, lang: str = DEFAULT_LANG) -> list:
    """Caveats, attribution, join report, quality warnings and the excluded rows."""
    return [
        html.H6(t("report.title.notes", lang)),
        html.Ul([html.Li(c) for c in dataset.caveats], className="small"),
        html.P(dataset.attribution, className="small text-muted"),
        html.H6(t("report.title.join", lang)),
        *join_report_body(dataset.report, render_all(dataset.warnings, lang), lang),
        *coverage_body(dataset, lang),
        *quality_body(dataset.quality_log, lang),
        *measurement_body(dataset.measurement_panel, lang),
    ]


def measurement_body(panel: pd.DataFrame | None, lang: str = DEFAULT_LANG) -> list:
    """e-PPGBM measurement quality: how many village-years need checking, and which, why."""
    if panel is None or panel.empty:
        return []
    flagged = panel.loc[panel["mutu_pengukuran"] == "perlu_dicek"].sort_values(["nama_kec", "nama_desa"])
    judged = int(panel["mutu_pengukuran"].isin(["baik", "perlu_dicek"]).sum())
    body: list = [html.H6(t("quality.ui.measurement_title", lang), className="mt-3"),
                  html.P(t("quality.ui.measurement_count", lang, n=len(flagged), judged=judged,
                           total=len(panel)), className="small")]
    if flagged.empty:
        return body
    heads = [t(f"quality.ui.measurement_col.{c}", lang) for c in ("desa", "tahun", "n", "sd", "why")]
    shown = flagged.head(QUALITY_PREVIEW_ROWS).astype(object).where(lambda f: f.notna(), "–")
    sd = pd.to_numeric(flagged["sd_haz"].head(QUALITY_PREVIEW_ROWS), errors="coerce")
    rows = [html.Tr([html.Td(f"{r.nama_desa} — {r.nama_kec}"), html.Td(str(r.tahun)),
                     html.Td(str(r.n_dipakai)), html.Td(format_number(s, 2, lang)),
                     html.Td(quality_rule_text(r.alasan_mutu, lang))])
            for r, s in zip(shown.itertuples(index=False), sd, strict=True)]
    return [*body, dbc.Table([html.Thead(html.Tr([html.Th(h) for h in heads])), html.Tbody(rows)],
                             size="sm", striped=True, responsive=True, className="small")]



#: Excluded rows shown on the page; the download has all of them.
QUALITY_PREVIEW_ROWS = 50


def quality_body(log: QualityLog, lang: str = DEFAULT_LANG) -> list:
    """Rows used of rows read per file, exclusions by reason and the first excluded rows."""
    body: list = [html.H6(t("quality.ui.title", lang), className="mt-3"),
                  html.Ul([html.Li(line) for line in log.summary_lines(lang)], className="small")]
    if not len(log):
        return [*body, html.P(t("quality.ui.none", lang), className="small")]
    frame = log.to_frame(lang).head(QUALITY_PREVIEW_ROWS).astype(object).where(
        lambda f: f.notna(), "")
    table = dbc.Table([
        html.Thead(html.Tr([html.Th(c) for c in frame.columns])),
        html.Tbody([html.Tr([html.Td(str(v)) for v in row]) for row in frame.itertuples(index=False)]),
    ], size="sm", striped=True, responsive=True, className="small quality-table")
    more = ([html.P(t("quality.ui.more", lang, shown=QUALITY_PREVIEW_ROWS, total=len(log)),
                    className="small text-muted")] if len(log) > QUALITY_PREVIEW_ROWS else [])
    return [*body, table, *more]


def coverage_body(dataset: Dataset, lang: str = DEFAULT_LANG) -> list:
    """Coverage tables: title (SINTETIS when synthetic), unit detection and join report."""
    if not dataset.coverage_sources:
        return []
    items = [html.Li([spec.title or spec.file.name,
                      *([dbc.Badge(t("map.synthetic_tag", lang), color="warning",
                                   text_color="dark", className="ms-1")]
                        if spec.synthetic else [])])
             for spec in dataset.coverage_sources]
    report = dataset.coverage_report
    return [html.H6(t("report.title.coverage", lang), className="mt-2"),
            html.Ul(items, className="small"),
            html.Ul([html.Li(n.render(lang)) for n in dataset.coverage_notes], className="small"),
            *(join_report_body(report, (), lang) if report else [])]


def join_report_body(report: JoinReport, quality: tuple[str, ...] = (),
                     lang: str = DEFAULT_LANG) -> list:
    """Join report as lists and small tables (sentences in ``lang``)."""
    body: list = [html.Ul([html.Li(line) for line in render_all(report.summary(), lang)],
                          className="small")]
    if quality:
        body += [html.H6(t("report.title.quality", lang), className="mt-2"),
                 html.Ul([html.Li(q) for q in quality], className="small")]
    return body
