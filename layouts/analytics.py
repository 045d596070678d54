"""Further analysis (issue 15): lokus under a budget, weights as a ranking (SMAA), the two
stunting numbers, and the annual review of last year's lokus (Aksi 8). Four sections of one
accordion; the results are drawn by callbacks/analytics.py. Page texts: ``an.*``
(layouts/i18n/<lang>/analytics_ui.json); domain texts: ``analytics.*``."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from geo.data.model import Dataset
from layouts import ids
from layouts.components import dropdown
from layouts.text import t

__all__ = ["SURVEY_SOURCES", "analytics_panel", "review_indicators", "smaa_rows"]

#: Survey names offered for the kabupaten estimate.
SURVEY_SOURCES = ("SSGI", "SKI", "Riskesdas")


def _field(label: str, component, width: int = 6, help_key: str | None = None, lang: str = "id") -> dbc.Col:
    parts = [dbc.Label(label, html_for=component.id, className="small fw-semibold mb-1"), component]
    if help_key:
        parts.append(dbc.FormText(t(help_key, lang)))
    return dbc.Col(parts, md=width)


def _upload(component_id: str, key: str, lang: str) -> dcc.Upload:
    return dcc.Upload(
        id=component_id,
        max_size=5_000_000,
        accept=".csv,.xlsx",
        children=html.Div([t(key, lang), " ", html.A(t("an.choose_file", lang), href="#")]),
        className="upload-box small mt-1",
    )


def _run(component_id: str, key: str, lang: str) -> dbc.Button:
    return dbc.Button(t(key, lang), id=component_id, color="primary", size="sm", className="mt-2")


def _output(component_id: str) -> dcc.Loading:
    return dcc.Loading(html.Div(id=component_id, className="an-output small mt-2", role="status"), type="dot")


def _budget(lang: str) -> list:
    number = dict(type="number", min=0, step=1, size="sm")  # noqa: C408 (keyword names)
    return [
        html.P(t("an.budget.intro", lang), className="small text-muted"),
        dbc.Row(
            [
                _field(
                    t("an.budget.amount", lang),
                    dbc.Input(
                        id=ids.AN_BUDGET,
                        type="text",
                        inputMode="numeric",
                        size="sm",
                        debounce=True,
                        placeholder=t("an.budget.amount.placeholder", lang),
                    ),
                    6,
                ),
                dbc.Col(html.Div(id=ids.AN_BUDGET_ECHO, className="small text-muted mt-4"), md=6),
                _field(
                    t("an.budget.source", lang),
                    dbc.RadioItems(
                        id=ids.AN_COST_SOURCE,
                        value="unit",
                        inline=True,
                        className="small",
                        options=[
                            {"label": t(f"an.budget.source.{k}", lang), "value": k}
                            for k in ("unit", "file", "plan")
                        ],
                    ),
                    12,
                ),
                _field(
                    t("an.budget.unit_cost", lang),
                    dbc.Input(
                        id=ids.AN_UNIT_COST,
                        type="text",
                        inputMode="numeric",
                        size="sm",
                        debounce=True,
                        placeholder=t("an.budget.unit_cost.placeholder", lang),
                    ),
                    6,
                ),
                _field(
                    t("an.budget.target", lang),
                    dropdown(
                        lang,
                        id=ids.AN_TARGET,
                        value="diukur",
                        clearable=False,
                        options=[
                            {"label": t(f"an.budget.target.{k}", lang), "value": k}
                            for k in ("diukur", "stunting")
                        ],
                    ),
                    6,
                ),
                dbc.Col(
                    [
                        _upload(ids.AN_COST_UPLOAD, "an.budget.upload", lang),
                        html.Div(id=ids.AN_COST_FILE, className="small text-muted"),
                    ],
                    md=12,
                ),
                _field(
                    t("an.budget.objective", lang),
                    dbc.RadioItems(
                        id=ids.AN_OBJECTIVE,
                        value="score",
                        className="small",
                        options=[
                            {"label": t(f"analytics.budget.objective.{k}", lang), "value": k}
                            for k in ("score", "children")
                        ],
                    ),
                    12,
                ),
                _field(t("an.budget.min_kec", lang), dbc.Input(id=ids.AN_MIN_KEC, value=0, **number), 6),
                _field(
                    t("an.budget.max_kec", lang),
                    dbc.Input(
                        id=ids.AN_MAX_KEC, placeholder=t("an.budget.max_kec.placeholder", lang), **number
                    ),
                    6,
                    "an.budget.rules.help",
                    lang,
                ),
            ],
            className="g-2",
        ),
        _run(ids.AN_BUDGET_RUN, "an.budget.run", lang),
        _output(ids.AN_BUDGET_OUT),
        html.Div(
            [
                dbc.Button(
                    t("an.download.csv", lang),
                    id=ids.AN_BUDGET_CSV,
                    size="sm",
                    color="secondary",
                    outline=True,
                    className="me-1",
                ),
                dbc.Button(
                    t("an.download.xlsx", lang),
                    id=ids.AN_BUDGET_XLSX,
                    size="sm",
                    color="secondary",
                    outline=True,
                ),
                dcc.Download(id=ids.AN_BUDGET_DOWNLOAD),
            ],
            className="mt-2",
        ),
    ]


def smaa_rows(criteria: list[tuple[str, str]], ranks: dict[str, int], lang: str = "id") -> list:
    """One row per scored criterion: its label, its rank (ties allowed) and optional bounds (%)."""
    if not criteria:
        return [html.Div(t("an.need_scoring", lang), className="text-muted")]
    choices = [{"label": str(r), "value": r} for r in range(1, len(criteria) + 1)]
    head = dbc.Row(
        [
            dbc.Col(t("an.smaa.col.criterion", lang), width=6),
            dbc.Col(t("an.smaa.col.rank", lang), width=2),
            dbc.Col(t("an.smaa.col.low", lang), width=2),
            dbc.Col(t("an.smaa.col.high", lang), width=2),
        ],
        className="small fw-semibold g-1",
    )
    rows = [
        dbc.Row(
            [
                dbc.Col(label, width=6, className="small"),
                dbc.Col(
                    dropdown(
                        lang,
                        id=ids.smaa_input(ids.AN_SMAA_RANK, cid),
                        options=choices,
                        value=ranks.get(cid, 1),
                        clearable=False,
                    ),
                    width=2,
                ),
                dbc.Col(
                    dbc.Input(
                        id=ids.smaa_input(ids.AN_SMAA_LOW, cid),
                        type="number",
                        min=0,
                        max=100,
                        size="sm",
                        placeholder="0",
                    ),
                    width=2,
                ),
                dbc.Col(
                    dbc.Input(
                        id=ids.smaa_input(ids.AN_SMAA_HIGH, cid),
                        type="number",
                        min=0,
                        max=100,
                        size="sm",
                        placeholder="100",
                    ),
                    width=2,
                ),
            ],
            className="g-1 mb-1 align-items-center",
        )
        for cid, label in criteria
    ]
    return [head, *rows]


def _smaa(lang: str) -> list:
    return [
        html.P(t("an.smaa.intro", lang), className="small text-muted"),
        _field(
            t("an.smaa.mode", lang),
            dbc.RadioItems(
                id=ids.AN_SMAA_MODE,
                value="ranking",
                inline=True,
                className="small",
                options=[
                    {"label": t(f"an.smaa.mode.{k}", lang), "value": k} for k in ("ranking", "intervals")
                ],
            ),
            12,
        ),
        html.Div(id=ids.AN_SMAA_ROWS, className="mt-2"),
        dbc.Row(
            [
                _field(
                    t("an.smaa.draws", lang),
                    dbc.Input(
                        id=ids.AN_SMAA_DRAWS,
                        type="number",
                        min=100,
                        max=20_000,
                        step=100,
                        value=5_000,
                        size="sm",
                    ),
                    6,
                    "an.smaa.draws.help",
                    lang,
                )
            ],
            className="g-2 mt-1",
        ),
        _run(ids.AN_SMAA_RUN, "an.smaa.run", lang),
        _output(ids.AN_SMAA_OUT),
    ]


def _survey(dataset: Dataset, lang: str) -> list:
    number = dict(type="number", min=0, max=100, step=0.1, size="sm")  # noqa: C408 (keyword names)
    years = list(dataset.years)
    return [
        html.P(t("an.survey.intro", lang), className="small text-muted"),
        dbc.Row(
            [
                _field(
                    t("an.survey.source", lang),
                    dropdown(
                        lang,
                        id=ids.AN_SURVEY_SOURCE,
                        value=SURVEY_SOURCES[0],
                        clearable=False,
                        options=[{"label": s, "value": s} for s in SURVEY_SOURCES],
                    ),
                    6,
                ),
                _field(
                    t("an.survey.year", lang),
                    dbc.Input(
                        id=ids.AN_SURVEY_YEAR,
                        type="number",
                        min=1990,
                        max=2100,
                        step=1,
                        size="sm",
                        value=max(years) if years else None,
                    ),
                    6,
                ),
                _field(t("an.survey.prevalence", lang), dbc.Input(id=ids.AN_SURVEY_PREV, **number), 4),
                _field(t("an.survey.low", lang), dbc.Input(id=ids.AN_SURVEY_LOW, **number), 4),
                _field(t("an.survey.high", lang), dbc.Input(id=ids.AN_SURVEY_HIGH, **number), 4),
                dbc.Col(
                    dbc.Checklist(
                        id=ids.AN_SURVEY_ADJUST,
                        value=[],
                        switch=True,
                        className="small",
                        options=[{"label": t("an.survey.adjust", lang), "value": "eb"}],
                    ),
                    md=12,
                ),
            ],
            className="g-2",
        ),
        _run(ids.AN_SURVEY_RUN, "an.survey.run", lang),
        _output(ids.AN_SURVEY_OUT),
    ]


def review_indicators(dataset: Dataset, lang: str = "id") -> list[dict]:
    """Outcome indicators a review can follow: rates with a direction and at least two years."""
    return [
        {"label": i.label(lang), "value": i.id}
        for i in dataset.indicators
        if i.kind == "rate"
        and i.direction in ("higher_worse", "higher_better")
        and len(dataset.indicator_years(i.id)) >= 2
    ]


def _review(dataset: Dataset, lang: str) -> list:
    years = [{"label": str(y), "value": y} for y in dataset.years]
    indicators = review_indicators(dataset, lang)
    last = list(dataset.years)[-2:]
    return [
        html.P(t("an.review.intro", lang), className="small text-muted"),
        dbc.Row(
            [
                _field(
                    t("an.review.list", lang),
                    dropdown(
                        lang,
                        id=ids.AN_REVIEW_LIST,
                        options=[],
                        placeholder=t("an.review.list.placeholder", lang),
                    ),
                    12,
                    "an.review.list.help",
                    lang,
                ),
                dbc.Col(_upload(ids.AN_REVIEW_UPLOAD, "an.review.upload", lang), md=12),
                _field(
                    t("an.review.indicator", lang),
                    dropdown(
                        lang,
                        id=ids.AN_REVIEW_INDICATOR,
                        options=indicators,
                        clearable=False,
                        value=indicators[0]["value"] if indicators else None,
                    ),
                    12,
                ),
                _field(
                    t("an.review.before", lang),
                    dropdown(
                        lang,
                        id=ids.AN_REVIEW_BEFORE,
                        options=years,
                        clearable=False,
                        value=last[0] if len(last) == 2 else None,
                    ),
                    6,
                ),
                _field(
                    t("an.review.after", lang),
                    dropdown(
                        lang,
                        id=ids.AN_REVIEW_AFTER,
                        options=years,
                        clearable=False,
                        value=last[-1] if last else None,
                    ),
                    6,
                ),
            ],
            className="g-2",
        ),
        _run(ids.AN_REVIEW_RUN, "an.review.run", lang),
        _output(ids.AN_REVIEW_OUT),
    ]


def analytics_panel(dataset: Dataset, lang: str = "id") -> html.Div:
    """The "Analisis lanjutan" tab: four analyses, each run on demand on the active scoring."""
    sections = [
        ("anggaran", "an.budget.title", _budget(lang)),
        ("smaa", "an.smaa.title", _smaa(lang)),
        ("survei", "an.survey.title", _survey(dataset, lang)),
        ("reviu", "an.review.title", _review(dataset, lang)),
    ]
    return html.Div(
        [
            dcc.Store(id=ids.STORE_ANALYTICS, data={}),
            html.P(t("an.intro", lang), className="small text-muted mb-2"),
            dbc.Accordion(
                [dbc.AccordionItem(body, title=t(key, lang), item_id=item) for item, key, body in sections],
                always_open=True,
                active_item=["anggaran"],
                className="analytics-accordion",
            ),
        ],
        className="analytics-panel",
    )
