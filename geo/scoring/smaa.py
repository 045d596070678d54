"""Weights as a ranking: SMAA-2 rank acceptability (Lahdelma & Salminen 2001).

At a rembuk people agree an order ("prevalensi lebih penting dari cakupan") more easily than
numbers. :class:`WeightInfo` holds what was agreed — exact weights, a ranking, intervals, or a
ranking with intervals — and :func:`sample_weights` draws weight vectors **uniformly** from the
part of the simplex :math:`\\{w \\ge 0, \\sum w = 1\\}` consistent with it:

- nothing known: Dirichlet(1, …, 1), uniform on the simplex;
- a ranking :math:`w_{(1)} \\ge w_{(2)} \\ge \\dots` of G groups (criteria in one group are
  *tied*: equally important, one common weight): with :math:`S_g` the number of criteria in the
  first g groups, :math:`t \\sim` Dirichlet(1) on G parts, :math:`d_g = t_g / S_g` and
  :math:`v_g = \\sum_{h \\ge g} d_h`. The map :math:`t \\mapsto v` is linear and one-to-one onto
  the ordered region, so v is uniform there. Without ties this equals sorting a Dirichlet(1)
  sample in descending order, and :math:`E[w_{(i)}] = \\frac{1}{n}\\sum_{k=i}^{n} 1/k`;
- intervals :math:`lo_j \\le w_j \\le hi_j` (alone or with a ranking): rejection sampling from
  the above, which keeps uniformity; an empty region or an acceptance below
  :data:`MIN_ACCEPTANCE` is an :class:`InputError`;
- exact weights: every draw is the same (normalised) vector.

:func:`smaa` scores every draw with the weighted sum of the pipeline's normalised matrix
(weights renormalised over the criteria a village has, as in :func:`geo.scoring.mcda.score`
with SAW; for geomean/TOPSIS runs this is the SAW view of the same normalised values), ranks
the villages (ties by code) and returns the **rank acceptability** :math:`b_i^r` (share of draws
in which village i has rank r), **P(lokus)** = :math:`\\sum_{r \\le N} b_i^r` (the top-N rule
without quotas), and the **central weights** (mean weight vector of the draws in which the
village is first, and in which it is in the top N).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.core.errors import InputError
from geo.scoring.mcda import normalise

if TYPE_CHECKING:
    from geo.scoring.result import ScoringResult

__all__ = ["MIN_ACCEPTANCE", "SmaaResult", "WeightInfo", "sample_weights", "smaa", "smaa_of_result"]

#: Below this share of accepted draws the intervals are refused (say which to widen).
MIN_ACCEPTANCE = 1e-3
_CHUNK = 2_000  # draws ranked at once (memory: chunk × villages)


@dataclass(frozen=True)
class WeightInfo:
    """What is known about the weights of ``criteria``; build it with a class method.

    Attributes
    ----------
    criteria
        Criterion ids, in the order of the sampled columns.
    exact
        Normalised weights (all draws equal), or None.
    ranking
        Groups of criteria from most to least important (a group = tied, equal weight), or None.
    intervals
        Criterion → (low, high) share of the total weight, or None.
    """

    criteria: tuple[str, ...]
    exact: tuple[float, ...] | None = None
    ranking: tuple[tuple[str, ...], ...] | None = None
    intervals: Mapping[str, tuple[float, float]] | None = field(default=None)

    @classmethod
    def exact_weights(cls, weights: Mapping[str, float]) -> WeightInfo:
        """Exact weights (normalised to sum to 1)."""
        values = np.array([float(v) for v in weights.values()])
        if not len(values) or (~np.isfinite(values) | (values < 0)).any() or values.sum() <= 0:
            raise InputError.of("scoring.error.weights_negative", rows=list(weights))
        return cls(criteria=tuple(weights), exact=tuple(values / values.sum()))

    @classmethod
    def from_ranking(cls, order: Sequence[str | Sequence[str]],
                     intervals: Mapping[str, tuple[float, float]] | None = None) -> WeightInfo:
        """A ranking, most important first; an inner list is a tie (``["a", ["b", "c"], "d"]``)."""
        groups = tuple((g,) if isinstance(g, str) else tuple(str(c) for c in g) for g in order)
        flat = [c for g in groups for c in g]
        if not flat or len(set(flat)) != len(flat) or any(not g for g in groups):
            raise InputError.of("analytics.smaa.error.ranking", rows=flat)
        info = cls(criteria=tuple(flat), ranking=groups)
        return info if intervals is None else cls(criteria=info.criteria, ranking=groups,
                                                  intervals=_checked(intervals, info.criteria))

    @classmethod
    def from_intervals(cls, bounds: Mapping[str, tuple[float, float]],
                       criteria: Sequence[str] | None = None) -> WeightInfo:
        """Intervals per criterion (criteria not named are free: 0–1)."""
        names = tuple(criteria) if criteria is not None else tuple(bounds)
        return cls(criteria=names, intervals=_checked(bounds, names))


def _checked(bounds: Mapping[str, tuple[float, float]],
             criteria: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    unknown = sorted(set(bounds) - set(criteria))
    if unknown:
        raise InputError.of("analytics.smaa.error.interval_unknown", rows=unknown)
    out = {}
    for name in criteria:
        lo, hi = (float(x) for x in bounds.get(name, (0.0, 1.0)))
        if not (0.0 <= lo <= hi <= 1.0):
            raise InputError.of("analytics.smaa.error.interval", criterion=name, rows=[(lo, hi)])
        out[name] = (lo, hi)
    low = sum(b[0] for b in out.values())
    high = sum(b[1] for b in out.values())
    if low > 1.0 + 1e-12 or high < 1.0 - 1e-12:
        raise InputError.of("analytics.smaa.error.intervals_empty", low=round(low, 3), high=round(high, 3))
    return out


def _ordered(info: WeightInfo, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Uniform draws on the simplex, or on its region ordered by ``info.ranking``."""
    n = len(info.criteria)
    if info.ranking is None:
        return rng.dirichlet(np.ones(n), draws)
    sizes = np.array([len(g) for g in info.ranking], dtype=float)
    t = rng.dirichlet(np.ones(len(sizes)), draws)
    d = t / np.cumsum(sizes)
    v = np.cumsum(d[:, ::-1], axis=1)[:, ::-1]  # v_g = Σ_{h ≥ g} d_h
    position = {c: g for g, group in enumerate(info.ranking) for c in group}
    return v[:, [position[c] for c in info.criteria]]


