"""Map callbacks called as plain functions: Patches carry values, never geometry."""

from __future__ import annotations

import json

import numpy as np
import plotly.io
import pytest

from callbacks.map_page import (
    basemap,
    scheme_options,
    select_village,
    update_indicator,
    zoom_kecamatan,
)
from geo.view.registry import Registry


def ops(patch) -> list[dict]:
    return patch.to_plotly_json()["operations"]


def size(obj) -> int:
    return len(plotly.io.json.to_json_plotly(obj))


def test_indicator_update_is_a_small_patch_without_geometry(registry):
    fig, _legend, _summary, rows, _cols, note = update_indicator(
        registry, "sumedang", "rasio_merah", 2021, "quantiles", 5, None)
    locations = {tuple(op["location"]) for op in ops(fig)}
    assert ("data", 0, "z") in locations and ("data", 0, "text") in locations
    assert not any("geojson" in loc or "lon" in loc or "lat" in loc for loc in locations)
    geojson_bytes = len(json.dumps(registry.geometry("sumedang").geojson))
    assert size(fig.to_plotly_json()) < 0.05 * geojson_bytes
    assert len(rows) == 277 and "skrining" in note


def test_indicator_values_in_patch_match_hand_computation(registry):
    fig, *_ , rows, _cols, _note = update_indicator(
        registry, "sumedang", "rasio_merah", 2021, "quantiles", 5, None)
    by_code = {r["kode"]: r for r in rows}
    # 32.11.01.2001 Cimungkal 2021: merah 14, kuning empty, hijau 120 -> 14 / 134
    row = by_code["32.11.01.2001"]
    assert row["pembilang"] == 14 and row["penyebut"] == 134
    assert row["nilai"] == pytest.approx(round(100 * 14 / 134, 2))
    kelurahan = [r for r in rows if r["kode"].split(".")[3].startswith("1")]
    assert len(kelurahan) == 7 and all(r["nilai"] is None for r in kelurahan)
    z = next(op["params"]["value"] for op in ops(fig) if op["location"] == ["data", 0, "z"])
    codes = registry.geometry("sumedang").codes
    assert all(z[codes.index(r["kode"])] == -1 for r in kelurahan)
    zmax = next(op["params"]["value"] for op in ops(fig) if op["location"] == ["data", 0, "zmax"])
    # ties at zero merge quantile classes; every class index up to zmax is used
    assert sorted(set(z)) == list(range(-1, zmax + 1)) and zmax >= 2


def test_legend_counts_add_up_to_all_villages(registry):
    _fig, legend, *_ = update_indicator(registry, "sumedang", "merah", 2020, "natural_breaks", 4,
                                        None)
    counts = [int(li.children[2].children.split()[0]) for li in legend.children[2].children]
    assert sum(counts) == 277 and counts[-1] == 7


def test_kecamatan_filter_limits_table_rows(registry):
    *_, rows, _cols, _note = update_indicator(registry, "sumedang", "merah", 2021, "quantiles", 5,
                                              "32.11.01")
    assert rows and all(r["kode"].startswith("32.11.01.") for r in rows)
    assert {r["nama_kec"] for r in rows} == {"Wado"}


def test_who_classes_only_for_prevalence_type_rates():
    options, value = scheme_options("merah", "who")
    assert value == "quantiles"
    assert next(o for o in options if o["value"] == "who")["disabled"]
    options, value = scheme_options("rasio_merah", "who")
    assert value == "who" and not next(o for o in options if o["value"] == "who")["disabled"]


def test_selecting_a_village_highlights_and_zooms(registry):
    fig, detail = select_village(registry, "sumedang", "32.11.01.2001")
    by_loc = {tuple(op["location"]): op["params"]["value"] for op in ops(fig)}
    pos = registry.geometry("sumedang").codes.index("32.11.01.2001")
    assert by_loc[("data", 0, "selectedpoints")] == [pos]
    assert by_loc[("layout", "map", "zoom")] > 11
    lon = by_loc[("data", 2, "lon")][0]
    minx, _, maxx, _ = registry.geometry("sumedang").bounds["32.11.01.2001"]
    assert minx <= lon <= maxx
    assert "Cimungkal" in detail and "Wado" in detail
    cleared, text = select_village(registry, "sumedang", None)
    assert {tuple(op["location"]): op["params"]["value"] for op in ops(cleared)}[
        ("data", 0, "selectedpoints")] is None and text == ""


