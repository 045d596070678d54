"""Decide & deliver callbacks: scenarios in the database, audit, comparison, last year's list,
Aksi 2 plan and exports. The browser holds only the active scenario's id and version."""

from __future__ import annotations

import tempfile
from pathlib import Path

import dash_bootstrap_components as dbc
import numpy as np
from dash import ALL, Dash, Input, Output, Patch, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from callbacks.access import author as signed_in
from callbacks.analytics import content_for_export
from callbacks.errors import MESSAGE, alert, input_errors
from callbacks.map_layers import compare_placeholder
from geo.core.errors import InputError
from geo.core.i18n import format_date, format_number, lang_of
from geo.core.messages import render_all
from geo.decide.continuity import continuity, read_previous_list
from geo.decide.plan import PlanItem, draft_plan
from geo.export import export, page_buttons, safe_filename
from geo.io.uploads import decode_upload
from geo.scoring.config import ScoringConfig
from geo.scoring.result import ScoringResult
from geo.store.audit import ACTIONS
from geo.store.model import ChosenVillage, Scenario, chosen_from_result, compare_lists
from geo.store.scenarios import Store
from geo.view.registry import Registry
from layouts import ids
from layouts.map_page import legend_box
from layouts.mapfig import NO_DATA_COLOUR, VILLAGE_TRACE, stepped_colourscale
from layouts.text import t

#: Comparison classes (status, colour); labels ``decide.compare.class.<status>``.
COMPARE_CLASSES = [("masuk", "#1a9850"), ("keluar", "#d73027"), ("tetap", "#4575b4")]
#: Grid keys shown but not part of a plan item (dropped before saving).
PLAN_DISPLAY_KEYS = ("indikator",)


def count_text(value: int, lang: str) -> str:
    """A count as text in the language's number style."""
    return format_number(value, 0, lang)


def required_author() -> str:
    """The signed-in account's name: every change is recorded under it (issue 12: never a
    name typed in the page)."""
    name = signed_in()
    if not name:
        raise InputError.of("decide.error.no_author")
    return name


def required_pick(picked: int | None) -> int:
    """The scenario picked in the list."""
    if not picked:
        raise InputError.of("decide.error.pick")
    return picked


def require_active(active: dict | None, what: str) -> str:
    """The author's name, once there is an active scenario to save ``what`` (``targets`` or
    ``plan``) into."""
    if not active:
        raise InputError.of(f"decide.error.no_scenario.{what}")
    return required_author()


def scenario_targets(rows) -> dict[str, float]:
    """Indicator → target typed in the scenario column of the target grid (empty: none)."""
    try:
        return {r["id"]: float(r["skenario"]) for r in rows or [] if r.get("skenario") not in (None, "")}
    except ValueError:
        raise InputError.of("decide.error.target_number") from None