def sample_weights(info: WeightInfo, draws: int = 10_000, seed: int = 0) -> tuple[np.ndarray, float]:
    """``(draws × criteria)`` weight vectors uniform on the region of ``info``, and the share of
    candidate draws accepted (1.0 without intervals).

    Raises
    ------
    InputError
        Intervals whose region (with the ranking) is empty or holds less than
        :data:`MIN_ACCEPTANCE` of the simplex (or of the ranked region).
    """
    if int(draws) != draws or draws < 1:
        raise InputError.of("analytics.smaa.error.draws", rows=[draws])
    if info.exact is not None:
        return np.tile(np.asarray(info.exact, dtype=float), (int(draws), 1)), 1.0
    rng = np.random.default_rng(seed)
    if info.intervals is None:
        return _ordered(info, int(draws), rng), 1.0
    lo = np.array([info.intervals[c][0] for c in info.criteria])
    hi = np.array([info.intervals[c][1] for c in info.criteria])
    kept, tried, have, batch = [], 0, 0, max(int(draws), 10_000)
    while have < draws:
        w = _ordered(info, batch, rng)
        kept.append(w[((w >= lo - 1e-12) & (w <= hi + 1e-12)).all(axis=1)])
        tried, have = tried + batch, have + len(kept[-1])
        rate = have / tried
        if rate < MIN_ACCEPTANCE:
            raise InputError.of("analytics.smaa.error.acceptance", share=round(100 * rate, 3),
                                minimum=100 * MIN_ACCEPTANCE)
        batch = min(int(1.2 * (draws - have) / rate) + 100, 2_000_000)  # enough for the rest, usually
    return np.vstack(kept)[: int(draws)], rate


@dataclass(frozen=True)
class SmaaResult:
    """Result of :func:`smaa`.

    Attributes
    ----------
    acceptability
        Villages × ranks 1..m: share of draws with that rank (rows and columns sum to 1).
    table
        Per village (index: code): ``p_lokus`` (rank ≤ N), ``p_pertama`` (rank 1),
        ``peringkat_harapan`` (expected rank), ``peringkat_tengah`` (median rank).
    central_weights, central_weights_lokus
        Villages × criteria: mean weights of the draws in which the village is first / in the
        top N (NaN when never).
    mean_weights
        Mean of the weights sampled (criterion → share).
    top_n, draws, acceptance
        N, number of draws, share of candidate draws accepted by the intervals.
    """

    acceptability: pd.DataFrame
    table: pd.DataFrame
    central_weights: pd.DataFrame
    central_weights_lokus: pd.DataFrame
    mean_weights: pd.Series
    top_n: int
    draws: int
    acceptance: float


