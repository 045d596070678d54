"""The village profile: a side panel that leaves the map usable (no backdrop, no focus trap).

:func:`profile_panel` is the empty panel in the page; :func:`profile_body` fills it from a
:class:`geo.view.profile.VillageProfile` in the page's language. Numbers go through
``format_number``; every text comes from the catalogue (``profile.*``).
"""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from geo.core.i18n import format_number, format_percent, plotly_separators
from geo.core.messages import render_all
from geo.view.profile import IndicatorRow, SmaaStanding, Standing, TrendPoint, VillageProfile
from layouts import ids
from layouts.text import t

__all__ = ["glossary_link", "profile_body", "profile_button", "profile_empty", "profile_panel",
           "profile_title", "smaa_block", "smaa_figure", "trend_figure"]

VILLAGE_COLOUR, KABUPATEN_COLOUR = "#b2182b", "#4d4d4d"


def profile_panel(lang: str) -> html.Aside:
    """The (hidden) panel at the right edge: title, close button, body."""
    return html.Aside([
        html.Div([
            html.H2(t("profile.heading", lang), id=ids.PROFILE_TITLE, className="h6 mb-0 me-2"),
            html.Button(id=ids.PROFILE_CLOSE, className="btn-close", type="button",
                        title=t("profile.close", lang), **{"aria-label": t("profile.close", lang)}),
        ], className="profile-head"),
        html.Div(profile_empty(lang), id=ids.PROFILE_BODY, className="profile-body"),
    ], id=ids.PROFILE_PANEL, className="profile-panel", hidden=True,
        **{"aria-labelledby": ids.PROFILE_TITLE})


def profile_button(lang: str) -> dbc.Button:
    """Navbar button re-opening the panel (disabled until a village is selected)."""
    return dbc.Button(t("profile.open", lang), id=ids.PROFILE_OPEN, color="light", outline=True,
                      size="sm", className="me-2 text-nowrap", disabled=True)


def profile_empty(lang: str) -> html.Div:
    """The hint shown before any village is selected."""
    return html.Div(t("profile.empty", lang), className="small text-muted")


def glossary_link(term: str, text: str, lang: str) -> html.Button:
    """A small link-styled button opening the glossary at ``term``."""
    return html.Button(text, id=ids.glossary_link(term), type="button",
                       className="btn btn-link btn-sm p-0 align-baseline glossary-link",
                       title=t("help.glossary.link_title", lang))


def profile_title(profile: VillageProfile, lang: str) -> str:
    """``Cimungkal — Kec. Wado (32.11.01.2001)``."""
    return t("profile.title", lang, kind=t(f"profile.kind.{profile.kind}", lang), name=profile.name,
             kecamatan=profile.kecamatan, code=profile.code)


def trend_figure(points: tuple[TrendPoint, ...], label: str, lang: str) -> go.Figure:
    """The outcome rate per year with its 95 % Wilson interval, and the kabupaten's pooled rate."""
    years = [p.year for p in points]
    ticks = [f"{p.year}<br>n={format_number(p.n, 0, lang)}" for p in points]
    fig = go.Figure([
        go.Scatter(x=years, y=[p.kabupaten for p in points], name=t("profile.trend.kabupaten", lang),
                   mode="lines", line={"color": KABUPATEN_COLOUR, "dash": "dash", "width": 1.5},
                   hovertemplate="%{y:.1f}%<extra>" + t("profile.trend.kabupaten", lang) + "</extra>"),
        go.Scatter(
            x=years, y=[p.rate for p in points], name=t("profile.trend.village", lang),
            mode="lines+markers", line={"color": VILLAGE_COLOUR, "width": 2},
            error_y=go.scatter.ErrorY(type="data", symmetric=False, color=VILLAGE_COLOUR,
                                      thickness=1, array=[p.high - p.rate for p in points],
                                      arrayminus=[p.rate - p.low for p in points]),
            customdata=[[format_number(p.k, 0, lang), format_number(p.n, 0, lang),
                         format_percent(p.low, 1, lang), format_percent(p.high, 1, lang)]
                        for p in points],
            hovertemplate=t("profile.trend.hover", lang) + "<extra></extra>"),
    ])
    fig.update_layout(
        separators=plotly_separators(lang), height=230,
        margin={"l": 40, "r": 10, "t": 30, "b": 40},
        title={"text": label, "font": {"size": 12}, "x": 0.01},
        legend={"orientation": "h", "y": -0.35, "font": {"size": 11}},
        xaxis={"tickmode": "array", "tickvals": years, "ticktext": ticks, "fixedrange": True},
        yaxis={"title": {"text": "%"}, "rangemode": "tozero", "fixedrange": True},
        plot_bgcolor="#ffffff", paper_bgcolor="#ffffff")
    return fig


