"""The further analyses in the exports (issue 15): the budget selection, the survey against the
register, and the review of last year's lokus.

:class:`AnalyticsContent` holds the results the planner ran (each None when not run); it rides
on :class:`geo.export.common.ExportContext` (``ctx.analytics``). This module turns it into
language-aware tables (:func:`budget_frame`, :func:`survey_frame`, :func:`review_frame`), the
key-value summary of each analysis (:func:`summary_rows`), the methodology rows (the formula
texts ``analytics.method.*`` and the numbers, :func:`analytics_method_rows`) and one XLSX sheet
per analysis present (:func:`analytics_sheets`). Every text comes from the catalogue
(``export.analytics.*``, ``analytics.*``); numbers stay numbers for the writers to format.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo.core.i18n import format_number, t
from geo.decide.review import ReviewResult
from geo.export.safe import safe_frame
from geo.scoring.budget_model import BudgetSelection
from geo.scoring.survey import SurveyReconciliation

if TYPE_CHECKING:
    from geo.data.model import Dataset
    from geo.export.common import ExportContext

__all__ = [
    "AnalyticsContent",
    "analytics_method_rows",
    "budget_frame",
    "frame_bytes",
    "review_frame",
    "summary_rows",
    "survey_frame",
]

Row = tuple[str, str, Any, str]


@dataclass(frozen=True)
class AnalyticsContent:
    """The analyses the planner ran, for the exports (each None when not run).

    ``costs`` is the cost per village (Rp) the budget selection used, ``cost_source`` how it
    was obtained (``tabel``/``rencana``/``satuan``), ``children`` the stunted children per
    village (code → count).
    """

    budget: BudgetSelection | None = None
    costs: pd.Series | None = None
    children: pd.Series | None = None
    cost_source: str = ""
    survey: SurveyReconciliation | None = None
    review: ReviewResult | None = None

    def __bool__(self) -> bool:
        return any(x is not None for x in (self.budget, self.survey, self.review))


def _x(key: str, lang: str, **values: Any) -> str:
    return t(f"export.analytics.{key}", lang, **values)


def _villages(villages: pd.DataFrame) -> pd.DataFrame:
    """``kode`` → ``nama``, ``nama_kec`` (a table with those columns, e.g. ``Dataset.villages``)."""
    return villages.assign(kode=villages["kode"].astype(str)).set_index("kode")[["nama", "nama_kec"]]


def budget_frame(
    content: AnalyticsContent, villages: pd.DataFrame, scores: pd.Series, lang: str = "id"
) -> pd.DataFrame:
    """The budget list beside the top-N list: every village in either, with its status
    (kept / gained / lost), cost (Rp), score and stunted children; columns in ``lang``."""
    sel = content.budget
    if sel is None:
        return pd.DataFrame()
    top = sel.comparison.top_n if sel.comparison is not None else ()
    codes = list(sel.chosen) + [c for c in top if c not in set(sel.chosen)]
    names = _villages(villages).reindex(codes)
    costs = content.costs if content.costs is not None else pd.Series(dtype=float)
    status = ["tetap" if c in set(top) else "bertambah" for c in sel.chosen]
    status += ["berkurang"] * (len(codes) - len(sel.chosen))
    children = content.children if content.children is not None else pd.Series(dtype=float)
    return pd.DataFrame(
        {
            _x("col.status", lang): [_x(f"status.{s}", lang) for s in status],
            _x("col.code", lang): codes,
            _x("col.village", lang): names["nama"].to_numpy(),
            _x("col.kecamatan", lang): names["nama_kec"].to_numpy(),
            _x("col.cost", lang): [float(costs.get(c, np.nan)) for c in codes],
            _x("col.score", lang): [float(scores.get(c, np.nan)) for c in codes],
            _x("col.children", lang): [float(children.get(c, np.nan)) for c in codes],
            _x("col.budget_list", lang): [c in set(sel.chosen) for c in codes],
            _x("col.top_n", lang): [c in set(top) for c in codes],
            _x("col.reason", lang): [sel.reasons[c].render(lang) if c in sel.reasons else "" for c in codes],
        }
    )


def survey_frame(rec: SurveyReconciliation, villages: pd.DataFrame, lang: str = "id") -> pd.DataFrame:
    """Per village: register counts and prevalence (Wilson 95 %), expected children under the
    survey, the gap and the flag; largest gap first; columns in ``lang``."""
    table = rec.table.copy()
    table["kode"] = table["kode"].astype(str)
    names = _villages(villages).reindex(table["kode"])
    out = pd.DataFrame(
        {
            _x("col.code", lang): table["kode"].to_numpy(),
            _x("col.village", lang): names["nama"].to_numpy(),
            _x("col.kecamatan", lang): names["nama_kec"].to_numpy(),
            t("analytics.survey.col.anak_stunting", lang): table["anak_stunting"].to_numpy(),
            t("analytics.survey.col.anak_diukur", lang): table["anak_diukur"].to_numpy(),
            t("analytics.survey.col.prevalensi_register", lang): table["prevalensi_register"].to_numpy(),
            _x("col.ci_low", lang): table["ci_bawah"].to_numpy(),
            _x("col.ci_high", lang): table["ci_atas"].to_numpy(),
            t("analytics.survey.col.harapan", lang): table["harapan"].to_numpy(),
            t("analytics.survey.col.selisih", lang): table["selisih"].to_numpy(),
            t("analytics.survey.flag", lang): table["belum_terukur"].to_numpy(dtype=bool),
        }
    )
    order = np.argsort(-np.nan_to_num(table["selisih"].to_numpy(dtype=float), nan=-np.inf), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def review_frame(res: ReviewResult, villages: pd.DataFrame, lang: str = "id") -> pd.DataFrame:
    """Per village with both years: lokus or not, the two values, the change and (for a lokus)
    its comparison group's change; lokus first; columns in ``lang``."""
    table = res.table.copy()
    table["kode"] = table["kode"].astype(str)
    names = _villages(villages).reindex(table["kode"])
    compare = [t(f"analytics.review.pembanding.{p}", lang) if p else "" for p in table["pembanding"]]
    out = pd.DataFrame(
        {
            _x("col.code", lang): table["kode"].to_numpy(),
            _x("col.village", lang): names["nama"].to_numpy(),
            _x("col.kecamatan", lang): names["nama_kec"].to_numpy(),
            _x("col.lokus", lang): table["lokus"].to_numpy(dtype=bool),
            t("analytics.review.col.sebelum", lang): table["sebelum"].to_numpy(),
            t("analytics.review.col.sesudah", lang): table["sesudah"].to_numpy(),
            t("analytics.review.col.perubahan", lang): table["perubahan"].to_numpy(),
            t("analytics.review.col.perubahan_pembanding", lang): table["perubahan_pembanding"].to_numpy(),
            _x("col.compared_with", lang): compare,
        }
    )
    order = np.lexsort((table["kode"].to_numpy(), ~table["lokus"].to_numpy(dtype=bool)))
    return out.iloc[order].reset_index(drop=True)


