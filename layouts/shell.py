"""The page frame: navbar, message area, stores, and the page content."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.components import dropdown


def dataset_label(dataset_title: str, synthetic: bool) -> list:
    """Title of the active dataset, with a badge when it holds synthetic data."""
    badge = ([dbc.Badge("memuat data sintetis", color="warning", className="ms-2",
                        title="Sebagian data dibuat sintetis untuk demonstrasi; lihat tab Data & sumber")]
             if synthetic else [])
    return [html.Span(dataset_title, className="text-white small"), *badge]


def shell(dataset_id: str, dataset_title: str, synthetic: bool, content: list) -> html.Div:
    """Whole page around ``content``."""
    navbar = dbc.Navbar(dbc.Container([
        html.Div([
            html.Span("Lokus", className="navbar-brand fw-bold mb-0"),
            html.Span("Analisis situasi stunting · Aksi 1", className="text-white-50 small"),
        ]),
        html.Div([
            html.Div(dataset_label(dataset_title, synthetic), id=ids.DATASET_TITLE,
                     className="me-2"),
            html.Div([
                dbc.Label("Dataset", html_for=ids.DATASET_PICKER, className="visually-hidden"),
                dropdown(id=ids.DATASET_PICKER, value=dataset_id, clearable=False,
                         options=[{"label": dataset_title, "value": dataset_id}]),
            ], style={"width": "280px"}),
        ], className="d-flex align-items-center"),
    ], fluid=True), color="dark", dark=True, className="mb-2")
    return html.Div([
        navbar,
        dcc.Store(id=ids.STORE_DATASET, data=dataset_id),
        dcc.Store(id=ids.STORE_SELECTED, data=None),
        dcc.Store(id=ids.STORE_CONFIG, data=None),
        dcc.Store(id=ids.STORE_WEIGHTS_SET, data=None),
        dcc.Store(id=ids.STORE_FORCED, data={"in": {}, "out": {}}),
        dcc.Store(id=ids.STORE_SCENARIO, data=None),
        dcc.Store(id=ids.STORE_CONFIG_BASE, data=None),
        dcc.Store(id=ids.STORE_DATASETS_VERSION, data=0),
        dcc.Store(id=ids.STORE_UPLOAD, data=None),  # upload id + file names, never contents
        dbc.Container([
            html.Div(id=ids.ALERT, role="status"),
            *content,
        ], fluid=True),
    ], lang="id")
