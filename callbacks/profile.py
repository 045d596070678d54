"""Village profile and glossary callbacks: thin glue to :mod:`geo.view.profile` and
:mod:`layouts.profile` / :mod:`layouts.help`.

The profile panel opens when a village is selected anywhere (every selection writes
``STORE_SELECTED``), follows later selections, closes with its close button and re-opens from
the navbar's *Profil desa*; its content is built only while it is open.
"""

from __future__ import annotations

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.analytics_shown import smaa_of_page
from callbacks.errors import MESSAGE, input_errors
from geo.core.errors import InputError
from geo.core.i18n import lang_of
from geo.view.profile import village_profile
from geo.view.registry import Registry
from layouts import ids
from layouts.help import glossary_entries, matching_terms, tooltips
from layouts.profile import profile_body, profile_empty, profile_title
from layouts.text import t

__all__ = ["glossary_target", "panel_state", "profile_view", "register"]


def panel_state(trigger, code) -> tuple[bool, bool]:
    """(panel hidden, *Profil desa* button disabled) after ``trigger`` fired: a selection opens
    the panel (none closes it), the close button closes it, the button re-opens it."""
    has_village = bool(code)
    if trigger == ids.PROFILE_CLOSE:
        return True, not has_village
    return not has_village, not has_village


def profile_view(registry: Registry, dataset_id, code, year, config, lang: str = "id",
                 analytics: dict | None = None) -> tuple:
    """(title, body) of the panel for village ``code``: the map's ``year`` for the indicators,
    the scoring ``config`` (when set) for the rank, the SMAA run of ``analytics`` (the inputs
    in ``ids.STORE_ANALYTICS``, when run) for P(lokus) under the weight ranking; a scoring that
    cannot run is said in the panel, the rest of the profile still shows."""
    dataset = registry.get(dataset_id)
    if code not in set(dataset.villages["kode"]):
        return t("profile.heading", lang), profile_empty(lang)
    result, note, smaa = None, None, None
    if config:
        try:
            result = registry.score(dataset_id, config)
            smaa = smaa_of_page(registry, dataset_id, config, analytics)
        except InputError as exc:
            note = exc.render(lang)
    try:
        wanted = int(year) if year is not None and int(year) in dataset.years else None
    except (TypeError, ValueError):
        wanted = None
    profile = village_profile(dataset, code, wanted, result, smaa)
    return profile_title(profile, lang), profile_body(profile, lang, has_config=bool(config), note=note,
                                                      has_smaa=smaa is not None)


def glossary_target(trigger, clicked, lang: str = "id") -> tuple[bool, str]:
    """(glossary open, search text) after the navbar button or a term's link was clicked."""
    if isinstance(trigger, dict):
        if not clicked:  # a link just rendered (n_clicks None), not clicked
            raise PreventUpdate
        return True, t(f"glossary.{trigger['term']}.term", lang)
    if trigger == ids.GLOSSARY_OPEN and clicked:
        return True, ""
    raise PreventUpdate


def register(app: Dash, registry: Registry) -> None:
    """Wire the profile panel and the glossary."""

    @app.callback(Output(ids.PROFILE_PANEL, "hidden"), Output(ids.PROFILE_OPEN, "disabled"),
                  Input(ids.STORE_SELECTED, "data"), Input(ids.PROFILE_OPEN, "n_clicks"),
                  Input(ids.PROFILE_CLOSE, "n_clicks"), prevent_initial_call=True)
    def _panel(code, _open, _close):
        return panel_state(ctx.triggered_id, code)

    @app.callback(Output(ids.PROFILE_TITLE, "children"), Output(ids.PROFILE_BODY, "children"),
                  Input(ids.PROFILE_PANEL, "hidden"), Input(ids.STORE_SELECTED, "data"),
                  Input(ids.STORE_CONFIG, "data"), Input(ids.FILTER_YEAR, "value"),
                  Input(ids.STORE_ANALYTICS, "data"),  # an SMAA run adds the village's P(lokus)
                  State(ids.STORE_DATASET, "data"), State(ids.STORE_LANG, "data"),
                  prevent_initial_call=True)
    @input_errors(no_update, MESSAGE)
    def _content(hidden, code, config, year, analytics, dataset_id, lang):
        if hidden or not code:
            raise PreventUpdate
        return profile_view(registry, dataset_id, code, year, config, lang_of(lang), analytics)

    @app.callback(Output(ids.GLOSSARY_PANEL, "is_open"), Output(ids.GLOSSARY_SEARCH, "value"),
                  Input(ids.GLOSSARY_OPEN, "n_clicks"), Input(ids.glossary_link(ALL), "n_clicks"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    def _glossary(_open, _links, lang):
        clicked = ctx.triggered[0]["value"] if ctx.triggered else None
        return glossary_target(ctx.triggered_id, clicked, lang_of(lang))

    @app.callback(Output(ids.HELP_TIPS, "children"), Input(ids.APP_READY, "children"),
                  State(ids.HELP_TIPS, "children"), State(ids.STORE_LANG, "data"))
    def _tips(ready, present, lang):
        if ready != "ready" or present:
            raise PreventUpdate
        return tooltips(lang_of(lang))

    @app.callback(Output(ids.GLOSSARY_LIST, "children"), Input(ids.GLOSSARY_SEARCH, "value"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    def _glossary_search(query, lang):
        lang = lang_of(lang)
        return glossary_entries(matching_terms(query, lang), lang)
