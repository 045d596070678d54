"""Real-browser test of presenter mode: five steps by keyboard, a change with its reason in the
audit log, the Berita Acara download, Esc; a 1920×1080 screenshot of every step."""

from __future__ import annotations

import io
import time
from datetime import date
from pathlib import Path

import pypdf
import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from app import create_app
from geo.store.scenarios import Store
from tests.e2e.helpers import TIMEOUT
from tests.e2e.test_map_page import wait_for_map
from tests.e2e.test_scoring_page import click, pick

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "presenter"
PRESENT_GD = "document.querySelector('#present-map .js-plotly-plot')"


def present_map(dash_duo, expr: str):
    return dash_duo.driver.execute_script(f"const gd = {PRESENT_GD}; return {expr};")


def key(dash_duo, *keys):
    """Keys sent to the page body (not to a control)."""
    dash_duo.driver.execute_script("document.activeElement && document.activeElement.blur()")
    dash_duo.find_element("body").send_keys(*keys)


def at_step(dash_duo, n: int, title: str):
    dash_duo.wait_for_text_to_equal("#present-counter", f"{n} / 5", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#present-title", title, timeout=TIMEOUT)


def shot(dash_duo, n: int):
    until(lambda: dash_duo._wait_for_callbacks(), timeout=TIMEOUT, poll=0.2)
    time.sleep(0.4)  # let MapLibre finish painting
    SHOTS.mkdir(parents=True, exist_ok=True)
    dash_duo.driver.save_screenshot(str(SHOTS / f"step-{n}.png"))


def list_rows(dash_duo) -> list[str]:
    return [r.text for r in dash_duo.find_elements("#present-list tbody tr")]


def test_e2e301_presenter_walks_five_steps_by_keyboard_and_records_the_meeting(dash_duo, tmp_path):
    url = f"sqlite:///{tmp_path}/e2e.db"
    dash_duo.start_server(create_app(database_url=url, state_dir=tmp_path))
    dash_duo.driver.set_window_size(1920, 1080)
    chrome = 1080 - dash_duo.driver.execute_script("return innerHeight")
    dash_duo.driver.set_window_size(1920, 1080 + chrome)  # the page itself gets 1920×1080
    wait_for_map(dash_duo)
    # headless Chromium's "screen" is 800×600: record the fullscreen request and refuse it, so
    # the overlay is shown (and photographed) at 1920×1080, as when a browser refuses fullscreen
    dash_duo.driver.execute_script(
        "window.fullscreenRequests = 0; document.documentElement.requestFullscreen = () => "
        "{ window.fullscreenRequests += 1; return Promise.reject(new Error('refused in test')); };")
    click(dash_duo, "#present-open")

    # 1 situation: the prevalence map (geometry once) and the headline numbers
    at_step(dash_duo, 1, "Analisis situasi")
    overlay = dash_duo.find_element("#present-overlay")
    assert "is-open" in overlay.get_attribute("class")
    size = dash_duo.driver.execute_script("const r = arguments[0].getBoundingClientRect();"
                                          "return [r.width, r.height];", overlay)
    assert size == [pytest.approx(dash_duo.driver.execute_script("return innerWidth"), abs=1),
                    pytest.approx(dash_duo.driver.execute_script("return innerHeight"), abs=1)]
    assert dash_duo.driver.execute_script("return window.fullscreenRequests") == 1
    dash_duo.wait_for_contains_text("#present-body", "Anak diukur", timeout=TIMEOUT)
    body = dash_duo.find_element("#present-body").text
    assert "Rasio skrining merah" in body and "bukan prevalensi" in body and "Dibanding 2020" in body
    until(lambda: present_map(dash_duo, "gd && gd.data[0].geojson.features.length") == 277, timeout=TIMEOUT)
    until(lambda: max(present_map(dash_duo, "gd.data[0].z")) >= 1, timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#present-legend", "Tanpa data", timeout=TIMEOUT)
    present_map(dash_duo, "(gd.data[0].geojson.sentOnce = true)")  # lost if the figure were re-sent
    shot(dash_duo, 1)

    # 2 distribution by kecamatan (ArrowRight), sorted highest first; the map is hidden
    key(dash_duo, Keys.ARROW_RIGHT)
    at_step(dash_duo, 2, "Sebaran per kecamatan")
    until(lambda: len(dash_duo.find_elements("#present-body .js-plotly-plot")) == 1, timeout=TIMEOUT)
    bars = dash_duo.driver.execute_script(
        "return document.querySelector('#present-body .js-plotly-plot').data[0].x;")
    assert len(bars) == 26 and bars == sorted(bars)  # drawn bottom-up: the highest bar on top
    assert not dash_duo.find_element("#present-map").is_displayed()
    shot(dash_duo, 2)

    # 3 candidates (Space): score map by Patch, the 20 proposed villages outlined
    key(dash_duo, Keys.SPACE)
    at_step(dash_duo, 3, "Desa kandidat")
    dash_duo.wait_for_contains_text("#present-body", "20 desa diusulkan", timeout=TIMEOUT)
    assert "Inti" in dash_duo.find_element("#present-body").text
    dash_duo.wait_for_contains_text("#present-legend", "Skor prioritas", timeout=TIMEOUT)
    until(lambda: present_map(dash_duo, "gd.data[0].marker.line.width.filter(w => w > 3).length") == 20,
          timeout=TIMEOUT)  # the 20 proposed villages outlined
    assert present_map(dash_duo, "gd.data[0].geojson.sentOnce") is True
    shot(dash_duo, 3)

    # 4 proposed list with reasons (PageDown); remove one village with a reason
    key(dash_duo, Keys.PAGE_DOWN)
    at_step(dash_duo, 4, "Usulan desa lokus")
    until(lambda: len(list_rows(dash_duo)) == 20, timeout=TIMEOUT)
    first = list_rows(dash_duo)[0]
    assert "peringkat 1" in first and "berada di peringkat 1 dari" in first
    removed = dash_duo.find_element("#present-list tbody tr td:nth-child(2)").text
    pick(dash_duo, dash_duo.find_element("#present-village"), removed, search=removed)
    reason = dash_duo.find_element("#present-reason")
    reason.send_keys("sudah ditangani dana desa", Keys.ARROW_RIGHT, " ")  # typing: no step change
    assert dash_duo.find_element("#present-counter").text == "4 / 5"
    assert "lokal" in dash_duo.find_element("#present-author").text  # the account, never typed
    click(dash_duo, "#present-remove")
    dash_duo.wait_for_contains_text("#present-status", "nama skenario", timeout=TIMEOUT)  # none active yet
    dash_duo.find_element("#present-scn-name").send_keys("Rembuk Stunting 2026")
    click(dash_duo, "#present-remove")
    dash_duo.wait_for_contains_text("#present-status", "dikeluarkan (19 desa)", timeout=TIMEOUT)
    until(lambda: len(list_rows(dash_duo)) == 19, timeout=TIMEOUT)
    assert not any(removed in r.split("\n")[0] for r in list_rows(dash_duo))
    shot(dash_duo, 4)

    # 5 agreed list (ArrowRight); add a village; the changes come from the audit log
    key(dash_duo, Keys.ARROW_RIGHT)
    at_step(dash_duo, 5, "disepakati")
    dash_duo.wait_for_contains_text("#present-changes", "sudah ditangani dana desa", timeout=TIMEOUT)
    pick(dash_duo, dash_duo.find_element("#present-village"), "Cimungkal", search="Cimungkal")
    dash_duo.find_element("#present-reason").send_keys("usul camat Wado")
    click(dash_duo, "#present-add")
    dash_duo.wait_for_contains_text("#present-status", "ditambahkan (20 desa)", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#present-changes", "usul camat Wado", timeout=TIMEOUT)
    changes = dash_duo.find_element("#present-changes").text
    assert "Dikeluarkan" in changes and "Ditambahkan" in changes and "lokal" in changes
    until(lambda: any("Cimungkal" in r for r in list_rows(dash_duo)), timeout=TIMEOUT)
    store = Store(url, data_dir=tmp_path)
    scenario = store.find("sumedang")[0]
    audit = [(e.action, e.reason, e.who) for e in store.audit(scenario.id)]
    assert ("remove", "sudah ditangani dana desa", "lokal") in audit
    assert audit[-1] == ("add", "usul camat Wado", "lokal")  # the account, never a typed name
    store.close()

    # Berita Acara from the form on step 5: the planning year follows the meeting date (+1)
    year = dash_duo.find_element("#present-ba-year")
    assert year.get_attribute("value") == ""
    until(lambda: year.get_attribute("placeholder") == str(date.today().year + 1), timeout=TIMEOUT)
    # a date input's typing order depends on the locale: set the value as React reads it
    dash_duo.driver.execute_script(
        "const el = document.getElementById('present-ba-date');"
        "Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, '2026-02-10');"
        "el.dispatchEvent(new Event('input', {bubbles: true}));")
    until(lambda: year.get_attribute("placeholder") == "2027", timeout=TIMEOUT)
    dash_duo.find_element("#present-ba-place").send_keys("Aula Bappeda Sumedang")
    dash_duo.find_element("#present-ba-chair").send_keys("Sekretaris Daerah")
    dash_duo.find_element("#present-ba-participants").send_keys("Kepala Dinas Kesehatan\nCamat Wado")
    shot(dash_duo, 5)
    click(dash_duo, "#present-ba-download")
    dash_duo.wait_for_contains_text("#present-ba-status", "berita_acara_rembuk_Sumedang_2027.pdf dibuat",
                                    timeout=TIMEOUT)
    pdf = Path(dash_duo.download_path) / "berita_acara_rembuk_Sumedang_2027.pdf"
    until(pdf.exists, timeout=TIMEOUT)  # Chromium gives the file its name once the download is complete
    text = " ".join(" ".join(pg.extract_text() for pg in pypdf.PdfReader(io.BytesIO(pdf.read_bytes())).pages)
                    .split())
    assert "Berita Acara Rembuk Stunting" in text and "Aula Bappeda Sumedang" in text
    assert "usul camat Wado" in text and "sudah ditangani dana desa" in text and "Camat Wado" in text
    assert "10 Februari 2026" in text and "Penetapan Desa Lokus Stunting Tahun 2027" in text
    assert "berdasarkan data tahun 2021" in text and "Tahun 2021" not in text

    # back and forth, then Esc closes the presenter
    key(dash_duo, Keys.ARROW_LEFT)
    at_step(dash_duo, 4, "Usulan desa lokus")
    key(dash_duo, Keys.PAGE_UP)
    at_step(dash_duo, 3, "Desa kandidat")
    key(dash_duo, Keys.ESCAPE)
    until(lambda: "is-open" not in dash_duo.find_element("#present-overlay").get_attribute("class"),
          timeout=TIMEOUT)
    assert not dash_duo.find_element("#present-overlay").is_displayed()
    assert dash_duo.find_element("#present-open").is_displayed()
    logs = dash_duo.get_logs()
    print("LOGS", logs)
    assert logs == []
