"""Decide & deliver (Aksi 1 → 2): saved scenarios, audit log, comparison, last year's list,
the Aksi 2 draft plan and every export. Texts come from ``geo/resources/i18n/*/decide.json``."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from geo.export import page_buttons
from layouts import ids
from layouts.area_empty import account_name
from layouts.components import dropdown
from layouts.text import t

#: Export buttons, in page order (label: ``decide.export.format.<button>``), from the one
#: table of export formats.
EXPORTS = tuple(button for button, _fmt, _options in page_buttons())


def _field(label: str, component, width: int = 6) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=component.id, className="small fw-semibold mb-1"),
                    component], md=width)


def _drop_here(key: str, lang: str) -> html.Div:
    """'… drag it here or [choose a file]' for a dcc.Upload box."""
    return html.Div([t(key, lang), html.A(t("decide.choose_file", lang), href="#")])


def _empty(key: str, lang: str) -> dict:
    """AG Grid option: the grid's own empty-state text in the page language."""
    return {"localeText": {"noRowsToShow": t(key, lang)}}


def decide_panel(lang: str = "id") -> html.Div:
    """Scenario management, plan and exports."""
    scenario = dbc.Card(dbc.CardBody([
        html.H6(t("decide.scenario.title", lang)),
        html.Div(id=ids.DECIDE_ACTIVE, className="flow-scenario small mb-2", role="status"),
        dbc.Row([
            _field(t("decide.scenario.name", lang), dbc.Input(
                id=ids.SCN_NAME, type="text", maxLength=120,
                placeholder=t("flow.name.placeholder", lang)), 6),
            _field(t("flow.reason", lang), dbc.Input(id=ids.SCN_REASON, type="text",
                                                     maxLength=200), 12),
        ], className="g-2"),
        # every change is recorded under the signed-in account (issue 12), never a typed name
        dbc.FormText(t("area.author.as", lang, name=account_name()), id=ids.SCN_AUTHOR_SHOWN),
        # Simpan writes into the active scenario (a new version); the first Simpan, and
        # "Simpan sebagai…", make a new one under the name typed
        html.Div([
            dbc.Button(t("flow.save", lang), id=ids.SCN_UPDATE, color="primary", size="sm",
                       className="me-1", title=t("flow.save.title.active", lang)),
            dbc.Button(t("flow.save_as", lang), id=ids.SCN_SAVE_NEW, color="primary", outline=True,
                       size="sm", title=t("flow.save_as.title", lang)),
        ], className="mt-2"),
        dbc.Row([
            _field(t("decide.scenario.list", lang), dropdown(
                lang, id=ids.SCN_LIST, placeholder=t("decide.scenario.list.placeholder", lang),
                options=[]), 12),
        ], className="g-2 mt-2"),
        html.Div([
            dbc.Button(t("decide.scenario.load", lang), id=ids.SCN_LOAD, size="sm",
                       color="secondary", className="me-1"),
            dbc.Button(t("decide.scenario.rename", lang), id=ids.SCN_RENAME, size="sm",
                       color="secondary", className="me-1"),
            dbc.Button(t("decide.scenario.duplicate", lang), id=ids.SCN_DUPLICATE, size="sm",
                       color="secondary", className="me-1"),
            dbc.Button(t("decide.scenario.delete", lang), id=ids.SCN_DELETE, size="sm",
                       color="danger", outline=True),
        ], className="mt-1"),
        _field(t("decide.scenario.notes", lang), dbc.Textarea(id=ids.SCN_NOTES, rows=2,
                                                              maxLength=4000), 12),
        html.Div(id=ids.SCN_STATUS, className="small mt-2", role="status"),
        dcc.Upload(id=ids.SCN_UPLOAD_JSON, max_size=2_000_000, accept=".json",
                   children=_drop_here("decide.scenario.import", lang),
                   className="upload-box small mt-2"),
    ]), className="mb-2")

    history = dbc.Card(dbc.CardBody([
        html.H6(t("decide.audit.title", lang)),
        dag.AgGrid(id=ids.SCN_AUDIT, rowData=[], columnDefs=[
            # shown as written by the server (the language's date), sorted by the ISO time
            {"field": "waktu", "headerName": t("decide.audit.col.waktu", lang), "width": 170,
             "valueGetter": {"function": "params.data.at"},
             "valueFormatter": {"function": "params.data.waktu"}},
            {"field": "oleh", "headerName": t("decide.audit.col.oleh", lang), "width": 120},
            {"field": "aksi", "headerName": t("decide.audit.col.aksi", lang), "width": 110,
             "tooltipField": "aksi"},
            {"field": "desa", "headerName": t("decide.col.desa", lang), "width": 150},
            {"field": "alasan", "headerName": t("decide.col.alasan", lang), "width": 260,
             "tooltipField": "alasan"},
        ], defaultColDef={"sortable": True, "resizable": True},
                   dashGridOptions=_empty("decide.audit.empty", lang), style={"height": "220px"}),
        html.H6(t("decide.compare.title", lang), className="mt-3"),
        dropdown(lang, id=ids.SCN_COMPARE, placeholder=t("decide.compare.placeholder", lang),
                 options=[]),
        html.Div(id=ids.SCN_COMPARE_TABLE, className="small mt-2"),
        html.H6(t("decide.previous.title", lang), className="mt-3"),
        dcc.Upload(id=ids.PREV_UPLOAD, max_size=20_000_000, accept=".csv,.xlsx",
                   children=_drop_here("decide.previous.upload", lang),
                   className="upload-box small"),
        html.Div(id=ids.PREV_TABLE, className="small mt-2"),
    ]), className="mb-2")

    plan = dbc.Card(id=ids.DECIDE_PLAN, className="mb-2 flow-section", children=dbc.CardBody([
        html.H6(t("decide.plan.title", lang)),
        html.P(t("decide.plan.help", lang), className="small text-muted mb-1"),
        dag.AgGrid(id=ids.PLAN_GRID, rowData=[], columnDefs=plan_columns(lang),
                   defaultColDef={"resizable": True, "sortable": True},
                   dashGridOptions={"singleClickEdit": True, "stopEditingWhenCellsLoseFocus": True,
                                    **_empty("decide.plan.empty", lang)},
                   style={"height": "320px"}),
        dbc.Button(t("decide.plan.add", lang), id=ids.PLAN_ADD, size="sm", color="secondary",
                   className="mt-2 me-1"),
        dbc.Button(t("decide.plan.redraft", lang), id=ids.PLAN_REDRAFT, size="sm",
                   color="secondary", outline=True, className="mt-2 me-1"),
        dbc.Button(t("decide.plan.save", lang), id=ids.PLAN_SAVE, size="sm", color="primary",
                   className="mt-2"),
        html.Div(id=ids.PLAN_STATUS, className="small mt-1", role="status"),
        html.H6(t("decide.target.title", lang), className="mt-3"),
        html.P(t("decide.target.help", lang), className="small text-muted mb-1"),
        dag.AgGrid(id=ids.TARGET_GRID, rowData=[], getRowId="params.data.id", columnDefs=[
            {"field": "label", "headerName": t("decide.target.col.label", lang), "width": 300,
             "tooltipField": "label"},
            {"field": "arah", "headerName": t("decide.target.col.arah", lang), "width": 150},
            {"field": "katalog", "headerName": t("decide.target.col.katalog", lang), "width": 130,
             "type": "rightAligned"},
            {"field": "skenario", "headerName": t("decide.target.col.skenario", lang), "width": 140,
             "type": "rightAligned", "editable": True, "cellDataType": "number"},
        ], defaultColDef={"resizable": True},
                   dashGridOptions={"singleClickEdit": True, **_empty("decide.target.empty", lang)},
                   style={"height": "260px"}),
        dbc.Button(t("decide.target.save", lang), id=ids.TARGET_SAVE, size="sm", color="primary",
                   className="mt-2"),
    ]))

    exports = dbc.Card(id=ids.DECIDE_EXPORTS, className="flow-section", children=dbc.CardBody([
        html.H6(t("decide.export.title", lang)),
        dbc.Row([
            _field(t("decide.export.year", lang), dbc.Input(
                id=ids.EXPORT_YEAR, type="number", min=2000, max=2100, step=1,
                placeholder=t("decide.export.year.placeholder", lang)), 2),
            _field(t("decide.export.place", lang), dbc.Input(
                id=ids.EXPORT_PLACE, type="text", maxLength=60, placeholder="Sumedang"), 3),
            _field(t("decide.export.date", lang), dbc.Input(id=ids.EXPORT_DATE, type="text",
                                                             maxLength=40), 2),
            _field(t("decide.export.signer", lang), dbc.Input(id=ids.EXPORT_SIGNER, type="text",
                                                               maxLength=80), 3),
            _field(t("decide.export.nip", lang), dbc.Input(id=ids.EXPORT_NIP, type="text",
                                                            maxLength=30), 2),
        ], className="g-2 mb-2"),
        html.Div([dbc.Button(t(f"decide.export.format.{fmt}", lang), id=ids.export_button(fmt),
                             size="sm", color="success", outline=True, className="me-1 mb-1")
                  for fmt in EXPORTS]),
        dcc.Loading(html.Div(id=ids.EXPORT_STATUS, className="small", role="status"),
                    delay_show=500),
        dcc.Download(id=ids.EXPORT_DOWNLOAD),
    ]))
    # the URL's scenario request (callbacks/url.py): None = the page's link is not read yet
    return html.Div([scenario, history, plan, exports,
                     dcc.Store(id=ids.STORE_URL_SCENARIO, data=None)])