def test_kecamatan_zoom_and_basemap_are_layout_patches(registry):
    whole = {tuple(o["location"]): o["params"]["value"]
             for o in ops(zoom_kecamatan(registry, "sumedang", None))}
    kec = {tuple(o["location"]): o["params"]["value"]
           for o in ops(zoom_kecamatan(registry, "sumedang", "32.11.01"))}
    assert kec[("layout", "map", "zoom")] > whole[("layout", "map", "zoom")]
    style = {tuple(o["location"]): o["params"]["value"] for o in ops(basemap(True))}
    assert style[("layout", "map", "style")] == "open-street-map"
    assert np.isclose(style[("data", 0, "marker", "opacity")], 0.7)


def test_hover_shows_wilson_interval_matching_scipy(registry):
    from scipy.stats import binomtest

    from callbacks.map_page import hover_text

    values = registry.get("sumedang").values("rasio_merah", 2021)
    text = hover_text(values)
    i = registry.geometry("sumedang").codes.index("32.11.01.2001")  # 14 of 134 children
    ci = binomtest(14, 134).proportion_ci(confidence_level=0.95, method="wilson")
    expected = f"IK 95% {100 * ci.low:.1f}–{100 * ci.high:.1f}%".replace(".", ",")
    assert text[i] == f"10,4% (14/134; {expected})"
    kelurahan = registry.geometry("sumedang").codes.index("32.11.17.1001")
    assert text[kelurahan] == "tanpa data"


def test_villages_whose_measurements_need_checking_are_marked_in_hover_and_table(data_dir, tmp_path):
    """A table from the e-PPGBM panel (``mutu_pengukuran``): the flagged villages of that
    year carry a note in the hover text and the table; the others and other years do not."""
    from geo.data.library import save_dataset
    from tests.upload_files import write_kecamatan

    geojson, _ = write_kecamatan(tmp_path / "in")
    table = tmp_path / "in" / "eppgbm_desa.csv"
    table.write_text("kode,tahun,anak_diukur,stunting,mutu_pengukuran\n"
                     "32.11.01.2001,2024,40,9,perlu_dicek\n"
                     "32.11.01.2002,2024,35,5,baik\n"
                     "32.11.01.2001,2023,38,8,baik\n", encoding="utf-8")
    dataset_id = save_dataset(tmp_path / "saved", "Wado mutu", boundaries=geojson, table=table)
    registry = Registry(data_dir, extra_roots=[tmp_path / "saved"])
    fig, _legend, _summary, rows, cols, _note = update_indicator(
        registry, dataset_id, "prevalensi", 2024, "quantiles", 5, None)
    text = next(op["params"]["value"] for op in ops(fig) if op["location"] == ["data", 0, "text"])
    codes = registry.get(dataset_id).villages["kode"].tolist()
    flagged = [c for c, line in zip(codes, text, strict=True) if "mutu pengukuran perlu dicek" in line]
    assert flagged == ["32.11.01.2001"]
    notes = {r["kode"]: r.get("catatan") for r in rows}
    assert notes["32.11.01.2001"] == "mutu pengukuran perlu dicek"
    assert notes["32.11.01.2002"] is None
    assert any(c["field"] == "catatan" for c in cols)
    earlier = update_indicator(registry, dataset_id, "prevalensi", 2023, "quantiles", 5, None)[3]
    assert all(r.get("catatan") is None for r in earlier)


def test_measurement_panel_lists_the_villages_to_check_with_reasons():
    import pandas as pd

    from layouts.map_page import measurement_body

    panel = pd.DataFrame({
        "nama_kec": ["Wado", "Wado", "Jatigede"], "nama_desa": ["Cimungkal", "Cilengkrang", "Cisitu"],
        "tahun": [2024, 2024, 2024], "n_dipakai": [70, 64, 12], "sd_haz": [1.02, 1.5, 2.9],
        "mutu_pengukuran": ["perlu_dicek", "baik", ""], "alasan_mutu": ["sd_haz;digit", "", ""]})
    title, count, table = measurement_body(panel, "en")
    assert title.children == "Measurement quality (e-PPGBM)"
    assert count.children.startswith("1 of 2 village-years that can be judged")
    (row,) = table.children[1].children
    cells = [c.children for c in row.children]
    assert cells[:4] == ["Cimungkal — Wado", "2024", "70", "1.02"]
    assert "SD of height-for-age z wholly outside 1.35–1.95" in cells[4] and ".0 or .5" in cells[4]
    assert measurement_body(None) == []
