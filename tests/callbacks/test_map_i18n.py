"""The map page and the data/join report in Bahasa Indonesia (default) and English."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.io
import pytest
from shapely.geometry import box

from callbacks.datasets import switch_outputs
from callbacks.map_page import hover_text, select_village, table_rows, update_indicator
from geo.core.messages import render_all
from geo.data.join import join_table
from geo.io.matching import match_names, name_matching_reason
from geo.scoring.classify import classify
from layouts import map_page
from layouts.dataset_view import preset_labels, source_line, village_choices
from layouts.mapfig import NO_DATA_COLOUR, class_colours

#: Props that hold code, not words.
_SKIP = {"id", "className", "type", "namespace", "style", "field", "value", "html_for",
         "getRowId", "valueFormatter", "role", "color", "text_color", "sort"}


def texts(obj) -> str:
    """Every visible-ish string of a component tree (children, labels, placeholders, headers)."""
    out: list[str] = []

    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                if k not in _SKIP:
                    walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str):
            out.append(node)

    walk(json.loads(plotly.io.json.to_json_plotly(obj)))
    return "\n".join(out)


@pytest.fixture(scope="module")
def dataset(registry):
    return registry.get("sumedang")


def _both(build) -> tuple[str, str]:
    return texts(build("id")), texts(build("en"))


def _check(build, indonesian: list[str], english: list[str]) -> None:
    id_text, en_text = _both(build)
    for word in indonesian:
        assert word in id_text, f"Indonesian page lost {word!r}: the test could not fail"
        assert word not in en_text, f"{word!r} left in the English page"
    for word in english:
        assert word in en_text, word
        assert word not in id_text, word


def test_controls(dataset):
    _check(lambda lang: map_page.controls(dataset, "rasio_merah", 2021, None, lang),
           ["Indikator", "Klasifikasi", "Jumlah kelas", "Semua kecamatan", "Peta dasar",
            "perlu internet", "Kuantil", "Interval sama", "Ambang WHO", "Rasio skrining merah"],
           ["Indicator", "Classification", "Number of classes", "All sub-districts", "Base map",
            "needs internet", "Quantiles", "Equal intervals", "WHO/UNICEF 2019 thresholds",
            "Red screening rate"])


def test_map_and_table_panels(dataset):
    _check(lambda lang: [map_page.map_panel({}, source_line(dataset, lang), lang),
                         map_page.table_panel(lang)],
           ["Lapisan peta", "Skor prioritas", "Rekomendasi lokus", "Stabilitas", "Hotspot LISA",
            "Perbandingan skenario", "Cari desa", "Tidak ada desa", "peta-lokus"],
           ["Map layer", "Priority score", "Stability", "LISA hotspots", "Scenario comparison",
            "Search villages", "No villages", "lokus-map", "Source: "])
    assert source_line(dataset).startswith("Sumber: ")  # the attribution itself is Indonesian


def test_table_columns(dataset):
    rate = dataset.values("rasio_merah", 2021)
    count = dataset.values("merah", 2021)
    _check(lambda lang: [map_page.column_defs(rate, lang), map_page.column_defs(count, lang)],
           ["Kecamatan", "Desa/Kel.", "Pembilang", "Jumlah", "Kode"],
           ["Sub-district", "Village", "Numerator", "Count", "Code"])


def test_report_panel(dataset):
    _check(lambda lang: map_page.report_panel(dataset, lang),
           ["Catatan data dan sumber", "Laporan penggabungan data", "poligon desa mendapat data",
            "poligon tanpa data", "baris tabel tanpa poligon", "Tahun 2021", "Tabel cakupan intervensi",
            "dan 2 lainnya"],
           ["Data notes and sources", "Data join report", "village polygons have data",
            "Polygons without data (7)", "Table rows without a polygon", "Year 2021",
            "Intervention coverage tables", "and 2 more", "97.5% of polygons"])
    badge = [c for c in map_page.coverage_body(dataset, "en")[1].children[0].children
             if not isinstance(c, str)]
    assert badge and badge[0].children == "SYNTHETIC"


def test_legend_summary_hover_note_in_english(registry):
    id_out = update_indicator(registry, "sumedang", "rasio_merah", 2021, "quantiles", 5, None)
    en_out = update_indicator(registry, "sumedang", "rasio_merah", 2021, "quantiles", 5, None, "en")
    id_legend, en_legend = texts(id_out[1]), texts(en_out[1])
    assert "Arah: makin tinggi makin buruk" in id_legend and "desa" in id_legend
    assert "Tanpa data" in id_legend
    assert "Direction: higher is worse" in en_legend and "No data" in en_legend
    assert re.search(r"\d+ villages", en_legend) and " desa" not in en_legend
    assert "> 0,0 – 2,2" in id_legend and "> 0.0 – 2.2" in en_legend
    id_summary, en_summary = texts(id_out[2]), texts(en_out[2])
    assert "Desa dengan data" in id_summary and "Angka kabupaten" in id_summary
    assert "Villages with data" in en_summary and "District rate (pooled)" in en_summary
    assert "Numerator / denominator" in en_summary and "Pembilang" not in en_summary
    assert "3,1%" in id_summary and "3.1%" in en_summary
    assert re.search(r"\d+ / \d{1,3}\.\d{3}", id_summary)  # 743 / 23.690
    assert re.search(r"\d+ / \d{1,3},\d{3}", en_summary)  # 743 / 23,690
    assert "skrining" in id_out[5] and "screening" in en_out[5] and "skrining" not in en_out[5]
    template = en_out[0].to_plotly_json()["operations"]
    hover = next(op["params"]["value"] for op in template if op["location"][-1] == "hovertemplate")
    assert "sub-district" in hover and "Kec." not in hover and "Red screening rate" in hover


def test_legend_number_format_with_thousands(dataset):
    values = dataset.values("anak_diukur", 2021)
    big = replace(values, value=values.value * 123.45)
    out = {}
    for lang in ("id", "en"):
        classes = classify(big.value, "equal_interval", 3, lang=lang)
        colours = class_colours(len(classes.labels), big.indicator.direction)
        out[lang] = texts(map_page.legend(big, classes, colours, NO_DATA_COLOUR, lang))
    assert re.search(r"\d{1,3}\.\d{3},\d", out["id"]) and "anak" in out["id"]  # 1.234,5
    assert re.search(r"\d{1,3},\d{3}\.\d", out["en"]) and "children" in out["en"]  # 1,234.5
    assert "konteks" in out["id"] and "context (denominator)" in out["en"]


def test_who_legend_in_english(registry):
    _fig, legend, *_ = update_indicator(registry, "sumedang", "rasio_merah", 2021, "who", 5, None,
                                        "en")
    text = texts(legend)
    assert "Very low (0.0–< 2.5%)" in text and "WHO/UNICEF stunting prevalence thresholds" in text
    assert "Sangat rendah" not in text and "Ambang" not in text


def test_hover_detail_and_large_table_note(registry, dataset):
    values = dataset.values("rasio_merah", 2021)
    id_hover, en_hover = hover_text(values), hover_text(values, "en")
    assert any("IK 95%" in h for h in id_hover) and "tanpa data" in id_hover
    assert any("95% CI" in h for h in en_hover) and "no data" in en_hover
    assert not any("IK 95%" in h or "tanpa data" in h for h in en_hover)
    _fig, detail = select_village(registry, "sumedang", "32.11.01.2001", "en")
    assert detail.startswith("Selected: ") and "(village)" in detail and "code 32.11.01.2001" in detail
    _fig, detail = select_village(registry, "sumedang", "32.11.01.2001")
    assert detail.startswith("Terpilih: ") and "(desa)" in detail
    many = pd.concat([dataset.villages] * 20, ignore_index=True)
    big = replace(values, value=np.tile(values.value, 20), numerator=np.tile(values.numerator, 20),
                  denominator=np.tile(values.denominator, 20))
    assert "Tabel menampilkan 2.000 desa" in table_rows(many, big, None)[1]
    assert "The table shows the 2,000 villages" in table_rows(many, big, None, "en")[1]


def test_dataset_switch_outputs_follow_the_language(registry, dataset):
    id_out, en_out = switch_outputs(registry, "sumedang"), switch_outputs(registry, "sumedang", "en")
    assert id_out[0].layout.separators == ",." and en_out[0].layout.separators == ".,"
    assert id_out[1].startswith("Sumber: ") and en_out[1].startswith("Source: ")
    assert "contains synthetic data" in texts(en_out[2])
    labels = {o["value"]: o["label"] for o in en_out[3]}
    assert labels["rasio_merah"] == dataset.indicator("rasio_merah").label_en
    assert "SYNTHETIC" in texts(en_out[12]) and "SINTETIS" not in texts(en_out[12])
    assert "sub-district" in en_out[13][0]["label"] and "Kec." in id_out[13][0]["label"]
    assert "Data join report" in texts(en_out[-1]) and "Laporan penggabungan" in texts(id_out[-1])
    assert village_choices(dataset)[0][1] == id_out[13][0]["label"]
    assert preset_labels("en")["prevalensi_kasus"] == "Prevalence + number of cases"
    assert preset_labels()["prevalensi_kasus"] == "Prevalensi + jumlah kasus"


def test_join_report_lines_in_english():
    codes = [f"32.11.01.2{i:03d}" for i in range(1, 31)]
    boundaries = gpd.GeoDataFrame(
        {"kode": [*codes, codes[0]], "nama": [f"D{i}" for i in range(31)], "nama_kec": ["W"] * 31},
        geometry=[box(0, 0, 1, 1)] * 31)
    table = pd.DataFrame({
        "kode": pd.array([f"32.11.02.2{i:03d}" for i in range(1, 26)] + [codes[1], codes[1], None],
                         dtype="string"),
        "tahun": [2020] * 27 + [None], "_row": range(2, 30)})
    _, report = join_table(boundaries, table, table_file="t.csv")
    id_lines, en_lines = render_all(report.summary()), render_all(report.summary(), "en")
    assert id_lines[0] == "1 dari 31 poligon desa mendapat data."
    assert en_lines[0] == "1 of 31 village polygons have data."
    assert en_lines[1].startswith("Polygons without data (30): D0 (32.11.01.2001)")
    assert en_lines[1].endswith(" and 25 more.")
    assert en_lines[2].startswith("Table rows without a polygon (25): row 2 (32.11.02.2001)")
    # identical duplicates collapse (was "ignored; the first row is used": first-row-wins)
    assert en_lines[3] == ("Duplicate rows with identical values collapsed into one (1): "
                           "row 28 (32.11.01.2002).")
    assert en_lines[4] == "Rows with an empty or invalid village code (1): row 29."
    assert en_lines[5] == "Village codes found on more than one polygon (1): 32.11.01.2001."
    assert en_lines[6].endswith(": 1 villages (3.2% of polygons) from 27 rows.")
    assert en_lines[7] == "Year unknown: 0 villages (0.0% of polygons) from 1 rows."
    assert id_lines[7] == "Tahun tanpa tahun: 0 desa (0,0 % poligon) dari 1 baris."
    words = ("dari", "poligon", "baris", "lainnya", "Tahun", "desa")
    assert not any(re.search(rf"\b{w}\b", line) for line in en_lines for w in words)


def test_name_match_lines_in_english(data_dir):
    from geo.io.boundaries import read_boundaries

    gdf = read_boundaries(data_dir / "sumedang" / "sumedang_desa_kel_2025.geojson").gdf
    table = pd.read_csv(data_dir / "sumedang" / "sumedang_stunting_posyandu_2019_2021.csv",
                        dtype=str)
    match = match_names(None, table["nama_desa"], pd.DataFrame(gdf[["kode", "nama", "nama_kec"]]),
                        reason=name_matching_reason(None))
    id_lines, en_lines = match.summary_lines(), match.summary_lines("en")
    assert id_lines[0].startswith("Tabel tidak punya kolom kode desa")
    assert en_lines[0].startswith("The table has no village code column")
    assert re.fullmatch(r"\d+ sub-district–village name pairs matched against 277 villages on the map:",
                        en_lines[1])
    assert any(re.fullmatch(r"\d+ exact \(\d+\.\d%\)", line) for line in en_lines)
    assert any(re.fullmatch(r"\d+ sama persis \(\d+,\d %\)", line) for line in id_lines)
    assert en_lines[-1] == ("The table has no sub-district names: villages are matched across "
                            "the whole district.")
    # stored messages (JoinReport.name_matching) come out in English too
    _, report = join_table(gdf, pd.DataFrame({"kode": pd.array([None], dtype="string"),
                                              "_row": [2]}), table_file="t.csv")
    report = replace(report, name_matching=match.summary())
    assert render_all(report.summary(), "en")[:len(en_lines)] == en_lines
    assert "Rows whose name does not match a village on the map yet (1): row 2." in \
        render_all(report.summary(), "en")
