"""Presenter mode for the rembuk stunting: a full-screen, high-contrast story in five steps.

The overlay is static (one map, one edit panel, one Berita Acara form), so typed values
survive step changes and the map geometry is sent once; only :data:`ids.PRESENT_BODY`
is rebuilt per step. Which parts show is pure CSS on the overlay's ``step-<n>`` class
(``assets/present.css``). Colours: viridis (colour-blind safe, readable in greyscale).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dash_bootstrap_components as dbc
import numpy as np
import plotly.colors
import plotly.graph_objects as go
from dash import dcc, html

from geo.core.i18n import plotly_separators
from layouts import ids
from layouts.area_empty import account_name
from layouts.components import dropdown
from layouts.mapfig import NO_DATA_COLOUR
from layouts.text import t

STEPS = ("situation", "distribution", "candidates", "proposed", "agreed")
LOKUS_LINE = "#ff7f00"  # orange: a hue viridis never uses, clear on dark and light classes
FONT = {"family": "system-ui, sans-serif", "size": 20, "color": "#111111"}


def viridis(k: int, direction: str = "higher_worse") -> list[str]:
    """k viridis colours; the worse end is the darkest (yellow = best), never grey."""
    colours = plotly.colors.sample_colorscale("Viridis", [i / max(k - 1, 1) for i in range(k)])
    return colours if direction == "higher_better" else colours[::-1]


def step_title(step: int, lang: str = "id") -> str:
    """"3. Desa kandidat"."""
    return f"{step}. {t(f'present.step.{STEPS[step - 1]}', lang)}"


def present_mode(lang: str = "id", step: int = 0) -> html.Div:
    """The "Mode presentasi" button, the presenter's stores and the overlay (hidden at step
    0; a shared link may open it at a step)."""
    return html.Div([
        html.Div(dbc.Button(t("present.open", lang), id=ids.PRESENT_OPEN, color="dark", size="sm"),
                 className="d-flex justify-content-end mb-1"),
        dcc.Store(id=ids.PRESENT_STEP, data=step),
        dcc.Store(id=ids.PRESENT_KEY, data=None),
        dcc.Store(id=ids.PRESENT_MAP_DATASET, data=None),
        dcc.Store(id=ids.PRESENT_MEETING, data=None),
        dcc.Download(id=ids.PRESENT_BA_FILE),
        overlay(lang),
    ])


def overlay(lang: str = "id") -> html.Div:
    """Header (title, step counter, buttons), map column, body, side panel."""
    head = html.Div([
        html.H1(id=ids.PRESENT_TITLE, className="present-title"),
        html.Div(t("present.keys_hint", lang), className="present-hint"),
        html.Div(id=ids.PRESENT_COUNTER, className="present-counter", **{"aria-live": "polite"}),
        dbc.Button(t("present.prev", lang), id=ids.PRESENT_PREV, color="light", className="present-btn"),
        dbc.Button(t("present.next", lang), id=ids.PRESENT_NEXT, color="dark", className="present-btn"),
        dbc.Button(t("present.exit", lang), id=ids.PRESENT_EXIT, color="light", outline=False,
                   className="present-btn"),
    ], className="present-head")
    map_col = html.Div([
        dcc.Graph(id=ids.PRESENT_MAP, className="present-map",
                  figure=go.Figure(layout={"margin": {"l": 0, "r": 0, "t": 0, "b": 0}}),
                  config={"displayModeBar": False, "scrollZoom": True}),
        html.Div(id=ids.PRESENT_LEGEND, className="present-legend"),
    ], className="present-map-col")
    return html.Div([
        head,
        html.Div([map_col, html.Div(id=ids.PRESENT_BODY, className="present-body"),
                  html.Div([edit_panel(lang), berita_acara_form(lang)], className="present-side")],
                 className="present-main"),
    ], id=ids.PRESENT_OVERLAY, className="present-overlay", role="dialog",
        **{"aria-modal": "true", "aria-labelledby": ids.PRESENT_TITLE})


def _labelled(label: str, component) -> html.Div:
    return html.Div([dbc.Label(label, html_for=component.id, className="present-label"), component],
                    className="mb-2")


def edit_panel(lang: str = "id") -> html.Div:
    """Add or remove a village with a required reason (steps 4 and 5)."""
    return html.Div([
        html.H2(t("present.edit.title", lang), className="present-h2"),
        _labelled(t("present.edit.village", lang), dropdown(
            id=ids.PRESENT_VILLAGE, options=[], placeholder=t("present.edit.village_placeholder", lang))),
        _labelled(t("present.edit.reason", lang), dbc.Input(id=ids.PRESENT_REASON, type="text",
                                                            maxLength=300)),
        html.Div([
            dbc.Button(t("present.edit.add", lang), id=ids.PRESENT_ADD, color="dark", className="me-2"),
            dbc.Button(t("present.edit.remove", lang), id=ids.PRESENT_REMOVE, color="dark", outline=True),
        ], className="mb-2"),
        # recorded under the signed-in account (issue 12); who chaired goes into the Berita Acara form
        html.Div(t("area.author.as", lang, name=account_name()), id=ids.PRESENT_AUTHOR,
                 className="present-author small"),
        _labelled(t("present.edit.scenario_name", lang), dbc.Input(id=ids.PRESENT_SCN_NAME, type="text",
                                                                   maxLength=120)),
        html.Div(id=ids.PRESENT_STATUS, role="status", className="present-status"),
    ], className="present-edit")


def berita_acara_form(lang: str = "id") -> html.Div:
    """Meeting details and the Berita Acara download (step 5)."""
    return html.Div([
        html.H2(t("present.ba.form_title", lang), className="present-h2"),
        _labelled(t("present.ba.date", lang), dbc.Input(id=ids.PRESENT_BA_DATE, type="date")),
        html.Div([
            dbc.Label(t("present.ba.planning_year", lang), html_for=ids.PRESENT_BA_YEAR,
                      className="present-label"),
            # empty = the default, shown as the placeholder (the meeting date's year + 1)
            dbc.Input(id=ids.PRESENT_BA_YEAR, type="number", min=2000, max=2100, step=1),
            dbc.FormText(t("present.ba.planning_year_help", lang), className="d-block"),
        ], className="mb-2"),
        _labelled(t("present.ba.place", lang), dbc.Input(id=ids.PRESENT_BA_PLACE, type="text",
                                                         maxLength=200)),
        _labelled(t("present.ba.chair", lang), dbc.Input(id=ids.PRESENT_BA_CHAIR, type="text",
                                                         maxLength=200)),
        _labelled(t("present.ba.participants_field", lang),
                  dbc.Textarea(id=ids.PRESENT_BA_PARTICIPANTS, rows=4, maxLength=8000)),
        dbc.Button(t("present.ba.download", lang), id=ids.PRESENT_BA_DOWNLOAD, color="dark"),
        html.Div(id=ids.PRESENT_BA_STATUS, role="status", className="present-status"),
    ], className="present-ba")


# --------------------------------------------------------------------------- step bodies
def legend(title: str, entries: Sequence[tuple[str | Sequence[str], str, int]], missing: int,
           lang: str = "id", note: str = "") -> html.Div:
    """Large legend: (colour or colours, label, villages) per row, then grey 'no data'."""
    rows = [*entries, *([(NO_DATA_COLOUR, t("present.legend.no_data", lang), missing)] if missing else [])]

    def swatches(colours: str | Sequence[str]) -> list:
        return [html.Span(className="present-swatch", style={"background": c})
                for c in ([colours] if isinstance(colours, str) else colours)]

    return html.Div([
        html.Div(title, className="present-legend-title"),
        html.Ul([html.Li([html.Span(swatches(colours), className="present-swatches"),
                          html.Span(label, className="present-legend-label"),
                          html.Span(t("present.legend.villages", lang, count=count),
                                    className="present-legend-count")]) for colours, label, count in rows]),
        *([html.Div(note, className="present-legend-note")] if note else []),
    ])


#: The three words a Bupati reads instead of k numbered classes (low / middle / high thirds).
LEVELS = ("low", "mid", "high")


def level_of_class(i: int, k: int) -> int:
    """Which third (0 low, 1 middle, 2 high) class ``i`` of ``k`` falls in, by its centre:
    k = 5 → low low mid high high; k = 2 → low high; k = 1 → mid."""
    return min(int((i + 0.5) * 3 / k), 2)


def level_entries(values: Sequence[float], index: Sequence[int], colours: Sequence[str],
                  fmt: Callable[[float], str], lang: str = "id") -> list[tuple[list[str], str, int]]:
    """Legend rows in words: "rendah (≤ 9,8 %)", "sedang (10,1–15,0 %)", "tinggi (≥ 24,5 %)" —
    the classes of each third merged (their colours side by side), the numbers being the
    lowest and highest value of the villages in it; ``fmt`` formats a value with its unit."""
    vals, idx, k = np.asarray(values, dtype=float), np.asarray(index), len(colours)
    rows = []
    for level in range(3):
        classes = [i for i in range(k) if level_of_class(i, k) == level]
        inside = vals[np.isin(idx, classes) & np.isfinite(vals)]
        if not classes or not len(inside):
            continue
        word = t(f"present.level.{LEVELS[level]}", lang)
        lo, hi = fmt(float(inside.min())), fmt(float(inside.max()))
        shape = "one" if lo == hi else ("low", "mid", "high")[level] if k > 1 else "mid"
        label = t(f"present.level.range_{shape}", lang, word=word, lo=lo, hi=hi)
        rows.append(([colours[i] for i in classes], label, len(inside)))
    return rows


def cards(items: Sequence[tuple[str, str]]) -> html.Div:
    """Big headline numbers: (label, value)."""
    return html.Div([html.Div([html.Div(value, className="present-card-value"),
                               html.Div(label, className="present-card-label")], className="present-card")
                     for label, value in items], className="present-cards")


def situation_body(subtitle: str, items: Sequence[tuple[str, str]], note: str = "") -> list:
    """Step 1: indicator and year, headline numbers, data caveat."""
    return [html.P(subtitle, className="present-lead"), cards(items),
            *([html.P(note, className="present-note")] if note else [])]


def distribution_figure(names: Sequence[str], rates: Sequence[float], hover: Sequence[str],
                        texts: Sequence[str], axis_title: str, lang: str = "id") -> go.Figure:
    """Horizontal bars per kecamatan, highest on top, viridis by value."""
    values = [r if r == r else 0.0 for r in rates]  # NaN (no data) as an empty bar
    top = max(values, default=0) or 1.0
    colours = plotly.colors.sample_colorscale("Viridis", [1 - v / top for v in values])
    fig = go.Figure(go.Bar(
        x=list(values)[::-1], y=list(names)[::-1], orientation="h", marker={"color": colours[::-1]},
        text=list(texts)[::-1], textposition="outside", customdata=list(hover)[::-1],
        hovertemplate="<b>%{y}</b>: %{x:.1f}%<br>%{customdata}<extra></extra>", cliponaxis=False))
    fig.update_layout(font=FONT, margin={"l": 10, "r": 60, "t": 10, "b": 60}, xaxis_title=axis_title,
                      separators=plotly_separators(lang), plot_bgcolor="#ffffff", paper_bgcolor="#ffffff",
                      xaxis={"gridcolor": "#bbbbbb"}, yaxis={"automargin": True, "tickfont": {"size": 16}},
                      bargap=0.25, height=120 + 34 * len(values))
    return fig


def body_graph(figure: go.Figure, class_name: str = "") -> dcc.Graph:
    """A chart in the step body that follows the window's width (the presenter may move from a
    laptop to a projector) at the figure's own height."""
    height = figure.layout.height
    figure.update_layout(autosize=True, width=None, height=None)
    return dcc.Graph(figure=figure, className=class_name, responsive=True,
                     style={"height": f"{height}px"} if height else {}, config={"displayModeBar": False})


