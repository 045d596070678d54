"""The analyses of the "Analisis lanjutan" tab shown elsewhere: SMAA in the stability map layer
and the village profile, the survey estimate on the map page and in presenter step 1.

The browser keeps only the inputs (``ids.STORE_ANALYTICS``): ``smaa`` = ``{"mode", "ranks",
"lows", "highs", "draws"}`` (as typed in the tab; ranks/bounds by criterion id) and ``survey``
= ``{"prevalence", "low", "high", "year", "source", "adjust"}``. The results are recomputed
here from those inputs on the active scoring, seeded (seed 0) and with capped draws, so the
map, the profile and the tab show the same numbers. SMAA runs are memoised per registry in a
bounded LRU cache keyed by (dataset, config, inputs), like :meth:`Registry.score`.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from geo.core.errors import InputError
from geo.scoring.result import ScoringResult
from geo.scoring.smaa import SmaaResult, smaa_of_result
from geo.scoring.survey import KabupatenComparison
from geo.view.analytics import smaa_info, survey_result
from geo.view.registry import Registry

__all__ = ["CORE", "MAX_DRAWS", "MIN_DRAWS", "RARE", "SmaaRuns", "draws_of", "smaa_inputs", "smaa_labels",
           "smaa_runs", "survey_comparison"]

#: Bounds on the weight draws of one SMAA run (20 000 take about 2 s on the embedded data).
MIN_DRAWS, MAX_DRAWS, DEFAULT_DRAWS = 100, 20_000, 5_000
#: P(lokus) bounds of the stability words, as :mod:`geo.scoring.stability` uses them.
CORE, RARE = 0.9, 0.1
_CACHE_SIZE = 16


def draws_of(value: Any) -> int:
    """The number of draws asked for, clipped to ``MIN_DRAWS``–``MAX_DRAWS``."""
    try:
        asked = int(float(value)) if value not in (None, "") else DEFAULT_DRAWS
    except (TypeError, ValueError):
        asked = DEFAULT_DRAWS
    return min(max(asked, MIN_DRAWS), MAX_DRAWS)


def smaa_inputs(mode: str | None, ranks: Mapping[str, Any], lows: Mapping[str, Any],
                highs: Mapping[str, Any], draws: Any) -> dict:
    """The SMAA inputs as the browser keeps them (JSON-safe, draws clipped)."""
    def plain(values: Mapping[str, Any]) -> dict:
        return {str(k): v for k, v in values.items() if v not in (None, "")}

    return {"mode": mode or "ranking", "ranks": plain(ranks), "lows": plain(lows),
            "highs": plain(highs), "draws": draws_of(draws)}


class SmaaRuns:
    """SMAA results of (dataset, scoring config, inputs), memoised (bounded LRU, per process)."""

    def __init__(self, registry: Registry, maxsize: int = _CACHE_SIZE) -> None:
        self.registry = registry
        self._run = lru_cache(maxsize=maxsize)(self._compute)

    def _compute(self, dataset_id: str | None, config_json: str, inputs_json: str) -> SmaaResult:
        result = self.registry.score(dataset_id, json.loads(config_json))
        inputs = json.loads(inputs_json)
        info = smaa_info([c.id for c in result.criteria], inputs.get("mode") or "ranking",
                         inputs.get("ranks", {}), inputs.get("lows", {}), inputs.get("highs", {}))
        return smaa_of_result(result, info, draws=draws_of(inputs.get("draws")), seed=0)

    def get(self, dataset_id: str | None, config: dict | None, inputs: dict | None, *,
            strict: bool = False) -> SmaaResult | None:
        """The SMAA result, or None without inputs or a config. Inputs that no longer fit the
        scoring (other criteria) raise the :class:`InputError` with ``strict``, else give None."""
        if not config or not inputs:
            return None
        key = (dataset_id, json.dumps(config, sort_keys=True), json.dumps(inputs, sort_keys=True))
        try:
            return self._run(*key)
        except InputError:
            if strict:
                raise
            return None


_RUNS: weakref.WeakKeyDictionary[Registry, SmaaRuns] = weakref.WeakKeyDictionary()
_RUNS_LOCK = threading.Lock()


def smaa_runs(registry: Registry) -> SmaaRuns:
    """The SMAA cache of ``registry`` (one per registry, shared by every callback)."""
    with _RUNS_LOCK:
        runs = _RUNS.get(registry)
        if runs is None:
            runs = _RUNS[registry] = SmaaRuns(registry)
        return runs


def smaa_labels(smaa: SmaaResult, codes: Any) -> tuple[np.ndarray, np.ndarray]:
    """(P(lokus), stability word) per village of ``codes`` under the SMAA weights: ``inti``
    (P ≥ 0.9), ``jarang`` (P ≤ 0.1), else ``bimbang``; NaN and "" for villages not ranked."""
    p = smaa.table["p_lokus"].reindex([str(c) for c in codes]).to_numpy(dtype=float)
    words = np.where(p >= CORE, "inti", np.where(p <= RARE, "jarang", "bimbang"))
    return p, np.where(np.isnan(p), "", words)


def survey_comparison(registry: Registry, dataset_id: str | None, config: dict | None,
                      inputs: dict | None) -> KabupatenComparison | None:
    """The kabupaten's survey and register numbers for the stored survey inputs (the register
    of the survey's year, else the scoring year); None without inputs, a config, or when the
    inputs no longer fit the data."""
    if not inputs or not config:
        return None
    try:
        result: ScoringResult = registry.score(dataset_id, config)
        return survey_result(registry.get(dataset_id), result, inputs).kabupaten
    except (InputError, TypeError, ValueError):  # inputs that no longer fit: not shown
        return None
