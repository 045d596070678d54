"""Further analysis glue (issue 15): the budget selection, SMAA, survey vs register and the review of
last year's lokus, each run on demand on the active scoring (``ids.STORE_CONFIG``, whose forced
list comes from ``ids.STORE_FORCED``).

The browser keeps only the *inputs* of the analyses run (``ids.STORE_ANALYTICS``); an uploaded
cost table or lokus list is kept on the server under ``<state_dir>/uploads/analytics`` by its
content hash. The export callback (callbacks/decide.py) rebuilds the results from the inputs
with :func:`content_for_export`. The views are in :mod:`callbacks.analytics_views`.
"""

from __future__ import annotations

from pathlib import Path

import flask
from dash import ALL, Dash, Input, Output, Patch, State, ctx, dcc, no_update
from dash.exceptions import PreventUpdate

from callbacks.analytics_shown import register_shown
from callbacks.analytics_views import budget_body, review_body, smaa_body, survey_body
from callbacks.errors import MESSAGE, input_errors
from geo.core.errors import InputError
from geo.core.i18n import format_number, lang_of
from geo.core.messages import render_all
from geo.data.model import Dataset
from geo.decide.continuity import read_previous_list
from geo.export.analytics import AnalyticsContent, budget_frame, frame_bytes
from geo.scoring.budget_costs import read_costs
from geo.scoring.result import ScoringResult
from geo.store.scenarios import Store
from geo.view.analytics import (
    budget_costs,
    budget_parts,
    budget_selection,
    criteria_labels,
    default_ranks,
    export_content,
    parse_amount,
    review_result,
    save_upload,
    survey_result,
    whole,
)
from geo.view.analytics_shown import MAX_DRAWS, smaa_inputs, smaa_runs
from geo.view.registry import Registry
from layouts import ids
from layouts.analytics import smaa_rows
from layouts.text import t

__all__ = ["MAX_DRAWS", "content_for_export", "register"]

_FOLDER_KEY = "LOKUS_ANALYTICS_DIR"


def content_for_export(
    registry: Registry, store: Store, dataset_id: str, result: ScoringResult, data: dict | None
) -> AnalyticsContent | None:
    """:func:`export_content` with the app's upload folder (inside a request of the app)."""
    if not data:
        return None
    folder = Path(flask.current_app.config.get(_FOLDER_KEY, "."))
    return export_content(registry, store, dataset_id, result, data, folder)


