"""Scoring panel (Aksi 1): indicators, weights/AHP, method, constraints, ranking, explanation.
Texts come from ``geo/resources/i18n/*/scoring.json``; every builder takes the page ``lang``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from geo.core.i18n import DEFAULT_LANG, format_number, lang_of, plotly_separators
from geo.scoring.config import PRESETS
from layouts import ids
from layouts.components import dropdown
from layouts.text import catalogue, t

#: Option values in menu order; labels are ``scoring.<kind>.<value>`` catalogue keys.
METHODS = ("saw", "geomean", "topsis")
NORMALISATIONS = ("minmax", "zscore", "percentile")
SMOOTHING = ("global", "kecamatan", "none")
MISSING = ("exclude", "kecamatan_median", "worst")
DIRECTION_COLOURS = {"higher_worse": "danger", "higher_better": "success"}
AHP_SCALE = [(9, "9"), (7, "7"), (5, "5"), (3, "3"), (1, None), (1 / 3, "1/3"),
             (1 / 5, "1/5"), (1 / 7, "1/7"), (1 / 9, "1/9")]
#: Closed vocabularies of the ranking grid (values stay Indonesian data; English shows words).
GRID_TERMS = ("ya", "tidak", "inti", "bimbang", "jarang", "Sangat tinggi", "Tinggi", "Sedang",
              "Rendah", "Tidak ada data")


def _field(label: str, component, width: int = 6) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=component.id, className="small fw-semibold mb-1"),
                    component], md=width)


def _options(kind: str, values: Sequence[str], lang: str) -> list[dict]:
    """Options of a choice (method, normalisation…) labelled from ``scoring.<kind>.<value>``."""
    return [{"label": t(f"scoring.{kind}.{v}", lang), "value": v} for v in values]


def indicator_options(choices: Sequence[tuple[str, str, str, str]],
                      lang: str = DEFAULT_LANG) -> list[dict]:
    """Dropdown options: (id, label, direction, sector) → label with sector and direction."""
    words = catalogue(lang_of(lang))
    out = []
    for ind_id, label, direction, sector in choices:
        arrow = t("scoring.arrow.higher_worse" if direction == "higher_worse"
                  else "scoring.arrow.higher_better", lang)
        out.append({"label": t("scoring.option", lang, label=label,
                               sector=words.get(f"scoring.sector.{sector}", sector), arrow=arrow),
                    "value": ind_id})
    return out


def preset_options(presets: Mapping[str, str], lang: str = DEFAULT_LANG) -> list[dict]:
    """Preset options; in English a preset's ``label_en`` replaces the label given."""
    return [{"label": (PRESETS[k].get("label_en", v) if lang_of(lang) == "en" and k in PRESETS
                       else v), "value": k} for k, v in presets.items()]


