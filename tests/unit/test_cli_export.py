"""``lokus export``: every format written and read back, scenario files, one-line errors (exit 2)."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

import geo.cli.export as cli_export
from geo.cli.main import main
from geo.data.loading import load_folder
from geo.decide.plan import PlanItem
from geo.export import FORMATS, SHEETS
from geo.scoring.pipeline import run_scoring
from geo.scoring.presets import preset_config
from geo.store.scenarios import Store

_CACHE: dict[str, object] = {}


@pytest.fixture(autouse=True)
def cached_scoring(monkeypatch):
    """Score each distinct config once per session: the CLI path is unchanged, the suite stays fast."""
    def scoring(dataset, config, **kwargs):
        key = f"{dataset.id}:{config.to_json()}"
        if key not in _CACHE:
            _CACHE[key] = run_scoring(dataset, config, **kwargs)
        return _CACHE[key]

    monkeypatch.setattr(cli_export, "run_scoring", scoring)


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("lokus: ")
    return err


@pytest.mark.parametrize("fmt", FORMATS)
def test_default_export_each_format(fmt, tmp_path, capsys):
    out = tmp_path / f"keluaran.{ {'shp': 'zip'}.get(fmt, fmt)}"
    assert main(["export", "--format", fmt, "--out", str(out)]) == 0
    assert f"lokus export: {out.name}: format {fmt}" in capsys.readouterr().err
    data = out.read_bytes()
    if fmt == "csv":
        table = pd.read_csv(out, encoding="utf-8-sig", dtype={"kode": str})
        assert len(table) == 20 and table["no"].tolist() == list(range(1, 21))
    elif fmt == "xlsx":
        wb = openpyxl.load_workbook(out)
        assert wb.sheetnames == list(SHEETS) and wb["Lokus terpilih"].max_row == 21
    elif fmt in ("gpkg", "geojson", "shp"):
        gdf = gpd.read_file(out)
        assert len(gdf) == 20 and gdf.crs.to_epsg() == 4326
    elif fmt == "pdf":
        reader = PdfReader(io.BytesIO(data))
        assert "Lampiran Keputusan Bupati Sumedang" in " ".join(reader.pages[-1].extract_text().split())
    else:
        doc = json.loads(data)
        assert doc["format"] == "lokus-scenario" and len(doc["chosen"]) == 20
        assert doc["config"]["top_n"] == 20 and doc["dataset_id"] == "sumedang"


def test_format_from_suffix_and_folder_out(tmp_path, capsys):
    assert main(["export", "--out", str(tmp_path / "a.zip")]) == 0
    assert zipfile.is_zipfile(tmp_path / "a.zip")
    args = ["export", "--format", "csv", "--sep", ";", "--name", "Rembuk/Final", "--out", str(tmp_path)]
    assert main(args) == 0
    written = tmp_path / "lokus_Sumedang_2021_Rembuk_Final_titik-koma.csv"  # the ";" variant says so
    assert written.is_file()
    assert written.read_text(encoding="utf-8-sig").splitlines()[0].startswith("no;kode;desa;")


def test_scenario_file_round_trip(tmp_path, capsys):
    doc_path = tmp_path / "skenario.json"
    assert main(["export", "--format", "json", "--author", "Tim", "--out", str(doc_path)]) == 0
    doc = json.loads(doc_path.read_text(encoding="utf-8"))
    doc["chosen"] = [{"kode": "32.11.01.2001", "alasan": "kesepakatan rembuk"}, doc["chosen"][0]]
    doc["name"] = "Hasil rembuk"
    edited = tmp_path / "rembuk.json"
    edited.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "rembuk.csv"
    assert main(["export", "--scenario", str(edited), "--out", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig", dtype={"kode": str}).set_index("kode")
    assert len(table) == 2 and table.loc["32.11.01.2001", "alasan"] == "kesepakatan rembuk"
    assert table.loc[doc["chosen"][1]["kode"], "no"] == 1  # numbered by rank
    again = tmp_path / "again.json"
    assert main(["export", "--scenario", str(doc_path), "--out", str(again)]) == 0
    assert json.loads(again.read_text(encoding="utf-8"))["chosen"] == json.loads(
        doc_path.read_text(encoding="utf-8"))["chosen"]


def test_plan_file_goes_into_xlsx(tmp_path):
    plan = tmp_path / "rencana.csv"
    plan.write_text("kode;nama;kegiatan;opd;volume;satuan;anggaran\n"
                    "32.11.13.2001;Cigendel;Kelas ibu hamil;Dinas Kesehatan;4;kelas;12.500.000\n",
                    encoding="utf-8")
    out = tmp_path / "r.xlsx"
    assert main(["export", "--plan", str(plan), "--out", str(out)]) == 0
    ws = openpyxl.load_workbook(out)["Rencana kegiatan"]
    row = [c.value for c in ws[2]]
    assert row[0] == "32.11.13.2001" and row[7] == "Kelas ibu hamil" and row[11] == 12_500_000


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "docx"], "--format 'docx' tidak dikenal"),
    (["--format", "csv", "--sep", "|"], "--sep"),
    (["--scenario", "tidak-ada.json"], "tidak dapat dibaca"),
])
def test_bad_arguments_exit_2_with_one_line(args, message, tmp_path, capsys):
    assert main(["export", *args, "--out", str(tmp_path / "x.csv")]) == 2
    assert message in _one_line_error(capsys)


def test_unknown_suffix_and_bad_scenario_documents(tmp_path, capsys):
    assert main(["export", "--out", str(tmp_path / "x.docx")]) == 2
    assert "tidak dapat ditebak" in _one_line_error(capsys)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "lokus-scenario", "version": 1, "dataset_id": "../etc",
                               "config": {"year": 2021, "indicators": ["merah"], "weights": {"merah": 1}},
                               "chosen": []}), encoding="utf-8")
    assert main(["export", "--scenario", str(bad), "--out", str(tmp_path / "y.csv")]) == 2
    assert "tidak valid" in _one_line_error(capsys)


def test_unwritable_out_exit_2(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "berkas.txt"
    blocker.write_text("x", encoding="utf-8")
    assert main(["export", "--format", "csv", "--out", str(blocker / "x.csv")]) == 2
    assert "folder keluaran tidak ada" in _one_line_error(capsys)

    def refuse(self, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "write_bytes", refuse)
    assert main(["export", "--format", "csv", "--out", str(tmp_path / "ro.csv")]) == 2
    err = _one_line_error(capsys)
    assert "tidak dapat menulis" in err and "ro.csv" in err


@pytest.fixture()
def saved(tmp_path, monkeypatch, data_dir):
    """A SQLite store (through DATABASE_URL) with one saved scenario and its plan."""
    url = f"sqlite:///{tmp_path / 'skenario.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    dataset = load_folder(data_dir / "sumedang", data_dir=data_dir)
    config = preset_config(dataset, "prevalensi_kasus", top_n=5, draws=50)
    with Store(url, data_dir=tmp_path) as store:
        store.upgrade()
        scenario = store.save_new("Rembuk Final 2026", "sumedang", config,
                                  [("32.11.01.2001", "kesepakatan rembuk"), ("32.11.13.2001", "peringkat 1")],
                                  author="Bappeda", notes="disepakati")
        store.save_plan(scenario.id, [PlanItem(kode="32.11.13.2001", kegiatan="Kelas ibu hamil",
                                               opd="Dinas Kesehatan", nama="Cigendel")], author="Bappeda")
    return scenario


def test_saved_scenario_by_name(saved, tmp_path, capsys):
    out = tmp_path / "s.xlsx"
    assert main(["export", "--scenario", "rembuk  final 2026", "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    codes = [r[3] for r in wb["Lokus terpilih"].iter_rows(min_row=2, values_only=True)]
    assert sorted(codes) == ["32.11.01.2001", "32.11.13.2001"]
    assert wb["Rencana kegiatan"]["H2"].value == "Kelas ibu hamil"
    meth = {r[1]: r[2] for r in wb["Metodologi"].iter_rows(min_row=2, values_only=True)}
    assert meth["Nama skenario"] == "Rembuk Final 2026" and meth["Penyusun"] == "Bappeda"
    args = ["export", "--scenario", str(saved.id), "--format", "json", "--out", str(tmp_path / "s.json")]
    assert main(args) == 0
    doc = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert doc["chosen"][0] == {"kode": "32.11.13.2001", "alasan": "peringkat 1"}  # numbered by rank
    assert doc["config"] == saved.config.to_dict()


def test_saved_scenario_errors(saved, tmp_path, capsys, monkeypatch):
    assert main(["export", "--scenario", "tidak ada", "--out", str(tmp_path / "x.csv")]) == 2
    assert "tidak ditemukan" in _one_line_error(capsys)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'kosong.db'}")
    assert main(["export", "--scenario", "Rembuk Final 2026", "--out", str(tmp_path / "x.csv")]) == 2
    assert "belum ada skenario tersimpan" in _one_line_error(capsys)
    assert not (tmp_path / "kosong.db").exists()  # reading never creates a database
    monkeypatch.setitem(sys.modules, "geo.store.scenarios", None)  # an install without the store
    assert main(["export", "--scenario", "Rembuk Final 2026", "--out", str(tmp_path / "x.csv")]) == 2
    assert "belum tersedia" in _one_line_error(capsys)


def test_lang_en_writes_english(tmp_path, capsys):
    out = tmp_path / "en.xlsx"
    assert main(["export", "--lang", "en", "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Chosen lokus" and wb["Chosen lokus"]["B1"].value == "Subdistrict"
    assert main(["export", "--lang", "en", "--format", "csv", "--semua-desa", "--out", str(tmp_path)]) == 0
    written = tmp_path / "lokus_Sumedang_2021_all_villages.csv"
    assert written.read_text(encoding="utf-8-sig").startswith("code,village,")
    with pytest.raises(SystemExit) as exc:
        main(["export", "--lang", "fr", "--out", str(tmp_path / "x.csv")])
    assert exc.value.code == 2 and "--lang" in capsys.readouterr().err
