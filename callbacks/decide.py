"""Decide & deliver callbacks: scenarios in the database, audit, comparison, last year's list,
Aksi 2 plan and exports. The browser holds only the active scenario's id and version."""

from __future__ import annotations

import tempfile
from pathlib import Path

import dash_bootstrap_components as dbc
import numpy as np
from dash import ALL, Dash, Input, Output, Patch, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from geo.continuity import continuity, read_previous_list
from geo.errors import InputError
from geo.export import export, safe_filename
from geo.i18n import format_number, lang_of
from geo.plan import PlanItem, draft_plan
from geo.registry import Registry
from geo.scoring import ScoringConfig, ScoringResult
from geo.store import ChosenVillage, Scenario, Store, chosen_from_result, compare_lists
from geo.uploads import decode_upload
from layouts import ids
from layouts.map_page import legend_box
from layouts.mapfig import NO_DATA_COLOUR, VILLAGE_TRACE, stepped_colourscale

COMPARE_CLASSES = [("masuk", "Masuk (hanya di pembanding)", "#1a9850"),
                   ("keluar", "Keluar (hanya di skenario aktif)", "#d73027"),
                   ("tetap", "Tetap (di keduanya)", "#4575b4")]


def alert(text: str, colour: str = "success"):
    """A small status alert."""
    return dbc.Alert(text, color=colour, className="py-1 mb-0 small")


def require_active(active: dict | None, author: str | None, what: str) -> str:
    """The author's name, once there is an active scenario to save ``what`` into."""
    if not active:
        raise InputError(f"simpan skenario dulu; {what} disimpan bersama skenario")
    if not (author or "").strip():
        raise InputError("isi nama penyusun dulu: setiap perubahan dicatat atas nama siapa")
    return author.strip()


def scenario_options(store: Store, dataset_id: str) -> list[dict]:
    """Saved scenarios of a dataset for the pickers, newest change first."""
    return [{"label": f"{s.name} · {s.year} · {s.n_chosen} desa · v{s.version}", "value": s.id}
            for s in store.find(dataset_id)]


def active_ref(scenario: Scenario) -> dict:
    """What the browser keeps of the active scenario."""
    return {"id": scenario.id, "version": scenario.version, "name": scenario.name}


def controls_from_config(config: ScoringConfig) -> tuple:
    """Control values restoring a saved configuration (order of the load outputs)."""
    return (config.year, list(config.indicators), dict(config.weights), config.method,
            config.normalisation, config.smoothing, config.min_n, config.missing,
            config.hotspot_criterion, config.top_n, config.max_per_kecamatan,
            config.min_one_per_kecamatan,
            {"in": dict(config.force_in), "out": dict(config.force_out)})


def audit_rows(store: Store, scenario_id: int, names: dict[str, str]) -> list[dict]:
    """Audit log rows, newest first."""
    return [{"waktu": e.at.strftime("%Y-%m-%d %H:%M"), "oleh": e.who, "aksi": e.action,
             "desa": f"{names.get(e.code, e.code)} ({e.code})" if e.code else "",
             "alasan": e.reason} for e in reversed(store.audit(scenario_id))]


def target_rows(dataset, overrides) -> list[dict]:
    """Coverage indicators of the dataset with catalogue and scenario targets."""
    arah = {"higher_better": "makin tinggi makin baik", "higher_worse": "makin tinggi makin buruk"}
    return [{"id": i.id, "label": i.label_id, "arah": arah.get(i.direction, i.direction),
             "katalog": i.target, "skenario": overrides.get(i.id)}
            for i in dataset.indicators if i.kind == "coverage"]


def plan_rows(items) -> list[dict]:
    """Plan items as grid rows (JSON-safe)."""
    return [item.to_dict() for item in items]


def compare_layer(diff_frame, codes: list[str]):
    """Map patch and legend for a scenario comparison."""
    status = dict(zip(diff_frame["kode"], diff_frame["status"], strict=True))
    index = np.array([next((i for i, (k, _l, _c) in enumerate(COMPARE_CLASSES)
                            if status.get(code) == k), -1) for code in codes])
    fig = Patch()
    fig["data"][VILLAGE_TRACE]["z"] = index.tolist()
    fig["data"][VILLAGE_TRACE]["zmax"] = len(COMPARE_CLASSES) - 1
    fig["data"][VILLAGE_TRACE]["colorscale"] = stepped_colourscale([c for _k, _l, c in COMPARE_CLASSES])
    fig["data"][VILLAGE_TRACE]["text"] = [status.get(code, "tidak di kedua daftar") for code in codes]
    entries = [(c, label, int((index == i).sum())) for i, (_k, label, c) in enumerate(COMPARE_CLASSES)]
    legend = legend_box("Perbandingan skenario", "aktif → pembanding", entries,
                        (NO_DATA_COLOUR, "Tidak di kedua daftar", int((index == -1).sum())))
    return fig, legend