def distribution_body(figure: go.Figure, subtitle: str) -> list:
    """Step 2: the sorted kecamatan bar chart."""
    return [html.P(subtitle, className="present-lead"),
            body_graph(figure, "present-bars")]


def quadrant_figure(x: Sequence[float], y: Sequence[float], names: Sequence[str], chosen: Sequence[bool],
                    x_cut: float, y_cut: float, x_title: str, y_title: str, lang: str = "id") -> go.Figure:
    """Outcome against coverage gap: proposed lokus as large dark dots, others small and light."""
    fig = go.Figure()
    for flag, label, style in ((False, t("present.quadrant.other", lang), {"color": "#9fd8b5", "size": 10}),
                               (True, t("present.quadrant.lokus", lang), {"color": "#000000", "size": 16})):
        pts = [i for i, c in enumerate(chosen) if bool(c) == flag]
        fig.add_trace(go.Scatter(x=[x[i] for i in pts], y=[y[i] for i in pts], text=[names[i] for i in pts],
                                 mode="markers", name=label, marker=style,
                                 hovertemplate="<b>%{text}</b><br>%{x:.1f} · %{y:.1f}<extra></extra>"))
    fig.add_vline(x=x_cut, line={"dash": "dash", "color": "#333", "width": 2})
    fig.add_hline(y=y_cut, line={"dash": "dash", "color": "#333", "width": 2})
    fig.add_annotation(text=t("present.quadrant.priority", lang), x=1, y=1, xref="paper", yref="paper",
                       showarrow=False, xanchor="right", font={"size": 18})
    fig.update_layout(font=FONT, margin={"l": 70, "r": 10, "t": 10, "b": 60}, xaxis_title=x_title,
                      yaxis_title=y_title, separators=plotly_separators(lang), plot_bgcolor="#ffffff",
                      legend={"orientation": "h", "y": -0.25}, height=430)
    return fig


