"""Decide & deliver (Aksi 1 → 2): saved scenarios, audit log, comparison, last year's list,
the Aksi 2 draft plan and every export."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.components import dropdown

EXPORTS = [  # (format, label)
    ("xlsx", "Excel (XLSX)"),
    ("csv", "CSV (koma)"),
    ("csv_semicolon", "CSV (titik koma, Excel Indonesia)"),
    ("pdf", "PDF laporan + lampiran SK"),
    ("gpkg", "GeoPackage"),
    ("geojson", "GeoJSON"),
    ("shp", "Shapefile (zip)"),
    ("json", "Skenario (JSON)"),
]


def _field(label: str, component, width: int = 6) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=component.id, className="small fw-semibold mb-1"),
                    component], md=width)


def decide_panel() -> html.Div:
    """Scenario management, plan and exports."""
    scenario = dbc.Card(dbc.CardBody([
        html.H6("Skenario tersimpan"),
        dbc.Row([
            _field("Nama penyusun (untuk log)", dbc.Input(
                id=ids.SCN_AUTHOR, type="text", maxLength=80, persistence=True,
                persistence_type="local", placeholder="mis. Bappeda – Bidang Sosbud"), 6),
            _field("Nama skenario", dbc.Input(id=ids.SCN_NAME, type="text", maxLength=120,
                                              placeholder="mis. Lokus 2026 – usulan awal"), 6),
        ], className="g-2"),
        dbc.Button("Simpan sebagai skenario baru", id=ids.SCN_SAVE_NEW, color="primary", size="sm",
                   className="mt-2"),
        dbc.Row([
            _field("Skenario", dropdown(id=ids.SCN_LIST, placeholder="Pilih skenario…",
                                        options=[]), 12),
        ], className="g-2 mt-2"),
        html.Div([
            dbc.Button("Muat", id=ids.SCN_LOAD, size="sm", color="secondary", className="me-1"),
            dbc.Button("Ganti nama", id=ids.SCN_RENAME, size="sm", color="secondary", className="me-1"),
            dbc.Button("Duplikat", id=ids.SCN_DUPLICATE, size="sm", color="secondary",
                       className="me-1"),
            dbc.Button("Hapus", id=ids.SCN_DELETE, size="sm", color="danger", outline=True),
        ], className="mt-1"),
        dbc.Row([
            _field("Alasan perubahan (masuk ke log)", dbc.Input(id=ids.SCN_REASON, type="text",
                                                               maxLength=200), 8),
            dbc.Col(dbc.Button("Simpan perubahan ke skenario aktif", id=ids.SCN_UPDATE, size="sm",
                               color="primary", outline=True, className="mt-4"), md=4),
        ], className="g-2 mt-1"),
        _field("Catatan", dbc.Textarea(id=ids.SCN_NOTES, rows=2, maxLength=4000), 12),
        html.Div(id=ids.SCN_STATUS, className="small mt-2", role="status"),
        dcc.Upload(id=ids.SCN_UPLOAD_JSON, max_size=2_000_000, accept=".json",
                   children=html.Div(["Muat skenario dari berkas JSON: seret ke sini atau ",
                                      html.A("pilih berkas", href="#")]),
                   className="upload-box small mt-2"),
    ]), className="mb-2")

    history = dbc.Card(dbc.CardBody([
        html.H6("Log perubahan daftar (audit)"),
        dag.AgGrid(id=ids.SCN_AUDIT, rowData=[], columnDefs=[
            {"field": "waktu", "headerName": "Waktu", "width": 150},
            {"field": "oleh", "headerName": "Oleh", "width": 120},
            {"field": "aksi", "headerName": "Aksi", "width": 90},
            {"field": "desa", "headerName": "Desa", "width": 150},
            {"field": "alasan", "headerName": "Alasan", "width": 260, "tooltipField": "alasan"},
        ], defaultColDef={"sortable": True, "resizable": True}, style={"height": "220px"}),
        html.H6("Bandingkan dengan skenario lain", className="mt-3"),
        dropdown(id=ids.SCN_COMPARE, placeholder="Pilih skenario pembanding…", options=[]),
        html.Div(id=ids.SCN_COMPARE_TABLE, className="small mt-2"),
        html.H6("Lokus tahun lalu", className="mt-3"),
        dcc.Upload(id=ids.PREV_UPLOAD, max_size=20_000_000, accept=".csv,.xlsx",
                   children=html.Div(["Unggah daftar lokus tahun lalu (CSV/XLSX, kode atau nama desa): "
                                      "seret ke sini atau ", html.A("pilih berkas", href="#")]),
                   className="upload-box small"),
        html.Div(id=ids.PREV_TABLE, className="small mt-2"),
    ]), className="mb-2")

    plan = dbc.Card(dbc.CardBody([
        html.H6("Rencana kegiatan Aksi 2 (draf dari kesenjangan cakupan)"),
        html.P("Setiap baris: desa lokus × indikator di bawah target → kegiatan dan OPD yang "
               "biasa bertanggung jawab. Ubah sel langsung; tambah baris untuk kegiatan lain.",
               className="small text-muted mb-1"),
        dag.AgGrid(id=ids.PLAN_GRID, rowData=[], columnDefs=plan_columns(),
                   defaultColDef={"resizable": True, "sortable": True},
                   dashGridOptions={"singleClickEdit": True, "stopEditingWhenCellsLoseFocus": True},
                   style={"height": "320px"}),
        dbc.Button("Tambah kegiatan", id=ids.PLAN_ADD, size="sm", color="secondary",
                   className="mt-2 me-1"),
        dbc.Button("Susun ulang draf dari target", id=ids.PLAN_REDRAFT, size="sm",
                   color="secondary", outline=True, className="mt-2 me-1"),
        dbc.Button("Simpan rencana ke skenario", id=ids.PLAN_SAVE, size="sm", color="primary",
                   className="mt-2"),
        html.Div(id=ids.PLAN_STATUS, className="small mt-1", role="status"),
        html.H6("Target cakupan untuk skenario ini", className="mt-3"),
        html.P("Kosongkan kolom 'Target skenario' untuk memakai target katalog.",
               className="small text-muted mb-1"),
        dag.AgGrid(id=ids.TARGET_GRID, rowData=[], getRowId="params.data.id", columnDefs=[
            {"field": "label", "headerName": "Indikator cakupan", "width": 300,
             "tooltipField": "label"},
            {"field": "arah", "headerName": "Arah", "width": 150},
            {"field": "katalog", "headerName": "Target katalog (%)", "width": 130,
             "type": "rightAligned"},
            {"field": "skenario", "headerName": "Target skenario (%)", "width": 140,
             "type": "rightAligned", "editable": True, "cellDataType": "number"},
        ], defaultColDef={"resizable": True}, dashGridOptions={"singleClickEdit": True},
                   style={"height": "260px"}),
        dbc.Button("Simpan target", id=ids.TARGET_SAVE, size="sm", color="primary",
                   className="mt-2"),
    ]), className="mb-2")

    exports = dbc.Card(dbc.CardBody([
        html.H6("Unduh"),
        dbc.Row([
            _field("Tahun lokus", dbc.Input(id=ids.EXPORT_YEAR, type="number", min=2000, max=2100,
                                            step=1, placeholder="tahun data"), 2),
            _field("Ditetapkan di", dbc.Input(id=ids.EXPORT_PLACE, type="text", maxLength=60,
                                              placeholder="Sumedang"), 3),
            _field("Tanggal", dbc.Input(id=ids.EXPORT_DATE, type="text", maxLength=40), 2),
            _field("Nama Bupati", dbc.Input(id=ids.EXPORT_SIGNER, type="text", maxLength=80), 3),
            _field("NIP (bila ada)", dbc.Input(id=ids.EXPORT_NIP, type="text", maxLength=30), 2),
        ], className="g-2 mb-2"),
        html.Div([dbc.Button(label, id=ids.export_button(fmt), size="sm", color="success",
                             outline=True, className="me-1 mb-1") for fmt, label in EXPORTS]),
        dcc.Loading(html.Div(id=ids.EXPORT_STATUS, className="small", role="status"),
                    delay_show=500),
        dcc.Download(id=ids.EXPORT_DOWNLOAD),
    ]))
    return html.Div([scenario, history, plan, exports])


def plan_columns() -> list[dict]:
    """Editable Aksi 2 matrix: kegiatan × desa × OPD."""
    editable = {"editable": True}
    return [
        {"field": "nama", "headerName": "Desa", "width": 130},
        {"field": "kecamatan", "headerName": "Kecamatan", "width": 120},
        {"field": "indikator", "headerName": "Indikator (kesenjangan)", "width": 220,
         "tooltipField": "indikator"},
        {"field": "kegiatan", "headerName": "Kegiatan", "width": 230, **editable},
        {"field": "opd", "headerName": "OPD", "width": 110, **editable},
        {"field": "volume", "headerName": "Volume", "width": 90, "type": "rightAligned",
         "cellDataType": "number", **editable},
        {"field": "satuan", "headerName": "Satuan", "width": 90, **editable},
        {"field": "anggaran", "headerName": "Perkiraan anggaran (Rp)", "width": 170,
         "type": "rightAligned", "cellDataType": "number", **editable,
         "valueFormatter": {"function": "params.value == null ? '' : "
                                        "d3.format(',.0f')(params.value).replace(/,/g, '.')"}},
        {"field": "catatan", "headerName": "Catatan", "width": 200, **editable},
    ]
