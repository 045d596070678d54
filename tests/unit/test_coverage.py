"""Coverage tables, the coverage/delta indicators and the synthetic Sumedang coverage file."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from geo.core.errors import InputError
from geo.core.indicators import catalogue, compute_delta
from geo.core.messages import render_all
from geo.data.loading import load_dataset, load_folder
from geo.data.model import CoverageSpec
from tests.unit.test_scoring import (
    CODES,
    COUNTS_2020,
    COUNTS_2021,
    A,
    B,
    C,
    D,
    E,
    K,
    write_boundaries,
    write_table,
)

ROOT = Path(__file__).resolve().parents[2]


def load(tmp_path: Path, text: str, *, year: int | None = None, name: str = "cakupan.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_dataset(write_boundaries(tmp_path), write_table(tmp_path), dataset_id="t", title="t",
                        coverage=(CoverageSpec(path, year=year),))


def test_catalogue_has_coverage_indicators_with_directions_and_interventions():
    cat = catalogue()
    sp = [i for i in cat.values() if i.id.startswith("sp_")]
    se = [i for i in cat.values() if i.id.startswith("se_")]
    sc = [i for i in cat.values() if i.id.startswith("sc_")]
    assert len(sp) == 9 and len(se) == 10 and len(sc) == 15
    for ind in sp + se + sc:
        assert ind.kind == "coverage" and ind.denominator is None and ind.numerator == ind.id
        assert ind.unit == "%" and ind.intervention_id and ind.intervention_en and ind.opd
    assert cat["se_kehamilan_tidak_diinginkan"].direction == "higher_worse"
    assert cat["sp_asi_eksklusif"].direction == "higher_better" and cat["sp_asi_eksklusif"].target == 80
    assert cat["sp_imunisasi"].target is None and cat["se_air_minum"].target is None  # not readable/seen
    assert cat["sc_jamban"].target == 100 and "bukan ketetapan" in cat["sc_jamban"].source_id
    assert cat["se_sanitasi"].intervention_id == "Pembangunan/rehabilitasi jamban sehat"
    assert {i.sector for i in sp} == {"spesifik"} and {i.sector for i in sc} == {"scorecard"}


def test_percent_and_share_columns_detected_and_stated(tmp_path):
    text = ("kode,tahun,sp_mpasi,Bayi < 6 bulan mendapat ASI eksklusif,catatan\n"
            f"{A},2021,55,0.5,x\n{B},2021,72.5,0.25,y\n{C},2021,,1,z\n")
    ds = load(tmp_path, text)
    assert list(ds.coverage.columns) == ["kode", "tahun", "sp_mpasi", "sp_asi_eksklusif"]
    mpasi = ds.values("sp_mpasi", 2021)
    asi = ds.values("sp_asi_eksklusif", 2021)
    pos = {c: i for i, c in enumerate(CODES)}
    assert mpasi.value[pos[A]] == 55 and np.isnan(mpasi.value[pos[C]]) and np.isnan(mpasi.value[pos[K]])
    assert mpasi.denominator is None and mpasi.numerator[pos[B]] == 72.5
    assert asi.value[pos[A]] == 50 and asi.value[pos[C]] == 100  # share 0–1 → percent
    notes = " | ".join(render_all(ds.coverage_notes))
    assert "'sp_mpasi' (sp_mpasi) berisi persen 0–100" in notes
    assert "(sp_asi_eksklusif) berisi proporsi 0–1, diubah ke persen" in notes
    assert "'catatan' tidak dikenali" in notes
    ids = [i.id for i in ds.indicators]
    assert "sp_mpasi" in ids and "sp_asi_eksklusif" in ids and "se_sanitasi" not in ids
    assert ds.coverage_report is not None and ds.coverage_report.n_matched == 3


def test_out_of_range_values_are_left_out_and_listed(tmp_path):
    # was: InputError for the whole table; now the two cells are left out and listed
    text = f"kode,tahun,sp_mpasi\n{A},2021,55\n{B},2021,150\n{C},2021,-1\n"
    ds = load(tmp_path, text, name="cak.csv")
    log = ds.coverage_report.quality
    assert log.issues[["row", "column", "value", "reason", "scope"]].values.tolist() == [
        [3, "sp_mpasi", "150", "out_of_range", "cell"], [4, "sp_mpasi", "-1", "out_of_range", "cell"]]
    pos = {c: i for i, c in enumerate(CODES)}
    values = ds.values("sp_mpasi", 2021).value
    assert values[pos[A]] == 55 and np.isnan(values[pos[B]]) and np.isnan(values[pos[C]])
    assert ds.quality_log.count("out_of_range", "cak.csv") == 2


def test_year_from_spec_column_overrides_and_missing_year_is_an_error(tmp_path):
    ds = load(tmp_path, f"kode,se_sanitasi\n{A},40\n", year=2021)
    assert ds.coverage_years == [2021] and ds.values("se_sanitasi", 2021).value[0] == 40
    ds = load(tmp_path, f"kode,tahun,se_sanitasi\n{A},2020,40\n", year=2021)
    assert ds.coverage_years == [2020]
    with pytest.raises(InputError, match="tahun"):
        load(tmp_path, f"kode,se_sanitasi\n{A},40\n")
    with pytest.raises(InputError, match="cakupan yang dikenali"):
        load(tmp_path, f"kode,tahun,foo\n{A},2021,1\n")
    # a non-numeric cell is left out and listed, not a refused table
    ds = load(tmp_path, f"kode,tahun,se_sanitasi\n{A},2021,banyak\n{B},2021,30\n")
    assert ds.quality_log.count("not_number") == 1 and ds.coverage_report.n_matched == 2


def test_unmatched_coverage_codes_are_reported(tmp_path):
    ds = load(tmp_path, f"kode,tahun,se_sanitasi\n{A},2021,40\n32.11.09.2001,2021,50\n")
    report = ds.coverage_report
    assert report.n_matched == 1 and len(report.table_unmatched) == 1
    assert report.table_unmatched[0]["kode"] == "32.11.09.2001"


def test_delta_indicator_hand_computed(tmp_path):
    ds = load(tmp_path, f"kode,tahun,se_sanitasi\n{A},2020,40\n{A},2021,55\n{B},2021,60\n")
    pos = {c: i for i, c in enumerate(CODES)}
    delta = ds.values("rasio_merah__delta", 2021)
    for code in (A, C, D, E):
        r1, g1 = COUNTS_2021[code]
        r0, g0 = COUNTS_2020[code]
        assert delta.value[pos[code]] == pytest.approx(100 * r1 / (r1 + g1) - 100 * r0 / (r0 + g0))
    assert np.isnan(delta.value[pos[K]])
    assert delta.indicator.id == "rasio_merah__delta" and delta.indicator.direction == "higher_worse"
    assert delta.indicator.label_id.startswith("Perubahan Rasio skrining merah") and "sejak 2020" in \
        delta.indicator.label_id
    assert delta.indicator.unit == "poin %"
    cov = ds.values("se_sanitasi__delta", 2021).value
    assert cov[pos[A]] == 15 and np.isnan(cov[pos[B]])  # B has no 2020 value
    with pytest.raises(InputError, match="sebelum 2020"):
        ds.values("merah__delta", 2020)
    assert "merah__delta" in [i.id for i in ds.delta_indicators(2021)]
    assert ds.delta_indicators(2020) == []
    # the raw function agrees
    direct = compute_delta(catalogue()["merah"], ds.measures, ds.codes, 2021, 2020)
    assert direct.value[pos[A]] == COUNTS_2021[A][0] - COUNTS_2020[A][0]


def test_scoring_indicators_exclude_context(tmp_path):
    ds = load(tmp_path, f"kode,tahun,se_sanitasi\n{A},2021,40\n")
    ids = [i.id for i in ds.scoring_indicators(2021)]
    assert "anak_diukur" not in ids and "rasio_merah" in ids and "se_sanitasi" in ids
    assert "rasio_merah__delta" in ids and "se_sanitasi__delta" not in ids


def _generator():
    script = ROOT / "scripts" / "make_synthetic_coverage.py"
    spec = importlib.util.spec_from_file_location("make_synth", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_generator_is_reproducible_and_matches_the_shipped_file(tmp_path):
    gen = _generator()
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    gen.main(["--out", str(first)])
    gen.main(["--out", str(second)])
    assert first.read_bytes() == second.read_bytes()
    shipped = ROOT / "data" / "sumedang" / "cakupan_sintetis_2019_2021.csv"
    assert first.read_bytes() == shipped.read_bytes()


def test_sumedang_loads_synthetic_coverage_labelled_sintetis(data_dir):
    ds = load_folder(data_dir / "sumedang", data_dir=data_dir)
    assert ds.coverage_synthetic and "SINTETIS" in ds.coverage_sources[0].title
    assert any("SINTETIS" in c for c in ds.caveats)
    assert ds.coverage_years == [2019, 2020, 2021]
    assert ds.coverage.groupby("tahun")["kode"].nunique().tolist() == [277, 277, 277]  # kelurahan too
    value_cols = [c for c in ds.coverage.columns if c not in ("kode", "tahun")]
    assert len(value_cols) >= 12 and ds.coverage[value_cols].isna().any().any()
    assert ((ds.coverage[value_cols] >= 0) & (ds.coverage[value_cols] <= 100) | ds.coverage[value_cols].isna()
            ).all().all()
    # coverage tells a story: villages with higher screening rates have lower coverage (on average)
    rate = ds.values("rasio_merah", 2021).value
    cov = ds.values("sc_timbang_bulanan", 2021).value
    ok = ~np.isnan(rate) & ~np.isnan(cov)
    assert np.corrcoef(rate[ok], cov[ok])[0, 1] < 0