def candidates_body(summary: str, stability: Sequence[tuple[str, int]], quadrant: go.Figure | None,
                    lang: str = "id") -> list:
    """Step 3: summary, stability of the proposal, quadrant."""
    body: list = [html.P(summary, className="present-lead"),
                  html.H2(t("present.stability.title", lang), className="present-h2"),
                  cards([(label, str(count)) for label, count in stability])]
    if quadrant is not None:
        body += [html.H2(t("present.quadrant.title", lang), className="present-h2"),
                 body_graph(quadrant)]
    return body


def _cell(key: str, row: dict) -> html.Td:
    """One cell; on a narrow screen (CSS) the kecamatan moves under the village name and the
    explanation sentence gives way to its short form (the whole sentence on hover)."""
    value = row.get(key, "")
    if key == "nama" and row.get("kecamatan"):
        value = [value, html.Span(row["kecamatan"], className="present-kec")]
    if key == "nama" and row.get("camat"):  # the camat's answer (issue 12): "✓ camat setuju" / "⚠ …"
        value = [*(value if isinstance(value, list) else [value]),
                 html.Span(row["camat"], className="present-camat")]
    elif key == "why" and value:
        value = [html.Div(value, className="present-why-full", title=str(value)),
                 html.Div(row.get("why_short") or value, className="present-why-short", title=str(value))]
    return html.Td(value, className=f"present-col-{key}")