def _ranks(scores: np.ndarray) -> np.ndarray:
    """0-based rank per draw (higher score first; NaN last; ties by column order = code order)."""
    order = np.argsort(np.where(np.isnan(scores), np.inf, -scores), axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(scores.shape[1])[None, :], axis=1)
    return ranks


def smaa(normalised: pd.DataFrame, info: WeightInfo, top_n: int, *, draws: int = 10_000,
         seed: int = 0) -> SmaaResult:
    """Rank acceptability, P(lokus) and central weights; see the module docstring.

    Parameters
    ----------
    normalised
        Villages (index: code) × criteria (columns: ``info.criteria``): the direction-aware
        normalised matrix (higher = more priority; NaN = missing).
    info
        What is known about the weights.
    top_n
        N of P(lokus) = P(rank ≤ N).
    draws, seed
        Number of weight draws and the seed (the same seed gives the same result).
    """
    missing = [c for c in info.criteria if c not in normalised.columns]
    if missing:
        raise InputError.of("analytics.smaa.error.criteria", rows=missing)
    if int(top_n) != top_n or not top_n >= 1:
        raise InputError.of("scoring.error.top_n", rows=[top_n])
    frame = normalised.sort_index(kind="stable")
    codes = frame.index.astype(str)
    r = frame[list(info.criteria)].to_numpy(dtype=float)
    m, n = r.shape
    weights, acceptance = sample_weights(info, draws, seed)
    counts = np.zeros(m * m)
    first = np.zeros((m, n))
    in_top = np.zeros((m, n))
    for start in range(0, len(weights), _CHUNK):
        w = weights[start:start + _CHUNK]
        with np.errstate(invalid="ignore", divide="ignore"):
            scores = (w @ np.nan_to_num(r).T) / (w @ (~np.isnan(r)).T)
        ranks = _ranks(scores)
        counts += np.bincount((np.arange(m)[None, :] * m + ranks).ravel(), minlength=m * m)
        first += (ranks == 0).T.astype(float) @ w
        in_top += (ranks < top_n).T.astype(float) @ w
    b = counts.reshape(m, m) / len(weights)
    p_first, p_top = b[:, 0], b[:, : int(top_n)].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        central = first / (p_first * len(weights))[:, None]
        central_top = in_top / (p_top * len(weights))[:, None]
    cumulative = np.cumsum(b, axis=1)
    table = pd.DataFrame({"p_lokus": p_top, "p_pertama": p_first,
                          "peringkat_harapan": b @ np.arange(1, m + 1),
                          "peringkat_tengah": (cumulative < 0.5 - 1e-12).sum(axis=1) + 1}, index=codes)
    crit = list(info.criteria)
    return SmaaResult(
        acceptability=pd.DataFrame(b, index=codes, columns=np.arange(1, m + 1)), table=table,
        central_weights=pd.DataFrame(central, index=codes, columns=crit),
        central_weights_lokus=pd.DataFrame(central_top, index=codes, columns=crit),
        mean_weights=pd.Series(weights.mean(axis=0), index=crit), top_n=int(top_n), draws=len(weights),
        acceptance=float(acceptance))


def smaa_of_result(result: ScoringResult, info: WeightInfo, *, top_n: int | None = None,
                   draws: int = 10_000, seed: int = 0) -> SmaaResult:
    """:func:`smaa` on the normalised matrix of a scoring run (its ranked villages; N of the run
    unless given): the run's ``{id}__norm`` columns, or for TOPSIS (whose vector-normalised
    matrix is not direction-aware) the min-max normalisation of the values scored.
    ``info.criteria`` must be the run's criteria."""
    ids = [c.id for c in result.criteria]
    if set(info.criteria) != set(ids):
        raise InputError.of("analytics.smaa.error.criteria", rows=sorted(set(info.criteria) ^ set(ids)))
    table = result.table[result.table["skor"].notna()]
    codes = table["kode"].astype(str).to_numpy()
    if result.config.method == "topsis":  # its matrix is not direction-aware: min-max the values scored
        raw = pd.DataFrame({c: table[c].to_numpy(dtype=float) for c in ids}, index=codes)
        normalised = normalise(raw, {c.id: c.direction for c in result.criteria}, "minmax")
    else:
        normalised = pd.DataFrame({c: table[f"{c}__norm"].to_numpy(dtype=float) for c in ids}, index=codes)
    return smaa(normalised, info, top_n if top_n is not None else int(result.config.top_n),
                draws=draws, seed=seed)