def register(app: Dash, registry: Registry, store: Store, *, state_dir: Path) -> None:
    """Wire the "Analisis lanjutan" tab."""
    folder = Path(state_dir) / "uploads" / "analytics"
    app.server.config[_FOLDER_KEY] = str(folder)

    def scored(dataset_id, config) -> tuple[Dataset, ScoringResult]:
        if not config:
            raise InputError.of("analytics.input.no_result")
        return registry.get(dataset_id), registry.score(dataset_id, config)

    @app.callback(
        Output(ids.AN_BUDGET_ECHO, "children"), Input(ids.AN_BUDGET, "value"), State(ids.STORE_LANG, "data")
    )
    @input_errors()
    def _echo(text, lang):
        amount = parse_amount(text)
        return (
            ""
            if amount is None
            else t("an.budget.echo", lang_of(lang), amount=format_number(amount, 0, lang_of(lang)))
        )

    @app.callback(
        Output(ids.AN_COST_FILE, "children"),
        Output(ids.AN_COST_SOURCE, "value"),
        Output(ids.STORE_ANALYTICS, "data", allow_duplicate=True),
        Input(ids.AN_COST_UPLOAD, "contents"),
        State(ids.AN_COST_UPLOAD, "filename"),
        State(ids.STORE_DATASET, "data"),
        State(ids.STORE_LANG, "data"),
        prevent_initial_call=True,
    )
    @input_errors(MESSAGE, no_update, no_update)
    def _cost_upload(contents, filename, dataset_id, lang):
        lang = lang_of(lang)
        token, name = save_upload(folder, contents, filename)
        costs = read_costs(folder / token, registry.get(dataset_id).villages, display_name=name)
        patch = Patch()
        patch["cost_file"] = {"token": token, "name": name}
        return (
            " ".join(
                [
                    t("an.budget.file_read", lang, file=name, n=format_number(len(costs.values), 0, lang)),
                    *render_all(costs.notes, lang),
                ]
            ),
            "file",
            patch,
        )

    @app.callback(
        Output(ids.AN_BUDGET_OUT, "children"),
        Output(ids.STORE_ANALYTICS, "data", allow_duplicate=True),
        Input(ids.AN_BUDGET_RUN, "n_clicks"),
        State(ids.AN_BUDGET, "value"),
        State(ids.AN_COST_SOURCE, "value"),
        State(ids.AN_UNIT_COST, "value"),
        State(ids.AN_TARGET, "value"),
        State(ids.AN_OBJECTIVE, "value"),
        State(ids.AN_MIN_KEC, "value"),
        State(ids.AN_MAX_KEC, "value"),
        State(ids.STORE_ANALYTICS, "data"),
        State(ids.STORE_CONFIG, "data"),
        State(ids.STORE_FORCED, "data"),
        State(ids.STORE_SCENARIO, "data"),
        State(ids.STORE_DATASET, "data"),
        State(ids.STORE_LANG, "data"),
        prevent_initial_call=True,
    )
    @input_errors(MESSAGE, no_update)
    def _budget(
        _n,
        amount,
        source,
        unit,
        target,
        objective,
        low,
        high,
        data,
        config,
        _forced,
        active,
        dataset_id,
        lang,
    ):
        lang = lang_of(lang)
        dataset, result = scored(dataset_id, config)  # the config carries the forced list
        inputs = {
            "budget": parse_amount(amount, "analytics.input.budget_missing"),
            "source": source,
            "unit_cost": parse_amount(unit),
            "target": target,
            "objective": objective,
            "min": whole(low),
            "max": whole(high),
            "scenario": (active or {}).get("id"),
            "cost_file": (data or {}).get("cost_file"),
        }
        costs = budget_costs(dataset, result, inputs, folder, store)
        sel = budget_selection(dataset, result, inputs, costs)
        patch = Patch()
        patch["budget"] = inputs
        return budget_body(sel, costs, dataset, result, lang), patch

    @app.callback(
        Output(ids.AN_BUDGET_DOWNLOAD, "data"),
        Output(ids.AN_BUDGET_OUT, "children", allow_duplicate=True),
        Input(ids.AN_BUDGET_CSV, "n_clicks"),
        Input(ids.AN_BUDGET_XLSX, "n_clicks"),
        State(ids.STORE_ANALYTICS, "data"),
        State(ids.STORE_CONFIG, "data"),
        State(ids.STORE_DATASET, "data"),
        State(ids.STORE_LANG, "data"),
        prevent_initial_call=True,
    )
    @input_errors(no_update, MESSAGE)
    def _budget_download(_csv, _xlsx, data, config, dataset_id, lang):
        lang = lang_of(lang)
        if not (data or {}).get("budget"):
            raise PreventUpdate
        dataset, result = scored(dataset_id, config)
        content = AnalyticsContent(**budget_parts(dataset, result, data["budget"], folder, store))
        scores = result.table.set_index(result.table["kode"].astype(str))["skor"]
        suffix = "xlsx" if ctx.triggered_id == ids.AN_BUDGET_XLSX else "csv"
        sheet = t("export.analytics.sheet.budget", lang)
        data_bytes = frame_bytes(budget_frame(content, dataset.villages, scores, lang), suffix, sheet)
        return dcc.send_bytes(data_bytes, f"{t('an.budget.file_stem', lang)}.{suffix}"), no_update

    _register_smaa_survey(app, registry, scored)
    register_shown(app, registry)  # the runs shown on the map page and in presenter step 1
    _register_review(app, registry, store, folder, scored)


def _register_smaa_survey(app: Dash, registry: Registry, scored) -> None:
    rank_id, low_id, high_id = (
        ids.smaa_input(k, ALL) for k in (ids.AN_SMAA_RANK, ids.AN_SMAA_LOW, ids.AN_SMAA_HIGH)
    )

    @app.callback(
        Output(ids.AN_SMAA_ROWS, "children"),
        Input(ids.STORE_CONFIG, "data"),
        State(ids.STORE_DATASET, "data"),
        State(ids.STORE_LANG, "data"),
    )
    @input_errors()
    def _smaa_rows(config, dataset_id, lang):
        lang = lang_of(lang)
        if not config:
            return smaa_rows([], {}, lang)
        _dataset, result = scored(dataset_id, config)
        return smaa_rows(criteria_labels(result, lang), default_ranks(result), lang)

    @app.callback(
        Output(ids.AN_SMAA_OUT, "children"),
        Output(ids.STORE_ANALYTICS, "data", allow_duplicate=True),
        Input(ids.AN_SMAA_RUN, "n_clicks"),
        State(ids.AN_SMAA_MODE, "value"),
        State(rank_id, "value"),
        State(rank_id, "id"),
        State(low_id, "value"),
        State(high_id, "value"),
        State(ids.AN_SMAA_DRAWS, "value"),
        State(ids.STORE_CONFIG, "data"),
        State(ids.STORE_DATASET, "data"),
        State(ids.STORE_LANG, "data"),
        prevent_initial_call=True,
    )
    @input_errors(MESSAGE, no_update)
    def _smaa(_n, mode, ranks, rank_ids, lows, highs, draws, config, dataset_id, lang):
        lang = lang_of(lang)
        dataset, result = scored(dataset_id, config)
        names = [i["criterion"] for i in rank_ids]
        inputs = smaa_inputs(  # kept in the browser: the map and the profile show the same run
            mode,
            dict(zip(names, ranks, strict=True)),
            dict(zip(names, lows, strict=True)),
            dict(zip(names, highs, strict=True)),
            draws,
        )
        run = smaa_runs(registry).get(dataset_id, config, inputs, strict=True)
        patch = Patch()
        patch["smaa"] = inputs
        return smaa_body(run, dataset, result, lang), patch

    @app.callback(
        Output(ids.AN_SURVEY_OUT, "children"),
        Output(ids.STORE_ANALYTICS, "data", allow_duplicate=True),
        Input(ids.AN_SURVEY_RUN, "n_clicks"),
        State(ids.AN_SURVEY_PREV, "value"),
        State(ids.AN_SURVEY_LOW, "value"),
        State(ids.AN_SURVEY_HIGH, "value"),
        State(ids.AN_SURVEY_YEAR, "value"),
        State(ids.AN_SURVEY_SOURCE, "value"),
        State(ids.AN_SURVEY_ADJUST, "value"),
        State(ids.STORE_CONFIG, "data"),
        State(ids.STORE_DATASET, "data"),
        State(ids.STORE_LANG, "data"),
        prevent_initial_call=True,
    )
    @input_errors(MESSAGE, no_update)
    def _survey(_n, prevalence, low, high, year, source, adjust, config, dataset_id, lang):
        lang = lang_of(lang)
        dataset, result = scored(dataset_id, config)
        inputs = {
            "prevalence": prevalence,
            "low": low,
            "high": high,
            "year": year,
            "source": source,
            "adjust": "eb" in (adjust or []),
        }
        rec = survey_result(dataset, result, inputs)
        patch = Patch()
        patch["survey"] = inputs
        return survey_body(rec, dataset, lang), patch


