"""The view in the URL: control changes write the query (one history entry each), Back and
Forward write it back into the controls, and a link's scenario is loaded once.

The page is built per request from the query (app.py), so opening a link needs no callback;
these callbacks keep the URL in step afterwards. Loops cannot start: one callback owns both
directions (Dash never re-runs a callback for its own outputs), and a query equal to the
current one is not written again.

The active scenario has one source of truth, ``STORE_SCENARIO``; the URL's ``scenario`` only
mirrors it. The URL leads only when it was not written by this page: the link the page was
opened with (read once) and Back/Forward (``_sync`` passes the URL's scenario on through
``STORE_URL_SCENARIO``). It is never re-applied on a plain change: *Muat* of another scenario
changes the weights while the URL still names the old one for a moment (issue 11).
"""

from __future__ import annotations

import logging

from dash import Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.decide import active_ref, config_outputs, controls_from_config
from callbacks.errors import alert
from geo.core.errors import InputError
from geo.core.i18n import DEFAULT_LANG, lang_of
from geo.store.scenarios import Store
from geo.view.registry import Registry
from geo.view.viewstate import ViewState, parse_query, resolve_view, scenario_of, to_query, with_lang
from layouts import ids
from layouts.dataset_view import view_choices
from layouts.shell import other_lang
from layouts.text import t

log = logging.getLogger(__name__)

#: Controls restored from the URL: (id, property), in the order of the sync callback.
CONTROLS = ((ids.FILTER_INDICATOR, "value"), (ids.FILTER_YEAR, "value"),
            (ids.FILTER_KECAMATAN, "value"), (ids.TABS, "active_tab"))
STEP = (ids.PRESENT_STEP, "data")

# Back/Forward to another dataset or language needs a new page (the layout depends on both):
# reload it; the server builds it from the query.
RELOAD_IF_PAGE_CHANGED = """
function (search, dataset, lang) {
    const q = new URLSearchParams(search || "");
    const wanted = q.get("dataset");
    const wantedLang = q.get("lang") === "en" ? "en" : "id";
    if ((wanted && wanted !== dataset) || wantedLang !== (lang || "id")) {
        window.location.reload();
    }
}
"""


def current_query(dataset_id: str, indicator: str, year, kecamatan: str | None, page: str,
                  scenario: dict | None, step, lang: str) -> str:
    """The query string describing the controls' current values."""
    return to_query(ViewState(
        dataset=dataset_id, year=int(year), indicator=indicator, kecamatan=kecamatan or None,
        page=page or ids.TAB_IDS[0], scenario=(scenario or {}).get("id"), step=int(step or 0),
        lang=lang_of(lang)))


def controls_from_query(registry: Registry, search: str, dataset_id: str,
                        current: list) -> list:
    """New control values for a query reached by Back/Forward (``no_update`` where equal,
    validated like a fresh page); ``current`` = values in :data:`CONTROLS` order (+ step)."""
    view = resolve_view(parse_query(search), dataset_id,
                        view_choices(registry.get(dataset_id), ids.TAB_IDS))
    wanted = [view.indicator, view.year, view.kecamatan, view.page, view.step][:len(current)]
    return [no_update if new == old else new for new, old in zip(wanted, current, strict=True)]


def scenario_to_restore(search: str | None, active: dict | None) -> int | None:
    """The scenario id the URL asks for when it is not the active one already."""
    wanted = scenario_of(parse_query(search))
    return wanted if wanted and wanted != (active or {}).get("id") else None


#: ``STORE_URL_SCENARIO`` once the request in it is handled (nothing pending).
HANDLED = {"id": None}


def history_request(search: str | None, active: dict | None):
    """What Back/Forward to ``search`` asks the restore callback to load (``no_update`` when
    the URL's scenario is none or the active one)."""
    wanted = scenario_to_restore(search, active)
    return {"id": wanted} if wanted else no_update


def scenario_wanted(from_history: bool, request: dict | None, search: str | None,
                    active: dict | None) -> int | None:
    """The scenario to load because the URL asks for it, else ``None``.

    ``from_history``: Back/Forward put the URL's scenario in ``request``. Otherwise (new
    default weights) only the page's own link counts, and only while it is unread (``request``
    still ``None``): later the URL merely follows the active scenario and may be stale.
    """
    if from_history:
        wanted = (request or {}).get("id")
        return wanted if wanted and wanted != (active or {}).get("id") else None
    return scenario_to_restore(search, active) if request is None else None