def _places(codes: Sequence[str], names: dict[str, str]) -> str:
    return ", ".join(f"{names[c]} ({c})" if c in names else c for c in codes) or "–"


def _budget_summary(sel: BudgetSelection, names: dict[str, str], lang: str) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [
        (_x("sum.objective", lang), t(f"analytics.budget.objective.{sel.objective_kind}", lang)),
        (_x("sum.budget", lang), sel.budget),
        (_x("sum.cost", lang), sel.cost),
        (_x("sum.money_left", lang), sel.money_left),
        (_x("sum.count", lang), len(sel.chosen)),
        (_x("sum.children", lang), sel.children),
        (_x("sum.score", lang), sel.score),
        (_x("sum.status", lang), _x(f"status_solver.{sel.status}", lang)),
        (_x("sum.no_cost", lang), len(sel.no_cost)),
    ]
    cmp = sel.comparison
    if cmp is not None:
        rows += [
            (_x("sum.top_n", lang), len(cmp.top_n)),
            (_x("sum.top_cost", lang), cmp.top_cost),
            (_x("sum.top_children", lang), cmp.top_children),
            (_x("sum.gained", lang), len(cmp.gained)),
            (_x("sum.lost", lang), len(cmp.lost)),
        ]
    for i, alt in enumerate(sel.alternatives, 1):
        rows.append(
            (
                _x("sum.alternative", lang, i=i),
                _x(
                    "sum.alternative_value",
                    lang,
                    share=format_number(100 * alt.share, 1, lang),
                    cost=format_number(alt.cost, 0, lang),
                    added=_places(alt.added, names),
                    removed=_places(alt.removed, names),
                ),
            )
        )
    return rows


def _survey_summary(rec: SurveyReconciliation, lang: str) -> list[tuple[str, Any]]:
    k = rec.kabupaten
    return [
        (_x("sum.survey", lang, source=k.survey.source, year=k.survey.year), k.survey.prevalence),
        (
            _x("sum.survey_ci", lang),
            f"{format_number(k.survey.low, 1, lang)}–{format_number(k.survey.high, 1, lang)}",
        ),
        (_x("sum.register", lang), k.register),
        (
            _x("sum.register_ci", lang),
            f"{format_number(k.register_low, 2, lang)}–{format_number(k.register_high, 2, lang)}",
        ),
        (_x("sum.stunted", lang), k.stunted),
        (_x("sum.measured", lang), k.measured),
        (_x("sum.coverage", lang), k.coverage),
        (_x("sum.expected", lang), k.expected),
        (_x("sum.gap", lang), k.gap),
        (_x("sum.flagged", lang), k.flagged),
        (_x("sum.sentence", lang), k.message().render(lang)),
    ]


