"""Upload wizard glue: files to a server folder keyed by a random upload id, detected
columns with override, preview, check (join report) and save as a named dataset.

The browser holds only ``{"id": <upload id>, <kind>: <file name>}``; each upload's
contents prop is cleared as soon as the file is on the server.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
import uuid
from pathlib import Path
from typing import BinaryIO

import pandas as pd
from dash import ALL, Dash, Input, Output, State, dcc, html, no_update
from flask import jsonify, request

from callbacks.access import author as signed_in
from callbacks.access import check_upload_area
from callbacks.errors import MESSAGE, alert, guarded, input_errors
from geo.core.errors import InputError
from geo.core.i18n import lang_of
from geo.core.messages import render_all
from geo.data.library import (
    delete_dataset,
    district_crosswalk,
    name_review,
    save_dataset,
    save_decisions,
    validate_dataset,
)
from geo.data.model import Dataset
from geo.export.template import template_coverage, template_filename, template_workbook
from geo.io.archives import MAX_UNZIPPED_MB
from geo.io.matching import NameMatch
from geo.io.names import normalise_village_name
from geo.io.schema import BOUNDARY_ROLES, TABLE_ROLES, detect_columns
from geo.io.tables import read_table
from geo.io.uploads import safe_upload_name, save_stream
from geo.store.scenarios import Store
from geo.view.registry import Registry
from layouts import ids
from layouts.map_page import join_report_body, quality_body
from layouts.text import t
from layouts.upload import (
    BOUNDARY_EXT,
    NOT_ON_MAP,
    TABLE_EXT,
    file_list,
    match_rows,
    preview_table,
    role_dropdowns,
)

log = logging.getLogger(__name__)

#: Where assets/upload.js posts data files (query: kind, id, name; body: the raw bytes).
UPLOAD_ROUTE = "/_lokus/unggah"
ALLOWED = {"boundaries": BOUNDARY_EXT, "table": TABLE_EXT, "eppgbm": TABLE_EXT,
           "coverage": TABLE_EXT}
_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
STALE_SECONDS = 24 * 3600
#: Style of the name-matching review when there is nothing to review.
HIDDEN = {"display": "none"}
#: Shown when an uploaded file fails in a way no reader named (a broken or unknown format).
UNPROCESSABLE = "upload.error.unprocessable"


def upload_folder(upload_dir: Path, state: dict | None) -> Path | None:
    """Folder of this browser's upload; None for a missing or tampered id."""
    uid = (state or {}).get("id")
    return upload_dir / uid if isinstance(uid, str) and _UPLOAD_ID.fullmatch(uid) else None


def clean_stale(upload_dir: Path, now: float | None = None) -> None:
    """Remove uploads abandoned for a day (never saved)."""
    now = now or time.time()
    for folder in upload_dir.glob("*"):
        try:
            if folder.is_dir() and now - folder.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def receive(upload_dir: Path, upload_id: str | None, kind: str, stream: BinaryIO,
            filename: str | None, max_bytes: int) -> tuple[str, str]:
    """Stream one uploaded file to ``<upload_dir>/<id>/<kind>/<name>``; (upload id, name).

    A missing or malformed id starts a new upload folder. A table replaces an e-PPGBM
    export and vice versa (a dataset has exactly one source of counts)."""
    if kind not in ALLOWED:
        raise InputError.of("upload.error.kind")
    if not (isinstance(upload_id, str) and _UPLOAD_ID.fullmatch(upload_id)):
        clean_stale(upload_dir)
        upload_id = uuid.uuid4().hex
    folder = upload_dir / upload_id
    staging = folder / f".{kind}-{uuid.uuid4().hex}"
    try:
        path = save_stream(stream, staging, filename, allowed=ALLOWED[kind], max_bytes=max_bytes)
        for k in [kind, *{"table": ["eppgbm"], "eppgbm": ["table"]}.get(kind, [])]:
            shutil.rmtree(folder / k, ignore_errors=True)
        staging.rename(folder / kind)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return upload_id, path.name


