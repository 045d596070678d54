"""Presenter mode callbacks (rembuk stunting).

Step navigation and visibility run in the browser (``assets/present.js``); the server
builds each step's content from the scoring result and the active scenario, sends the
map geometry once per dataset and only Patches afterwards, records the meeting's
changes in the scenario's audit log and writes the Berita Acara.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import numpy as np
from dash import (
    ClientsideFunction,
    Dash,
    Input,
    Output,
    Patch,
    State,
    ctx,
    dcc,
    html,
    no_update,
)
from dash.exceptions import PreventUpdate

from callbacks.access import author as signed_in
from callbacks.analytics_shown import survey_of_page
from callbacks.camat import answers_for
from callbacks.camat import markers as camat_markers
from callbacks.decide import active_ref
from callbacks.errors import MESSAGE, guarded, input_errors
from geo.core.errors import InputError
from geo.core.i18n import format_number, format_percent, lang_of, plotly_separators
from geo.decide.rembuk import (
    by_kecamatan,
    headline,
    indicator_label,
    meeting_changes,
    meeting_config,
    outcome_indicator,
)
from geo.export.berita_acara import (
    Meeting,
    berita_acara_filename,
    default_planning_year,
    export_berita_acara,
)
from geo.export.common import export_context
from geo.scoring.classify import classify
from geo.scoring.explain import explain_village
from geo.scoring.quadrant import quadrant
from geo.scoring.result import ScoringResult, saved_reason_text
from geo.store.model import Scenario, chosen_from_result
from geo.store.scenarios import Store
from geo.view.registry import Registry
from layouts import ids
from layouts import present as view
from layouts.analytics_shown import survey_present
from layouts.dataset_view import map_figure, village_choices
from layouts.mapfig import VILLAGE_TRACE, stepped_colourscale
from layouts.scoring import forced_list
from layouts.text import t

MAP_STEPS = (1, 3)


def present_error(text: str) -> html.Div:
    """A problem shown in the presenter overlay."""
    return html.Div(text, className="present-error")


# --------------------------------------------------------------------------- data
def decision(registry: Registry, store: Store, dataset_id: str, active: dict | None,
             config: dict | None) -> tuple[ScoringResult | None, list[tuple[str, str]], Scenario | None]:
    """The list under discussion: the active scenario's, else the current recommendation."""
    if active:
        try:
            sc = store.get(active["id"])
        except InputError:
            sc = None
        if sc is not None and sc.dataset_id == dataset_id:
            return (registry.score(dataset_id, sc.config.to_dict()),
                    [(v.kode, v.alasan) for v in sc.chosen], sc)
    if not config:
        return None, [], None
    result = registry.score(dataset_id, config)
    return result, [(v.kode, v.alasan) for v in chosen_from_result(result)], None


def list_rows(result: ScoringResult, chosen: list[tuple[str, str]], *, why: bool,
              lang: str = "id") -> list[dict]:
    """Rows of the village list (step 4 adds the generated explanation sentence); generated
    reasons are shown in the page language, typed ones as typed."""
    table = result.table.set_index("kode")
    rows = []
    for i, (code, reason) in enumerate(chosen, start=1):
        row = {"no": i, "kode": code, "nama": table.at[code, "nama"], "kecamatan": table.at[code, "nama_kec"],
               "alasan": saved_reason_text(result, code, reason, lang)}
        if why:
            explained = explain_village(result, code, lang)
            row["why"], row["why_short"] = explained.sentence, short_why(explained.contributions)
        rows.append(row)
    return rows


def short_why(contributions, top: int = 2) -> str:
    """The explanation for a projector: the largest contributions as "indicator value",
    without the parenthesised details ("Rasio skrining merah 90,6% · Anak 0–23 bln …")."""
    return " · ".join(f"{label.split(' (')[0]} {value.split(' (')[0]}"
                      for _cid, label, value, share in contributions[:top] if share > 0)


def change_rows(store: Store, scenario: Scenario | None, villages, since: datetime | None,
                lang: str) -> list[dict]:
    """The meeting's list changes as table rows."""
    if scenario is None:
        return []
    return [{"waktu": f"{c.at.astimezone():%H:%M}", "aksi": t(f"present.action.{c.action}", lang),
             "desa": f"{c.name} ({c.kecamatan})", "alasan": c.reason, "oleh": c.who, "kode": c.code}
            for c in meeting_changes(store.audit(scenario.id), villages, since)]


