"""The village profile's numbers against hand computation: the tiny four-village dataset of
``tests/conftest_db.py`` (counts written out there) and the embedded Sumedang CSV read
independently with pandas."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo.core.errors import InputError
from geo.data.loading import load_dataset
from geo.scoring.config import ScoringConfig
from geo.scoring.pipeline import run_scoring
from geo.view.profile import pooled_value, village_profile
from tests.conftest import SUMEDANG_POSYANDU
from tests.conftest_db import A, B, C, D, make_tiny_dataset

Z = 1.959964


def wilson(k: float, n: float) -> tuple[float, float]:
    """The Wilson score interval written out from its textbook formula (percent)."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return 100 * max(centre - half, 0.0), 100 * min(centre + half, 1.0)


def row(profile, indicator_id):
    return next(r for r in profile.indicators if r.indicator.id == indicator_id)


# --------------------------------------------------------------------------- tiny dataset
def test_tiny_trend_counts_rates_wilson_and_kabupaten(tiny_dataset):
    profile = village_profile(tiny_dataset, A, 2021)
    assert (profile.name, profile.kecamatan, profile.kind) == ("Sukamaju", "Satu", "desa")
    assert profile.trend_indicator.id == "rasio_merah"
    by_year = {p.year: p for p in profile.trend}
    assert sorted(by_year) == [2020, 2021]
    # A: 20 red of 100 screened in 2020, 30 of 100 in 2021 (COUNTS in conftest_db)
    assert (by_year[2020].k, by_year[2020].n, by_year[2020].rate) == (20, 100, pytest.approx(20.0))
    assert (by_year[2021].k, by_year[2021].n, by_year[2021].rate) == (30, 100, pytest.approx(30.0))
    assert (by_year[2021].low, by_year[2021].high) == pytest.approx(wilson(30, 100))
    # kabupaten 32.11 pooled: 2021 (30+10+25+5)/400, 2020 (20+30+10+5)/400
    assert by_year[2021].kabupaten == pytest.approx(100 * 70 / 400)
    assert by_year[2020].kabupaten == pytest.approx(100 * 65 / 400)


def test_tiny_indicators_against_kecamatan_and_kabupaten(tiny_dataset):
    profile = village_profile(tiny_dataset, A, 2021)
    rate = row(profile, "rasio_merah")
    assert rate.value == pytest.approx(30.0) and (rate.numerator, rate.denominator) == (30, 100)
    assert rate.pooled and rate.kecamatan == pytest.approx(100 * (30 + 10) / 200)  # Satu: A, B
    assert rate.kabupaten == pytest.approx(17.5)
    count = row(profile, "merah")  # a count: the mean of the villages, not a pooled rate
    assert not count.pooled and count.kecamatan == pytest.approx((30 + 10) / 2)
    assert count.kabupaten == pytest.approx((30 + 10 + 25 + 5) / 4)
    coverage = row(profile, "sp_mpasi")  # D has an empty cell: left out of the mean, not zero
    assert coverage.value == 70.0 and coverage.kecamatan == pytest.approx(60.0)
    assert coverage.kabupaten == pytest.approx((70 + 50 + 85) / 3)
    assert not coverage.synthetic  # the tiny coverage table is not marked synthetic


def test_tiny_year_changes_the_table_not_the_trend(tiny_dataset):
    earlier = village_profile(tiny_dataset, C, 2020)
    assert row(earlier, "rasio_merah").value == pytest.approx(10.0)
    assert row(earlier, "rasio_merah").kecamatan == pytest.approx(100 * (10 + 5) / 200)
    assert [p.year for p in earlier.trend] == [2020, 2021]
    assert village_profile(tiny_dataset, C).year == 2021  # default: the latest year


def test_unknown_village_is_an_input_error(tiny_dataset):
    with pytest.raises(InputError):
        village_profile(tiny_dataset, "32.11.99.2999", 2021)


def tiny_config(**over) -> ScoringConfig:
    base = {"year": 2021, "indicators": ("rasio_merah",), "weights": {"rasio_merah": 1.0},
            "smoothing": "none", "top_n": 3, "max_per_kecamatan": 1, "draws": 200}
    return ScoringConfig(**{**base, **over})


def test_tiny_standing_rank_quota_and_lokus(tiny_dataset):
    # rates 2021: A 30, C 25, B 10, D 5; one per kecamatan: A (Satu) and C (Dua) chosen, B and D
    # passed over because their kecamatan is full
    result = run_scoring(tiny_dataset, tiny_config())
    a = village_profile(tiny_dataset, A, 2021, result).standing
    assert (a.rank, a.ranked, a.total, a.recommended, a.top_n) == (1, 4, 4, True, 3)
    assert a.why.render() == "Lokus: peringkat 1 (N = 3)."
    assert 0 <= a.p_top_n <= 1 and a.stability in ("inti", "bimbang", "jarang")
    b = village_profile(tiny_dataset, B, 2021, result).standing
    assert (b.rank, b.recommended) == (3, False)
    assert b.why.key == "profile.why.quota" and "peringkat 3 dari 4" in b.why.render()
    assert "rank 3 of 4" in b.why.render("en")


def test_tiny_standing_forced_out_and_outside_top_n(tiny_dataset):
    result = run_scoring(tiny_dataset, tiny_config(top_n=1, max_per_kecamatan=None,
                                                   force_out={A: "sudah ditangani program lain"}))
    a = village_profile(tiny_dataset, A, 2021, result).standing
    assert not a.recommended and "sudah ditangani program lain" in a.why.render()
    d = village_profile(tiny_dataset, D, 2021, result).standing
    assert d.why.render() == "Bukan lokus: peringkat 4 dari 4, di luar 1 teratas (N = 1)."


