"""Components showing the analyses of the "Analisis lanjutan" tab outside it: the two stunting
numbers (survey and register) as a compact line on the map page and in large type in
presenter step 1. Texts from the catalogue (``shown.*``), numbers through ``format_number``."""

from __future__ import annotations

from dash import html

from geo.core.i18n import format_number, format_percent
from geo.scoring.survey import KabupatenComparison
from layouts.text import t

__all__ = ["survey_line", "survey_parts", "survey_present"]


def _range(low: float, high: float, lang: str) -> str:
    return f"{format_number(low, 1, lang)}–{format_percent(high, 1, lang)}"


def survey_parts(k: KabupatenComparison, lang: str) -> tuple[str, str, str]:
    """(survey, register, coverage) texts: "SSGI 2024: 20,8% (95% CI 18,0–23,6%)", ..."""
    survey = t("shown.survey.survey", lang, source=k.survey.source, year=k.survey.year,
               value=format_percent(k.survey.prevalence, 1, lang),
               ci=_range(k.survey.low, k.survey.high, lang))
    register = t("shown.survey.register", lang, value=format_percent(k.register, 1, lang),
                 ci=_range(k.register_low, k.register_high, lang))
    coverage = (t("shown.survey.coverage", lang, value=format_percent(k.coverage, 1, lang))
                if k.coverage is not None else t("shown.survey.coverage_unknown", lang))
    return survey, register, coverage


def survey_line(k: KabupatenComparison | None, lang: str) -> html.Div | None:
    """The compact line under the map page's summary cards (None: nothing entered)."""
    if k is None:
        return None
    parts = survey_parts(k, lang)
    return html.Div([html.Span(t("shown.survey.label", lang), className="fw-semibold me-1"),
                     html.Span(" · ".join(parts), className="survey-line-text")],
                    className="survey-line small", title=t("shown.survey.hint", lang))


def survey_present(k: KabupatenComparison | None, lang: str) -> list:
    """Presenter step 1: the two numbers side by side in large type, and what the gap means."""
    if k is None:
        return []
    survey, register, coverage = survey_parts(k, lang)
    cards = [(t("shown.present.survey", lang, source=k.survey.source, year=k.survey.year),
              format_percent(k.survey.prevalence, 1, lang), _range(k.survey.low, k.survey.high, lang)),
             (t("shown.present.register", lang), format_percent(k.register, 1, lang),
              _range(k.register_low, k.register_high, lang))]
    return [html.Div([
        html.H2(t("shown.present.title", lang), className="present-h2"),
        html.Div([html.Div([html.Div(value, className="present-card-value"),
                            html.Div(label, className="present-card-label"),
                            html.Div(t("shown.present.ci", lang, ci=ci), className="present-card-label")],
                           className="present-card") for label, value, ci in cards],
                 className="present-cards"),
        html.P([coverage[:1].upper() + coverage[1:], ". ",
                t("shown.present.meaning", lang, gap=format_number(k.gap, 0, lang))],
               className="present-note"),
    ], className="present-survey", title=f"{survey} · {register}")]
