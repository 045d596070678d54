"""The step bar across the top of the page: Aksi 1 → 2 → 3 in five steps, each saying what is
done (✓) and what is missing, and the active scenario's name with the unsaved-changes marker.

The buttons are built once; callbacks/stepbar.py fills their status lines and classes from
:func:`geo.view.progress.flow_status`, and a click opens the step's tab and section.
"""

from __future__ import annotations

from dash import dcc, html

from geo.core.i18n import DEFAULT_LANG
from geo.view.progress import STEPS, StepStatus
from layouts import ids
from layouts.text import t

#: Step → the tab it opens (``None``: the presenter overlay) and the section scrolled to.
STEP_TABS: dict[str, str | None] = {"situasi": ids.TAB_TABLE, "skoring": ids.TAB_SCORING,
                                    "rencana": ids.TAB_DECIDE, "rembuk": None,
                                    "unduh": ids.TAB_DECIDE}
STEP_SECTIONS = {"rencana": ids.DECIDE_PLAN, "unduh": ids.DECIDE_EXPORTS}
#: Tab → the step it belongs to (the decide tab holds the scenario list of step 2 and the
#: sections of steps 3 and 5: the step clicked last says which one the planner is at).
TAB_STEPS = {ids.TAB_TABLE: "situasi", ids.TAB_DATA: "situasi", ids.TAB_UPLOAD: "situasi",
             ids.TAB_SCORING: "skoring", ids.TAB_QUADRANT: "skoring", ids.TAB_DECIDE: "skoring"}


def current_step(tab: str | None, presenting: bool, clicked: str | None) -> str:
    """The step the planner is at: the presenter is the rembuk; otherwise the step clicked last
    while its tab is still open, else the open tab's step."""
    if presenting:
        return "rembuk"
    if clicked in STEP_TABS and clicked != "rembuk" and STEP_TABS[clicked] == tab:
        return clicked
    return TAB_STEPS.get(tab or "", STEPS[0])


def status_line(status: StepStatus, lang: str = DEFAULT_LANG) -> list:
    """"✓ 277 desa, 26 kecamatan · belum disimpan": done in plain text, missing emphasised."""
    parts: list = []
    for message in status.done:
        parts += [" · "] if parts else []
        parts.append(html.Span(["✓ ", message.render(lang)], className="flow-done-text"))
    for message in status.missing:
        parts += [" · "] if parts else []
        parts.append(html.Span(message.render(lang), className="flow-missing"))
    return parts


def step_class(status: StepStatus) -> str:
    """CSS classes of a step button (state and current step)."""
    return f"flow-step flow-{status.state}" + (" flow-current" if status.current else "")


def scenario_line(name: str | None, version: int | None, unsaved: bool,
                  lang: str = DEFAULT_LANG) -> list:
    """"Skenario aktif: Lokus 2026 (versi 3) ● perubahan belum disimpan"."""
    if not name:
        head = [html.Span(t("flow.scenario.label", lang), className="flow-scenario-label"), " ",
                html.Span(t("flow.scenario.none", lang), className="flow-missing")]
    else:
        head = [html.Span(t("flow.scenario.label", lang), className="flow-scenario-label"), " ",
                html.Strong(name, className="flow-scenario-name"), " ",
                html.Span(f"({t('flow.scenario.version', lang, version=version or 1)})",
                          className="flow-scenario-version")]
    marker = ([" ", html.Span(t("flow.unsaved", lang), className="flow-unsaved",
                              title=t("flow.unsaved.title", lang))] if unsaved else [])
    return head + marker


def step_button(number: int, key: str, lang: str = DEFAULT_LANG) -> html.Li:
    """One step: number, Aksi, label and its status line (filled by the callback)."""
    return html.Li(html.Button([
        html.Span(str(number), className="flow-number", **{"aria-hidden": "true"}),
        html.Span([
            html.Span([html.Span(t(f"flow.aksi.{key}", lang), className="flow-aksi"), " ",
                       html.Span(t(f"flow.step.{key}", lang), className="flow-label")]),
            html.Span(id=ids.flow_state(key), className="flow-state"),
        ], className="flow-text"),
    ], id=ids.flow_step(key), type="button", className="flow-step", title=t(f"flow.step.title.{key}", lang)))


def step_bar(lang: str = DEFAULT_LANG) -> html.Nav:
    """The bar with its stores: the step clicked last and what was downloaded (file names);
    changes are recorded under the signed-in account, so no author's name is kept here."""
    return html.Nav([
        html.Ol([step_button(i, key, lang) for i, key in enumerate(STEPS, start=1)],
                className="flow-steps"),
        html.Div(scenario_line(None, None, False, lang), id=ids.FLOW_SCENARIO,
                 className="flow-scenario small", role="status"),
        dcc.Store(id=ids.STORE_FLOW_STEP, data=None),
        dcc.Store(id=ids.STORE_FLOW_DONE, data={}),
    ], id=ids.FLOW_BAR, className="flow-bar", **{"aria-label": t("flow.aria", lang)})

