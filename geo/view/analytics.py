"""The further analyses of the "Analisis lanjutan" tab (issue 15) from the page's inputs.

Pure glue between the inputs the browser keeps (``ids.STORE_ANALYTICS``: amounts as typed,
choices, references to uploaded files kept on the server by content hash) and the engines:
:func:`geo.scoring.budget.select_with_budget`, :func:`geo.scoring.smaa.smaa_of_result`,
:func:`geo.scoring.survey.reconcile_dataset` and :func:`geo.decide.review.review_dataset`.
:func:`export_content` rebuilds every analysis run for the exports
(:class:`geo.export.analytics.AnalyticsContent`).
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

from geo.core.errors import InputError
from geo.data.model import Dataset
from geo.decide.continuity import read_previous_list
from geo.decide.plan import draft_plan
from geo.decide.review import ReviewResult, review_dataset
from geo.export.analytics import AnalyticsContent
from geo.io.tables import parse_numbers
from geo.io.uploads import decode_upload
from geo.scoring.budget import BudgetConstraints, BudgetSelection, select_with_budget
from geo.scoring.budget_costs import Costs, candidates_of, costs_from_plan, costs_from_unit, read_costs
from geo.scoring.result import ScoringResult
from geo.scoring.smaa import WeightInfo
from geo.scoring.survey import SurveyEstimate, SurveyReconciliation, reconcile_dataset
from geo.scoring.values import outcome_rate
from geo.store.scenarios import Store
from geo.view.registry import Registry

__all__ = [
    "budget_costs",
    "budget_parts",
    "budget_selection",
    "criteria_labels",
    "default_ranks",
    "export_content",
    "lokus_codes",
    "parse_amount",
    "review_result",
    "save_upload",
    "smaa_info",
    "survey_result",
    "whole",
]


def parse_amount(text: Any, missing: str | None = None) -> float | None:
    """Rupiah typed as ``1500000000``, ``1.500.000.000`` or ``1,5e9``; None when empty (or an
    :class:`InputError` with the key ``missing``)."""
    if text is None or str(text).strip() == "":
        if missing:
            raise InputError.of(missing)
        return None
    values, bad = parse_numbers(pd.Series([str(text).replace("Rp", "").strip()], dtype="string"))
    if bad.iloc[0] or pd.isna(values.iloc[0]):
        raise InputError.of("analytics.input.amount", value=str(text))
    return float(values.iloc[0])


def whole(value: Any) -> int | None:
    return None if value in (None, "") else int(float(value))


def save_upload(folder: Path, contents: str, filename: str) -> tuple[str, str]:
    """Keep an uploaded CSV/XLSX under ``folder`` by its content hash: ``(token, file name)``."""
    data, name = decode_upload(contents, filename, allowed=(".csv", ".xlsx"), max_bytes=5_000_000)
    token = hashlib.sha256(data).hexdigest()[:24] + Path(name).suffix.lower()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / token).write_bytes(data)
    return token, name


def _kept(folder: Path, ref: dict | None, missing: str) -> tuple[Path, str]:
    if not ref or not (folder / Path(str(ref.get("token", ""))).name).is_file():
        raise InputError.of(missing)
    return folder / Path(ref["token"]).name, str(ref.get("name", ""))


def budget_costs(
    dataset: Dataset, result: ScoringResult, inputs: dict, folder: Path, store: Store | None = None
) -> Costs:
    """The cost per village of ``inputs["source"]``: ``unit`` (unit cost × stunted or measured
    children), ``file`` (the uploaded cost table) or ``plan`` (the Aksi 2 plan's budgets: the
    active scenario's saved plan, else the draft)."""
    source = inputs.get("source", "unit")
    if source == "file":
        path, name = _kept(folder, inputs.get("cost_file"), "analytics.input.no_cost_file")
        costs = read_costs(path, dataset.villages, display_name=name, unit_cost=inputs.get("unit_cost"))
    elif source == "plan":
        scenario = inputs.get("scenario")
        items = store.plan(int(scenario)) if store is not None and scenario else []
        costs = costs_from_plan(items or list(draft_plan(dataset, result)))
    else:
        unit = inputs.get("unit_cost")
        if unit is None:
            raise InputError.of("analytics.input.unit_cost_missing")
        year = int(result.config.year)
        rate = outcome_rate(dataset, list(result.indicators), year)
        if inputs.get("target") == "diukur" and rate is not None:
            counts = pd.Series(dataset.values(rate, year).denominator, index=list(dataset.codes), dtype=float)
        else:
            counts = candidates_of(result, dataset).set_index("code")["children"]
        costs = costs_from_unit(float(unit), counts)
    if not len(costs.values):
        raise InputError.of("analytics.input.no_costs")
    return costs


def budget_selection(dataset: Dataset, result: ScoringResult, inputs: dict, costs: Costs) -> BudgetSelection:
    """The integer program under the scoring's rules (quota, forced in/out) and the page's
    per-kecamatan minimum/maximum; compared with the scoring's top-N list."""
    changes: dict[str, Any] = {"min_per_kecamatan": inputs.get("min") or None}
    if inputs.get("max"):
        changes["max_per_kecamatan"] = int(inputs["max"])
    rules = BudgetConstraints.from_config(result.config, **changes)
    return select_with_budget(
        candidates_of(result, dataset),
        costs.values,
        float(inputs["budget"]),
        rules,
        objective=inputs.get("objective", "score"),
        alternatives=3,
        top_n=list(result.selection.chosen),
    )


def budget_parts(
    dataset: Dataset, result: ScoringResult, inputs: dict, folder: Path, store: Store | None = None
) -> dict[str, Any]:
    """The budget fields of :class:`AnalyticsContent`: the selection, the costs used and the
    stunted children per village."""
    costs = budget_costs(dataset, result, inputs, folder, store)
    return {
        "budget": budget_selection(dataset, result, inputs, costs),
        "costs": costs.values,
        "cost_source": costs.source,
        "children": candidates_of(result, dataset).set_index("code")["children"],
    }


def smaa_info(
    criteria: list[str], mode: str, ranks: dict[str, Any], lows: dict[str, Any], highs: dict[str, Any]
) -> WeightInfo:
    """What the planner said about the weights: a ranking (equal rank = tie) with optional
    bounds, or bounds alone (percent of the total weight)."""
    bounds = {
        c: (float(lows.get(c) or 0) / 100, float(100 if highs.get(c) in (None, "") else highs[c]) / 100)
        for c in criteria
        if lows.get(c) not in (None, "") or highs.get(c) not in (None, "")
    }
    if mode == "intervals":
        return WeightInfo.from_intervals(bounds, criteria)
    if any(ranks.get(c) in (None, "") for c in criteria):
        raise InputError.of("analytics.input.ranks", n=len(criteria))
    levels = sorted({int(ranks[c]) for c in criteria})
    groups = [[c for c in criteria if int(ranks[c]) == level] for level in levels]
    return WeightInfo.from_ranking(groups, bounds or None)


def survey_result(dataset: Dataset, result: ScoringResult, inputs: dict) -> SurveyReconciliation:
    """The survey estimate against the register of the survey's year (the scoring year when
    the data has no register for it)."""
    given = [inputs.get(k) for k in ("prevalence", "low", "high")]
    if any(v is None or v == "" for v in given):
        raise InputError.of("analytics.input.survey_missing")
    prevalence, low, high = (float(v) for v in given)  # type: ignore[arg-type]
    year = int(inputs.get("year") or result.config.year)
    estimate = SurveyEstimate(prevalence, low, high, year=year, source=str(inputs.get("source") or "SSGI"))
    register_year = year if year in dataset.years else int(result.config.year)
    return reconcile_dataset(dataset, register_year, estimate, adjust=bool(inputs.get("adjust")))


def lokus_codes(dataset: Dataset, store: Store, choice: str | None, folder: Path, files: dict) -> list[str]:
    """Last year's lokus: a saved scenario's list (``scn:<id>``), the list saved with a scenario
    (``prev:<id>``) or an uploaded file (``file:<token>``)."""
    kind, _, ref = (choice or "").partition(":")
    if kind == "scn":
        return list(store.get(int(ref)).codes)
    if kind == "prev":
        previous = store.previous(int(ref))
        if previous is not None:
            return list(previous.codes)
    if kind == "file":
        path, name = _kept(folder, files.get(ref) or {"token": ref}, "analytics.input.no_list")
        return list(read_previous_list(path, dataset.villages, display_name=name).codes)
    raise InputError.of("analytics.input.no_list")


def review_result(dataset: Dataset, store: Store, inputs: dict, folder: Path, files: dict) -> ReviewResult:
    """The matched difference-in-differences of last year's lokus."""
    if not inputs.get("before") or not inputs.get("after"):
        raise InputError.of("analytics.input.years")
    codes = lokus_codes(dataset, store, inputs.get("list"), folder, files)
    return review_dataset(
        dataset,
        codes,
        str(inputs["indicator"]),
        int(inputs["before"]),
        int(inputs["after"]),
        draws=2000,
        seed=0,
    )


def export_content(
    registry: Registry, store: Store, dataset_id: str, result: ScoringResult, data: dict | None, folder: Path
) -> AnalyticsContent | None:
    """The analyses the planner ran (``data`` = ``ids.STORE_ANALYTICS``), recomputed on the
    exported result; an analysis whose inputs no longer work is left out."""
    data = data or {}
    dataset = registry.get(dataset_id)
    parts: dict[str, Any] = {}
    if data.get("budget"):
        with contextlib.suppress(InputError):  # inputs that no longer fit: left out
            parts.update(budget_parts(dataset, result, data["budget"], folder, store))
    for key, run in (
        ("survey", lambda d: survey_result(dataset, result, d)),
        ("review", lambda d: review_result(dataset, store, d, folder, data.get("files", {}))),
    ):
        if data.get(key):
            with contextlib.suppress(InputError):  # inputs that no longer fit: left out
                parts[key] = run(data[key])
    content = AnalyticsContent(**parts)
    return content if content else None


def criteria_labels(result: ScoringResult, lang: str) -> list[tuple[str, str]]:
    """(id, label) of each scored criterion (the hotspot criterion has no indicator: its id)."""
    return [
        (c.id, result.indicators[c.id].label(lang) if c.id in result.indicators else c.id)
        for c in result.criteria
    ]


def default_ranks(result: ScoringResult) -> dict[str, int]:
    """Rank of each criterion by its current weight (equal weights share a rank)."""
    weights = sorted({round(float(c.weight), 6) for c in result.criteria}, reverse=True)
    return {c.id: weights.index(round(float(c.weight), 6)) + 1 for c in result.criteria}