def adopt(state: dict | None, event: dict | None) -> dict:
    """Upload state after the browser reports a stored file (``id``, ``kind``, ``name``)."""
    event = event or {}
    kind, uid = event.get("kind"), event.get("id")
    if kind not in ALLOWED or not (isinstance(uid, str) and _UPLOAD_ID.fullmatch(uid)):
        raise InputError.of("upload.error.unknown")
    state = dict(state) if (state or {}).get("id") == uid else {"id": uid}
    for k in [kind, *{"table": ["eppgbm"], "eppgbm": ["table"]}.get(kind, [])]:
        state.pop(k, None)
    state[kind] = safe_upload_name(event.get("name"))
    return state


def upload_paths(upload_dir: Path, state: dict | None) -> dict[str, Path]:
    """Kind → file on the server for the files of this upload that exist."""
    folder = upload_folder(upload_dir, state)
    out: dict[str, Path] = {}
    for kind in ALLOWED:
        name = (state or {}).get(kind)
        if folder and isinstance(name, str):
            path = folder / kind / safe_upload_name(name)
            if path.is_file():
                out[kind] = path
    return out


def boundary_fields(path: Path) -> list[str]:
    """Attribute columns of a boundary file (without reading the geometry)."""
    import pyogrio  # only needed here

    try:
        return [str(f) for f in pyogrio.read_info(path)["fields"]]
    except Exception:  # any reader failure is bad input, named for the user
        raise InputError.of("upload.error.boundaries_unreadable", file=path.name) from None


def columns_step(paths: dict[str, Path], lang: str = "id") -> tuple[list, list]:
    """Role dropdowns (detected, overridable) and the preview, for the uploaded files."""
    columns, preview = [], []
    if "boundaries" in paths:
        fields = boundary_fields(paths["boundaries"])
        detected = detect_columns(fields, BOUNDARY_ROLES, file=paths["boundaries"].name)
        columns.append(role_dropdowns(
            "boundaries", t("upload.columns.boundaries", lang, file=paths["boundaries"].name),
            fields, detected, list(BOUNDARY_ROLES), lang))
    if "table" in paths:
        raw = read_table(paths["table"])
        names = [c for c in raw.columns if c != "_row"]
        detected = detect_columns(names, TABLE_ROLES, file=paths["table"].name)
        columns.append(role_dropdowns(
            "table", t("upload.columns.table", lang, file=paths["table"].name), names, detected,
            [r for r in TABLE_ROLES if r != "kode_bps"], lang))
        frame = raw[names].head(5).fillna("")
        preview.append(preview_table(frame, t("upload.preview.table", lang, n=len(raw))))
    if "coverage" in paths:
        raw = read_table(paths["coverage"])
        names = [c for c in raw.columns if c != "_row"]
        preview.append(preview_table(raw[names].head(5).fillna(""),
                                     t("upload.preview.coverage", lang, n=len(raw))))
    if "eppgbm" in paths:
        # child-level data: no preview, so names and NIK never reach the browser
        preview.append(html.Div(t("upload.preview.eppgbm", lang, file=paths["eppgbm"].name),
                                className="small text-muted"))
    return columns, preview


def overrides(role_ids: list[dict], role_values: list, file: str) -> dict[str, str] | None:
    """Role → column chosen in the dropdowns of one file (None when nothing chosen)."""
    out = {i["role"]: v for i, v in zip(role_ids, role_values, strict=True)
           if i["file"] == file and v}
    return out or None