def since_of(meeting: dict | None) -> datetime | None:
    """Start of the meeting (UTC) from the meeting store."""
    return datetime.fromisoformat(meeting["since"]) if meeting and meeting.get("since") else None


def situation(registry: Registry, dataset_id: str, indicator_id: str | None, year, lang: str) -> list:
    """Step 1 body: headline numbers of the outcome rate and the trend."""
    dataset = registry.get(dataset_id)
    year = int(year or dataset.years[-1])
    rate_id = outcome_indicator(dataset, indicator_id)
    ind, h = dataset.indicator(rate_id), headline(dataset, rate_id, year)
    if h.change is None:
        trend = (t("present.card.trend", lang, year="–"), t("present.trend.none", lang))
    else:
        word = "up" if h.change >= 0.05 else "down" if h.change <= -0.05 else "same"
        trend = (t("present.card.trend", lang, year=h.previous_year),
                 t(f"present.trend.{word}", lang, value=format_number(abs(h.change), 1, lang)))
    items = [(indicator_label(ind.denominator or "", lang), format_number(h.measured, 0, lang)),
             (indicator_label(ind.numerator, lang), format_number(h.cases, 0, lang)),
             (ind.label(lang), format_percent(h.rate, 1, lang)), trend,
             (t("present.card.villages", lang), f"{h.villages_with_data} / {len(dataset.villages)}")]
    shown = dataset.indicator(indicator_id or rate_id)
    note = t("present.note.screening", lang) if "merah" in (rate_id, ind.numerator) else ""
    return view.situation_body(t("present.situation.subtitle", lang, indicator=shown.label(lang), year=year),
                               items, note)


def distribution(registry: Registry, dataset_id: str, indicator_id: str | None, year, lang: str) -> list:
    """Step 2 body: pooled rate per kecamatan, sorted."""
    dataset = registry.get(dataset_id)
    year = int(year or dataset.years[-1])
    rate_id = outcome_indicator(dataset, indicator_id)
    label = dataset.indicator(rate_id).label(lang)
    frame = by_kecamatan(dataset, rate_id, year)
    hover = [t("present.distribution.hover", lang, cases=format_number(k, 0, lang),
               measured=format_number(n, 0, lang))
             for k, n in zip(frame["kasus"], frame["diukur"], strict=True)]
    texts = [format_number(v, 1, lang) for v in frame["rasio"]]
    fig = view.distribution_figure(frame["nama_kec"].tolist(), frame["rasio"].tolist(), hover, texts,
                                   t("present.distribution.axis", lang, indicator=label), lang)
    return view.distribution_body(fig, t("present.situation.subtitle", lang, indicator=label, year=year))


def candidates(registry: Registry, dataset_id: str, result: ScoringResult, chosen: list[tuple[str, str]],
               lang: str) -> list:
    """Step 3 body: how many were proposed, how stable the proposal is, the quadrant."""
    codes = {c for c, _ in chosen}
    table = result.table
    in_list = table[table["kode"].isin(codes)]
    stability = [(t(f"present.stability.{k}", lang), int((in_list["stabilitas"] == k).sum()))
                 for k in ("inti", "bimbang", "jarang")]
    cfg = result.config
    summary = t("present.candidates.summary", lang, count=len(codes), total=len(table),
                indicators=len(cfg.indicators), method=cfg.method.upper())
    try:
        quad = quadrant(result, registry.get(dataset_id))
    except InputError:  # no quadrant without a coverage gap
        quad = None
    fig = None
    if quad is not None and np.isfinite(quad.x_cut) and np.isfinite(quad.y_cut):  # else no coverage scored
        fig = view.quadrant_figure(quad.table["outcome"].tolist(), quad.table["gap"].tolist(),
                                   table["nama"].tolist(), table["kode"].isin(codes).tolist(),
                                   quad.x_cut, quad.y_cut, quad.x_title, quad.y_title, lang)
    return view.candidates_body(summary, stability, fig, lang)


