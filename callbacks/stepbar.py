"""The step bar (layouts/stepbar.py): statuses from the small stores and the scenario
database, clicks that open a step's tab or section, and the remembered author's name."""

from __future__ import annotations

import json

from dash import ALL, Dash, Input, Output, State

from geo.core.errors import InputError
from geo.core.i18n import lang_of
from geo.store.model import chosen_from_result
from geo.store.scenarios import Store
from geo.view.progress import STEPS, FlowFacts, flow_status, same_config
from geo.view.registry import Registry
from layouts import ids
from layouts.stepbar import STEP_SECTIONS, STEP_TABS, current_step, scenario_line, status_line, step_class

# A click opens the step's tab (or the presenter at its first step) and scrolls to its
# section once the tab is shown; the step is kept so the bar knows which section is meant.
GO_TO_STEP = """
function (clicks) {
    const nu = window.dash_clientside.no_update;
    const trig = window.dash_clientside.callback_context.triggered;
    if (!trig || !trig.length || !trig[0].value) { return [nu, nu, nu]; }
    const step = JSON.parse(trig[0].prop_id.split(".n_clicks")[0]).step;
    const tabs = __TABS__, sections = __SECTIONS__;
    window.setTimeout(function () {
        const target = sections[step] ? document.getElementById(sections[step]) : null;
        if (target) { target.scrollIntoView({block: "start"}); }
        else if (tabs[step]) { window.scrollTo(0, 0); }
    }, 120);
    if (!tabs[step]) { return [nu, 1, step]; }
    return [tabs[step], nu, step];
}
""".replace("__TABS__", json.dumps(STEP_TABS)).replace("__SECTIONS__", json.dumps(STEP_SECTIONS))

# What was downloaded, with the scenario (id, version) it was made from: a later change
# makes the download stale, and the bar says so again.
RECORD_DOWNLOAD = """
function (exported, berita, active, done) {
    const out = Object.assign({}, done || {});
    const ref = active ? [active.id, active.version] : null;
    const trig = (window.dash_clientside.callback_context.triggered || []).map(t => t.prop_id);
    if (exported && exported.filename && trig.includes("__EXPORT__.data")) {
        out.export = {file: exported.filename, ref: ref};
    }
    if (berita && berita.filename && trig.includes("__BA__.data")) {
        out.berita_acara = {file: berita.filename, ref: ref};
    }
    return out;
}
""".replace("__EXPORT__", ids.EXPORT_DOWNLOAD).replace("__BA__", ids.PRESENT_BA_FILE)


def download_of(done: dict | None, kind: str, active: dict | None) -> str | None:
    """File name of a download still matching the active scenario (``None``: none, or made
    from another scenario or version)."""
    entry = (done or {}).get(kind)
    if not entry:
        return None
    ref = [active["id"], active["version"]] if active else None
    return entry.get("file") if entry.get("ref") == ref else None


def register(app: Dash, registry: Registry, store: Store) -> None:
    """Wire the step bar."""
    app.clientside_callback(GO_TO_STEP, Output(ids.TABS, "active_tab", allow_duplicate=True),
                            Output(ids.PRESENT_STEP, "data", allow_duplicate=True),
                            Output(ids.STORE_FLOW_STEP, "data"),
                            Input(ids.flow_step(ALL), "n_clicks"), prevent_initial_call=True)
    app.clientside_callback(RECORD_DOWNLOAD, Output(ids.STORE_FLOW_DONE, "data"),
                            Input(ids.EXPORT_DOWNLOAD, "data"), Input(ids.PRESENT_BA_FILE, "data"),
                            State(ids.STORE_SCENARIO, "data"), State(ids.STORE_FLOW_DONE, "data"),
                            prevent_initial_call=True)

    def facts(dataset_id: str, config, active, meeting, done) -> tuple[FlowFacts, bool]:
        dataset = registry.get(dataset_id)
        coverage = [i for i in dataset.indicators if i.kind == "coverage"]
        try:
            n_chosen = len(chosen_from_result(registry.score(dataset_id, config))) if config else None
        except InputError:
            n_chosen = None
        sc, n_plan = None, 0
        if active:
            try:
                sc = store.get(active["id"])
                n_plan = len(store.plan(sc.id))
            except InputError:  # deleted meanwhile
                sc = None
        unsaved = sc is not None and bool(config) and not same_config(config, sc.config.to_dict())
        return FlowFacts(
            n_villages=len(dataset.villages), n_kecamatan=len(dataset.kecamatan),
            has_coverage=bool(coverage), coverage_synthetic=dataset.coverage_synthetic,
            n_chosen=n_chosen, scenario=sc.name if sc else None, version=sc.version if sc else None,
            unsaved=unsaved, n_plan=n_plan, meeting=bool(meeting),
            berita_acara=download_of(done, "berita_acara", active),
            export=download_of(done, "export", active)), unsaved

    @app.callback(
        Output(ids.flow_state(ALL), "children"), Output(ids.flow_step(ALL), "className"),
        Output(ids.FLOW_SCENARIO, "children"), Output(ids.DECIDE_ACTIVE, "children"),
        Input(ids.STORE_CONFIG, "data"), Input(ids.STORE_SCENARIO, "data"),
        Input(ids.TABS, "active_tab"), Input(ids.PRESENT_STEP, "data"),
        Input(ids.STORE_FLOW_STEP, "data"), Input(ids.STORE_FLOW_DONE, "data"),
        Input(ids.PRESENT_MEETING, "data"), State(ids.STORE_DATASET, "data"),
        State(ids.STORE_LANG, "data"),
    )
    def _flow(config, active, tab, present_step, clicked, done, meeting, dataset_id, lang):
        lang = lang_of(lang)
        flow, unsaved = facts(dataset_id or registry.default_id, config, active, meeting, done)
        steps = flow_status(flow, current_step(tab, bool(present_step), clicked))
        assert [s.key for s in steps] == list(STEPS)
        line = scenario_line(flow.scenario, flow.version, unsaved, lang)
        return ([status_line(s, lang) for s in steps], [step_class(s) for s in steps],
                line, line)
