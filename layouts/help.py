"""Plain words: the glossary (Bahasa Indonesia first), a tooltip at each control, and the page
layer that carries them with the village profile panel.

Texts live in ``layouts/i18n/<lang>/glossary.json`` (``glossary.<term>.term`` / ``.text``) and
``help.json`` (``help.tip.<control id, - as _>``). :func:`tooltips` builds one ``dbc.Tooltip`` per id of
:data:`TOOLTIP_TARGETS`; a unit test checks that every target is in the page.
"""

from __future__ import annotations

import json
import unicodedata

import dash_bootstrap_components as dbc
from dash import html

from layouts import ids
from layouts.profile import profile_button, profile_panel
from layouts.text import t

__all__ = ["GLOSSARY_TERMS", "TOOLTIP_TARGETS", "glossary_button", "glossary_entries",
           "glossary_panel", "matching_terms", "navbar_help", "page_layer", "tip_key", "tooltips"]

#: Glossary terms in the order a planner meets them (texts: ``glossary.<term>.*``).
GLOSSARY_TERMS = ("lokus", "skor", "p_top_n", "stabil", "eb", "min_n", "dipaksa", "lulus",
                  "topsis", "kuantil", "lisa", "wilson", "eppgbm", "ssgi_ski", "kode")

#: Controls with a tooltip (text: :func:`tip_key`), page by page. Upload pickers are drawn by
#: assets/upload.js into their ``-slot`` element, which carries the tooltip.
TOOLTIP_TARGETS = (
    # map page
    ids.DATASET_PICKER, ids.FILTER_INDICATOR, ids.FILTER_YEAR, ids.FILTER_SCHEME,
    ids.FILTER_CLASSES, ids.FILTER_KECAMATAN, ids.FILTER_BASEMAP, ids.MAP_LAYER,
    ids.TABLE_SEARCH, ids.QUALITY_CSV, ids.QUALITY_XLSX, ids.PRESENT_OPEN,
    ids.GLOSSARY_OPEN, ids.PROFILE_OPEN,
    # scoring panel and quadrant
    ids.SCORE_PRESET, ids.SCORE_YEAR, ids.SCORE_INDICATORS, ids.AHP_OPEN, ids.AHP_CONFIRM,
    ids.AHP_APPLY, ids.SCORE_METHOD, ids.SCORE_NORMALISATION, ids.SCORE_SMOOTHING,
    ids.SCORE_MIN_N, ids.SCORE_MISSING, ids.SCORE_HOTSPOT, ids.SCORE_TOP_N,
    ids.SCORE_MAX_PER_KEC, ids.SCORE_MIN_ONE, ids.SCORE_FORCE_VILLAGE, ids.SCORE_FORCE_REASON,
    ids.SCORE_FORCE_IN, ids.SCORE_FORCE_OUT, ids.QUADRANT_X_CUT, ids.QUADRANT_Y_CUT,
    # decide panel (scenarios, previous lokus, plan, targets, exports)
    ids.SCN_NAME, ids.SCN_SAVE_NEW, ids.SCN_LIST, ids.SCN_LOAD, ids.SCN_RENAME,
    ids.SCN_DUPLICATE, ids.SCN_DELETE, ids.SCN_REASON, ids.SCN_UPDATE, ids.SCN_NOTES,
    ids.SCN_UPLOAD_JSON, ids.SCN_COMPARE, ids.PREV_UPLOAD, ids.PLAN_ADD, ids.PLAN_REDRAFT,
    ids.PLAN_SAVE, ids.TARGET_SAVE, ids.EXPORT_YEAR, ids.EXPORT_PLACE, ids.EXPORT_DATE,
    ids.EXPORT_SIGNER, ids.EXPORT_NIP,
    # upload tab
    f"{ids.UPLOAD_BOUNDARIES}-slot", f"{ids.UPLOAD_TABLE}-slot",
    f"{ids.UPLOAD_EPPGBM}-slot", f"{ids.UPLOAD_COVERAGE}-slot", ids.UPLOAD_CHECK,
    ids.MATCH_SAVE, ids.UPLOAD_NAME, ids.UPLOAD_SAVE,
)


