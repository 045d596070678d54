"""The "Unggah data" tab: dataset list and the upload wizard (file → columns → preview →
check → save). Files go to the server; the browser keeps only an upload id."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from geo.core.errors import InputError
from geo.core.indicators import catalogue
from geo.export.template import COVERAGE_CHOICES
from geo.io.archives import upload_suffixes
from geo.io.boundaries import BOUNDARY_FORMATS
from geo.io.tables import TABLE_FORMATS
from layouts import ids
from layouts.components import dropdown
from layouts.text import t

BOUNDARY_EXT = upload_suffixes(BOUNDARY_FORMATS)
TABLE_EXT = upload_suffixes(TABLE_FORMATS)
NOT_ON_MAP = "__none__"
STATUS_COLOURS = {"fuzzy": "warning", "unmatched": "danger"}


def _upload(kind: str, input_id: str, accept: Sequence[str], max_bytes: int, lang: str) -> dbc.Col:
    """A file picker whose file assets/upload.js streams to the server, with a progress bar."""
    title = t(f"upload.file.{kind}", lang)
    return dbc.Col([
        dbc.Label(title, html_for=input_id, className="small fw-semibold mb-1"),
        html.Div([
            # Dash has no plain file input: assets/upload.js puts <input type=file id=input_id>
            # into this slot (dcc.Upload would turn the file into base64 in the browser)
            html.Div(id=f"{input_id}-slot", className="lokus-upload-slot",
                     **{"data-kind": kind, "data-input-id": input_id,
                        "data-accept": ",".join(accept), "data-max-bytes": str(max_bytes),
                        "data-choose": t("upload.choose", lang), "data-lang": lang,
                        # texts for the browser-side messages (placeholders filled there)
                        "data-msg-too-large": InputError.of(
                            "upload.error.too_large", file="%FILE%",
                            mb=max_bytes // (1024 * 1024)).render(lang),
                        "data-msg-failed": t("upload.error.failed", lang, status="%STATUS%"),
                        "data-msg-broken": t("upload.error.broken", lang)}),
            html.Div(html.Div(className="progress-bar", role="progressbar"),
                     className="progress mt-1 d-none", id=f"{input_id}-progress",
                     **{"aria-label": t("upload.progress", lang, title=title)}),
            html.Div(" ".join(accept), className="text-muted small"),
        ]),
    ], md=3)


def upload_panel(max_bytes: int, lang: str = "id") -> html.Div:
    """Dataset picker actions and the upload wizard."""
    manage = dbc.Card(dbc.CardBody([
        html.H6(t("upload.active.title", lang)),
        html.P(t("upload.active.help", lang), className="small text-muted mb-1"),
        dcc.ConfirmDialogProvider(
            dbc.Button(t("upload.active.delete", lang), color="outline-danger", size="sm"),
            id=ids.DATASET_DELETE, message=t("upload.active.confirm", lang)),
        html.Div(id=ids.DATASET_STATUS, className="small mt-2", role="status"),
    ]), className="mb-2")
    wizard = dbc.Card(dbc.CardBody([
        html.H6(t("upload.title", lang)),
        html.P(t("upload.help", lang, mb=max_bytes // (1024 * 1024)), className="small text-muted"),
        dbc.Row([
            _upload("boundaries", ids.UPLOAD_BOUNDARIES, BOUNDARY_EXT, max_bytes, lang),
            _upload("table", ids.UPLOAD_TABLE, TABLE_EXT, max_bytes, lang),
            _upload("eppgbm", ids.UPLOAD_EPPGBM, TABLE_EXT, max_bytes, lang),
            _upload("coverage", ids.UPLOAD_COVERAGE, TABLE_EXT, max_bytes, lang),
        ], className="g-2"),
        dcc.Store(id=ids.UPLOAD_EVENT),  # set by assets/upload.js when a file is on the server
        dcc.Loading(html.Div(id=ids.UPLOAD_FILES, className="small mt-2", role="status"),
                    type="dot", delay_show=300),
        html.Div(id=ids.UPLOAD_COLUMNS, className="mt-2"),
        html.Div(id=ids.UPLOAD_PREVIEW, className="mt-2"),
        dbc.Button(t("upload.check", lang), id=ids.UPLOAD_CHECK, color="primary", size="sm",
                   className="mt-2"),
        dcc.Loading(html.Div(id=ids.UPLOAD_REPORT, className="small mt-2", role="status"),
                    type="default", delay_show=300),
        html.Div([
            html.H6(t("upload.match.title", lang), className="mt-2"),
            html.Div(id=ids.MATCH_ROWS),
            dbc.Button(t("upload.match.save", lang), id=ids.MATCH_SAVE, color="primary",
                       outline=True, size="sm", className="mt-1"),
            html.Div(id=ids.MATCH_STATUS, className="small mt-1", role="status"),
        ], id=ids.MATCH_BOX, style={"display": "none"}),
        dbc.Row([
            dbc.Col([dbc.Label(t("upload.name", lang), html_for=ids.UPLOAD_NAME,
                               className="small fw-semibold mb-1"),
                     dbc.Input(id=ids.UPLOAD_NAME, type="text", maxLength=60,
                               placeholder=t("upload.name.placeholder", lang))], md=8),
            dbc.Col(dbc.Button(t("upload.save", lang), id=ids.UPLOAD_SAVE, color="success",
                               size="sm", className="mt-4"), md=4),
        ], className="g-2 mt-1"),
        dcc.Loading(html.Div(id=ids.UPLOAD_STATUS, className="small mt-2", role="status"),
                    type="default", delay_show=300),
    ]))
    return html.Div([manage, template_card(lang), wizard], className="p-1")


def template_card(lang: str = "id") -> dbc.Card:
    """Download of the pre-filled puskesmas template (XLSX) of the active dataset."""
    coverage = [{"label": catalogue()[c].label(lang), "value": c} for c in COVERAGE_CHOICES]
    return dbc.Card(dbc.CardBody([
        html.H6(t("upload.template.title", lang)),
        html.P(t("upload.template.help", lang), className="small text-muted mb-1"),
        dbc.Row([
            dbc.Col([dbc.Label(t("upload.template.year", lang), html_for=ids.TEMPLATE_YEAR,
                               className="small fw-semibold mb-1"),
                     dbc.Input(id=ids.TEMPLATE_YEAR, type="number", min=2000, max=2100, step=1,
                               size="sm")], md=2),
            dbc.Col([dbc.Label(t("upload.template.coverage", lang), html_for=ids.TEMPLATE_COVERAGE,
                               className="small fw-semibold mb-1"),
                     dropdown(lang, id=ids.TEMPLATE_COVERAGE, options=coverage, multi=True, value=[],
                              placeholder=t("upload.template.coverage_none", lang))], md=6),
            dbc.Col(dbc.Button(t("upload.template.download", lang), id=ids.TEMPLATE_BUTTON,
                               color="primary", outline=True, size="sm", className="mt-4"), md=4),
        ], className="g-2 align-items-start"),
        dcc.Download(id=ids.TEMPLATE_FILE),
        html.Div(id=ids.TEMPLATE_STATUS, className="small mt-1", role="status"),
    ]), className="mb-2 lokus-template")


def file_list(names: Mapping[str, str], lang: str = "id") -> list:
    """Uploaded files, one line each."""
    return [html.Div(f"✓ {t(f'upload.kind.{k}', lang)}: {v}") for k, v in names.items() if v]


def role_dropdowns(file: str, title: str, columns: Sequence[str],
                   detected: Mapping[str, str], roles: Sequence[str], lang: str = "id") -> dbc.Card:
    """One dropdown per column role, preset to the detected column (override = pick another)."""
    options = [{"label": c, "value": c} for c in columns]
    rows = [dbc.Col([dbc.Label(t(f"upload.role.{r}", lang), className="small mb-0"),
                     dropdown(id=ids.column_role(file, r), options=options,
                              value=detected.get(r), placeholder=t("upload.role.none", lang))], md=4)
            for r in roles]
    return dbc.Card(dbc.CardBody([html.Div(title, className="small fw-semibold mb-1"),
                                  dbc.Row(rows, className="g-1")]), className="mb-2")


def preview_table(frame: pd.DataFrame, title: str) -> html.Div:
    """First rows of an uploaded table."""
    return html.Div([html.Div(title, className="small fw-semibold"),
                     dbc.Table.from_dataframe(frame, size="sm", bordered=True, responsive=True,
                                              className="small mb-0")])


def match_rows(summary: Sequence[str], rows: Sequence[dict], lang: str = "id") -> list:
    """Uncertain (kecamatan, desa) pairs, each with a village picker: the candidates first,
    then every village of the kecamatan, or "not on the map". ``rows`` items: kecamatan,
    desa, n_rows, status, score, value, options."""
    head = [html.Ul([html.Li(line) for line in summary], className="small mb-1")]
    if not rows:
        return [*head, html.Div(t("upload.match.none", lang), className="small")]
    items = []
    for r in rows:
        status = r["status"] if r["status"] in STATUS_COLOURS else None
        text = t(f"upload.match.status.{status}", lang) if status else r["status"]
        items.append(dbc.Row([
            dbc.Col([html.Span(f"Kec. {r['kecamatan'] or '–'} · {r['desa']}", className="small"),
                     dbc.Badge(f"{text} {r['score']:.0f}", color=STATUS_COLOURS.get(r["status"], "secondary"),
                               className="ms-1"),
                     html.Span(" " + t("upload.match.rows", lang, n=r["n_rows"]),
                               className="small text-muted")], md=6),
            dbc.Col(dropdown(id=ids.match_pick(r["kecamatan"] or "", r["desa"]), value=r["value"],
                             options=r["options"], placeholder=t("upload.match.pick", lang)), md=6),
        ], className="g-1 align-items-center mb-1"))
    count = html.Div(t("upload.match.count", lang, n=len(rows)), className="small fw-semibold mb-1")
    return [*head, count, html.Div(t("upload.match.help", lang), className="small text-muted mb-1"),
            *items]
