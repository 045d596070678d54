"""Roles in a real browser with sign-in required (issue 12): an analis uploads and saves a
dataset through the wizard (the account is its author); a pemirsa of the same area sees that
dataset, may export, and finds every control it may not use disabled with the reason in its
tooltip — a click never fails in silence."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from app import create_app
from geo.store.accounts import AccountStore
from geo.store.scenarios import Store
from tests.e2e.helpers import TIMEOUT, screenshot, sign_in, sign_out
from tests.e2e.test_map_page import trace
from tests.e2e.test_scoring_page import pick
from tests.e2e.test_upload_page import open_tab, upload_wado

pytestmark = pytest.mark.e2e

PASSWORD = "kata-sandi-panjang"


def test_analis_uploads_and_pemirsa_sees_locked_controls(dash_duo, tmp_path):
    url = f"sqlite:///{tmp_path}/e2e.db"
    app = create_app(database_url=url, state_dir=tmp_path / "state", auth="required")
    store = Store(url, data_dir=tmp_path)
    accounts = AccountStore(store.engine)
    accounts.add("sari", role="analis", area="32.11", password=PASSWORD)
    accounts.add("joko", role="pemirsa", area="32.11", password=PASSWORD)
    dash_duo.start_server(app, navigate=False)

    # the analis uploads through the wizard
    sign_in(dash_duo, "sari", PASSWORD)
    upload_wado(dash_duo, tmp_path / "in")
    (record,) = store.dataset_records()
    assert record["created_by"] == "sari"
    assert not dash_duo.find_element("#scn-save-new").get_attribute("disabled")
    sign_out(dash_duo)

    # the pemirsa sees the dataset, may export, may not save, upload or delete: locked, with why
    sign_in(dash_duo, "joko", PASSWORD)
    pick(dash_duo, dash_duo.find_element("#dataset-picker"), "Wado uji")
    until(lambda: trace(dash_duo, "gd.data[0].locations.length") == 10, timeout=TIMEOUT)
    for selector in ("#scn-save-new", "#scn-update", "#upload-save", "#upload-check",
                     "#dataset-delete button", "#present-add"):
        control = dash_duo.find_element(selector)
        assert control.get_attribute("disabled"), selector
        assert control.get_attribute("title").startswith("Peran Anda (pemirsa) tidak boleh"), selector
    assert "menyimpan" in dash_duo.find_element("#scn-save-new").get_attribute("title")
    export = dash_duo.find_elements("""[id*='"type":"export"']""")
    assert export and not any(b.get_attribute("disabled") for b in export)
    open_tab(dash_duo, "Unggah data")
    screenshot(dash_duo, "pemirsa_upload_locked")
    assert dash_duo.get_logs() == []
    store.close()
