"""SMAA-2 (geo/scoring/smaa.py): the sampler against closed forms, acceptability against hand counts."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.core.errors import InputError
from geo.scoring.config import ScoringConfig
from geo.scoring.pipeline import run_scoring
from geo.scoring.smaa import WeightInfo, sample_weights, smaa, smaa_of_result


def test_uniform_simplex_has_mean_one_third_and_dirichlet_variance():
    w, rate = sample_weights(WeightInfo(criteria=("a", "b", "c")), draws=40_000, seed=1)
    assert rate == 1.0 and np.allclose(w.sum(axis=1), 1.0) and (w >= 0).all()
    assert np.allclose(w.mean(axis=0), 1 / 3, atol=0.006)
    # Dirichlet(1,1,1): Var = (1/3)(2/3)/(3+1) = 1/18
    assert np.allclose(w.var(axis=0), 1 / 18, atol=0.002)


@pytest.mark.parametrize("n", [2, 3, 5, 8])
def test_ranking_region_mean_is_the_closed_form(n):
    names = [f"c{i}" for i in range(n)]
    w, _ = sample_weights(WeightInfo.from_ranking(names), draws=40_000, seed=2)
    assert (np.diff(w, axis=1) <= 1e-12).all() and np.allclose(w.sum(axis=1), 1.0)
    expected = [sum(1 / k for k in range(i, n + 1)) / n for i in range(1, n + 1)]
    assert np.allclose(w.mean(axis=0), expected, atol=0.004)


def test_ranking_equals_sorting_uniform_simplex_samples():
    """The closed-form map and 'sort a Dirichlet(1) sample' give the same distribution."""
    names = ["a", "b", "c", "d"]
    w, _ = sample_weights(WeightInfo.from_ranking(names), draws=40_000, seed=3)
    ref = -np.sort(-np.random.default_rng(9).dirichlet(np.ones(4), 40_000), axis=1)
    for q in (0.1, 0.5, 0.9):
        assert np.allclose(np.quantile(w, q, axis=0), np.quantile(ref, q, axis=0), atol=0.008)


def test_ties_share_one_weight_and_order_holds():
    info = WeightInfo.from_ranking(["a", ["b", "c"], "d"])
    w, _ = sample_weights(info, draws=20_000, seed=4)
    assert np.array_equal(w[:, 1], w[:, 2])
    assert (w[:, 0] >= w[:, 1] - 1e-12).all() and (w[:, 2] >= w[:, 3] - 1e-12).all()
    assert np.allclose(w.sum(axis=1), 1.0)
    # uniform on {v1 ≥ v2 ≥ v3, v1 + 2 v2 + v3 = 1}: t ~ Dir(1,1,1), S = (1, 3, 4):
    # E[v3] = E[t3]/4 = 1/12, E[v2] = 1/12 + 1/9, E[v1] = E[v2] + 1/3
    assert np.allclose(w.mean(axis=0), [1 / 3 + 1 / 9 + 1 / 12, 1 / 9 + 1 / 12, 1 / 9 + 1 / 12, 1 / 12],
                       atol=0.004)


def test_intervals_are_respected_and_uniform_inside():
    bounds = {"a": (0.2, 0.5), "b": (0.1, 0.4)}
    w, rate = sample_weights(WeightInfo.from_intervals(bounds, ["a", "b", "c"]), draws=20_000, seed=5)
    assert (w[:, 0] >= 0.2).all() and (w[:, 0] <= 0.5).all()
    assert (w[:, 1] >= 0.1).all() and (w[:, 1] <= 0.4).all()
    # region: a∈[.2,.5], b∈[.1,.4], c = 1-a-b ≥ 0 → a square of side .3 (area .09 of the triangle's .5)
    assert rate == pytest.approx(0.09 / 0.5, abs=0.01)
    assert np.allclose(w[:, :2].mean(axis=0), [0.35, 0.25], atol=0.005)


def test_ranking_with_intervals_and_bad_intervals():
    info = WeightInfo.from_ranking(["a", "b", "c"], intervals={"a": (0.0, 0.6)})
    w, _ = sample_weights(info, draws=5_000, seed=6)
    assert (w[:, 0] <= 0.6).all() and (np.diff(w, axis=1) <= 1e-12).all()
    with pytest.raises(InputError) as e:
        WeightInfo.from_intervals({"a": (0.6, 0.9), "b": (0.5, 0.9)})
    assert e.value.key == "analytics.smaa.error.intervals_empty"
    with pytest.raises(InputError) as e:
        sample_weights(WeightInfo.from_intervals({"a": (0.999, 1.0)}, ["a", "b", "c"]), draws=100)
    assert e.value.key == "analytics.smaa.error.acceptance"
    with pytest.raises(InputError) as e:
        WeightInfo.from_ranking(["a", "a"])
    assert e.value.key == "analytics.smaa.error.ranking"


def test_hand_computed_three_villages_two_criteria():
    """r: x=(1,0), y=(0,1), z=(.4,.4); w=(u, 1-u), u ~ U(0,1): scores u, 1-u, .4.
    x is first iff u > .5 (P .5); z is never first (.4 < max(u, 1-u) ≥ .5); z is second iff
    .4 > min(u, 1-u), i.e. u ∉ [.4, .6]: P(z second) = .8, P(z third) = .2."""
    r = pd.DataFrame({"p": [1.0, 0.0, 0.4], "q": [0.0, 1.0, 0.4]}, index=["x", "y", "z"])
    res = smaa(r, WeightInfo(criteria=("p", "q")), top_n=1, draws=200_000, seed=7)
    b = res.acceptability
    assert b.loc["z", 1] == 0.0
    assert b.loc["z", 2] == pytest.approx(0.8, abs=0.005) and b.loc["z", 3] == pytest.approx(0.2, abs=0.005)
    assert b.loc["x", 1] == pytest.approx(0.5, abs=0.005)
    assert res.table.loc["x", "p_lokus"] == b.loc["x", 1]
    # x is first when u > .5: the mean of u | u > .5 is .75
    assert res.central_weights.loc["x"].tolist() == pytest.approx([0.75, 0.25], abs=0.005)
    assert res.central_weights.loc["z"].isna().all()


def test_acceptability_sums_to_one_by_village_and_rank():
    rng = np.random.default_rng(8)
    r = pd.DataFrame(rng.random((30, 4)), columns=list("abcd"), index=[f"v{i:02d}" for i in range(30)])
    r.iloc[3, 1] = np.nan  # renormalised over the criteria it has
    res = smaa(r, WeightInfo.from_ranking(["a", ["b", "c"], "d"]), top_n=5, draws=3_000, seed=1)
    assert np.allclose(res.acceptability.sum(axis=1), 1.0)
    assert np.allclose(res.acceptability.sum(axis=0), 1.0)
    assert res.table["p_lokus"].sum() == pytest.approx(5.0)
    assert np.allclose(res.central_weights_lokus.dropna().sum(axis=1), 1.0)


def test_exact_weights_reproduce_the_pipeline_ranking(sumedang_dataset):
    weights = {"rasio_merah": 3.0, "rasio_kek": 1.0, "sp_imunisasi": 1.5, "sp_mpasi": 0.5}
    config = ScoringConfig(year=2021, indicators=tuple(weights), weights=weights, top_n=20, draws=50)
    result = run_scoring(sumedang_dataset, config, stability=False, hotspots=False)
    weights = {c.id: c.weight for c in result.criteria}
    res = smaa_of_result(result, WeightInfo.exact_weights(weights), draws=3)
    ranked = result.table[result.table["skor"].notna()].set_index("kode")
    expected_rank = ranked["peringkat"]
    got_rank = res.acceptability.idxmax(axis=1)
    assert (res.acceptability.max(axis=1) == 1.0).all()
    assert got_rank.reindex(expected_rank.index).tolist() == expected_rank.tolist()
    chosen = set(res.table.index[res.table["p_lokus"] == 1.0])
    assert chosen == set(ranked.index[ranked["peringkat"] <= 20])


def test_ten_thousand_draws_on_a_kabupaten_are_fast():
    rng = np.random.default_rng(0)
    r = pd.DataFrame(rng.random((277, 8)), columns=[f"c{i}" for i in range(8)],
                     index=[f"32.11.{i:04d}" for i in range(277)])
    start = time.perf_counter()
    res = smaa(r, WeightInfo.from_ranking(list(r.columns)), top_n=20, draws=10_000, seed=0)
    assert time.perf_counter() - start < 5.0
    assert res.draws == 10_000 and res.acceptability.shape == (277, 277)


def test_same_seed_same_result_and_bad_inputs():
    r = pd.DataFrame({"a": [0.1, 0.5, 0.9], "b": [0.3, 0.2, 0.1]}, index=["x", "y", "z"])
    one = smaa(r, WeightInfo(criteria=("a", "b")), top_n=2, draws=500, seed=3)
    two = smaa(r, WeightInfo(criteria=("a", "b")), top_n=2, draws=500, seed=3)
    pd.testing.assert_frame_equal(one.acceptability, two.acceptability)
    with pytest.raises(InputError):
        smaa(r, WeightInfo(criteria=("a", "zz")), top_n=2)
    with pytest.raises(InputError):
        smaa(r, WeightInfo(criteria=("a", "b")), top_n=0)


@given(st.lists(st.integers(1, 3), min_size=2, max_size=6), st.integers(0, 1000))
def test_property_ranked_samples_stay_inside_the_constraints(sizes, seed):
    groups, k = [], 0
    for size in sizes:
        groups.append([f"c{k + j}" for j in range(size)])
        k += size
    info = WeightInfo.from_ranking(groups)
    w, _ = sample_weights(info, draws=500, seed=seed)
    assert np.allclose(w.sum(axis=1), 1.0) and (w >= 0).all()
    col = {c: i for i, c in enumerate(info.criteria)}
    for hi_group, lo_group in itertools.pairwise(groups):
        assert (w[:, col[hi_group[0]]] >= w[:, col[lo_group[0]]] - 1e-12).all()
        for c in hi_group[1:]:
            assert np.array_equal(w[:, col[c]], w[:, col[hi_group[0]]])


def test_topsis_run_uses_a_direction_aware_matrix(sumedang_dataset):
    weights = {"rasio_merah": 1.0, "sp_imunisasi": 1.0}
    config = ScoringConfig(year=2021, indicators=tuple(weights), weights=weights, top_n=10, draws=50,
                           method="topsis", missing="kecamatan_median")
    result = run_scoring(sumedang_dataset, config, stability=False, hotspots=False)
    res = smaa_of_result(result, WeightInfo.exact_weights({"rasio_merah": 1.0, "sp_imunisasi": 0.0}), draws=2)
    ranked = result.table[result.table["skor"].notna()].set_index("kode")
    first = res.acceptability.index[res.acceptability[1] == 1.0][0]
    # all the weight on the rate: the village with the highest rate comes first (not the lowest)
    assert ranked.loc[first, "rasio_merah"] == ranked["rasio_merah"].max()
