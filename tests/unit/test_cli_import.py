"""`lokus import`: files + mapping → a saved dataset, one line on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from geo.cli.main import main
from geo.core.settings import Settings
from geo.data.library import list_datasets
from geo.store.scenarios import Store
from tests.upload_files import write_kecamatan


def test_import_with_mapping_prints_report(tmp_path: Path, capsys) -> None:
    geojson, csv = write_kecamatan(tmp_path / "in")
    table = pd.read_csv(csv, dtype=str).rename(columns={"kode": "KODE_WIL"})
    table.to_csv(csv, index=False)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"table_columns": {"kode": "KODE_WIL"}}))
    state = tmp_path / "state"
    assert main(["import", "--name", "Wado 2021", "--boundaries", str(geojson), "--table", str(csv),
                 "--mapping", str(mapping), "--state-dir", str(state)]) == 0
    out = capsys.readouterr().out
    assert "Dataset 'wado-2021' tersimpan" in out and "10 desa" in out
    assert [d.id for d in list_datasets(state / "datasets")] == ["wado-2021"]
    # its database row, as when saved in the app (the CLI's database: DATABASE_URL, else SQLite in state)
    with Store(Settings.from_env().database_url, data_dir=state) as store:
        record = next(r for r in store.dataset_records() if r["id"] == "wado-2021")
    assert record["id"] == "wado-2021" and record["detail"]["via"] == "lokus import"
    assert record["detail"]["berkas"]["table"] == csv.name


def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys) -> None:
    geojson, _csv = write_kecamatan(tmp_path / "in")
    bad = tmp_path / "in" / "rusak.csv"
    # unusable as a whole: BPS codes and no desa name to match them by (a bad cell alone
    # is left out and listed, no longer exit 2)
    bad.write_text("kode,tahun,balita_diukur\n3211100004,2024,3\n", encoding="utf-8")
    state = tmp_path / "state"
    assert main(["import", "--name", "x", "--boundaries", str(geojson), "--table", str(bad),
                 "--state-dir", str(state)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "rusak.csv" in err and "nama desa" in err
    assert list((state / "datasets").iterdir()) == []


def test_name_taken_exits_2(tmp_path: Path, capsys) -> None:
    geojson, csv = write_kecamatan(tmp_path / "in")
    args = ["import", "--name", "w", "--boundaries", str(geojson), "--table", str(csv),
            "--state-dir", str(tmp_path / "s")]
    assert main(args) == 0
    assert main(args) == 2
    assert "sudah dipakai" in capsys.readouterr().err
    assert main([*args[:2], "sumedang", *args[3:]]) == 2


def test_import_eppgbm_uses_saved_crosswalk(tmp_path: Path, capsys) -> None:
    from datetime import date

    from geo.io.eppgbm_synthetic import synthetic_export

    geojson, csv = write_kecamatan(tmp_path / "in")
    villages = pd.read_csv(csv, dtype=str).drop_duplicates("nama_desa")[["nama_kec", "nama_desa"]]
    villages.loc[villages["nama_desa"] == "SUKAPURA", "nama_desa"] = "ANTAH BERANTAH"
    export = tmp_path / "ekspor.csv"
    synthetic_export(300, seed=9, villages=villages, start=date(2024, 1, 1),
                     months=2).to_csv(export, sep=";", index=False)
    state = tmp_path / "state"
    (state / "crosswalks").mkdir(parents=True)
    (state / "crosswalks" / "crosswalk_32.11.csv").write_text(
        "kecamatan,desa,kode,decided_by,decided_at\nWADO,ANTAH BERANTAH,32.11.01.2011,uji,\n",
        encoding="utf-8")
    assert main(["import", "--name", "e", "--boundaries", str(geojson), "--eppgbm", str(export),
                 "--state-dir", str(state)]) == 0
    table = pd.read_csv(state / "datasets" / "e" / "eppgbm_prevalensi_desa.csv", dtype=str)
    assert "32.11.01.2011" in set(table["kode"])


def test_import_bps_table_matches_by_name_and_lists_uncertain_pairs(tmp_path: Path, capsys) -> None:
    geojson, csv = write_kecamatan(tmp_path / "in")
    table = pd.read_csv(csv, dtype=str).drop(columns=["kode"])
    table.loc[table["nama_desa"] == "CIMUNGKAL", "nama_desa"] = "Cimungkl"
    table.to_csv(csv, index=False)
    state = tmp_path / "state"
    assert main(["import", "--name", "bps", "--boundaries", str(geojson), "--table", str(csv),
                 "--state-dir", str(state)]) == 0
    out = capsys.readouterr().out
    assert "kode BPS" in out and "10 dari 10 poligon desa mendapat data" in out
    assert "? Kec. WADO · Cimungkl: fuzzy" in out and "(32.11.01.2001)" in out
