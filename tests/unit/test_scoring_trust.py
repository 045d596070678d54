"""Issue 10, scoring side: numbers a Bupati can sign.

Each test builds its own small dataset and checks the engine against hand computation
or an independent implementation (esda for empirical Bayes, pymcdm for TOPSIS):
outcome data is never imputed into a recommendation, EB shrinks toward each
kabupaten's own mean, presets say what they could not use, years defined differently
are not compared, measurement coverage / reported prevalence / measurement quality are
flagged, and absurd numbers are a named InputError.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from esda.smoothing import Empirical_Bayes
from pymcdm.methods import TOPSIS
from pymcdm.normalizations import vector_normalization

from geo.cli.main import main
from geo.core.errors import InputError
from geo.core.indicators import catalogue, compute, definition_gap, definition_gaps_by_year
from geo.core.messages import render_all
from geo.core.rates import eb_smooth
from geo.data.loading import load_dataset, load_folder
from geo.data.model import CoverageSpec, Dataset
from geo.export.common import export_context
from geo.export.content import methodology_rows
from geo.scoring.config import PRESETS, ScoringConfig
from geo.scoring.pipeline import run_scoring
from geo.scoring.presets import preset_config
from geo.scoring.result import flags_text, methodology, with_texts
from geo.scoring.stability import rank_stability

# --------------------------------------------------------------------------- a small kabupaten
A, B, C, K = "32.11.01.2001", "32.11.01.2002", "32.11.01.2003", "32.11.01.1001"
D, E, F, G = "32.11.02.2001", "32.11.02.2002", "32.11.02.2003", "32.11.02.2004"
CODES = [A, B, C, K, D, E, F, G]
#: 2021 (merah, hijau, ibu_hamil, ibu_hamil_kek); kuning blank in every 2021 row. G has no colours
#: (no child screened) but pregnant women; K (kelurahan) has no row at all.
Y2021 = {A: (10, 90, 10, 1), B: (4, 16, 10, 2), C: (30, 170, 20, 2), D: (5, 95, 10, 1),
         E: (12, 28, 10, 4), F: (20, 180, 10, 1), G: (None, None, 10, 3)}
#: 2020 (merah, kuning, hijau)
Y2020 = {A: (4, 6, 90), B: (2, 2, 6), C: (20, 30, 150), D: (10, 10, 80), E: (0, 5, 2), F: (10, 20, 170)}
#: sp_mpasi 2021 (higher better), D blank
MPASI = {A: 80.0, B: 60.0, C: 70.0, D: None, E: 40.0, F: 90.0, K: 75.0, G: 50.0}


def kec_of(code: str) -> str:
    return code.rsplit(".", 1)[0]


def write_boundaries(folder: Path, codes: list[str]) -> Path:
    features = []
    for i, code in enumerate(codes):
        x0, y0 = 107.0 + 0.01 * i, -6.9
        ring = [[x0, y0], [x0 + 0.01, y0], [x0 + 0.01, y0 + 0.01], [x0, y0 + 0.01], [x0, y0]]
        features.append({"type": "Feature",
                         "properties": {"kode": code, "nama": f"Desa {code[-7:]}", "kode_kec": kec_of(code),
                                        "nama_kec": f"Kec {kec_of(code)}"},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    path = folder / "desa.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def write_table(folder: Path) -> Path:
    lines = ["kode,tahun,merah,kuning,hijau,ibu_hamil,ibu_hamil_kek"]
    for code, (red, yellow, green) in Y2020.items():
        lines.append(f"{code},2020,{red},{yellow},{green},10,1")
    for code, (red, green, preg, kek) in Y2021.items():
        red_s, green_s = ("" if v is None else str(v) for v in (red, green))
        lines.append(f"{code},2021,{red_s},,{green_s},{preg},{kek}")
    path = folder / "jumlah.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_coverage(folder: Path) -> Path:
    lines = ["kode,tahun,sp_mpasi"] + [f"{c},2021,{'' if v is None else v}" for c, v in MPASI.items()]
    path = folder / "cakupan.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def ds(tmp_path) -> Dataset:
    return load_dataset(write_boundaries(tmp_path, CODES), write_table(tmp_path), dataset_id="uji",
                        title="Uji", coverage=(CoverageSpec(write_coverage(tmp_path), title="uji"),))


@pytest.fixture()
def ds_plain(tmp_path) -> Dataset:
    """The same villages and counts without any coverage table."""
    return load_dataset(write_boundaries(tmp_path, CODES), write_table(tmp_path), dataset_id="uji",
                        title="Uji")


def cfg(**kw) -> ScoringConfig:
    base = {"year": 2021, "indicators": ("rasio_merah", "rasio_kek", "sp_mpasi"),
            "weights": {"rasio_merah": 1, "rasio_kek": 1, "sp_mpasi": 1}, "smoothing": "none",
            "top_n": 10, "draws": 50}
    base.update(kw)
    return ScoringConfig(**base)


def by_code(result) -> pd.DataFrame:
    """The result table by code, reasons and flags as Indonesian text."""
    return with_texts(result.table).set_index("kode")


def rate(k: float, n: float) -> float:
    return 100.0 * k / n


def minmax(values: dict[str, float], worse_high: bool) -> dict[str, float]:
    lo, hi = min(values.values()), max(values.values())
    return {c: ((v - lo) if worse_high else (hi - v)) / (hi - lo) for c, v in values.items()}


# --------------------------------------------------------------------------- 1. outcome never imputed
def test_median_policy_never_fills_an_outcome_and_never_ranks_a_village_without_outcome(ds):
    res = run_scoring(ds, cfg(missing="kecamatan_median"), stability=False, hotspots=False)
    t = by_code(res)
    # K: coverage only, no child measured in 2021 → not ranked, not recommended (10 places for 7 villages)
    assert np.isnan(t.loc[K, "skor"]) and t.loc[K, "peringkat"] == 8
    assert t.loc[K, "rekomendasi"] == "tidak" and t.loc[K, "alasan"] == "tanpa data hasil 2021"
    assert "tanpa data hasil 2021" in t.loc[K, "flags"] and t.loc[K, "sp_mpasi"] == 75.0
    assert set(t.index[t["rekomendasi"] == "ya"]) == {A, B, C, D, E, F, G}
    # G screened no child: its rasio_merah stays empty (never the kecamatan median) …
    assert np.isnan(t.loc[G, "rasio_merah"])
    assert "rasio_merah kosong, data hasil tidak diisi (dikecualikan dari skor)" in t.loc[G, "flags"]
    assert "rasio_merah diisi" not in " ".join(t["flags"])
    # … while a coverage gap is filled (median of E, F, G in kecamatan 02) and flagged
    assert t.loc[D, "sp_mpasi"] == pytest.approx(np.median([40.0, 90.0, 50.0]))
    assert "sp_mpasi diisi median kecamatan" in t.loc[D, "flags"]
    # G's score by hand: SAW over the two criteria it has (weights renormalised)
    ranked = [A, B, C, D, E, F, G]
    kek = minmax({c: rate(Y2021[c][3], Y2021[c][2]) for c in ranked}, True)
    cov = minmax({c: (MPASI[c] if MPASI[c] is not None else 50.0) for c in ranked}, False)
    assert t.loc[G, "skor"] == pytest.approx((kek[G] + cov[G]) / 2)
    assert any("sel data hasil yang kosong tidak diisi" in w for w in render_all(res.warnings))
    assert any(w.startswith("1 desa/kelurahan tanpa data hasil (rasio_merah, rasio_kek)")
               for w in render_all(res.warnings))
    # forced in with a reason, K is recommended, and says why
    forced = by_code(run_scoring(ds, cfg(top_n=2, force_in={K: "SK Bupati 2026"}), stability=False,
                                 hotspots=False))
    assert forced.loc[K, "rekomendasi"] == "ya" and forced.loc[K, "alasan"] == "dipaksa masuk: SK Bupati 2026"


def test_worst_policy_does_not_fill_outcome_either(ds):
    t = by_code(run_scoring(ds, cfg(missing="worst"), stability=False, hotspots=False))
    assert np.isnan(t.loc[G, "rasio_merah"]) and np.isnan(t.loc[K, "skor"])
    assert t.loc[D, "sp_mpasi"] == 40.0  # the lowest coverage of the ranked villages
    assert "sp_mpasi diisi nilai terburuk" in t.loc[D, "flags"]


def test_topsis_leaves_villages_missing_an_outcome_out_and_fills_coverage_only(ds):
    res = run_scoring(ds, cfg(method="topsis", missing="exclude"), hotspots=False, stability=False)
    t = by_code(res)
    for code in (G, K):
        assert np.isnan(t.loc[code, "skor"]) and t.loc[code, "rekomendasi"] == "tidak"
    assert t.loc[G, "alasan"] == "tidak diperingkat: data hasil tidak lengkap untuk TOPSIS"
    assert "rasio_merah kosong: TOPSIS memerlukan data lengkap" in t.loc[G, "flags"]
    ranked = [A, B, C, D, E, F]
    assert t.loc[D, "sp_mpasi"] == pytest.approx(65.0)  # median of E, F (G is not ranked)
    # independent reference: pymcdm TOPSIS on the ranked villages
    X = np.array([[rate(Y2021[c][0], Y2021[c][0] + Y2021[c][1]), rate(Y2021[c][3], Y2021[c][2]),
                   MPASI[c] if MPASI[c] is not None else 65.0] for c in ranked])
    with warnings.catch_warnings():  # pymcdm warns that E dominates: true, and harmless here
        warnings.simplefilter("ignore")
        ref = TOPSIS(normalization_function=vector_normalization)(X, np.full(3, 1 / 3), np.array([1, 1, -1]))
    np.testing.assert_allclose(t.loc[ranked, "skor"].to_numpy(), ref, atol=1e-9)
    assert any(w.startswith("TOPSIS: 1 desa tanpa nilai lengkap") for w in render_all(res.warnings))
    assert any("nilai cakupan yang kosong diisi median kecamatan" in w for w in render_all(res.warnings))
    english = render_all(res.warnings, "en")
    assert any(w.startswith("TOPSIS: 1 villages without complete outcome data") for w in english)
    # stability runs on the ranked villages and a forced-in village without a complete outcome
    st = by_code(run_scoring(ds, cfg(method="topsis", top_n=2, force_in={G: "rembuk"}), hotspots=False))
    assert st.loc[G, "rekomendasi"] == "ya" and st.loc[G, "p_top_n"] == 1.0


# --------------------------------------------------------------------------- 2. EB per kabupaten
#: two kabupaten, rates far apart: (merah, hijau) per village
TWO_KAB = {"32.11.01.2001": (2, 48), "32.11.01.2002": (20, 80), "32.11.01.2003": (30, 70),
           "32.11.02.2001": (5, 15), "32.11.02.2002": (40, 60), "32.11.02.2003": (1, 9),
           "32.12.01.2001": (1, 99), "32.12.01.2002": (10, 90), "32.12.01.2003": (3, 27),
           "32.12.02.2001": (0, 40), "32.12.02.2002": (6, 19)}


def marshall(k: list[float], n: list[float]) -> list[float]:
    """Marshall (1991) global EB, written out loop by loop, A truncated at 0."""
    b = sum(k) / sum(n)
    s2 = sum(ni * (ki / ni - b) ** 2 for ki, ni in zip(k, n, strict=True)) / sum(n)
    a = max(s2 - b / (sum(n) / len(n)), 0.0)
    out = []
    for ki, ni in zip(k, n, strict=True):
        w = a / (a + b / ni)
        out.append(100 * (w * ki / ni + (1 - w) * b))
    return out


@pytest.fixture()
def two_kab(tmp_path) -> Dataset:
    codes = list(TWO_KAB)
    lines = ["kode,tahun,merah,hijau"] + [f"{c},2021,{r},{g}" for c, (r, g) in TWO_KAB.items()]
    table = tmp_path / "dua.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_dataset(write_boundaries(tmp_path, codes), table, dataset_id="dua", title="Dua kabupaten")


def test_eb_global_shrinks_toward_each_kabupatens_own_mean(two_kab):
    c = ScoringConfig(year=2021, indicators=("rasio_merah",), weights={"rasio_merah": 1}, smoothing="global",
                      top_n=3, draws=20)
    t = by_code(run_scoring(two_kab, c, stability=False, hotspots=False))
    everyone = marshall([r for r, _ in TWO_KAB.values()], [r + g for r, g in TWO_KAB.values()])
    for kab in ("32.11", "32.12"):
        codes = [c for c in TWO_KAB if c.startswith(kab)]
        k = np.array([TWO_KAB[c][0] for c in codes], float)
        n = np.array([sum(TWO_KAB[c]) for c in codes], float)
        expected = marshall(list(k), list(n))
        np.testing.assert_allclose(t.loc[codes, "rasio_merah"], expected, atol=1e-9)
        # esda agrees where the between-village variance is positive (no truncation)
        np.testing.assert_allclose(t.loc[codes, "rasio_merah"], 100 * Empirical_Bayes(k, n).r.ravel(),
                                   atol=1e-9)
    # the pooled (whole-dataset) prior — the old behaviour — gives clearly different rates
    gap = np.abs(t.loc[list(TWO_KAB), "rasio_merah"].to_numpy() - np.array(everyone))
    assert gap.max() > 1.0


def test_eb_kecamatan_per_kecamatan_and_empty_kecamatan_borrows_its_kabupaten():
    # kecamatan smoothing in the pipeline equals the estimator per kecamatan
    k = np.array([2, 20, 30, 5, 40, 1], float)
    n = np.array([50, 100, 100, 20, 100, 10], float)
    kec = np.array(["a", "a", "a", "b", "b", "b"])
    res = eb_smooth(k, n, kec, np.array(["K1"] * 6))
    for g in ("a", "b"):
        np.testing.assert_allclose(100 * res.rate[kec == g], marshall(list(k[kec == g]), list(n[kec == g])),
                                   atol=1e-9)
    # kecamatan "c" (kabupaten K1) measured nobody: it takes K1's prior, not the pooled one with K2
    k2 = np.array([2, 20, 30, 0, 90, 80], float)
    n2 = np.array([50, 100, 100, 0, 100, 100], float)
    groups = np.array(["a", "a", "a", "c", "d", "d"])
    parents = np.array(["K1", "K1", "K1", "K1", "K2", "K2"])
    out = eb_smooth(k2, n2, groups, parents)
    assert out.no_data[3] and out.prior[3] == pytest.approx(52 / 250)  # K1: (2+20+30)/(50+100+100)
    assert out.prior[3] != pytest.approx(k2.sum() / n2.sum())


def test_stability_resamples_with_the_kabupaten_prior(two_kab):
    from geo.scoring.mcda import Criterion
    from geo.scoring.stability import RateSpec

    codes = pd.Index(list(TWO_KAB))
    k = pd.Series([r for r, _ in TWO_KAB.values()], index=codes, dtype=float)
    n = pd.Series([r + g for r, g in TWO_KAB.values()], index=codes, dtype=float)
    kab = pd.Series([c[:5] for c in codes], index=codes)
    base = pd.DataFrame({"r": 100 * eb_smooth(k.to_numpy(), n.to_numpy(), kab.to_numpy()).rate}, index=codes)
    crit = [Criterion("r", "higher_worse", 1.0)]
    kec = pd.Series([c[:8] for c in codes], index=codes)
    spec = RateSpec(k, n, smooth="global", groups=kab)
    st = rank_stability(base, crit, kec, 3, rates={"r": spec}, weight_cv=0.0, draws=400, seed=5)
    pooled = rank_stability(base, crit, kec, 3, rates={"r": RateSpec(k, n, smooth="global")},
                            weight_cv=0.0, draws=400, seed=5)
    assert st.table["p_top_n"].sum() == pytest.approx(3.0)
    assert not np.allclose(st.table["rank_median"], pooled.table["rank_median"])


# --------------------------------------------------------------------------- 3. presets
def test_preset_without_its_indicators_names_them_and_its_weights(ds_plain):
    c = preset_config(ds_plain, "perpres72_spesifik", 2021, draws=20)
    assert c.indicators == ("rasio_merah", "rasio_kek") and c.preset == "perpres72_spesifik"
    assert c.weights == pytest.approx({"rasio_merah": 0.28 / 0.37, "rasio_kek": 0.09 / 0.37})
    res = run_scoring(ds_plain, c, stability=False, hotspots=False)
    missing = ("sp_pmt_bumil_kek", "sp_ttd_bumil", "sp_ttd_remaja", "sp_asi_eksklusif", "sp_mpasi",
               "sp_tatalaksana_gizi_buruk", "sp_pantau_tumbuh", "sp_pmt_balita_gizi_kurang", "sp_imunisasi")
    assert res.preset is not None and res.preset.missing_ids == missing
    assert res.preset.used == ("rasio_merah", "rasio_kek") and res.preset.total == 11
    text = next(w for w in render_all(res.warnings)
                if w.startswith("Preset 'Perpres 72/2021 intervensi spesifik'"))
    assert "9 dari 11 indikator" in text and ", ".join(missing) in text
    assert "rasio_merah 76%, rasio_kek 24%" in text  # 0.28/0.37 = 75.7 %, 0.09/0.37 = 24.3 %
    english = render_all(res.warnings, "en")
    assert any(w.startswith("Preset 'Perpres 72/2021 specific interventions': 9 of 11 indicators")
               for w in english)
    # two indicators left: no alarm
    assert not any(w.startswith("PERHATIAN") for w in render_all(res.warnings))


def test_preset_with_one_indicator_left_says_so_loudly_everywhere(ds_plain, tmp_path, capsys):
    c = preset_config(ds_plain, "scorecard_desa", 2021, draws=20)
    assert c.indicators == ("rasio_merah",) and c.weights == {"rasio_merah": 1.0}
    res = run_scoring(ds_plain, c, stability=False, hotspots=False)
    assert len(res.preset.missing) == 15 and "sc_kelas_pengasuhan" in res.preset.missing_ids
    assert any(w.startswith("PERHATIAN: preset 'Scorecard konvergensi desa' hanya memakai 1 dari 16")
               for w in render_all(res.warnings))
    assert any(w.startswith("WARNING: preset 'Village convergence scorecard' uses only 1 of its 16")
               for w in render_all(res.warnings, "en"))
    # the methodology sheet lists each missing indicator by label and id, and the effective weights
    rows = methodology_rows(export_context(res, ds_plain), "id")
    missing_rows = [r for r in rows if r[0] == "Preset" and r[1] == "Indikator preset tidak dipakai"]
    assert len(missing_rows) == 15
    assert ("Preset", "Indikator preset tidak dipakai",
            "Ibu hamil periksa kehamilan ≥ 4 kali [sc_anc4]", "tidak ada di data tahun 2021") in rows
    weights = next(r for r in rows if r[1] == "Bobot efektif (dinormalkan ulang)")
    assert weights[2] == "rasio_merah 100%"
    assert any(r[1].startswith("PERHATIAN") for r in rows)
    en_rows = methodology_rows(export_context(res, ds_plain), "en")
    assert ("Preset", "Preset indicator not used", "Antenatal care ≥ 4 visits [sc_anc4]",
            "not in the 2021 data") in en_rows
    meta = methodology(res, ds_plain)
    assert meta["preset"]["bobot_efektif"] == {"rasio_merah": 1.0}
    assert ["sc_anc4"] in meta["preset"]["tidak_tersedia"]
    # lokus score prints it
    out = tmp_path / "hasil.csv"
    assert main(["score", "--boundaries", str(tmp_path / "desa.geojson"),
                 "--table", str(tmp_path / "jumlah.csv"), "--preset", "scorecard_desa",
                 "--year", "2021", "--draws", "10", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "Preset 'Scorecard konvergensi desa': 1 dari 16 indikator preset dipakai" in err
    assert "rasio_merah 100%" in err and "sc_anc4" in err and "! PERHATIAN: preset" in err


def test_scoring_tab_config_carries_the_preset(ds_plain):
    from callbacks.scoring import config_from_controls

    config = config_from_controls(2021, ["rasio_merah"], [{"indicator": "rasio_merah"}], [100], "saw",
                                  "minmax", "none", 20, "exclude", False, 5, None, False, {},
                                  preset="scorecard_desa")
    res = run_scoring(ds_plain, ScoringConfig.from_dict(config), stability=False, hotspots=False)
    assert res.preset is not None and len(res.preset.missing) == 15


# --------------------------------------------------------------------------- 4. comparable years
def test_years_with_a_blank_component_are_defined_differently(ds):
    ind = catalogue()["rasio_merah"]
    assert definition_gaps_by_year(ind, ds.measures) == {2021: ("kuning",)}
    assert definition_gap(ind, ds.measures, 2021, 2020) == ("kuning",)
    assert definition_gap(catalogue()["merah"], ds.measures, 2021, 2020) == ()  # a count is unaffected
    # the change since 2020 is withheld, not computed from two different denominators
    assert np.isnan(ds.values("rasio_merah__delta", 2021).value).all()
    assert not np.isnan(ds.values("merah__delta", 2021).value).all()


def test_delta_across_different_definitions_is_withheld_with_a_named_warning(ds):
    c = cfg(indicators=("rasio_merah", "rasio_merah__delta"),
            weights={"rasio_merah": 1, "rasio_merah__delta": 3})
    res = run_scoring(ds, c, stability=False, hotspots=False)
    assert [cr.id for cr in res.criteria] == ["rasio_merah"] and res.criteria[0].weight == 1.0
    assert res.withheld == {"rasio_merah__delta": (2020, ("kuning",))}
    assert "rasio_merah__delta" not in res.table
    assert ("rasio_merah__delta ditahan: definisi berbeda antara 2020 dan 2021 (kolom kuning kosong di semua "
            "baris salah satu tahun), sehingga perubahannya tidak dinilai.") in render_all(res.warnings)
    # the 2021 rate itself is shown, with a warning that it is not comparable with 2020
    assert ("rasio_merah 2021: penyebut dihitung tanpa kolom kuning (kosong di semua baris 2021), sedangkan "
            "tahun 2020 memakainya; angka 2021 ditampilkan tetapi tidak sebanding dengan tahun itu."
            ) in render_all(res.warnings)
    assert by_code(res).loc[A, "rasio_merah"] == pytest.approx(10.0)  # 10 / (10 + 90)
    assert any(w.startswith("rasio_merah__delta withheld: the definition differs between 2020 and 2021")
               for w in render_all(res.warnings, "en"))
    with pytest.raises(InputError) as err:
        run_scoring(ds, cfg(indicators=("rasio_merah__delta",), weights={"rasio_merah__delta": 1}),
                    stability=False)
    assert err.value.key == "scoring.error.all_withheld"


def test_worsening_trend_preset_skips_an_incomparable_change(ds_plain):
    c = preset_config(ds_plain, "tren_memburuk", 2021, draws=20)
    assert c.indicators == ("rasio_merah", "merah")
    res = run_scoring(ds_plain, c, stability=False, hotspots=False)
    assert res.preset.withheld == (("rasio_merah__delta", 2020, ("kuning",)),)
    assert any(w.startswith("rasio_merah__delta ditahan: definisi berbeda antara 2020 dan 2021")
               for w in render_all(res.warnings))
    assert any("prevalensi__delta / rasio_merah__delta" in w for w in render_all(res.warnings))
    rows = methodology_rows(export_context(res, ds_plain), "id")
    assert any(r[0] == "Preset" and "[rasio_merah__delta]" in r[2] and "kuning" in r[3] for r in rows)


def test_screening_ratio_denominator_is_explained(ds):
    note_id, note_en = catalogue()["rasio_merah"].note("id"), catalogue()["rasio_merah"].note("en")
    assert "merah + kuning + hijau" in note_id and "kuning kosong" in note_id
    assert "red + yellow + green" in note_en
    res = run_scoring(ds, cfg(indicators=("rasio_merah",), weights={"rasio_merah": 1}), stability=False,
                      hotspots=False)
    rows = methodology_rows(export_context(res, ds), "id")
    assert ("Definisi indikator", catalogue()["rasio_merah"].label_id, note_id, "rasio_merah") in rows


def test_sumedang_2021_screening_is_flagged_and_its_trend_withheld(data_dir):
    sumedang = load_folder(data_dir / "sumedang", data_dir=data_dir)
    assert definition_gaps_by_year(catalogue()["rasio_merah"], sumedang.measures) == {2021: ("kuning",)}
    assert preset_config(sumedang, "tren_memburuk", 2020).indicators == ("rasio_merah", "rasio_merah__delta",
                                                                       "merah")
    assert "rasio_merah__delta" not in preset_config(sumedang, "tren_memburuk", 2021).indicators


# --------------------------------------------------------------------------- 5. measurement coverage etc.
def with_measures(ds: Dataset, **columns) -> Dataset:
    measures = ds.measures.copy()
    for name, values in columns.items():
        measures[name] = measures["kode"].map(values) if isinstance(values, dict) else values
    return replace(ds, measures=measures)


def test_measurement_coverage_indicator_and_low_coverage_flag(ds):
    # under-fives 2021: A 400 (100 measured → 25 %), E 50 (40 → 80 %), F 220 (200 → 91 %), D 300 (100 → 33 %)
    balita = {A: 400.0, E: 50.0, F: 220.0, D: 300.0}
    data = with_measures(ds, balita=balita)
    ind = catalogue()["cakupan_pengukuran"]
    assert (ind.direction, ind.unit, ind.kind, ind.is_outcome) == ("higher_better", "%", "rate", False)
    assert all("cakupan_pengukuran" not in json.dumps(p["indicators"]) for p in PRESETS.values())
    vals = data.values("cakupan_pengukuran", 2021)
    got = dict(zip(data.codes, vals.value, strict=True))
    assert got[A] == pytest.approx(25.0) and got[D] == pytest.approx(100 / 3) and np.isnan(got[B])
    res = run_scoring(data, cfg(indicators=("rasio_merah",), weights={"rasio_merah": 1}), stability=False,
                      hotspots=False)
    t = by_code(res)
    # rasio_merah 2021: A 10, B 20, C 15, D 5, E 30, F 10 → median 12.5; below it and coverage < 50 %: A, D
    flagged = sorted(c for c in CODES if "sedikit yang diukur" in t.loc[c, "flags"])
    assert flagged == [A, D]
    assert ("angka rendah karena sedikit yang diukur? (rasio_merah di bawah median, cakupan pengukuran 25% "
            "< 50%)") in t.loc[A, "flags"]
    assert flags_text(res.table.set_index("kode").loc[A, "flags"], "en").endswith(
        "low figure because few were measured? (rasio_merah below the median, "
        "measurement coverage 25% < 50%)")
    assert any(w.startswith("2 desa dengan rasio_merah di bawah median") for w in render_all(res.warnings))


def test_prevalence_only_indicator_is_scored_unsmoothed_and_says_so(ds):
    prev = {A: 30.0, B: 12.5, C: 20.0, D: 150.0, E: 8.0, F: 25.0}  # D: not a percentage
    data = with_measures(ds, prevalensi=prev)
    ind = catalogue()["prevalensi_dilaporkan"]
    assert (ind.kind, ind.direction, ind.is_outcome) == ("percent", "higher_worse", True)
    assert ind.denominator is None
    c = cfg(indicators=("prevalensi_dilaporkan",), weights={"prevalensi_dilaporkan": 1}, smoothing="global")
    res = run_scoring(data, c, stability=False, hotspots=False)
    t = by_code(res)
    assert t.loc[A, "prevalensi_dilaporkan"] == 30.0 and t.loc[B, "prevalensi_dilaporkan"] == 12.5  # as given
    assert np.isnan(t.loc[D, "skor"]) and t.loc[D, "flags"] == "tanpa data"  # 150 % is no value
    assert res.ranked()["kode"].tolist()[:3] == [A, F, C]
    assert ("prevalensi_dilaporkan: tanpa pemulusan: tidak ada jumlah anak, hanya persen; angka desa yang "
            "mengukur sedikit anak bisa melonjak.") in render_all(res.warnings)


def test_measurement_quality_column_flags_villages(ds):
    mutu = pd.Series(np.where(ds.measures["kode"].isin([B, E]) & (ds.measures["tahun"] == 2021),
                              "perlu_dicek", "baik"), index=ds.measures.index)
    data = with_measures(ds, mutu_pengukuran=mutu)
    res = run_scoring(data, cfg(top_n=3), stability=False, hotspots=False)
    t = by_code(res)
    assert sorted(c for c in CODES if "mutu pengukuran perlu dicek" in t.loc[c, "flags"]) == [B, E]
    chosen = int(t.loc[[B, E], "rekomendasi"].eq("ya").sum())
    assert (f"2 desa dengan mutu pengukuran perlu dicek pada tahun 2021 ({chosen} di antaranya "
            "direkomendasikan).") in render_all(res.warnings)
    flags_b = res.table.set_index("kode").loc[B, "flags"]
    assert "measurement quality to be checked" in flags_text(flags_b, "en")


# --------------------------------------------------------------------------- 6. number traps
@pytest.mark.parametrize("change", [
    {"weights": {"rasio_merah": float("nan"), "rasio_kek": 1, "sp_mpasi": 1}},
    {"weights": {"rasio_merah": math.inf, "rasio_kek": 1, "sp_mpasi": 1}},
    {"weights": {"rasio_merah": "abc", "rasio_kek": 1, "sp_mpasi": 1}},
    {"weights": {"rasio_merah": None, "rasio_kek": 1, "sp_mpasi": 1}},
    {"weights": [1, 2, 3]},
    {"draws": 10**9}, {"draws": math.inf}, {"draws": 2.5}, {"draws": "1000"},
    {"year": "dua ribu"}, {"year": math.nan}, {"year": 2021.5}, {"year": 1e308},
    {"top_n": math.nan}, {"top_n": -1}, {"min_n": math.inf}, {"max_per_kecamatan": math.inf},
    {"seed": -1}, {"seed": 1e30}, {"weight_cv": math.inf}, {"weight_cv": math.nan}, {"weight_cv": 1e9},
    {"ahp_cr": math.nan}, {"indicators": "rasio_merah"}, {"notes": 5}, {"force_in": ["x"]},
    {"method": ["saw"]}, {"preset": "tidak_ada"},
])
def test_absurd_config_values_are_a_named_input_error(change):
    params = {"year": 2021, "indicators": ("rasio_merah", "rasio_kek", "sp_mpasi"),
              "weights": {"rasio_merah": 1, "rasio_kek": 1, "sp_mpasi": 1}}
    params.update(change)
    with pytest.raises(InputError):
        ScoringConfig(**params)


def test_config_from_json_with_absurd_values_is_a_named_input_error():
    with pytest.raises(InputError):
        ScoringConfig.from_dict(["year", 2021])
    with pytest.raises(InputError):  # 1e999 parses as inf
        ScoringConfig.from_dict(json.loads('{"year": 2021, "indicators": ["merah"], '
                                           '"weights": {"merah": 1e999}}'))


def test_huge_but_finite_weights_are_normalised_not_overflowed():
    c = ScoringConfig(year=2021, indicators=("merah", "rasio_merah"),
                      weights={"merah": 1e308, "rasio_merah": 1e308})
    assert c.weights == {"merah": 0.5, "rasio_merah": 0.5}


def test_infinite_counts_give_no_rate():
    table = pd.DataFrame({"kode": ["a", "b", "c"], "tahun": [2021] * 3, "merah": [1.0, math.inf, 2.0],
                          "anak_diukur": [math.inf, 10.0, 10.0]})
    v = compute(catalogue()["rasio_merah"], table, pd.Index(["a", "b", "c"]), 2021)
    assert np.isnan(v.value[:2]).all() and v.value[2] == pytest.approx(20.0)
    with pytest.raises(ValueError):
        eb_smooth([1.0], [math.inf])


def test_stability_refuses_absurd_draws():
    from geo.scoring.mcda import Criterion

    X = pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=["a", "b", "c"])
    with pytest.raises(InputError):
        rank_stability(X, [Criterion("x", "higher_worse", 1.0)], pd.Series(["k"] * 3, index=X.index), 1,
                       draws=10**9)


def test_a_zero_count_of_nobody_measured_is_no_outcome_data(ds):
    # B screened nobody in 2021 (merah 0, hijau 0): "0 flagged" is not an observation
    measures = ds.measures.copy()
    row = (measures["kode"] == B) & (measures["tahun"] == 2021)
    measures.loc[row, ["merah", "hijau", "anak_diukur"]] = 0.0
    data = replace(ds, measures=measures)
    res = run_scoring(data, cfg(indicators=("merah", "sp_mpasi"), weights={"merah": 1, "sp_mpasi": 1}),
                      stability=False, hotspots=False)
    t = by_code(res)
    assert np.isnan(t.loc[B, "skor"]) and np.isnan(t.loc[B, "merah"])
    assert "merah: 0 anak diukur, jumlah ini bukan data hasil" in t.loc[B, "flags"]
    assert t.loc[B, "alasan"] == "tanpa data hasil 2021" and t.loc[D, "merah"] == 5.0
