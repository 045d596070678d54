"""Rank stability: how sure is it that a village belongs in the top-N lokus list?

Monte Carlo over two sources of uncertainty, all draws scored at once with the
array cores of :mod:`geo.mcda` and selected with :func:`geo.selection.selection_mask`:

* **Data** (optional, per rate indicator given in ``rates``): the counts are
  resampled, :math:`k^*_i \\sim \\text{Binomial}(n_i, \\hat p_i)` with
  :math:`\\hat p_i = k_i/n_i`, the rate is recomputed as ``scale·k*/n`` and, if the
  base used empirical-Bayes smoothing, smoothed again per draw (:func:`geo.rates.eb_smooth`).
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

from geo.errors import InputError
from geo.mcda import (
    Criterion,
    Method,
    Normalisation,
    _geomean,
    _normalise_array,
    _saw,
    _topsis,
    score,
)
from geo.rates import eb_smooth
from geo.selection import selection_mask

__all__ = ["RateSpec", "StabilityResult", "dirichlet_concentration", "rank_stability"]

CORE, SWING, RARE = "inti", "bimbang", "jarang"


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
    """

    numerator: pd.Series
    denominator: pd.Series
    scale: float = 100.0
    smooth: Literal["none", "global", "kecamatan"] = "none"


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
        raise InputError("Variasi bobot tidak boleh negatif.")
    if weight_cv == 0 or n_criteria <= 1:
        return np.inf
    wbar = 1.0 / n_criteria
    return max((1 - wbar) / (wbar * weight_cv**2) - 1.0, 1.0)


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
    :func:`geo.mcda.score`, rank (score desc, then index code asc) and apply the
    selection rules of :func:`geo.selection.select_top`. With ``weight_cv=0``
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
    if draws < 1:
        raise InputError("Jumlah simulasi harus minimal 1.")
    rng = np.random.default_rng(seed)
    ids = [c.id for c in criteria]
    signs = np.array([c.sign for c in criteria], dtype=float)
    w0 = base.weights.to_numpy()
    kappa = (dirichlet_concentration(len(ids), weight_cv) if concentration is None
             else float(concentration))
    if not kappa > 0:
        raise InputError("Konsentrasi Dirichlet harus positif.")

    # weights (D, c)
    if np.isinf(kappa):
        w = np.broadcast_to(w0, (draws, len(ids)))
    else:
        g = np.zeros((draws, len(ids)))
        pos = w0 > 0
        g[:, pos] = rng.gamma(kappa * w0[pos], size=(draws, int(pos.sum())))
        total = g.sum(axis=1, keepdims=True)
        # all gamma draws can underflow to 0 for tiny κ·w: keep the base weights then
        w = np.where(total > 0, g / np.where(total > 0, total, 1.0), w0)

    # data (D, m, c)
    x0 = X[ids].to_numpy(dtype=float)
    m = x0.shape[0]
    x = np.broadcast_to(x0, (draws, *x0.shape))
    kec = pd.Series(np.asarray(kecamatan), index=X.index).astype(str).to_numpy()
    _, groups = np.unique(kec, return_inverse=True)
    if rates:
        x = x.copy()
        for cid, spec in rates.items():
            if cid not in ids:
                raise InputError("Indikator laju tidak termasuk kriteria.", column=cid)
            k = spec.numerator.reindex(X.index).to_numpy(dtype=float)
            n = spec.denominator.reindex(X.index).to_numpy(dtype=float)
            ok = n > 0
            p_hat = np.where(ok, k / np.where(ok, n, 1), 0.0)
            n_int = np.where(ok, n, 0).astype(np.int64)
            k_star = rng.binomial(n_int, p_hat, size=(draws, m))
            if spec.smooth == "none":
                rate = np.where(ok, k_star / np.where(ok, n, 1), np.nan)
            else:
                grp = groups if spec.smooth == "kecamatan" else None
                rate = eb_smooth(k_star, n_int, grp).rate
            j = ids.index(cid)
            x[:, :, j] = np.where(ok, spec.scale * rate, x0[:, j])

    # score all draws
    if method == "topsis":
        s = _topsis(x, signs, w)[0]
    else:
        r = _normalise_array(x, signs, normalisation)
        s = (_saw if method == "saw" else _geomean)(r, w)[0]

    # rank: score desc, then code asc (as geo.mcda.rank)
    code_order = np.argsort(np.argsort(X.index.astype(str).to_numpy(), kind="stable"))
    key = np.where(np.isnan(s), np.inf, -s)
    order = np.lexsort((np.broadcast_to(code_order, key.shape), key), axis=-1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, m + 1)[None, :], axis=1)

    idx = X.index
    chosen, _, _ = selection_mask(
        ranks, groups, n_top,
        max_per_kecamatan=max_per_kecamatan,
        min_one_per_kecamatan=min_one_per_kecamatan,
        force_in=idx.isin(list(force_in)),
        force_out=idx.isin(list(force_out)),
    )
    p = chosen.mean(axis=0)
    q05, q50, q95 = np.quantile(ranks, [0.05, 0.5, 0.95], axis=0)
    label = np.where(p >= 0.9, CORE, np.where(p <= 0.1, RARE, SWING))
    table = pd.DataFrame(
        {"p_top_n": p, "rank_median": q50, "rank_p05": q05, "rank_p95": q95, "label": label},
        index=idx,
    )
    settings = {
        "method": method, "normalisation": normalisation, "n_top": n_top,
        "max_per_kecamatan": max_per_kecamatan, "min_one_per_kecamatan": min_one_per_kecamatan,
        "weight_cv": weight_cv, "resampled": sorted(rates or {}),
    }
    return StabilityResult(table=table, draws=draws, concentration=float(kappa), seed=seed,
                           settings=settings)
