"""Monte Carlo rank stability."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.core.errors import InputError
from geo.scoring.mcda import Criterion, rank, score
from geo.scoring.selection import select_top
from geo.scoring.stability import RateSpec, dirichlet_concentration, rank_stability


def _problem(m: int = 60, seed: int = 0) -> tuple[pd.DataFrame, list[Criterion], pd.Series]:
    rng = np.random.default_rng(seed)
    idx = pd.Index([f"32.11.{i // 10:02d}.{2001 + i}" for i in range(m)])
    X = pd.DataFrame(rng.uniform(0, 100, (m, 4)), index=idx, columns=["p", "q", "r", "s"])
    crit = [Criterion("p", "higher_worse", 0.4), Criterion("q", "higher_better", 0.3),
            Criterion("r", "higher_worse", 0.2), Criterion("s", "higher_better", 0.1)]
    kec = pd.Series([f"kec{i // 10}" for i in range(m)], index=idx)
    return X, crit, kec


def test_seed_makes_it_deterministic() -> None:
    X, crit, kec = _problem()
    a = rank_stability(X, crit, kec, 10, draws=300, seed=42)
    b = rank_stability(X, crit, kec, 10, draws=300, seed=42)
    c = rank_stability(X, crit, kec, 10, draws=300, seed=43)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not a.table["p_top_n"].equals(c.table["p_top_n"])
    assert list(a.table.index) == list(X.index)


@pytest.mark.parametrize(
    ("method", "normalisation"),
    [("saw", "minmax"), ("saw", "zscore"), ("saw", "percentile"), ("geomean", "minmax"),
     ("geomean", "percentile"), ("topsis", "minmax")],
)
def test_zero_perturbation_reproduces_base_selection(method: str, normalisation: str) -> None:
    X, crit, kec = _problem()
    res = rank_stability(X, crit, kec, 12, method=method, normalisation=normalisation,
                         weight_cv=0.0, draws=20, max_per_kecamatan=2,
                         force_in=[X.index[-1]], force_out=[X.index[0]])
    p = res.table["p_top_n"]
    assert set(p.unique()) <= {0.0, 1.0}
    base = score(X, crit, method=method, normalisation=normalisation).score
    ranked = pd.DataFrame({"code": X.index, "kecamatan": kec, "rank": rank(base)})
    sel = select_top(ranked, 12, max_per_kecamatan=2, force_in={X.index[-1]: "SK"},
                     force_out={X.index[0]: "x"})
    assert set(p.index[p == 1.0]) == set(sel.chosen)
    assert (res.table["rank_median"] == rank(base)).all()
    assert (res.table["label"][p == 1.0] == "inti").all()
    assert (res.table["label"][p == 0.0] == "jarang").all()


def test_far_ahead_village_is_core() -> None:
    X, crit, kec = _problem()
    X = X.copy()
    leader = X.index[5]
    X.loc[leader] = [200.0, -100.0, 200.0, -100.0]  # worst on every criterion by far
    res = rank_stability(X, crit, kec, 5, draws=500, weight_cv=0.5, seed=1)
    assert res.table.loc[leader, "p_top_n"] == 1.0
    assert res.table.loc[leader, "rank_p95"] == 1
    assert res.table.loc[leader, "label"] == "inti"


def test_small_denominator_probability_matches_binomial() -> None:
    # One criterion (prevalence). Large villages (n = 100 000, sampling sd ≤ 0.15 points) sit at
    # 40, 35, 33, 10, 5 %; the small village has k = 2 of n = 4 (50 %). N = 3.
    # Raw rates: it is in the top 3 iff k*/4 > 33 %, i.e. k* ≥ 2: P = 11/16 = 0.6875
    # (village c, 33 %, takes the place otherwise: 5/16 = 0.3125).
    # EB (global) re-applied per draw: B = 0.246, A ≈ 0.0203, w_small = A/(A + B/4) = 0.2478, so
    # θ(k*) = 0.185, 0.247, 0.309, 0.371, 0.433 for k* = 0..4 → in iff k* ≥ 3: P = 5/16.
    idx = pd.Index(["a", "b", "c", "d", "e", "small"])
    n = pd.Series([100_000, 100_000, 100_000, 100_000, 100_000, 4], index=idx)
    k = pd.Series([40_000, 35_000, 33_000, 10_000, 5_000, 2], index=idx)
    X = pd.DataFrame({"prev": 100 * k / n})
    kec = pd.Series(["w"] * 6, index=idx)
    crit = [Criterion("prev", "higher_worse", 1)]
    draws = 4000
    se = np.sqrt(0.6875 * 0.3125 / draws)  # 0.0073
    res = rank_stability(X, crit, kec, 3, rates={"prev": RateSpec(k, n)}, draws=draws, seed=5)
    p = res.table["p_top_n"]
    assert abs(p["small"] - 0.6875) < 4 * se
    assert abs(p["c"] - 0.3125) < 4 * se
    assert p["a"] == 1.0 and p["b"] == 1.0 and p["e"] == 0.0
    assert res.table.loc["small", "label"] == "bimbang"
    smooth = rank_stability(X, crit, kec, 3, draws=draws, seed=5,
                            rates={"prev": RateSpec(k, n, smooth="global")})
    assert abs(smooth.table.loc["small", "p_top_n"] - 0.3125) < 4 * se
    assert abs(smooth.table.loc["c", "p_top_n"] - 0.6875) < 4 * se


def test_identical_villages_get_the_same_probability() -> None:
    # two villages with the same counts are resampled independently → same p within MC error
    idx = pd.Index([f"v{i}" for i in range(8)])
    n = pd.Series([50, 50, 400, 400, 400, 400, 400, 400], index=idx)
    k = pd.Series([12, 12, 100, 90, 80, 110, 70, 60], index=idx)
    X = pd.DataFrame({"prev": 100 * k / n, "air": [60.0, 60.0, 70, 50, 80, 65, 55, 75]},
                     index=idx)
    crit = [Criterion("prev", "higher_worse", 0.7), Criterion("air", "higher_better", 0.3)]
    kec = pd.Series(["a", "b", "a", "b", "a", "b", "a", "b"], index=idx)
    draws = 4000
    res = rank_stability(X, crit, kec, 3, rates={"prev": RateSpec(k, n)}, draws=draws, seed=11)
    p0, p1 = res.table.loc["v0", "p_top_n"], res.table.loc["v1", "p_top_n"]
    assert 0.05 < p0 < 0.95  # really uncertain, else the test says nothing
    assert abs(p0 - p1) < 4 * np.sqrt(2 * 0.25 / draws)


def test_forced_villages_and_rank_interval() -> None:
    X, crit, kec = _problem()
    res = rank_stability(X, crit, kec, 8, draws=200, force_in=[X.index[3]],
                         force_out=[X.index[7]], max_per_kecamatan=2, seed=2)
    t = res.table
    assert t.loc[X.index[3], "p_top_n"] == 1.0 and t.loc[X.index[7], "p_top_n"] == 0.0
    assert ((t["rank_p05"] <= t["rank_median"]) & (t["rank_median"] <= t["rank_p95"])).all()
    assert t["rank_p05"].min() >= 1 and t["rank_p95"].max() <= len(X)
    # expected size of the list is N (quota feasible: 6 kecamatan × 2 ≥ 8)
    assert t["p_top_n"].sum() == pytest.approx(8.0)


def test_concentration_formula_and_validation() -> None:
    # 6 criteria, cv 0.2: κ = (1 − 1/6)/((1/6)·0.04) − 1 = 124
    assert dirichlet_concentration(6, 0.2) == pytest.approx(124.0)
    assert np.isinf(dirichlet_concentration(6, 0.0))
    X, crit, kec = _problem()
    with pytest.raises(InputError):
        rank_stability(X, crit, kec, 5, weight_cv=-0.1)
    with pytest.raises(InputError):
        rank_stability(X, crit, kec, 5, rates={"zz": RateSpec(X["p"], X["p"])})