def step_body(registry: Registry, store: Store, step: int, dataset_id: str, active, config, indicator,
              year, meeting, lang: str) -> list:
    """Content of one step."""
    if step == 1:
        return situation(registry, dataset_id, indicator, year, lang)
    if step == 2:
        return distribution(registry, dataset_id, indicator, year, lang)
    result, chosen, sc = decision(registry, store, dataset_id, active, config)
    if result is None:
        return view.message(t("present.no_config", lang))
    if step == 3:
        return candidates(registry, dataset_id, result, chosen, lang)
    source = (t("present.list.scenario", lang, name=sc.name, version=sc.version) if sc
              else t("present.list.recommendation", lang))
    count = t("present.list.count", lang, count=len(chosen))
    if step == 4:  # with the camat's answers beside each village (callbacks/camat.py)
        rows = camat_markers(store, sc, list_rows(result, chosen, why=True, lang=lang), lang)
        return view.list_body(source, count, rows, lang, why=True)
    changes = change_rows(store, sc, registry.get(dataset_id).villages, since_of(meeting), lang)
    return view.list_body(source, count, list_rows(result, chosen, why=False, lang=lang), lang, why=False,
                          changes=changes)


# --------------------------------------------------------------------------- map
def legend_format(percent: bool, values: np.ndarray, lang: str, decimals: int = 1
                  ) -> Callable[[float], str]:
    """How the legend writes a value: "24,5 %" for rates, whole counts without decimals."""
    finite = values[np.isfinite(values)]
    if not percent and len(finite) and np.all(finite % 1 == 0):
        decimals = 0
    unit = " %" if percent else ""
    return lambda v: f"{format_number(v, decimals, lang)}{unit}"


def map_values(registry: Registry, store: Store, step: int, dataset_id: str, active, config, indicator,
               year, scheme, k, lang: str) -> tuple[dict, html.Div]:
    """Village trace values and legend for a map step (1 or 3); on step 3 the proposed
    lokus get a thick black outline (per-village line widths: no geometry is sent)."""
    dataset = registry.get(dataset_id)
    lokus = np.zeros(len(dataset.villages), dtype=bool)
    if step == 1:
        year = int(year or dataset.years[-1])
        values = dataset.values(indicator or outcome_indicator(dataset), year)
        try:
            classes = classify(values.value, scheme or "quantiles", int(k or 5), lang=lang)
        except (InputError, ValueError):  # WHO bands on a non-prevalence indicator
            classes = classify(values.value, "quantiles", int(k or 5), lang=lang)
        colours = view.viridis(len(classes.labels), values.indicator.direction)
        rate = values.indicator.is_rate and values.denominator is not None
        text = ["–" if not np.isfinite(v) else
                f"{format_percent(v, 1, lang)} ({format_number(a, 0, lang)}/{format_number(b, 0, lang)})"
                if rate else format_number(v, 0, lang)
                for v, a, b in zip(values.value, values.numerator,
                                   values.denominator if rate else values.numerator, strict=True)]
        title = f"{values.indicator.label(lang)}, {year}"
        note, shown = "", values.value
        fmt = legend_format(values.indicator.unit == "%", values.value, lang)
    else:
        result, chosen, _sc = decision(registry, store, dataset_id, active, config)
        if result is None:
            raise PreventUpdate
        classes = classify(result.table["skor"].to_numpy(dtype=float), "quantiles", 5, lang=lang, decimals=3)
        colours = view.viridis(len(classes.labels), "higher_worse")
        text = ["–" if not np.isfinite(s) else f"{format_number(s, 3, lang)} · #{r}"
                for s, r in zip(result.table["skor"], result.table["peringkat"], strict=True)]
        lokus = dataset.villages["kode"].isin([c for c, _ in chosen]).to_numpy()
        title = t("present.legend.score", lang, year=result.config.year)
        note, shown = t("present.legend.lokus", lang), result.table["skor"].to_numpy(dtype=float)
        fmt = legend_format(False, shown, lang, decimals=3)
    trace = {"z": classes.index.tolist(), "zmin": -1, "zmax": max(len(colours) - 1, 0),
             "colorscale": stepped_colourscale(colours), "text": text,
             "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{text}<extra></extra>",
             "marker": {"opacity": 1.0, "line": {
                 "width": np.where(lokus, 4.0, 0.6).tolist(),
                 "color": np.where(lokus, view.LOKUS_LINE, "#ffffff").tolist()}}}
    entries = view.level_entries(shown, classes.index, colours, fmt, lang)
    notes = [classes.note.render(lang) if classes.note is not None else "", note]
    legend = view.legend(title, entries, classes.n_missing, lang, " ".join(n for n in notes if n))
    return trace, legend


