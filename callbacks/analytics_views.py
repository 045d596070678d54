"""What the "Analisis lanjutan" tab shows of each analysis: sentences, tables and plotly figures,
every number through :func:`geo.core.i18n.format_number` in the page's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from geo.core.i18n import format_number
from geo.core.messages import render_all
from geo.data.model import Dataset
from geo.decide.review import ReviewResult
from geo.export.analytics import AnalyticsContent, budget_frame
from geo.scoring.budget_costs import Costs, candidates_of
from geo.scoring.budget_model import BudgetSelection
from geo.scoring.result import ScoringResult
from geo.scoring.smaa import SmaaResult
from geo.scoring.survey import SurveyReconciliation
from layouts.text import t

__all__ = [
    "acceptability_figure",
    "budget_body",
    "review_body",
    "review_figure",
    "smaa_body",
    "survey_body",
    "survey_figure",
]

#: Villages in the acceptability heat map and the SMAA table.
TOP_VILLAGES = 15


def _num(value: Any, decimals: int, lang: str) -> str:
    return format_number(None if value is None else float(value), decimals, lang)


def _rp(value: Any, lang: str) -> str:
    return "Rp " + _num(value, 0, lang)


def _pct(share: Any, lang: str) -> str:
    return _num(None if share is None else 100 * float(share), 0, lang) + "%"


def _names(dataset: Dataset) -> dict[str, str]:
    v = dataset.villages
    return dict(
        zip(
            v["kode"].astype(str), v["nama"].astype(str) + " (" + v["nama_kec"].astype(str) + ")", strict=True
        )
    )


def _listed(codes: Sequence[str], names: dict[str, str], limit: int = 12) -> str:
    shown = [names.get(c, c) for c in codes[:limit]]
    return ", ".join(shown) + (f" … (+{len(codes) - limit})" if len(codes) > limit else "") if shown else "–"


def _table(frame: pd.DataFrame, name: str) -> html.Div:
    """A scrolling table; ``name`` is its CSS class (tests find it by it)."""
    table = dbc.Table.from_dataframe(frame, size="sm", striped=True, className="small mb-0")
    return html.Div(table, className=f"an-scroll {name}")


def _notes(lines: Sequence[str]) -> list:
    return [html.Div(line, className="text-muted") for line in lines]


def _budget_table(
    sel: BudgetSelection, costs: Costs, dataset: Dataset, result: ScoringResult, lang: str
) -> html.Div:
    children = candidates_of(result, dataset).set_index("code")["children"]
    content = AnalyticsContent(budget=sel, costs=costs.values, children=children)
    scores = result.table.set_index(result.table["kode"].astype(str))["skor"]
    frame = budget_frame(content, dataset.villages, scores, lang)
    col = {
        k: t(f"export.analytics.col.{k}", lang)
        for k in ("cost", "score", "children", "budget_list", "top_n", "reason")
    }
    shown = frame.drop(columns=[col["reason"]]).copy()
    shown[col["cost"]] = [_num(v, 0, lang) for v in shown[col["cost"]]]
    shown[col["score"]] = [_num(v, 3, lang) for v in shown[col["score"]]]
    shown[col["children"]] = [_num(v, 0, lang) for v in shown[col["children"]]]
    for key in ("budget_list", "top_n"):
        shown[col[key]] = ["✓" if v else "" for v in shown[col[key]]]
    return _table(shown, "an-budget-table")


def budget_body(
    sel: BudgetSelection, costs: Costs, dataset: Dataset, result: ScoringResult, lang: str
) -> list:
    """The chosen list beside the top-N list, money left, children reached, alternatives."""
    names = _names(dataset)
    out: list = [
        html.Div(
            t(
                "an.budget.summary",
                lang,
                n=_num(len(sel.chosen), 0, lang),
                cost=_rp(sel.cost, lang),
                budget=_rp(sel.budget, lang),
                left=_rp(sel.money_left, lang),
                children=_num(sel.children, 0, lang),
                score=_num(sel.score, 3, lang),
            ),
            className="fw-semibold an-budget-summary",
        )
    ]
    if sel.status != "optimal":
        out.append(html.Div(t("export.analytics.status_solver.time_limit", lang), className="text-warning"))
    cmp = sel.comparison
    if cmp is not None:
        out.append(
            html.Div(
                t(
                    "an.budget.compare",
                    lang,
                    n=_num(len(cmp.top_n), 0, lang),
                    cost="–" if cmp.top_cost is None else _rp(cmp.top_cost, lang),
                    children=_num(cmp.top_children, 0, lang),
                    gained=_num(len(cmp.gained), 0, lang),
                    lost=_num(len(cmp.lost), 0, lang),
                )
            )
        )
        out.append(html.Div(t("an.budget.gained", lang, villages=_listed(cmp.gained, names))))
        out.append(html.Div(t("an.budget.lost", lang, villages=_listed(cmp.lost, names))))
    out.append(_budget_table(sel, costs, dataset, result, lang))
    if sel.alternatives:
        out.append(html.Div(t("an.budget.alternatives", lang), className="fw-semibold mt-2"))
        out.append(
            html.Ul(
                [
                    html.Li(
                        t(
                            "an.budget.alternative",
                            lang,
                            share=_num(100 * a.share, 1, lang),
                            cost=_rp(a.cost, lang),
                            added=_listed(a.added, names),
                            removed=_listed(a.removed, names),
                        )
                    )
                    for a in sel.alternatives
                ],
                className="mb-1",
            )
        )
    else:
        out.append(html.Div(t("an.budget.no_alternatives", lang), className="text-muted"))
    free = [c for c in sel.chosen if float(costs.values.get(c, np.nan)) == 0]
    if free:  # e.g. unit cost × stunted children where the register found none
        out.append(
            html.Div(t("an.budget.zero_cost", lang, n=_num(len(free), 0, lang)), className="text-muted")
        )
    if sel.no_cost:
        out.append(
            html.Div(
                t(
                    "an.budget.no_cost",
                    lang,
                    n=_num(len(sel.no_cost), 0, lang),
                    villages=_listed(sel.no_cost, names),
                ),
                className="text-muted",
            )
        )
    out += _notes(render_all([*costs.notes, *sel.warnings], lang))
    return out


def acceptability_figure(
    res: SmaaResult, codes: Sequence[str], names: dict[str, str], lang: str
) -> go.Figure:
    """Heat map: the top villages × ranks 1..R, colour = share of weight draws with that rank."""
    ranks = min(res.acceptability.shape[1], max(2 * res.top_n, 10), 40)
    z = res.acceptability.loc[list(codes)].iloc[:, :ranks].to_numpy()
    labels = [names.get(c, c) for c in codes]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(1, ranks + 1)),
            y=labels,
            colorscale="Reds",
            zmin=0,
            zmax=1,
            colorbar={"title": {"text": t("an.smaa.chart.colour", lang)}, "tickformat": ".0%"},
            hovertemplate=t("an.smaa.chart.hover", lang) + "<extra></extra>",
        )
    )
    fig.add_vline(x=res.top_n + 0.5, line_dash="dash", line_color="#333")
    fig.update_layout(
        height=120 + 22 * len(codes),
        margin={"l": 10, "r": 10, "t": 30, "b": 40},
        title={"text": t("an.smaa.chart.title", lang, n=res.top_n), "font": {"size": 13}},
        xaxis_title=t("an.smaa.chart.x", lang),
        yaxis={"autorange": "reversed"},
        separators=",." if lang == "id" else ".,",
    )
    return fig


def smaa_body(res: SmaaResult, dataset: Dataset, result: ScoringResult, lang: str) -> list:
    """P(lokus), rank acceptability (heat map) and central weights of the top villages."""
    names = _names(dataset)
    table = res.table.sort_values(["p_lokus", "peringkat_harapan"], ascending=[False, True])
    top = list(table.index[:TOP_VILLAGES])
    chosen = set(result.selection.chosen)
    labels = {
        c.id: (result.indicators[c.id].label(lang) if c.id in result.indicators else c.id)
        for c in result.criteria
    }
    sure = int((res.table["p_lokus"] >= 0.95).sum())
    maybe = int(((res.table["p_lokus"] > 0.05) & (res.table["p_lokus"] < 0.95)).sum())
    mean = "; ".join(f"{labels[c]} {_pct(w, lang)}" for c, w in res.mean_weights.items())
    col = {
        k: t(f"an.smaa.table.{k}", lang)
        for k in ("village", "p_lokus", "p_first", "expected", "median", "current")
    }
    rows = pd.DataFrame(
        {
            col["village"]: [names.get(c, c) for c in top],
            col["p_lokus"]: [_pct(v, lang) for v in table.loc[top, "p_lokus"]],
            col["p_first"]: [_pct(v, lang) for v in table.loc[top, "p_pertama"]],
            col["expected"]: [_num(v, 1, lang) for v in table.loc[top, "peringkat_harapan"]],
            col["median"]: [_num(v, 0, lang) for v in table.loc[top, "peringkat_tengah"]],
            col["current"]: ["✓" if c in chosen else "" for c in top],
            **{
                t("an.smaa.table.central", lang, criterion=labels[c]): [
                    _pct(v, lang) for v in res.central_weights_lokus.loc[top, c]
                ]
                for c in res.central_weights_lokus
            },
        }
    )
    return [
        html.Div(
            t(
                "an.smaa.summary",
                lang,
                draws=_num(res.draws, 0, lang),
                n=res.top_n,
                sure=_num(sure, 0, lang),
                maybe=_num(maybe, 0, lang),
                acceptance=_pct(res.acceptance, lang),
            ),
            className="fw-semibold an-smaa-summary",
        ),
        html.Div(t("an.smaa.mean_weights", lang, weights=mean)),
        dcc.Graph(
            figure=acceptability_figure(res, top, names, lang),
            config={"displaylogo": False},
            className="an-smaa-graph",
        ),
        html.Div(t("an.smaa.table.title", lang, n=len(top)), className="fw-semibold mt-1"),
        _table(rows, "an-smaa-table"),
        html.Div(t("an.smaa.note", lang), className="text-muted"),
    ]


def survey_figure(rec: SurveyReconciliation, lang: str) -> go.Figure:
    """Dot-and-interval chart: the survey prevalence and the register prevalence (Wilson)."""
    k = rec.kabupaten
    labels = [
        t("an.survey.chart.survey", lang, source=k.survey.source, year=k.survey.year),
        t("an.survey.chart.register", lang),
    ]
    values = [k.survey.prevalence, k.register]
    plus = [k.survey.high - k.survey.prevalence, k.register_high - k.register]
    minus = [k.survey.prevalence - k.survey.low, k.register - k.register_low]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker_color=["#b2182b", "#4575b4"],
            error_x=go.bar.ErrorX(type="data", array=plus, arrayminus=minus, color="#222"),
            text=[_num(v, 1, lang) + "%" for v in values],
            textposition="inside",
            hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
        )
    )
    fig.update_layout(
        height=190,
        margin={"l": 10, "r": 10, "t": 30, "b": 35},
        title={"text": t("an.survey.chart.title", lang), "font": {"size": 13}},
        xaxis_title=t("an.survey.chart.x", lang),
        separators=",." if lang == "id" else ".,",
    )
    return fig


def survey_body(rec: SurveyReconciliation, dataset: Dataset, lang: str) -> list:
    """The two numbers, the coverage, and the villages flagged as probably under-measured."""
    k = rec.kabupaten
    names = dataset.villages.set_index(dataset.villages["kode"].astype(str))
    flagged = rec.table[rec.table["belum_terukur"]].sort_values("selisih", ascending=False)
    col = {
        c: t(f"analytics.survey.col.{c}", lang)
        for c in ("anak_stunting", "anak_diukur", "prevalensi_register", "harapan", "selisih")
    }
    rows = pd.DataFrame(
        {
            t("export.analytics.col.village", lang): [
                names.loc[c, "nama"] for c in flagged["kode"].astype(str)
            ],
            t("export.analytics.col.kecamatan", lang): [
                names.loc[c, "nama_kec"] for c in flagged["kode"].astype(str)
            ],
            col["anak_stunting"]: [_num(v, 0, lang) for v in flagged["anak_stunting"]],
            col["anak_diukur"]: [_num(v, 0, lang) for v in flagged["anak_diukur"]],
            col["prevalensi_register"]: [_num(v, 1, lang) for v in flagged["prevalensi_register"]],
            col["harapan"]: [_num(v, 0, lang) for v in flagged["harapan"]],
            col["selisih"]: [_num(v, 0, lang) for v in flagged["selisih"]],
        }
    )
    ratio = "–" if k.ratio is None else _num(k.ratio, 1, lang)
    return [
        html.Div(k.message().render(lang), className="fw-semibold an-survey-summary"),
        html.Div(
            t(
                "an.survey.ratio",
                lang,
                ratio=ratio,
                measured=_num(k.measured, 0, lang),
                stunted=_num(k.stunted, 0, lang),
            )
        ),
        dcc.Graph(
            figure=survey_figure(rec, lang), config={"displaylogo": False}, className="an-survey-graph"
        ),
        html.Div(
            t(
                "an.survey.flagged",
                lang,
                n=_num(len(flagged), 0, lang),
                flag=t("analytics.survey.flag", lang),
            ),
            className="fw-semibold mt-1",
        ),
        _table(rows, "an-survey-table"),
        html.Div(t("an.survey.note", lang), className="text-muted"),
    ]


def _mean_interval(values: np.ndarray) -> tuple[float, float]:
    """Mean and a normal 95 % half-width (0 for fewer than two values)."""
    values = values[~np.isnan(values)]
    if len(values) < 2:
        return (float(values.mean()) if len(values) else float("nan")), 0.0
    return float(values.mean()), float(1.96 * values.std(ddof=1) / np.sqrt(len(values)))


def review_figure(res: ReviewResult, lang: str) -> go.Figure:
    """Mean change in the matched lokus and in their comparison villages (95 % intervals), and
    the difference (bootstrap 95 %)."""
    table = res.table[res.table["lokus"] & (res.table["pembanding"] != "")]
    lokus = _mean_interval(table["perubahan"].to_numpy(dtype=float))
    control = _mean_interval(table["perubahan_pembanding"].to_numpy(dtype=float))
    labels = [
        t("an.review.chart.lokus", lang, n=res.n_matched),
        t("an.review.chart.control", lang),
        t("an.review.chart.effect", lang),
    ]
    values = [lokus[0], control[0], res.effect]
    plus = [lokus[1], control[1], res.ci_high - res.effect]
    minus = [lokus[1], control[1], res.effect - res.ci_low]
    fig = go.Figure(
        go.Scatter(
            x=labels,
            y=values,
            mode="markers",
            marker={"size": 12, "color": ["#b2182b", "#4575b4", "#222"]},
            error_y=go.scatter.ErrorY(type="data", array=plus, arrayminus=minus, thickness=2),
            hovertemplate="%{x}: %{y:.2f}<extra></extra>",
        )
    )
    fig.add_hline(y=0, line_color="#888")
    fig.update_layout(
        height=260,
        margin={"l": 10, "r": 10, "t": 30, "b": 30},
        title={"text": t("an.review.chart.title", lang), "font": {"size": 13}},
        yaxis_title=t("an.review.chart.y", lang),
        separators=",." if lang == "id" else ".,",
    )
    return fig


def review_body(res: ReviewResult, dataset: Dataset, lang: str) -> list:
    """The verdict, the estimate with its interval, the group sizes and the chart."""
    colour = {"better": "success", "worse": "danger"}.get(res.verdict.key.rsplit(".", 1)[-1], "secondary")
    meta = res.meta
    label = dataset.indicator(str(meta["indicator"])).label(lang)
    return [
        html.Div(
            t("an.review.head", lang, indicator=label, before=meta["year_before"], after=meta["year_after"]),
            className="fw-semibold",
        ),
        dbc.Alert(res.verdict.render(lang), color=colour, className="py-1 small mb-1 an-review-verdict"),
        html.Div(
            t(
                "an.review.effect",
                lang,
                effect=_num(res.effect, 2, lang),
                low=_num(res.ci_low, 2, lang),
                high=_num(res.ci_high, 2, lang),
                naive=_num(res.naive, 2, lang),
            )
        ),
        html.Div(
            t(
                "an.review.groups",
                lang,
                lokus=_num(res.n_lokus, 0, lang),
                matched=_num(res.n_matched, 0, lang),
                control=_num(res.n_control, 0, lang),
                missing=_num(res.n_missing, 0, lang),
                draws=_num(res.draws, 0, lang),
            )
        ),
        *_notes(render_all(res.notes, lang)),
        dcc.Graph(
            figure=review_figure(res, lang), config={"displaylogo": False}, className="an-review-graph"
        ),
        html.Div(t("an.review.note", lang), className="text-muted"),
    ]
