"""Real-browser tests of the map you can hand out (issue 11): the comparison layer without a
scenario is grey and says so, the legend sits below the map and explains tied quantiles,
count bubbles, names and numbered lokus, and one click downloads the map as PNG."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from dash.testing.wait import until
from PIL import Image

from app import create_app
from tests.e2e.helpers import TIMEOUT, screenshot, trace, wait_idle
from tests.e2e.test_map_page import wait_for_map
from tests.e2e.test_scoring_page import click, click_radio

pytestmark = pytest.mark.e2e

BUBBLES, LABELS, RANKS = 3, 4, 5  # layouts.mapfig.BUBBLE_TRACE, LABEL_TRACE, RANK_TRACE


@pytest.fixture
def started(dash_duo, tmp_path):
    dash_duo.start_server(create_app(database_url=f"sqlite:///{tmp_path}/e2e.db",
                                     state_dir=tmp_path))
    wait_for_map(dash_duo)
    return dash_duo


def test_e2e601_comparison_layer_without_a_scenario_is_grey_and_says_what_to_choose(started):
    dash_duo = started
    # the previous layer (recommendation) is coloured and has its own legend
    click_radio(dash_duo, "map-layer", "Rekomendasi lokus")
    dash_duo.wait_for_contains_text("#map-legend", "Lokus (rekomendasi)", timeout=TIMEOUT)
    wait_idle(dash_duo)
    assert max(trace(dash_duo, "gd.data[0].z")) >= 0
    click_radio(dash_duo, "map-layer", "Perbandingan skenario")
    dash_duo.wait_for_contains_text("#map-legend", "Pilih skenario untuk dibandingkan",
                                    timeout=TIMEOUT)
    until(lambda: set(trace(dash_duo, "gd.data[0].z")) == {-1}, timeout=TIMEOUT)
    assert "Lokus (rekomendasi)" not in dash_duo.find_element("#map-legend").text
    assert trace(dash_duo, f"gd.data[{RANKS}].visible") is False  # numbers only on rekomendasi
    assert dash_duo.get_logs() == []


def test_e2e602_legend_below_the_map_explains_ties_and_overlays_switch_on(started):
    dash_duo = started
    graph = dash_duo.find_element("#map-graph").rect
    legend = dash_duo.find_element("#map-legend").rect
    assert legend["y"] >= graph["y"] + graph["height"] - 1  # below the map, never over it
    # default indicator 2021: most villages flagged no child, so quantiles make 4 classes
    assert "4 kelas, bukan 5" in dash_duo.find_element("#map-legend").text
    click(dash_duo, "#map-bubbles")
    dash_duo.wait_for_contains_text("#map-bubble-legend", "anak", timeout=TIMEOUT)
    until(lambda: trace(dash_duo, f"gd.data[{BUBBLES}].visible") is True, timeout=TIMEOUT)
    assert max(trace(dash_duo, f"gd.data[{BUBBLES}].marker.size")) > 0
    click(dash_duo, "#map-labels")
    until(lambda: trace(dash_duo, f"gd.data[{LABELS}].visible") is True, timeout=TIMEOUT)
    assert "Cimungkal" in trace(dash_duo, f"gd.data[{LABELS}].text")
    click_radio(dash_duo, "map-layer", "Rekomendasi lokus")
    until(lambda: trace(dash_duo, f"gd.data[{RANKS}].visible") is True, timeout=TIMEOUT)
    numbers = trace(dash_duo, f"gd.data[{RANKS}].text")
    assert numbers[:3] == ["1", "2", "3"] and len(numbers) == 20
    wait_idle(dash_duo)
    screenshot(dash_duo, "map-handout-overlays")
    assert dash_duo.get_logs() == []


def test_e2e603_one_click_downloads_the_map_as_png(started):
    dash_duo = started
    button = dash_duo.find_element("#map-download-png")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); "
                                   "arguments[0].click()", button)
    dash_duo.wait_for_contains_text("#map-download-status", ".png dibuat", timeout=TIMEOUT)
    folder = Path(dash_duo.download_path)
    until(lambda: any(p.suffix == ".png" for p in folder.iterdir()), timeout=TIMEOUT)
    time.sleep(0.5)  # let Chromium finish renaming the .crdownload file
    png = next(p for p in folder.iterdir() if p.suffix == ".png")
    assert png.name.startswith("peta-") and "2021" in png.name
    with Image.open(png) as image:
        assert image.format == "PNG" and image.size == (1753, 1240)  # A4 landscape at 150 dpi
    assert dash_duo.get_logs() == []