def _register_review(app: Dash, registry: Registry, store: Store, folder: Path, scored) -> None:
    @app.callback(
        Output(ids.AN_REVIEW_LIST, "options"),
        Output(ids.AN_REVIEW_LIST, "value"),
        Input(ids.STORE_DATASET, "data"),
        Input(ids.STORE_SCENARIO, "data"),
        Input(ids.STORE_ANALYTICS, "data"),
        State(ids.AN_REVIEW_LIST, "options"),
        State(ids.STORE_LANG, "data"),
    )
    def _lists(dataset_id, active, data, shown, lang):
        lang = lang_of(lang)
        options = []
        if active and store.previous(int(active["id"])) is not None:
            options.append(
                {
                    "label": t("an.review.list.previous", lang, name=active.get("name", "")),
                    "value": f"prev:{active['id']}",
                }
            )
        options += [
            {"label": t("an.review.list.scenario", lang, name=s.name, year=s.year), "value": f"scn:{s.id}"}
            for s in store.find(dataset_id or registry.default_id)
        ]
        options += [
            {"label": t("an.review.list.file", lang, file=f["name"]), "value": f"file:{token}"}
            for token, f in (data or {}).get("files", {}).items()
        ]
        # a file just uploaded is picked once its option exists (a value set before its
        # option would be dropped by the dropdown)
        before = {o["value"] for o in shown or []}
        new_files = [o["value"] for o in options
                     if o["value"].startswith("file:") and o["value"] not in before]
        return options, (new_files[-1] if new_files else no_update)

    @app.callback(
        Output(ids.STORE_ANALYTICS, "data", allow_duplicate=True),
        Output(ids.AN_REVIEW_OUT, "children", allow_duplicate=True),
        Input(ids.AN_REVIEW_UPLOAD, "contents"),
        State(ids.AN_REVIEW_UPLOAD, "filename"),
        State(ids.STORE_ANALYTICS, "data"),
        State(ids.STORE_DATASET, "data"),
        State(ids.STORE_LANG, "data"),
        prevent_initial_call=True,
    )
    @input_errors(no_update, MESSAGE)
    def _review_upload(contents, filename, data, dataset_id, lang):
        lang = lang_of(lang)
        token, name = save_upload(folder, contents, filename)
        previous = read_previous_list(folder / token, registry.get(dataset_id).villages, display_name=name)
        patch = Patch()
        patch["files"] = {**(data or {}).get("files", {}), token: {"token": token, "name": name}}
        read = t("an.review.file_read", lang, file=name, n=format_number(len(previous.codes), 0, lang))
        return patch, " ".join([read, *render_all(previous.notes, lang)])

    @app.callback(
        Output(ids.AN_REVIEW_OUT, "children"),
        Output(ids.STORE_ANALYTICS, "data", allow_duplicate=True),
        Input(ids.AN_REVIEW_RUN, "n_clicks"),
        State(ids.AN_REVIEW_LIST, "value"),
        State(ids.AN_REVIEW_INDICATOR, "value"),
        State(ids.AN_REVIEW_BEFORE, "value"),
        State(ids.AN_REVIEW_AFTER, "value"),
        State(ids.STORE_ANALYTICS, "data"),
        State(ids.STORE_DATASET, "data"),
        State(ids.STORE_LANG, "data"),
        prevent_initial_call=True,
    )
    @input_errors(MESSAGE, no_update)
    def _review(_n, choice, indicator, before, after, data, dataset_id, lang):
        lang = lang_of(lang)
        dataset = registry.get(dataset_id)
        inputs = {"list": choice, "indicator": indicator, "before": before, "after": after}
        res = review_result(dataset, store, inputs, folder, (data or {}).get("files", {}))
        patch = Patch()
        patch["review"] = inputs
        return review_body(res, dataset, lang), patch
