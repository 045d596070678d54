"""AHP weights and consistency against closed forms and a power iteration."""

from __future__ import annotations

import numpy as np
import pytest

from geo.core.errors import InputError
from geo.scoring.ahp import RANDOM_INDEX, ahp_weights, matrix_from_judgements

SAATY3 = np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])


def _power_iteration(a: np.ndarray, iters: int = 500) -> tuple[np.ndarray, float]:
    w = np.full(a.shape[0], 1.0 / a.shape[0])
    for _ in range(iters):
        w = a @ w
        w = w / w.sum()
    lam = float(np.mean((a @ w) / w))
    return w, lam


def _random_reciprocal(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    scale = np.array([1 / 9, 1 / 7, 1 / 5, 1 / 3, 1, 3, 5, 7, 9])
    a = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            a[i, j] = rng.choice(scale)
            a[j, i] = 1 / a[i, j]
    return a


def test_saaty_3x3_textbook() -> None:
    # For n = 3 the row geometric means are the exact principal eigenvector:
    # (15^(1/3), 1, (1/15)^(1/3)) = (2.466212, 1, 0.405480) / 3.871692
    #                             = (0.636986, 0.258285, 0.104729)
    # λ_max = 1 + ρ^(1/3) + ρ^(-1/3), ρ = a12·a23/a13 = 9/5: 1 + 1.216440 + 0.822071 = 3.038511
    # CI = 0.038511/2 = 0.019256, CR = CI/0.58 = 0.033199
    res = ahp_weights(SAATY3, ["prevalensi", "air", "sanitasi"])
    np.testing.assert_allclose(res.weights.to_numpy(), [0.636986, 0.258285, 0.104729], atol=1e-6)
    assert list(res.weights.index) == ["prevalensi", "air", "sanitasi"]
    assert res.lambda_max == pytest.approx(3.038511, abs=1e-6)
    assert res.ci == pytest.approx(0.019256, abs=1e-6)
    assert res.cr == pytest.approx(0.033199, abs=1e-6)
    assert res.consistent


def test_perfectly_consistent_matrix() -> None:
    # a_ij = w_i / w_j → λ_max = n, CI = CR = 0, weights recovered exactly
    w = np.array([0.4, 0.3, 0.2, 0.1])
    res = ahp_weights(w[:, None] / w[None, :])
    np.testing.assert_allclose(res.weights.to_numpy(), w, atol=1e-12)
    assert res.lambda_max == pytest.approx(4.0)
    assert abs(res.cr) < 1e-12 and res.consistent


def test_cyclic_judgements_are_inconsistent() -> None:
    # A > B (9), B > C (9) but C > A (9): ρ = 9·9/(1/9) = 729, λ = 1 + 9 + 1/9 = 10.1111
    # CI = 7.1111/2 = 3.5556, CR = 3.5556/0.58 = 6.1303
    a = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    res = ahp_weights(a)
    assert res.lambda_max == pytest.approx(10.1111, abs=1e-4)
    assert res.cr == pytest.approx(6.1303, abs=1e-4)
    assert not res.consistent
    np.testing.assert_allclose(res.weights.to_numpy(), 1 / 3)  # symmetric cycle


def test_two_criteria_and_one() -> None:
    # 2×2 is always consistent: w = (a/(1+a), 1/(1+a)) = (0.75, 0.25)
    res = ahp_weights([[1, 3], [1 / 3, 1]])
    np.testing.assert_allclose(res.weights.to_numpy(), [0.75, 0.25])
    assert res.cr == 0 and res.consistent
    assert ahp_weights([[1]]).weights.tolist() == [1.0]


@pytest.mark.parametrize(("seed", "n"), [(0, 4), (1, 6), (2, 9), (3, 15)])
def test_eigenvector_matches_power_iteration(seed: int, n: int) -> None:
    a = _random_reciprocal(seed, n)
    w_ref, lam_ref = _power_iteration(a)
    res = ahp_weights(a)
    np.testing.assert_allclose(res.weights.to_numpy(), w_ref, atol=1e-9)
    assert res.lambda_max == pytest.approx(lam_ref, abs=1e-8)
    assert res.cr == pytest.approx((lam_ref - n) / (n - 1) / RANDOM_INDEX[n], abs=1e-8)
    assert res.lambda_max >= n - 1e-9  # Perron: λ_max ≥ n for reciprocal matrices


def test_random_index_table() -> None:
    assert RANDOM_INDEX[3] == 0.58 and RANDOM_INDEX[10] == 1.49 and RANDOM_INDEX[15] == 1.59


@pytest.mark.parametrize(
    "bad",
    [
        [[1, 3], [3, 1]],  # not reciprocal
        [[1, 10], [0.1, 1]],  # outside Saaty's 1/9..9
        [[1, 0], [np.inf, 1]],  # non-positive / non-finite
        [[2, 3], [1 / 3, 2]],  # diagonal not 1
        [[1, 2, 3], [0.5, 1, 2]],  # not square
        np.ones((16, 16)),  # RI unknown beyond 15
    ],
)
def test_invalid_matrices(bad: object) -> None:
    with pytest.raises(InputError):
        ahp_weights(bad)  # type: ignore[arg-type]


def test_reciprocity_tolerance() -> None:
    ahp_weights([[1, 3], [0.3333333333333, 1]])  # within 1e-9 after a·aᵀ
    with pytest.raises(InputError):
        ahp_weights([[1, 3], [0.3333, 1]])


def test_matrix_from_judgements() -> None:
    a = matrix_from_judgements(
        ["prevalensi", "air", "sanitasi"],
        {("prevalensi", "air"): 3, ("prevalensi", "sanitasi"): 5, ("sanitasi", "air"): 1 / 3},
    )
    np.testing.assert_allclose(a, SAATY3)
    with pytest.raises(InputError):  # pair (air, sanitasi) missing
        matrix_from_judgements(["p", "a", "s"], {("p", "a"): 3, ("p", "s"): 5})
    with pytest.raises(InputError):  # unknown id
        matrix_from_judgements(["p", "a"], {("p", "x"): 3})
    with pytest.raises(InputError):  # contradictory double judgement
        matrix_from_judgements(["p", "a"], {("p", "a"): 3, ("a", "p"): 3})
    # consistent double judgement is fine
    ok = matrix_from_judgements(["p", "a"], {("p", "a"): 3, ("a", "p"): 1 / 3})
    np.testing.assert_allclose(ok, [[1, 3], [1 / 3, 1]])

