"""Did last year's lokus work? (geo/decide/review.py): hand-computed DiD, planted and null effects."""

from __future__ import annotations

import numpy as np
import pytest

from geo.core.errors import InputError
from geo.decide.review import review, review_dataset


def test_hand_computed_four_villages():
    # lokus a, b, c change −4, −1, −1; the one comparison village d changes +1: τ = −2 − 1 = −3
    res = review(["a", "b", "c", "d"], ["K"] * 4, [10, 8, 9, 7], [6, 7, 8, 8], ["a", "b", "c"], bins=1)
    assert res.effect == pytest.approx(-3.0) and res.naive == pytest.approx(-3.0)
    assert res.change_lokus == pytest.approx(-2.0) and res.change_control == pytest.approx(1.0)
    assert (res.n_lokus, res.n_control, res.n_matched) == (3, 1, 3)
    assert -5.0 <= res.ci_low <= -3.0 <= res.ci_high <= -2.0  # only the lokus vary in resamples
    assert res.verdict.key == "analytics.review.verdict.too_few"


def test_hand_computed_matching_within_kecamatan_then_kabupaten():
    """Bins of last year's level at the median 5.9: {d, e, b} low, {c, a, f} high.
    a (K1, high) is compared with c (K1, high): −4 − (−1) = −3.
    b (K2, low) has no low comparison in K2 (f is high): the low ones anywhere, d and e:
    0 − (2 + 1)/2 = −1.5. τ = (−3 − 1.5)/2 = −2.25; naive = −2 − (−0.25) = −1.75."""
    codes = ["a", "c", "b", "d", "e", "f"]
    kec = ["K1", "K1", "K2", "K1", "K1", "K2"]
    before = [10, 9, 2.8, 2, 2.5, 12]
    after = [6, 8, 2.8, 4, 3.5, 9]
    res = review(codes, kec, before, after, ["a", "b"], bins=2)
    assert res.effect == pytest.approx(-2.25)
    assert res.naive == pytest.approx(-1.75)
    assert (res.n_matched, res.n_matched_kabupaten, res.n_unmatched) == (2, 1, 0)
    table = res.table.set_index("kode")
    assert table.loc["a", "pembanding"] == "kecamatan" and table.loc["b", "pembanding"] == "kabupaten"
    assert table.loc["b", "perubahan_pembanding"] == pytest.approx(1.5)
    assert [n.key for n in res.notes] == ["analytics.review.note.matched_kabupaten"]


def synthetic(effect: float, seed: int, m: int = 300):
    rng = np.random.default_rng(seed)
    kec = [f"K{i % 20:02d}" for i in range(m)]
    y0 = rng.normal(20, 5, m)
    lokus = rng.random(m) < 0.2
    y1 = 0.8 * y0 + 4 + rng.normal(0, 1, m) + effect * lokus
    codes = [f"v{i:03d}" for i in range(m)]
    return codes, kec, y0, y1, [c for c, is_l in zip(codes, lokus, strict=True) if is_l]


def test_planted_effect_is_recovered():
    res = review(*synthetic(-3.0, seed=1), seed=2)
    assert res.ci_low < -3.0 < res.ci_high
    assert res.effect == pytest.approx(-3.0, abs=0.5)
    assert res.ci_high < 0 and res.verdict.key == "analytics.review.verdict.better"
    worse = review(*synthetic(+3.0, seed=1), seed=2)
    assert worse.verdict.key == "analytics.review.verdict.worse"
    higher_better = review(*synthetic(+3.0, seed=1), seed=2, direction="higher_better")
    assert higher_better.verdict.key == "analytics.review.verdict.better"


def test_zero_effect_interval_contains_zero():
    res = review(*synthetic(0.0, seed=3), seed=4)
    assert res.ci_low < 0 < res.ci_high
    assert res.verdict.key == "analytics.review.verdict.unclear"
    assert res.verdict.render("en").startswith("The data cannot tell")


def test_bootstrap_is_seeded_and_missing_values_are_left_out():
    codes, kec, y0, y1, lokus = synthetic(-1.0, seed=5, m=80)
    y1 = y1.copy()
    y1[:3] = np.nan
    one = review(codes, kec, y0, y1, lokus, seed=9)
    two = review(codes, kec, y0, y1, lokus, seed=9)
    assert (one.ci_low, one.ci_high) == (two.ci_low, two.ci_high)
    assert one.n_missing == 3 and one.n_lokus + one.n_control == 77


def test_bad_inputs():
    with pytest.raises(InputError) as e:
        review(["a"], ["K"], [1], [2], ["zz"])
    assert e.value.key == "analytics.review.error.unknown_lokus"
    with pytest.raises(InputError):
        review(["a"], ["K"], [1], [2], [], draws=10)


def test_on_sumedang(sumedang_dataset, sumedang_result):
    lokus = list(sumedang_result.selection.chosen)
    res = review_dataset(sumedang_dataset, lokus, "rasio_merah", 2019, 2020, draws=500)
    assert res.n_lokus + res.n_control + res.n_missing == len(sumedang_dataset.codes)
    assert res.meta == {"indicator": "rasio_merah", "year_before": 2019, "year_after": 2020}
    assert res.verdict.key.startswith("analytics.review.verdict.")
    with pytest.raises(InputError):
        review_dataset(sumedang_dataset, lokus, "rasio_merah", 2021, 2020)
