"""MCDA scores against hand-computed cases and pymcdm."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pymcdm.methods import TOPSIS, WPM, WSM
from pymcdm.normalizations import minmax_normalization, vector_normalization

from geo.core.errors import InputError
from geo.core.i18n import format_number
from geo.scoring.explain import explain, explain_sentence
from geo.scoring.mcda import (
    Criterion,
    impute,
    normalise,
    priority_class,
    rank,
    score,
    weights_normalise,
)

# Hand case used throughout: a = higher_worse, b = higher_better, c = higher_worse,
# weights 0.5 / 0.3 / 0.2.
X3 = pd.DataFrame(
    {"a": [10.0, 20.0, 30.0], "b": [50.0, 40.0, 90.0], "c": [1.0, 1.0, 2.0]},
    index=["x", "y", "z"],
)
CRIT3 = [
    Criterion("a", "higher_worse", 5),
    Criterion("b", "higher_better", 3),
    Criterion("c", "higher_worse", 2),
]
DIRS3 = {c.id: c.direction for c in CRIT3}


def _random_problem(seed: int, m: int = 40, c: int = 5) -> tuple[pd.DataFrame, list[Criterion]]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.uniform(1, 100, (m, c)), columns=[f"k{j}" for j in range(c)],
                     index=[f"32.11.01.{2001 + i}" for i in range(m)])
    crit = [Criterion(f"k{j}", "higher_worse" if j % 2 else "higher_better",
                      float(rng.uniform(0.1, 1))) for j in range(c)]
    return X, crit


def _pymcdm_args(crit: list[Criterion]) -> tuple[np.ndarray, np.ndarray]:
    w = np.array([c.weight for c in crit])
    return w / w.sum(), np.array([1 if c.direction == "higher_worse" else -1 for c in crit])


# --------------------------------------------------------------------------- normalise
def test_minmax_hand_values() -> None:
    # a: (x-10)/20 → 0, .5, 1;  b is higher_better: (90-x)/50 → .8, 1, 0;  c: (x-1)/1 → 0, 0, 1
    r = normalise(X3, DIRS3, "minmax")
    np.testing.assert_allclose(r.to_numpy(), [[0, 0.8, 0], [0.5, 1, 0], [1, 0, 1]])
    assert list(r.index) == ["x", "y", "z"]


def test_direction_flips_minmax() -> None:
    hw = normalise(X3[["b"]], {"b": "higher_worse"})
    hb = normalise(X3[["b"]], {"b": "higher_better"})
    np.testing.assert_allclose(hw["b"] + hb["b"], 1.0)


def test_constant_column_is_zero_in_every_normalisation() -> None:
    X = pd.DataFrame({"k": [3.0, 3.0, 3.0]})
    for method in ("minmax", "zscore"):
        assert normalise(X, {"k": "higher_worse"}, method)["k"].tolist() == [0, 0, 0]


def test_zscore_oriented() -> None:
    # x = 1,2,3: mean 2, population sd sqrt(2/3) = 0.816497 → ∓1.224745
    # (sign flipped because higher_better)
    X = pd.DataFrame({"k": [1.0, 2.0, 3.0]})
    z = normalise(X, {"k": "higher_better"}, "zscore")["k"].to_numpy()
    np.testing.assert_allclose(z, [1.224745, 0, -1.224745], atol=1e-6)


def test_percentile_average_ties() -> None:
    # 1, 2, 2, 3 → ranks 1, 2.5, 2.5, 4 → /4
    X = pd.DataFrame({"k": [1.0, 2.0, 2.0, 3.0, np.nan]})
    p = normalise(X, {"k": "higher_worse"}, "percentile")["k"].to_numpy()
    np.testing.assert_allclose(p[:4], [0.25, 0.625, 0.625, 1.0])
    assert np.isnan(p[4])


def test_normalise_bad_input() -> None:
    with pytest.raises(InputError):
        normalise(X3, DIRS3, "robust")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        normalise(X3, {"a": "higher_worse", "b": "benefit", "c": "higher_worse"})
    with pytest.raises(InputError):
        normalise(X3, {"a": "higher_worse"})


# --------------------------------------------------------------------------- methods
def test_saw_hand_case() -> None:
    # S = .5·a + .3·b + .2·c on the minmax matrix: x .24, y .25+.3 = .55, z .5+.2 = .70
    res = score(X3, CRIT3, method="saw")
    np.testing.assert_allclose(res.score, [0.24, 0.55, 0.70])
    np.testing.assert_allclose(res.contributions.loc["y"], [0.25, 0.30, 0.0])
    np.testing.assert_allclose(res.contributions.sum(axis=1), res.score)
    np.testing.assert_allclose(res.weights, [0.5, 0.3, 0.2])


def test_geomean_hand_case() -> None:
    # r' = .01 + .99 r
    # x: .01^.5 · .802^.3 · .01^.2 = .0398107 · .935941 = .0372608
    # y: .505^.5 · 1 · .01^.2      = .710634 · .398107  = .282908
    # z: 1 · .01^.3 · 1            = .251189
    res = score(X3, CRIT3, method="geomean")
    np.testing.assert_allclose(res.score, [0.0372608, 0.282908, 0.251189], atol=1e-6)
    np.testing.assert_allclose(res.contributions.sum(axis=1), res.score)
    # z's whole score comes from a and c (b sits at the floor)
    assert res.contributions.loc["z", "b"] == 0
    # contributions ∝ w·ln(r'/.01): y → a .5·ln(50.5) = 1.960987, b .3·ln(100) = 1.381551, c 0
    # shares 1.960987/3.342538 = .586676 and .413324
    share = res.contributions.loc["y"] / res.score["y"]
    np.testing.assert_allclose(share, [0.586676, 0.413324, 0], atol=1e-6)


def test_topsis_hand_case() -> None:
    # norms: a √1400 = 37.41657, b √12200 = 110.4536, c √6 = 2.449490
    # v = w·x/norm: a (.133631, .267261, .400892)  b (.135804, .108643, .244447)
    #               c (.081650, .081650, .163299)
    # ideal: a max .400892, b min .108643, c max .163299; anti-ideal the opposite
    # x: d+ = √(.267261² + .027161² + .081650²) = .280772, d- = .108643 → C = .278990
    res = score(X3, CRIT3, method="topsis")
    assert res.d_plus is not None and res.d_minus is not None and res.weighted is not None
    assert res.d_plus["x"] == pytest.approx(0.280772, abs=1e-6)
    assert res.d_minus["x"] == pytest.approx(0.108643, abs=1e-6)
    assert res.score["x"] == pytest.approx(0.278990, abs=1e-6)
    assert res.weighted.loc["z", "a"] == pytest.approx(0.400892, abs=1e-6)
    assert res.normalisation == "vector"
    np.testing.assert_allclose(res.contributions.sum(axis=1), res.score)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_topsis_equals_pymcdm(seed: int) -> None:
    X, crit = _random_problem(seed)
    w, types = _pymcdm_args(crit)
    ref = TOPSIS(normalization_function=vector_normalization)(X.to_numpy(), w, types)
    ours = score(X, crit, method="topsis", normalisation="zscore")  # normalisation ignored
    np.testing.assert_allclose(ours.score.to_numpy(), ref, atol=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_saw_equals_pymcdm_wsm_with_minmax(seed: int) -> None:
    # pymcdm's WSM defaults to sum normalisation; with minmax it is our SAW
    # (no constant columns here: pymcdm maps those to 1, we map them to 0).
    X, crit = _random_problem(seed)
    w, types = _pymcdm_args(crit)
    ref = WSM(normalization_function=minmax_normalization)(X.to_numpy(), w, types)
    np.testing.assert_allclose(score(X, crit, method="saw").score.to_numpy(), ref, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_geomean_equals_pymcdm_wpm_with_shifted_minmax(seed: int) -> None:
    X, crit = _random_problem(seed)
    w, types = _pymcdm_args(crit)

    def shifted(x: np.ndarray, cost: bool = False) -> np.ndarray:
        return 0.01 + 0.99 * minmax_normalization(x, cost)

    ref = WPM(normalization_function=shifted)(X.to_numpy(), w, types)
    np.testing.assert_allclose(score(X, crit, method="geomean").score.to_numpy(), ref,
                               atol=1e-12)


@pytest.mark.parametrize("method", ["saw", "geomean", "topsis"])
def test_units_do_not_change_scores(method: str) -> None:
    # percent vs proportion must not matter
    X, crit = _random_problem(5)
    Y = X.copy()
    Y["k0"] = Y["k0"] / 100
    np.testing.assert_allclose(score(X, crit, method=method).score,
                               score(Y, crit, method=method).score, atol=1e-12)


def test_exclude_policy_renormalises_weights() -> None:
    # village y lacks c: its score uses a and b with weights .5/.8 and .3/.8
    # r_y = (.5, 1) → S_y = .625·.5 + .375·1 = .6875 ; x and z unchanged from the hand case
    X = X3.copy()
    X.loc["y", "c"] = np.nan
    # c's min-max now over x, z only: (0, 1) → the same as before for x and z
    filled, flags = impute(X, "exclude", directions=DIRS3)
    res = score(filled, CRIT3)
    np.testing.assert_allclose(res.score, [0.24, 0.6875, 0.70])
    assert flags.loc["y", "c"] and flags.to_numpy().sum() == 1
    np.testing.assert_allclose(res.contributions.sum(axis=1), res.score)
    assert X3.notna().all().all() and X.isna().to_numpy().sum() == 1  # inputs untouched


def test_all_missing_column_is_left_out() -> None:
    X = X3.assign(c=np.nan)
    res = score(X, CRIT3)
    # only a and b remain, weights .5/.8 and .3/.8: x .375·.8 = .3, y .3125 + .375 = .6875, z .625
    np.testing.assert_allclose(res.score, [0.3, 0.6875, 0.625])


def test_impute_worst_and_kecamatan_median() -> None:
    X = pd.DataFrame({"prev": [10.0, np.nan, 30.0, 50.0, np.nan],
                      "cov": [90.0, 80.0, np.nan, 40.0, np.nan]})
    dirs = {"prev": "higher_worse", "cov": "higher_better"}
    worst, _ = impute(X, "worst", directions=dirs)
    assert worst["prev"].tolist() == [10, 50, 30, 50, 50]  # worst prevalence = max
    assert worst["cov"].tolist() == [90, 80, 40, 40, 40]  # worst coverage = min
    groups = pd.Series(["a", "a", "b", "b", "c"])
    med, flags = impute(X, "kecamatan_median", directions=dirs, groups=groups)
    # prev: a → 10; c is all-missing → overall median of (10, 30, 50) = 30
    assert med["prev"].tolist() == [10, 10, 30, 50, 30]
    # cov: b → 40; c → overall median of (90, 80, 40) = 80
    assert med["cov"].tolist() == [90, 80, 40, 40, 80]
    assert flags.to_numpy().sum() == 4
    assert X.isna().to_numpy().sum() == 4  # input untouched
    with pytest.raises(InputError):
        impute(X, "kecamatan_median", directions=dirs)
    with pytest.raises(InputError):
        impute(X, "mean", directions=dirs)  # type: ignore[arg-type]


def test_score_validation() -> None:
    with pytest.raises(InputError):
        score(X3, [Criterion("a", "higher_worse", -1), *CRIT3[1:]])
    with pytest.raises(InputError):
        score(X3, CRIT3, method="vikor")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        score(X3, CRIT3, method="geomean", normalisation="zscore")
    with pytest.raises(InputError):
        score(X3, [*CRIT3, Criterion("missing", "higher_worse", 1)])
    with pytest.raises(InputError):
        score(X3, [Criterion("a", "benefit", 1)])  # type: ignore[arg-type]
    X = X3.copy()
    X.loc["x", "a"] = np.nan
    with pytest.raises(InputError):
        score(X, CRIT3, method="topsis")


def test_score_keeps_index_and_does_not_mutate() -> None:
    X, crit = _random_problem(9)
    before = X.copy()
    res = score(X.iloc[::-1], crit)
    assert list(res.score.index) == list(X.index[::-1])
    pd.testing.assert_frame_equal(X, before)


# --------------------------------------------------------------------------- rank & classes
def test_rank_ties_by_code_and_nan_last() -> None:
    s = pd.Series([0.5, 0.9, 0.5, np.nan, 0.1], index=["c", "b", "a", "d", "e"])
    assert rank(s).to_dict() == {"c": 3, "b": 1, "a": 2, "d": 5, "e": 4}


def test_priority_class_fixed_and_quantile() -> None:
    s = pd.Series([0.9, 0.75, 0.6, 0.3, 0.1, np.nan])
    fixed = priority_class(s, scheme="fixed")
    assert fixed.astype(str).tolist() == ["Sangat tinggi", "Sangat tinggi", "Tinggi", "Sedang",
                                          "Rendah", "Tidak ada data"]
    # quantiles of (.1, .3, .6, .75, .9): q75 = .75, q50 = .6, q25 = .3
    q = priority_class(s)
    assert q.astype(str).tolist() == ["Sangat tinggi", "Sangat tinggi", "Tinggi", "Sedang",
                                      "Rendah", "Tidak ada data"]
    assert q.cat.ordered and q.cat.codes.iloc[0] > q.cat.codes.iloc[2]
    with pytest.raises(InputError):
        priority_class(s, scheme="fixed", cuts=(0.2, 0.5, 0.8))


def test_weights_normalise() -> None:
    out = weights_normalise({"a": 2, "b": 1, "c": 1})
    assert out == {"a": 0.5, "b": 0.25, "c": 0.25}
    with pytest.raises(InputError) as err:
        weights_normalise({"a": 1, "b": -0.5})
    assert err.value.column == "b"
    with pytest.raises(InputError):
        weights_normalise({"a": 0, "b": 0})


# --------------------------------------------------------------------------- explanation
def test_explanation_number_format() -> None:
    """Explanations drop trailing zero decimals (geo.core.i18n.format_number with trim)."""
    assert format_number(28.4, 1, trim=True) == "28,4"
    assert format_number(41.0, 1, trim=True) == "41"
    assert format_number(1234.56, 1, trim=True) == "1.234,6"
    assert format_number(float("nan"), 1, trim=True) == "–"


def test_explain_and_sentence() -> None:
    X = pd.DataFrame(
        {"prev": [28.4, 10.0, 20.0, 30.0], "air": [41.0, 95.0, 60.0, 90.0]},
        index=["3211012001", "3211012002", "3211022001", "3211022002"],
    )
    crit = [Criterion("prev", "higher_worse", 0.6, "prevalensi stunting", "%"),
            Criterion("air", "higher_better", 0.4, "cakupan air minum layak", "%")]
    res = score(X, crit)
    # minmax: prev (28.4-10)/20 = .92, air (95-41)/54 = 1 → S = .552 + .4 = .952 (rank 1)
    assert res.score.iloc[0] == pytest.approx(0.952)
    r = rank(res.score)
    kec = pd.Series(["Wado", "Wado", "Darmaraja", "Darmaraja"], index=X.index)
    ex = explain(res.contributions, r, kec)
    # shares sum to 1, except for the village whose score is 0 (all shares 0)
    np.testing.assert_allclose(ex.shares.sum(axis=1), [1, 0, 1, 1])
    # Darmaraja: 30 % / 90 % water scores .6 + .4·5/54 = .637 > 20 % / 60 % water .559
    assert ex.table.loc["3211022001", "peringkat_kecamatan"] == 2
    assert ex.table.loc["3211012001", "jumlah_kecamatan"] == 2
    # shares: .552/.952 = 58 %, .4/.952 = 42 %
    text = explain_sentence("3211012001", ex, X, crit, name="Cimungkal", kecamatan_name="Wado").render()
    assert text == (
        "Desa Cimungkal berada di peringkat 1 dari 4 (peringkat 1 di Kecamatan Wado), "
        "terutama karena prevalensi stunting 28,4% (kontribusi 58%) dan "
        "cakupan air minum layak 41% (kontribusi 42%)."
    )
    # the lowest-priority village (least prevalence, best water) has no positive contribution
    low = r.idxmax()
    assert low == "3211012002"
    assert explain_sentence(low, ex, X, crit, name="X", kecamatan_name="Y").render().endswith(
        "tanpa kriteria yang menonjol."
    )
