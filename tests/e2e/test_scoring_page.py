"""Real-browser tests of the scoring panel (headless Chromium)."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from app import create_app
from tests.e2e.helpers import TIMEOUT
from tests.e2e.test_map_page import trace, wait_for_map

pytestmark = pytest.mark.e2e


def pick(dash_duo, dropdown, text: str, search: str | None = None):
    """Open a Dash dropdown (element), optionally search, and pick the option starting with text."""
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); "
                                   "arguments[0].click()", dropdown)
    if search:
        dash_duo.find_element("input.dash-dropdown-search").send_keys(search)

    def click_option() -> bool:
        """Click the option; False while it is missing or re-rendered under us (stale)."""
        try:
            option = next((o for o in dash_duo.find_elements(".dash-dropdown-option")
                           if o.text.startswith(text)), None)
            if option is None:
                return False
            dash_duo.driver.execute_script("arguments[0].click()", option)
            return True
        except StaleElementReferenceException:
            return False

    until(click_option, timeout=TIMEOUT)
    # a scripted click leaves Dash 4's search popover open; Esc closes it as a user would
    ActionChains(dash_duo.driver).send_keys(Keys.ESCAPE).perform()


def click(dash_duo, selector: str):
    """A real click. Help tooltips (shown on hover where the pointer last rested) are made
    transparent to the pointer first: on a loaded machine one may still lie over the control
    (a style element, not a removed node, so React's tooltips stay intact)."""
    dash_duo.driver.execute_script(
        "if (!document.getElementById('e2e-tooltips')) {"
        " const s = document.createElement('style'); s.id = 'e2e-tooltips';"
        " s.textContent = '.tooltip { pointer-events: none !important; }';"
        " document.head.appendChild(s); }")
    element = dash_duo.find_element(selector)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def click_radio(dash_duo, radio_id: str, text: str):
    labels = dash_duo.find_elements(f"#{radio_id} label")
    next(label for label in labels if label.text.strip() == text).click()


def grid_values(dash_duo, grid_id: str, field: str) -> list:
    """Values of one field over every row of an AG Grid (not only the rendered ones); empty
    while the grid is not initialised yet (a loaded machine renders the tab late), so callers
    can poll with ``until``."""
    return dash_duo.driver.execute_script(
        f"let api; try {{ api = dash_ag_grid.getApi('{grid_id}'); }} catch (e) {{ return []; }}"
        f"const out = []; api.forEachNode(n => out.push(n.data['{field}'])); return out;")


@pytest.fixture
def scoring(dash_duo, tmp_path):
    dash_duo.start_server(create_app(database_url=f"sqlite:///{tmp_path}/e2e.db"))
    wait_for_map(dash_duo)
    tabs = dash_duo.find_elements("#tabs-main .nav-link")
    next(t for t in tabs if t.text == "Skoring lokus").click()
    until(lambda: len(grid_values(dash_duo, "score-grid", "kode")) == 277, timeout=TIMEOUT)
    return dash_duo


def test_e2e101_default_preset_recommends_exactly_n_and_maps_them(scoring):
    dash_duo = scoring
    ya = grid_values(dash_duo, "score-grid", "rekomendasi").count("ya")
    assert ya == 20
    click_radio(dash_duo, "map-layer", "Rekomendasi lokus")
    dash_duo.wait_for_contains_text("#map-legend", "Rekomendasi lokus", timeout=TIMEOUT)
    legend = dash_duo.find_element("#map-legend").text
    assert "Lokus (rekomendasi)\n20 desa" in legend
    z = trace(dash_duo, "gd.data[0].z")
    assert z.count(0) == 20  # class 0 = lokus
    assert dash_duo.get_logs() == []


def test_e2e102_changing_n_and_quota_updates_the_recommendation(scoring):
    dash_duo = scoring
    box = dash_duo.find_element("#score-top-n")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("10")
    until(lambda: grid_values(dash_duo, "score-grid", "rekomendasi").count("ya") == 10, timeout=TIMEOUT)
    quota = dash_duo.find_element("#score-max-per-kec")
    quota.send_keys("1")
    until(lambda: _max_per_kecamatan(dash_duo) == 1, timeout=TIMEOUT)
    assert grid_values(dash_duo, "score-grid", "rekomendasi").count("ya") == 10
    assert dash_duo.get_logs() == []


def _max_per_kecamatan(dash_duo) -> int:
    kec = grid_values(dash_duo, "score-grid", "nama_kec")
    ya = grid_values(dash_duo, "score-grid", "rekomendasi")
    chosen = [k for k, r in zip(kec, ya, strict=True) if r == "ya"]
    return max(chosen.count(k) for k in set(chosen))


def test_e2e103_clicking_a_ranked_village_explains_it(scoring):
    dash_duo = scoring
    first = dash_duo.wait_for_element_by_css_selector(
        "#score-grid .ag-row[row-index='0'] .ag-cell[col-id='nama']", timeout=TIMEOUT)
    name = first.text
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); "
                                   "arguments[0].click()", first)
    dash_duo.wait_for_contains_text("#score-explain", f"Mengapa {name}?", timeout=TIMEOUT)
    assert "Peringkat 1" in dash_duo.find_element("#score-explain").text
    assert dash_duo.get_logs() == []