def _value(row: IndicatorRow, value: float, lang: str, *, own: bool) -> str | list:
    """A cell: rates and shares in percent, counts as whole numbers (group means with one decimal)."""
    if row.indicator.unit == "%" or row.indicator.kind == "rate":
        text = format_percent(value, 1, lang)
        if own and row.indicator.kind == "rate" and not math.isnan(row.denominator):
            counts = f"({format_number(row.numerator, 0, lang)}/{format_number(row.denominator, 0, lang)})"
            return [text, " ", html.Span(counts, className="profile-counts")]
        return text
    return format_number(value, 0 if own else 1, lang)


def indicator_table(rows: tuple[IndicatorRow, ...], lang: str) -> dbc.Table:
    """Every indicator of the year: desa, kecamatan, kabupaten and which way is worse."""
    head = html.Thead(html.Tr([html.Th(t(f"profile.col.{c}", lang), scope="col")
                               for c in ("indicator", "desa", "kecamatan", "kabupaten", "direction")]))
    body = []
    for row in rows:
        label = row.indicator.label(lang)
        name = [label, dbc.Badge(t("profile.synthetic", lang), color="warning", className="ms-1 text-dark")
                ] if row.synthetic else label
        body.append(html.Tr([
            html.Td(name),
            html.Td(_value(row, row.value, lang, own=True), className="text-end profile-num"),
            html.Td(_value(row, row.kecamatan, lang, own=False), className="text-end profile-num"),
            html.Td(_value(row, row.kabupaten, lang, own=False), className="text-end profile-num"),
            html.Td(t(f"profile.direction.{row.indicator.direction}", lang), className="profile-dir"),
        ]))
    return dbc.Table([head, html.Tbody(body)], size="sm", striped=True, className="profile-table mb-1")


def standing_block(standing: Standing | None, has_config: bool, lang: str) -> html.Div:
    """Rank, score, P(top-N), stability and why the village is (not) a lokus."""
    if standing is None:
        return html.Div(t("profile.scoring.none" if not has_config else "profile.scoring.missing",
                          lang), className="small text-muted")
    rank = (t("profile.scoring.rank", lang, rank=standing.rank, total=standing.ranked)
            if standing.rank is not None else t("profile.scoring.unranked", lang))
    stability = (t(f"scoring.engine.term.{standing.stability}", lang) if standing.stability else "–")
    facts = html.Ul([
        html.Li(rank),
        html.Li(t("profile.scoring.score", lang, score=format_number(standing.score, 3, lang))),
        html.Li([glossary_link("p_top_n", t("profile.scoring.p_label", lang, n=standing.top_n), lang),
                 " ", format_percent(100 * standing.p_top_n, 0, lang), " · ",
                 glossary_link("stabil", t("profile.scoring.stability_label", lang), lang),
                 " ", html.Strong(stability)]),
    ], className="small mb-1 ps-3")
    why = html.Div(standing.why.render(lang),
                   className="profile-why " + ("is-lokus" if standing.recommended else "not-lokus"))
    flags = [html.Li(text) for text in render_all(standing.flags, lang)]
    return html.Div([html.Div(t("profile.scoring.year", lang, year=standing.year),
                              className="small fw-semibold"), facts, why,
                     html.Ul(flags, className="small mb-0 ps-3 text-muted") if flags else None])