def full_map(registry: Registry, dataset_id: str, trace: dict, lang: str):
    """The presenter map with geometry (sent once per dataset)."""
    fig = map_figure(registry.get(dataset_id), registry.geometry(dataset_id))
    fig.update_layout(height=None, autosize=True, font=view.FONT, uirevision="present",
                      separators=plotly_separators(lang))
    fig.layout.map.zoom += 0.5  # the presenter's map column is larger than the page's map
    fig.data = fig.data[:3]  # villages, kecamatan outlines, pin: no bubbles, names or numbers here
    fig.data[VILLAGE_TRACE].update(**trace)
    return fig


def map_patch(trace: dict) -> Patch:
    """Only the values: the geometry is already in the browser."""
    fig = Patch()
    for key, value in trace.items():
        fig["data"][VILLAGE_TRACE][key] = value
    return fig


# --------------------------------------------------------------------------- changes
def apply_change(registry: Registry, store: Store, *, action: str, dataset_id: str, code: str | None,
                 reason: str | None, author: str | None, scenario_name: str | None, active: dict | None,
                 config: dict | None, lang: str = "id") -> tuple[Scenario, str]:
    """Add (``action="add"``) or remove a village in the meeting; saves a new scenario first
    when none is active. Returns the scenario after the change and a message.

    Raises
    ------
    InputError
        Missing village, reason, recorder or scenario name; no scoring result; village
        already on (or not on) the list; the scenario changed meanwhile.
    """
    reason, author = " ".join((reason or "").split()), " ".join((author or "").split())
    if not code:
        raise InputError.of("present.error.village")
    if not reason:
        raise InputError.of("present.error.reason")
    if not author:
        raise InputError.of("present.error.author")
    name = registry.get(dataset_id).villages.set_index("kode")["nama"].get(code, code)
    result, _chosen, sc = decision(registry, store, dataset_id, active, config)
    if sc is None:
        if result is None:
            raise InputError.of("present.no_config")
        if not (scenario_name or "").strip():
            raise InputError.of("present.error.scenario_name")
        sc = store.save_new(scenario_name, dataset_id, result.config, chosen_from_result(result),
                            author=author)
    if action == "add" and code in sc.codes:
        raise InputError.of("present.error.already_in", name=name)
    if action == "remove" and code not in sc.codes:
        raise InputError.of("present.error.not_in", name=name)
    new = registry.score(dataset_id, meeting_config(sc.config.to_dict(), code, reason, action, sc.codes))
    sc = store.update_config(sc.id, new.config, chosen_from_result(new), author=author, reason=reason,
                             expected_version=sc.version if active is None else active["version"])
    key = "present.msg.added" if action == "add" else "present.msg.removed"
    return sc, t(key, lang, name=name, count=len(sc.chosen))


def meeting_form(date_text: str | None, place: str | None, chair: str | None, participants: str | None,
                 planning_year=None, *, today: date | None = None) -> Meeting:
    """The Berita Acara form as a :class:`Meeting`; an empty planning year is the meeting
    date's year + 1 (no date: ``today``'s, default the server's date, + 1).

    Raises
    ------
    InputError
        The typed planning year is not a year between 2000 and 2100.
    """
    try:
        return Meeting.from_form(date_text, place, chair, participants, planning_year,
                                 today=today or date.today())
    except InputError:
        raise InputError.of("present.error.planning_year") from None


def planning_year_hint(date_text: str | None, today: date | None = None) -> str:
    """Placeholder of the planning-year field: the year used when it is left empty."""
    return str(default_planning_year(date_text, today or date.today()))


