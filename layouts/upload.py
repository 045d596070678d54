"""The "Unggah data" tab: dataset list and the upload wizard (file → columns → preview →
check → save). Files go to the server; the browser keeps only an upload id."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from layouts import ids
from layouts.components import dropdown

BOUNDARY_EXT = (".zip", ".geojson", ".json", ".gpkg")
TABLE_EXT = (".csv", ".xlsx")
#: Indonesian labels of the column roles shown for override.
ROLE_LABELS = {
    "kode": "Kode desa (Kemendagri)", "nama": "Nama desa", "nama_desa": "Nama desa",
    "nama_kec": "Nama kecamatan", "kode_kec": "Kode kecamatan", "kode_bps": "Kode BPS",
    "tahun": "Tahun", "anak_diukur": "Balita diukur (penyebut)", "pendek": "Pendek",
    "sangat_pendek": "Sangat pendek", "stunting": "Stunting (pembilang)",
    "merah": "Merah (terindikasi stunting)", "kuning": "Kuning", "hijau": "Hijau",
    "ibu_hamil": "Ibu hamil (penyebut)", "ibu_hamil_kek": "Ibu hamil KEK",
    "keluarga": "Jumlah keluarga (penyebut)", "keluarga_berisiko": "Keluarga berisiko stunting",
}


def _upload(kind: str, input_id: str, title: str, accept: Sequence[str], max_bytes: int) -> dbc.Col:
    """A file picker whose file assets/upload.js streams to the server, with a progress bar."""
    return dbc.Col([
        dbc.Label(title, html_for=input_id, className="small fw-semibold mb-1"),
        html.Div([
            # Dash has no plain file input: assets/upload.js puts <input type=file id=input_id>
            # into this slot (dcc.Upload would turn the file into base64 in the browser)
            html.Div(id=f"{input_id}-slot", className="lokus-upload-slot",
                     **{"data-kind": kind, "data-input-id": input_id,
                        "data-accept": ",".join(accept), "data-max-bytes": str(max_bytes),
                        "data-choose": "Pilih berkas…"}),
            html.Div(html.Div(className="progress-bar", role="progressbar"),
                     className="progress mt-1 d-none", id=f"{input_id}-progress",
                     **{"aria-label": f"{title}: kemajuan unggahan"}),
            html.Div(" ".join(accept), className="text-muted small"),
        ]),
    ], md=3)


def upload_panel(max_bytes: int) -> html.Div:
    """Dataset picker actions and the upload wizard."""
    mb = max_bytes // (1024 * 1024)
    manage = dbc.Card(dbc.CardBody([
        html.H6("Dataset aktif"),
        html.P("Pilih dataset di kanan atas. Dataset bawaan (Sumedang) tidak dapat dihapus.",
               className="small text-muted mb-1"),
        dcc.ConfirmDialogProvider(
            dbc.Button("Hapus dataset aktif", color="outline-danger", size="sm"),
            id=ids.DATASET_DELETE,
            message="Hapus dataset aktif dari server? Tindakan ini tidak dapat dibatalkan."),
        html.Div(id=ids.DATASET_STATUS, className="small mt-2", role="status"),
    ]), className="mb-2")
    wizard = dbc.Card(dbc.CardBody([
        html.H6("Unggah data sendiri"),
        html.P(f"1) Batas desa dan 2) tabel desa (kode Kemendagri, kode BPS atau nama desa) "
               f"atau ekspor e-PPGBM (data anak, dicocokkan lewat nama desa); 3) bila ada, tabel "
               f"cakupan intervensi. Ukuran maks. {mb} MB per berkas.",
               className="small text-muted"),
        dbc.Row(dbc.Col([
            dbc.Label("Nama Anda", html_for=ids.UPLOAD_AUTHOR, className="small fw-semibold mb-1"),
            dbc.Input(id=ids.UPLOAD_AUTHOR, type="text", maxLength=120, size="sm",
                      placeholder="dicatat bersama dataset, keputusan pencocokan dan penghapusan",
                      persistence=True, persistence_type="local"),
        ], md=8), className="mb-2"),
        dbc.Row([
            _upload("boundaries", ids.UPLOAD_BOUNDARIES, "Batas desa", BOUNDARY_EXT, max_bytes),
            _upload("table", ids.UPLOAD_TABLE, "Tabel desa", TABLE_EXT, max_bytes),
            _upload("eppgbm", ids.UPLOAD_EPPGBM, "atau ekspor e-PPGBM", TABLE_EXT, max_bytes),
            _upload("coverage", ids.UPLOAD_COVERAGE, "Cakupan intervensi (opsional)", TABLE_EXT, max_bytes),
        ], className="g-2"),
        dcc.Store(id=ids.UPLOAD_EVENT),  # set by assets/upload.js when a file is on the server
        dcc.Loading(html.Div(id=ids.UPLOAD_FILES, className="small mt-2", role="status"),
                    type="dot", delay_show=300),
        html.Div(id=ids.UPLOAD_COLUMNS, className="mt-2"),
        html.Div(id=ids.UPLOAD_PREVIEW, className="mt-2"),
        dbc.Button("Periksa", id=ids.UPLOAD_CHECK, color="primary", size="sm", className="mt-2"),
        dcc.Loading(html.Div(id=ids.UPLOAD_REPORT, className="small mt-2", role="status"),
                    type="default", delay_show=300),
        html.Div([
            html.H6("Pencocokan nama desa", className="mt-2"),
            html.Div(id=ids.MATCH_ROWS),
            dbc.Button("Simpan keputusan pencocokan", id=ids.MATCH_SAVE, color="primary",
                       outline=True, size="sm", className="mt-1"),
            html.Div(id=ids.MATCH_STATUS, className="small mt-1", role="status"),
        ], id=ids.MATCH_BOX, style={"display": "none"}),
        dbc.Row([
            dbc.Col([dbc.Label("Nama dataset", html_for=ids.UPLOAD_NAME,
                               className="small fw-semibold mb-1"),
                     dbc.Input(id=ids.UPLOAD_NAME, type="text", maxLength=60,
                               placeholder="mis. Kabupaten Garut 2024")], md=8),
            dbc.Col(dbc.Button("Simpan dataset", id=ids.UPLOAD_SAVE, color="success", size="sm",
                               className="mt-4"), md=4),
        ], className="g-2 mt-1"),
        dcc.Loading(html.Div(id=ids.UPLOAD_STATUS, className="small mt-2", role="status"),
                    type="default", delay_show=300),
    ]))
    return html.Div([manage, wizard], className="p-1")


def file_list(names: Mapping[str, str]) -> list:
    """Uploaded files, one line each."""
    labels = {"boundaries": "Batas desa", "table": "Tabel desa", "eppgbm": "Ekspor e-PPGBM",
              "coverage": "Cakupan intervensi"}
    return [html.Div(f"✓ {labels[k]}: {v}") for k, v in names.items() if v]


def role_dropdowns(file: str, title: str, columns: Sequence[str],
                   detected: Mapping[str, str], roles: Sequence[str]) -> dbc.Card:
    """One dropdown per column role, preset to the detected column (override = pick another)."""
    options = [{"label": c, "value": c} for c in columns]
    rows = [dbc.Col([dbc.Label(ROLE_LABELS.get(r, r), className="small mb-0"),
                     dropdown(id=ids.column_role(file, r), options=options,
                              value=detected.get(r), placeholder="(tidak ada)")], md=4)
            for r in roles]
    return dbc.Card(dbc.CardBody([html.Div(title, className="small fw-semibold mb-1"),
                                  dbc.Row(rows, className="g-1")]), className="mb-2")


def preview_table(frame: pd.DataFrame, title: str) -> html.Div:
    """First rows of an uploaded table."""
    return html.Div([html.Div(title, className="small fw-semibold"),
                     dbc.Table.from_dataframe(frame, size="sm", bordered=True, responsive=True,
                                              className="small mb-0")])


NOT_ON_MAP = "__none__"
STATUS_LABELS = {"fuzzy": ("mirip", "warning"), "unmatched": ("tidak cocok", "danger")}


def match_rows(summary: Sequence[str], rows: Sequence[dict]) -> list:
    """Uncertain (kecamatan, desa) pairs, each with a village picker: the candidates first,
    then every village of the kecamatan, or "not on the map". ``rows`` items: kecamatan,
    desa, n_rows, status, score, value, options."""
    head = [html.Ul([html.Li(line) for line in summary], className="small mb-1")]
    if not rows:
        return [*head, html.Div("Tidak ada pasangan yang perlu diperiksa.", className="small")]
    items = []
    for r in rows:
        text, colour = STATUS_LABELS.get(r["status"], (r["status"], "secondary"))
        items.append(dbc.Row([
            dbc.Col([html.Span(f"Kec. {r['kecamatan'] or '–'} · {r['desa']}", className="small"),
                     dbc.Badge(f"{text} {r['score']:.0f}", color=colour, className="ms-1"),
                     html.Span(f" {r['n_rows']} data", className="small text-muted")], md=6),
            dbc.Col(dropdown(id=ids.match_pick(r["kecamatan"] or "", r["desa"]), value=r["value"],
                             options=r["options"], placeholder="Pilih desa…"), md=6),
        ], className="g-1 align-items-center mb-1"))
    return [*head, html.Div("Terima atau koreksi: pilih desa di peta untuk tiap nama. Keputusan "
                            "disimpan untuk unggahan berikutnya dari kabupaten yang sama.",
                            className="small text-muted mb-1"), *items]