def scoring_panel(years: list[int], presets: Mapping[str, str],
                  choices: Sequence[tuple[str, str, str, str]],
                  villages: Sequence[tuple[str, str]], lang: str = DEFAULT_LANG) -> html.Div:
    """All scoring controls and outputs. ``villages`` = (code, "Desa — Kec.") for force in/out."""
    setup = dbc.Card(dbc.CardBody([
        dbc.Row([
            _field(t("scoring.field.preset", lang), dropdown(
                lang, id=ids.SCORE_PRESET, clearable=False, value=next(iter(presets)),
                options=preset_options(presets, lang)), 8),
            _field(t("scoring.field.year", lang), dropdown(
                lang, id=ids.SCORE_YEAR, value=years[-1], clearable=False,
                options=[{"label": str(y), "value": y} for y in years]), 4),
        ], className="g-2"),
        dbc.Label(t("scoring.field.indicators", lang), html_for=ids.SCORE_INDICATORS,
                  className="small fw-semibold mt-2 mb-1"),
        dropdown(lang, id=ids.SCORE_INDICATORS, multi=True, options=indicator_options(choices, lang)),
        html.Div(id=ids.SCORE_WEIGHTS, className="mt-2"),
        html.Div(id=ids.SCORE_WEIGHT_SUM, className="small text-muted"),
        dbc.Button(t("scoring.ahp.open", lang), id=ids.AHP_OPEN,
                   color="link", size="sm", className="px-0"),
        dbc.Collapse(dbc.Card(dbc.CardBody([
            html.Div(id=ids.AHP_BODY),
            html.Div(id=ids.AHP_RESULT, className="small mt-2", **{"aria-live": "polite"}),
            dbc.Checkbox(id=ids.AHP_CONFIRM, value=False, label=t("scoring.ahp.confirm", lang)),
            dbc.Button(t("scoring.ahp.apply", lang), id=ids.AHP_APPLY, size="sm", color="primary",
                       className="mt-1"),
        ])), id=ids.AHP_COLLAPSE, is_open=False),
    ]), className="mb-2")

    method = dbc.Card(dbc.CardBody(dbc.Row([
        _field(t("scoring.field.method", lang), dropdown(
            lang, id=ids.SCORE_METHOD, value="saw", clearable=False,
            options=_options("method", METHODS, lang)), 6),
        _field(t("scoring.field.normalisation", lang), dropdown(
            lang, id=ids.SCORE_NORMALISATION, value="minmax", clearable=False,
            options=_options("norm", NORMALISATIONS, lang)), 6),
        _field(t("scoring.field.smoothing", lang), dropdown(
            lang, id=ids.SCORE_SMOOTHING, value="global", clearable=False,
            options=_options("smoothing", SMOOTHING, lang)), 6),
        _field(t("scoring.field.min_n", lang), dbc.Input(
            id=ids.SCORE_MIN_N, type="number", min=0, step=1, value=20), 6),
        _field(t("scoring.field.missing", lang), dropdown(
            lang, id=ids.SCORE_MISSING, value="exclude", clearable=False,
            options=_options("missing", MISSING, lang)), 6),
        dbc.Col(dbc.Switch(id=ids.SCORE_HOTSPOT, value=False, label=t("scoring.field.hotspot", lang)),
                md=6, className="pt-4"),
    ], className="g-2")), className="mb-2")

    constraints = dbc.Card(dbc.CardBody([
        dbc.Row([
            _field(t("scoring.field.top_n", lang), dbc.Input(id=ids.SCORE_TOP_N, type="number",
                                                             min=1, step=1, value=20), 4),
            _field(t("scoring.field.max_per_kec", lang), dbc.Input(
                id=ids.SCORE_MAX_PER_KEC, type="number", min=1, step=1,
                placeholder=t("scoring.field.no_limit", lang)), 4),
            dbc.Col(dbc.Switch(id=ids.SCORE_MIN_ONE, value=False,
                               label=t("scoring.field.min_one", lang)), md=4, className="pt-4"),
        ], className="g-2"),
        dbc.Row([
            _field(t("scoring.field.force_village", lang), dropdown(
                lang, id=ids.SCORE_FORCE_VILLAGE, placeholder=t("scoring.field.choose_village", lang),
                options=[{"label": label, "value": code} for code, label in villages]), 5),
            _field(t("scoring.field.reason", lang), dbc.Input(
                id=ids.SCORE_FORCE_REASON, type="text", maxLength=200,
                placeholder=t("scoring.field.reason_placeholder", lang)), 4),
            dbc.Col([dbc.Button(t("scoring.field.force_in", lang), id=ids.SCORE_FORCE_IN, size="sm",
                                color="success", className="me-1 mt-4"),
                     dbc.Button(t("scoring.field.force_out", lang), id=ids.SCORE_FORCE_OUT, size="sm",
                                color="secondary", className="mt-4")], md=3),
        ], className="g-2 mt-1"),
        html.Div(id=ids.SCORE_FORCE_MESSAGE, className="small text-danger mt-1", role="alert",
                 **{"aria-live": "assertive"}),
        html.Div(id=ids.SCORE_FORCE_LIST, className="small mt-2"),
    ]), className="mb-2")

    results = html.Div([
        html.Div(id=ids.SCORE_WARNINGS),
        html.Div(id=ids.SCORE_SUMMARY, className="small mb-1"),
        dcc.Loading(ranking_grid(lang), type="default", delay_show=500),
        html.Div(id=ids.SCORE_EXPLAIN, className="mt-2", **{"aria-live": "polite"}),
    ])
    return html.Div([setup, method, constraints, results])


def weight_rows(items: Sequence[tuple[str, str, str]], weights: Mapping[str, float],
                lang: str = DEFAULT_LANG) -> list:
    """One slider per chosen indicator: (id, label, direction); values are relative importance.
    Each slider sits in a group named after its indicator (a screen reader says whose weight).
    Next to it a number box (``ids.weight_input``, ``debounce=True``) applies a typed weight on
    Enter or blur; the slider's own box (applied on blur only) is hidden."""
    rows = []
    for ind_id, label, direction in items:
        text = catalogue(lang_of(lang)).get(f"scoring.direction.{direction}", direction)
        colour = DIRECTION_COLOURS.get(direction, "secondary")
        value = round(100 * weights.get(ind_id, 0.0))
        aria = t("shell.aria.weight", lang, indicator=label)
        rows.append(dbc.Row([
            dbc.Col([html.Span(label, className="small"),
                     dbc.Badge(text, color=colour, className="ms-1 fw-normal")], md=6),
            dbc.Col(html.Div([
                html.Div(dcc.Slider(id=ids.weight_slider(ind_id), min=0, max=100, step=1,
                                    value=value, marks=None, allow_direct_input=False,
                                    tooltip={"placement": "bottom", "always_visible": False}),
                         className="flex-grow-1"),
                dbc.Input(id=ids.weight_input(ind_id), type="number", min=0, max=100, step=1,
                          value=value, debounce=True, size="sm", className="ms-1",
                          style={"width": "4.5rem"}),
            ], role="group", className="d-flex align-items-center", **{"aria-label": aria}),
                    md=6),
        ], className="align-items-center g-1"))
    return rows


