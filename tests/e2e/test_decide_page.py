"""Real-browser test: save a scenario, reload the page, find it, download the XLSX."""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl
import pytest
from dash.testing.wait import until

from app import create_app
from tests.e2e.helpers import TIMEOUT
from tests.e2e.test_map_page import wait_for_map
from tests.e2e.test_scoring_page import click, pick

pytestmark = pytest.mark.e2e


def open_tab(dash_duo, label: str):
    tab = next(t for t in dash_duo.find_elements("#tabs-main .nav-link") if t.text == label)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", tab)
    tab.click()


def test_e2e201_save_reload_find_and_download_xlsx(dash_duo, tmp_path):
    dash_duo.start_server(create_app(database_url=f"sqlite:///{tmp_path}/e2e.db"))
    wait_for_map(dash_duo)
    open_tab(dash_duo, "Keputusan & unduh")
    assert "lokal" in dash_duo.find_element("#scn-author-shown").text  # no name to type (issue 12)
    dash_duo.find_element("#scn-name").send_keys("Lokus 2026 usulan awal")
    click(dash_duo, "#scn-save-new")
    dash_duo.wait_for_contains_text("#scn-status", "disimpan (20 desa)", timeout=TIMEOUT)
    until(lambda: len(dash_duo.find_elements("#scn-audit .ag-row")) >= 1, timeout=TIMEOUT)

    dash_duo.driver.refresh()
    wait_for_map(dash_duo)
    open_tab(dash_duo, "Keputusan & unduh")
    pick(dash_duo, dash_duo.find_element("#scn-list"), "Lokus 2026 usulan awal")
    click(dash_duo, "#scn-load")
    dash_duo.wait_for_contains_text("#scn-status", "dimuat", timeout=TIMEOUT)

    button = next(b for b in dash_duo.find_elements("button") if b.text == "Excel (XLSX)")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); "
                                   "arguments[0].click()", button)
    dash_duo.wait_for_contains_text("#export-status", ".xlsx dibuat dari skenario", timeout=TIMEOUT)
    folder = Path(dash_duo.download_path)
    until(lambda: any(p.suffix == ".xlsx" for p in folder.iterdir()), timeout=TIMEOUT)
    time.sleep(0.5)  # let Chromium finish renaming the .crdownload file
    xlsx = next(p for p in folder.iterdir() if p.suffix == ".xlsx")
    book = openpyxl.load_workbook(xlsx)
    chosen = [r for r in book["Lokus terpilih"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert len(chosen) == 20
    meth = {r[1]: r[2] for r in book["Metodologi"].iter_rows(min_row=2, values_only=True)}
    assert meth["Nama skenario"] == "Lokus 2026 usulan awal"
    assert meth["Penyusun"] == "lokal"  # the account that saved it
    assert dash_duo.get_logs() == []