def plan_columns(lang: str = "id") -> list[dict]:
    """Editable Aksi 2 matrix: kegiatan × desa × OPD."""
    editable = {"editable": True}
    # whole rupiah with the language's thousands separator (1.250.000 / 1,250,000)
    rupiah = "d3.format(',.0f')(params.value)" + (".replace(/,/g, '.')" if lang == "id" else "")
    return [
        {"field": "nama", "headerName": t("decide.col.desa", lang), "width": 130},
        {"field": "kecamatan", "headerName": t("decide.col.kecamatan", lang), "width": 120},
        {"field": "indikator", "headerName": t("decide.plan.col.indikator", lang), "width": 220,
         "tooltipField": "indikator"},
        {"field": "kegiatan", "headerName": t("decide.plan.col.kegiatan", lang), "width": 230,
         **editable},
        {"field": "opd", "headerName": t("decide.plan.col.opd", lang), "width": 110, **editable},
        {"field": "volume", "headerName": t("decide.plan.col.volume", lang), "width": 90,
         "type": "rightAligned", "cellDataType": "number", **editable},
        {"field": "satuan", "headerName": t("decide.plan.col.satuan", lang), "width": 90,
         **editable},
        {"field": "anggaran", "headerName": t("decide.plan.col.anggaran", lang), "width": 170,
         "type": "rightAligned", "cellDataType": "number", **editable,
         "valueFormatter": {"function": f"params.value == null ? '' : {rupiah}"}},
        {"field": "catatan", "headerName": t("decide.plan.col.catatan", lang), "width": 200,
         **editable},
    ]
