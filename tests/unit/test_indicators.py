import numpy as np
import pandas as pd
import pytest

from geo.core.indicators import available_indicators, catalogue, compute, derive_fields


def measures() -> pd.DataFrame:
    return pd.DataFrame({
        "kode": ["32.11.01.2001", "32.11.01.2002", "32.11.01.2003", "32.11.01.2001"],
        "tahun": [2021, 2021, 2021, 2020],
        "merah": [5.0, 0.0, np.nan, 1.0],
        "kuning": [np.nan, np.nan, np.nan, 3.0],
        "hijau": [45.0, 0.0, np.nan, 16.0],
        "ibu_hamil": [10.0, 4.0, 0.0, 8.0],
        "ibu_hamil_kek": [2.0, 5.0, 0.0, 1.0],
    })


def test_catalogue_directions_and_units_are_consistent():
    cat = catalogue()
    assert cat["prevalensi"].direction == "higher_worse"
    assert cat["prevalensi"].is_rate and cat["prevalensi"].denominator == "anak_diukur"
    assert cat["anak_diukur"].direction == "context"
    for ind in cat.values():
        assert ind.direction in {"higher_worse", "higher_better", "context"}
        assert ind.kind in {"count", "rate", "coverage", "percent"}
        assert (ind.denominator is not None) == ind.is_rate
        assert ind.label_id and ind.label_en


def test_derive_children_counted_from_growth_mat_colours():
    out = derive_fields(measures())
    # missing yellow counts as zero when other colours are present, but an all-missing row stays NaN
    assert out["anak_diukur"].tolist()[:2] == [50.0, 0.0]
    assert np.isnan(out["anak_diukur"].iloc[2])
    assert out["anak_diukur"].iloc[3] == 20.0
    assert "anak_diukur" not in measures()  # input untouched


def test_derive_stunting_from_short_and_severely_short():
    df = pd.DataFrame({"kode": ["a"], "tahun": [2024], "pendek": [3.0], "sangat_pendek": [2.0]})
    assert derive_fields(df)["stunting"].iloc[0] == 5.0


def test_rate_is_percent_aligned_to_codes_with_nan_for_no_data():
    df = derive_fields(measures())
    codes = pd.Index(["32.11.01.2003", "32.11.01.2001", "32.11.01.2002", "32.11.01.1001"])
    v = compute(catalogue()["rasio_merah"], df, codes, 2021)
    assert v.value[1] == pytest.approx(10.0)  # 5 / 50
    assert np.isnan(v.value[0])  # no colours at all
    assert np.isnan(v.value[2])  # zero children counted is not a 0 % rate
    assert np.isnan(v.value[3])  # kelurahan without a row
    assert v.denominator[1] == 50.0 and v.numerator[1] == 5.0


def test_numerator_above_denominator_is_no_data():
    v = compute(catalogue()["rasio_kek"], measures(), pd.Index(["32.11.01.2001", "32.11.01.2002"]), 2021)
    assert v.value[0] == pytest.approx(20.0)
    assert np.isnan(v.value[1])  # 5 KEK of 4 pregnant women


def test_counts_keep_zero_and_year_matters():
    codes = pd.Index(["32.11.01.2001", "32.11.01.2002"])
    v21 = compute(catalogue()["merah"], measures(), codes, 2021)
    v20 = compute(catalogue()["merah"], measures(), codes, 2020)
    assert v21.value.tolist() == [5.0, 0.0]
    assert v20.value[0] == 1.0 and np.isnan(v20.value[1])


def test_available_indicators_follow_fields():
    ids = [i.id for i in available_indicators(frozenset({"merah", "anak_diukur"}))]
    assert ids == ["anak_diukur", "merah", "rasio_merah"]
