"""Transparent multi-criteria priority scores for villages (SAW, geometric mean, TOPSIS).

Orientation ("priority"): a village with worse outcomes or larger coverage gaps
gets a **higher** score. ``higher_worse`` indicators (prevalence, at-risk families)
are *benefit* criteria for priority; ``higher_better`` indicators (coverage of a
service) are *cost* criteria. Getting this wrong is the commonest mistake of
Indonesian SPK tools (ANCHORS §3, ID1).

The array cores (``_normalise_array``, ``_saw``, ``_geomean``, ``_topsis``) work on
``(..., villages, criteria)`` arrays so :mod:`geo.scoring.stability` can score thousands of
Monte Carlo draws in one call; the DataFrame API below wraps them and keeps the
input index.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from geo.core.errors import InputError
from geo.core.i18n import t
from geo.core.messages import Message

__all__ = [
    "GEOMEAN_FLOOR",
    "PRIORITY_CLASSES",
    "Criterion",
    "Direction",
    "ImputePolicy",
    "Method",
    "Normalisation",
    "ScoreResult",
    "check_choice",
    "impute",
    "normalise",
    "priority_class",
    "rank",
    "score",
    "weights_normalise",
]

Direction = Literal["higher_worse", "higher_better"]
Method = Literal["saw", "geomean", "topsis"]
Normalisation = Literal["minmax", "zscore", "percentile"]
ImputePolicy = Literal["exclude", "kecamatan_median", "worst"]

#: Floor of the shifted min-max scale used by the geometric mean: r' = 0.01 + 0.99 r.
GEOMEAN_FLOOR = 0.01

#: Priority classes from highest to lowest (values of ``kelas``, shown through the catalogue).
PRIORITY_CLASSES = ("Sangat tinggi", "Tinggi", "Sedang", "Rendah")
NO_DATA = t("scoring.engine.term.tidak_ada_data")


@dataclass(frozen=True)
class Criterion:
    """One scoring criterion.

    Attributes
    ----------
    id
        Column name in the indicator matrix.
    direction
        ``"higher_worse"`` (benefit for priority) or ``"higher_better"`` (cost).
    weight
        Non-negative importance; weights are normalised to sum to 1.
    label
        Indonesian label for explanations (defaults to ``id``).
    unit
        Unit written after the value in explanations, e.g. ``"%"``.
    """

    id: str
    direction: Direction
    weight: float
    label: str = ""
    unit: str = ""

    @property
    def sign(self) -> int:
        """+1 for ``higher_worse`` (benefit), -1 for ``higher_better`` (cost)."""
        return 1 if self.direction == "higher_worse" else -1


# --------------------------------------------------------------------------- helpers
def weights_normalise(weights: Mapping[str, float]) -> dict[str, float]:
    """Scale weights to sum to 1: :math:`w_j / \\sum_k w_k`.

    Raises
    ------
    InputError
        A weight is negative or not a number, or all weights are zero.
    """
    def number(val: object) -> float:
        try:
            return float(val)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return float("nan")  # text or None: reported below, never a crash

    values = {key: number(val) for key, val in weights.items()}
    bad = [key for key, val in values.items() if not np.isfinite(val) or val < 0]
    if bad:
        raise InputError.of("scoring.error.weights_negative", column=bad[0], rows=bad)
    top = max(values.values(), default=0.0)
    if top <= 0:
        raise InputError.of("scoring.error.weights_zero")
    scaled = {key: val / top for key, val in values.items()}  # 1e308 + 1e308 would overflow
    total = sum(scaled.values())
    return {key: val / total for key, val in scaled.items()}


def _check_directions(directions: Mapping[str, str], columns: Sequence[str]) -> np.ndarray:
    allowed = get_args(Direction)
    missing = [c for c in columns if c not in directions]
    if missing:
        raise InputError.of("scoring.error.direction_missing", column=missing[0], rows=missing)
    bad = [c for c in columns if directions[c] not in allowed]
    if bad:
        raise InputError.of("scoring.error.direction_bad", column=bad[0], rows=bad)
    return np.array([1.0 if directions[c] == "higher_worse" else -1.0 for c in columns])


def check_choice(value: object, allowed: tuple[str, ...], what: str) -> None:
    """An :class:`InputError` unless ``value`` is one of ``allowed``; ``what`` names the field
    (``scoring.what.<what>`` in the catalogue)."""
    if not isinstance(value, str) or value not in allowed:
        raise InputError.of("scoring.error.choice", what=Message(f"scoring.what.{what}"), value=value,
                            allowed=list(allowed))


# --------------------------------------------------------------------------- array cores
def _normalise_array(x: np.ndarray, signs: np.ndarray, method: str) -> np.ndarray:
    """Direction-aware normalisation along the village axis (-2); NaN stays NaN."""
    y = x * signs  # oriented: higher = more priority for every column
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN column → NaN, by design
        if method == "minmax":
            complete = not np.isnan(y).any()  # the same values, without nanmin's copy
            lo = (np.min if complete else np.nanmin)(y, axis=-2, keepdims=True)
            span = (np.max if complete else np.nanmax)(y, axis=-2, keepdims=True) - lo
            out = np.where(span > 0, (y - lo) / span, 0.0)
            if complete:
                return out
        elif method == "zscore":
            mean = np.nanmean(y, axis=-2, keepdims=True)
            sd = np.nanstd(y, axis=-2, keepdims=True)
            out = np.where(sd > 0, (y - mean) / sd, 0.0)
        elif method == "percentile":
            ranks = rankdata(y, method="average", axis=-2, nan_policy="omit")
            count = np.sum(~np.isnan(y), axis=-2, keepdims=True)
            out = ranks / count
        else:  # pragma: no cover - validated by callers
            raise ValueError(method)
    return np.where(np.isnan(x), np.nan, out)


def _row_weights(r: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weights renormalised over the criteria each village has (NaN cells get 0)."""
    if not np.isnan(r).any():  # every village has every criterion: one sum per weight vector
        wv = np.asarray(w, dtype=float)[..., None, :]
        total_w = wv.sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.broadcast_to(np.where(total_w > 0, wv / total_w, np.nan), r.shape)
    wr = np.where(np.isnan(r), 0.0, np.broadcast_to(w[..., None, :], r.shape))
    total = wr.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, wr / total, np.nan)


