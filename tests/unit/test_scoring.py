"""Aksi 1 scoring pipeline on a tiny hand-built dataset where the ranking is computed by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.core.errors import InputError
from geo.core.messages import render_all
from geo.data.loading import load_dataset
from geo.data.model import CoverageSpec, Dataset
from geo.scoring.config import HOTSPOT_ID, PRESETS, ScoringConfig, ahp_config
from geo.scoring.explain import explain_village
from geo.scoring.pipeline import run_scoring
from geo.scoring.presets import preset_config, preset_usage
from geo.scoring.quadrant import quadrant
from geo.scoring.result import methodology, with_texts

# 6 desa in two kecamatan + 1 kelurahan without any row; 2021 and 2020 counts.
A, B, C = "32.11.01.2001", "32.11.01.2002", "32.11.01.2003"
D, E, F = "32.11.02.2001", "32.11.02.2002", "32.11.02.2003"
K = "32.11.01.1001"
CODES = [A, B, C, K, D, E, F]
KEC = {A: "32.11.01", B: "32.11.01", C: "32.11.01", K: "32.11.01",
       D: "32.11.02", E: "32.11.02", F: "32.11.02"}
#: 2021 (merah, hijau): rates A 10 %, B 20 %, C 15 %, D 5 %, E 50 % (n = 2), F 10 %
COUNTS_2021 = {A: (10, 90), B: (2, 8), C: (30, 170), D: (5, 95), E: (1, 1), F: (20, 180)}
COUNTS_2020 = {A: (4, 96), B: (2, 8), C: (20, 180), D: (10, 90), E: (0, 2), F: (10, 190)}
#: sp_mpasi (higher_better), D missing
MPASI = {A: 80.0, B: 60.0, C: 70.0, D: None, E: 40.0, F: 90.0, K: 75.0}


def _square(i: int) -> list:
    x0, y0 = 107.0 + 0.01 * i, -6.9
    return [[[x0, y0], [x0 + 0.01, y0], [x0 + 0.01, y0 + 0.01], [x0, y0 + 0.01], [x0, y0]]]


def write_boundaries(folder: Path) -> Path:
    features = [
        {"type": "Feature",
         "properties": {"kode": code, "nama": f"Desa {code[-4:]}", "kode_kec": KEC[code],
                        "nama_kec": "Satu" if KEC[code].endswith("01") else "Dua"},
         "geometry": {"type": "Polygon", "coordinates": _square(i)}}
        for i, code in enumerate(CODES)
    ]
    path = folder / "desa.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def write_table(folder: Path) -> Path:
    lines = ["kode,tahun,merah,hijau,ibu_hamil,ibu_hamil_kek"]
    for year, counts in ((2020, COUNTS_2020), (2021, COUNTS_2021)):
        for code, (red, green) in counts.items():
            lines.append(f"{code},{year},{red},{green},10,{1 if code != E else 3}")
    path = folder / "jumlah.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_coverage(folder: Path) -> Path:
    lines = ["kode,tahun,sp_mpasi"]
    for code, value in MPASI.items():
        lines.append(f"{code},2021,{'' if value is None else value}")
    path = folder / "cakupan.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_dataset(folder: Path, *, coverage: bool = True, synthetic: bool = False) -> Dataset:
    specs = (CoverageSpec(write_coverage(folder), synthetic=synthetic, title="uji"),) if coverage else ()
    return load_dataset(write_boundaries(folder), write_table(folder), dataset_id="uji", title="Uji",
                        coverage=specs)


@pytest.fixture()
def ds(tmp_path) -> Dataset:
    return make_dataset(tmp_path)


def cfg(**kw) -> ScoringConfig:
    base = {"year": 2021, "indicators": ("rasio_merah", "merah"),
            "weights": {"rasio_merah": 1, "merah": 1}, "smoothing": "none", "top_n": 3}
    base.update(kw)
    return ScoringConfig(**base)


def by_code(result) -> pd.DataFrame:
    """The result table by code, reasons and flags as Indonesian text."""
    return with_texts(result.table).set_index("kode")


def hand_saw() -> dict[str, float]:
    """SAW, min-max, equal weights, raw rates: computed independently of geo.scoring.mcda."""
    rate = {c: 100 * r / (r + g) for c, (r, g) in COUNTS_2021.items()}
    count = {c: float(r) for c, (r, _) in COUNTS_2021.items()}

    def mm(d: dict[str, float]) -> dict[str, float]:
        lo, hi = min(d.values()), max(d.values())
        return {c: (v - lo) / (hi - lo) for c, v in d.items()}

    r, n = mm(rate), mm(count)
    return {c: 0.5 * r[c] + 0.5 * n[c] for c in rate}


# --------------------------------------------------------------------------- ranking by hand
def test_saw_ranking_equals_hand_computation(ds):
    res = run_scoring(ds, cfg(), stability=False, hotspots=False)
    t = by_code(res)
    expected = hand_saw()
    for code, value in expected.items():
        assert t.loc[code, "skor"] == pytest.approx(value)
    order = sorted(expected, key=lambda c: -expected[c])
    assert order == [C, E, F, A, B, D]
    assert [t.loc[c, "peringkat"] for c in order] == [1, 2, 3, 4, 5, 6]
    # kelurahan without data: NaN score, ranked last, flagged, not recommended
    assert np.isnan(t.loc[K, "skor"]) and t.loc[K, "peringkat"] == 7
    assert "tanpa data" in t.loc[K, "flags"] and t.loc[K, "rekomendasi"] == "tidak"
    # table in boundary order, index 0..n-1
    assert res.table["kode"].tolist() == CODES and res.table.index.tolist() == list(range(7))
    # within-kecamatan rank: kec 02 = E(2), F(3), D(6)
    assert (t.loc[E, "peringkat_kec"], t.loc[F, "peringkat_kec"], t.loc[D, "peringkat_kec"]) == (1, 2, 3)
    assert t.loc[E, "rasio_merah__n"] == 2 and "n kecil (2 < 20)" in t.loc[E, "flags"]
    assert t.loc[A, "rasio_merah__ci_bawah"] < 10 < t.loc[A, "rasio_merah__ci_atas"]
    contrib = t[["rasio_merah__kontribusi", "merah__kontribusi"]].sum(axis=1)
    assert contrib[C] == pytest.approx(t.loc[C, "skor"])
    assert res.ranked()["kode"].tolist()[:3] == [C, E, F]


def test_smoothing_pulls_small_village_down(ds):
    raw = by_code(run_scoring(ds, cfg(), stability=False, hotspots=False))
    smooth = by_code(run_scoring(ds, cfg(smoothing="global"), stability=False, hotspots=False))
    pooled = 100 * sum(r for r, _ in COUNTS_2021.values()) / sum(r + g for r, g in COUNTS_2021.values())
    assert raw.loc[E, "rasio_merah"] == pytest.approx(50.0)
    assert pooled < smooth.loc[E, "rasio_merah"] < 50.0  # shrunk toward the kabupaten rate
    assert smooth.loc[E, "rasio_merah__mentah"] == pytest.approx(50.0)
    assert raw.loc[E, "peringkat"] == 2 and smooth.loc[E, "peringkat"] > 2
    # a big village barely moves
    assert abs(smooth.loc[C, "rasio_merah"] - 15.0) < abs(smooth.loc[E, "rasio_merah"] - 50.0)


def test_missing_policies_flag_the_right_villages(ds):
    base = {"indicators": ("rasio_merah", "sp_mpasi"), "weights": {"rasio_merah": 1, "sp_mpasi": 1}}
    ex = by_code(run_scoring(ds, cfg(**base, missing="exclude"), stability=False, hotspots=False))
    flagged = [c for c in CODES if "sp_mpasi" in ex.loc[c, "flags"]]
    assert flagged == [D] and "sp_mpasi kosong, dikecualikan dari skor" in ex.loc[D, "flags"]
    # exclude: D's score is its rasio_merah normalised value alone (weights renormalised)
    assert ex.loc[D, "skor"] == pytest.approx(ex.loc[D, "rasio_merah__norm"])
    # K has coverage but no counts (no outcome data): not ranked, flagged, its coverage still shown
    # (this asserted "scored on coverage alone" before issue 10: that recommended unmeasured villages)
    assert np.isnan(ex.loc[K, "skor"]) and ex.loc[K, "peringkat"] == 7
    assert "tanpa data hasil 2021" in ex.loc[K, "flags"] and ex.loc[K, "sp_mpasi"] == MPASI[K]

    med = by_code(run_scoring(ds, cfg(**base, missing="kecamatan_median"), stability=False, hotspots=False))
    assert med.loc[D, "sp_mpasi"] == pytest.approx(np.median([MPASI[E], MPASI[F]]))
    assert "sp_mpasi diisi median kecamatan" in med.loc[D, "flags"]
    worst = by_code(run_scoring(ds, cfg(**base, missing="worst"), stability=False, hotspots=False))
    assert worst.loc[D, "sp_mpasi"] == 40.0  # lowest coverage = worst for a higher_better indicator
    assert [c for c in CODES if "sp_mpasi diisi" in worst.loc[c, "flags"]] == [D]


def test_topsis_with_exclude_falls_back_to_kecamatan_median_and_says_so(ds):
    res = run_scoring(ds, cfg(indicators=("rasio_merah", "sp_mpasi"),
                              weights={"rasio_merah": 1, "sp_mpasi": 1}, method="topsis"),
                      stability=False, hotspots=False)
    t = by_code(res)
    assert "sp_mpasi diisi median kecamatan" in t.loc[D, "flags"]
    assert any("TOPSIS" in w for w in render_all(res.warnings))
    # K has no outcome: before issue 10 TOPSIS filled its rate with the median and scored it (7)
    assert t["skor"].notna().sum() == 6 and np.isnan(t.loc[K, "skor"])
    assert "rasio_merah diisi" not in t.loc[K, "flags"] and "tanpa data hasil 2021" in t.loc[K, "flags"]


def test_direction_from_catalogue_coverage_is_a_cost(ds):
    res = run_scoring(ds, cfg(indicators=("sp_mpasi",), weights={"sp_mpasi": 1}),
                      stability=False, hotspots=False)
    t = by_code(res)
    assert t.loc[E, "peringkat"] == 1  # lowest coverage (40 %) = highest priority
    assert t.loc[F, "sp_mpasi__norm"] == 0.0


# --------------------------------------------------------------------------- selection
def test_recommended_are_exactly_the_selected_under_constraints(ds):
    res = run_scoring(ds, cfg(top_n=3, max_per_kecamatan=1), stability=False, hotspots=False)
    t = by_code(res)
    chosen = set(t.index[t["rekomendasi"] == "ya"])
    assert chosen == set(res.selection.chosen) == {C, E}  # one per kecamatan; nothing else possible
    assert t.loc[F, "alasan"] == "kuota kecamatan penuh"
    assert any("Hanya 2 desa" in w for w in render_all(res.warnings))

    res = run_scoring(ds, cfg(top_n=3, max_per_kecamatan=2, force_out={C: "sudah lokus"},
                              force_in={D: "SK Bupati"}), stability=False, hotspots=False)
    t = by_code(res)
    assert set(t.index[t["rekomendasi"] == "ya"]) == set(res.selection.chosen) == {D, E, A}
    assert t.loc[D, "alasan"] == "dipaksa masuk: SK Bupati"
    assert t.loc[C, "alasan"] == "dikeluarkan: sudah lokus" and t.loc[C, "rekomendasi"] == "tidak"
    assert t.loc[E, "alasan"] == "peringkat 2"


def test_kelurahan_without_data_never_recommended_unless_forced(ds):
    res = run_scoring(ds, cfg(top_n=10), stability=True, hotspots=False)
    t = by_code(res)
    assert t.loc[K, "rekomendasi"] == "tidak" and t.loc[K, "p_top_n"] == 0.0
    assert (t["rekomendasi"] == "ya").sum() == 6
    forced = by_code(run_scoring(ds, cfg(top_n=2, force_in={K: "permintaan camat"}, draws=200),
                                 hotspots=False))
    assert forced.loc[K, "rekomendasi"] == "ya" and forced.loc[K, "p_top_n"] == 1.0
    assert set(forced.index[forced["rekomendasi"] == "ya"]) == {K, C}


def test_min_one_per_kecamatan(ds):
    res = run_scoring(ds, cfg(top_n=1, min_one_per_kecamatan=True), stability=False, hotspots=False)
    t = by_code(res)
    assert set(t.index[t["rekomendasi"] == "ya"]) == {C, E}
    assert t.loc[E, "alasan"] == "minimal satu per kecamatan"


def test_stability_probabilities(ds):
    res = run_scoring(ds, cfg(top_n=2, draws=300, force_out={C: "x"}), hotspots=False)
    t = by_code(res)
    assert t.loc[C, "p_top_n"] == 0.0
    assert ((t["p_top_n"] >= 0) & (t["p_top_n"] <= 1)).all()
    assert t["p_top_n"].sum() == pytest.approx(2.0)  # exactly N chosen in every draw
    assert set(t["stabilitas"]) <= {"inti", "bimbang", "jarang"}
    assert res.stability is not None and res.stability.draws == 300


# --------------------------------------------------------------------------- config
def test_config_json_round_trip_reproduces_the_ranking(ds):
    c = cfg(indicators=("rasio_merah", "merah", "sp_mpasi"),
            weights={"rasio_merah": 0.3, "merah": 0.3, "sp_mpasi": 0.7}, smoothing="kecamatan",
            top_n=2, force_in={F: "=alasan"}, draws=100, max_per_kecamatan=2)
    assert sum(c.weights.values()) == pytest.approx(1.0)
    again = ScoringConfig.from_dict(json.loads(json.dumps(c.to_dict())))
    assert again == c
    r1 = run_scoring(ds, c, hotspots=False)
    r2 = run_scoring(ds, again, hotspots=False)
    pd.testing.assert_frame_equal(r1.table, r2.table)


def test_config_validation():
    with pytest.raises(InputError, match="Bobot"):
        ScoringConfig(year=2021, indicators=("merah",), weights={"rasio_merah": 1})
    with pytest.raises(InputError):
        cfg(method="promethee")
    with pytest.raises(InputError):
        cfg(method="geomean", normalisation="zscore")
    with pytest.raises(InputError, match="sekaligus"):
        cfg(force_in={A: "x"}, force_out={A: "y"})
    with pytest.raises(InputError):
        ScoringConfig.from_dict({"year": 2021, "indicators": ["merah"], "weights": {"merah": 1}, "x": 1})


def test_run_scoring_rejects_bad_inputs(ds):
    with pytest.raises(InputError, match="konteks"):
        run_scoring(ds, cfg(indicators=("anak_diukur",), weights={"anak_diukur": 1}), stability=False)
    with pytest.raises(InputError, match="2019"):
        run_scoring(ds, cfg(year=2019), stability=False)
    with pytest.raises(InputError, match="tidak ada di data"):
        run_scoring(ds, cfg(force_in={"32.11.09.2001": "x"}), stability=False)
    with pytest.raises(InputError, match="2020"):  # no year before 2020
        run_scoring(ds, cfg(year=2020, indicators=("rasio_merah__delta",),
                            weights={"rasio_merah__delta": 1}), stability=False)


def test_delta_criterion_prioritises_worsening(ds):
    res = run_scoring(ds, cfg(indicators=("rasio_merah__delta",), weights={"rasio_merah__delta": 1}),
                      stability=False, hotspots=False)
    t = by_code(res)
    # raw change: A 10-4 = +6, B 0, C 15-10 = +5, D 5-10 = -5, E 50-0 = +50, F 10-5 = +5
    assert t.loc[A, "rasio_merah__delta"] == pytest.approx(6.0)
    assert t.loc[D, "rasio_merah__delta"] == pytest.approx(-5.0)
    assert res.ranked()["kode"].tolist()[:2] == [E, A]
    assert "sejak 2020" in res.indicators["rasio_merah__delta"].label_id


def test_ahp_needs_confirmation_when_inconsistent():
    c = cfg(indicators=("rasio_merah", "merah", "rasio_kek"),
            weights={"rasio_merah": 1, "merah": 1, "rasio_kek": 1})
    good, ahp = ahp_config(c, {("rasio_merah", "merah"): 3, ("rasio_merah", "rasio_kek"): 3,
                               ("merah", "rasio_kek"): 1})
    assert ahp.consistent and good.weights["rasio_merah"] > good.weights["merah"]
    bad = {("rasio_merah", "merah"): 9, ("merah", "rasio_kek"): 9, ("rasio_kek", "rasio_merah"): 9}
    with pytest.raises(InputError, match="CR"):
        ahp_config(c, bad)
    forced, ahp = ahp_config(c, bad, confirm=True)
    assert forced.ahp_cr == pytest.approx(ahp.cr) and ahp.cr > 0.1


def test_ahp_cr_is_a_warning_in_the_result(ds):
    res = run_scoring(ds, cfg(ahp_cr=0.25), stability=False, hotspots=False)
    assert any("CR" in w for w in render_all(res.warnings))


# --------------------------------------------------------------------------- hotspots, explain, quadrant
def test_hotspot_layer_and_criterion(ds):
    res = run_scoring(ds, cfg(hotspot_criterion=True,
                              weights={"rasio_merah": 1, "merah": 1, HOTSPOT_ID: 1}),
                      stability=False)
    t = res.table
    assert res.hotspot_indicator == "rasio_merah"
    assert set(t[HOTSPOT_ID].dropna()) <= {0.0, 1.0}
    assert (t[HOTSPOT_ID] == 1.0).sum() == t["lisa"].eq("Tinggi-Tinggi").sum()
    assert t.set_index("kode").loc[K, "lisa"] == "Tidak ada data"
    assert set(t["lisa"]) <= {"Tinggi-Tinggi", "Rendah-Rendah", "Tinggi-Rendah", "Rendah-Tinggi",
                              "Tidak signifikan", "Tanpa tetangga", "Tidak ada data"}
    # without a weight the hotspot criterion gets the mean of the others, and a note says so
    auto = cfg(hotspot_criterion=True, weights={"rasio_merah": 1, "merah": 3})
    assert auto.weights[HOTSPOT_ID] == pytest.approx(2 / 6) and any("hotspot" in n for n in auto.notes)
    assert ScoringConfig.from_dict(json.loads(json.dumps(auto.to_dict()))) == auto
    no_layer = run_scoring(ds, cfg(), stability=False, hotspots=False)
    assert (no_layer.table["lisa"] == "").all() and no_layer.hotspot_indicator is None


def test_explain_village_sentence_and_contributions(ds):
    res = run_scoring(ds, cfg(), stability=False, hotspots=False)
    ex = explain_village(res, C)
    assert (ex.rank, ex.rank_kec, ex.n_kec) == (1, 1, 4)
    assert ex.sentence.startswith("Desa Desa 2003 berada di peringkat 1 dari 7")
    assert "Kecamatan Satu" in ex.sentence
    assert sum(share for *_, share in ex.contributions) == pytest.approx(1.0)
    assert ex.contributions[0][0] == "merah"  # 30 children = the maximum count
    assert ex.recommended and ex.reason == "peringkat 1"
    none = explain_village(res, K)
    assert none.sentence.startswith("Kelurahan") and "tidak diberi skor" in none.sentence


def test_quadrant_gap_uses_targets(ds):
    res = run_scoring(ds, cfg(indicators=("rasio_merah", "sp_mpasi"),
                              weights={"rasio_merah": 1, "sp_mpasi": 1}), stability=False, hotspots=False)
    q = quadrant(res, ds)
    t = q.table.set_index("kode")
    assert q.outcome_id == "rasio_merah" and q.coverage_ids == ("sp_mpasi",)
    assert t.loc[E, "gap"] == pytest.approx(40.0)  # target 80 − 40
    assert t.loc[F, "gap"] == 0.0  # 90 ≥ 80
    assert np.isnan(t.loc[D, "gap"]) and t.loc[D, "kuadran"] == "tanpa data"
    assert q.y_cut == pytest.approx(np.nanmedian(t["gap"]))
    assert q.x_cut == pytest.approx(np.nanmedian(t["outcome"]))
    assert t.loc[E, "outcome"] == pytest.approx(50.0)  # smoothing off in cfg()
    assert t.loc[E, "kuadran"] == "hasil buruk, cakupan rendah"
    assert "(%)" in q.x_title and "poin %" in q.y_title
    no_cov = quadrant(run_scoring(ds, cfg(), stability=False, hotspots=False), ds)
    assert no_cov.table["gap"].isna().all()


# --------------------------------------------------------------------------- embedded data
@pytest.fixture(scope="module")
def sumedang(sumedang_dataset) -> Dataset:
    return sumedang_dataset


def test_presets_on_sumedang(sumedang):
    assert {"prevalensi_kasus", "perpres72_spesifik", "scorecard_desa"} <= set(PRESETS)
    c = preset_config(sumedang, "prevalensi_kasus")
    assert c.year == 2021 and c.indicators == ("rasio_merah", "merah")  # no prevalensi in this data
    assert c.weights == pytest.approx({"rasio_merah": 0.6, "merah": 0.4})
    spes = preset_config(sumedang, "perpres72_spesifik", 2020)
    assert spes.year == 2020 and "sp_mpasi" in spes.indicators and "sp_ttd_remaja" not in spes.indicators
    # the drop is carried by id (it was a free-text note the scoring tab never showed)
    assert spes.preset == "perpres72_spesifik" and spes.notes == ()
    assert ("sp_ttd_remaja",) in preset_usage(sumedang, "perpres72_spesifik", 2020).missing
    assert sum(spes.weights.values()) == pytest.approx(1.0)
    assert "rasio_merah__delta" not in preset_config(sumedang, "tren_memburuk", 2019).indicators


def test_sumedang_scorecard_run(sumedang):
    res = run_scoring(sumedang, preset_config(sumedang, "scorecard_desa", top_n=15, max_per_kecamatan=2,
                                              draws=200))
    t = res.table
    assert len(t) == 277 and (t["rekomendasi"] == "ya").sum() == 15
    assert t.loc[t["rekomendasi"] == "ya"].groupby("kode_kec").size().max() <= 2
    assert res.synthetic and any("SINTETIS" in w for w in render_all(res.warnings))
    meta = methodology(res, sumedang)
    assert meta["tahun_dinilai"] == 2021 and meta["cakupan"][0]["sintetis"] is True
    assert (t["lisa"] != "").all() and t["lisa"].eq("Tinggi-Tinggi").any()