def smaa_figure(smaa: SmaaStanding, lang: str) -> go.Figure:
    """A mini bar chart of the village's rank acceptability (ranks it reaches; lokus ranks red)."""
    shares = smaa.acceptability
    reached = [r for r, b in enumerate(shares, start=1) if b > 0]
    low, high = (min(reached), max(reached)) if reached else (1, 1)
    low, high = max(1, min(low, smaa.top_n) - 1), max(high, smaa.top_n) + 1
    ranks = list(range(low, min(high, len(shares)) + 1))
    fig = go.Figure(go.Bar(
        x=ranks, y=[shares[r - 1] for r in ranks],
        marker={"color": [VILLAGE_COLOUR if r <= smaa.top_n else "#9e9e9e" for r in ranks]},
        hovertemplate=t("shown.profile.bar_hover", lang) + "<extra></extra>"))
    fig.add_vline(x=smaa.top_n + 0.5, line={"color": KABUPATEN_COLOUR, "dash": "dash", "width": 1})
    fig.update_layout(
        separators=plotly_separators(lang), height=130, bargap=0.1,
        margin={"l": 40, "r": 10, "t": 24, "b": 30},
        title={"text": t("shown.profile.bar_title", lang, n=smaa.top_n), "font": {"size": 11}, "x": 0.01},
        xaxis={"title": {"text": t("shown.profile.bar_x", lang), "standoff": 2}, "fixedrange": True},
        yaxis={"tickformat": ".0%", "rangemode": "tozero", "fixedrange": True},
        plot_bgcolor="#ffffff", paper_bgcolor="#ffffff", showlegend=False)
    return fig


def smaa_block(smaa: SmaaStanding | None, lang: str) -> html.Div:
    """P(lokus), P(rank 1), expected rank and the rank-acceptability bar under the weight ranking."""
    head = html.Div(t("shown.profile.title", lang), className="small fw-semibold")
    if smaa is None:
        return html.Div([head, html.Div(t("shown.profile.not_ranked", lang), className="small text-muted")],
                        className="profile-smaa")
    facts = html.Ul([
        html.Li([html.Strong(t("shown.profile.p_lokus", lang, n=smaa.top_n,
                               p=format_percent(100 * smaa.p_lokus, 0, lang))), " · ",
                 t("shown.profile.p_first", lang, p=format_percent(100 * smaa.p_first, 0, lang))]),
        html.Li(t("shown.profile.expected", lang, rank=format_number(smaa.expected_rank, 1, lang),
                  median=smaa.median_rank)),
    ], className="small mb-1 ps-3")
    return html.Div([
        head, facts,
        dcc.Graph(id=ids.PROFILE_SMAA_BAR, figure=smaa_figure(smaa, lang), config={"displayModeBar": False},
                  style={"height": "130px"}),
        html.Div(t("shown.profile.draws", lang, draws=format_number(smaa.draws, 0, lang)),
                 className="small text-muted"),
    ], className="profile-smaa")


def profile_body(profile: VillageProfile, lang: str, *, has_config: bool = False,
                 note: str | None = None, has_smaa: bool = False) -> list:
    """The panel's content; ``note``: a plain message (e.g. why the scoring could not run);
    ``has_smaa``: SMAA was run (its block shows, also for a village it did not rank)."""
    trend_label = (t("profile.trend.title", lang, indicator=profile.trend_indicator.label(lang))
                   if profile.trend_indicator is not None else "")
    trend = (dcc.Graph(id=ids.PROFILE_TREND, figure=trend_figure(profile.trend, trend_label, lang),
                       config={"displayModeBar": False}, style={"height": "230px"},
                       className="profile-trend")
             if profile.trend else html.Div(t("profile.trend.none", lang), className="small text-muted"))
    flags = render_all(profile.flags, lang)
    return [
        html.Div([t("profile.trend.note", lang), " ",
                  glossary_link("wilson", t("profile.trend.what_wilson", lang), lang)],
                 className="small text-muted"),
        trend,
        html.H3(t("profile.section.scoring", lang), className="profile-section"),
        html.Div(note, className="small text-danger", role="status") if note
        else standing_block(profile.standing, has_config, lang),
        smaa_block(profile.smaa, lang) if has_smaa or profile.smaa is not None else None,
        html.H3(t("profile.section.indicators", lang, year=profile.year), className="profile-section"),
        indicator_table(profile.indicators, lang),
        html.Div(t("profile.pooled_note", lang), className="small text-muted"),
        html.H3([t("profile.section.quality", lang)], className="profile-section"),
        html.Ul([html.Li(f) for f in flags], className="small ps-3 mb-0") if flags
        else html.Div(t("profile.quality.none", lang), className="small text-muted"),
    ]