def ahp_matrix(items: Sequence[tuple[str, str]], lang: str = DEFAULT_LANG) -> html.Div:
    """Pairwise judgements for the upper triangle: how much more important is A than B."""
    if len(items) < 2:
        return html.Div(t("scoring.ahp.too_few", lang), className="small text-muted")
    rows = []
    for i, (a, la) in enumerate(items):
        for b, lb in items[i + 1:]:
            rows.append(dbc.Row([
                dbc.Col(html.Span(la, className="small"), md=4),
                dbc.Col(html.Div(dropdown(lang, id=ids.ahp_pair(a, b), value=1, clearable=False,
                                          options=[{"label": text or t("scoring.ahp.equal", lang),
                                                    "value": v} for v, text in AHP_SCALE]),
                                 role="group",
                                 **{"aria-label": t("shell.aria.ahp_pair", lang, a=la, b=lb)}),
                        md=4),
                dbc.Col(html.Span(lb, className="small"), md=4),
            ], className="g-1 align-items-center mb-1"))
    return html.Div([html.Div(t("scoring.ahp.help", lang), className="small text-muted mb-1"), *rows])


def ranking_grid(lang: str = DEFAULT_LANG) -> dag.AgGrid:
    """Ranked villages; rows come from the scoring callback."""
    return dag.AgGrid(
        id=ids.SCORE_GRID, rowData=[], columnDefs=ranking_columns(lang),
        getRowId="params.data.kode",
        defaultColDef={"sortable": True, "resizable": True},
        dashGridOptions={"rowSelection": {"mode": "singleRow", "checkboxes": False,
                                          "enableClickSelection": True},
                         "animateRows": False, "tooltipShowDelay": 300,
                         "localeText": {"noRowsToShow": t("scoring.grid.empty", lang)}},
        getRowStyle={"styleConditions": [{"condition": "params.data.rekomendasi === 'ya'",
                                          "style": {"fontWeight": "600"}}]},
        style={"height": "420px"},
    )


def _term_formatter(lang: str) -> dict:
    """Column option showing the grid's Indonesian vocabulary (``ya``, ``inti``, ``Tinggi``…) in
    ``lang``; the row data keep the Indonesian values (other callbacks and tests read them)."""
    if lang_of(lang) == "id":
        return {}
    words = {w: t("scoring.engine.term." + w.lower().replace(" ", "_"), lang) for w in GRID_TERMS}
    return {"valueFormatter": {"function": f"({json.dumps(words, ensure_ascii=False)})[params.value]"
                                           " || params.value"}}


def ranking_columns(lang: str = DEFAULT_LANG) -> list[dict]:
    """Columns of the ranked table (headers in ``lang``, numbers in its style)."""
    comma = ".replace('.', ',')" if lang_of(lang) == "id" else ""
    num2 = {"type": "rightAligned",
            "valueFormatter": {"function": "params.value == null ? '–' : "
                                           f"d3.format('.3f')(params.value){comma}"}}
    pct = {"type": "rightAligned",
           "valueFormatter": {"function": "params.value == null ? '–' : "
                                          "d3.format('.0%')(params.value)"}}
    terms = _term_formatter(lang)

    def col(field: str, width: int, **extra) -> dict:
        return {"field": field, "headerName": t(f"scoring.col.{field}", lang), "width": width, **extra}

    return [
        col("peringkat", 64, sort="asc", type="rightAligned"),
        col("rekomendasi", 76, **terms),
        col("nama", 130),
        col("nama_kec", 120),
        col("skor", 84, **num2),
        col("p_top_n", 96, **pct, headerTooltip=t("scoring.col.p_top_n.tooltip", lang)),
        col("stabilitas", 100, **terms),
        col("kelas", 110, **terms),
        col("peringkat_kec", 76, type="rightAligned"),
        col("alasan", 170, tooltipField="alasan"),
        col("flags", 260, tooltipField="flags"),
        col("kode", 120),
    ]


