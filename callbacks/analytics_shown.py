"""The analyses of the "Analisis lanjutan" tab shown outside it (issue 15): the survey line on the
map page (``ids.MAP_SURVEY``); the helpers :func:`smaa_of_page` (the SMAA run of the stored inputs,
for the stability layer and the village profile) and :func:`survey_of_page` (presenter step 1).
Results are recomputed from the inputs kept in ``ids.STORE_ANALYTICS`` (:mod:`geo.view.analytics_shown`)."""

from __future__ import annotations

from dash import Dash, Input, Output, State

from geo.core.i18n import lang_of
from geo.scoring.smaa import SmaaResult
from geo.scoring.survey import KabupatenComparison
from geo.view.analytics_shown import smaa_runs, survey_comparison
from geo.view.registry import Registry
from layouts import ids
from layouts.analytics_shown import survey_line

__all__ = ["register_shown", "smaa_of_page", "survey_of_page"]


def smaa_of_page(registry: Registry, dataset_id, config, data) -> SmaaResult | None:
    """The SMAA run of the page (None when not run, or its inputs no longer fit the scoring)."""
    return smaa_runs(registry).get(dataset_id, config, (data or {}).get("smaa"))


def survey_of_page(registry: Registry, dataset_id, config, data) -> KabupatenComparison | None:
    """The survey and register numbers of the page (None when no estimate was entered)."""
    return survey_comparison(registry, dataset_id, config, (data or {}).get("survey"))


def register_shown(app: Dash, registry: Registry) -> None:
    """Wire the survey line under the map page's summary cards."""

    @app.callback(Output(ids.MAP_SURVEY, "children"), Input(ids.STORE_ANALYTICS, "data"),
                  Input(ids.STORE_CONFIG, "data"), Input(ids.STORE_DATASET, "data"),
                  State(ids.STORE_LANG, "data"))
    def _map_survey(data, config, dataset_id, lang):
        return survey_line(survey_of_page(registry, dataset_id, config, data), lang_of(lang))