def village_table(rows: Sequence[dict], columns: Sequence[tuple[str, str]], table_id: str | None = None
                  ) -> dbc.Table:
    """A large striped table of ``rows`` (dicts) with (key, header) columns."""
    return dbc.Table([
        html.Thead(html.Tr([html.Th(head, className=f"present-col-{k}") for k, head in columns])),
        html.Tbody([html.Tr([_cell(k, row) for k, _h in columns], **{"data-kode": row.get("kode")})
                    for row in rows]),
    ], striped=True, bordered=True, className="present-table", **({"id": table_id} if table_id else {}))


def list_columns(lang: str = "id", *, why: bool) -> list[tuple[str, str]]:
    """Columns of the village lists (step 4 adds the explanation)."""
    cols = [("no", t("present.col.no", lang)), ("nama", t("present.col.village", lang)),
            ("kecamatan", t("present.col.kecamatan", lang)), ("alasan", t("present.col.reason", lang))]
    return [*cols, ("why", t("present.col.why", lang))] if why else cols


def changes_table(changes: Sequence[dict], lang: str = "id") -> html.Div:
    """Changes made in this meeting (newest last)."""
    if not changes:
        return html.Div([html.H2(t("present.changes.title", lang), className="present-h2"),
                         html.P(t("present.changes.none", lang))], id=ids.PRESENT_CHANGES)
    cols = [("waktu", t("present.col.time", lang)), ("aksi", t("present.col.action", lang)),
            ("desa", t("present.col.village", lang)), ("alasan", t("present.col.reason", lang)),
            ("oleh", t("present.col.who", lang))]
    return html.Div([html.H2(t("present.changes.title", lang), className="present-h2"),
                     village_table(changes, cols)], id=ids.PRESENT_CHANGES)


def list_body(source: str, count_text: str, rows: Sequence[dict], lang: str = "id", *, why: bool,
              changes: Sequence[dict] | None = None) -> list:
    """Steps 4 and 5: where the list comes from, (step 5) the meeting's changes, the list."""
    # step 5 shows the meeting's changes first: that is what the room has just agreed
    return [html.P([html.Strong(count_text), " · ", source], className="present-lead"),
            *([changes_table(changes, lang)] if changes is not None else []),
            village_table(rows, list_columns(lang, why=why), ids.PRESENT_LIST)]


def message(text: str) -> list:
    """A single large message (e.g. no scoring result yet)."""
    return [html.P(text, className="present-lead")]