def _inputs(upload_dir: Path, state: dict | None, role_ids: list[dict], role_values: list,
            crosswalk_dir: Path | None = None, max_unzipped_mb: float = MAX_UNZIPPED_MB) -> dict:
    paths = upload_paths(upload_dir, state)
    if "boundaries" not in paths:
        raise InputError.of("upload.error.need_boundaries")
    if "table" not in paths and "eppgbm" not in paths:
        raise InputError.of("upload.error.need_table")
    boundary_columns = overrides(role_ids, role_values, "boundaries")
    # decisions of earlier uploads of the same district (used when names must be matched)
    crosswalk = (district_crosswalk(crosswalk_dir, paths["boundaries"], boundary_columns=boundary_columns,
                                    max_unzipped_mb=max_unzipped_mb)
                 if crosswalk_dir else None)
    return {"boundaries": paths["boundaries"], "table": paths.get("table"),
            "eppgbm": paths.get("eppgbm"), "crosswalk": crosswalk,
            "coverage": [paths["coverage"]] if "coverage" in paths else template_as_coverage(paths),
            "boundary_columns": boundary_columns,
            "table_columns": overrides(role_ids, role_values, "table"),
            "max_unzipped_mb": max_unzipped_mb}


def template_as_coverage(paths: dict[str, Path]) -> list[Path]:
    """A filled puskesmas template with coverage columns is its own coverage table too (one
    file to upload); any other table: none."""
    table = paths.get("table")
    return [table] if table is not None and template_coverage(table) else []


def review_rows(match: NameMatch, villages: pd.DataFrame, lang: str = "id") -> list[dict]:
    """Rows for :func:`layouts.upload.match_rows`: candidates, then the kecamatan's villages."""
    kec_norm = villages["nama_kec"].map(normalise_village_name)
    names = dict(zip(villages["kode"], villages["nama"] + " — Kec. " + villages["nama_kec"],
                     strict=True))
    rows = []
    for r in match.review_table().itertuples(index=False):
        kec = None if pd.isna(r.kecamatan) else str(r.kecamatan)
        candidates = [c["kode"] for c in r.candidates]
        same_kec = villages.loc[kec_norm == normalise_village_name(kec), "kode"] if kec else []
        if not len(same_kec) and candidates:
            cand_kec = villages.loc[villages["kode"].isin(candidates), "nama_kec"]
            same_kec = villages.loc[villages["nama_kec"].isin(cand_kec), "kode"]
        if not len(same_kec):
            same_kec = villages["kode"]
        options = [{"label": f"{names.get(c['kode'], c['kode'])} "
                             f"({t('upload.match.score', lang, score=round(c['score']))})",
                    "value": c["kode"]} for c in r.candidates]
        options += [{"label": names[k], "value": k} for k in sorted(same_kec, key=names.get)
                    if k not in candidates]
        options.append({"label": t("upload.match.not_on_map", lang), "value": NOT_ON_MAP})
        rows.append({"kecamatan": kec, "desa": str(r.desa), "n_rows": int(r.n_rows),
                     "status": str(r.status), "score": float(r.score),
                     "value": None if pd.isna(r.kode) else str(r.kode), "options": options})
    return rows


def decisions_frame(pick_ids: list[dict], pick_values: list) -> pd.DataFrame:
    """The planner's picks as crosswalk decisions; unanswered pairs are not decided."""
    rows = [{"kecamatan": i["kec"] or pd.NA, "desa": i["desa"],
             "kode": pd.NA if v == NOT_ON_MAP else v}
            for i, v in zip(pick_ids, pick_values, strict=True) if v]
    return pd.DataFrame(rows, columns=["kecamatan", "desa", "kode"])


def check_step(inputs: dict, lang: str = "id") -> tuple[list, list | None]:
    """Report of the check (or the error) and, when villages were matched by name (e-PPGBM
    export, or a table with BPS codes or none), the match review."""
    review = None
    found = name_review(**inputs)
    if found is not None:
        match, villages = found
        review = match_rows(match.summary_lines(lang), review_rows(match, villages, lang), lang)
    outcome = guarded(lambda: report(validate_dataset(**inputs), lang), lang, unexpected=UNPROCESSABLE)
    return outcome, review


def report(dataset: Dataset, lang: str = "id") -> list:
    """Validation result: villages, years and the join report."""
    head = t("upload.valid", lang, n=len(dataset.villages), years=", ".join(map(str, dataset.years)),
             indicators=", ".join(i.label_en if lang == "en" else i.label_id
                                  for i in dataset.indicators))
    return [alert(head, "success"),
            *join_report_body(dataset.report, render_all(dataset.warnings, lang), lang),
            *quality_body(dataset.quality_log, lang)]


