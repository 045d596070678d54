"""Exports in Bahasa Indonesia (default) and English: sheets, headers, PDF text, numbers, CSV, file names."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from geo.data.model import Dataset
from geo.export import SHEETS, export, export_context, export_csv, export_shp, export_xlsx, sheet_names
from geo.export.pdf import export_pdf
from geo.scoring.pipeline import run_scoring
from geo.scoring.presets import preset_config
from geo.scoring.result import ScoringResult

WHEN = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)
#: One plan row with a volume that needs both separators: 1.234,5 / 1,234.5.
PLAN = [{"kode": "32.11.13.2001", "nama": "Cigendel", "kecamatan": "Pamulihan", "kegiatan": "Kelas ibu hamil",
         "opd": "Dinas Kesehatan", "volume": 1234.5, "satuan": "paket", "anggaran": 112_500_000}]
#: Indonesian headers and titles that must not be left in an English workbook.
ID_HEADERS = {"Kecamatan", "Desa/Kelurahan", "Kode", "Skor", "Peringkat", "Stabilitas", "Alasan", "Terpilih",
              "Rekomendasi", "Kelas prioritas", "Tanda data", "Kegiatan", "Anggaran (Rp)", "Satuan", "Bagian",
              "Butir", "Nilai", "Keterangan", "Catatan data"}


@pytest.fixture(scope="module")
def ds(sumedang_dataset) -> Dataset:
    return sumedang_dataset


@pytest.fixture(scope="module")
def result(ds) -> ScoringResult:
    return run_scoring(ds, preset_config(ds, "prevalensi_kasus", draws=50))


@pytest.fixture(scope="module")
def synth(ds) -> ScoringResult:
    return run_scoring(ds, preset_config(ds, "perpres72_spesifik", top_n=10, draws=30))


@pytest.fixture(scope="module")
def ctx(result, ds):
    return export_context(result, ds, plan=PLAN, created_at=WHEN, name="Rembuk 2026", lokus_year=2026)


def _headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def _pdf_text(data: bytes) -> str:
    return "\n".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


# --------------------------------------------------------------------------- XLSX
def test_xlsx_english_sheets_and_headers(synth, ds):
    wb = openpyxl.load_workbook(io.BytesIO(export_xlsx(export_context(synth, ds), lang="en")))
    assert wb.sheetnames == list(sheet_names("en")) == ["Chosen lokus", "All village scores", "Activity plan",
                                                        "Methodology", "Data quality"]
    assert not set(wb.sheetnames) & set(SHEETS)
    lok = wb["Chosen lokus"]
    assert _headers(lok)[:9] == ["No.", "Subdistrict", "Village", "Code", "Score", "Rank", "P(top-N)",
                                 "Stability", "Reason"]
    assert _headers(lok)[-1] == "Data note" and "SYNTHETIC" in lok.cell(2, lok.max_column).value
    every = {h for ws in wb for h in _headers(ws)}
    assert not every & ID_HEADERS, every & ID_HEADERS
    assert not [h for h in every if re.search(r"mentah|ternormalisasi|kontribusi|penyebut", str(h))]
    assert {"Chosen", "Priority class", "rasio_merah normalised", "Budget (Rp)", "Section"} <= every
    assert lok.oddFooter.right.text == "Page &P of &N" and "SYNTHETIC DATA" in lok.oddHeader.center.text
    # cells stay numbers with a number format; closed vocabularies are translated
    row = list(lok[2])
    assert isinstance(row[4].value, float) and row[4].number_format == "0.000"
    assert {r[7] for r in lok.iter_rows(min_row=2, values_only=True)} <= {"core", "swing", "rare"}
    chosen = [r[11] for r in wb["All village scores"].iter_rows(min_row=2, values_only=True)]
    assert chosen.count("yes") == 10 and set(chosen) == {"yes", "no"}


def test_xlsx_english_methodology_uses_english_labels(ctx):
    wb = openpyxl.load_workbook(io.BytesIO(export_xlsx(ctx, lang="en")))
    meth = {(r[0], r[1]): r[2] for r in wb["Methodology"].iter_rows(min_row=2, values_only=True)}
    assert meth[("Criteria", "Red screening rate (red / children measured)")] == pytest.approx(0.6)
    assert meth[("General", "Scenario name")] == "Rembuk 2026"
    assert meth[("Method", "Scoring method")].startswith("SAW (weighted sum")
    assert meth[("Selection", "Number of lokus villages (N)")] == 20
    assert not any(key[0] in {"Umum", "Kriteria", "Metode", "Pemilihan"} for key in meth)
    assert wb["Activity plan"]["H2"].value == "Kelas ibu hamil"  # user text stays as typed


# --------------------------------------------------------------------------- PDF
@pytest.fixture(scope="module")
def pdfs(ctx) -> dict[str, str]:
    args = {"place": "Sumedang", "date_text": "5 Januari 2026", "signer_name": "Dr. H. Contoh"}
    return {lang: _pdf_text(export_pdf(ctx, lang=lang, **args)) for lang in ("id", "en")}


@pytest.mark.slow  # the pdfs fixture renders two PDFs with their maps
def test_pdf_english_headings_and_numbers(pdfs, ctx):
    en = pdfs["en"]
    for text in ("Recommended Stunting Lokus Villages 2026", "Map of the lokus villages",
                 "List of lokus villages",
                 "Activity plan matrix (Action 2)", "Methodology", "Criteria, direction and weight",
                 "Annex to the Decree of the Regent of Sumedang: List of Stunting Lokus Villages 2026",
                 "Issued at: Sumedang", "REGENT OF SUMEDANG", "5 January 2026", "Page 1",
                 "Red screening rate (red / children measured)"):
        assert text in en, text
    assert "1,234.5 paket" in en and "Total budget: Rp 112,500,000" in en
    first_score = f"{ctx.lokus['skor'].iloc[0]:.3f}"
    assert first_score in en and first_score.replace(".", ",") not in en
    for text in ("Daftar desa lokus", "Metodologi", "Halaman", "Lampiran Keputusan", "1.234,5",
                 "Jumlah anggaran"):
        assert text not in en, text


@pytest.mark.slow
def test_pdf_indonesian_numbers(pdfs, ctx):
    id_ = pdfs["id"]
    assert "Rekomendasi Desa Lokus Stunting Tahun 2026" in id_ and "Daftar desa lokus" in id_
    assert "1.234,5 paket" in id_ and "Jumlah anggaran: Rp 112.500.000" in id_
    assert f"{ctx.lokus['skor'].iloc[0]:.3f}".replace(".", ",") in id_
    assert "1,234.5" not in id_ and "Recommended" not in id_ and "Halaman 1" in id_


# --------------------------------------------------------------------------- CSV, GIS, JSON, file names
def test_csv_headers_follow_the_language(ctx):
    en = export_csv(ctx, lang="en").decode("utf-8-sig").splitlines()[0]
    assert en.startswith("no,code,village,subdistrict,score,rank,p_top_n,stability,reason,")
    assert "rasio_merah" in en  # criterion columns keep the indicator id
    assert export_csv(ctx).decode("utf-8-sig").startswith("no,kode,desa,kecamatan,skor,")
    table = pd.read_csv(io.BytesIO(export_csv(ctx, all_villages=True, lang="en")), encoding="utf-8-sig")
    assert {"code", "village", "chosen", "rasio_merah__raw", "rasio_merah__contribution"} <= set(table)
    assert not {"kode", "nama", "terpilih", "rasio_merah__mentah"} & set(table.columns)
    assert (table["chosen"] == "yes").sum() == 20
    semi = export_csv(ctx, sep=";", lang="en").decode("utf-8-sig").splitlines()
    assert semi[0].startswith("no;code;") and "," in semi[1].split(";")[4]  # ';' keeps the decimal comma


def test_csv_variants_have_distinct_self_explaining_names(result, ds):
    """Issue 11: the ``;``/decimal-comma CSV no longer shares the comma CSV's file name."""
    names = {(sep, lang): export("csv", result, ds, sep=sep, lang=lang)[1]
             for sep in ",;" for lang in ("id", "en")}
    assert names[(",", "id")] == names[(",", "en")] == "lokus_Sumedang_2021.csv"
    assert names[(";", "id")] == "lokus_Sumedang_2021_titik-koma.csv"
    assert names[(";", "en")] == "lokus_Sumedang_2021_semicolon.csv"
    assert export("csv", result, ds, sep=";", all_villages=True, lang="en")[1] == \
        "lokus_Sumedang_2021_all_villages_semicolon.csv"