def component_ids(app: Dash) -> set:
    """Ids in the app's default page (the layout is a function: build it once)."""
    layout = app.layout() if callable(app.layout) else app.layout
    return {c.id for c in layout._traverse() if isinstance(getattr(c, "id", None), str)}


def register(app: Dash, registry: Registry, store: Store) -> None:
    """Wire URL ↔ controls, the language link and the scenario of a shared link."""
    # presenter mode adds its step store in its own layout; follow it once it is there
    controls = [*CONTROLS, STEP] if ids.PRESENT_STEP in component_ids(app) else list(CONTROLS)

    @app.callback(
        Output(ids.URL, "search"),
        *[Output(cid, prop, allow_duplicate=True) for cid, prop in controls],
        Output(ids.STORE_URL_SCENARIO, "data", allow_duplicate=True),
        Input(ids.URL, "search"),
        *[Input(cid, prop) for cid, prop in controls],
        Input(ids.STORE_SCENARIO, "data"), Input(ids.STORE_DATASET, "data"),
        State(ids.STORE_LANG, "data"),
        prevent_initial_call=True,
    )
    def _sync(search, *values):
        *current, scenario, dataset_id, lang = values
        dataset_id = dataset_id or registry.default_id
        step = current[4] if len(current) > 4 else 0
        if ctx.triggered_id == ids.URL:  # Back/Forward: the URL leads, the controls follow
            return [no_update, *controls_from_query(registry, search, dataset_id, current),
                    history_request(search, scenario)]
        query = current_query(dataset_id, current[0], current[1], current[2], current[3],
                              scenario, step, lang)
        return [no_update if query == search else query, *[no_update] * len(current), no_update]

    app.clientside_callback(RELOAD_IF_PAGE_CHANGED, Input(ids.URL, "search"),
                            State(ids.STORE_DATASET, "data"), State(ids.STORE_LANG, "data"),
                            prevent_initial_call=True)

    @app.callback(Output(ids.LANG_SWITCH, "href"), Input(ids.URL, "search"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    def _lang_link(search, lang):
        return with_lang(search, other_lang(lang))

    # The page's link: runs after the preset callback has set the default weights (its input),
    # so the scenario's indicators and weights are the last word on a freshly opened link.
    # Back/Forward: runs on the request _sync passes on. Never on other weight changes (the
    # URL may still name the previous scenario then).
    @app.callback(
        Output(ids.STORE_SCENARIO, "data", allow_duplicate=True),
        Output(ids.SCN_STATUS, "children", allow_duplicate=True),
        Output(ids.SCN_LIST, "value", allow_duplicate=True),
        *config_outputs(),
        Output(ids.STORE_CONFIG_BASE, "data", allow_duplicate=True),
        Output(ids.STORE_URL_SCENARIO, "data"),
        Input(ids.STORE_WEIGHTS_SET, "data"), Input(ids.STORE_URL_SCENARIO, "data"),
        State(ids.URL, "search"), State(ids.STORE_SCENARIO, "data"),
        State(ids.STORE_DATASET, "data"), State(ids.STORE_LANG, "data"),
        prevent_initial_call=True,
    )
    def _restore_scenario(_weights, request, search, active, dataset_id, lang):
        from_history = ctx.triggered_id == ids.STORE_URL_SCENARIO
        if not from_history and request is not None:
            raise PreventUpdate  # the link was read: the URL follows the store from now on
        nothing = (no_update,) * (len(config_outputs()) + 4) + (HANDLED,)
        scenario_id = scenario_wanted(from_history, request, search, active)
        if scenario_id is None:
            return nothing
        dataset_id = dataset_id or registry.default_id
        try:
            sc = store.get(scenario_id)
            if sc.dataset_id == dataset_id:  # a link to another dataset's scenario is ignored
                registry.get(dataset_id).indicator(sc.config.indicators[0], sc.config.year)
        except InputError as exc:
            log.info("scenario from the URL not loaded: %s", exc)
            return nothing
        if sc.dataset_id != dataset_id:
            log.info("scenario %s from the URL belongs to %s", scenario_id, sc.dataset_id)
            return nothing
        message = t("shell.scenario_from_link", lang or DEFAULT_LANG, name=sc.name,
                    version=sc.version)
        return (active_ref(sc), alert(message, "success"), sc.id, *controls_from_config(sc.config),
                sc.config.to_dict(), HANDLED)