def template_year(dataset: Dataset) -> int:
    """The year a template is pre-filled with by default: the dataset's latest year + 1."""
    return max(dataset.years, default=time.localtime().tm_year - 1) + 1


def template_download(dataset: Dataset, year, coverage, lang: str = "id") -> tuple[dict, object]:
    """The template as a download and the message saying what it holds; an empty year is
    :func:`template_year`."""
    year = int(year) if year not in (None, "") else template_year(dataset)
    data = template_workbook(dataset, year=year, coverage=list(coverage or []))
    name = template_filename(dataset, year)
    return dcc.send_bytes(data, name), alert(
        t("upload.template.made", lang, file=name, n=len(dataset.villages), year=year), "success")


def register(app: Dash, registry: Registry, store: Store, *, upload_dir: Path,
             datasets_root: Path, crosswalk_dir: Path, max_bytes: int,
             max_unzipped_mb: float = MAX_UNZIPPED_MB) -> None:
    """Wire the upload wizard and the name-matching review."""
    roles, picks = ids.column_role(ALL, ALL), ids.match_pick(ALL, ALL)

    @app.server.route(UPLOAD_ROUTE, methods=["POST"])
    def _receive():
        # Data files are streamed here by assets/upload.js (with a progress bar), never
        # through a callback: a 200 MB file is never base64 in the browser or in JSON.
        name, lang = request.args.get("name", ""), lang_of(request.args.get("lang"))
        if (request.content_length or 0) > max_bytes:
            error = InputError.of("upload.error.too_large", file=safe_upload_name(name),
                                  mb=max_bytes // (1024 * 1024))
            return jsonify(error=error.render(lang)), 413
        try:
            uid, stored = receive(upload_dir, request.args.get("id"), request.args.get("kind", ""),
                                  request.stream, name, max_bytes)
        except InputError as exc:
            return jsonify(error=exc.render(lang)), 400
        return jsonify(id=uid, kind=request.args.get("kind"), name=stored)

    @app.callback(
        Output(ids.STORE_UPLOAD, "data"), Output(ids.UPLOAD_FILES, "children"),
        Output(ids.UPLOAD_COLUMNS, "children"), Output(ids.UPLOAD_PREVIEW, "children"),
        Output(ids.UPLOAD_REPORT, "children"),
        Input(ids.UPLOAD_EVENT, "data"), State(ids.STORE_UPLOAD, "data"),
        State(ids.STORE_LANG, "data"), prevent_initial_call=True,
    )
    @input_errors(no_update, MESSAGE, no_update, no_update, "")
    def _uploaded(event, state, lang):
        state = adopt(state, event)
        files = file_list({k: state.get(k) for k in ALLOWED}, lang)
        step = guarded(lambda: columns_step(upload_paths(upload_dir, state), lang), lang,
                       unexpected="upload.error.unreadable")
        if not isinstance(step, tuple):  # the files are kept, with what is wrong under them
            return state, [*files, step], [], [], ""
        return state, files, *step, ""

    @app.callback(Output(ids.UPLOAD_REPORT, "children", allow_duplicate=True),
                  Output(ids.MATCH_ROWS, "children"), Output(ids.MATCH_BOX, "style"),
                  Output(ids.MATCH_STATUS, "children"),
                  Input(ids.UPLOAD_CHECK, "n_clicks"), State(ids.STORE_UPLOAD, "data"),
                  State(roles, "id"), State(roles, "value"), State(ids.STORE_LANG, "data"),
                  prevent_initial_call=True)
    @input_errors(MESSAGE, [], HIDDEN, "", unexpected=UNPROCESSABLE)
    def _check(_n, state, role_ids, role_values, lang):
        inputs = _inputs(upload_dir, state, role_ids, role_values, crosswalk_dir, max_unzipped_mb)
        outcome, review = check_step({**inputs, "root": datasets_root, "data_dir": registry.data_dir}, lang)
        return outcome, review or [], HIDDEN if review is None else {}, ""

    @app.callback(Output(ids.TEMPLATE_YEAR, "placeholder"), Input(ids.STORE_DATASET, "data"))
    def _template_year(dataset_id):
        return str(template_year(registry.get(dataset_id or registry.default_id)))

    @app.callback(Output(ids.TEMPLATE_FILE, "data"), Output(ids.TEMPLATE_STATUS, "children"),
                  Input(ids.TEMPLATE_BUTTON, "n_clicks"), State(ids.STORE_DATASET, "data"),
                  State(ids.TEMPLATE_YEAR, "value"), State(ids.TEMPLATE_COVERAGE, "value"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    @input_errors(no_update, MESSAGE)
    def _template(_n, dataset_id, year, coverage, lang):
        return template_download(registry.get(dataset_id or registry.default_id), year, coverage,
                                 lang_of(lang))

    @app.callback(Output(ids.MATCH_STATUS, "children", allow_duplicate=True),
                  Input(ids.MATCH_SAVE, "n_clicks"), State(ids.STORE_UPLOAD, "data"),
                  State(picks, "id"), State(picks, "value"),
                  State(roles, "id"), State(roles, "value"), State(ids.STORE_LANG, "data"),
                  prevent_initial_call=True)
    @input_errors(unexpected=UNPROCESSABLE)
    def _decide(_n, state, pick_ids, pick_values, role_ids, role_values, lang):
        decisions = decisions_frame(pick_ids, pick_values)
        if decisions.empty:
            raise InputError.of("upload.error.no_picks")
        inputs = _inputs(upload_dir, state, role_ids, role_values, crosswalk_dir, max_unzipped_mb)
        found = name_review(**inputs, root=datasets_root, data_dir=registry.data_dir)
        if found is None or inputs["crosswalk"] is None:
            raise InputError.of("upload.error.no_review")
        path = save_decisions(found[0], decisions, inputs["crosswalk"], decided_by=signed_in())
        return alert(t("upload.decisions.saved", lang, n=len(decisions), file=path.name), "success")

    @app.callback(Output(ids.UPLOAD_STATUS, "children"),
                  Output(ids.STORE_DATASETS_VERSION, "data"),
                  Output(ids.DATASET_PICKER, "value", allow_duplicate=True),
                  Output(ids.STORE_UPLOAD, "data", allow_duplicate=True),
                  Input(ids.UPLOAD_SAVE, "n_clicks"), State(ids.UPLOAD_NAME, "value"),
                  State(ids.STORE_UPLOAD, "data"), State(roles, "id"), State(roles, "value"),
                  State(ids.STORE_DATASETS_VERSION, "data"), State(ids.STORE_LANG, "data"),
                  prevent_initial_call=True)
    @input_errors(MESSAGE, no_update, no_update, no_update, unexpected=UNPROCESSABLE)
    def _save(_n, name, state, role_ids, role_values, version, lang):
        if not (name or "").strip():
            raise InputError.of("upload.error.need_name")
        reserved = [i for i in registry.ids() if registry.is_embedded(i)]
        inputs = _inputs(upload_dir, state, role_ids, role_values, crosswalk_dir, max_unzipped_mb)
        dataset_id = save_dataset(datasets_root, name, data_dir=registry.data_dir, reserved=reserved,
                                  **inputs)
        try:  # the folder and its database row come together, or neither
            check_upload_area(registry, dataset_id)  # issue 12: only data of the uploader's area
            store.record_dataset(dataset_id, name.strip(), author=signed_in(), detail={
                "berkas": {k: v for k, v in (state or {}).items() if k in ALLOWED}},
                folder=datasets_root / dataset_id)  # its files too: every server unpacks them
        except Exception:
            delete_dataset(datasets_root, dataset_id)
            raise
        folder = upload_folder(upload_dir, state)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)  # saved copies live in the dataset now
        log.info("dataset %s saved", dataset_id)
        return (alert(t("upload.saved", lang, id=dataset_id), "success"),
                (version or 0) + 1, dataset_id, None)