def tip_key(target: str) -> str:
    """Catalogue key of a control's tooltip: ``help.tip.<id with - as _>``."""
    return "help.tip." + target.replace("-", "_")


def tooltips(lang: str) -> list[dbc.Tooltip]:
    """One tooltip per control of :data:`TOOLTIP_TARGETS`, in ``lang``."""
    # hover only: a tooltip shown on focus would cover the page while the planner types
    return [dbc.Tooltip(t(tip_key(target), lang), target=target, placement="auto",
                        trigger="hover", delay={"show": 400, "hide": 50}, class_name="help-tip")
            for target in TOOLTIP_TARGETS]


def _folded(text: str) -> str:
    """Lower case without accents, for search ("Empiris" finds "empiris")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold())
                   if not unicodedata.combining(c))


def matching_terms(query: str | None, lang: str) -> list[str]:
    """Glossary terms whose name or text contains every word of ``query`` (all when empty)."""
    words = _folded(query or "").split()
    out = []
    for term in GLOSSARY_TERMS:
        haystack = _folded(f"{t(f'glossary.{term}.term', lang)} {t(f'glossary.{term}.text', lang)}")
        if all(word in haystack for word in words):
            out.append(term)
    return out


def glossary_entries(terms: list[str], lang: str) -> html.Div | html.Dl:
    """The glossary list for ``terms`` (a plain line when nothing matches)."""
    if not terms:
        return html.Div(t("help.glossary.no_match", lang), className="small text-muted")
    items: list = []
    for term in terms:
        items += [html.Dt(t(f"glossary.{term}.term", lang), id=f"glossary-term-{term}"),
                  html.Dd(t(f"glossary.{term}.text", lang), className="small mb-2")]
    return html.Dl(items, className="glossary-list mb-0")


def glossary_panel(lang: str) -> dbc.Modal:
    """The searchable glossary (opened from the navbar or a term's link)."""
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle(t("help.glossary.title", lang))),
        dbc.ModalBody([
            dbc.Label(t("help.glossary.search", lang), html_for=ids.GLOSSARY_SEARCH,
                      className="visually-hidden"),
            dbc.Input(id=ids.GLOSSARY_SEARCH, type="search", debounce=False, size="sm",
                      placeholder=t("help.glossary.search", lang), className="mb-2"),
            html.Div(glossary_entries(list(GLOSSARY_TERMS), lang), id=ids.GLOSSARY_LIST,
                     role="region", **{"aria-live": "polite"}),
        ]),
    ], id=ids.GLOSSARY_PANEL, is_open=False, scrollable=True, size="lg")


def glossary_button(lang: str) -> dbc.Button:
    """Navbar button opening the glossary."""
    return dbc.Button(t("help.glossary.open", lang), id=ids.GLOSSARY_OPEN, color="light",
                      outline=True, size="sm", className="me-2 text-nowrap")


def navbar_help(lang: str) -> html.Div:
    """The navbar's help buttons: *Glosarium* and *Profil desa*."""
    return html.Div([glossary_button(lang), profile_button(lang)], className="d-flex")


def page_layer(lang: str) -> list:
    """What the page carries beside its content: the profile panel, the glossary, and the slot of
    the tooltips. The tooltips are put in once the page is ready (callbacks/profile.py): a
    tooltip attaches to the element its target has when it mounts, and a dropdown's element is
    replaced while the page loads (assets/help.js titles dropdowns on hover instead)."""
    texts = {target: t(tip_key(target), lang) for target in TOOLTIP_TARGETS}
    # data-tips: the texts for assets/help.js, which titles dropdowns (see there why)
    return [profile_panel(lang), glossary_panel(lang),
            html.Div(id=ids.HELP_TIPS, **{"data-tips": json.dumps(texts, ensure_ascii=False)})]
