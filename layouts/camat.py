"""The "Tinjauan camat" tab (issue 12): an analis sends the active scenario for review; a
peninjau sees the proposed villages of its kecamatan (why chosen, a link to the village
profile) and answers setuju / keberatan with a reason; everyone sees the answers per village.
Texts: ``layouts/i18n/*/camat.json`` (page) and ``geo/resources/i18n/*/camat.json`` (stored)."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.components import dropdown
from layouts.text import t

__all__ = ["camat_panel", "village_card"]


def camat_panel(lang: str = "id") -> html.Div:
    """The tab: sending (hidden for accounts that may not send), the picker, the list."""
    send = dbc.Card(dbc.CardBody([
        html.H6(t("camat.send.title", lang)),
        html.P(t("camat.send.help", lang), className="small text-muted mb-1"),
        dbc.Button(t("camat.send.button", lang), id=ids.CAMAT_SEND, color="primary", size="sm"),
        html.Div(id=ids.CAMAT_SEND_STATUS, className="small mt-2", role="status"),
    ]), id=ids.CAMAT_SEND_CARD, className="mb-2", style={"display": "none"})
    review = dbc.Card(dbc.CardBody([
        html.H6(t("camat.title", lang)),
        html.P(t("camat.help", lang), className="small text-muted mb-1"),
        dbc.Label(t("camat.scenario", lang), html_for=ids.CAMAT_SCENARIO, className="small fw-semibold mb-1"),
        dropdown(lang, id=ids.CAMAT_SCENARIO, placeholder=t("camat.scenario.placeholder", lang), options=[]),
        html.Div(id=ids.CAMAT_STATUS, className="small mt-2", role="status"),
        html.Div(id=ids.CAMAT_LIST, className="camat-list mt-2"),
    ]))
    return html.Div([send, review, dcc.Store(id=ids.CAMAT_REFRESH, data=0)])


def _answer_line(who: str, answer: str, reason: str, when: str, lang: str) -> html.Li:
    marker = t(f"camat.answer.{answer}", lang)
    return html.Li([html.Strong(marker, className=f"camat-{answer}"), f" — {who}, {when}",
                    *([html.Br(), html.Span(reason, className="camat-reason-text")] if reason else [])])


def village_card(row: dict, lang: str = "id", *, may_answer: bool) -> html.Div:
    """One proposed village: name, kecamatan, why chosen, the answers so far and (for an
    account that may comment) the answer form. ``row``: kode, nama, kecamatan, alasan, why,
    answers (who, answer, reason, when), mine (answer, reason) or None."""
    code = row["kode"]
    mine = row.get("mine") or {}
    body: list = [
        html.Div([html.Strong(row["nama"]), f" · {row['kecamatan']} · {code} ",
                  dbc.Button(t("camat.profile", lang), id=ids.camat_item(ids.CAMAT_PROFILE, code),
                             color="link", size="sm", className="camat-profile-link p-0 align-baseline")]),
        html.Div([html.Span(t("camat.reason.chosen", lang), className="fw-semibold"), " ", row["alasan"]],
                 className="small"),
        *([html.Div(row["why"], className="small text-muted")] if row.get("why") else []),
    ]
    answers: Sequence[dict] = row.get("answers") or []
    body.append(html.Ul([_answer_line(a["who"], a["answer"], a["reason"], a["when"], lang) for a in answers],
                        className="small mb-1 camat-answers") if answers
                else html.Div(t("camat.answers.none", lang), className="small text-muted"))
    if may_answer:
        body.append(dbc.Row([
            dbc.Col(dbc.RadioItems(id=ids.camat_item(ids.CAMAT_CHOICE, code), inline=True,
                                   value=mine.get("answer"),
                                   options=[{"label": t(f"camat.answer.{a}", lang), "value": a}
                                            for a in ("setuju", "keberatan")]), md=4),
            dbc.Col(dbc.Input(id=ids.camat_item(ids.CAMAT_REASON, code), type="text", maxLength=1000,
                              value=mine.get("reason", ""), size="sm",
                              placeholder=t("camat.reason.placeholder", lang)), md=6),
            dbc.Col(dbc.Button(t("camat.answer.save", lang), id=ids.camat_item(ids.CAMAT_ANSWER, code),
                               size="sm", color="primary"), md=2),
        ], className="g-1 align-items-center"))
    return html.Div(dbc.Card(dbc.CardBody(body, className="py-2"), className="mb-1"),
                    className="camat-village", **{"data-kode": code})


def camat_list(rows: Sequence[dict], header: str, lang: str = "id", *, may_answer: bool) -> list:
    """The list under review: a header line, then one card per village (or an empty note)."""
    if not rows:
        return [html.P(header, className="small"),
                html.P(t("camat.list.empty", lang), className="text-muted")]
    return [html.P(header, className="small fw-semibold"),
            *[village_card(r, lang, may_answer=may_answer) for r in rows]]