def _review_summary(res: ReviewResult, label: str, lang: str) -> list[tuple[str, Any]]:
    meta = res.meta
    return [
        (_x("sum.indicator", lang), label),
        (_x("sum.years", lang), f"{meta.get('year_before', '')} → {meta.get('year_after', '')}"),
        (_x("sum.effect", lang), res.effect),
        (_x("sum.effect_low", lang), res.ci_low),
        (_x("sum.effect_high", lang), res.ci_high),
        (_x("sum.naive", lang), res.naive),
        (_x("sum.change_lokus", lang), res.change_lokus),
        (_x("sum.change_control", lang), res.change_control),
        (_x("sum.n_lokus", lang), res.n_lokus),
        (_x("sum.n_matched", lang), res.n_matched),
        (_x("sum.n_control", lang), res.n_control),
        (_x("sum.n_missing", lang), res.n_missing),
        (_x("sum.verdict", lang), res.verdict.render(lang)),
    ]


def summary_rows(
    content: AnalyticsContent, kind: str, lang: str = "id", dataset: Dataset | None = None
) -> list[tuple[str, Any]]:
    """``(item, value)`` summary of one analysis (``budget``, ``survey`` or ``review``); empty
    when it was not run. With ``dataset``, villages are named and the indicator labelled."""
    names: dict[str, str] = {}
    if dataset is not None:
        v = dataset.villages
        names = dict(zip(v["kode"].astype(str), v["nama"].astype(str), strict=True))
    if kind == "budget" and content.budget is not None:
        return _budget_summary(content.budget, names, lang)
    if kind == "survey" and content.survey is not None:
        return _survey_summary(content.survey, lang)
    if kind == "review" and content.review is not None:
        indicator = str(content.review.meta.get("indicator", ""))
        label = dataset.indicator(indicator).label(lang) if dataset is not None and indicator else indicator
        return _review_summary(content.review, label, lang)
    return []


def analytics_method_rows(ctx: ExportContext, lang: str = "id") -> list[Row]:
    """Methodology rows of the analyses present: the method text and the key numbers."""
    content = getattr(ctx, "analytics", None)
    if not content:
        return []
    section = _x("section", lang)
    rows: list[Row] = []
    for kind, method in (("budget", "budget"), ("survey", "survey"), ("review", "review")):
        summary = summary_rows(content, kind, lang, ctx.dataset)
        if not summary:
            continue
        rows.append((section, _x(f"title.{kind}", lang), t(f"analytics.method.{method}", lang), ""))
        rows += [(section, item, value, "") for item, value in summary]
    return rows


def frame_bytes(frame: pd.DataFrame, suffix: str, sheet: str) -> bytes:
    """A table as CSV (UTF-8 with BOM, for Excel) or XLSX, every text cell formula-safe."""
    safe = safe_frame(frame.astype(object).where(frame.notna(), None))
    buf = io.BytesIO()
    if suffix.lower().lstrip(".") == "xlsx":
        safe.to_excel(buf, index=False, sheet_name=sheet[:31])
    else:
        buf.write(safe.to_csv(index=False).encode("utf-8-sig"))
    return buf.getvalue()


def sheet_tables(ctx: ExportContext, lang: str = "id") -> list[tuple[str, str, pd.DataFrame, Sequence[str]]]:
    """``(sheet name, title, table, money columns)`` of each analysis present, for the XLSX."""
    content = getattr(ctx, "analytics", None)
    if not content:
        return []
    villages = ctx.dataset.villages
    out: list[tuple[str, str, pd.DataFrame, Sequence[str]]] = []
    if content.budget is not None:
        scores = ctx.result.table.set_index(ctx.result.table["kode"].astype(str))["skor"]
        out.append(
            (
                _x("sheet.budget", lang),
                _x("title.budget", lang),
                budget_frame(content, villages, scores, lang),
                [_x("col.cost", lang)],
            )
        )
    if content.survey is not None:
        out.append(
            (
                _x("sheet.survey", lang),
                _x("title.survey", lang),
                survey_frame(content.survey, villages, lang),
                [],
            )
        )
    if content.review is not None:
        out.append(
            (
                _x("sheet.review", lang),
                _x("title.review", lang),
                review_frame(content.review, villages, lang),
                [],
            )
        )
    return out
