"""The two stunting numbers (geo/scoring/survey.py), checked against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from geo.core.errors import InputError
from geo.scoring.survey import SurveyEstimate, reconcile, reconcile_dataset

SSGI = SurveyEstimate(prevalence=20.0, low=16.0, high=25.0, year=2022, source="SSGI")
CODES = ["32.11.01.2001", "32.11.01.2002", "32.11.01.2003", "32.11.01.2004"]


def four_villages(**kw):
    # v1 measured 40 of 100 under-fives; v2 population unknown; v3 measured nobody; v4 small
    return reconcile(SSGI, CODES, [2, 5, np.nan, 1], [40, 50, np.nan, 10], [100, np.nan, 60, 12], **kw)


def test_hand_computed_expected_children_gaps_and_flag():
    res = four_villages()
    t = res.table
    assert t["dasar"].tolist() == ["balita", "diukur", "balita", "balita"]
    assert t["harapan"].tolist() == pytest.approx([20.0, 10.0, 12.0, 2.4])
    assert t["harapan_bawah"].tolist() == pytest.approx([16.0, 8.0, 9.6, 1.92])
    assert t["harapan_atas"].tolist() == pytest.approx([25.0, 12.5, 15.0, 3.0])
    assert t["selisih"].tolist() == pytest.approx([18.0, 5.0, 12.0, 1.4])
    # 80th percentile of (1.4, 5, 12, 18) = 12 + 0.4 × 6 = 14.4: only v1 (18 ≥ 14.4, ≥ 5, 16 > 2)
    assert t["belum_terukur"].tolist() == [True, False, False, False]
    assert t["catatan"][0].key == "analytics.survey.flag" and t["catatan"][1] is None
    assert t["cakupan_pengukuran"].tolist()[0] == pytest.approx(40.0)
    assert np.isnan(t["cakupan_pengukuran"][1]) and t["cakupan_pengukuran"][2] == 0.0
    assert res.criterion().tolist() == pytest.approx([18.0, 5.0, 12.0, 1.4])


def test_lower_quantile_flags_the_unmeasured_village_too():
    res = four_villages(quantile=0.5)  # median of the gaps = 8.5: v1 and v3 (12; 9.6 > 0 found)
    assert res.table["belum_terukur"].tolist() == [True, False, True, False]
    res = four_villages(quantile=0.0, min_gap=5.0)  # v2: gap 5 ≥ 5 and 8 > 5 found
    assert res.table["belum_terukur"].tolist() == [True, True, True, False]


def test_kabupaten_numbers_against_scipy_wilson():
    k = four_villages().kabupaten
    ci = binomtest(8, 100).proportion_ci(confidence_level=0.95, method="wilson")
    assert k.register == pytest.approx(8.0)
    assert k.register_low == pytest.approx(100 * ci.low, abs=1e-4)
    assert k.register_high == pytest.approx(100 * ci.high, abs=1e-4)
    assert k.population == 172 and k.coverage == pytest.approx(100 * 50 / 172)  # v1 + v3 + v4
    assert k.ratio == pytest.approx(2.5)
    assert k.expected == pytest.approx(44.4) and k.gap == pytest.approx(36.4) and k.flagged == 1
    text = k.message().render("en")
    assert "SSGI 2022" in text and "20.0%" in text and "8.0%" in text and "29.1%" in text
    assert "kemungkinan" in k.message().render("id")


def test_eb_adjustment_hand_computed():
    """k = (2, 8), n = (20, 20): B = .25, s² = .0225, A = .0225 − .25/20 = .01,
    w = .01 / (.01 + .25/20) = 4/9; θ = (.18333, .31667); ρ = θ / B = (.73333, 1.26667)."""
    res = reconcile(SSGI, CODES[:2], [2, 8], [20, 20], adjust=True)
    assert res.table["rasio_relatif"].tolist() == pytest.approx([0.733333, 1.266667], abs=1e-5)
    expected = [20 * 0.2 * 0.733333, 20 * 0.2 * 1.266667]
    assert res.table["harapan"].tolist() == pytest.approx(expected, abs=1e-4)
    plain = reconcile(SSGI, CODES[:2], [2, 8], [20, 20])
    assert plain.table["rasio_relatif"].tolist() == [1.0, 1.0] and plain.kabupaten.coverage is None


def test_bad_estimates_and_counts_are_input_errors():
    for args in ((20.0, 25.0, 30.0), (20.0, 10.0, 101.0), (float("nan"), 1.0, 2.0)):
        with pytest.raises(InputError) as e:
            SurveyEstimate(*args, year=2022)
        assert e.value.key == "analytics.survey.error.estimate"
    with pytest.raises(InputError):
        SurveyEstimate(20.0, 15.0, 25.0, year=3000)
    with pytest.raises(InputError) as e:
        reconcile(SSGI, CODES[:1], [5], [3])
    assert e.value.key == "analytics.survey.error.counts"


def test_on_the_sumedang_register(sumedang_dataset):
    res = reconcile_dataset(sumedang_dataset, 2021, SSGI)
    assert len(res.table) == len(sumedang_dataset.codes)
    k = res.kabupaten
    assert 0 < k.register < 100 and k.ratio is not None and res.table["belum_terukur"].sum() >= 1
    flagged = res.table[res.table["belum_terukur"]]
    assert (flagged["selisih"] >= 5).all() and (flagged["harapan_bawah"] > flagged["anak_stunting"]).all()
