"""Real-browser tests of the map page (headless Chromium)."""

from __future__ import annotations

import pandas as pd
import pytest
from dash.testing.wait import until
from selenium.webdriver.common.actions.action_builder import ActionBuilder

from app import create_app
from tests.conftest import DATA

pytestmark = pytest.mark.e2e

GD = "document.querySelector('#map-graph .js-plotly-plot')"


def trace(dash_duo, expr: str):
    return dash_duo.driver.execute_script(f"const gd = {GD}; return {expr};")


def wait_for_map(dash_duo):
    dash_duo.wait_for_element("#map-graph .js-plotly-plot", timeout=20)
    # the legend's grey entry, in Bahasa Indonesia or English
    until(lambda: any(w in dash_duo.find_element("#map-legend").text
                      for w in ("Tanpa data", "No data")), timeout=20)
    # z arrives by Patch after the first render: wait until classes are set
    until(lambda: max(trace(dash_duo, "gd.data[0].z")) >= 1, timeout=20)


def choose(dash_duo, dropdown_id: str, text: str):
    """Open a Dash dropdown and click the option whose text starts with ``text``."""
    dash_duo.find_element(f"#{dropdown_id}").click()
    options = dash_duo.find_elements(".dash-dropdown-option")
    next(o for o in options if o.text.strip().startswith(text)).click()


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
    dash_duo.wait_for_contains_text("#map-legend", "Ibu hamil KEK", timeout=10)
    text_after = trace(dash_duo, "gd.data[0].text.slice()")
    assert text_after != text_before and "orang" in text_after[0] + text_after[1] + text_after[2]
    # geometry stayed in place (Patch, not a new figure)
    assert trace(dash_duo, "gd.data[0].geojson.features.length") == 277

    choose(dash_duo, "filter-year", "2019")
    dash_duo.wait_for_contains_text("#map-legend", "2019", timeout=10)
    z_2019 = trace(dash_duo, "gd.data[0].z.slice()")
    assert z_2019 != z_before
    assert dash_duo.get_logs() == []


def test_e2e003_clicking_a_table_row_selects_and_zooms_to_the_village(started):
    dash_duo = started
    zoom_before = trace(dash_duo, "gd._fullLayout.map.zoom")
    dash_duo.find_element("#table-search").send_keys("Cimungkal")
    cell = dash_duo.wait_for_element_by_css_selector(
        "#table-grid .ag-row[row-id='32.11.01.2001'] .ag-cell[col-id='nama']", timeout=10)
    cell.click()
    dash_duo.wait_for_contains_text("#table-detail", "Cimungkal", timeout=10)
    pos = trace(dash_duo, "gd.data[0].locations.indexOf('32.11.01.2001')")
    until(lambda: trace(dash_duo, "gd.data[0].selectedpoints") == [pos], timeout=10)
    until(lambda: trace(dash_duo, "gd._fullLayout.map.zoom") > zoom_before + 1,
                        timeout=10)
    assert dash_duo.get_logs() == []


def test_e2e004_clicking_the_map_selects_the_table_row(started):
    dash_duo = started
    code = "32.11.13.2005"
    # pixel of the village's pin point inside the map canvas, from MapLibre's own projection
    lon, lat = trace(dash_duo, f"""(() => {{
        const i = gd.data[0].locations.indexOf('{code}');
        const g = gd.data[0].geojson.features[i].geometry;
        const f = g.type === 'Polygon' ? g.coordinates[0] : g.coordinates[0][0];
        let x = 0, y = 0; f.forEach(p => {{ x += p[0]; y += p[1]; }});
        return [x / f.length, y / f.length]; }})()""")
    px = trace(dash_duo, f"gd._fullLayout.map._subplot.map.project([{lon}, {lat}])")
    rect = trace(dash_duo, "document.querySelector('#map-graph canvas.maplibregl-canvas')"
                           ".getBoundingClientRect().toJSON()")
    actions = ActionBuilder(dash_duo.driver)
    actions.pointer_action.move_to_location(int(rect["left"] + px["x"]), int(rect["top"] + px["y"]))
    actions.pointer_action.click()
    actions.perform()
    dash_duo.wait_for_contains_text("#table-detail", "kode", timeout=10)
    clicked = dash_duo.find_element("#table-detail").text.rsplit(" ", 1)[-1]
    dash_duo.wait_for_element_by_css_selector(
        f"#table-grid .ag-row-selected[row-id='{clicked}']", timeout=10)
    assert clicked.startswith("32.11.")
    assert dash_duo.get_logs() == []
