"""Real-browser test of the laporan kualitas data: a messy village table is used, not refused,
and every row left out is shown and downloadable with its spreadsheet row and reason."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from dash.testing.wait import until

from app import create_app
from tests.e2e.helpers import TIMEOUT
from tests.e2e.test_map_page import trace, wait_for_map
from tests.e2e.test_upload_page import click, open_tab, send_file
from tests.upload_files import write_kecamatan

pytestmark = pytest.mark.e2e


def messy_table(csv: Path) -> dict[str, int]:
    """Plant an ``n/a`` cell, an identical duplicate and a conflicting duplicate in the Wado
    table; return the spreadsheet rows (header = row 1) where each lands."""
    table = pd.read_csv(csv, dtype=str)
    col = "anak_0_23_merah_terindikasi_stunting"
    table.loc[0, col] = "n/a"
    same = table.iloc[[3]]
    conflict = table.iloc[[5]].copy()
    conflict[col] = str(int(conflict[col].iloc[0]) + 7)
    table = pd.concat([table, same, conflict], ignore_index=True)
    table.to_csv(csv, index=False)
    n = len(table)
    return {"na": 2, "identical": n, "conflict_first": 7, "conflict_second": n + 1}


def test_e2e_messy_table_is_used_and_its_bad_rows_listed(dash_duo, tmp_path):
    dash_duo.start_server(create_app(database_url=f"sqlite:///{tmp_path}/e2e.db",
                                     state_dir=tmp_path / "state"))
    wait_for_map(dash_duo)
    open_tab(dash_duo, "Unggah data")
    geojson, csv = write_kecamatan(tmp_path / "in")
    rows = messy_table(csv)
    send_file(dash_duo, "upload-boundaries", geojson)
    dash_duo.wait_for_contains_text("#upload-boundaries-progress", "✓ batas_wado.geojson", timeout=TIMEOUT)
    send_file(dash_duo, "upload-table", csv)
    dash_duo.wait_for_contains_text("#upload-preview", "32.11.01.2001", timeout=TIMEOUT)

    click(dash_duo, "#upload-check")
    # the file is used, not refused; the report says how many rows went into the numbers
    dash_duo.wait_for_contains_text("#upload-report", "Data valid: 10 desa", timeout=TIMEOUT)
    report = dash_duo.find_element("#upload-report").text
    assert "tabel_wado.csv (tabel desa): 29 dari 32 baris dipakai." in report
    assert "bukan angka" in report and "nilai berbeda" in report and "nilai sama" in report

    dash_duo.find_element("#upload-name").send_keys("Wado berantakan")
    click(dash_duo, "#upload-save")
    dash_duo.wait_for_contains_text("#upload-status", "tersimpan", timeout=TIMEOUT)
    until(lambda: trace(dash_duo, "gd.data[0].locations.length") == 10, timeout=TIMEOUT)

    open_tab(dash_duo, "Data & sumber")
    dash_duo.wait_for_contains_text("#report-body", "Laporan kualitas data", timeout=TIMEOUT)
    click(dash_duo, "#quality-csv")
    folder = Path(dash_duo.download_path)
    until(lambda: any(p.suffix == ".csv" for p in folder.iterdir()), timeout=TIMEOUT)
    time.sleep(0.5)  # let Chromium finish renaming the .crdownload file
    got = pd.read_csv(next(p for p in folder.iterdir() if p.suffix == ".csv"), encoding="utf-8-sig",
                      keep_default_na=False)
    by_row = dict(zip(got["Baris"], got["Alasan"], strict=True))
    assert by_row[rows["na"]] == "bukan angka"
    assert by_row[rows["identical"]].startswith("baris ganda dengan nilai sama")
    assert by_row[rows["conflict_first"]].startswith("baris ganda dengan nilai berbeda")
    assert by_row[rows["conflict_second"]].startswith("baris ganda dengan nilai berbeda")
    assert got.loc[got["Baris"] == rows["na"], "Nilai"].item() == "n/a"
    assert dash_duo.get_logs() == []
