"""Last year's lokus: reading a list by code or name, and new / continuing / graduating."""

from __future__ import annotations

import numpy as np
import openpyxl
import pytest

from geo.core.errors import InputError
from geo.core.messages import render_all
from geo.decide.continuity import PreviousList, continuity, read_previous_list
from geo.scoring.config import ScoringConfig
from geo.scoring.pipeline import run_scoring
from tests.conftest_db import A, B, C, D


@pytest.fixture(scope="module")
def ds(tiny_dataset):
    return tiny_dataset


@pytest.fixture(scope="module")
def result(ds):
    cfg = ScoringConfig(year=2021, indicators=("rasio_merah", "sp_mpasi"),
                        weights={"rasio_merah": 0.99, "sp_mpasi": 0.01}, smoothing="none", top_n=2)
    res = run_scoring(ds, cfg, stability=False, hotspots=False)
    assert res.selection.chosen == (A, C)
    return res


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_codes_read_normalised_and_unknown_reported(ds, tmp_path):
    path = write(tmp_path / "lokus_2020.csv",
                 "kode_desa,desa\n3211012001,x\n32.11.01.2002,y\n32.11.01.2002,y\n33.01.01.2001,z\nabc,\n")
    prev = read_previous_list(path, ds.villages, display_name="lokus 2020.csv")
    assert prev.codes == (A, B) and prev.names == {A: "Sukamaju", B: "Cikoneng"}
    assert prev.file == "lokus 2020.csv"
    # the other district's code and the garbage are reported, never placed; "abc" has no name either
    assert prev.unmatched["baris"].tolist() == [5, 6]
    assert all(len(why) > 0 for why in render_all(prev.unmatched["alasan"]))
    assert any("lebih dari sekali" in n for n in render_all(prev.notes))


def test_names_matched_through_match_names(ds, tmp_path):
    # exact; old spelling (TJ -> C) = normalised; unknown; fuzzy (not applied by default)
    path = write(tmp_path / "lokus.csv",
                 "kecamatan,desa\nSatu,SUKAMAJU\nSatu,Tjikoneng\nDua,Tidakada Sama Sekali\nDua,Mekarsary\n")
    prev = read_previous_list(path, ds.villages)
    assert prev.codes == (A, B)
    un = prev.unmatched.set_index("desa")
    assert set(un.index) == {"Tidakada Sama Sekali", "Mekarsary"}
    why = un.loc["Mekarsary", "alasan"].render()
    assert "perlu dikonfirmasi" in why and C in why
    assert un.loc["Tidakada Sama Sekali", "kandidat"]  # candidates offered, none applied
    fuzzy = read_previous_list(path, ds.villages, accept_fuzzy=True)
    assert fuzzy.codes == (A, B, C) and len(fuzzy.unmatched) == 1
    assert any("mirip" in n for n in render_all(fuzzy.notes))


def test_bps_codes_fall_back_to_names_and_xlsx(ds, tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["kode_bps", "kecamatan", "desa"])
    ws.append([3211010001, "Dua", "Mekarsari"])
    ws.append([3211010002, "Dua", "Pasir Reungit"])  # spaces + doubled letter differ: normalised match
    path = tmp_path / "lokus.xlsx"
    book.save(path)
    prev = read_previous_list(path, ds.villages)
    assert prev.codes == (C, D) and prev.unmatched.empty


def test_years_in_file(ds, tmp_path):
    path = write(tmp_path / "l.csv", "kode,tahun\n3211012001,2019\n3211012002,2020\n")
    with pytest.raises(InputError, match="beberapa tahun"):
        read_previous_list(path, ds.villages)
    prev = read_previous_list(path, ds.villages, year=2020)
    assert (prev.codes, prev.year) == ((B,), 2020)
    with pytest.raises(InputError):
        read_previous_list(write(tmp_path / "n.csv", "warna\nmerah\n"), ds.villages)


def test_status_and_change_by_hand(ds, result):
    prev = PreviousList.from_codes([A, B], ds.villages, year=2020)
    table = continuity(prev, result, ds)
    assert table["kode"].tolist() == [A, C, B]
    assert table["status"].tolist() == ["lanjutan", "baru", "lulus"]
    t = table.set_index("kode")
    # rasio_merah 2020 -> 2021: A 20 -> 30, C 10 -> 25, B 30 -> 10 (raw rates)
    assert t.loc[A, "rasio_merah__sebelum"] == pytest.approx(20.0)
    assert t.loc[A, "rasio_merah__perubahan"] == pytest.approx(10.0)
    assert t.loc[C, "rasio_merah__perubahan"] == pytest.approx(15.0)
    assert t.loc[B, "rasio_merah__perubahan"] == pytest.approx(-20.0)
    # coverage change: MP-ASI A 60 -> 70
    assert t.loc[A, "sp_mpasi__perubahan"] == pytest.approx(10.0)
    assert table.attrs["tahun_sebelum"] == {"rasio_merah": 2020, "sp_mpasi": 2020}
    assert t.loc[B, "peringkat"] == 3


def test_final_list_and_missing_previous_year(ds, result):
    prev = PreviousList.from_codes([D], ds.villages)
    table = continuity(prev, result, ds, chosen=[A, D])
    assert dict(zip(table["kode"], table["status"], strict=True)) == {A: "baru", D: "lanjutan"}
    t = continuity(prev, result, ds, previous_year=2019)
    assert np.isnan(t["rasio_merah__perubahan"]).all()
    assert any("2019" in n for n in render_all(t.attrs["catatan"]))
    with pytest.raises(InputError):
        PreviousList.from_codes(["32.99.99.2999"], ds.villages)
