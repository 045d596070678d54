"""The village profile and the glossary in a real browser (headless Chromium, 1366×768)."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from app import create_app
from tests.e2e.helpers import TIMEOUT, screenshot, wait_idle, wait_ready

pytestmark = pytest.mark.e2e

CIMUNGKAL = "32.11.01.2001"


def visible(dash_duo, element_id: str) -> bool:
    return dash_duo.driver.execute_script(
        f"const e = document.getElementById('{element_id}');"
        "return !!e && !e.hidden && e.getBoundingClientRect().width > 0;")


@pytest.fixture
def started(dash_duo, tmp_path):
    dash_duo.start_server(create_app(database_url=f"sqlite:///{tmp_path}/e2e.db",
                                     state_dir=tmp_path))
    wait_ready(dash_duo)
    return dash_duo


def test_e2e_profile_opens_from_the_table_with_trend_and_rank(started):
    dash_duo = started
    assert not visible(dash_duo, "profile-panel")
    assert dash_duo.find_element("#profile-open").get_attribute("disabled") is not None
    dash_duo.find_element("#table-search").send_keys("Cimungkal")
    cell = dash_duo.wait_for_element_by_css_selector(
        f"#table-grid .ag-row[row-id='{CIMUNGKAL}'] .ag-cell[col-id='nama']", timeout=TIMEOUT)
    cell.click()
    until(lambda: visible(dash_duo, "profile-panel"), timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#profile-title", "Cimungkal", timeout=TIMEOUT)
    assert "Wado" in dash_duo.find_element("#profile-title").text
    assert CIMUNGKAL in dash_duo.find_element("#profile-title").text
    # the trend chart: one point per year of the data, with n under each year
    dash_duo.wait_for_element("#profile-trend .js-plotly-plot", timeout=TIMEOUT)
    until(lambda: dash_duo.driver.execute_script(
        "const gd = document.querySelector('#profile-trend .js-plotly-plot');"
        "return gd && gd.data && gd.data[1].x.length;") == 3, timeout=TIMEOUT)
    assert "n=134" in dash_duo.find_element("#profile-trend").text
    # the scoring panel's default preset scores on load: the rank and why show up
    dash_duo.wait_for_contains_text("#profile-body", "Peringkat", timeout=TIMEOUT)
    assert "teratas" in dash_duo.find_element("#profile-body").text
    assert "10,4% (14/134)" in dash_duo.find_element("#profile-body").text.replace("\n", " ")
    wait_idle(dash_duo)
    screenshot(dash_duo, "profil-desa")
    dash_duo.driver.execute_script(  # the indicator table and the data-quality notes
        "const b = document.getElementById('profile-body'); b.scrollTop = b.scrollHeight;")
    screenshot(dash_duo, "profil-desa-indikator")
    # the page stays usable: typing into it is not taken back by the panel
    search = dash_duo.find_element("#table-search")
    search.send_keys(" x")
    assert search.get_attribute("value") == "Cimungkal x"
    # a term in the profile opens the glossary at that term
    link = next(e for e in dash_duo.find_elements("#profile-body .glossary-link")
                if e.text.startswith("P(top-"))
    link.click()
    until(lambda: "P(top-N)" in dash_duo.find_element("#glossary-list").text
          and "TOPSIS" not in dash_duo.find_element("#glossary-list").text, timeout=TIMEOUT)
    dash_duo.find_element("#glossary-panel .btn-close").click()
    until(lambda: not dash_duo.find_elements("#glossary-panel .modal-body"), timeout=TIMEOUT)
    # the panel follows a later selection
    search.send_keys(Keys.CONTROL, "a")  # clear() does not reach React's onChange
    search.send_keys(Keys.BACKSPACE)
    search.send_keys("Ganjarresik")
    dash_duo.wait_for_element_by_css_selector(
        "#table-grid .ag-row[row-id='32.11.01.2002'] .ag-cell[col-id='nama']", timeout=TIMEOUT).click()
    dash_duo.wait_for_contains_text("#profile-title", "Ganjarresik", timeout=TIMEOUT)
    # close, then re-open from the navbar
    dash_duo.find_element("#profile-close").click()
    until(lambda: not visible(dash_duo, "profile-panel"), timeout=TIMEOUT)
    dash_duo.find_element("#profile-open").click()
    until(lambda: visible(dash_duo, "profile-panel"), timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#profile-title", "Ganjarresik", timeout=TIMEOUT)
    assert dash_duo.get_logs() == []


def test_e2e_glossary_opens_and_finds_empirical_bayes(started):
    dash_duo = started
    dash_duo.find_element("#glossary-open").click()
    dash_duo.wait_for_element("#glossary-search", timeout=TIMEOUT)
    assert "TOPSIS" in dash_duo.find_element("#glossary-list").text  # every term at first
    dash_duo.find_element("#glossary-search").send_keys("Empirical")
    until(lambda: "Empirical Bayes" in dash_duo.find_element("#glossary-list").text
          and "TOPSIS" not in dash_duo.find_element("#glossary-list").text, timeout=TIMEOUT)
    assert dash_duo.get_logs() == []


def test_e2e_tooltips_explain_controls_also_on_other_tabs(started):
    dash_duo = started
    # controls of tabs not shown at load are in the page too, so their tooltips attach
    assert dash_duo.driver.execute_script(
        "return ['score-top-n', 'scn-save-new', 'upload-check']"
        ".every(id => document.getElementById(id) !== null);")
    ActionChains(dash_duo.driver).move_to_element(dash_duo.find_element("#table-search")).perform()
    until(lambda: "Cari desa atau kecamatan" in " ".join(
        e.text for e in dash_duo.find_elements(".tooltip")), timeout=TIMEOUT)
    # a dropdown (its element is replaced as the page re-renders) gets the text as its title
    ActionChains(dash_duo.driver).move_to_element(
        dash_duo.find_element("#filter-indicator")).perform()
    until(lambda: (dash_duo.find_element("#filter-indicator").get_attribute("title") or "")
          .startswith("Angka yang diwarnai di peta"), timeout=TIMEOUT)
    tab = next(e for e in dash_duo.find_elements("#tabs-main .nav-link")
               if e.text.startswith("Skoring"))
    tab.click()
    until(lambda: dash_duo.find_element("#score-top-n").is_displayed(), timeout=TIMEOUT)
    ActionChains(dash_duo.driver).move_to_element(dash_duo.find_element("#score-top-n")).perform()
    until(lambda: "Jumlah desa lokus yang diusulkan" in " ".join(
        e.text for e in dash_duo.find_elements(".tooltip")), timeout=TIMEOUT)
    ActionChains(dash_duo.driver).move_to_element(dash_duo.find_element("#score-method")).perform()
    until(lambda: (dash_duo.find_element("#score-method").get_attribute("title") or "")
          .startswith("Cara menggabungkan indikator"), timeout=TIMEOUT)
    assert dash_duo.get_logs() == []

