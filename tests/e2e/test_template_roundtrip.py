"""Real-browser round trip of the puskesmas template: download it from the upload tab, fill it
in with openpyxl as a puskesmas would, upload it through the wizard as the village table, and
the join report says every village joined by its code (no code mangled on the way)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import openpyxl
import pytest
from dash.testing.wait import until

from app import create_app
from tests.conftest import SUMEDANG_BOUNDARIES
from tests.e2e.helpers import TIMEOUT, choose, screenshot, wait_ready
from tests.e2e.test_upload_page import click, open_tab, send_file

pytestmark = pytest.mark.e2e

FILE = "templat_puskesmas_Sumedang_2022.xlsx"


def downloaded(dash_duo, name: str) -> Path:
    path = Path(dash_duo.download_path) / name
    until(path.exists, timeout=TIMEOUT)  # Chromium names the file once it is complete
    time.sleep(0.3)
    return path


def fill_in(template: Path, out: Path) -> dict[str, tuple[int, int]]:
    """Whole numbers in the two count columns of every row (stunted ≤ measured), a percent in
    the coverage column."""
    book = openpyxl.load_workbook(template)
    ws = book["Isian"]
    typed = {}
    for r in range(2, ws.max_row + 1):
        measured, stunted = 40 + r % 97, (r * 7) % 23
        ws[f"E{r}"], ws[f"F{r}"], ws[f"G{r}"] = measured, stunted, 50 + r % 50
        typed[ws[f"A{r}"].value] = (measured, stunted)
    book.save(out)
    return typed


def test_e2e_template_download_fill_upload_joins_every_village(dash_duo, tmp_path):
    dash_duo.start_server(create_app(database_url=f"sqlite:///{tmp_path}/e2e.db",
                                     state_dir=tmp_path / "state"))
    wait_ready(dash_duo)
    open_tab(dash_duo, "Unggah data")
    until(lambda: dash_duo.find_element("#template-year").get_attribute("placeholder") == "2022",
          timeout=TIMEOUT)  # the latest data year (2021) + 1
    dash_duo.driver.execute_script(
        "document.getElementById('template-download').scrollIntoView({block: 'center'})")
    choose(dash_duo, "template-coverage", "Balita dipantau pertumbuhan")  # one optional coverage column
    click(dash_duo, "#template-download")
    dash_duo.wait_for_contains_text("#template-status", f"{FILE} dibuat: 277 desa", timeout=TIMEOUT)
    screenshot(dash_duo, "templat-puskesmas-unduh")
    template = downloaded(dash_duo, FILE)
    ws = openpyxl.load_workbook(io.BytesIO(template.read_bytes()))["Isian"]
    assert ws.protection.sheet and ws["A2"].protection.locked and not ws["E2"].protection.locked
    assert ws["A2"].value == "32.11.01.2001" and ws["A2"].data_type == "s"
    assert ws["G1"].value.startswith("Balita dipantau pertumbuhan")

    filled = tmp_path / "isian_puskesmas_2022.xlsx"
    typed = fill_in(template, filled)
    assert len(typed) == 277
    send_file(dash_duo, "upload-boundaries", SUMEDANG_BOUNDARIES)
    dash_duo.wait_for_contains_text("#upload-files", SUMEDANG_BOUNDARIES.name, timeout=TIMEOUT)
    send_file(dash_duo, "upload-table", filled)
    dash_duo.wait_for_contains_text("#upload-files", filled.name, timeout=TIMEOUT)
    # the preview shows the codes as written: dotted text, not a number
    dash_duo.wait_for_contains_text("#upload-preview", "32.11.01.2001", timeout=TIMEOUT)
    columns = dash_duo.find_element("#upload-columns").text
    assert "Kode Desa/Kelurahan" in columns and "Jumlah Balita Stunting" in columns

    click(dash_duo, "#upload-check")
    dash_duo.wait_for_contains_text("#upload-report", "Data valid: 277 desa", timeout=TIMEOUT)
    report = dash_duo.find_element("#upload-report").text
    assert "277 dari 277 poligon desa mendapat data." in report
    # the template's coverage column is read from the same file, as coverage
    assert "Balita dipantau pertumbuhan" in report.split("\n")[0]
    assert "Tahun 2022: 277 desa (100,0 % poligon) dari 277 baris." in report
    assert "277 dari 277 baris dipakai." in report and "Tidak ada baris atau sel yang dikeluarkan" in report
    assert "poligon tanpa data" not in report and "tidak valid" not in report
    assert "0 baris tabel tanpa poligon." in report
    dash_duo.driver.execute_script(
        "document.getElementById('upload-report').scrollIntoView({block: 'center'})")
    screenshot(dash_duo, "templat-puskesmas")
    assert dash_duo.get_logs() == []