def test_e2e104_forcing_a_village_in_records_the_reason(scoring):
    dash_duo = scoring
    code = "32.11.17.1001"  # Pasanggrahan Baru, a kelurahan with no data: never chosen by score
    assert dict(zip(grid_values(dash_duo, "score-grid", "kode"),
                            grid_values(dash_duo, "score-grid", "rekomendasi"), strict=True))[code] != "ya"
    pick(dash_duo, dash_duo.find_element("#score-force-village"), "Pasanggrahan Baru",
         search="Pasanggrahan")
    dash_duo.find_element("#score-force-reason").send_keys("kesepakatan rembuk 2026")
    click(dash_duo, "#score-force-in")
    dash_duo.wait_for_contains_text("#score-force-list", "kesepakatan rembuk 2026", timeout=TIMEOUT)

    def row():
        kode = grid_values(dash_duo, "score-grid", "kode")
        i = kode.index(code)
        return (grid_values(dash_duo, "score-grid", "rekomendasi")[i],
                grid_values(dash_duo, "score-grid", "alasan")[i])

    until(lambda: row()[0] == "ya", timeout=TIMEOUT)
    assert "kesepakatan rembuk 2026" in row()[1]
    assert grid_values(dash_duo, "score-grid", "rekomendasi").count("ya") == 20
    assert dash_duo.get_logs() == []


def test_e2e105_inconsistent_ahp_is_not_applied_silently(scoring):
    dash_duo = scoring
    click(dash_duo, "#ahp-open")
    until(lambda: len(dash_duo.find_elements("#ahp-body .dash-dropdown")) == 1, timeout=TIMEOUT)
    # the default preset has two indicators: one pair
    pick(dash_duo, dash_duo.find_elements("#ahp-body .dash-dropdown")[0], "9")
    dash_duo.wait_for_contains_text("#ahp-result", "CR = 0,000", timeout=TIMEOUT)
    click(dash_duo, "#ahp-apply")
    dash_duo.wait_for_contains_text("#ahp-result", "diterapkan", timeout=TIMEOUT)
    # 9:1 judgement → weights 90 % / 10 %
    dash_duo.wait_for_contains_text("#score-weight-sum", "90%", timeout=TIMEOUT)
    assert dash_duo.get_logs() == []


def test_e2e106_scoring_page_in_english(dash_duo, tmp_path):
    """?lang=en: labels, grid words (via the column formatter), the explanation and the quadrant."""
    dash_duo.start_server(create_app(database_url=f"sqlite:///{tmp_path}/e2e.db"))
    dash_duo.driver.get(dash_duo.server_url + "/?page=skoring&lang=en")
    dash_duo.wait_for_contains_text("#tabs-main .nav-link.active", "Lokus scoring", timeout=TIMEOUT)
    until(lambda: len(grid_values(dash_duo, "score-grid", "kode")) == 277, timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#score-summary", "priority villages recommended", timeout=TIMEOUT)
    assert grid_values(dash_duo, "score-grid", "rekomendasi").count("ya") == 20  # data unchanged
    first = dash_duo.wait_for_element_by_css_selector(
        "#score-grid .ag-row[row-index='0'] .ag-cell[col-id='rekomendasi']", timeout=TIMEOUT)
    assert first.text == "yes"
    # AG Grid renders only the columns in view: at 1366×768 scroll the reason column into view
    dash_duo.driver.execute_script("dash_ag_grid.getApi('score-grid').ensureColumnVisible('alasan')")
    reason = dash_duo.wait_for_element_by_css_selector(
        "#score-grid .ag-row[row-index='0'] .ag-cell[col-id='alasan']", timeout=TIMEOUT)
    assert reason.text == "rank 1"
    headers = dash_duo.find_element("#score-grid .ag-header").text
    assert "Subdistrict" in headers and "Kecamatan" not in headers
    name = dash_duo.find_element("#score-grid .ag-row[row-index='0'] .ag-cell[col-id='nama']")
    village = name.text
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); "
                                   "arguments[0].click()", name)
    dash_duo.wait_for_contains_text("#score-explain", f"Why {village}?", timeout=TIMEOUT)
    assert "mainly because of" in dash_duo.find_element("#score-explain").text
    assert dash_duo.get_logs() == []


