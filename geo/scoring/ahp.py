"""AHP (Saaty) weights from a pairwise comparison matrix, with the consistency ratio.

The weights are *computed* from the planners' judgements and the CR is reported
next to them, never hard-coded (ANCHORS §3, ID1 computes CR but ignores it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from geo.core.errors import InputError

__all__ = ["CR_LIMIT", "RANDOM_INDEX", "AhpResult", "ahp_weights", "matrix_from_judgements"]

#: Saaty's random consistency index RI for n = 1..15 (Saaty 1980, Table 1.3; index = n).
RANDOM_INDEX: tuple[float, ...] = (
    np.nan, 0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59,
)
#: Judgements are acceptable when CR ≤ 0.1.
CR_LIMIT = 0.1
_TOL = 1e-9


@dataclass(frozen=True)
class AhpResult:
    """AHP weights and consistency.

    Attributes
    ----------
    weights
        Principal eigenvector normalised to sum to 1, indexed by criterion id.
    lambda_max
        Principal eigenvalue λ_max.
    ci
        Consistency index (λ_max − n)/(n − 1); 0 for n ≤ 2.
    cr
        Consistency ratio CI / RI(n); 0 for n ≤ 2.
    consistent
        ``cr <= 0.1``.
    """

    weights: pd.Series
    lambda_max: float
    ci: float
    cr: float
    consistent: bool


def _validate(a: np.ndarray, ids: Sequence[str]) -> None:
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise InputError.of("scoring.error.ahp_square")
    n = a.shape[0]
    if n >= len(RANDOM_INDEX):
        raise InputError.of("scoring.error.ahp_size", n=len(RANDOM_INDEX) - 1)
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise InputError.of("scoring.error.ahp_positive")
    out_of_scale = (a < 1 / 9 - _TOL) | (a > 9 + _TOL)
    if out_of_scale.any():
        i, j = np.argwhere(out_of_scale)[0]
        raise InputError.of("scoring.error.ahp_scale", rows=[f"{ids[i]} vs {ids[j]} = {a[i, j]:g}"])
    if not np.allclose(np.diag(a), 1.0, rtol=0, atol=_TOL):
        raise InputError.of("scoring.error.ahp_diagonal")
    broken = np.abs(a * a.T - 1.0) > _TOL
    if broken.any():
        i, j = np.argwhere(broken)[0]
        raise InputError.of("scoring.error.ahp_reciprocal", rows=[f"{ids[i]} vs {ids[j]}"])


def ahp_weights(matrix: ArrayLike, ids: Sequence[str] | None = None) -> AhpResult:
    """Weights from a reciprocal pairwise comparison matrix (eigenvector method).

    ``matrix[i, j]`` says how much more important criterion i is than j on the
    Saaty 1–9 scale, with :math:`a_{ji} = 1/a_{ij}` and :math:`a_{ii} = 1`.
    Solves :math:`A w = \\lambda_{max} w` (``numpy.linalg.eig``, real part of the
    eigenvector of the largest real eigenvalue, scaled to :math:`\\sum w = 1`) and

    .. math::

        CI = \\frac{\\lambda_{max} - n}{n - 1}, \\qquad CR = \\frac{CI}{RI(n)}

    with Saaty's random index RI (:data:`RANDOM_INDEX`); n ≤ 2 gives CR = 0.

    Raises
    ------
    InputError
        Not square, non-positive or non-finite values, values outside 1/9–9,
        diagonal ≠ 1, reciprocity broken by more than 1e-9, or n > 15.
    """
    a = np.asarray(matrix, dtype=float)
    n = a.shape[0] if a.ndim == 2 else 0
    names = list(ids) if ids is not None else [str(i) for i in range(n)]
    if ids is not None and len(names) != n:
        raise ValueError("ids must have one entry per matrix row")
    _validate(a, names)
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    lam = float(values.real[k])
    vec = np.abs(vectors[:, k].real)
    w = vec / vec.sum()
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    cr = ci / RANDOM_INDEX[n] if n > 2 else 0.0
    return AhpResult(
        weights=pd.Series(w, index=names, name="bobot"),
        lambda_max=lam,
        ci=float(ci),
        cr=float(cr),
        consistent=bool(cr <= CR_LIMIT),
    )


def matrix_from_judgements(
    ids: Sequence[str], judgements: Mapping[tuple[str, str], float]
) -> np.ndarray:
    """Build the reciprocal matrix from judgements ``{(a, b): value}``.

    ``value`` = how much more important ``a`` is than ``b`` (1/9–9). Each
    unordered pair must be judged once (or twice consistently, b→a = 1/value);
    the diagonal is 1. Unknown ids, missing or contradictory pairs raise
    :class:`InputError`.
    """
    pos = {cid: i for i, cid in enumerate(ids)}
    if len(pos) != len(ids):
        raise InputError.of("scoring.error.ahp_duplicate", rows=list(ids))
    n = len(ids)
    a = np.full((n, n), np.nan)
    np.fill_diagonal(a, 1.0)
    for (first, second), value in judgements.items():
        unknown = [c for c in (first, second) if c not in pos]
        if unknown:
            raise InputError.of("scoring.error.ahp_unknown", rows=unknown)
        i, j = pos[first], pos[second]
        v = float(value)
        if not np.isfinite(v) or v <= 0 or (i == j and abs(v - 1) > _TOL):
            raise InputError.of("scoring.error.ahp_value", rows=[f"{first} vs {second}"])
        if not np.isnan(a[i, j]) and abs(a[i, j] - v) > _TOL * max(1.0, v):
            raise InputError.of("scoring.error.ahp_conflict", rows=[f"{first} vs {second}"])
        a[i, j], a[j, i] = v, 1.0 / v
    missing = np.argwhere(np.isnan(np.triu(a, 1)))
    if missing.size:
        raise InputError.of("scoring.error.ahp_missing", rows=[f"{ids[i]} vs {ids[j]}" for i, j in missing])
    return a