def test_tiny_small_n_flag_uses_the_configured_minimum(tiny_dataset):
    result = run_scoring(tiny_dataset, tiny_config(min_n=150))
    flags = [m.render() for m in village_profile(tiny_dataset, A, 2021, result).flags]
    assert any("100 anak diukur (< 150)" in f for f in flags)
    assert not any("n kecil" in m.render() for m in village_profile(tiny_dataset, A, 2021).flags)


def test_duplicate_rows_of_the_village_are_flagged(tmp_path):
    base = make_tiny_dataset(tmp_path / "mini")
    table = tmp_path / "mini" / "jumlah.csv"
    with table.open("a", encoding="utf-8") as fh:  # A again in 2021 with other counts: a conflict
        fh.write(f"{A},2021,1,1\n")
    dataset = load_dataset(tmp_path / "mini" / "desa.geojson", table, dataset_id="dup", title="Dup")
    flags = [m.render() for m in village_profile(dataset, A, 2021).flags]
    assert any("jumlah.csv" in f and "kode desa ini" in f for f in flags), flags
    assert not any("kode desa ini" in m.render() for m in village_profile(dataset, B, 2021).flags)
    assert base.codes.size == 4


def test_village_with_children_measured_has_no_no_data_flag(tiny_dataset):
    profile = village_profile(tiny_dataset, D, 2021)
    assert not any(m.key == "profile.flag.no_data" for m in profile.flags)


def test_pooled_value_skips_invalid_rates(tiny_dataset):
    values = tiny_dataset.values("rasio_merah", 2021)
    members = np.array([True, True, True, True])
    assert pooled_value(values, members) == (pytest.approx(17.5), True)
    assert math.isnan(pooled_value(values, np.zeros(4, bool))[0])


# --------------------------------------------------------------------------- Sumedang
@pytest.fixture(scope="module")
def csv_2021(sumedang_dataset):
    """Screened children 2021 per village straight from the CSV (a missing colour = 0 when
    another colour of the row is present), only the villages on the map."""
    table = pd.read_csv(SUMEDANG_POSYANDU, dtype={"kode": str})
    table = table[(table["tahun"] == 2021) & table["kode"].isin(set(sumedang_dataset.codes))]
    colours = table[["anak_0_23_merah_terindikasi_stunting", "anak_0_23_kuning_risiko_stunting",
                     "anak_0_23_hijau_normal"]]
    out = pd.DataFrame({"kode": table["kode"],
                        "merah": table["anak_0_23_merah_terindikasi_stunting"].fillna(0),
                        "n": colours.fillna(0).sum(axis=1)})
    return out[colours.notna().any(axis=1) & (out["n"] > 0)]


def test_sumedang_cimungkal_against_the_csv(sumedang_dataset, csv_2021):
    code = "32.11.01.2001"  # Cimungkal, Kecamatan Wado
    profile = village_profile(sumedang_dataset, code, 2021)
    assert (profile.name, profile.kecamatan) == ("Cimungkal", "Wado")
    own = csv_2021.set_index("kode").loc[code]
    rate = row(profile, "rasio_merah")
    assert (rate.numerator, rate.denominator) == (own["merah"], own["n"])
    wado = csv_2021[csv_2021["kode"].str.startswith("32.11.01.")]
    assert rate.kecamatan == pytest.approx(100 * wado["merah"].sum() / wado["n"].sum())
    assert rate.kabupaten == pytest.approx(100 * csv_2021["merah"].sum() / csv_2021["n"].sum())
    assert [p.year for p in profile.trend] == [2019, 2020, 2021]
    point = profile.trend[-1]
    assert (point.low, point.high) == pytest.approx(wilson(own["merah"], own["n"]))
    # coverage in the embedded data is synthetic: said in the rows and in the flags
    assert any(r.synthetic for r in profile.indicators)
    assert any(m.key == "profile.flag.synthetic" for m in profile.flags)


def test_sumedang_standing_matches_the_ranking(sumedang_dataset, sumedang_result):
    ranked = sumedang_result.ranked()
    scored = int(ranked["skor"].notna().sum())
    chosen = ranked.loc[ranked["rekomendasi"] == "ya", "kode"].tolist()
    outside = ranked.loc[(ranked["rekomendasi"] != "ya") & ranked["skor"].notna(), "kode"].iloc[0]
    inside = village_profile(sumedang_dataset, chosen[0], 2021, sumedang_result).standing
    assert inside.recommended and inside.rank == 1 and inside.ranked == scored
    out = village_profile(sumedang_dataset, outside, 2021, sumedang_result).standing
    expected_rank = int(ranked.set_index("kode").loc[outside, "peringkat"])
    assert out.rank == expected_rank and not out.recommended
    assert f"peringkat {expected_rank} dari {scored}" in out.why.render()
    p = float(ranked.set_index("kode").loc[outside, "p_top_n"])
    assert out.p_top_n == pytest.approx(p)


def test_sumedang_village_without_data_is_not_ranked(sumedang_dataset, sumedang_result):
    table = sumedang_result.table
    code = table.loc[table["skor"].isna() & (table["rekomendasi"] != "ya"), "kode"].iloc[0]
    profile = village_profile(sumedang_dataset, code, 2021, sumedang_result)
    assert profile.standing.rank is None
    assert profile.standing.why.key == "profile.why.not_scored"
    assert any(m.key == "profile.flag.no_data" for m in profile.flags)
