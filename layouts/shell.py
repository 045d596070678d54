"""The page frame: navbar (with the language switch), URL, stores, and the page content."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from geo.core.i18n import DEFAULT_LANG, lang_of
from geo.view.viewstate import with_lang
from layouts import ids
from layouts.components import dropdown
from layouts.help import navbar_help, page_layer
from layouts.signin import account_span
from layouts.text import t


def dataset_label(dataset_title: str, synthetic: bool, lang: str = DEFAULT_LANG) -> list:
    """Title of the active dataset, with a badge when it holds synthetic data."""
    badge = ([dbc.Badge(t("shell.synthetic", lang), color="warning", className="ms-2 text-dark",
                        title=t("shell.synthetic_title", lang))]
             if synthetic else [])
    return [html.Span(dataset_title, className="text-white small"), *badge]


def other_lang(lang: str) -> str:
    """The language the switch offers."""
    return "en" if lang_of(lang) == "id" else "id"


def lang_switch(lang: str, search: str) -> html.A:
    """A plain link reloading the page in the other language (the layout is built per
    request, so every text changes); a callback keeps its query in step with the URL."""
    target = other_lang(lang)
    return html.A(t("lang.switch", lang), id=ids.LANG_SWITCH, href=with_lang(search, target),
                  hrefLang=target, lang=target, className="btn btn-outline-light btn-sm me-2",
                  **{"aria-label": t("shell.lang_switch_aria", lang)})


def shell(dataset_id: str, dataset_title: str, synthetic: bool, content: list, *,
          lang: str = DEFAULT_LANG, search: str = "") -> html.Div:
    """Whole page around ``content``; ``search`` = the query string the page was opened with."""
    lang = lang_of(lang)
    navbar = dbc.Navbar(dbc.Container([
        html.Div([
            html.Span("Lokus", className="navbar-brand fw-bold mb-0"),
            html.Span(t("shell.subtitle", lang), className="navbar-subtitle small"),
        ]),
        html.Div([
            navbar_help(lang),  # Glosarium, Profil desa
            account_span(lang),  # who is signed in, or the local user (issue 12)
            lang_switch(lang, search),
            html.Div(dataset_label(dataset_title, synthetic, lang), id=ids.DATASET_TITLE,
                     className="me-2"),
            html.Div([
                dbc.Label(t("shell.dataset", lang), html_for=ids.DATASET_PICKER,
                          className="visually-hidden"),
                dropdown(id=ids.DATASET_PICKER, value=dataset_id, clearable=False,
                         options=[{"label": dataset_title, "value": dataset_id}]),
            ], style={"width": "280px"}),
        ], className="d-flex align-items-center"),
    ], fluid=True), color="dark", dark=True, className="mb-2")
    return html.Div([
        html.A(t("shell.skip", lang), href=f"#{ids.PAGE_CONTENT}", className="skip-link"),
        # refresh=False: control changes rewrite the query (history entries), no reload
        dcc.Location(id=ids.URL, refresh=False, search=search),
        navbar,
        dcc.Store(id=ids.STORE_LANG, data=lang),
        dcc.Store(id=ids.STORE_DATASET, data=dataset_id),
        dcc.Store(id=ids.STORE_SELECTED, data=None),
        dcc.Store(id=ids.STORE_CONFIG, data=None),
        dcc.Store(id=ids.STORE_WEIGHTS_SET, data=None),
        dcc.Store(id=ids.STORE_FORCED, data={"in": {}, "out": {}}),
        dcc.Store(id=ids.STORE_SCENARIO, data=None),
        dcc.Store(id=ids.STORE_CONFIG_BASE, data=None),
        dcc.Store(id=ids.STORE_DATASETS_VERSION, data=0),
        dcc.Store(id=ids.STORE_UPLOAD, data=None),  # upload id + file names, never contents
        html.Main(dbc.Container([
            html.Div(id=ids.ALERT, role="status"),
            html.Div(id=ids.APP_READY, hidden=True),
            *content,
            *page_layer(lang),  # village profile panel, glossary, tooltips
        ], fluid=True), id=ids.PAGE_CONTENT, tabIndex="-1"),
    ], lang=lang)