def register(app: Dash, registry: Registry, store: Store) -> None:
    """Wire the decide & deliver panel."""

    def current(dataset_id, config) -> tuple[ScoringResult, list[ChosenVillage]]:
        result = registry.score(dataset_id, config)
        return result, chosen_from_result(result)

    @app.callback(
        Output(ids.STORE_SCENARIO, "data"), Output(ids.SCN_STATUS, "children"),
        Output(ids.SCN_LIST, "options"), Output(ids.SCN_COMPARE, "options"),
        Input(ids.SCN_SAVE_NEW, "n_clicks"), Input(ids.SCN_RENAME, "n_clicks"),
        Input(ids.SCN_DUPLICATE, "n_clicks"), Input(ids.SCN_DELETE, "n_clicks"),
        Input(ids.SCN_UPDATE, "n_clicks"), Input(ids.STORE_DATASET, "data"),
        State(ids.SCN_NAME, "value"), State(ids.SCN_AUTHOR, "value"), State(ids.SCN_LIST, "value"),
        State(ids.SCN_REASON, "value"), State(ids.SCN_NOTES, "value"), State(ids.STORE_CONFIG, "data"),
        State(ids.STORE_SCENARIO, "data"),
    )
    def _write(_new, _rename, _dup, _delete, _update, dataset_id, name, author, picked, reason,
               notes, config, active):
        dataset_id = dataset_id or registry.default_id
        trigger = ctx.triggered_id
        author = (author or "").strip()
        try:
            if trigger in (None, ids.STORE_DATASET):
                out, msg = no_update, ""
            elif not author:
                raise InputError("isi nama penyusun dulu: setiap perubahan dicatat atas nama siapa")
            elif trigger == ids.SCN_SAVE_NEW:
                if not config:
                    raise InputError("belum ada hasil skoring untuk disimpan")
                result, chosen = current(dataset_id, config)
                sc = store.save_new(name or "", dataset_id, result.config, chosen, author=author,
                                    notes=notes or "")
                out, msg = active_ref(sc), f"Skenario '{sc.name}' disimpan ({len(chosen)} desa)."
            elif trigger == ids.SCN_UPDATE:
                if not active:
                    raise InputError("belum ada skenario aktif: simpan sebagai skenario baru dulu")
                result, chosen = current(dataset_id, config)
                sc = store.update_config(active["id"], result.config, chosen, author=author,
                                         reason=reason or "", expected_version=active["version"])
                if (notes or "") != sc.notes:
                    sc = store.set_notes(sc.id, notes or "", author=author, expected_version=sc.version)
                out, msg = active_ref(sc), f"Perubahan disimpan ke '{sc.name}' (versi {sc.version})."
            else:
                if not picked:
                    raise InputError("pilih skenario dulu")
                if trigger == ids.SCN_RENAME:
                    sc = store.rename(picked, name or "", author=author)
                    out = active_ref(sc) if active and active["id"] == sc.id else no_update
                    msg = f"Nama diganti menjadi '{sc.name}'."
                elif trigger == ids.SCN_DUPLICATE:
                    sc = store.duplicate(picked, name or "", author=author)
                    out, msg = active_ref(sc), f"Duplikat '{sc.name}' dibuat dan aktif."
                else:
                    store.delete(picked, author=author, reason=reason or "")
                    out = None if active and active["id"] == picked else no_update
                    msg = "Skenario dihapus (catatannya tetap di log)."
        except InputError as exc:
            return no_update, alert(str(exc), "danger"), no_update, no_update
        options = scenario_options(store, dataset_id)
        return out, (alert(msg) if msg else ""), options, options

    @app.callback(
        Output(ids.STORE_SCENARIO, "data", allow_duplicate=True),
        Output(ids.SCN_STATUS, "children", allow_duplicate=True),
        Output(ids.SCN_LIST, "options", allow_duplicate=True),
        Output(ids.SCORE_YEAR, "value", allow_duplicate=True),
        Output(ids.SCORE_INDICATORS, "value", allow_duplicate=True),
        Output(ids.STORE_WEIGHTS_SET, "data", allow_duplicate=True),
        Output(ids.SCORE_METHOD, "value", allow_duplicate=True),
        Output(ids.SCORE_NORMALISATION, "value", allow_duplicate=True),
        Output(ids.SCORE_SMOOTHING, "value", allow_duplicate=True),
        Output(ids.SCORE_MIN_N, "value", allow_duplicate=True),
        Output(ids.SCORE_MISSING, "value", allow_duplicate=True),
        Output(ids.SCORE_HOTSPOT, "value", allow_duplicate=True),
        Output(ids.SCORE_TOP_N, "value", allow_duplicate=True),
        Output(ids.SCORE_MAX_PER_KEC, "value", allow_duplicate=True),
        Output(ids.SCORE_MIN_ONE, "value", allow_duplicate=True),
        Output(ids.STORE_FORCED, "data", allow_duplicate=True),
        Output(ids.STORE_CONFIG_BASE, "data"),
        Input(ids.SCN_LOAD, "n_clicks"), Input(ids.SCN_UPLOAD_JSON, "contents"),
        State(ids.SCN_UPLOAD_JSON, "filename"), State(ids.SCN_LIST, "value"),
        State(ids.SCN_AUTHOR, "value"), State(ids.STORE_DATASET, "data"),
        prevent_initial_call=True,
    )
    def _load(_n, contents, filename, picked, author, dataset_id):
        dataset_id = dataset_id or registry.default_id
        try:
            if ctx.triggered_id == ids.SCN_UPLOAD_JSON:
                data, name = decode_upload(contents, filename, allowed=(".json",),
                                           max_bytes=2_000_000)
                if not (author or "").strip():
                    raise InputError("isi nama penyusun dulu: impor dicatat atas nama siapa", file=name)
                sc = store.import_json(data, author=author.strip())
                if sc.dataset_id != dataset_id:
                    raise InputError(f"skenario ini untuk dataset '{sc.dataset_id}'", file=name)
                msg = f"Skenario '{sc.name}' diimpor dari {name} dan aktif."
            else:
                if not picked:
                    raise InputError("pilih skenario dulu")
                sc = store.get(picked)
                msg = f"Skenario '{sc.name}' dimuat (versi {sc.version})."
            registry.get(dataset_id).indicator(sc.config.indicators[0], sc.config.year)
        except InputError as exc:
            return (no_update, alert(str(exc), "danger")) + (no_update,) * 15
        return (active_ref(sc), alert(msg), scenario_options(store, dataset_id),
                *controls_from_config(sc.config), sc.config.to_dict())

    @app.callback(
        Output(ids.SCN_AUDIT, "rowData"), Output(ids.SCN_NOTES, "value"),
        Output(ids.PLAN_GRID, "rowData"), Output(ids.PLAN_STATUS, "children"),
        Output(ids.TARGET_GRID, "rowData"),
        Input(ids.STORE_SCENARIO, "data"), Input(ids.STORE_CONFIG, "data"),
        Input(ids.PLAN_REDRAFT, "n_clicks"), State(ids.STORE_DATASET, "data"),
    )
    def _view(active, config, _redraft, dataset_id):
        dataset = registry.get(dataset_id)
        names = dict(zip(dataset.villages["kode"], dataset.villages["nama"], strict=True))
        redraft = ctx.triggered_id == ids.PLAN_REDRAFT
        if active:
            try:
                sc = store.get(active["id"])
            except InputError:
                return [], "", [], "", []
            audit, targets = audit_rows(store, sc.id, names), target_rows(dataset, sc.targets)
            saved = [] if redraft else store.plan(sc.id)
            if saved:
                return audit, sc.notes, plan_rows(saved), \
                    f"Rencana tersimpan di '{sc.name}': {len(saved)} kegiatan.", targets
            plan = draft_plan(dataset, registry.score(dataset_id, sc.config.to_dict()),
                              targets=sc.targets, chosen=sc.codes)
            return audit, sc.notes, plan_rows(plan), \
                " ".join(("Draf otomatis (belum disimpan).", *plan.notes)), targets
        if not config:
            return [], no_update, [], "", target_rows(dataset, {})
        plan = draft_plan(dataset, registry.score(dataset_id, config))
        return [], no_update, plan_rows(plan), " ".join(("Draf otomatis dari rekomendasi saat ini.",
                                                         *plan.notes)), target_rows(dataset, {})

    @app.callback(Output(ids.PLAN_STATUS, "children", allow_duplicate=True),
                  Output(ids.STORE_SCENARIO, "data", allow_duplicate=True),
                  Input(ids.TARGET_SAVE, "n_clicks"), State(ids.TARGET_GRID, "virtualRowData"),
                  State(ids.STORE_SCENARIO, "data"), State(ids.SCN_AUTHOR, "value"),
                  prevent_initial_call=True)
    def _targets_save(_n, rows, active, author):
        try:
            author = require_active(active, author, "target")
            targets = {r["id"]: float(r["skenario"]) for r in rows or []
                       if r.get("skenario") not in (None, "")}
            sc = store.set_targets(active["id"], targets, author=author,
                                   expected_version=active["version"])
        except (InputError, ValueError) as exc:
            return alert(str(exc), "danger"), no_update
        return alert(f"Target disimpan ({len(targets)} diubah dari katalog). Klik 'Susun ulang "
                     "draf dari target' untuk memperbarui rencana."), active_ref(sc)

    @app.callback(Output(ids.PLAN_GRID, "rowTransaction"), Input(ids.PLAN_ADD, "n_clicks"),
                  State(ids.STORE_SELECTED, "data"), State(ids.STORE_DATASET, "data"),
                  prevent_initial_call=True)
    def _plan_add(_n, code, dataset_id):
        villages = registry.get(dataset_id).villages.set_index("kode")
        row = villages.loc[code] if code in villages.index else None
        return {"add": [{"kode": code or "", "nama": "" if row is None else row["nama"],
                         "kecamatan": "" if row is None else row["nama_kec"],
                         "kegiatan": "", "opd": "", "source": "manual"}]}

    @app.callback(Output(ids.PLAN_STATUS, "children", allow_duplicate=True),
                  Output(ids.STORE_SCENARIO, "data", allow_duplicate=True),
                  Input(ids.PLAN_SAVE, "n_clicks"), State(ids.PLAN_GRID, "virtualRowData"),
                  State(ids.STORE_SCENARIO, "data"), State(ids.SCN_AUTHOR, "value"),
                  prevent_initial_call=True)
    def _plan_save(_n, rows, active, author):
        try:
            author = require_active(active, author, "rencana")
            items = [PlanItem.from_dict(r) for r in rows or [] if (r.get("kegiatan") or "").strip()]
            saved = store.save_plan(active["id"], items, author=author)
        except InputError as exc:
            return alert(str(exc), "danger"), no_update
        sc = store.get(active["id"])
        return alert(f"Rencana disimpan: {len(saved)} kegiatan."), active_ref(sc)

    @app.callback(
        Output(ids.SCN_COMPARE_TABLE, "children"),
        Output(ids.MAP_GRAPH, "figure", allow_duplicate=True),
        Output(ids.MAP_LEGEND, "children", allow_duplicate=True),
        Input(ids.SCN_COMPARE, "value"), Input(ids.MAP_LAYER, "value"),
        Input(ids.STORE_SCENARIO, "data"), Input(ids.STORE_CONFIG, "data"),
        State(ids.STORE_DATASET, "data"), prevent_initial_call=True,
    )
    def _compare(other, layer, active, config, dataset_id):
        if not other or not config:
            return "", no_update, no_update
        dataset = registry.get(dataset_id)
        base = store.get(active["id"]).chosen if active else current(dataset_id, config)[1]
        diff = compare_lists(base, store.get(other).chosen)
        frame = diff.to_frame(dataset.villages)
        table = dbc.Table.from_dataframe(
            frame.rename(columns={"kode": "Kode", "nama": "Desa", "nama_kec": "Kecamatan",
                                  "status": "Status", "alasan": "Alasan"}),
            size="sm", striped=True, className="small")
        head = html.Div(f"{len(diff.entering)} masuk, {len(diff.leaving)} keluar, "
                        f"{len(diff.both)} tetap.", className="fw-semibold")
        if layer != "banding":
            return [head, table], no_update, no_update
        fig, legend = compare_layer(frame, dataset.villages["kode"].tolist())
        return [head, table], fig, legend

    @app.callback(Output(ids.PREV_TABLE, "children"), Input(ids.PREV_UPLOAD, "contents"),
                  State(ids.PREV_UPLOAD, "filename"), State(ids.STORE_CONFIG, "data"),
                  State(ids.STORE_SCENARIO, "data"), State(ids.SCN_AUTHOR, "value"),
                  State(ids.STORE_DATASET, "data"), prevent_initial_call=True)
    def _previous(contents, filename, config, active, author, dataset_id):
        dataset = registry.get(dataset_id)
        try:
            data, name = decode_upload(contents, filename, allowed=(".csv", ".xlsx"))
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / name
                path.write_bytes(data)
                previous = read_previous_list(path, dataset.villages, display_name=name)
            if not config:
                raise InputError("belum ada hasil skoring untuk dibandingkan")
            table = continuity(previous, registry.score(dataset_id, config), dataset)
            if active and (author or "").strip():
                store.set_previous(active["id"], previous, author=author.strip())
        except InputError as exc:
            return alert(str(exc), "danger")
        counts = table["status"].value_counts()
        changes = [c for c in table.columns if c.endswith("__perubahan")]
        shown = table[["kode", "nama", "nama_kec", "status", *changes]].copy()
        for col in changes:  # Indonesian number style, signed: a change
            shown[col] = [format_number(v, 1) for v in shown[col]]
        shown = shown.rename(
            columns={"kode": "Kode", "nama": "Desa", "nama_kec": "Kecamatan", "status": "Status",
                     **{c: "Δ " + dataset.indicator(c.removesuffix("__perubahan")).label_id
                        for c in changes}})
        return [html.Div(f"{counts.get('baru', 0)} baru, {counts.get('lanjutan', 0)} lanjutan, "
                         f"{counts.get('lulus', 0)} lulus.", className="fw-semibold"),
                *[html.Div(n, className="text-muted") for n in previous.notes],
                *([html.Div(f"{len(previous.unmatched)} baris tidak cocok dengan desa mana pun "
                            "(lihat berkas).", className="text-danger")]
                  if len(previous.unmatched) else []),
                dbc.Table.from_dataframe(shown, size="sm", striped=True, className="small")]

    @app.callback(
        Output(ids.EXPORT_DOWNLOAD, "data"), Output(ids.EXPORT_STATUS, "children"),
        Input({"type": "export", "format": ALL}, "n_clicks"),
        State(ids.STORE_CONFIG, "data"), State(ids.STORE_SCENARIO, "data"),
        State(ids.SCN_AUTHOR, "value"), State(ids.EXPORT_PLACE, "value"),
        State(ids.EXPORT_DATE, "value"), State(ids.EXPORT_SIGNER, "value"),
        State(ids.EXPORT_NIP, "value"), State(ids.EXPORT_YEAR, "value"),
        State(ids.STORE_DATASET, "data"), State(ids.STORE_LANG, "data"), prevent_initial_call=True,
    )
    def _export(clicks, config, active, author, place, date_text, signer, nip, lokus_year,
                dataset_id, lang):
        if not ctx.triggered_id or not any(clicks):
            raise PreventUpdate
        fmt = ctx.triggered_id["format"]
        dataset = registry.get(dataset_id)
        try:
            if active:
                sc = store.get(active["id"])
                result = registry.score(dataset_id, sc.config.to_dict())
                chosen = [{"kode": v.kode, "alasan": v.alasan} for v in sc.chosen]
                plan, meta = store.plan(sc.id), {"name": sc.name, "author": sc.author,
                                                 "notes": sc.notes, "created_at": sc.created_at}
                source = f"skenario '{sc.name}' (versi {sc.version})"
            elif config:
                result = registry.score(dataset_id, config)
                chosen, plan, meta = None, list(draft_plan(dataset, result)), {"author": author or ""}
                source = "rekomendasi saat ini (belum disimpan sebagai skenario)"
            else:
                raise InputError("belum ada hasil skoring")
            if fmt == "json" and active:  # the stored scenario with its plan and last year's list
                data, filename = store.export_json(sc.id).encode(), safe_filename(f"{sc.name}.json")
            else:
                data, filename, _mime = export(
                    "csv" if fmt == "csv_semicolon" else fmt, result, dataset, chosen=chosen,
                    plan=plan, sep=";" if fmt == "csv_semicolon" else ",", place=place or "",
                    date_text=date_text or "", signer_name=signer or "", nip=nip or "",
                    lokus_year=int(lokus_year) if lokus_year else None, lang=lang_of(lang), **meta)
        except InputError as exc:
            return no_update, alert(str(exc), "danger")
        return dcc.send_bytes(data, filename), alert(f"{filename} dibuat dari {source}.")
