"""Real-browser test of issue 11's flow at 1366×768: walk the step bar from the data to the
Berita Acara and the downloads on ONE active scenario, named once; the unsaved-changes marker
appears after a weight change and goes after *Simpan*. A screenshot of each step goes to
``artifacts/alur-<n>-<step>.png``."""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl
import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from app import create_app
from geo.store.scenarios import Store
from tests.e2e.helpers import TIMEOUT, screenshot, wait_idle, wait_ready
from tests.e2e.test_scoring_page import click, grid_values, pick

pytestmark = pytest.mark.e2e

NAME = "Lokus 2027 usulan Bappeda"
AUTHOR = "lokal"  # the local account: every change is recorded under it (issue 12)
FORCED = ("32.11.01.2001", "Cimungkal")  # forced in with a reason


def text(dash_duo, selector: str) -> str:
    """textContent (also of elements on a hidden tab)."""
    return dash_duo.driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';", selector)


def step(dash_duo, key: str) -> str:
    return text(dash_duo, f"[id='{{\"step\":\"{key}\",\"type\":\"flow-state\"}}']")


def step_class(dash_duo, key: str) -> str:
    button = dash_duo.find_element(f"[id='{{\"step\":\"{key}\",\"type\":\"flow-step\"}}']")
    return button.get_attribute("class")


def go(dash_duo, key: str):
    """Click a step of the bar (a user's click: the bar is on top, always in view)."""
    dash_duo.find_element(f"[id='{{\"step\":\"{key}\",\"type\":\"flow-step\"}}']").click()
    until(lambda: "flow-current" in step_class(dash_duo, key), timeout=TIMEOUT)


def open_tab(dash_duo, label: str):
    """Open a right-hand tab by its label (scripted click: the tabs may sit under the sticky
    step bar after the page scrolled)."""
    tab = next(t for t in dash_duo.find_elements("#tabs-main .nav-link") if t.text == label)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); "
                                   "arguments[0].click()", tab)
    until(lambda: dash_duo.find_element("#tabs-main .nav-link.active").text == label, timeout=TIMEOUT)


def shot(dash_duo, n: int, slug: str):
    wait_idle(dash_duo)
    time.sleep(0.3)  # let MapLibre finish painting (the picture only, no assertion waits on it)
    screenshot(dash_duo, f"alur-{n}-{slug}")


def box(dash_duo, selector: str) -> dict:
    return dash_duo.driver.execute_script(
        "return document.querySelector(arguments[0]).getBoundingClientRect().toJSON();", selector)


def in_view(dash_duo, selector: str, height: int) -> bool:
    """The section's head is on screen, below the sticky step bar."""
    top, bar = box(dash_duo, selector)["top"], box(dash_duo, "#flow-bar")["bottom"]
    return bar <= top < height - 150


