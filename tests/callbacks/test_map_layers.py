"""Map overlays and layer states as plain functions: count bubbles, names, numbered lokus, the
kecamatan summary, the grey comparison layer, the tie note and the hand-out file."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from callbacks.map_layers import (
    bubble_counts,
    bubble_update,
    compare_placeholder,
    handout_file,
    label_update,
    lokus_ranks,
    named_villages,
    rank_update,
)
from callbacks.map_page import clicked_code, select_village, summary_place, update_indicator
from geo.scoring.presets import preset_config
from layouts.mapfig import BUBBLE_TRACE, LABEL_TRACE, RANK_TRACE, VILLAGE_TRACE, bubble_diameter


def ops(patch) -> dict:
    return {tuple(op["location"]): op["params"]["value"] for op in patch.to_plotly_json()["operations"]}


def texts(component) -> str:
    return json.dumps(component, ensure_ascii=False,
                      default=lambda o: o.to_plotly_json() if hasattr(o, "to_plotly_json") else str(o))


@pytest.fixture(scope="module")
def config(registry):
    return preset_config(registry.get("sumedang"), "prevalensi_kasus", 2021).to_dict()


def test_bubbles_count_the_numerator_of_a_rate_not_the_rate(sumedang_dataset):
    values = sumedang_dataset.values("rasio_merah", 2021)
    counts, what, unit = bubble_counts(values)
    flagged = sumedang_dataset.values("merah", 2021).value
    has_rate = ~np.isnan(values.value)
    # the count behind the rate is the number of children flagged merah
    assert np.array_equal(counts[has_rate], flagged[has_rate])
    assert np.isnan(counts[~has_rate]).all()
    assert "merah" in what and unit == "anak"
    fig, key = bubble_update(values, True)
    patch = ops(fig)
    sizes = patch[("data", BUBBLE_TRACE, "marker", "size")]
    sizeref = patch[("data", BUBBLE_TRACE, "marker", "sizeref")]
    top = np.nanmax(counts)
    # plotly area mode: diameter = 2·sqrt(size / (2·sizeref)); the largest is 40 px across
    assert 2 * np.sqrt(top / (2 * sizeref)) == pytest.approx(40)
    # area proportional to the count: a village with 4× the children has 2× the diameter
    assert bubble_diameter(top / 4, top) == pytest.approx(20)
    assert patch[("data", BUBBLE_TRACE, "visible")] is True
    i = int(np.nanargmax(counts))
    assert sizes[i] == top and f"{int(top)} anak" in patch[("data", BUBBLE_TRACE, "text")][i]
    assert "anak" in texts(key) and "luas sebanding" in texts(key)
    off, _ = bubble_update(values, False)
    assert ops(off)[("data", BUBBLE_TRACE, "visible")] is False


def test_a_one_of_one_village_has_the_worst_rate_but_the_smallest_bubble(sumedang_dataset):
    values = sumedang_dataset.values("rasio_merah", 2021)
    counts, _, _ = bubble_counts(values)
    tiny = (values.denominator <= 3) & (values.value >= 30)
    if not tiny.any():
        pytest.skip("no small village with a high rate in this year")
    assert np.nanmax(counts[tiny]) < np.nanpercentile(counts, 90)


def test_percentages_without_counts_have_no_bubbles(sumedang_dataset):
    coverage = next(i.id for i in sumedang_dataset.indicators if i.kind == "coverage")
    fig, key = bubble_update(sumedang_dataset.values(coverage, 2021), True, "en")
    assert ops(fig)[("data", BUBBLE_TRACE, "visible")] is False
    assert "no bubbles" in key


def test_names_for_the_kecamatan_in_view_or_the_lokus(sumedang_dataset, registry, config):
    fig, note = label_update(sumedang_dataset, True, "32.11.01", {})
    text = ops(fig)[("data", LABEL_TRACE, "text")]
    wado = sumedang_dataset.villages["kode_kec"] == "32.11.01"
    assert sum(1 for s in text if s) == int(wado.sum()) and "Wado" in note
    assert text[sumedang_dataset.villages.index.get_loc(wado.idxmax())] != ""
    lokus = lokus_ranks(registry.score("sumedang", config))
    named, note = named_villages(sumedang_dataset, None, lokus, "en")
    assert sorted(named) == sorted(lokus) and "priority villages only" in note
    off, note = label_update(sumedang_dataset, False, None, {})
    assert ops(off)[("data", LABEL_TRACE, "visible")] is False and note == ""


def test_lokus_are_numbered_by_rank_on_the_recommendation_layer(registry, sumedang_dataset, config):
    result = registry.score("sumedang", config)
    lokus = lokus_ranks(result)
    chosen = result.table[result.table["rekomendasi"] == "ya"].sort_values("peringkat")
    assert len(lokus) == len(chosen) > 0
    assert lokus[chosen["kode"].iloc[0]] == 1 and sorted(lokus.values()) == list(range(1, len(lokus) + 1))
    patch = ops(rank_update(sumedang_dataset, "rekomendasi", lokus))
    assert patch[("data", RANK_TRACE, "text")][:3] == ["1", "2", "3"]
    first = chosen["kode"].iloc[0]
    minx, miny, maxx, maxy = registry.geometry("sumedang").bounds[first]
    assert minx <= patch[("data", RANK_TRACE, "lon")][0] <= maxx
    assert miny <= patch[("data", RANK_TRACE, "lat")][0] <= maxy
    assert ops(rank_update(sumedang_dataset, "skor", lokus))[("data", RANK_TRACE, "visible")] is False


def test_comparison_layer_without_a_scenario_is_grey_and_says_what_to_choose():
    fig, legend = compare_placeholder(277, True)
    patch = ops(fig)
    assert patch[("data", VILLAGE_TRACE, "z")] == [-1] * 277
    assert "Pilih skenario untuk dibandingkan" in texts(legend)
    assert "Choose a scenario to compare" in texts(compare_placeholder(277, True, "en")[1])
    assert "scoring" in texts(compare_placeholder(277, False, "en")[1])


def test_summary_follows_the_kecamatan_filter(registry, sumedang_dataset):
    out = update_indicator(registry, "sumedang", "rasio_merah", 2021, "quantiles", 5, "32.11.01")
    wado = (sumedang_dataset.villages["kode_kec"] == "32.11.01").to_numpy()
    values = sumedang_dataset.values("rasio_merah", 2021)
    pooled = 100 * np.nansum(values.numerator[wado]) / np.nansum(values.denominator[wado])
    summary = texts(out[2])
    assert f"{pooled:.1f}%".replace(".", ",") in summary and "Kec. Wado" in summary
    assert f"/ {int(wado.sum())}" in summary
    assert summary_place(sumedang_dataset, "32.11.01") == "Ringkasan: Kecamatan Wado"
    assert "whole district" in summary_place(sumedang_dataset, None, "en")


def test_tied_values_are_explained_in_the_legend(registry):
    _fig, legend, *_ = update_indicator(registry, "sumedang", "merah", 2021, "quantiles", 5, None)
    assert "4 kelas, bukan 5" in texts(legend)
    _fig, legend, *_ = update_indicator(registry, "sumedang", "merah", 2021, "quantiles", 5, None, "en")
    assert "4 classes, not 5" in texts(legend)


def test_selecting_a_village_keeps_its_kecamatan_in_view(registry):
    fig, _ = select_village(registry, "sumedang", "32.11.01.2001")
    patch = ops(fig)
    kec = registry.geometry("sumedang").kecamatan_bounds["32.11.01"]
    centre = patch[("layout", "map", "center")]
    assert kec[0] <= centre["lon"] <= kec[2] and kec[1] <= centre["lat"] <= kec[3]
    # one polygon would fill the map at zoom 13; the kecamatan needs a wider view
    assert patch[("layout", "map", "zoom")] < 12.5


def test_a_click_on_a_bubble_selects_its_village():
    assert clicked_code({"points": [{"location": "32.11.01.2001"}]}) == "32.11.01.2001"
    assert clicked_code({"points": [{"customdata": ["Wado", "Wado", "32.11.01.2005"]}]}) == "32.11.01.2005"
    assert clicked_code({"points": [{"customdata": ["Wado", "Wado"]}]}) is None
    assert clicked_code(None) is None


@pytest.mark.slow
def test_handout_png_of_the_recommendation_layer(registry, config):
    view = {"indicator": "rasio_merah", "year": 2021, "scheme": "quantiles", "k": 5,
            "kecamatan": None, "layer": "rekomendasi", "config": config, "bubbles": True,
            "labels": True}
    data, name = handout_file(registry, "sumedang", view, "png")
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (1753, 1240)
    assert name == "peta-rekomendasi-2021.png"


def test_offline_map_text_has_local_glyphs():
    """Names and lokus numbers need glyph files; the offline style serves them from assets."""
    from layouts.mapfig import OFFLINE_STYLE
    from layouts.mapglyphs import GLYPH_DIR, STACKS

    assert OFFLINE_STYLE["glyphs"].startswith("assets/glyphs/")
    assert OFFLINE_STYLE["sources"]  # MapLibre refuses a style without sources
    for stack in STACKS:
        data = (GLYPH_DIR / stack / "0-255.pbf").read_bytes()
        # protobuf: field 1 (stacks), then the stack's name and range
        assert data[0] == 0x0A and stack.encode() in data[:40] and b"0-255" in data[:60]
        assert len(data) > 20_000  # ~190 glyph bitmaps, not an empty range
