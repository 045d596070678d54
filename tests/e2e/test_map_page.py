"""Real-browser tests of the map page (headless Chromium)."""

from __future__ import annotations

import pandas as pd
import pytest
from dash.testing.wait import until
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.actions.action_builder import ActionBuilder

from app import create_app
from tests.conftest import DATA
from tests.e2e.helpers import TIMEOUT, choose, trace, wait_ready

pytestmark = pytest.mark.e2e

def wait_for_map(dash_duo):
    """The app's ready signal, then the classes on the map (z arrives by Patch)."""
    wait_ready(dash_duo)
    dash_duo.wait_for_element("#map-graph .js-plotly-plot", timeout=TIMEOUT)
    until(lambda: max(trace(dash_duo, "gd.data[0].z")) >= 1, timeout=TIMEOUT)


@pytest.fixture
def started(dash_duo, tmp_path):
    dash_duo.start_server(create_app(database_url=f"sqlite:///{tmp_path}/e2e.db"))
    wait_for_map(dash_duo)
    return dash_duo


def test_e2e001_page_loads_with_277_villages_and_no_console_errors(started):
    dash_duo = started
    assert trace(dash_duo, "gd.data[0].locations.length") == 277
    assert trace(dash_duo, "gd.data[0].geojson.features.length") == 277
    # the features are really drawn by MapLibre, not just present in the data
    rendered = trace(dash_duo, "new Set(gd._fullLayout.map._subplot.map"
                               ".queryRenderedFeatures()"
                               ".filter(f => f.layer.id.endsWith('-fill'))"
                               ".map(f => JSON.stringify(f.properties.ct))).size")
    assert rendered == 277
    # no data in 2021 = the 7 kelurahan + the desa that counted no child, straight from the CSV
    table = pd.read_csv(DATA / "sumedang" / "sumedang_stunting_posyandu_2019_2021.csv")
    y21 = table[table["tahun"] == 2021]
    counted = y21[["anak_0_23_merah_terindikasi_stunting", "anak_0_23_kuning_risiko_stunting",
                   "anak_0_23_hijau_normal"]].sum(axis=1)
    legend = dash_duo.find_element("#map-legend").text
    assert f"Tanpa data\n{7 + int((counted == 0).sum())} desa" in legend
    assert dash_duo.get_logs() == []


def test_e2e002_changing_indicator_and_year_recolours_the_map(started):
    dash_duo = started
    z_before = trace(dash_duo, "gd.data[0].z.slice()")
    text_before = trace(dash_duo, "gd.data[0].text.slice()")
    choose(dash_duo, "filter-indicator", "Ibu hamil KEK")
    dash_duo.wait_for_contains_text("#map-legend", "Ibu hamil KEK", timeout=TIMEOUT)
    text_after = trace(dash_duo, "gd.data[0].text.slice()")
    assert text_after != text_before and "orang" in text_after[0] + text_after[1] + text_after[2]
    # geometry stayed in place (Patch, not a new figure)
    assert trace(dash_duo, "gd.data[0].geojson.features.length") == 277

    choose(dash_duo, "filter-year", "2019")
    dash_duo.wait_for_contains_text("#map-legend", "2019", timeout=TIMEOUT)
    z_2019 = trace(dash_duo, "gd.data[0].z.slice()")
    assert z_2019 != z_before
    assert dash_duo.get_logs() == []


def test_e2e003_clicking_a_table_row_selects_and_zooms_to_the_village(started):
    dash_duo = started
    zoom_before = trace(dash_duo, "gd._fullLayout.map.zoom")
    dash_duo.find_element("#table-search").send_keys("Cimungkal")
    cell = dash_duo.wait_for_element_by_css_selector(
        "#table-grid .ag-row[row-id='32.11.01.2001'] .ag-cell[col-id='nama']", timeout=TIMEOUT)
    cell.click()
    dash_duo.wait_for_contains_text("#table-detail", "Cimungkal", timeout=TIMEOUT)
    pos = trace(dash_duo, "gd.data[0].locations.indexOf('32.11.01.2001')")
    until(lambda: trace(dash_duo, "gd.data[0].selectedpoints") == [pos], timeout=TIMEOUT)
    until(lambda: trace(dash_duo, "gd._fullLayout.map.zoom") > zoom_before + 1,
                        timeout=TIMEOUT)
    assert dash_duo.get_logs() == []


def test_e2e004_clicking_the_map_selects_the_table_row(started):
    dash_duo = started
    dash_duo.driver.execute_script("document.querySelector('#map-graph').scrollIntoView()")
    for attempt in range(3):  # a synthetic click on a map still settling (loaded CI) can be lost
        # the map has stopped moving and resizing: then its pixels are where MapLibre says
        until(lambda: trace(dash_duo, "(() => { const m = gd._fullLayout.map._subplot.map;"
                                      " return m.loaded() && !m.isMoving(); })()"), timeout=TIMEOUT)
        # a pixel inside a village polygon near the canvas centre, from MapLibre's own rendering
        rect = trace(dash_duo, "document.querySelector('#map-graph canvas.maplibregl-canvas')"
                               ".getBoundingClientRect().toJSON()")
        px = trace(dash_duo, """(() => {
            const m = gd._fullLayout.map._subplot.map, c = m.getCanvas();
            const w = c.clientWidth, h = c.clientHeight;
            for (let r = 0; r < Math.min(w, h) / 2; r += 10) {
                const p = {x: w / 2 + r, y: h / 2};
                if (m.queryRenderedFeatures([p.x, p.y]).some(f => f.layer.id.endsWith('-fill'))) return p;
            }
            return {x: w / 2, y: h / 2}; })()""")
        actions = ActionBuilder(dash_duo.driver)
        actions.pointer_action.move_to_location(int(rect["left"] + px["x"]),
                                                int(rect["top"] + px["y"]))
        actions.pointer_action.click()
        actions.perform()
        try:
            dash_duo.wait_for_contains_text("#table-detail", "kode",
                                            timeout=TIMEOUT if attempt == 2 else 20)
            break
        except TimeoutException:
            if attempt == 2:
                raise
    clicked = dash_duo.find_element("#table-detail").text.rsplit(" ", 1)[-1]
    dash_duo.wait_for_element_by_css_selector(
        f"#table-grid .ag-row-selected[row-id='{clicked}']", timeout=TIMEOUT)
    assert clicked.startswith("32.11.")
    assert dash_duo.get_logs() == []
