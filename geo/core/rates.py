"""Rates from small denominators: Wilson intervals, empirical-Bayes smoothing, small-n flags.

A village with 2 children measured and 1 stunted shows 50 % prevalence; ranking on
that raw rate is what DOMAIN §5.4 warns against. These helpers give the interval,
a shrunken (smoothed) rate and a flag, all vectorised over villages. Every
function also accepts stacked arrays whose *last* axis is the village axis, so the
Monte Carlo in :mod:`geo.scoring.stability` can smooth thousands of draws at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["EbResult", "eb_smooth", "small_n_flag", "wilson_interval"]

Z95 = 1.959964


def _counts(k: ArrayLike, n: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    k_arr, n_arr = np.broadcast_arrays(k_arr, n_arr)
    bad = (k_arr < 0) | (n_arr < 0) | (k_arr > n_arr)
    if np.any(bad):
        raise ValueError("counts must satisfy 0 <= k <= n")
    return k_arr, n_arr


def wilson_interval(
    k: ArrayLike, n: ArrayLike, z: float = Z95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion, vectorised.

    With :math:`\\hat p = k/n`,

    .. math::

        \\text{centre} = \\frac{\\hat p + z^2/(2n)}{1 + z^2/n},\\qquad
        \\text{half} = \\frac{z}{1 + z^2/n}\\sqrt{\\frac{\\hat p(1-\\hat p)}{n} + \\frac{z^2}{4n^2}}

    and the interval is ``centre ± half`` (always inside [0, 1], also for k = 0 or k = n).

    Parameters
    ----------
    k, n
        Events (e.g. stunted children) and trials (children measured); any shape.
    z
        Normal quantile; the default gives a 95 % interval.

    Returns
    -------
    (low, high)
        Proportions (0–1), NaN where ``n == 0`` or either count is NaN.
    """
    k_arr, n_arr = _counts(k, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k_arr / n_arr
        denom = 1.0 + z**2 / n_arr
        centre = (p + z**2 / (2 * n_arr)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n_arr + z**2 / (4 * n_arr**2))
    empty = ~(n_arr > 0)
    low = np.where(empty, np.nan, np.clip(centre - half, 0.0, 1.0))
    high = np.where(empty, np.nan, np.clip(centre + half, 0.0, 1.0))
    return low, high


def small_n_flag(n: ArrayLike, min_n: float) -> np.ndarray:
    """True where the denominator is below ``min_n`` (or missing).

    ``n < min_n`` element-wise; NaN counts are flagged too, because a rate
    without a known denominator cannot be trusted either.
    """
    n_arr = np.asarray(n, dtype=float)
    return ~(n_arr >= min_n)


@dataclass(frozen=True)
class EbResult:
    """Empirical-Bayes smoothed rates.

    Attributes
    ----------
    rate
        Smoothed rates θ_i (proportions, same shape as ``k``).
    raw
        Raw rates k/n (NaN where n = 0).
    prior
        Prior mean B the rate was shrunk toward (global or the village's group).
    weight
        Shrinkage weight w_i in [0, 1] given to the village's own rate.
    no_data
        True where n = 0: the rate is the prior mean, not an observation.
    """

    rate: np.ndarray
    raw: np.ndarray
    prior: np.ndarray
    weight: np.ndarray
    no_data: np.ndarray


def _onehot(labels: ArrayLike, m: int, what: str) -> np.ndarray:
    """Group number (0, 1, …) of each village of a 1-D label array."""
    _, codes = np.unique(np.asarray(labels), return_inverse=True)
    if codes.shape != (m,):
        raise ValueError(f"{what} must be 1-D with one label per village")
    return codes.astype(np.intp)


def _group_sums(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Sums per group along the last axis (``values @ onehot`` in O(values) instead of
    O(values × groups)); a non-finite value spoils only its own group's sum."""
    size = int(codes.max()) + 1 if codes.size else 0
    flat = values.reshape(-1, values.shape[-1])
    at = (codes[None, :] + size * np.arange(flat.shape[0])[:, None]).ravel()
    sums = np.bincount(at, weights=flat.ravel(), minlength=flat.shape[0] * size)
    return sums.reshape(*values.shape[:-1], size)


def _per_village(per_group: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Each village's group value: a group without data (NaN) leaves only its own villages
    without an estimate (they borrow the parent's), never every village."""
    return per_group[..., codes]


def _moments(k: np.ndarray, n: np.ndarray, raw: np.ndarray, hot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per village: the prior :math:`B_g` and :math:`A_g` of its group (``hot``: group numbers)."""
    sum_k = _group_sums(k, hot)
    sum_n = _group_sums(n, hot)
    m_g = _group_sums((n > 0).astype(float), hot)
    b_g = sum_k / sum_n
    b_i = _per_village(b_g, hot)
    dev = np.where(n > 0, n * (raw - b_i) ** 2, 0.0)
    s2 = _group_sums(dev, hot) / sum_n
    a_g = np.maximum(s2 - b_g / (sum_n / m_g), 0.0)
    return b_i, _per_village(a_g, hot)


def eb_smooth(
    k: ArrayLike, n: ArrayLike, groups: ArrayLike | None = None, parents: ArrayLike | None = None
) -> EbResult:
    """Empirical-Bayes (method of moments) smoothing of rates k/n.

    Marshall (1991, *Applied Statistics* 40:283–294) global estimator; with
    ``groups`` the same estimator is applied within each group (the kabupaten for
    "rerata kabupaten", the kecamatan for "rerata kecamatan"), which is the "local"
    variant with groups instead of spatial neighbours. Over the villages of a group
    g (or all villages), with :math:`r_i = k_i/n_i`:

    .. math::

        B_g = \\frac{\\sum k_i}{\\sum n_i}, \\quad
        s_g^2 = \\frac{\\sum n_i (r_i - B_g)^2}{\\sum n_i}, \\quad
        \\bar n_g = \\frac{\\sum n_i}{m_g}, \\quad
        A_g = \\max\\left(s_g^2 - \\frac{B_g}{\\bar n_g},\\ 0\\right)

    .. math::

        w_i = \\frac{A_g}{A_g + B_g/n_i}, \\qquad \\theta_i = w_i r_i + (1 - w_i) B_g

    where the sums run over the villages of the group and :math:`m_g` counts those
    with :math:`n_i > 0`. Large villages keep their own rate (w → 1); small ones are
    pulled toward :math:`B_g`. When :math:`A_g = 0` (no excess variation) every rate
    of the group becomes :math:`B_g`. Villages with n = 0 get θ = B_g and
    ``no_data=True``. A group with no children measured at all takes the estimate
    (B, A) of its ``parents`` group (e.g. the kabupaten of a kecamatan), else of all
    villages. Without truncation (A may go negative) this is
    ``esda.smoothing.Empirical_Bayes`` per group; we truncate at 0 as Marshall does.

    Parameters
    ----------
    k, n
        Events and denominators. The last axis is the village axis; leading
        axes (e.g. Monte Carlo draws) are smoothed independently.
    groups
        Optional prior group per village (1-D, length = last axis).
    parents
        Optional wider group per village (1-D), used for a group without data.

    Returns
    -------
    EbResult
        Proportions in 0–1 (multiply by 100 for percent).
    """
    k_arr, n_arr = _counts(k, n)
    if np.any(np.isnan(k_arr) | np.isnan(n_arr)):
        raise ValueError("eb_smooth needs complete counts; pass n = 0 for no data")
    if np.any(np.isinf(n_arr)):
        raise ValueError("eb_smooth needs finite counts")
    m = k_arr.shape[-1]
    everyone = np.zeros(m, dtype=np.intp)
    onehot = everyone if groups is None else _onehot(groups, m, "groups")

    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(n_arr > 0, k_arr / n_arr, np.nan)
        prior, a_i = _moments(k_arr, n_arr, raw, onehot)
        if groups is not None:
            # a group without data borrows its parent's estimate, then the global one
            for hot in ([_onehot(parents, m, "parents")] if parents is not None else []) + [everyone]:
                fallback = np.isnan(prior)
                if not fallback.any():
                    break
                b_up, a_up = _moments(k_arr, n_arr, raw, hot)
                prior = np.where(fallback, b_up, prior)
                a_i = np.where(fallback, a_up, a_i)
        denom = a_i + prior / n_arr
        weight = np.where((n_arr > 0) & (denom > 0), a_i / denom, 0.0)
        weight = np.where(np.isnan(weight), 0.0, weight)
    rate = np.where(n_arr > 0, weight * np.nan_to_num(raw) + (1 - weight) * prior, prior)
    return EbResult(rate=rate, raw=raw, prior=prior, weight=weight, no_data=~(n_arr > 0))
