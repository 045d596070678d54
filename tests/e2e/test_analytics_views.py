"""Real-browser test of the analyses shown outside their tab (issue 15): after SMAA is run in the
"Analisis lanjutan" tab the stability layer says it shows P(lokus) under the weight ranking and the
village profile shows the village's SMAA P(lokus) (the same number as the tab's table); after a
survey estimate is entered, the two stunting numbers show on the map page and in presenter step 1."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from app import create_app
from tests.e2e.helpers import TIMEOUT, screenshot, wait_idle
from tests.e2e.test_analytics import click, open_section, open_tab, type_into
from tests.e2e.test_map_page import wait_for_map
from tests.e2e.test_scoring_page import click_radio, grid_values, pick

pytestmark = pytest.mark.e2e


def visible(dash_duo, element_id: str) -> bool:
    return dash_duo.driver.execute_script(
        f"const e = document.getElementById('{element_id}');"
        "return !!e && !e.hidden && e.getBoundingClientRect().width > 0;")


def smaa_rows(dash_duo) -> list[tuple[str, str]]:
    """(village, P(lokus)) of the tab's SMAA table."""
    return [tuple(row) for row in dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('#an-smaa-out .an-smaa-table tbody tr')]"
        ".map(r => [...r.querySelectorAll('td')].slice(0, 2).map(c => c.textContent.trim()));")]


def test_e2e_smaa_on_map_and_profile_survey_on_map_and_presenter(dash_duo, tmp_path):
    dash_duo.start_server(create_app(database_url=f"sqlite:///{tmp_path}/e2e.db", state_dir=tmp_path))
    wait_for_map(dash_duo)
    open_tab(dash_duo, "Skoring lokus")
    pick(dash_duo, dash_duo.find_element("#score-preset"), "Prevalensi + jumlah kasus")
    until(lambda: len(grid_values(dash_duo, "score-grid", "kode")) == 277, timeout=TIMEOUT)
    wait_idle(dash_duo)
    click_radio(dash_duo, "map-layer", "Stabilitas")
    dash_duo.wait_for_contains_text("#map-legend", "bobot tetap", timeout=TIMEOUT)  # before SMAA: the draws

    # SMAA in the tab (the ranks the preset's weights give), then the stability layer follows it
    open_tab(dash_duo, "Analisis lanjutan")
    dash_duo.wait_for_text_to_equal("#tabs-main .nav-link.active", "Analisis lanjutan", timeout=TIMEOUT)
    open_section(dash_duo, "Bobot sebagai urutan")
    until(lambda: len(dash_duo.find_elements("#an-smaa-rows .dash-dropdown")) >= 2, timeout=TIMEOUT)
    type_into(dash_duo, "#an-smaa-draws", "2000")
    click(dash_duo, "#an-smaa-run")
    dash_duo.wait_for_contains_text("#an-smaa-out", "2.000 simulasi bobot", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#map-legend", "urutan bobot (SMAA, 2.000 simulasi)", timeout=TIMEOUT)
    assert "bobot tetap" not in dash_duo.find_element("#map-legend").text

    # the profile of a village of the tab's table shows the same P(lokus)
    rows = smaa_rows(dash_duo)
    label, p_lokus = next(((n, p) for n, p in rows if p not in ("100%", "0%")), rows[0])
    name = label.split(" (")[0]  # "Desa (Kecamatan)"
    open_tab(dash_duo, "Tabel desa")
    search = dash_duo.find_element("#table-search")
    search.clear()
    search.send_keys(name)
    cell = dash_duo.wait_for_element_by_css_selector("#table-grid .ag-row .ag-cell[col-id='nama']",
                                                     timeout=TIMEOUT)
    until(lambda: dash_duo.find_element("#table-grid .ag-row .ag-cell[col-id='nama']").text == name,
          timeout=TIMEOUT)
    dash_duo.find_element("#table-grid .ag-row .ag-cell[col-id='nama']").click()
    until(lambda: visible(dash_duo, "profile-panel"), timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#profile-title", name, timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#profile-body", "Bobot sebagai urutan (SMAA)", timeout=TIMEOUT)
    assert f"P(lokus) top-20: {p_lokus}" in dash_duo.find_element("#profile-body").text
    dash_duo.wait_for_element("#profile-smaa-bar .js-plotly-plot", timeout=TIMEOUT)
    wait_idle(dash_duo)
    dash_duo.driver.execute_script("document.querySelector('#profile-body .profile-smaa').scrollIntoView()")
    screenshot(dash_duo, "profil-smaa")
    assert cell is not None
    dash_duo.find_element("#profile-close").click()

    # the two stunting numbers: entered in the tab, shown under the map's summary cards
    open_tab(dash_duo, "Analisis lanjutan")
    open_section(dash_duo, "Dua angka stunting")
    type_into(dash_duo, "#an-survey-prev", "20.8")
    type_into(dash_duo, "#an-survey-low", "18")
    type_into(dash_duo, "#an-survey-high", "23.6")
    click(dash_duo, "#an-survey-run")
    dash_duo.wait_for_contains_text("#an-survey-out", "register: 3,1%", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#map-survey", "register e-PPGBM: 3,1%", timeout=TIMEOUT)
    line = dash_duo.find_element("#map-survey").text
    assert "20,8% (95% CI 18,0–23,6%)" in line and "cakupan pengukuran" in line
    wait_idle(dash_duo)
    dash_duo.driver.execute_script(
        "document.querySelector('#map-survey').scrollIntoView({block: 'center', behavior: 'instant'})")
    screenshot(dash_duo, "survei-vs-register")

    # presenter step 1: the same comparison in large type (fullscreen refused, as in test_present:
    # headless Chromium's "screen" is 800×600)
    dash_duo.driver.execute_script(
        "document.documentElement.requestFullscreen = () => Promise.reject(new Error('refused in test'));")
    click(dash_duo, "#present-open")
    dash_duo.wait_for_text_to_equal("#present-counter", "1 / 5", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#present-body", "Dua angka stunting", timeout=TIMEOUT)
    values = [e.text for e in dash_duo.find_elements("#present-body .present-survey .present-card-value")]
    assert values == ["20,8%", "3,1%"]
    wait_idle(dash_duo)
    dash_duo.driver.execute_script(
        "document.querySelector('#present-body .present-survey').scrollIntoView({block: 'end'})")
    screenshot(dash_duo, "survei-vs-register-presentasi")
    assert [entry for entry in dash_duo.get_logs() if "Map error." not in entry["message"]] == []
