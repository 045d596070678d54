"""Exports read back: CSV, XLSX (openpyxl), GPKG/GeoJSON/SHP (geopandas), PNG map, PDF (pypdf), JSON."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import socket
import zipfile
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from geo.core.errors import InputError
from geo.data.model import Dataset
from geo.export import (
    FORMATS,
    SHEETS,
    SYNTHETIC_NOTE,
    export,
    export_context,
    export_csv,
    export_geojson,
    export_gpkg,
    export_json,
    export_pdf,
    export_shp,
    export_xlsx,
    read_scenario_json,
    render_lokus_map,
    safe_filename,
)
from geo.export.common import software_version
from geo.export.content import aksi2_matrix
from geo.export.gis import shp_field_names
from geo.scoring.config import ScoringConfig
from geo.scoring.pipeline import run_scoring
from geo.scoring.presets import preset_config
from geo.scoring.result import ScoringResult
from layouts.text import t

SAFE_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")
WHEN = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)
PLAN = [
    {"kode": "32.11.13.2001", "nama": "Cigendel", "kecamatan": "Pamulihan", "indicator": "sp_imunisasi",
     "value": 61.0, "target": 90.0, "gap": 29.0, "kegiatan": "Sweeping imunisasi dasar lengkap",
     "opd": "Dinas Kesehatan", "volume": 2, "satuan": "paket", "anggaran": 15_000_000, "catatan": ""},
    {"kode": "32.11.16.2006", "nama": "Pamekaran", "kecamatan": "Rancakalong", "indicator": "sp_imunisasi",
     "value": 55.0, "target": 90.0, "gap": 35.0, "kegiatan": "Sweeping imunisasi dasar lengkap",
     "opd": "Dinas Kesehatan", "volume": 1, "satuan": "paket", "anggaran": 7_500_000, "catatan": ""},
    {"kode": "32.11.16.2006", "nama": "Pamekaran", "kecamatan": "Rancakalong", "indicator": "sc_jamban",
     "value": 40.0, "target": 100.0, "gap": 60.0, "kegiatan": "Jamban sehat keluarga",
     "opd": "Dinas Perkim", "volume": 30, "satuan": "unit", "anggaran": 90_000_000, "catatan": "DAK"},
]


@pytest.fixture(scope="module")
def ds(sumedang_dataset) -> Dataset:
    return sumedang_dataset


@pytest.fixture(scope="module")
def result(ds) -> ScoringResult:
    """Default preset, top 20; no coverage indicator, so not SINTETIS."""
    return run_scoring(ds, preset_config(ds, "prevalensi_kasus", draws=100))


@pytest.fixture(scope="module")
def synth(ds) -> ScoringResult:
    """Perpres 72 preset: scores SINTETIS coverage indicators."""
    return run_scoring(ds, preset_config(ds, "perpres72_spesifik", top_n=10, draws=50))


@pytest.fixture(scope="module")
def ctx(result, ds):
    return export_context(result, ds, created_at=WHEN, name="Rembuk 2026", author="Bappeda")


def _chosen_names(result: ScoringResult) -> list[str]:
    return result.ranked().query("rekomendasi == 'ya'")["nama"].tolist()


# --------------------------------------------------------------------------- file names
@pytest.mark.parametrize(("raw", "expected"), [
    ("../../etc/passwd", "etc_passwd"),
    ("Skenario Rembuk/Final.xlsx", "Skenario_Rembuk_Final.xlsx"),
    ("Kabupaten Sumedang — Désa 2026.pdf", "Kabupaten_Sumedang_Desa_2026.pdf"),
    ("", "lokus"),
    ("...", "lokus"),
    ("CON.txt", "lokus_CON.txt"),
    ("-rf .csv", "rf.csv"),
])
def test_safe_filename_examples(raw, expected):
    assert safe_filename(raw) == expected


def test_safe_filename_keeps_extension_within_80():
    name = safe_filename("x" * 200 + ".xlsx")
    assert len(name) == 80 and name.endswith(".xlsx")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_safe_filename_property(text):
    name = safe_filename(text)
    assert SAFE_NAME.match(name) and 1 <= len(name) <= 80 and ".." not in name


# --------------------------------------------------------------------------- CSV
def test_csv_comma_bom_and_exact_list(ctx, result):
    data = export_csv(ctx)
    assert data.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"kode": str})
    assert list(table.columns[:9]) == ["no", "kode", "desa", "kecamatan", "skor", "peringkat", "p_top_n",
                                       "stabilitas", "alasan"]
    assert table["no"].tolist() == list(range(1, 21))
    assert table["desa"].tolist() == _chosen_names(result)
    assert table["kode"].str.fullmatch(r"\d\d\.\d\d\.\d\d\.\d{4}").all()
    assert "catatan_data" not in table and {"rasio_merah", "merah"} <= set(table.columns)
    np.testing.assert_allclose(table["skor"], ctx.lokus["skor"], rtol=0, atol=5e-4)  # 3 decimals


def test_csv_semicolon_writes_decimal_comma(ctx):
    text = export_csv(ctx, sep=";").decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header.startswith("no;kode;desa;kecamatan;skor;")
    skor = first.split(";")[4]
    assert "," in skor and "." not in skor
    table = pd.read_csv(io.StringIO(text), sep=";", decimal=",", dtype={"kode": str})
    np.testing.assert_allclose(table["skor"], ctx.lokus["skor"], rtol=0, atol=5e-4)
    assert table["kode"].iloc[0] == ctx.lokus["kode"].iloc[0]


def test_csv_all_villages_and_bad_separator(ctx):
    table = pd.read_csv(io.BytesIO(export_csv(ctx, all_villages=True)), encoding="utf-8-sig",
                        dtype={"kode": str})
    assert len(table) == 277 and (table["terpilih"] == "ya").sum() == 20
    assert table["peringkat"].tolist() == list(range(1, 278))
    with pytest.raises(InputError, match="Pemisah"):
        export_csv(ctx, sep="\t")


def test_csv_synthetic_column(synth, ds):
    table = pd.read_csv(io.BytesIO(export_csv(export_context(synth, ds))), encoding="utf-8-sig")
    assert len(table) == 10 and (table["catatan_data"] == SYNTHETIC_NOTE).all()


def _number_cells(raw: pd.DataFrame, col: str) -> pd.Series:
    return raw[col][raw[col] != ""]


@pytest.mark.parametrize("sep", [",", ";"])
def test_csv_numbers_rounded_by_column_kind(synth, ds, sep):
    """Issue 11: no 16-decimal floats, no ``47.0`` counts; one rule per column kind, as the XLSX shows."""
    text = export_csv(export_context(synth, ds), sep=sep, all_villages=True).decode("utf-8-sig")
    raw = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    point = "," if sep == ";" else "."
    criteria = [c.id for c in synth.criteria]
    rates = [c for c in criteria if synth.indicators[c].kind == "rate"]
    assert rates  # the preset has rate criteria with k, n and a Wilson interval
    counts = ["peringkat", "peringkat_kec", "n_kec", "tahun",
              *(f"{r}__{x}" for r in rates for x in ("k", "n"))]
    decimals = {"skor": 3, "p_top_n": 2, **dict.fromkeys(criteria, 1),
                **{f"{r}__{x}": 1 for r in rates for x in ("mentah", "ci_bawah", "ci_atas")},
                **{f"{c}__{x}": 3 for c in criteria for x in ("norm", "kontribusi")}}
    for col in counts:
        assert _number_cells(raw, col).str.fullmatch(r"\d+").all(), col
    for col, n in decimals.items():
        cells = _number_cells(raw, col)
        assert cells.str.fullmatch(rf"-?\d+(?:{re.escape(point)}\d{{1,{n}}})?").all(), (col, cells.iloc[0])
    # every number in the file: at most 3 decimals (the old export wrote up to 16)
    numbers = raw.drop(columns=["kode", "kode_kec"]).stack()
    numbers = numbers[numbers.str.fullmatch(rf"-?\d+(?:{re.escape(point)}\d+)?")]
    assert len(numbers) > 277 * 20 and numbers.str.len().max() < 12
    assert not numbers.str.contains(rf"{re.escape(point)}\d{{4,}}").any()
    if sep == ";":
        assert not numbers.str.contains(".", regex=False).any()
    # rounding only: NaN stays an empty cell and every value is within half its last decimal
    full = synth.ranked().reset_index(drop=True)
    table = pd.read_csv(io.StringIO(text), sep=sep, decimal=point, dtype={"kode": str})
    for col, n in decimals.items():
        assert ((raw[col] == "") == full[col].isna()).all(), col
        np.testing.assert_allclose(table[col], full[col], rtol=0, atol=0.5 * 10.0 ** -n + 1e-9)
    assert (raw["sp_ttd_bumil"] == "").any()  # the synthetic table has gaps: they stay empty


def test_csv_lokus_counts_parse_as_integers(ctx):
    text = export_csv(ctx).decode("utf-8-sig")
    table = pd.read_csv(io.StringIO(text), dtype={"kode": str})
    for col in ("no", "peringkat", "merah"):  # merah is a count criterion (children), never "47.0"
        assert table[col].dtype == np.int64, col
    np.testing.assert_array_equal(table["merah"], ctx.lokus["merah"].to_numpy(dtype=int))
    assert table["skor"].map(lambda v: len(repr(v).split(".")[1])).max() <= 3
    assert table["p_top_n"].map(lambda v: len(repr(v).split(".")[1])).max() <= 2
    assert table["rasio_merah"].map(lambda v: len(repr(v).split(".")[1])).max() <= 1


# --------------------------------------------------------------------------- XLSX
def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def test_xlsx_sheets_and_formatting(ctx, result):
    wb = _book(export_xlsx(ctx))
    assert wb.sheetnames == list(SHEETS)
    for ws in wb:
        assert ws.freeze_panes == "A2"
        assert all(c.font.bold for c in ws[1]) and ws["A1"].fill.fgColor.rgb.endswith("1F4E78")
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1"
        assert ws.oddHeader.center.text
        assert all(ws.column_dimensions[c].width >= 6 for c in "ABCD")
    lok = wb["Lokus terpilih"]
    assert _headers(lok)[:9] == ["No", "Kecamatan", "Desa/Kelurahan", "Kode", "Skor", "Peringkat", "P(top-N)",
                                 "Stabilitas", "Alasan"]
    rows = list(lok.iter_rows(min_row=2))
    assert len(rows) == 20 and [r[2].value for r in rows] == _chosen_names(result)
    for r in rows:
        assert r[3].data_type == "s" and r[3].number_format == "@"  # codes stay text
        assert r[0].number_format == "0" and r[4].number_format == "0.000"
        assert r[5].number_format == "0" and r[6].number_format == "0%"
    assert rows[0][8].value == "peringkat 1" and rows[0][8].alignment.wrap_text
    everyone = wb["Skor semua desa"]
    assert everyone.max_row == 278
    head = _headers(everyone)
    assert {"Terpilih", "Rekomendasi", "Tanda data", "rasio_merah (%)", "merah ternormalisasi"} <= set(head)
    kode = [c.value for c in everyone["B"][1:]]
    assert all(isinstance(k, str) for k in kode) and kode[0] == ctx.lokus["kode"].iloc[0]


def test_xlsx_plan_methodology_quality(ctx, result, ds):
    wb = _book(export_xlsx(ctx))
    plan = wb["Rencana kegiatan"]
    assert "belum disusun" in plan["H2"].value and plan.max_row == 2
    meth = {(r[0], r[1]): r[2] for r in wb["Metodologi"].iter_rows(min_row=2, values_only=True)}
    assert meth[("Kriteria", "Rasio skrining merah (merah / anak diukur)")] == pytest.approx(0.6)
    assert meth[("Umum", "Perangkat lunak")] == f"Lokus {software_version()}"
    assert meth[("Umum", "Nama skenario")] == "Rembuk 2026"
    assert meth[("Umum", "Tahun data yang dinilai")] == 2021
    assert meth[("Metode", "Metode skor")].startswith("SAW")
    assert meth[("Pemilihan", "Jumlah desa lokus (N)")] == 20
    assert "Open Data Jabar" in meth[("Sumber data", "Atribusi")]
    assert ScoringConfig.from_dict(json.loads(meth[("Konfigurasi", "ScoringConfig (JSON)")])) == result.config
    quality = list(wb["Kualitas data"].iter_rows(min_row=2, values_only=True))
    missing = {r[1] for r in quality if r[0] == "Poligon tanpa data"}
    assert missing == {p["kode"] for p in ds.report.polygons_without_data} and len(missing) == 7
    assert any(r[0] == "Tanda per desa" and "tanpa data" in r[4] for r in quality)

    with_plan = _book(export_xlsx(export_context(result, ds, plan=PLAN)))["Rencana kegiatan"]
    rows = list(with_plan.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3 and rows[2][7] == "Jamban sehat keluarga" and rows[2][11] == 90_000_000
    assert with_plan["L2"].number_format == "#,##0" and with_plan["A2"].number_format == "@"


def test_xlsx_and_csv_neutralise_formulas(result, ds):
    table = result.table.copy()
    first = result.ranked().query("rekomendasi == 'ya'").index[0]
    table.loc[first, "nama"] = '=HYPERLINK("http://evil.example","klik")'
    table.loc[first, "nama_kec"] = "+1+1"
    table.loc[first, "flags"] = "@SUM(A1)"
    evil = dataclasses.replace(result, table=table)
    code = table.loc[first, "kode"]
    chosen = {code: "-2+3", **{c: "=2*3" for c in result.selection.chosen if c != code}}
    ctx = export_context(evil, ds, chosen=chosen, author="=cmd|' /C calc'!A0", plan=[
        {**PLAN[0], "kegiatan": "=1+1", "satuan": "\tTab", "catatan": "\rCR"}])
    wb = _book(export_xlsx(ctx))
    texts = []
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
    for value in ('\'=HYPERLINK("http://evil.example","klik")', "'+1+1", "'-2+3", "'@SUM(A1)", "'=1+1",
                  "'\tTab", "'\rCR", "'=cmd|' /C calc'!A0", "'=2*3"):
        assert value in texts
    csv = pd.read_csv(io.BytesIO(export_csv(ctx)), encoding="utf-8-sig", dtype=str)
    assert csv["desa"].iloc[0] == '\'=HYPERLINK("http://evil.example","klik")'
    assert csv["alasan"].iloc[0] == "'-2+3" and csv["kecamatan"].iloc[0] == "'+1+1"


def test_xlsx_synthetic_is_visible(synth, ds):
    wb = _book(export_xlsx(export_context(synth, ds)))
    first = [c.value for c in wb["Metodologi"][2]]
    assert first[0] == "PERHATIAN" and "SINTETIS" in first[2] and wb["Metodologi"]["A2"].font.bold
    assert "DATA SINTETIS" in wb["Lokus terpilih"].oddHeader.center.text
    lok = wb["Lokus terpilih"]
    assert _headers(lok)[-1] == "Catatan data" and lok.cell(2, lok.max_column).value == SYNTHETIC_NOTE
    assert wb["Lokus terpilih"].max_row == 11


# --------------------------------------------------------------------------- GIS
def _check_layer(gdf: gpd.GeoDataFrame, ctx, names: dict[str, str] | None = None) -> None:
    n = names or {k: k for k in ("no", "kode", "nama", "kecamatan", "peringkat", "skor", "p_top_n")}
    assert len(gdf) == len(ctx.lokus) == 20
    assert gdf.crs.to_epsg() == 4326
    assert gdf[n["kode"]].tolist() == ctx.lokus["kode"].tolist()
    assert gdf[n["nama"]].tolist() == ctx.lokus["nama"].tolist()
    assert gdf[n["peringkat"]].astype(int).tolist() == ctx.lokus["peringkat"].tolist()
    np.testing.assert_allclose(gdf[n["skor"]].astype(float), ctx.lokus["skor"], rtol=1e-9)
    # a shapefile does not tell single from multi parts: readers return Polygon for one part
    kinds = {"MultiPolygon"} if names is None else {"Polygon", "MultiPolygon"}
    assert set(gdf.geom_type) <= kinds and gdf.is_valid.all()
    source = ctx.dataset.villages.set_index("kode").loc[ctx.lokus["kode"]].geometry
    np.testing.assert_allclose(gdf.to_crs(32748).area.to_numpy(), source.to_crs(32748).area.to_numpy(),
                               rtol=1e-6)


def test_gpkg_and_geojson_read_back(ctx, tmp_path):
    gpkg = tmp_path / "lokus.gpkg"
    gpkg.write_bytes(export_gpkg(ctx))
    import pyogrio

    assert [layer[0] for layer in pyogrio.list_layers(gpkg)] == ["lokus"]
    _check_layer(gpd.read_file(gpkg, layer="lokus"), ctx)
    geojson = tmp_path / "lokus.geojson"
    geojson.write_bytes(export_geojson(ctx))
    doc = json.loads(geojson.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 20
    assert isinstance(doc["features"][0]["properties"]["kode"], str)
    _check_layer(gpd.read_file(geojson), ctx)


def test_zipped_shapefile(ctx, synth, ds, tmp_path):
    path = tmp_path / "lokus.zip"
    path.write_bytes(export_shp(ctx))
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert {"lokus.shp", "lokus.shx", "lokus.dbf", "lokus.prj", "lokus.cpg", "lokus_kolom.txt"} == names
        assert zf.read("lokus.cpg").decode().strip().upper().replace("-", "") == "UTF8"
        key = zf.read("lokus_kolom.txt").decode("utf-8")
    gdf = gpd.read_file(path)
    fields = [c for c in gdf.columns if c != "geometry"]
    assert all(len(f) <= 10 for f in fields)
    mapping = shp_field_names(ctx)
    assert fields == list(mapping.values())
    assert mapping["kecamatan"] == "kec" and mapping["peringkat"] == "rank" and mapping["p_top_n"] == "p_topn"
    for full, short in mapping.items():
        assert f"{short:<10} = {full}:" in key
    _check_layer(gdf, ctx, mapping)

    s_path = tmp_path / "s.zip"
    s_path.write_bytes(export_shp(export_context(synth, ds)))
    s_gdf = gpd.read_file(s_path)
    assert (s_gdf["catatan"] == SYNTHETIC_NOTE).all() and len(s_gdf) == 10
    assert all(len(c) <= 10 for c in s_gdf.columns)


def test_shapefile_cuts_long_text_to_dbf_limit(result, ds, tmp_path):
    code = result.selection.chosen[0]
    long = "alasan panjang dengan huruf é " * 20
    ctx = export_context(result, ds, chosen={code: long})
    path = tmp_path / "l.zip"
    path.write_bytes(export_shp(ctx))
    got = gpd.read_file(path)["alasan"].iloc[0]
    assert len(got.encode("utf-8")) <= 254 and long.startswith(got)
    assert gpd.read_file(io.BytesIO(export_geojson(ctx)))["alasan"].iloc[0] == long.strip()


# --------------------------------------------------------------------------- static map
def test_static_map_renders_offline(ctx, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the static map must not use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    png = render_lokus_map(ctx)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    img = Image.open(io.BytesIO(png)).convert("RGB")
    assert img.size == (1400, 1600)
    pixels = np.asarray(img)
    packed = (pixels[..., 0].astype(np.int32) << 16) | (pixels[..., 1].astype(np.int32) << 8) | pixels[..., 2]
    assert pixels.std() > 20 and len(np.unique(packed)) > 50
    lokus_red = np.all(np.abs(pixels.astype(int) - [0x8B, 0x1A, 0x1A]) < 12, axis=-1)
    assert lokus_red.sum() > 2000  # the lokus villages are drawn
    small = Image.open(io.BytesIO(render_lokus_map(ctx, dpi=50, size=(4.0, 5.0))))
    assert small.size == (200, 250)


# --------------------------------------------------------------------------- PDF
def _pdf_text(data: bytes) -> tuple[str, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    return " ".join(pages), pages


def test_pdf_report_contents(result, ds):
    ctx = export_context(result, ds, plan=PLAN, name="Rembuk 2026", author="Bappeda Sumedang",
                         created_at=WHEN, lokus_year=2026)
    data = export_pdf(ctx, place="Sumedang", date_text="5 Januari 2026", signer_name="Dr. H. Contoh, M.Si.",
                      nip="19700101 199001 1 001")
    assert data.startswith(b"%PDF")
    text, pages = _pdf_text(data)
    assert "Rekomendasi Desa Lokus Stunting Tahun 2026" in pages[0]
    assert "Kabupaten Sumedang" in pages[0] and "Rembuk 2026" in pages[0] and "Bappeda Sumedang" in pages[0]
    assert "5 Januari 2026" in pages[0] and "DATA SINTETIS" not in text
    assert "Peta desa lokus" in pages[1]
    for name in _chosen_names(result):
        assert name in text
    assert "Sweeping imunisasi dasar lengkap" in text and "Dinas Perkim" in text
    assert "Metodologi" in text and "Rasio skrining merah" in text and f"Lokus {software_version()}" in text
    last = pages[-1]
    assert "Lampiran Keputusan Bupati Sumedang: Daftar Desa Lokus Stunting Tahun 2026" in last
    assert "Ditetapkan di: Sumedang" in last and "Pada tanggal: 5 Januari 2026" in last
    assert "BUPATI SUMEDANG" in last and "Dr. H. Contoh, M.Si." in last
    assert "NIP 19700101 199001 1 001" in last
    for name in _chosen_names(result):
        assert name in last


@pytest.mark.slow  # renders a PDF with its map (seconds)
def test_pdf_blank_signature_no_plan_and_synthetic(synth, ds):
    text, pages = _pdf_text(export_pdf(export_context(synth, ds)))
    assert "SINTETIS" in pages[0] and all("DATA SINTETIS" in p for p in pages)
    assert "Rencana kegiatan (Aksi 2) belum disusun." in text
    last = pages[-1]
    assert "Lampiran Keputusan Bupati" in last and "(nama)" in last and "NIP ____" in last
    assert "Ditetapkan di: ____" in last and "Pada tanggal: ____" in last
    for name in _chosen_names(synth):
        assert name in last


@pytest.mark.slow  # renders two PDFs with their maps
def test_pdf_aksi2_page_says_synthetic(synth, ds):
    """Issue 11: the Aksi 2 page (handed to OPDs on its own) carries the SINTETIS notice in its body."""
    codes = [p["kode"] for p in PLAN]
    for plan, lang in ((PLAN, "id"), (None, "en")):
        ctx = export_context(synth, ds, chosen=list(dict.fromkeys(codes)), plan=plan)
        _, pages = _pdf_text(export_pdf(ctx, lang=lang))
        notice = " ".join(t("export.synthetic.plan", lang).split())
        aksi2 = [p for p in pages if t("export.pdf.aksi2", lang) in p]
        assert len(aksi2) == 1 and notice in aksi2[0] and t("export.synthetic.alert", lang) in notice
        assert sum(notice in p for p in pages) == 1


# --------------------------------------------------------------------------- JSON
def test_json_shape_and_exact_round_trip(ds):
    config = preset_config(ds, "prevalensi_kasus", draws=60, top_n=8, max_per_kecamatan=1,
                           force_in={"32.11.01.2001": "Keputusan rembuk"})
    res = run_scoring(ds, config)
    data, filename, mime = export("json", res, ds, name="Rembuk", author="Tim", notes="catatan",
                                  created_at=WHEN)
    assert mime == "application/json" and filename.endswith("_skenario.json")
    doc = json.loads(data)
    assert list(doc) == ["format", "version", "dataset_id", "name", "config", "chosen", "notes", "author",
                         "created_at"]
    assert doc["format"] == "lokus-scenario" and doc["version"] == 1 and doc["dataset_id"] == "sumedang"
    assert doc["created_at"] == "2026-01-05T08:30:00+00:00" and doc["notes"] == "catatan"
    assert {"kode": "32.11.01.2001", "alasan": "dipaksa masuk: Keputusan rembuk"} in doc["chosen"]
    again = run_scoring(ds, ScoringConfig.from_dict(doc["config"]))
    pd.testing.assert_frame_equal(again.table, res.table)
    assert [c["kode"] for c in doc["chosen"]] == res.ranked().query("rekomendasi == 'ya'")["kode"].tolist()
    assert set(again.selection.chosen) == {c["kode"] for c in doc["chosen"]}
    parsed = read_scenario_json(data)
    assert parsed.config == config and parsed.name == "Rembuk"
    assert parsed.chosen[0][0] == doc["chosen"][0]["kode"]


def test_export_json_direct_and_bad_documents(result):
    data = export_json(result.config, [{"kode": "32.11.13.2001", "alasan": "rembuk"}, ("32.11.16.2006", "")],
                       dataset_id="sumedang", created_at="2026-01-01T00:00:00+00:00")
    doc = json.loads(data)
    assert doc["chosen"] == [{"kode": "32.11.13.2001", "alasan": "rembuk"},
                             {"kode": "32.11.16.2006", "alasan": ""}]
    assert doc["name"] == "" and doc["config"] == result.config.to_dict()
    for bad, match in [(b"{not json", "bukan JSON"), ({"format": "x"}, "bukan dokumen"),
                       ({**doc, "version": 2}, "versi"), ({**doc, "config": {**doc["config"], "foo": 1}},
                                                          "tidak valid"),
                       ({k: v for k, v in doc.items() if k != "dataset_id"}, "kunci wajib")]:
        with pytest.raises(InputError, match=match):
            read_scenario_json(bad)


# --------------------------------------------------------------------------- dispatcher, inputs
def test_dispatcher_every_format(result, synth, ds):
    for fmt in FORMATS:
        data, filename, mime = export(fmt, result, ds, name="A/B Rembuk")
        assert data and mime == FORMATS[fmt].mimetype and SAFE_NAME.match(filename)
        assert filename.endswith("." + FORMATS[fmt].suffix)
        assert "A_B_Rembuk" in filename and len(filename) <= 80
    _, filename, _ = export("csv", synth, ds)
    assert filename == "lokus_Sumedang_2021_SINTETIS.csv"
    _, filename, _ = export("csv", synth, ds, sep=";", all_villages=True)
    assert filename == "lokus_Sumedang_2021_semua_desa_titik-koma_SINTETIS.csv"
    with pytest.raises(InputError, match="format 'docx'"):
        export("docx", result, ds)


def test_chosen_forms_and_errors(result, ds):
    codes = list(result.selection.chosen[:3])
    reversed_pairs = [(c, f"alasan {i}") for i, c in enumerate(reversed(codes))]
    by_pairs = export_context(result, ds, chosen=reversed_pairs).lokus
    by_map = export_context(result, ds, chosen=dict(reversed_pairs)).lokus
    by_dicts = export_context(result, ds, chosen=[{"kode": c, "alasan": r} for c, r in reversed_pairs]).lokus
    pd.testing.assert_frame_equal(by_pairs, by_map)
    pd.testing.assert_frame_equal(by_pairs, by_dicts)
    assert by_pairs["kode"].tolist() == codes  # numbered by rank, whatever the given order
    bare = export_context(result, ds, chosen=[codes[0], "32.11.17.1001"]).lokus
    assert bare["alasan"].tolist() == ["peringkat 1", "dipilih manual"]
    with pytest.raises(InputError, match="tidak ada di hasil"):
        export_context(result, ds, chosen=["99.99.99.9999"])
    with pytest.raises(InputError, match="lebih dari sekali"):
        export_context(result, ds, chosen=[codes[0], codes[0]])


def test_plan_forms(result, ds):
    @dataclasses.dataclass
    class Item:  # stands in for geo.decide.plan.PlanItem
        kode: str
        nama: str
        kecamatan: str
        kegiatan: str
        opd: str
        volume: float
        satuan: str
        anggaran: float

    items = [Item(**{k: p[k] for k in ("kode", "nama", "kecamatan", "kegiatan", "opd", "volume", "satuan",
                                        "anggaran")}) for p in PLAN]
    frames = [aksi2_matrix(export_context(result, ds, plan=plan))
              for plan in (PLAN, pd.DataFrame(PLAN), items)]
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frame, frames[0])
    matrix = frames[0]
    assert matrix["kegiatan"].tolist() == ["Sweeping imunisasi dasar lengkap", "Jamban sehat keluarga"]
    assert matrix["desa"].iloc[0] == "Cigendel, Pamekaran" and matrix["anggaran"].iloc[0] == 22_500_000
    assert aksi2_matrix(export_context(result, ds, plan=[])) is None


def test_quality_sheet_lists_excluded_rows_and_conflicts_in_the_language(data_dir, tmp_path):
    """The decree's workbook carries what its numbers rest on: each excluded cell or row with
    file, row, column, value and reason, and conflicting duplicates as left out, not "used"."""
    from geo.data.loading import load_dataset

    table = pd.read_csv(data_dir / "sumedang" / "sumedang_stunting_posyandu_2019_2021.csv", dtype=str)
    table.loc[0, "anak_0_23_merah_terindikasi_stunting"] = "n/a"
    conflict = table.iloc[[4]].copy()
    conflict["anak_0_23_hijau_normal"] = "999"
    table = pd.concat([table, conflict], ignore_index=True)
    path = tmp_path / "tabel_berantakan.csv"
    table.to_csv(path, index=False)
    messy = load_dataset(data_dir / "sumedang" / "sumedang_desa_kel_2025.geojson", path,
                         dataset_id="x", title="Sumedang berantakan", data_dir=data_dir)
    res = run_scoring(messy, preset_config(messy, "prevalensi_kasus", draws=20), stability=False,
                      hotspots=False)
    last_row = len(table) + 1
    for lang, expected in (
            ("id", ("tabel_berantakan.csv, baris 2, kolom anak_0_23_merah_terindikasi_stunting, "
                    "nilai 'n/a': bukan angka (sel dikeluarkan)",
                    f"baris 6, {last_row} (tahun 2020) berbeda nilainya: semuanya dikeluarkan")),
            ("en", ("tabel_berantakan.csv, row 2, column anak_0_23_merah_terindikasi_stunting, "
                    "value 'n/a': not a number (cell left out)",
                    f"rows 6, {last_row} (year 2020) differ: all left out"))):
        book = openpyxl.load_workbook(io.BytesIO(export_xlsx(export_context(res, messy), lang=lang)))
        notes = [r[4] for r in book.worksheets[-1].iter_rows(values_only=True) if r and r[4]]
        assert expected[0] in notes
        assert sum(str(n).startswith(expected[1]) for n in notes) == 1  # once per conflicting group
