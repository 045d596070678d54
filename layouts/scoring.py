"""Scoring panel (Aksi 1): indicators, weights/AHP, method, constraints, ranking, explanation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from geo.i18n import DEFAULT_LANG, format_number, plotly_separators, t
from layouts import ids
from layouts.components import dropdown

METHODS = {"saw": "Jumlah terbobot (SAW)", "geomean": "Rerata geometrik terbobot",
           "topsis": "TOPSIS"}
NORMALISATIONS = {"minmax": "Min–maks", "zscore": "Skor-z", "percentile": "Peringkat persentil"}
SMOOTHING = {"global": "Empirical Bayes ke rerata kabupaten",
             "kecamatan": "Empirical Bayes ke rerata kecamatan", "none": "Tanpa penghalusan"}
MISSING = {"exclude": "Keluarkan dari skor (bobot dibagi ulang)",
           "kecamatan_median": "Isi median kecamatan", "worst": "Isi nilai terburuk"}
DIRECTION_BADGE = {"higher_worse": ("makin tinggi makin buruk", "danger"),
                   "higher_better": ("makin tinggi makin baik", "success")}
AHP_SCALE = [(9, "9"), (7, "7"), (5, "5"), (3, "3"), (1, "1 (sama penting)"), (1 / 3, "1/3"),
             (1 / 5, "1/5"), (1 / 7, "1/7"), (1 / 9, "1/9")]


def _field(label: str, component, width: int = 6) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=component.id, className="small fw-semibold mb-1"),
                    component], md=width)


def indicator_options(choices: Sequence[tuple[str, str, str, str]]) -> list[dict]:
    """Dropdown options: (id, label, direction, sector) → label with sector and direction."""
    out = []
    for ind_id, label, direction, sector in choices:
        arrow = "↑ buruk" if direction == "higher_worse" else "↑ baik"
        out.append({"label": f"{label} · {sector} · {arrow}", "value": ind_id})
    return out


def scoring_panel(years: list[int], presets: Mapping[str, str],
                  choices: Sequence[tuple[str, str, str, str]],
                  villages: Sequence[tuple[str, str]]) -> html.Div:
    """All scoring controls and outputs. ``villages`` = (code, "Desa — Kec.") for force in/out."""
    setup = dbc.Card(dbc.CardBody([
        dbc.Row([
            _field("Preset", dropdown(id=ids.SCORE_PRESET, clearable=False,
                                          value=next(iter(presets)),
                                          options=[{"label": v, "value": k}
                                                   for k, v in presets.items()]), 8),
            _field("Tahun yang diskor", dropdown(
                id=ids.SCORE_YEAR, value=years[-1], clearable=False,
                options=[{"label": str(y), "value": y} for y in years]), 4),
        ], className="g-2"),
        dbc.Label("Indikator (arah dari katalog)", html_for=ids.SCORE_INDICATORS,
                  className="small fw-semibold mt-2 mb-1"),
        dropdown(id=ids.SCORE_INDICATORS, multi=True, options=indicator_options(choices)),
        html.Div(id=ids.SCORE_WEIGHTS, className="mt-2"),
        html.Div(id=ids.SCORE_WEIGHT_SUM, className="small text-muted"),
        dbc.Button("Bobot dengan AHP (perbandingan berpasangan)…", id=ids.AHP_OPEN,
                   color="link", size="sm", className="px-0"),
        dbc.Collapse(dbc.Card(dbc.CardBody([
            html.Div(id=ids.AHP_BODY),
            html.Div(id=ids.AHP_RESULT, className="small mt-2", **{"aria-live": "polite"}),
            dbc.Checkbox(id=ids.AHP_CONFIRM, value=False,
                         label="Terapkan walau CR > 0,1 (tidak konsisten)"),
            dbc.Button("Terapkan bobot AHP", id=ids.AHP_APPLY, size="sm", color="primary",
                       className="mt-1"),
        ])), id=ids.AHP_COLLAPSE, is_open=False),
    ]), className="mb-2")

    method = dbc.Card(dbc.CardBody(dbc.Row([
        _field("Metode", dropdown(id=ids.SCORE_METHOD, value="saw", clearable=False,
                                      options=[{"label": v, "value": k}
                                               for k, v in METHODS.items()]), 6),
        _field("Normalisasi", dropdown(id=ids.SCORE_NORMALISATION, value="minmax",
                                           clearable=False,
                                           options=[{"label": v, "value": k}
                                                    for k, v in NORMALISATIONS.items()]), 6),
        _field("Angka (rate) kecil", dropdown(id=ids.SCORE_SMOOTHING, value="global",
                                                  clearable=False,
                                                  options=[{"label": v, "value": k}
                                                           for k, v in SMOOTHING.items()]), 6),
        _field("Minimal anak diukur (tanda n kecil)", dbc.Input(
            id=ids.SCORE_MIN_N, type="number", min=0, step=1, value=20), 6),
        _field("Data kosong", dropdown(id=ids.SCORE_MISSING, value="exclude",
                                           clearable=False,
                                           options=[{"label": v, "value": k}
                                                    for k, v in MISSING.items()]), 6),
        dbc.Col(dbc.Switch(id=ids.SCORE_HOTSPOT, value=False,
                           label="Hotspot LISA (Tinggi-Tinggi) sebagai kriteria"),
                md=6, className="pt-4"),
    ], className="g-2")), className="mb-2")

    constraints = dbc.Card(dbc.CardBody([
        dbc.Row([
            _field("Jumlah desa lokus (N)", dbc.Input(id=ids.SCORE_TOP_N, type="number", min=1,
                                                      step=1, value=20), 4),
            _field("Maks. per kecamatan", dbc.Input(id=ids.SCORE_MAX_PER_KEC, type="number",
                                                    min=1, step=1, placeholder="tanpa batas"), 4),
            dbc.Col(dbc.Switch(id=ids.SCORE_MIN_ONE, value=False,
                               label="Minimal satu per kecamatan"), md=4, className="pt-4"),
        ], className="g-2"),
        dbc.Row([
            _field("Desa dipaksa masuk/keluar", dropdown(
                id=ids.SCORE_FORCE_VILLAGE, placeholder="Pilih desa…",
                options=[{"label": label, "value": code} for code, label in villages]), 5),
            _field("Alasan (wajib)", dbc.Input(id=ids.SCORE_FORCE_REASON, type="text",
                                               maxLength=200, placeholder="mis. kesepakatan OPD"),
                   4),
            dbc.Col([dbc.Button("Masuk", id=ids.SCORE_FORCE_IN, size="sm", color="success",
                                className="me-1 mt-4"),
                     dbc.Button("Keluar", id=ids.SCORE_FORCE_OUT, size="sm", color="secondary",
                                className="mt-4")], md=3),
        ], className="g-2 mt-1"),
        html.Div(id=ids.SCORE_FORCE_LIST, className="small mt-2"),
    ]), className="mb-2")

    results = html.Div([
        html.Div(id=ids.SCORE_WARNINGS),
        html.Div(id=ids.SCORE_SUMMARY, className="small mb-1"),
        dcc.Loading(ranking_grid(), type="default", delay_show=500),
        html.Div(id=ids.SCORE_EXPLAIN, className="mt-2", **{"aria-live": "polite"}),
    ])
    return html.Div([setup, method, constraints, results])


def weight_rows(items: Sequence[tuple[str, str, str]], weights: Mapping[str, float],
                lang: str = DEFAULT_LANG) -> list:
    """One slider per chosen indicator: (id, label, direction); values are relative importance.
    Each slider sits in a group named after its indicator (a screen reader says whose weight)."""
    rows = []
    for ind_id, label, direction in items:
        text, colour = DIRECTION_BADGE.get(direction, (direction, "secondary"))
        rows.append(dbc.Row([
            dbc.Col([html.Span(label, className="small"),
                     dbc.Badge(text, color=colour, className="ms-1 fw-normal")], md=6),
            dbc.Col(html.Div(dcc.Slider(id=ids.weight_slider(ind_id), min=0, max=100, step=1,
                                        value=round(100 * weights.get(ind_id, 0.0)), marks=None,
                                        tooltip={"placement": "bottom", "always_visible": False}),
                             role="group",
                             **{"aria-label": t("shell.aria.weight", lang, indicator=label)}),
                    md=6),
        ], className="align-items-center g-1"))
    return rows


def ahp_matrix(items: Sequence[tuple[str, str]], lang: str = DEFAULT_LANG) -> html.Div:
    """Pairwise judgements for the upper triangle: how much more important is A than B."""
    if len(items) < 2:
        return html.Div("Pilih minimal dua indikator untuk AHP.", className="small text-muted")
    rows = []
    for i, (a, la) in enumerate(items):
        for b, lb in items[i + 1:]:
            rows.append(dbc.Row([
                dbc.Col(html.Span(la, className="small"), md=4),
                dbc.Col(html.Div(dropdown(id=ids.ahp_pair(a, b), value=1, clearable=False,
                                          options=[{"label": text, "value": v}
                                                   for v, text in AHP_SCALE]),
                                 role="group",
                                 **{"aria-label": t("shell.aria.ahp_pair", lang, a=la, b=lb)}),
                        md=4),
                dbc.Col(html.Span(lb, className="small"), md=4),
            ], className="g-1 align-items-center mb-1"))
    return html.Div([html.Div("Kiri dibanding kanan: 9 = mutlak lebih penting, "
                              "1 = sama penting, 1/9 = kanan mutlak lebih penting.",
                              className="small text-muted mb-1"), *rows])


def ranking_grid() -> dag.AgGrid:
    """Ranked villages; rows come from the scoring callback."""
    return dag.AgGrid(
        id=ids.SCORE_GRID, rowData=[], columnDefs=ranking_columns(),
        getRowId="params.data.kode",
        defaultColDef={"sortable": True, "resizable": True},
        dashGridOptions={"rowSelection": {"mode": "singleRow", "checkboxes": False,
                                          "enableClickSelection": True},
                         "animateRows": False, "tooltipShowDelay": 300},
        getRowStyle={"styleConditions": [{"condition": "params.data.rekomendasi === 'ya'",
                                          "style": {"fontWeight": "600"}}]},
        style={"height": "420px"},
    )


def ranking_columns() -> list[dict]:
    """Columns of the ranked table."""
    num2 = {"type": "rightAligned",
            "valueFormatter": {"function": "params.value == null ? '–' : "
                                           "d3.format('.3f')(params.value).replace('.', ',')"}}
    pct = {"type": "rightAligned",
           "valueFormatter": {"function": "params.value == null ? '–' : "
                                          "d3.format('.0%')(params.value)"}}
    return [
        {"field": "peringkat", "headerName": "#", "sort": "asc", "width": 64, "type": "rightAligned"},
        {"field": "rekomendasi", "headerName": "Lokus", "width": 76},
        {"field": "nama", "headerName": "Desa/Kel.", "width": 130},
        {"field": "nama_kec", "headerName": "Kecamatan", "width": 120},
        {"field": "skor", "headerName": "Skor", "width": 84, **num2},
        {"field": "p_top_n", "headerName": "P(top-N)", "width": 96, **pct,
         "headerTooltip": "Peluang masuk N teratas bila bobot dan data diganggu (1.000 simulasi)"},
        {"field": "stabilitas", "headerName": "Stabilitas", "width": 100},
        {"field": "kelas", "headerName": "Prioritas", "width": 110},
        {"field": "peringkat_kec", "headerName": "# kec.", "width": 76, "type": "rightAligned"},
        {"field": "alasan", "headerName": "Alasan", "width": 170, "tooltipField": "alasan"},
        {"field": "flags", "headerName": "Catatan", "width": 260, "tooltipField": "flags"},
        {"field": "kode", "headerName": "Kode", "width": 120},
    ]


def forced_list(forced: Mapping[str, Mapping[str, str]], names: Mapping[str, str]) -> list:
    """Forced-in/out villages with their reasons and a remove button each."""
    items = []
    for kind, label in (("in", "masuk"), ("out", "keluar")):
        for code, reason in forced.get(kind, {}).items():
            items.append(html.Li([
                dbc.Badge(label, color="success" if kind == "in" else "secondary", className="me-1"),
                f"{names.get(code, code)} ({code}): {reason} ",
                dbc.Button("hapus", id=ids.force_remove(code), color="link", size="sm",
                           className="p-0 align-baseline"),
            ]))
    return [html.Ul(items, className="mb-0")] if items else []


def explanation_card(title: str, sentence: str, rows: Sequence[tuple[str, str, float]]) -> dbc.Card:
    """Why this village: indicator, value text, share of the score (0–1)."""
    bars = [html.Tr([html.Td(label, className="small"), html.Td(value, className="small text-end"),
                     html.Td(html.Div(style={"width": f"{max(share, 0) * 100:.0f}%"},
                                      className="contrib-bar"), style={"width": "35%"}),
                     html.Td(f"{format_number(share * 100, 0)}%", className="small text-end")])
            for label, value, share in rows]
    return dbc.Card(dbc.CardBody([
        html.H6(title, className="mb-1"),
        html.P(sentence, className="small mb-2"),
        html.Table([html.Thead(html.Tr([html.Th("Indikator"), html.Th("Nilai"),
                                        html.Th("Kontribusi", colSpan=2)])),
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
    fig.add_annotation(text="Prioritas: hasil buruk + kesenjangan besar", x=1, y=1, xref="paper",
                       yref="paper", showarrow=False, xanchor="right", font={"size": 11})
    fig.update_layout(margin={"l": 50, "r": 10, "t": 10, "b": 45}, height=420,
                      xaxis_title=x_title, yaxis_title=y_title, separators=plotly_separators(lang),
                      plot_bgcolor="#fafafa", clickmode="event")
    return fig


def quadrant_panel() -> html.Div:
    """Quadrant chart with adjustable cut lines (default: medians)."""
    return html.Div([
        html.P("Hasil (x) terhadap kesenjangan cakupan layanan di bawah target (y). Klik titik "
               "untuk memilih desa.", className="small text-muted mt-2 mb-1"),
        dbc.Row([
            _field("Garis potong x", dbc.Input(id=ids.QUADRANT_X_CUT, type="number", step="any",
                                               placeholder="median"), 6),
            _field("Garis potong y", dbc.Input(id=ids.QUADRANT_Y_CUT, type="number", step="any",
                                               placeholder="median"), 6),
        ], className="g-2"),
        dcc.Graph(id=ids.QUADRANT_GRAPH, config={"displayModeBar": False},
                  figure=go.Figure(layout={"height": 420})),
    ])