def test_e2e501_walk_the_step_bar_on_one_active_scenario(dash_duo, tmp_path):
    url = f"sqlite:///{tmp_path}/e2e.db"
    dash_duo.start_server(create_app(database_url=url, state_dir=tmp_path))
    wait_ready(dash_duo)
    height = dash_duo.driver.execute_script("return innerHeight")
    assert height == 768

    # 1 Analisis situasi: the map and the list side by side, the map's top above the fold
    until(lambda: "277 desa, 26 kecamatan" in step(dash_duo, "situasi"), timeout=TIMEOUT)
    assert "flow-current" in step_class(dash_duo, "situasi")
    assert "belum disimpan" in step(dash_duo, "skoring")
    assert "belum ada skenario aktif" in text(dash_duo, "#flow-scenario")
    shot(dash_duo, 1, "analisis-situasi")
    graph, tabs = box(dash_duo, "#map-graph"), box(dash_duo, "#tabs-main")
    assert graph["top"] < height - 300 and graph["bottom"] <= height  # the whole map in view
    assert tabs["top"] < height / 2 and graph["right"] <= tabs["left"]  # side by side
    assert dash_duo.driver.execute_script(  # and nothing wider than the laptop's screen
        "return document.documentElement.scrollWidth <= innerWidth")

    # 2 Skoring & pilih: a preset, one village forced in with its reason
    go(dash_duo, "skoring")
    assert dash_duo.find_element("#tabs-main .nav-link.active").text == "Skoring lokus"
    until(lambda: len(grid_values(dash_duo, "score-grid", "kode")) == 277, timeout=TIMEOUT)
    pick(dash_duo, dash_duo.find_element("#score-preset"), "Perpres 72/2021")
    code, village = FORCED
    pick(dash_duo, dash_duo.find_element("#score-force-village"), village, search=village)
    dash_duo.find_element("#score-force-reason").send_keys("usul camat: posyandu tidak aktif")
    click(dash_duo, "#score-force-in")
    dash_duo.wait_for_contains_text("#score-force-list", village, timeout=TIMEOUT)
    until(lambda: dict(zip(grid_values(dash_duo, "score-grid", "kode"),
                           grid_values(dash_duo, "score-grid", "rekomendasi"), strict=True))
          .get(code) == "ya", timeout=TIMEOUT)
    until(lambda: "diskor" in step(dash_duo, "skoring"), timeout=TIMEOUT)
    assert "belum disimpan" in step(dash_duo, "skoring")
    shot(dash_duo, 2, "skoring-pilih")

    # save: the name typed once; the author is the signed-in (here: local) account
    open_tab(dash_duo, "Keputusan & unduh")
    dash_duo.find_element("#scn-name").send_keys(NAME)
    click(dash_duo, "#scn-update")  # "Simpan": nothing active yet, so a new scenario
    dash_duo.wait_for_contains_text("#scn-status", f"'{NAME}' disimpan", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#flow-scenario", NAME, timeout=TIMEOUT)
    until(lambda: "tersimpan v1" in step(dash_duo, "skoring"), timeout=TIMEOUT)
    assert "belum disimpan" not in text(dash_duo, "#flow-scenario")

    # a weight change: the unsaved marker in the bar and in the decide panel ...
    go(dash_duo, "skoring")
    weight = dash_duo.find_element("#score-weights input[type='number']")
    weight.send_keys(Keys.CONTROL, "a")
    weight.send_keys("90", Keys.ENTER)
    dash_duo.wait_for_contains_text("#flow-scenario", "perubahan belum disimpan", timeout=TIMEOUT)
    assert "perubahan belum disimpan" in text(dash_duo, "#decide-active")
    assert "perubahan belum disimpan" in step(dash_duo, "skoring")
    shot(dash_duo, 3, "perubahan-belum-disimpan")
    # ... gone after "Simpan" (no name to retype: the same scenario, a new version)
    open_tab(dash_duo, "Keputusan & unduh")
    click(dash_duo, "#scn-update")
    dash_duo.wait_for_contains_text("#scn-status", f"Perubahan disimpan ke '{NAME}' (versi 2)",
                                    timeout=TIMEOUT)
    until(lambda: "belum disimpan" not in text(dash_duo, "#flow-scenario"), timeout=TIMEOUT)
    assert "versi 2" in text(dash_duo, "#flow-scenario")
    assert "belum disimpan" not in text(dash_duo, "#decide-active")

    # 3 Rencana kegiatan: the draft plan saved into the active scenario
    go(dash_duo, "rencana")
    until(lambda: len(grid_values(dash_duo, "plan-grid", "kode")) > 0, timeout=TIMEOUT)
    until(lambda: in_view(dash_duo, "#decide-plan", height), timeout=TIMEOUT)  # scrolled to it
    click(dash_duo, "#plan-save")
    dash_duo.wait_for_contains_text("#plan-status", f"Rencana tersimpan di '{NAME}'", timeout=TIMEOUT)
    until(lambda: "kegiatan tersimpan" in step(dash_duo, "rencana"), timeout=TIMEOUT)
    assert "flow-done" in step_class(dash_duo, "rencana")
    shot(dash_duo, 4, "rencana-kegiatan")

    # 4 Rembuk & tetapkan: the presenter opens on the same scenario; Berita Acara
    go(dash_duo, "rembuk")
    until(lambda: "is-open" in dash_duo.find_element("#present-overlay").get_attribute("class"),
          timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#present-counter", "1 / 5", timeout=TIMEOUT)
    for n in (2, 3, 4, 5):
        click(dash_duo, "#present-next")
        dash_duo.wait_for_text_to_equal("#present-counter", f"{n} / 5", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#present-body", f"Skenario '{NAME}' (versi 3)", timeout=TIMEOUT)
    click(dash_duo, "#present-ba-download")
    dash_duo.wait_for_contains_text("#present-ba-status", ".pdf dibuat", timeout=TIMEOUT)
    shot(dash_duo, 5, "rembuk-tetapkan")
    click(dash_duo, "#present-exit")
    until(lambda: "is-open" not in dash_duo.find_element("#present-overlay").get_attribute("class"),
          timeout=TIMEOUT)
    until(lambda: "Berita Acara diunduh" in step(dash_duo, "rembuk"), timeout=TIMEOUT)

    # 5 Unduh: the XLSX of the active scenario, with the forced village and its reason
    go(dash_duo, "unduh")
    until(lambda: in_view(dash_duo, "#decide-exports", height), timeout=TIMEOUT)  # scrolled to it
    button = next(b for b in dash_duo.find_elements("#decide-exports button") if b.text == "Excel (XLSX)")
    button.click()
    dash_duo.wait_for_contains_text("#export-status", f".xlsx dibuat dari skenario '{NAME}'",
                                    timeout=TIMEOUT)
    folder = Path(dash_duo.download_path)
    until(lambda: any(p.suffix == ".xlsx" for p in folder.iterdir()), timeout=TIMEOUT)
    until(lambda: "diunduh" in step(dash_duo, "unduh"), timeout=TIMEOUT)
    shot(dash_duo, 6, "unduh")
    xlsx = next(p for p in folder.iterdir() if p.suffix == ".xlsx")
    until(lambda: _readable(xlsx), timeout=TIMEOUT)  # Chromium renames the file once complete
    book = openpyxl.load_workbook(xlsx)
    rows = [r for r in book["Lokus terpilih"].iter_rows(min_row=2, values_only=True) if r[0]]
    store = Store(url, data_dir=tmp_path)
    try:
        (saved,) = store.find("sumedang")
        sc = store.get(saved.id)
        assert sc.name == NAME and sc.version == 3 and sc.author == AUTHOR
        assert [e.who for e in store.audit(sc.id)][-1] == AUTHOR  # plan saved under the same name
    finally:
        store.close()
    codes = [str(c) for r in rows for c in r if isinstance(c, str) and c.startswith("32.11.")]
    assert set(sc.codes) <= set(codes) and code in codes
    assert len(rows) == len(sc.codes)
    assert dash_duo.get_logs() == []


def _readable(path: Path) -> bool:
    try:
        openpyxl.load_workbook(path)
    except Exception:  # still being written
        return False
    return True