def scenario_options(store: Store, dataset_id: str, lang: str = "id") -> list[dict]:
    """Saved scenarios of a dataset for the pickers, newest change first."""
    return [{"label": t("decide.scenario.option", lang, name=s.name, year=s.year,
                        n=count_text(s.n_chosen, lang), version=s.version), "value": s.id}
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


def action_label(action: str, lang: str = "id") -> str:
    """An audit action (``create``, ``add``, …) in the page language."""
    return t(f"decide.audit.action.{action}", lang) if action in ACTIONS else action


def audit_rows(store: Store, scenario_id: int, names: dict[str, str], lang: str = "id") -> list[dict]:
    """Audit log rows, newest first (names and reasons are data: not translated); ``waktu`` is
    shown, ``at`` sorts."""
    return [{"waktu": f"{format_date(e.at, lang)} {e.at:%H:%M}", "at": e.at.isoformat(), "oleh": e.who,
             "aksi": action_label(e.action, lang),
             "desa": f"{names.get(e.code, e.code)} ({e.code})" if e.code else "",
             "alasan": e.reason} for e in reversed(store.audit(scenario_id))]


def target_rows(dataset, overrides, lang: str = "id") -> list[dict]:
    """Coverage indicators of the dataset with catalogue and scenario targets."""
    directions = ("higher_better", "higher_worse")
    return [{"id": i.id, "label": i.label(lang),
             "arah": t(f"decide.target.direction.{i.direction}", lang)
             if i.direction in directions else i.direction,
             "katalog": i.target, "skenario": overrides.get(i.id)}
            for i in dataset.indicators if i.kind == "coverage"]


def plan_rows(items, dataset=None, lang: str = "id") -> list[dict]:
    """Plan items as grid rows (JSON-safe), with the indicator label in the page language
    for display (``indikator``, dropped again by :func:`plan_items`)."""
    labels = {i.id: i.label(lang) for i in dataset.indicators} if dataset is not None else {}
    return [{**item.to_dict(),
             "indikator": labels.get(item.indicator_id or "", item.indicator)} for item in items]


def plan_items(rows) -> list[PlanItem]:
    """Plan items from edited grid rows: rows without an activity are left out."""
    return [PlanItem.from_dict({k: v for k, v in r.items() if k not in PLAN_DISPLAY_KEYS})
            for r in rows or [] if (r.get("kegiatan") or "").strip()]


def compare_layer(diff_frame, codes: list[str], lang: str = "id"):
    """Map patch and legend for a scenario comparison."""
    status = dict(zip(diff_frame["kode"], diff_frame["status"], strict=True))
    index = np.array([next((i for i, (k, _c) in enumerate(COMPARE_CLASSES)
                            if status.get(code) == k), -1) for code in codes])
    fig = Patch()
    fig["data"][VILLAGE_TRACE]["z"] = index.tolist()
    fig["data"][VILLAGE_TRACE]["zmax"] = len(COMPARE_CLASSES) - 1
    fig["data"][VILLAGE_TRACE]["colorscale"] = stepped_colourscale([c for _k, c in COMPARE_CLASSES])
    neither = t("decide.compare.neither", lang)
    fig["data"][VILLAGE_TRACE]["text"] = [t(f"decide.compare.status.{status[code]}", lang)
                                          if code in status else neither for code in codes]
    entries = [(c, t(f"decide.compare.class.{k}", lang), int((index == i).sum()))
               for i, (k, c) in enumerate(COMPARE_CLASSES)]
    legend = legend_box(t("decide.compare.legend.title", lang),
                        t("decide.compare.legend.subtitle", lang), entries,
                        (NO_DATA_COLOUR, t("decide.compare.neither.legend", lang),
                         int((index == -1).sum())))
    return fig, legend


def column_names(columns, lang: str = "id") -> dict[str, str]:
    """Headers of the comparison and continuity tables (``kode`` → ``Kode``/``Code``, …)."""
    keys = {"kode": "kode", "nama": "desa", "nama_kec": "kecamatan", "status": "status",
            "alasan": "alasan"}
    return {c: t(f"decide.col.{keys[c]}", lang) for c in columns}


def previous_body(table, previous, dataset, lang: str = "id") -> list:
    """Summary, notes and table of last year's list against the current recommendation."""
    counts = table["status"].value_counts()
    changes = [c for c in table.columns if c.endswith("__perubahan")]
    shown = table[["kode", "nama", "nama_kec", "status", *changes]].copy()
    shown["status"] = [t(f"decide.previous.status.{s}", lang) for s in shown["status"]]
    for col in changes:  # the language's number style: a change
        shown[col] = [format_number(v, 1, lang) for v in shown[col]]
    shown = shown.rename(columns={
        **column_names(("kode", "nama", "nama_kec", "status"), lang),
        **{c: t("decide.col.change", lang,
                indicator=dataset.indicator(c.removesuffix("__perubahan")).label(lang))
           for c in changes}})
    return [html.Div(t("decide.previous.summary", lang,
                       **{s: count_text(int(counts.get(s, 0)), lang)
                          for s in ("baru", "lanjutan", "lulus")}), className="fw-semibold"),
            *[html.Div(note, className="text-muted") for note in render_all(previous.notes, lang)],
            *([html.Div(t("decide.previous.unmatched", lang,
                          n=count_text(len(previous.unmatched), lang)), className="text-danger")]
              if len(previous.unmatched) else []),
            dbc.Table.from_dataframe(shown, size="sm", striped=True, className="small")]


def write_outputs() -> list[Output]:
    """What a scenario write sets: the active scenario, the message and both pickers."""
    return [Output(ids.STORE_SCENARIO, "data", allow_duplicate=True),
            Output(ids.SCN_STATUS, "children", allow_duplicate=True),
            Output(ids.SCN_LIST, "options", allow_duplicate=True),
            Output(ids.SCN_COMPARE, "options", allow_duplicate=True)]


#: Outputs of a failed scenario write (the message only).
WRITE_FAILED = (no_update, MESSAGE, no_update, no_update)


def load_outputs() -> list[Output]:
    """What loading or importing a scenario sets: the active scenario, the message, the list,
    the scoring controls and the base configuration."""
    return [Output(ids.STORE_SCENARIO, "data", allow_duplicate=True),
            Output(ids.SCN_STATUS, "children", allow_duplicate=True),
            Output(ids.SCN_LIST, "options", allow_duplicate=True), *config_outputs(),
            Output(ids.STORE_CONFIG_BASE, "data", allow_duplicate=True)]


def config_outputs() -> list[Output]:
    """The scoring controls a loaded scenario sets (in the order of :func:`controls_from_config`);
    used by the load callback here and by the shared-link callback in callbacks/url.py."""
    fields = [(ids.SCORE_YEAR, "value"), (ids.SCORE_INDICATORS, "value"),
              (ids.STORE_WEIGHTS_SET, "data"), (ids.SCORE_METHOD, "value"),
              (ids.SCORE_NORMALISATION, "value"), (ids.SCORE_SMOOTHING, "value"),
              (ids.SCORE_MIN_N, "value"), (ids.SCORE_MISSING, "value"),
              (ids.SCORE_HOTSPOT, "value"), (ids.SCORE_TOP_N, "value"),
              (ids.SCORE_MAX_PER_KEC, "value"), (ids.SCORE_MIN_ONE, "value"),
              (ids.STORE_FORCED, "data")]
    return [Output(i, prop, allow_duplicate=True) for i, prop in fields]


#: Outputs of a failed load or import (the message only).
LOAD_FAILED = (no_update, MESSAGE, *[no_update] * (len(load_outputs()) - 2))


def register(app: Dash, registry: Registry, store: Store) -> None:
    """Wire the decide & deliver panel."""

    def current(dataset_id, config) -> tuple[ScoringResult, list[ChosenVillage]]:
        result = registry.score(dataset_id, config)
        return result, chosen_from_result(result)

    def written(dataset_id: str, active, message: str, lang: str) -> tuple:
        """Outputs of a scenario write: the active scenario, the message, fresh pickers."""
        options = scenario_options(store, dataset_id, lang)
        return active, alert(message, "success"), options, options

    # The pickers of the dataset. It also names the active scenario as an output (never
    # changed): on a freshly opened link the callbacks that follow STORE_SCENARIO then wait for
    # this first call, and the link's scenario (callbacks/url.py) is restored after it.
    @app.callback(Output(ids.STORE_SCENARIO, "data"), Output(ids.SCN_STATUS, "children"),
                  Output(ids.SCN_LIST, "options"), Output(ids.SCN_COMPARE, "options"),
                  Input(ids.STORE_DATASET, "data"), State(ids.STORE_LANG, "data"))
    def _scenarios(dataset_id, lang):
        options = scenario_options(store, dataset_id or registry.default_id, lang_of(lang))
        return no_update, "", options, options

    # "Simpan" writes a new version of the active scenario (no name to retype, the reason is
    # optional); "Simpan sebagai…", or "Simpan" with none active yet, a new one named as typed
    @app.callback(*write_outputs(), Input(ids.SCN_UPDATE, "n_clicks"),
                  Input(ids.SCN_SAVE_NEW, "n_clicks"), State(ids.SCN_NAME, "value"),
                  State(ids.SCN_REASON, "value"),
                  State(ids.SCN_NOTES, "value"), State(ids.STORE_CONFIG, "data"),
                  State(ids.STORE_SCENARIO, "data"), State(ids.STORE_DATASET, "data"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    @input_errors(*WRITE_FAILED)
    def _save_scenario(_n, _n_new, name, reason, notes, config, active, dataset_id, lang):
        dataset_id, lang, author = dataset_id or registry.default_id, lang_of(lang), required_author()
        if not config:
            raise InputError.of("decide.error.no_result_save")
        result, chosen = current(dataset_id, config)
        if not active or ctx.triggered_id == ids.SCN_SAVE_NEW:
            sc = store.save_new(name or "", dataset_id, result.config, chosen, author=author,
                                notes=notes or "")
            return written(dataset_id, active_ref(sc), t("decide.scenario.saved", lang, name=sc.name,
                                                         n=count_text(len(chosen), lang)), lang)
        sc = store.update_config(active["id"], result.config, chosen, author=author,
                                 reason=(reason or "").strip() or t("flow.reason.default", "id"),
                                 expected_version=active["version"])
        if (notes or "") != sc.notes:
            sc = store.set_notes(sc.id, notes or "", author=author, expected_version=sc.version)
        return written(dataset_id, active_ref(sc), t("decide.scenario.updated", lang, name=sc.name,
                                                     version=sc.version), lang)

    @app.callback(*write_outputs(), Input(ids.SCN_RENAME, "n_clicks"),
                  State(ids.SCN_NAME, "value"), State(ids.SCN_LIST, "value"),
                  State(ids.STORE_SCENARIO, "data"), State(ids.STORE_DATASET, "data"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    @input_errors(*WRITE_FAILED)
    def _rename_scenario(_n, name, picked, active, dataset_id, lang):
        lang, author = lang_of(lang), required_author()
        sc = store.rename(required_pick(picked), name or "", author=author)
        renamed_active = active_ref(sc) if active and active["id"] == sc.id else no_update
        return written(dataset_id or registry.default_id, renamed_active,
                       t("decide.scenario.renamed", lang, name=sc.name), lang)

    @app.callback(*write_outputs(), Input(ids.SCN_DUPLICATE, "n_clicks"),
                  State(ids.SCN_NAME, "value"), State(ids.SCN_LIST, "value"),
                  State(ids.STORE_DATASET, "data"), State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    @input_errors(*WRITE_FAILED)
    def _duplicate_scenario(_n, name, picked, dataset_id, lang):
        lang, author = lang_of(lang), required_author()
        sc = store.duplicate(required_pick(picked), name or "", author=author)
        return written(dataset_id or registry.default_id, active_ref(sc),
                       t("decide.scenario.duplicated", lang, name=sc.name), lang)

    @app.callback(*write_outputs(), Input(ids.SCN_DELETE, "n_clicks"),
                  State(ids.SCN_LIST, "value"), State(ids.SCN_REASON, "value"),
                  State(ids.STORE_SCENARIO, "data"), State(ids.STORE_DATASET, "data"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    @input_errors(*WRITE_FAILED)
    def _delete_scenario(_n, picked, reason, active, dataset_id, lang):
        lang, author = lang_of(lang), required_author()
        store.delete(required_pick(picked), author=author, reason=reason or "")
        still_active = None if active and active["id"] == picked else no_update
        return written(dataset_id or registry.default_id, still_active,
                       t("decide.scenario.deleted", lang), lang)

    def loaded(sc: Scenario, dataset_id: str, message: str, lang: str) -> tuple:
        """Outputs of a loaded or imported scenario: its controls, once its data is here."""
        registry.get(dataset_id).indicator(sc.config.indicators[0], sc.config.year)
        return (active_ref(sc), alert(message, "success"), scenario_options(store, dataset_id, lang),
                *controls_from_config(sc.config), sc.config.to_dict())

    @app.callback(*load_outputs(), Input(ids.SCN_LOAD, "n_clicks"), State(ids.SCN_LIST, "value"),
                  State(ids.STORE_DATASET, "data"), State(ids.STORE_LANG, "data"),
                  prevent_initial_call=True)
    @input_errors(*LOAD_FAILED)
    def _load_scenario(_n, picked, dataset_id, lang):
        lang = lang_of(lang)
        sc = store.get(required_pick(picked))
        return loaded(sc, dataset_id or registry.default_id,
                      t("decide.scenario.loaded", lang, name=sc.name, version=sc.version), lang)

    @app.callback(*load_outputs(), Input(ids.SCN_UPLOAD_JSON, "contents"),
                  State(ids.SCN_UPLOAD_JSON, "filename"), State(ids.STORE_DATASET, "data"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    @input_errors(*LOAD_FAILED)
    def _import_scenario(contents, filename, dataset_id, lang):
        dataset_id, lang = dataset_id or registry.default_id, lang_of(lang)
        data, name = decode_upload(contents, filename, allowed=(".json",), max_bytes=2_000_000)
        if not signed_in():
            raise InputError.of("decide.error.no_author_import", file=name)
        sc = store.import_json(data, author=signed_in())
        if sc.dataset_id != dataset_id:
            raise InputError.of("decide.error.other_dataset", file=name, dataset=sc.dataset_id)
        return loaded(sc, dataset_id, t("decide.scenario.imported", lang, name=sc.name, file=name), lang)

    @app.callback(
        Output(ids.SCN_AUDIT, "rowData"), Output(ids.SCN_NOTES, "value"),
        Output(ids.PLAN_GRID, "rowData"), Output(ids.PLAN_STATUS, "children"),
        Output(ids.TARGET_GRID, "rowData"),
        Input(ids.STORE_SCENARIO, "data"), Input(ids.STORE_CONFIG, "data"),
        Input(ids.PLAN_REDRAFT, "n_clicks"), State(ids.STORE_DATASET, "data"),
        State(ids.STORE_LANG, "data"),
    )
    def _view(active, config, _redraft, dataset_id, lang):
        dataset, lang = registry.get(dataset_id), lang_of(lang)
        names = dict(zip(dataset.villages["kode"], dataset.villages["nama"], strict=True))
        redraft = ctx.triggered_id == ids.PLAN_REDRAFT
        if active:
            try:
                sc = store.get(active["id"])
            except InputError:
                return [], "", [], "", []
            audit = audit_rows(store, sc.id, names, lang)
            targets = target_rows(dataset, sc.targets, lang)
            saved = [] if redraft else store.plan(sc.id)
            if saved:
                return audit, sc.notes, plan_rows(saved, dataset, lang), \
                    t("decide.plan.saved_in", lang, name=sc.name, n=count_text(len(saved), lang)), \
                    targets
            plan = draft_plan(dataset, registry.score(dataset_id, sc.config.to_dict()),
                              targets=sc.targets, chosen=sc.codes)
            return audit, sc.notes, plan_rows(plan, dataset, lang), \
                " ".join((t("decide.plan.draft", lang), *render_all(plan.notes, lang))), targets
        if not config:
            return [], no_update, [], "", target_rows(dataset, {}, lang)
        plan = draft_plan(dataset, registry.score(dataset_id, config))
        return [], no_update, plan_rows(plan, dataset, lang), \
            " ".join((t("decide.plan.draft_current", lang), *render_all(plan.notes, lang))), \
            target_rows(dataset, {}, lang)

    @app.callback(Output(ids.PLAN_STATUS, "children", allow_duplicate=True),
                  Output(ids.STORE_SCENARIO, "data", allow_duplicate=True),
                  Input(ids.TARGET_SAVE, "n_clicks"), State(ids.TARGET_GRID, "virtualRowData"),
                  State(ids.STORE_SCENARIO, "data"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    @input_errors(MESSAGE, no_update)
    def _targets_save(_n, rows, active, lang):
        lang = lang_of(lang)
        author = require_active(active, "targets")
        targets = scenario_targets(rows)
        sc = store.set_targets(active["id"], targets, author=author, expected_version=active["version"])
        return alert(t("decide.target.saved", lang, n=count_text(len(targets), lang)), "success"), \
            active_ref(sc)

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
                  State(ids.STORE_SCENARIO, "data"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    @input_errors(MESSAGE, no_update)
    def _plan_save(_n, rows, active, lang):
        lang = lang_of(lang)
        author = require_active(active, "plan")
        saved = store.save_plan(active["id"], plan_items(rows), author=author)
        sc = store.get(active["id"])
        return alert(t("decide.plan.saved", lang, n=count_text(len(saved), lang)), "success"), \
            active_ref(sc)

    @app.callback(
        Output(ids.SCN_COMPARE_TABLE, "children"),
        Output(ids.MAP_GRAPH, "figure", allow_duplicate=True),
        Output(ids.MAP_LEGEND, "children", allow_duplicate=True),
        Input(ids.SCN_COMPARE, "value"), Input(ids.MAP_LAYER, "value"),
        Input(ids.STORE_SCENARIO, "data"), Input(ids.STORE_CONFIG, "data"),
        State(ids.STORE_DATASET, "data"), State(ids.STORE_LANG, "data"), prevent_initial_call=True,
    )
    def _compare(other, layer, active, config, dataset_id, lang):
        if not other or not config:  # the comparison layer says what to choose, in grey
            if layer != "banding":
                return "", no_update, no_update
            fig, legend = compare_placeholder(len(registry.geometry(dataset_id).codes),
                                              bool(config), lang_of(lang))
            return "", fig, legend
        dataset, lang = registry.get(dataset_id), lang_of(lang)
        base = store.get(active["id"]).chosen if active else current(dataset_id, config)[1]
        diff = compare_lists(base, store.get(other).chosen)
        frame = diff.to_frame(dataset.villages)
        shown = frame.assign(status=[t(f"decide.compare.status.{s}", lang) for s in frame["status"]])
        table = dbc.Table.from_dataframe(
            shown.rename(columns=column_names(("kode", "nama", "nama_kec", "status", "alasan"), lang)),
            size="sm", striped=True, className="small")
        head = html.Div(t("decide.compare.summary", lang, entering=count_text(len(diff.entering), lang),
                          leaving=count_text(len(diff.leaving), lang),
                          both=count_text(len(diff.both), lang)), className="fw-semibold")
        if layer != "banding":
            return [head, table], no_update, no_update
        fig, legend = compare_layer(frame, dataset.villages["kode"].tolist(), lang)
        return [head, table], fig, legend

    @app.callback(Output(ids.PREV_TABLE, "children"), Input(ids.PREV_UPLOAD, "contents"),
                  State(ids.PREV_UPLOAD, "filename"), State(ids.STORE_CONFIG, "data"),
                  State(ids.STORE_SCENARIO, "data"),
                  State(ids.STORE_DATASET, "data"), State(ids.STORE_LANG, "data"),
                  prevent_initial_call=True)
    @input_errors()
    def _previous(contents, filename, config, active, dataset_id, lang):
        dataset, lang = registry.get(dataset_id), lang_of(lang)
        data, name = decode_upload(contents, filename, allowed=(".csv", ".xlsx"))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            previous = read_previous_list(path, dataset.villages, display_name=name)
        if not config:
            raise InputError.of("decide.error.no_result_compare")
        table = continuity(previous, registry.score(dataset_id, config), dataset)
        if active and signed_in():
            store.set_previous(active["id"], previous, author=signed_in())
        return previous_body(table, previous, dataset, lang)

    @app.callback(
        Output(ids.EXPORT_DOWNLOAD, "data"), Output(ids.EXPORT_STATUS, "children"),
        Input(ids.export_button(ALL), "n_clicks"),
        State(ids.STORE_CONFIG, "data"), State(ids.STORE_SCENARIO, "data"),
        State(ids.EXPORT_PLACE, "value"),
        State(ids.EXPORT_DATE, "value"), State(ids.EXPORT_SIGNER, "value"),
        State(ids.EXPORT_NIP, "value"), State(ids.EXPORT_YEAR, "value"),
        State(ids.STORE_ANALYTICS, "data"),  # further analyses run (issue 15): XLSX sheets, PDF page
        State(ids.STORE_DATASET, "data"), State(ids.STORE_LANG, "data"), prevent_initial_call=True,
    )
    @input_errors(no_update, MESSAGE)
    def _export(clicks, config, active, place, date_text, signer, nip, lokus_year,
                analytics, dataset_id, lang):
        if not ctx.triggered_id or not any(clicks):
            raise PreventUpdate
        button = ctx.triggered_id["format"]
        fmt, options = next((f, o) for b, f, o in page_buttons() if b == button)
        dataset, lang = registry.get(dataset_id), lang_of(lang)
        if active:
            sc = store.get(active["id"])
            result = registry.score(dataset_id, sc.config.to_dict())
            chosen = [{"kode": v.kode, "alasan": v.alasan} for v in sc.chosen]
            plan, meta = store.plan(sc.id), {"name": sc.name, "author": sc.author,
                                             "notes": sc.notes, "created_at": sc.created_at}
            source = t("decide.export.source.scenario", lang, name=sc.name, version=sc.version)
        elif config:
            result = registry.score(dataset_id, config)
            chosen, plan, meta = None, list(draft_plan(dataset, result)), {"author": signed_in()}
            source = t("decide.export.source.current", lang)
        else:
            raise InputError.of("decide.error.no_result")
        if fmt == "json" and active:  # the stored scenario with its plan and last year's list
            data, filename = store.export_json(sc.id).encode(), safe_filename(f"{sc.name}.json")
        else:
            data, filename, _mime = export(
                fmt, result, dataset, chosen=chosen, plan=plan, place=place or "",
                date_text=date_text or "", signer_name=signer or "", nip=nip or "",
                lokus_year=int(lokus_year) if lokus_year else None, lang=lang, **options, **meta,
                analytics=content_for_export(registry, store, dataset.id, result, analytics)
                if fmt in ("xlsx", "pdf") else None)
        return dcc.send_bytes(data, filename), \
            alert(t("decide.export.done", lang, file=filename, source=source), "success")