def test_file_names_gis_and_json_in_english(synth, ds, tmp_path):
    _, name, _ = export("csv", synth, ds, all_villages=True, lang="en")
    assert name == "lokus_Sumedang_2021_all_villages_SYNTHETIC.csv"
    assert export("csv", synth, ds, all_villages=True)[1] == "lokus_Sumedang_2021_semua_desa_SINTETIS.csv"
    ja, name_en, _ = export("json", synth, ds, lang="en", created_at=WHEN)
    jb, name_id, _ = export("json", synth, ds, created_at=WHEN)
    assert name_en.endswith("_scenario_SYNTHETIC.json") and name_id.endswith("_skenario_SINTETIS.json")
    assert ja == jb and list(json.loads(ja))[:2] == ["format", "version"]  # machine format: unchanged
    ctx = export_context(synth, ds)
    zips = {lang: zipfile.ZipFile(io.BytesIO(export_shp(ctx, lang=lang))) for lang in ("id", "en")}
    key = zips["en"].read("lokus_kolom.txt").decode("utf-8")
    assert "Kemendagri village code (text)" in key and "kode desa Kemendagri" not in key
    assert "kode desa Kemendagri" in zips["id"].read("lokus_kolom.txt").decode("utf-8")
    cols = {}
    for lang, zf in zips.items():
        zf.extractall(tmp_path / lang)
        cols[lang] = gpd.read_file(tmp_path / lang / "lokus.shp")
    assert list(cols["en"].columns) == list(cols["id"].columns)  # field names are a schema
    assert set(cols["en"]["stabil"]) <= {"core", "swing", "rare"}
    assert cols["en"]["catatan"].str.startswith("SYNTHETIC").all()
