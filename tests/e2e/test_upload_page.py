"""Real-browser tests of the upload wizard and dataset switching (headless Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dash.testing.wait import until

from app import create_app
from geo.store.scenarios import Store
from tests.e2e.helpers import TIMEOUT
from tests.e2e.test_map_page import trace, wait_for_map
from tests.e2e.test_scoring_page import grid_values, pick
from tests.upload_files import write_kecamatan

pytestmark = pytest.mark.e2e


@pytest.fixture
def uploading(dash_duo, tmp_path):
    dash_duo.start_server(create_app(database_url=f"sqlite:///{tmp_path}/e2e.db",
                                     state_dir=tmp_path / "state"))
    wait_for_map(dash_duo)
    open_tab(dash_duo, "Unggah data")
    return dash_duo


def open_tab(dash_duo, label: str) -> None:
    tab = next(t for t in dash_duo.find_elements("#tabs-main .nav-link") if t.text == label)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); "
                                   "arguments[0].click()", tab)


def click(dash_duo, selector: str) -> None:
    """JS click: a dcc.Loading overlay may cover the button for a moment."""
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); "
                                   "arguments[0].click()", dash_duo.find_element(selector))


def send_file(dash_duo, upload_id: str, path) -> None:
    dash_duo.find_element(f"#{upload_id}").send_keys(str(path))


def upload_wado(dash_duo, folder: Path) -> None:
    """The wizard on the open page: boundaries and table, check, name, save."""
    open_tab(dash_duo, "Unggah data")
    geojson, csv = write_kecamatan(folder)
    send_file(dash_duo, "upload-boundaries", geojson)
    dash_duo.wait_for_contains_text("#upload-boundaries-progress", "✓ batas_wado.geojson", timeout=TIMEOUT)
    send_file(dash_duo, "upload-table", csv)
    dash_duo.wait_for_contains_text("#upload-preview", "32.11.01.2001", timeout=TIMEOUT)
    click(dash_duo, "#upload-check")
    dash_duo.wait_for_contains_text("#upload-report", "Data valid: 10 desa", timeout=TIMEOUT)
    dash_duo.find_element("#upload-name").send_keys("Wado uji")
    click(dash_duo, "#upload-save")
    dash_duo.wait_for_contains_text("#upload-status", "tersimpan", timeout=TIMEOUT)
    until(lambda: trace(dash_duo, "gd.data[0].locations.length") == 10, timeout=TIMEOUT)


def test_e2e301_upload_check_save_switch_and_back(uploading, tmp_path):
    dash_duo = uploading
    geojson, csv = write_kecamatan(tmp_path / "in")
    send_file(dash_duo, "upload-boundaries", geojson)
    dash_duo.wait_for_contains_text("#upload-files", "batas_wado.geojson", timeout=TIMEOUT)
    # the progress bar ends on the stored file's name
    dash_duo.wait_for_contains_text("#upload-boundaries-progress", "✓ batas_wado.geojson", timeout=TIMEOUT)
    send_file(dash_duo, "upload-table", csv)
    dash_duo.wait_for_contains_text("#upload-files", "tabel_wado.csv", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#upload-preview", "32.11.01.2001", timeout=TIMEOUT)
    # the detected columns are offered for override
    assert dash_duo.find_element("#upload-columns").text.count("Kode desa") == 2

    click(dash_duo, "#upload-check")
    dash_duo.wait_for_contains_text("#upload-report", "Data valid: 10 desa", timeout=TIMEOUT)
    dash_duo.find_element("#upload-name").send_keys("Wado uji")
    click(dash_duo, "#upload-save")
    dash_duo.wait_for_contains_text("#upload-status", "tersimpan", timeout=TIMEOUT)

    # switched: the map holds the 10 villages of Wado, coloured, and the title follows
    until(lambda: trace(dash_duo, "gd.data[0].locations.length") == 10, timeout=TIMEOUT)
    until(lambda: max(trace(dash_duo, "gd.data[0].z")) >= 1, timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#dataset-title", "Wado uji", timeout=TIMEOUT)
    open_tab(dash_duo, "Skoring lokus")
    until(lambda: len(grid_values(dash_duo, "score-grid", "kode")) == 10, timeout=TIMEOUT)

    # the dataset has its database row: who saved it (the account, never a typed name: issue 12)
    store = Store(f"sqlite:///{tmp_path}/e2e.db", data_dir=tmp_path)
    (record,) = store.dataset_records()
    assert record["id"] == "wado-uji" and record["created_by"] == "lokal"

    # back to the embedded default, and again to the upload
    pick(dash_duo, dash_duo.find_element("#dataset-picker"), "Kabupaten Sumedang")
    until(lambda: trace(dash_duo, "gd.data[0].locations.length") == 277, timeout=TIMEOUT)
    until(lambda: len(grid_values(dash_duo, "score-grid", "kode")) == 277, timeout=TIMEOUT)
    pick(dash_duo, dash_duo.find_element("#dataset-picker"), "Wado uji")
    until(lambda: trace(dash_duo, "gd.data[0].locations.length") == 10, timeout=TIMEOUT)

    # delete it (after the browser's confirmation): the default comes back, the row stays
    open_tab(dash_duo, "Unggah data")
    click(dash_duo, "#dataset-delete button")
    until(lambda: _accept_alert(dash_duo), timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#dataset-status", "dihapus", timeout=TIMEOUT)
    until(lambda: trace(dash_duo, "gd.data[0].locations.length") == 277, timeout=TIMEOUT)
    assert not (tmp_path / "state" / "datasets" / "wado-uji").exists()
    assert store.dataset_records()[0]["deleted_by"] == "lokal"
    assert dash_duo.get_logs() == []


def _accept_alert(dash_duo) -> bool:
    try:
        dash_duo.driver.switch_to.alert.accept()
    except Exception:  # no dialog yet
        return False
    return True


def test_e2e302_bad_file_names_it_and_app_keeps_working(uploading, tmp_path):
    dash_duo = uploading
    junk = tmp_path / "acak.geojson"
    junk.write_bytes(bytes(range(256)) * 40)
    send_file(dash_duo, "upload-boundaries", junk)
    dash_duo.wait_for_contains_text("#upload-files", "Berkas 'acak.geojson'", timeout=TIMEOUT)
    click(dash_duo, "#upload-check")
    dash_duo.wait_for_contains_text("#upload-report", "tabel desa", timeout=TIMEOUT)
    # the running app still answers: change the year, the map recolours
    before = trace(dash_duo, "JSON.stringify(gd.data[0].z)")
    pick(dash_duo, dash_duo.find_element("#filter-year"), "2019")
    until(lambda: trace(dash_duo, "JSON.stringify(gd.data[0].z)") != before, timeout=TIMEOUT)
    assert trace(dash_duo, "gd.data[0].locations.length") == 277


def test_e2e303_eppgbm_upload_review_matches_and_save(uploading, tmp_path):
    from datetime import date

    import pandas as pd

    from geo.io.eppgbm_synthetic import synthetic_export

    dash_duo = uploading
    geojson, csv = write_kecamatan(tmp_path / "in")
    villages = pd.read_csv(csv, dtype=str).drop_duplicates("nama_desa")[["nama_kec", "nama_desa"]]
    villages.loc[villages["nama_desa"] == "CIMUNGKAL", "nama_desa"] = "CIMUNGKL"  # a typo
    export = tmp_path / "in" / "ekspor_eppgbm.csv"
    synthetic_export(400, seed=4, villages=villages, start=date(2024, 1, 1),
                     months=2).to_csv(export, sep=";", index=False)
    send_file(dash_duo, "upload-boundaries", geojson)
    dash_duo.wait_for_contains_text("#upload-files", "batas_wado.geojson", timeout=TIMEOUT)
    send_file(dash_duo, "upload-eppgbm", export)
    dash_duo.wait_for_contains_text("#upload-preview", "privasi", timeout=TIMEOUT)
    assert "SINTETIS" not in dash_duo.find_element("#upload-preview").text  # no child rows shown

    click(dash_duo, "#upload-check")
    dash_duo.wait_for_contains_text("#match-rows", "CIMUNGKL", timeout=TIMEOUT)
    pick(dash_duo, dash_duo.find_element("#match-rows .dash-dropdown"), "Cimungkal")
    click(dash_duo, "#match-save")
    dash_duo.wait_for_contains_text("#match-status", "keputusan disimpan", timeout=TIMEOUT)
    click(dash_duo, "#upload-check")
    dash_duo.wait_for_contains_text("#match-rows", "Tidak ada pasangan", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#upload-report", "Data valid: 10 desa", timeout=TIMEOUT)

    dash_duo.find_element("#upload-name").send_keys("Wado e-PPGBM")
    click(dash_duo, "#upload-save")
    dash_duo.wait_for_contains_text("#upload-status", "tersimpan", timeout=TIMEOUT)
    until(lambda: trace(dash_duo, "gd.data[0].locations.length") == 10, timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#map-legend", "2024", timeout=TIMEOUT)
    open_tab(dash_duo, "Skoring lokus")
    until(lambda: len(grid_values(dash_duo, "score-grid", "kode")) == 10, timeout=TIMEOUT)
    assert dash_duo.get_logs() == []


def test_e2e304_oversized_file_is_refused_with_its_name(dash_duo, tmp_path):
    dash_duo.start_server(create_app(database_url=f"sqlite:///{tmp_path}/e2e.db",
                                     state_dir=tmp_path / "state", max_upload_mb=1))
    wait_for_map(dash_duo)
    open_tab(dash_duo, "Unggah data")
    big = tmp_path / "besar.csv"
    big.write_bytes(b"kode,x\n" + b"32.11.01.2001,1\n" * 80_000)  # 1.2 MB
    send_file(dash_duo, "upload-table", big)
    dash_duo.wait_for_contains_text("#upload-table-progress", "besar.csv", timeout=TIMEOUT)
    assert "batas 1 MB" in dash_duo.find_element("#upload-table-progress").text
    assert not list((tmp_path / "state").glob("uploads/*/table/*"))  # nothing stored
