"""The page of an account that sees no dataset: its area holds none (issue 12); and the
account name shown where a change is recorded.

A plain page (navbar with the account and sign-out, one clear message), never the Sumedang
map of another area and never a traceback. It carries the ready signal, so a browser test
(and a screen reader) knows the page is complete.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from geo.core.i18n import lang_of
from layouts import ids
from layouts.shell import lang_switch
from layouts.signin import account_span
from layouts.text import t

__all__ = ["account_name", "empty_page"]


def account_name() -> str:
    """The name the audit entries of this page's request record (the signed-in account)."""
    from callbacks.access import author  # late: callbacks import the layouts

    return author()


def empty_page(lang: str | None, search: str = "") -> html.Div:
    """The whole page saying that no dataset lies inside the account's area."""
    lang = lang_of(lang)
    navbar = dbc.Navbar(dbc.Container([
        html.Span("Lokus", className="navbar-brand fw-bold mb-0"),
        html.Div([account_span(lang), lang_switch(lang, search)], className="d-flex align-items-center"),
    ], fluid=True), color="dark", dark=True, className="mb-2")
    return html.Div([
        navbar,
        html.Main(dbc.Container([
            html.Div("ready", id=ids.APP_READY, hidden=True),
            dbc.Alert([html.H2(t("area.empty.title", lang), className="h5"),
                       html.P(t("area.empty.body", lang), className="mb-0")],
                      color="info", id=ids.AREA_EMPTY, className="mt-3"),
        ], fluid=True), id=ids.PAGE_CONTENT, tabIndex="-1"),
    ], lang=lang)