def berita_acara(registry: Registry, store: Store, *, dataset_id: str, active: dict | None,
                 config: dict | None, meeting: dict | None, form: Meeting,
                 lang: str = "id") -> tuple[bytes, str]:
    """Berita Acara PDF of the list under discussion and the meeting's changes; the title
    and file name carry the form's planning year, the data year is printed as the basis."""
    result, chosen, sc = decision(registry, store, dataset_id, active, config)
    if result is None:
        raise InputError.of("present.no_config")
    dataset = registry.get(dataset_id)
    ctx_ = export_context(result, dataset, chosen=chosen, name=sc.name if sc else "",
                          author=sc.author if sc else "", lokus_year=form.lokus_year)
    changes = (meeting_changes(store.audit(sc.id), dataset.villages, since_of(meeting))
               if sc is not None else [])
    camat = answers_for(store, sc.id) if sc is not None and sc.id is not None else []
    return (export_berita_acara(ctx_, form, changes, lang=lang, camat=camat),
            berita_acara_filename(ctx_, form))


# --------------------------------------------------------------------------- wiring
def register(app: Dash, registry: Registry, store: Store) -> None:
    """Wire the presenter overlay."""
    app.clientside_callback(
        ClientsideFunction("lokusPresent", "navigate"),
        Output(ids.PRESENT_STEP, "data", allow_duplicate=True),
        Input(ids.PRESENT_OPEN, "n_clicks"), Input(ids.PRESENT_PREV, "n_clicks"),
        Input(ids.PRESENT_NEXT, "n_clicks"), Input(ids.PRESENT_EXIT, "n_clicks"),
        Input(ids.PRESENT_KEY, "data"), State(ids.PRESENT_STEP, "data"), prevent_initial_call=True)
    app.clientside_callback(
        ClientsideFunction("lokusPresent", "view"),
        Output(ids.PRESENT_OVERLAY, "className"), Output(ids.PRESENT_COUNTER, "children"),
        Output(ids.PRESENT_PREV, "disabled"), Output(ids.PRESENT_NEXT, "disabled"),
        Input(ids.PRESENT_STEP, "data"))

    @app.callback(Output(ids.PRESENT_TITLE, "children"), Output(ids.PRESENT_BODY, "children"),
                  Output(ids.PRESENT_MEETING, "data"),
                  Input(ids.PRESENT_STEP, "data"), Input(ids.STORE_SCENARIO, "data"),
                  State(ids.STORE_DATASET, "data"), State(ids.STORE_CONFIG, "data"),
                  State(ids.FILTER_INDICATOR, "value"), State(ids.FILTER_YEAR, "value"),
                  State(ids.PRESENT_MEETING, "data"), State(ids.STORE_LANG, "data"),
                  State(ids.STORE_ANALYTICS, "data"))  # a survey estimate entered: shown in step 1
    def _body(step, active, dataset_id, config, indicator, year, meeting, lang, analytics):
        if not step:
            raise PreventUpdate
        lang, dataset_id = lang_of(lang), dataset_id or registry.default_id
        if not meeting or meeting.get("dataset") != dataset_id:  # the meeting starts when presenting starts
            meeting = {"since": datetime.now(UTC).isoformat(), "dataset": dataset_id}
            out_meeting = meeting
        else:
            out_meeting = no_update
        body = guarded(lambda: step_body(registry, store, int(step), dataset_id, active, config, indicator,
                                         year, meeting, lang), lang, show=view.message)
        if int(step) == 1 and isinstance(body, list):
            body = [*body, *survey_present(survey_of_page(registry, dataset_id, config, analytics), lang)]
        return view.step_title(int(step), lang), body, out_meeting

    @app.callback(Output(ids.PRESENT_MAP, "figure"), Output(ids.PRESENT_LEGEND, "children"),
                  Output(ids.PRESENT_MAP_DATASET, "data"),
                  Input(ids.PRESENT_STEP, "data"), Input(ids.STORE_SCENARIO, "data"),
                  State(ids.PRESENT_MAP_DATASET, "data"), State(ids.STORE_DATASET, "data"),
                  State(ids.STORE_CONFIG, "data"), State(ids.FILTER_INDICATOR, "value"),
                  State(ids.FILTER_YEAR, "value"), State(ids.FILTER_SCHEME, "value"),
                  State(ids.FILTER_CLASSES, "value"), State(ids.STORE_LANG, "data"))
    def _map(step, active, sent, dataset_id, config, indicator, year, scheme, k, lang):
        if step not in MAP_STEPS:
            raise PreventUpdate
        lang, dataset_id = lang_of(lang), dataset_id or registry.default_id
        trace, legend = map_values(registry, store, step, dataset_id, active, config, indicator, year,
                                   scheme, k, lang)
        if sent != dataset_id:  # first time (or another dataset): geometry once
            return full_map(registry, dataset_id, trace, lang), legend, dataset_id
        return map_patch(trace), legend, no_update

    @app.callback(Output(ids.PRESENT_VILLAGE, "options"),
                  Input(ids.PRESENT_STEP, "data"), Input(ids.STORE_DATASET, "data"),
                  State(ids.PRESENT_VILLAGE, "options"), State(ids.STORE_LANG, "data"))
    def _prepare(step, dataset_id, options, lang):
        if not step or (options and ctx.triggered_id == ids.PRESENT_STEP):
            raise PreventUpdate
        choices = village_choices(registry.get(dataset_id or registry.default_id), lang_of(lang))
        return [{"label": label, "value": code} for code, label in choices]

    @app.callback(Output(ids.STORE_SCENARIO, "data", allow_duplicate=True),
                  Output(ids.PRESENT_STATUS, "children"), Output(ids.PRESENT_REASON, "value"),
                  Output(ids.STORE_FORCED, "data", allow_duplicate=True),
                  Output(ids.SCORE_TOP_N, "value", allow_duplicate=True),
                  Output(ids.SCORE_FORCE_LIST, "children", allow_duplicate=True),
                  Input(ids.PRESENT_ADD, "n_clicks"), Input(ids.PRESENT_REMOVE, "n_clicks"),
                  State(ids.PRESENT_VILLAGE, "value"), State(ids.PRESENT_REASON, "value"),
                  State(ids.PRESENT_SCN_NAME, "value"),
                  State(ids.STORE_SCENARIO, "data"), State(ids.STORE_CONFIG, "data"),
                  State(ids.STORE_DATASET, "data"), State(ids.STORE_LANG, "data"),
                  prevent_initial_call=True)
    @input_errors(no_update, MESSAGE, no_update, no_update, no_update, no_update, show=present_error)
    def _change(_add, _remove, code, reason, scenario_name, active, config, dataset_id, lang):
        lang, dataset_id = lang_of(lang), dataset_id or registry.default_id
        action = "add" if ctx.triggered_id == ids.PRESENT_ADD else "remove"
        sc, msg = apply_change(registry, store, action=action, dataset_id=dataset_id, code=code,
                               reason=reason, author=signed_in(), scenario_name=scenario_name,
                               active=active, config=config, lang=lang)
        forced = {"in": dict(sc.config.force_in), "out": dict(sc.config.force_out)}
        names = registry.get(dataset_id).villages.set_index("kode")["nama"].to_dict()
        ref = active_ref(sc)
        return ref, html.Div(msg, className="present-ok"), "", forced, sc.config.top_n, \
            forced_list(forced, names)

    @app.callback(Output(ids.PRESENT_BA_YEAR, "placeholder"), Input(ids.PRESENT_BA_DATE, "value"))
    def _planning_hint(date_text):
        return planning_year_hint(date_text)

    @app.callback(Output(ids.PRESENT_BA_FILE, "data"), Output(ids.PRESENT_BA_STATUS, "children"),
                  Input(ids.PRESENT_BA_DOWNLOAD, "n_clicks"),
                  State(ids.PRESENT_BA_DATE, "value"), State(ids.PRESENT_BA_YEAR, "value"),
                  State(ids.PRESENT_BA_PLACE, "value"),
                  State(ids.PRESENT_BA_CHAIR, "value"), State(ids.PRESENT_BA_PARTICIPANTS, "value"),
                  State(ids.STORE_SCENARIO, "data"), State(ids.STORE_CONFIG, "data"),
                  State(ids.STORE_DATASET, "data"), State(ids.PRESENT_MEETING, "data"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    @input_errors(no_update, MESSAGE, show=present_error)
    def _berita_acara(_n, date_text, planning_year, place, chair, participants, active, config, dataset_id,
                      meeting, lang):
        lang = lang_of(lang)
        form = meeting_form(date_text, place, chair, participants, planning_year)
        data, filename = berita_acara(
            registry, store, dataset_id=dataset_id or registry.default_id, active=active, config=config,
            meeting=meeting, form=form, lang=lang)
        return dcc.send_bytes(data, filename), html.Div(t("present.ba.made", lang, file=filename),
                                                        className="present-ok")
