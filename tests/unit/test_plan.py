"""Aksi 2 draft plan on a four-village dataset where every gap is known by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.core.errors import InputError
from geo.core.indicators import catalogue
from geo.core.messages import render_all
from geo.decide.plan import PlanItem, check_targets, draft_plan, effective_targets, plan_matrix
from geo.scoring.config import ScoringConfig
from geo.scoring.pipeline import run_scoring
from tests.conftest_db import A, B, C, make_tiny_dataset


@pytest.fixture(scope="module")
def ds(tiny_dataset):
    return tiny_dataset


@pytest.fixture(scope="module")
def result(ds):
    cfg = ScoringConfig(year=2021, indicators=("rasio_merah",), weights={"rasio_merah": 1},
                        smoothing="none", top_n=2)
    return run_scoring(ds, cfg, stability=False, hotspots=False)


def test_catalogue_preconditions():
    """The hand-computed gaps below rely on these catalogue rows."""
    cat = catalogue()
    mpasi = cat["sp_mpasi"]
    assert (mpasi.target, mpasi.direction, mpasi.opd) == (80.0, "higher_better", "Dinkes")
    ktd = cat["se_kehamilan_tidak_diinginkan"]
    assert (ktd.target, ktd.direction, ktd.opd) == (15.5, "higher_worse", "DP2KB")
    assert cat["se_air_minum"].target is None
    assert (cat["sc_akta_lahir"].target, cat["sc_akta_lahir"].opd) == (100.0, "Disdukcapil")


def test_gaps_by_hand(ds, result):
    assert result.selection.chosen == (A, C)  # 30 % and 25 %
    plan = draft_plan(ds, result)
    got = [(it.kode, it.indicator_id, it.gap) for it in plan]
    # A: MP-ASI 70 < 80 (gap 10), KTD 20 > ceiling 15.5 (gap 4.5), akta 100 = target (no gap),
    #    air minum has no target (no item). C: akta 95 < 100 (gap 5); MP-ASI 85 and KTD 10 fine.
    assert got == [(A, "sp_mpasi", pytest.approx(10.0)),
                   (A, "se_kehamilan_tidak_diinginkan", pytest.approx(4.5)),
                   (C, "sc_akta_lahir", pytest.approx(5.0))]
    mpasi, ktd, akta = plan.items
    assert (mpasi.opd, mpasi.kegiatan, mpasi.source) == ("Dinkes", catalogue()["sp_mpasi"].intervention_id,
                                                         "otomatis")
    assert (ktd.opd, ktd.value, ktd.target) == ("DP2KB", 20.0, 15.5)
    assert (akta.opd, akta.nama, akta.kecamatan) == ("Disdukcapil", "Mekarsari", "Dua")
    assert mpasi.indicator == catalogue()["sp_mpasi"].label_id
    # B has bigger gaps but is not chosen: no items
    assert B not in {it.kode for it in plan}
    notes = " ".join(render_all(plan.notes))
    assert catalogue()["se_air_minum"].label_id in notes and "tanpa target" in notes
    assert set(plan.targets) == {"sp_mpasi", "se_kehamilan_tidak_diinginkan", "sc_akta_lahir"}


def test_target_overrides_change_the_items(ds, result):
    plan = draft_plan(ds, result, targets={"sp_mpasi": 60, "se_air_minum": 80, "sc_akta_lahir": 90})
    got = [(it.kode, it.indicator_id, it.gap, it.opd) for it in plan]
    # MP-ASI 70 ≥ 60 and akta 95 ≥ 90: gone; air minum 50 < 80 (gap 30) now drafted, C's 90 is fine
    assert got == [(A, "se_air_minum", pytest.approx(30.0), "PUPR/Perkim"),
                   (A, "se_kehamilan_tidak_diinginkan", pytest.approx(4.5), "DP2KB")]
    assert catalogue()["se_air_minum"].label_id not in " ".join(render_all(plan.notes))
    # a stricter ceiling for a higher-worse indicator creates a gap for C (10 > 5)
    strict = draft_plan(ds, result, targets={"se_kehamilan_tidak_diinginkan": 5})
    assert (C, "se_kehamilan_tidak_diinginkan") in {(it.kode, it.indicator_id) for it in strict}


def test_final_list_overrides_selection(ds, result):
    plan = draft_plan(ds, result, chosen=[B, "32.11.09.2009"])
    assert {it.kode for it in plan} == {B}
    assert any("tidak ada di data" in n for n in render_all(plan.notes))
    # B: MP-ASI 50 (30), KTD 30 (14.5), akta 60 (40): largest gap first
    assert [it.indicator_id for it in plan] == ["sc_akta_lahir", "sp_mpasi", "se_kehamilan_tidak_diinginkan"]


def test_target_validation():
    assert check_targets({"sp_mpasi": "75,5"}) == {"sp_mpasi": 75.5}
    for bad in ({"tidak_ada": 50}, {"rasio_merah": 10}, {"sp_mpasi": 120}, {"sp_mpasi": -1},
                {"sp_mpasi": "banyak"}, {"sp_mpasi": None}):
        with pytest.raises(InputError):
            check_targets(bad)
    eff = effective_targets({"se_air_minum": 70})
    assert eff["se_air_minum"] == 70 and eff["sp_mpasi"] == 80 and eff["se_sanitasi"] is None


def test_plan_item_validation():
    item = PlanItem(kode="3211012001", kegiatan="  Kelas ibu hamil ", anggaran=2_500_000_000, volume="1,5")
    assert (item.kode, item.kegiatan, item.anggaran, item.volume, item.source) == (
        A, "Kelas ibu hamil", 2_500_000_000, 1.5, "manual")
    assert PlanItem.from_dict(item.to_dict()) == item
    for bad in ({"kode": "123", "kegiatan": "x"}, {"kode": A, "kegiatan": "  "},
                {"kode": A, "kegiatan": "x", "anggaran": -5}, {"kode": A, "kegiatan": "x", "anggaran": 10.5},
                {"kode": A, "kegiatan": "x", "source": "robot"}, {"kode": A, "kegiatan": "x\x00"},
                {"kode": A, "kegiatan": "x", "indicator_id": "bukan"},
                {"kode": A, "kegiatan": "x", "warna": 1}):
        with pytest.raises(InputError):
            PlanItem.from_dict(bad)


def test_matrix_long_and_wide(ds, result):
    items = [*draft_plan(ds, result),
             PlanItem(kode=A, nama="Sukamaju", kegiatan=catalogue()["sp_mpasi"].intervention_id, opd="Dinkes",
                      volume=12, satuan="kali", anggaran=5_000_000),
             PlanItem(kode=C, nama="Mekarsari", kegiatan="Rembuk desa", opd="DPMD", anggaran=1_000_000)]
    long = plan_matrix(items)
    assert list(long.columns)[:3] == ["kegiatan", "opd", "kode"]
    cell = long[(long["kode"] == A) & (long["opd"] == "Dinkes")].iloc[0]
    # the drafted MP-ASI gap and the manual item with the same kegiatan are one cell
    got = (cell["jumlah_item"], cell["sumber"], cell["volume"], cell["anggaran"])
    assert got == (2, "campuran", 12, 5_000_000)
    assert len(long) == 4
    assert long["opd"].tolist() == sorted(long["opd"])
    wide = plan_matrix(items, form="wide")
    assert {"Sukamaju (32.11.01.2001)", "Mekarsari (32.11.02.2001)"} <= set(wide.columns)
    row = wide[wide["kegiatan"] == "Rembuk desa"].iloc[0]
    assert (row["Mekarsari (32.11.02.2001)"], row["Sukamaju (32.11.01.2001)"]) == ("✓", "")
    assert (row["jumlah_desa"], row["anggaran"]) == (1, 1_000_000)
    mp = wide[wide["opd"] == "Dinkes"].iloc[0]
    assert mp["Sukamaju (32.11.01.2001)"] == "✓ 12 kali"
    empty = plan_matrix([], form="wide")
    assert isinstance(empty, pd.DataFrame) and empty.empty


def test_no_coverage_dataset_gives_empty_plan_with_note(tmp_path):
    from geo.data.loading import load_dataset

    ds = make_tiny_dataset(tmp_path / "a")
    bare = load_dataset(tmp_path / "a" / "desa.geojson", tmp_path / "a" / "jumlah.csv", dataset_id="b",
                        title="b")
    cfg = ScoringConfig(year=2021, indicators=("rasio_merah",), weights={"rasio_merah": 1}, smoothing="none",
                        top_n=2)
    res = run_scoring(bare, cfg, stability=False, hotspots=False)
    plan = draft_plan(bare, res)
    assert len(plan) == 0 and any("tidak memiliki indikator cakupan" in n for n in render_all(plan.notes))
    assert len(draft_plan(ds, run_scoring(ds, cfg, stability=False, hotspots=False))) == 3