def test_e2e107_typed_weight_applies_on_enter_and_forcing_needs_a_reason(scoring):
    """Issue 11: Enter in a weight box applies it (no blur needed); Masuk without a reason
    says so next to the control and forces nothing."""
    dash_duo = scoring
    order = grid_values(dash_duo, "score-grid", "kode")
    weights = dash_duo.find_element("#score-weight-sum").text
    box = dash_duo.find_elements("#score-weights input.form-control")[0]
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.click()
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("0", Keys.ENTER)
    # all weight on the second indicator: the shares and the ranking change, the box kept focus
    until(lambda: dash_duo.find_element("#score-weight-sum").text != weights, timeout=TIMEOUT)
    assert " 0%" in dash_duo.find_element("#score-weight-sum").text
    until(lambda: grid_values(dash_duo, "score-grid", "kode") not in ([], order), timeout=TIMEOUT)
    assert dash_duo.driver.execute_script("return document.activeElement") == box

    code = "32.11.17.1001"  # Pasanggrahan Baru, never chosen by score
    pick(dash_duo, dash_duo.find_element("#score-force-village"), "Pasanggrahan Baru",
         search="Pasanggrahan")
    dash_duo.wait_for_contains_text("#score-force-village", "Pasanggrahan Baru", timeout=TIMEOUT)
    click(dash_duo, "#score-force-in")
    dash_duo.wait_for_contains_text("#score-force-message", "Tulis alasan", timeout=TIMEOUT)
    assert "is-invalid" in dash_duo.find_element("#score-force-reason").get_attribute("class")
    assert dash_duo.find_element("#score-force-list").text == ""
    rows = dict(zip(grid_values(dash_duo, "score-grid", "kode"),
                    grid_values(dash_duo, "score-grid", "rekomendasi"), strict=True))
    assert rows[code] != "ya" and list(rows.values()).count("ya") == 20
    # with a reason it is forced and the message goes away
    dash_duo.find_element("#score-force-reason").send_keys("kesepakatan rembuk 2026")
    click(dash_duo, "#score-force-in")
    dash_duo.wait_for_contains_text("#score-force-list", "kesepakatan rembuk 2026", timeout=TIMEOUT)
    until(lambda: dash_duo.find_element("#score-force-message").text == "", timeout=TIMEOUT)
    assert dash_duo.get_logs() == []


def test_e2e108_quadrant_without_coverage_says_what_to_do(scoring):
    """Issue 11: the default preset scores no coverage indicator: the Kuadran tab says so (and
    which presets have one) instead of showing an empty plot; a coverage preset draws it."""
    dash_duo = scoring
    next(t for t in dash_duo.find_elements("#tabs-main .nav-link") if t.text == "Kuadran").click()
    dash_duo.wait_for_contains_text("#quadrant-message", "indikator cakupan", timeout=TIMEOUT)
    assert "Scorecard konvergensi desa" in dash_duo.find_element("#quadrant-message").text
    assert not dash_duo.find_element("#quadrant-body").is_displayed()
    next(t for t in dash_duo.find_elements("#tabs-main .nav-link") if t.text == "Skoring lokus").click()
    pick(dash_duo, dash_duo.find_element("#score-preset"), "Scorecard konvergensi desa")
    next(t for t in dash_duo.find_elements("#tabs-main .nav-link") if t.text == "Kuadran").click()
    until(lambda: dash_duo.find_element("#quadrant-body").is_displayed(), timeout=TIMEOUT)
    assert dash_duo.find_element("#quadrant-message").text == ""
    assert dash_duo.get_logs() == []
