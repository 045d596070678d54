"""``lokus score``: CSV/XLSX output read back, exactly N recommended, injection-safe cells, exit 2."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from geo.cli.main import main
from geo.cli.score import write_ranking
from geo.export.safe import safe_cell

BASE = ["kode", "nama", "nama_kec", "tahun", "skor", "peringkat", "p_top_n", "flags", "rekomendasi", "alasan"]


def test_csv_has_every_column_and_exactly_n_recommended(tmp_path, capsys):
    out = tmp_path / "lokus.csv"
    rc = main(["score", "--top", "12", "--max-per-kecamatan", "1", "--draws", "100", "--out", str(out)])
    assert rc == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    table = pd.read_csv(out, encoding="utf-8-sig", dtype={"kode": str})
    for col in [*BASE, "rasio_merah", "rasio_merah__norm", "rasio_merah__n", "merah", "merah__norm"]:
        assert col in table.columns
    assert len(table) == 277 and table["peringkat"].tolist() == list(range(1, 278))
    ya = table[table["rekomendasi"] == "ya"]
    assert len(ya) == 12 and ya.groupby("nama_kec").size().max() == 1
    kel = table[table["kode"].str.split(".").str[3].str.startswith("1")]
    assert (kel["rekomendasi"] == "tidak").all() and kel["flags"].str.contains("tanpa data").all()
    err = capsys.readouterr().err
    assert "12 direkomendasikan" in err and '"tahun_dinilai": 2021' in err


def test_xlsx_with_methodology_sheet_and_sintetis_note(tmp_path):
    out = tmp_path / "lokus.xlsx"
    rc = main(["score", "--preset", "scorecard_desa", "--year", "2020", "--top", "7", "--method", "topsis",
               "--missing", "kecamatan_median", "--draws", "50",
               "--force-in", "32.11.01.2001=Keputusan rembuk", "--out", str(out)])
    assert rc == 0
    sheets = pd.read_excel(out, sheet_name=None, dtype={"kode": str})
    table, meta = sheets["peringkat"], sheets["metodologi"].set_index("kunci")["nilai"]
    assert (table["rekomendasi"] == "ya").sum() == 7
    forced = table.set_index("kode").loc["32.11.01.2001"]
    assert forced["rekomendasi"] == "ya" and forced["alasan"] == "dipaksa masuk: Keputusan rembuk"
    assert (table["tahun"] == 2020).all() and "sc_timbang_bulanan__norm" in table.columns
    assert (table["catatan_data"] == "cakupan SINTETIS (untuk demonstrasi)").all()
    assert "SINTETIS" in meta["cakupan"] and int(meta["tahun_dinilai"]) == 2020
    config = json.loads(meta["konfigurasi"])
    assert config["method"] == "topsis" and config["year"] == 2020


def test_weights_file(tmp_path, capsys):
    weights = tmp_path / "bobot.json"
    weights.write_text(json.dumps({"rasio_merah": 2, "sp_mpasi": 1, "rasio_merah__delta": 1}),
                       encoding="utf-8")
    out = tmp_path / "w.csv"
    assert main(["score", "--weights", str(weights), "--top", "5", "--draws", "20", "--out", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert {"rasio_merah", "sp_mpasi__kontribusi"} <= set(table.columns)
    assert (table["rekomendasi"] == "ya").sum() == 5
    # 2021 has no kuning column: the change since 2020 is withheld, not scored (it was before issue 10)
    assert "rasio_merah__delta" not in table.columns
    err = capsys.readouterr().err
    assert "! rasio_merah__delta ditahan: definisi berbeda antara 2020 dan 2021 (kolom kuning" in err


def test_formula_injection_is_neutralised(tmp_path):
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("+62") == "'+62" and safe_cell("-x") == "'-x" and safe_cell("\tx") == "'\tx"
    assert safe_cell("Cimungkal") == "Cimungkal" and safe_cell(-5.0) == -5.0
    frame = pd.DataFrame({"nama": ["=HYPERLINK(\"http://x\")", "Wado"], "skor": [-0.5, 1.0]})
    write_ranking(frame, tmp_path / "x.csv")
    back = pd.read_csv(tmp_path / "x.csv", encoding="utf-8-sig")
    assert back["nama"][0] == "'=HYPERLINK(\"http://x\")" and back["skor"][0] == -0.5
    write_ranking(frame, tmp_path / "x.xlsx", {"k": "=evil()"})
    book = openpyxl.load_workbook(tmp_path / "x.xlsx")
    cell = book["peringkat"]["A2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")
    assert book["metodologi"]["B2"].value == "'=evil()"


@pytest.mark.parametrize("argv, fragment", [
    (["--year", "1999"], "Tahun 1999"),
    (["--preset", "prevalensi_kasus", "--force-in", "32.11.01.2001"], "KODE=ALASAN"),
    (["--force-in", "99.99.99.9999=x"], "tidak ada di data"),
    (["--top", "-1"], "top_n"),
    (["--table", "tidak_ada.csv"], "tidak_ada.csv"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, argv, fragment):
    rc = main(["score", *argv, "--draws", "5", "--out", str(tmp_path / "o.csv")])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and fragment in err
    assert not (tmp_path / "o.csv").exists()


def test_bad_out_suffix_and_bad_weights(tmp_path, capsys):
    assert main(["score", "--out", str(tmp_path / "o.txt")]) == 2
    bad = tmp_path / "w.json"
    bad.write_text('{"bukan_indikator": 1}', encoding="utf-8")
    assert main(["score", "--weights", str(bad), "--out", str(tmp_path / "o.csv")]) == 2
    assert "bukan_indikator" in capsys.readouterr().err
