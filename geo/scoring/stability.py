"""Rank stability: how sure is it that a village belongs in the top-N lokus list?

Monte Carlo over two sources of uncertainty, draws scored together (in chunks of at
most :data:`CHUNK_CELLS` cells, so 10 000 draws of a large dataset stay in memory) with the
array cores of :mod:`geo.scoring.mcda` and selected with :func:`geo.scoring.selection.selection_mask`:

* **Data** (optional, per rate indicator given in ``rates``): the counts are
  resampled, :math:`k^*_i \\sim \\text{Binomial}(n_i, \\hat p_i)` with
  :math:`\\hat p_i = k_i/n_i`, the rate is recomputed as ``scale·k*/n`` and, if the
  base used empirical-Bayes smoothing, smoothed again per draw (:func:`geo.core.rates.eb_smooth`).
  This is a parametric bootstrap: a village with k = 0 or k = n (or n = 0, which
  keeps its base value) gets no sampling noise from it.
* **Weights**: :math:`w^* \\sim \\text{Dirichlet}(\\kappa w)`, centred on the chosen
  weights w, with :math:`\\operatorname{Var}(w^*_j) = w_j(1-w_j)/(\\kappa+1)`.
  By default κ is set from ``weight_cv`` (relative sd of an average weight
  :math:`\\bar w = 1/c`): :math:`\\kappa = (1-\\bar w)/(\\bar w\\,cv^2) - 1`; cv = 0.2
  (≈ ±20 %) gives κ = 124 for 6 criteria. Zero weights stay zero.

Labels: ``inti`` (core, P ≥ 0.9), ``bimbang`` (swing, 0.1 < P < 0.9), ``jarang``
(rarely, P ≤ 0.1).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from geo.core.errors import InputError
from geo.core.rates import eb_smooth
from geo.scoring.mcda import (
    Criterion,
    Method,
    Normalisation,
    _geomean,
    _normalise_array,
    _saw,
    _topsis,
    score,
)
from geo.scoring.selection import selection_mask

__all__ = ["MAX_DRAWS", "RateSpec", "StabilityResult", "dirichlet_concentration", "rank_stability"]

CORE, SWING, RARE = "inti", "bimbang", "jarang"
#: Bounds on the number of Monte Carlo draws (time and memory grow linearly with them).
MIN_DRAWS, MAX_DRAWS = 1, 10_000
#: Draws × villages × criteria scored at once; larger runs are scored in chunks of draws.
CHUNK_CELLS = 8_000_000


@dataclass(frozen=True)
class RateSpec:
    """Counts behind a rate indicator, for resampling.

    Attributes
    ----------
    numerator, denominator
        Counts aligned with the indicator matrix index (k and n).
    scale
        Rate = scale · k / n (100 for percentages).
    smooth
        ``"none"``, ``"global"`` or ``"kecamatan"``: EB smoothing the base used.
    groups, parents
        Prior groups of the smoothing and their fallback (:func:`geo.core.rates.eb_smooth`),
        aligned like the counts, e.g. the kabupaten for ``"global"``. Without them
        ``"global"`` pools every village and ``"kecamatan"`` uses ``kecamatan``.
    """

    numerator: pd.Series
    denominator: pd.Series
    scale: float = 100.0
    smooth: Literal["none", "global", "kecamatan"] = "none"
    groups: pd.Series | None = None
    parents: pd.Series | None = None


@dataclass(frozen=True)
class StabilityResult:
    """Per-village stability (index = indicator matrix index).

    ``table`` columns: ``p_top_n`` (share of draws in the selection),
    ``rank_median``, ``rank_p05``, ``rank_p95`` (5–95 % rank interval) and
    ``label`` (inti / bimbang / jarang).
    """

    table: pd.DataFrame
    draws: int
    concentration: float
    seed: int | None
    settings: dict[str, object] = field(default_factory=dict)


def dirichlet_concentration(n_criteria: int, weight_cv: float) -> float:
    """κ such that an average weight 1/c has relative sd ``weight_cv``.

    κ = (1 − 1/c)/(cv²/c) − 1, at least 1 (larger cv values are not
    meaningful); ∞ (fixed weights) when cv = 0 or there is a single criterion.
    """
    if not weight_cv >= 0:
        raise InputError.of("scoring.error.weight_cv")
    if weight_cv == 0 or n_criteria <= 1:
        return np.inf
    wbar = 1.0 / n_criteria
    return max((1 - wbar) / (wbar * weight_cv**2) - 1.0, 1.0)


def _checked_draws(draws: int, n_criteria: int, weight_cv: float,
                   concentration: float | None) -> tuple[int, float]:
    """``(draws, κ)`` once both are known to be valid."""
    if not MIN_DRAWS <= draws <= MAX_DRAWS or int(draws) != draws:
        raise InputError.of("scoring.error.draws", low=MIN_DRAWS, high=MAX_DRAWS, rows=[draws])
    kappa = (dirichlet_concentration(n_criteria, weight_cv) if concentration is None
             else float(concentration))
    if not kappa > 0:
        raise InputError.of("scoring.error.concentration")
    return int(draws), kappa


def _weight_draws(rng: np.random.Generator, w0: np.ndarray, kappa: float, draws: int) -> np.ndarray:
    """Dirichlet(κ·w0) weights, one row per draw (the base weights when κ = ∞)."""
    if np.isinf(kappa):
        return np.broadcast_to(w0, (draws, len(w0)))
    g = np.zeros((draws, len(w0)))
    pos = w0 > 0
    g[:, pos] = rng.gamma(kappa * w0[pos], size=(draws, int(pos.sum())))
    total = g.sum(axis=1, keepdims=True)
    # all gamma draws can underflow to 0 for tiny κ·w: keep the base weights then
    return np.where(total > 0, g / np.where(total > 0, total, 1.0), w0)


def _resampled(rates: Mapping[str, RateSpec], index: pd.Index, ids: list[str],
               groups: np.ndarray) -> list[tuple]:
    """Per resampled rate: ``(column, spec, n, ok, p̂, n as int, prior groups, parents)``."""
    specs = []
    for cid, spec in rates.items():
        if cid not in ids:
            raise InputError.of("scoring.error.rate_not_criterion", column=cid)
        k = spec.numerator.reindex(index).to_numpy(dtype=float)
        n = spec.denominator.reindex(index).to_numpy(dtype=float)
        ok = (n > 0) & np.isfinite(n) & np.isfinite(k)
        p_hat = np.where(ok, k / np.where(ok, n, 1), 0.0)
        n_int = np.where(ok, n, 0).astype(np.int64)
        grp = par = None
        if spec.smooth != "none":
            grp = (spec.groups.reindex(index).astype(str).to_numpy() if spec.groups is not None
                   else groups if spec.smooth == "kecamatan" else None)
            par = None if spec.parents is None else spec.parents.reindex(index).astype(str).to_numpy()
        specs.append((ids.index(cid), spec, n, ok, p_hat, n_int, grp, par))
    return specs


def _data_draws(rng: np.random.Generator, x0: np.ndarray, specs: list[tuple], d: int) -> np.ndarray:
    """``d`` copies of the matrix with every resampled rate drawn again (binomial counts)."""
    x = np.broadcast_to(x0, (d, *x0.shape))
    if specs:
        x = x.copy()
    for j, spec, n, ok, p_hat, n_int, grp, par in specs:
        k_star = rng.binomial(n_int, p_hat, size=(d, x0.shape[0]))
        if spec.smooth == "none":
            rate = np.where(ok, k_star / np.where(ok, n, 1), np.nan)
        else:
            rate = eb_smooth(k_star, n_int, grp, par).rate
        x[:, :, j] = np.where(ok, spec.scale * rate, x0[:, j])
    return x


def _draw_ranks(x: np.ndarray, signs: np.ndarray, w: np.ndarray, method: str, normalisation: str,
                code_order: np.ndarray) -> np.ndarray:
    """Rank of every village in every draw: score desc, then code asc (as geo.scoring.mcda.rank)."""
    if method == "topsis":
        s = _topsis(x, signs, w)[0]
    else:
        s = (_saw if method == "saw" else _geomean)(_normalise_array(x, signs, normalisation), w)[0]
    key = np.where(np.isnan(s), np.inf, -s)
    # a stable sort of the columns laid out in code order breaks ties by code, as a lexsort
    # on (key, code) would, in a fraction of its time
    by_code = np.argsort(code_order)
    order = by_code[np.argsort(key[:, by_code], axis=-1, kind="stable")]
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, key.shape[-1] + 1)[None, :], axis=1)
    return ranks


def _summary(chosen: np.ndarray, ranks: np.ndarray, index: pd.Index) -> pd.DataFrame:
    p = chosen.mean(axis=0)
    q05, q50, q95 = np.quantile(ranks, [0.05, 0.5, 0.95], axis=0)
    label = np.where(p >= 0.9, CORE, np.where(p <= 0.1, RARE, SWING))
    return pd.DataFrame(
        {"p_top_n": p, "rank_median": q50, "rank_p05": q05, "rank_p95": q95, "label": label},
        index=index,
    )


def rank_stability(
    X: pd.DataFrame,
    criteria: Sequence[Criterion],
    kecamatan: pd.Series,
    n_top: int,
    *,
    method: Method = "saw",
    normalisation: Normalisation = "minmax",
    rates: Mapping[str, RateSpec] | None = None,
    max_per_kecamatan: int | None = None,
    min_one_per_kecamatan: bool = False,
    force_in: Sequence[Hashable] = (),
    force_out: Sequence[Hashable] = (),
    weight_cv: float = 0.2,
    concentration: float | None = None,
    draws: int = 1000,
    seed: int | None = 0,
) -> StabilityResult:
    """Monte Carlo probability that each village is selected in the top N.

    Each draw: resample rate indicators (``rates``), perturb weights
    (Dirichlet), score with ``method``/``normalisation`` exactly as
    :func:`geo.scoring.mcda.score`, rank (score desc, then index code asc) and apply the
    selection rules of :func:`geo.scoring.selection.select_top`. With ``weight_cv=0``
    and no ``rates`` every draw equals the base selection.

    Parameters
    ----------
    X
        Indicator matrix (already imputed; NaN is handled as in :func:`score`).
    criteria
        Criteria with base weights.
    kecamatan
        Kecamatan of each village (aligned with ``X``).
    n_top
        N, the number of lokus.
    rates
        Criterion id → :class:`RateSpec` for indicators to resample.
    concentration
        Dirichlet κ; overrides ``weight_cv`` when given (``np.inf`` = fixed weights).
    draws, seed
        Number of draws and the random seed (same seed → same result).
    """
    base = score(X, criteria, method=method, normalisation=normalisation)  # validates all
    ids = [c.id for c in criteria]
    draws, kappa = _checked_draws(draws, len(ids), weight_cv, concentration)
    rng = np.random.default_rng(seed)
    signs = np.array([c.sign for c in criteria], dtype=float)
    w = _weight_draws(rng, base.weights.to_numpy(), kappa, draws)  # (D, c)
    # data (D, m, c), scored in chunks of draws so memory stays bounded for large runs
    x0 = X[ids].to_numpy(dtype=float)
    m = x0.shape[0]
    kec = pd.Series(np.asarray(kecamatan), index=X.index).astype(str).to_numpy()
    _, groups = np.unique(kec, return_inverse=True)
    specs = _resampled(rates or {}, X.index, ids, groups)

    code_order = np.argsort(np.argsort(X.index.astype(str).to_numpy(), kind="stable"))
    idx = X.index
    fin, fout = idx.isin(list(force_in)), idx.isin(list(force_out))
    ranks = np.empty((draws, m), dtype=np.int64)
    chosen = np.empty((draws, m), dtype=bool)
    step = max(1, min(draws, CHUNK_CELLS // max(m * len(ids), 1)))
    for start in range(0, draws, step):
        d = min(step, draws - start)
        x = _data_draws(rng, x0, specs, d)
        part = _draw_ranks(x, signs, w[start:start + d], method, normalisation, code_order)
        ranks[start:start + d] = part
        chosen[start:start + d] = selection_mask(
            part, groups, n_top, max_per_kecamatan=max_per_kecamatan,
            min_one_per_kecamatan=min_one_per_kecamatan, force_in=fin, force_out=fout)[0]
    settings: dict[str, object] = {
        "method": method, "normalisation": normalisation, "n_top": n_top,
        "max_per_kecamatan": max_per_kecamatan, "min_one_per_kecamatan": min_one_per_kecamatan,
        "weight_cv": weight_cv, "resampled": sorted(rates or {}),
    }
    return StabilityResult(table=_summary(chosen, ranks, idx), draws=draws, concentration=float(kappa),
                           seed=seed, settings=settings)
