"""Rates: Wilson interval, empirical-Bayes smoothing, small-n flag."""

from __future__ import annotations

import numpy as np
import pytest
from esda.smoothing import Empirical_Bayes
from scipy.stats import binomtest

from geo.core.rates import eb_smooth, small_n_flag, wilson_interval


def test_wilson_hand_values() -> None:
    # k=5, n=10, z=1.959964: z²=3.841459, denom=1+z²/n=1.384146, centre=(0.5+0.192073)/denom=0.5,
    # half = z/denom·sqrt(0.025 + z²/400) = 1.416011·0.186020 = 0.263406 → (0.236594, 0.763406)
    # k=0, n=10: centre = 0.192073/1.384146 = 0.138767 = half → (0, 0.277533)
    low, high = wilson_interval([5, 0], [10, 10])
    np.testing.assert_allclose(low, [0.236594, 0.0], atol=1e-6)
    np.testing.assert_allclose(high, [0.763406, 0.277533], atol=1e-6)


def test_wilson_matches_scipy() -> None:
    ks, ns = np.meshgrid(np.arange(0, 31), np.arange(1, 31))
    keep = ks <= ns
    ks, ns = ks[keep], ns[keep]
    low, high = wilson_interval(ks, ns)
    ref = np.array([binomtest(int(k), int(n)).proportion_ci(method="wilson") for k, n in
                    zip(ks, ns, strict=True)])
    np.testing.assert_allclose(low, ref[:, 0], atol=1e-6)
    np.testing.assert_allclose(high, ref[:, 1], atol=1e-6)


def test_wilson_empty_and_invalid() -> None:
    low, high = wilson_interval([0, 1], [0, 4])
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert 0 < low[1] < 0.25 < high[1] < 1
    with pytest.raises(ValueError):
        wilson_interval([3], [2])


def test_eb_hand_computed() -> None:
    # k=(1,10,30), n=(2,100,100): B=41/202=0.2029703, r=(0.5,0.1,0.3)
    # s² = (2·0.2970297² + 100·0.1029703² + 100·0.0970297²)/202 = 2.178217/202 = 0.0107833
    # n̄ = 202/3 = 67.3333, B/n̄ = 0.0030144, A = 0.0077688
    # w = A/(A + B/n) = (0.0711081, 0.7928568, 0.7928568)
    # θ = w·r + (1-w)·B = (0.2240915, 0.1213296, 0.2799010)
    res = eb_smooth([1, 10, 30], [2, 100, 100])
    np.testing.assert_allclose(res.prior, 0.2029703, atol=1e-7)
    np.testing.assert_allclose(res.weight, [0.0711081, 0.7928568, 0.7928568], atol=1e-6)
    np.testing.assert_allclose(res.rate, [0.2240915, 0.1213296, 0.2799010], atol=1e-6)
    # the tiny village moves most: 50 % → 22 %
    assert abs(res.rate[0] - res.raw[0]) > 10 * abs(res.rate[1] - res.raw[1])


def test_eb_matches_esda_when_variance_positive() -> None:
    rng = np.random.default_rng(7)
    n = rng.integers(5, 300, 80)
    k = rng.binomial(n, rng.beta(2, 8, 80))  # over-dispersed: A > 0
    ours = eb_smooth(k, n)
    assert ours.weight.min() > 0
    np.testing.assert_allclose(ours.rate, Empirical_Bayes(k, n).r.ravel(), atol=1e-12)


def test_eb_groups_equal_esda_per_group() -> None:
    rng = np.random.default_rng(3)
    n = rng.integers(10, 200, 60)
    groups = np.repeat(["kec-a", "kec-b", "kec-c"], 20)
    p = np.repeat([0.1, 0.25, 0.4], 20) * rng.uniform(0.4, 1.6, 60)
    k = rng.binomial(n, p)
    ours = eb_smooth(k, n, groups)
    for g in np.unique(groups):
        sel = groups == g
        ref = Empirical_Bayes(k[sel], n[sel]).r.ravel()
        np.testing.assert_allclose(ours.rate[sel], ref, atol=1e-12)
        np.testing.assert_allclose(ours.prior[sel], k[sel].sum() / n[sel].sum())


def test_eb_homogeneous_rates_collapse_to_mean() -> None:
    # all rates 20 %: s² = 0 < B/n̄ → A = 0 → every rate is B, weight 0
    res = eb_smooth([2, 20, 40], [10, 100, 200])
    np.testing.assert_allclose(res.rate, 0.2)
    np.testing.assert_array_equal(res.weight, 0.0)


def test_eb_no_data_is_prior_and_flagged() -> None:
    res = eb_smooth([1, 10, 30, 0], [2, 100, 100, 0], groups=["a", "a", "a", "b"])
    assert res.no_data.tolist() == [False, False, False, True]
    # group "b" has no children measured → falls back to the global mean 41/202
    assert res.rate[3] == pytest.approx(41 / 202)
    assert np.isnan(res.raw[3])
    np.testing.assert_allclose(res.rate[:3], [0.2240915, 0.1213296, 0.2799010], atol=1e-6)


def test_eb_a_group_without_data_does_not_move_the_other_groups() -> None:
    """Kecamatan b has no child measured: only its villages borrow the wider estimate; a and c
    keep their own priors (each equals esda per group), never the global one."""
    rng = np.random.default_rng(11)
    n = np.concatenate([rng.integers(20, 200, 15), np.zeros(5, dtype=int), rng.integers(20, 200, 15)])
    p = np.concatenate([np.full(15, 0.1), np.zeros(5), np.full(15, 0.4)]) * np.concatenate(
        [rng.uniform(0.5, 1.5, 15), np.ones(5), rng.uniform(0.5, 1.5, 15)])
    k = rng.binomial(n, p)
    groups = np.repeat(["a", "b", "c"], [15, 5, 15])
    res = eb_smooth(k, n, groups)
    for g in ("a", "c"):
        sel = groups == g
        np.testing.assert_allclose(res.prior[sel], k[sel].sum() / n[sel].sum())
        np.testing.assert_allclose(res.rate[sel], Empirical_Bayes(k[sel], n[sel]).r.ravel(), atol=1e-12)
    np.testing.assert_allclose(res.rate[groups == "b"], k.sum() / n.sum())  # no data: the global mean
    assert res.no_data[groups == "b"].all() and not res.no_data[groups != "b"].any()
    # with a parent (the kabupaten of b = the one of c): b borrows c's estimate
    parents = np.repeat(["k1", "k2", "k2"], [15, 5, 15])
    with_parent = eb_smooth(k, n, groups, parents)
    k2 = parents == "k2"
    np.testing.assert_allclose(with_parent.rate[groups == "b"], k[k2].sum() / n[k2].sum())
    np.testing.assert_allclose(with_parent.rate[groups != "b"], res.rate[groups != "b"])


def test_eb_stacked_draws_equal_row_by_row() -> None:
    rng = np.random.default_rng(1)
    n = rng.integers(1, 100, (4, 30))
    k = rng.binomial(n, 0.3)
    groups = np.arange(30) % 4
    stacked = eb_smooth(k, n, groups).rate
    for d in range(4):
        np.testing.assert_allclose(stacked[d], eb_smooth(k[d], n[d], groups).rate)


def test_eb_does_not_mutate_inputs() -> None:
    k, n = np.array([1, 10, 30]), np.array([2, 100, 100])
    eb_smooth(k, n)
    assert k.tolist() == [1, 10, 30] and n.tolist() == [2, 100, 100]


def test_small_n_flag() -> None:
    assert small_n_flag([0, 4, 5, 30, np.nan], 5).tolist() == [True, True, False, False, True]
