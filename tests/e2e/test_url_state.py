"""Real-browser tests of the view in the URL and of the language switch (headless Chromium)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from dash.testing.wait import until

from app import create_app
from geo.core.settings import embedded_data_dir
from geo.scoring.config import PRESETS
from geo.scoring.presets import preset_config
from geo.store.model import chosen_from_result
from geo.store.scenarios import Store
from geo.view.registry import Registry
from tests.e2e.helpers import TIMEOUT
from tests.e2e.test_map_page import trace, wait_for_map
from tests.e2e.test_scoring_page import grid_values, pick

pytestmark = pytest.mark.e2e


def query(dash_duo) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(dash_duo.driver.current_url).query).items()}


def picked(dash_duo, dropdown_id: str) -> str:
    """The text a Dash dropdown shows as its value."""
    return dash_duo.find_element(f"#{dropdown_id}").text.strip()


def active_tab(dash_duo) -> str:
    return dash_duo.find_element("#tabs-main .nav-link.active").text.strip()


def open_tab(dash_duo, label: str):
    tab = next(t for t in dash_duo.find_elements("#tabs-main .nav-link") if t.text == label)
    dash_duo.driver.execute_script("arguments[0].click()", tab)


def fresh_window(dash_duo, url: str):
    """A new browser window without cookies or page state, opened on ``url``."""
    old = dash_duo.driver.current_window_handle
    dash_duo.driver.delete_all_cookies()
    dash_duo.driver.switch_to.new_window("window")
    dash_duo.driver.switch_to.window(old)
    dash_duo.driver.close()
    dash_duo.driver.switch_to.window(dash_duo.driver.window_handles[-1])
    dash_duo.driver.get(url)


@pytest.fixture
def started(dash_duo, tmp_path):
    dash_duo.start_server(create_app(database_url=f"sqlite:///{tmp_path}/e2e.db"))
    wait_for_map(dash_duo)
    return dash_duo


def test_e2e401_controls_go_to_the_url_and_the_url_reopens_the_view(started):
    dash_duo = started
    pick(dash_duo, dash_duo.find_element("#filter-indicator"), "Ibu hamil KEK")
    pick(dash_duo, dash_duo.find_element("#filter-year"), "2019")
    pick(dash_duo, dash_duo.find_element("#filter-kecamatan"), "Cimalaka")
    open_tab(dash_duo, "Skoring lokus")
    until(lambda: query(dash_duo).get("page") == "skoring", timeout=TIMEOUT)
    args = query(dash_duo)
    assert args["year"] == "2019" and args["indicator"] == "ibu_hamil_kek"
    assert args["kec"] == "32.11.22" and args["dataset"] == "sumedang"
    dash_duo.wait_for_contains_text("#map-legend", "2019", timeout=TIMEOUT)
    z = trace(dash_duo, "gd.data[0].z.slice()")
    legend = dash_duo.find_element("#map-legend").text
    rows = len(dash_duo.driver.execute_script(
        "const out = []; dash_ag_grid.getApi('table-grid').forEachNode(n => out.push(1)); "
        "return out;"))

    fresh_window(dash_duo, dash_duo.driver.current_url)
    wait_for_map(dash_duo)
    dash_duo.wait_for_contains_text("#map-legend", "2019", timeout=TIMEOUT)
    assert picked(dash_duo, "filter-indicator").startswith("Ibu hamil KEK")
    assert picked(dash_duo, "filter-year") == "2019"
    assert picked(dash_duo, "filter-kecamatan") == "Cimalaka"
    assert active_tab(dash_duo) == "Skoring lokus"
    until(lambda: trace(dash_duo, "gd.data[0].z.slice()") == z, timeout=TIMEOUT)  # same colours
    assert dash_duo.find_element("#map-legend").text == legend
    assert rows < 277  # the table is filtered to the kecamatan, as before
    assert dash_duo.get_logs() == []


def test_e2e402_back_restores_the_previous_year(started):
    dash_duo = started
    pick(dash_duo, dash_duo.find_element("#filter-year"), "2020")
    until(lambda: query(dash_duo).get("year") == "2020", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#map-legend", "2020", timeout=TIMEOUT)
    z_2020 = trace(dash_duo, "gd.data[0].z.slice()")
    pick(dash_duo, dash_duo.find_element("#filter-year"), "2019")
    until(lambda: query(dash_duo).get("year") == "2019", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#map-legend", "2019", timeout=TIMEOUT)
    assert trace(dash_duo, "gd.data[0].z.slice()") != z_2020

    dash_duo.driver.back()
    until(lambda: query(dash_duo).get("year") == "2020", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#map-legend", "2020", timeout=TIMEOUT)
    until(lambda: picked(dash_duo, "filter-year") == "2020", timeout=TIMEOUT)
    until(lambda: trace(dash_duo, "gd.data[0].z.slice()") == z_2020, timeout=TIMEOUT)
    # Back did not push a new entry: one more Back reaches the page as first opened
    dash_duo.driver.back()
    until(lambda: picked(dash_duo, "filter-year") == "2021", timeout=TIMEOUT)
    assert "year" not in query(dash_duo)
    assert dash_duo.get_logs() == []


def test_e2e403_bad_values_in_the_url_fall_back_to_defaults(dash_duo, tmp_path):
    dash_duo.start_server(create_app(database_url=f"sqlite:///{tmp_path}/e2e.db"))
    dash_duo.driver.get(dash_duo.server_url + "/?dataset=tidak_ada&year=1999&indicator=%3Cb%3E"
                        "&kec=99&page=admin&scenario=abc&step=9&lang=fr")
    wait_for_map(dash_duo)
    assert picked(dash_duo, "filter-year") == "2021"
    assert active_tab(dash_duo) == "Tabel desa"
    assert dash_duo.find_element("#lang-switch").text == "English"
    # keyboard: Tab reaches the skip link, then the navbar's controls (glossary, profile)
    # and the language switch, each with a visible ring
    from selenium.webdriver.common.keys import Keys

    dash_duo.find_element("body").send_keys(Keys.TAB)
    active = "return document.activeElement"
    assert dash_duo.driver.execute_script(active + ".className") == "skip-link"
    ring_js = "const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth];"
    reached = []
    for _ in range(4):
        dash_duo.driver.switch_to.active_element.send_keys(Keys.TAB)
        reached.append(dash_duo.driver.execute_script(active + ".id"))
        assert dash_duo.driver.execute_script(ring_js) == ["solid", "3px"], reached[-1]
        if reached[-1] == "lang-switch":
            break
    assert reached[-1] == "lang-switch", reached
    # screen readers hear the label of a Dash dropdown, not only its value
    named_by = dash_duo.find_element("#filter-year").get_attribute("aria-labelledby")
    assert named_by.split()[0] == "filter-year--label"
    assert dash_duo.get_logs() == []


def test_e2e404_language_switch_english_and_back(started):
    dash_duo = started
    pick(dash_duo, dash_duo.find_element("#filter-year"), "2020")
    until(lambda: query(dash_duo).get("year") == "2020", timeout=TIMEOUT)
    id_summary = dash_duo.find_element("#map-summary").text
    assert re.search(r"\d,\d%", id_summary)  # Indonesian: decimal comma

    dash_duo.find_element("#lang-switch").click()
    until(lambda: query(dash_duo).get("lang") == "en", timeout=TIMEOUT)
    wait_for_map(dash_duo)
    dash_duo.wait_for_contains_text(".navbar", "Stunting situation analysis", timeout=TIMEOUT)
    tabs = [t.text for t in dash_duo.find_elements("#tabs-main .nav-link")]
    assert tabs[:2] == ["Village table", "Lokus scoring"]
    assert query(dash_duo)["year"] == "2020"  # the other arguments survive the switch
    assert picked(dash_duo, "filter-year") == "2020"
    assert dash_duo.find_element("html body div[lang='en']") is not None
    en_summary = dash_duo.find_element("#map-summary").text
    assert re.search(r"\d\.\d%", en_summary) and not re.search(r"\d,\d%", en_summary)
    hover = " ".join(trace(dash_duo, "gd.data[0].text.slice(0, 40)"))
    assert re.search(r"\d\.\d%", hover) and not re.search(r"\d,\d%", hover)
    assert trace(dash_duo, "gd._fullLayout.separators") == ".,"
    assert dash_duo.find_element("#lang-switch").text == "Bahasa Indonesia"

    dash_duo.find_element("#lang-switch").click()
    until(lambda: query(dash_duo).get("lang") == "id", timeout=TIMEOUT)
    wait_for_map(dash_duo)
    dash_duo.wait_for_contains_text("#tabs-main", "Tabel desa", timeout=TIMEOUT)
    assert dash_duo.find_element("#map-summary").text == id_summary
    assert trace(dash_duo, "gd._fullLayout.separators") == ",."
    assert dash_duo.get_logs() == []


def test_e2e405_a_link_with_a_scenario_loads_it(dash_duo, tmp_path):
    url = f"sqlite:///{tmp_path}/e2e.db"
    app = create_app(database_url=url)
    registry = Registry(embedded_data_dir())
    dataset = registry.get(None)
    config = preset_config(dataset, next(iter(PRESETS)), top_n=7, method="topsis")
    result = registry.score(dataset.id, config.to_dict())
    saved = Store(url, data_dir=tmp_path).save_new("Tautan rembuk", dataset.id, result.config,
                                chosen_from_result(result), author="Uji")
    dash_duo.start_server(app)
    dash_duo.driver.get(f"{dash_duo.server_url}/?scenario={saved.id}&page=skoring")
    wait_for_map(dash_duo)
    status = dash_duo.find_element("#scn-status")  # on a hidden tab: read textContent
    until(lambda: "dimuat dari tautan" in status.get_attribute("textContent"), timeout=TIMEOUT)
    until(lambda: grid_values(dash_duo, "score-grid", "rekomendasi").count("ya") == 7, timeout=TIMEOUT)
    assert dash_duo.find_element("#score-top-n").get_attribute("value") == "7"
    assert picked(dash_duo, "score-method") == "TOPSIS"
    assert query(dash_duo)["scenario"] == str(saved.id)
    assert dash_duo.get_logs() == []