def _saw(r: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """SAW: S_i = Σ_j w̃_ij r_ij; returns (score, contributions)."""
    contrib = _row_weights(r, w) * np.nan_to_num(r)
    return contrib.sum(axis=-1), contrib


def _geomean(r: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted geometric mean of r' = f + (1-f) r; returns (score, contributions)."""
    wt = _row_weights(r, w)
    shifted = GEOMEAN_FLOOR + (1 - GEOMEAN_FLOOR) * np.nan_to_num(r)
    above = wt * np.log(shifted / GEOMEAN_FLOOR)  # ≥ 0; Σ_j = log(S / f)
    total = above.sum(axis=-1, keepdims=True)
    s = GEOMEAN_FLOOR * np.exp(total)
    with np.errstate(invalid="ignore", divide="ignore"):
        contrib = np.where(total > 0, s * above / total, s * wt)
    return s[..., 0], contrib


def _topsis(
    x: np.ndarray, signs: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """TOPSIS on raw x; returns (closeness, contributions, weighted, d_plus, d_minus)."""
    norm = np.sqrt(np.sum(x**2, axis=-2, keepdims=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(norm > 0, x / norm, 0.0)
    v = r * w[..., None, :]
    vmax = v.max(axis=-2, keepdims=True)
    vmin = v.min(axis=-2, keepdims=True)
    ideal = np.where(signs > 0, vmax, vmin)
    anti = np.where(signs > 0, vmin, vmax)
    d_plus = np.sqrt(np.sum((v - ideal) ** 2, axis=-1))
    sq_minus = (v - anti) ** 2
    d_minus = np.sqrt(np.sum(sq_minus, axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(d_plus + d_minus > 0, d_minus / (d_plus + d_minus), 0.5)
        share = np.where(d_minus[..., None] > 0, sq_minus / d_minus[..., None] ** 2, 0.0)
    return c, c[..., None] * share, v, d_plus, d_minus


# --------------------------------------------------------------------------- DataFrame API
def normalise(
    X: pd.DataFrame, directions: Mapping[str, str], method: Normalisation = "minmax"
) -> pd.DataFrame:
    """Direction-aware normalisation: higher normalised value = more priority.

    With :math:`y = x` for ``higher_worse`` and :math:`y = -x` for ``higher_better``
    (per column, over villages, ignoring NaN):

    - ``minmax``: :math:`(y - \\min y)/(\\max y - \\min y)` in [0, 1];
      a constant column becomes 0 for every village (it cannot discriminate).
    - ``zscore``: :math:`(y - \\bar y)/s_y` (population sd); constant column → 0.
    - ``percentile``: average rank of *y* divided by the number of non-missing
      values, in (0, 1]; ties share their average rank.

    NaN stays NaN. The input is not modified; index and columns are kept.
    """
    check_choice(method, get_args(Normalisation), "normalisation")
    signs = _check_directions(directions, list(X.columns))
    out = _normalise_array(X.to_numpy(dtype=float), signs, method)
    return pd.DataFrame(out, index=X.index, columns=X.columns)


def impute(
    X: pd.DataFrame,
    policy: ImputePolicy,
    *,
    directions: Mapping[str, str],
    groups: pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill missing indicator values according to a documented policy.

    - ``"exclude"``: nothing is filled; :func:`score` leaves the indicator out of
      that village's score and renormalises its weights over the indicators it
      has (:math:`\\tilde w_{ij} = w_j / \\sum_{k \\in \\text{avail}_i} w_k`).
    - ``"kecamatan_median"``: the median of the village's group (kecamatan); if the
      whole group is missing, the median over all villages.
    - ``"worst"``: the worst observed value in the direction of priority (column
      maximum for ``higher_worse``, minimum for ``higher_better``), so missing
      data never lowers a village's priority.

    Returns
    -------
    (X_filled, flags)
        ``flags`` is True where a value was missing in ``X``.
    """
    check_choice(policy, get_args(ImputePolicy), "missing")
    signs = _check_directions(directions, list(X.columns))
    flags = X.isna()
    if policy == "exclude":
        return X.copy(), flags
    if policy == "worst":
        worst = pd.Series(
            np.where(signs > 0, X.max(axis=0).to_numpy(), X.min(axis=0).to_numpy()),
            index=X.columns,
        )
        return X.fillna(worst), flags
    if groups is None:
        raise InputError.of("scoring.error.median_needs_groups")
    group_median = X.groupby(pd.Series(groups, index=X.index)).transform("median")
    return X.fillna(group_median).fillna(X.median(axis=0)), flags


@dataclass(frozen=True)
class ScoreResult:
    """Result of :func:`score`; every frame/series keeps the input index.

    Attributes
    ----------
    score
        Priority score (higher = more priority).
    normalised
        Normalised matrix r (TOPSIS: vector-normalised raw values).
    contributions
        Per village and criterion; rows sum to ``score`` (see :func:`score`).
    weights
        Normalised weights used.
    method, normalisation
        What was actually used (TOPSIS always reports ``"vector"``).
    weighted, d_plus, d_minus
        TOPSIS only: weighted normalised values v and distances to the ideal
        and anti-ideal village; ``None`` for other methods.
    """

    score: pd.Series
    normalised: pd.DataFrame
    contributions: pd.DataFrame
    weights: pd.Series
    method: str
    normalisation: str
    weighted: pd.DataFrame | None = None
    d_plus: pd.Series | None = None
    d_minus: pd.Series | None = None


def score(
    X_raw: pd.DataFrame,
    criteria: Sequence[Criterion],
    *,
    method: Method = "saw",
    normalisation: Normalisation = "minmax",
) -> ScoreResult:
    """Priority score of each village.

    Weights are normalised to sum to 1 (:func:`weights_normalise`). With r the
    direction-aware normalised matrix (:func:`normalise`) and w̃ the weights
    renormalised over each village's non-missing criteria:

    - ``saw``: :math:`S_i = \\sum_j \\tilde w_{ij} r_{ij}`; contribution
      :math:`c_{ij} = \\tilde w_{ij} r_{ij}` (sums to S_i).
    - ``geomean``: :math:`S_i = \\prod_j r'^{\\,\\tilde w_{ij}}_{ij}` with
      :math:`r' = 0.01 + 0.99\\,r` so a zero never wipes out the product;
      ``normalisation`` must be minmax or percentile. Contributions split
      S_i in proportion to each criterion's log-lift above the floor:
      :math:`c_{ij} = S_i\\,\\tilde w_{ij}\\ln(r'_{ij}/0.01)/\\ln(S_i/0.01)`
      (all at the floor → split by weight).
    - ``topsis`` (Hwang & Yoon 1981): ignores ``normalisation`` and uses vector
      normalisation of the raw matrix, :math:`r_{ij} = x_{ij}/\\sqrt{\\sum_i x_{ij}^2}`,
      :math:`v_{ij} = w_j r_{ij}`; ideal :math:`v^+_j` = max for higher_worse, min
      for higher_better (anti-ideal the opposite); :math:`d^\\pm_i = \\lVert v_i - v^\\pm\\rVert_2`,
      :math:`C_i = d^-_i/(d^+_i + d^-_i)` (0.5 if both are 0). Needs complete data.
      Contributions split C_i by each criterion's share of :math:`(d^-_i)^2`:
      :math:`c_{ij} = C_i (v_{ij} - v^-_j)^2 / (d^-_i)^2`.

    Raises
    ------
    InputError
        Unknown method/normalisation, missing column, bad direction or weight,
        zscore with geomean, or missing values with TOPSIS.
    """
    check_choice(method, get_args(Method), "method")
    check_choice(normalisation, get_args(Normalisation), "normalisation")
    ids = [c.id for c in criteria]
    if not ids or len(set(ids)) != len(ids):
        raise InputError.of("scoring.error.criteria_list", rows=ids)
    missing = [i for i in ids if i not in X_raw.columns]
    if missing:
        raise InputError.of("scoring.error.criteria_columns", column=missing[0], rows=missing)
    weights = weights_normalise({c.id: c.weight for c in criteria})
    signs = _check_directions({c.id: c.direction for c in criteria}, ids)
    w = np.array([weights[i] for i in ids])
    X = X_raw[ids]
    x = X.to_numpy(dtype=float)

    def frame(a: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(a, index=X.index, columns=ids)

    def series(a: np.ndarray, name: str) -> pd.Series:
        return pd.Series(a, index=X.index, name=name)

    w_series = pd.Series(w, index=ids, name="bobot")
    if method == "topsis":
        if np.isnan(x).any():
            raise InputError.of("scoring.error.topsis_gaps")
        c, contrib, v, dp, dm = _topsis(x, signs, w)
        norm = np.sqrt(np.sum(x**2, axis=0))
        r = np.divide(x, norm, out=np.zeros_like(x), where=norm > 0)
        return ScoreResult(
            score=series(c, "skor"), normalised=frame(r), contributions=frame(contrib),
            weights=w_series, method=method, normalisation="vector", weighted=frame(v),
            d_plus=series(dp, "d_plus"), d_minus=series(dm, "d_minus"),
        )
    if method == "geomean" and normalisation == "zscore":
        raise InputError.of("scoring.error.geomean_zscore")
    r = _normalise_array(x, signs, normalisation)
    s, contrib = (_saw if method == "saw" else _geomean)(r, w)
    return ScoreResult(
        score=series(s, "skor"), normalised=frame(r), contributions=frame(contrib),
        weights=w_series, method=method, normalisation=normalisation,
    )


def rank(score: pd.Series, codes: Sequence[Hashable] | pd.Series | None = None) -> pd.Series:
    """Rank 1 = highest priority; ties broken by score descending then code ascending.

    NaN scores are ranked last. ``codes`` default to the index. The result keeps
    the index of ``score`` and is a permutation of 1..m.
    """
    s = score.to_numpy(dtype=float)
    code_arr = np.asarray(score.index if codes is None else codes).astype(str)
    key = np.where(np.isnan(s), np.inf, -s)
    order = np.lexsort((code_arr, key))
    out = np.empty(len(s), dtype=np.int64)
    out[order] = np.arange(1, len(s) + 1)
    return pd.Series(out, index=score.index, name="peringkat")


def priority_class(
    score: pd.Series,
    *,
    scheme: Literal["quantile", "fixed"] = "quantile",
    cuts: tuple[float, float, float] = (0.75, 0.5, 0.25),
) -> pd.Series:
    """Priority class "Sangat tinggi" / "Tinggi" / "Sedang" / "Rendah".

    ``fixed``: score ≥ cuts[0] → Sangat tinggi, ≥ cuts[1] → Tinggi, ≥ cuts[2] →
    Sedang, otherwise Rendah (defaults suit 0–1 scores from SAW/minmax or TOPSIS).
    ``quantile``: the same rule with cuts at the 75th, 50th and 25th percentile of
    the non-missing scores (≈ a quarter of villages per class; ties go up).
    NaN → "Tidak ada data". Returns an ordered categorical (Rendah < … < Sangat tinggi).
    """
    check_choice(scheme, ("quantile", "fixed"), "scheme")
    s = score.to_numpy(dtype=float)
    if scheme == "quantile":
        valid = s[~np.isnan(s)]
        cut = np.quantile(valid, [0.75, 0.5, 0.25]) if valid.size else np.full(3, np.nan)
    else:
        cut = np.asarray(cuts, dtype=float)
        if not np.all(np.diff(cut) <= 0):
            raise InputError.of("scoring.error.class_cuts")
    idx = np.sum(s[:, None] < cut[None, :], axis=1)  # 0 = Sangat tinggi … 3 = Rendah
    labels = np.where(np.isnan(s), NO_DATA, np.array(PRIORITY_CLASSES)[idx])
    cats = [*PRIORITY_CLASSES[::-1], NO_DATA]
    return pd.Series(
        pd.Categorical(labels, categories=cats, ordered=True), index=score.index, name="kelas"
    )