def forced_list(forced: Mapping[str, Mapping[str, str]], names: Mapping[str, str],
                lang: str = DEFAULT_LANG) -> list:
    """Forced-in/out villages with their reasons and a remove button each."""
    items = []
    for kind in ("in", "out"):
        for code, reason in forced.get(kind, {}).items():
            items.append(html.Li([
                dbc.Badge(t(f"scoring.forced.{kind}", lang),
                          color="success" if kind == "in" else "secondary", className="me-1"),
                f"{names.get(code, code)} ({code}): {reason} ",
                dbc.Button(t("scoring.forced.remove", lang), id=ids.force_remove(code), color="link",
                           size="sm",
                           className="p-0 align-baseline"),
            ]))
    return [html.Ul(items, className="mb-0")] if items else []


def explanation_card(title: str, sentence: str, rows: Sequence[tuple[str, str, float]],
                     lang: str = DEFAULT_LANG) -> dbc.Card:
    """Why this village: indicator, value text, share of the score (0–1)."""
    bars = [html.Tr([html.Td(label, className="small"), html.Td(value, className="small text-end"),
                     html.Td(html.Div(style={"width": f"{max(share, 0) * 100:.0f}%"},
                                      className="contrib-bar"), style={"width": "35%"}),
                     html.Td(f"{format_number(share * 100, 0, lang)}%", className="small text-end")])
            for label, value, share in rows]
    return dbc.Card(dbc.CardBody([
        html.H6(title, className="mb-1"),
        html.P(sentence, className="small mb-2"),
        html.Table([html.Thead(html.Tr([html.Th(t("scoring.explain.col.indicator", lang)),
                                        html.Th(t("scoring.explain.col.value", lang)),
                                        html.Th(t("scoring.explain.col.contribution", lang),
                                                colSpan=2)])),
                    html.Tbody(bars)], className="table table-sm mb-0"),
    ]), className="border-primary")


def quadrant_figure(x: Sequence[float], y: Sequence[float], names: Sequence[str],
                    codes: Sequence[str], chosen: Sequence[bool], x_cut: float, y_cut: float,
                    x_title: str, y_title: str, lang: str = DEFAULT_LANG) -> go.Figure:
    """Outcome (x) against coverage gap (y); the top-right quadrant needs most attention."""
    colours = ["#b2182b" if c else "#7f7f7f" for c in chosen]
    fig = go.Figure(go.Scatter(
        x=list(x), y=list(y), mode="markers", customdata=list(codes), text=list(names),
        marker={"color": colours, "size": 8, "line": {"width": 0.5, "color": "#fff"}},
        hovertemplate="<b>%{text}</b><br>" + x_title + ": %{x:.1f}<br>" + y_title
                      + ": %{y:.1f}<extra></extra>"))
    fig.add_vline(x=x_cut, line={"dash": "dash", "color": "#444"})
    fig.add_hline(y=y_cut, line={"dash": "dash", "color": "#444"})
    fig.add_annotation(text=t("scoring.quadrant.annotation", lang), x=1, y=1, xref="paper",
                       yref="paper", showarrow=False, xanchor="right", font={"size": 11})
    fig.update_layout(margin={"l": 50, "r": 10, "t": 10, "b": 45}, height=420,
                      xaxis_title=x_title, yaxis_title=y_title, separators=plotly_separators(lang),
                      plot_bgcolor="#fafafa", clickmode="event")
    return fig


def quadrant_panel(lang: str = DEFAULT_LANG) -> html.Div:
    """Quadrant chart with adjustable cut lines (default: medians)."""
    median = t("scoring.quadrant.median", lang)
    return html.Div([
        html.P(t("scoring.quadrant.help", lang), className="small text-muted mt-2 mb-1"),
        # why there is no chart (no coverage indicator scored, no indicator, an error); empty
        # while the chart is shown
        html.Div(id=ids.QUADRANT_MESSAGE, **{"aria-live": "polite"}),
        html.Div([
            dbc.Row([
                _field(t("scoring.quadrant.x_cut", lang), dbc.Input(
                    id=ids.QUADRANT_X_CUT, type="number", step="any", placeholder=median), 6),
                _field(t("scoring.quadrant.y_cut", lang), dbc.Input(
                    id=ids.QUADRANT_Y_CUT, type="number", step="any", placeholder=median), 6),
            ], className="g-2"),
            dcc.Graph(id=ids.QUADRANT_GRAPH, config={"displayModeBar": False},
                      figure=go.Figure(layout={"height": 420,
                                               "separators": plotly_separators(lang)})),
        ], id=ids.QUADRANT_BODY),
    ])


def quadrant_message(text: str) -> dbc.Alert:
    """The plain message shown instead of the quadrant chart."""
    return dbc.Alert(text, color="info", className="small mt-2 mb-1")
