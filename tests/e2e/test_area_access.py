"""Area-scoped access in a real browser (issue 12): an account of another kabupaten (Bandung,
32.04) signs in and finds no Sumedang dataset nor scenario — a clear empty state, no
traceback, not even through a link naming them — while an analis of Sumedang (32.11) sees
the dataset and the saved scenario."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from app import create_app
from geo.scoring.presets import preset_config
from geo.store.accounts import AccountStore
from geo.store.model import chosen_from_result
from geo.store.scenarios import Store
from geo.view.registry import Registry
from tests.e2e.helpers import TIMEOUT, screenshot, sign_in, sign_out

pytestmark = pytest.mark.e2e

PASSWORD = "kata-sandi-panjang"
SCENARIO = "Lokus Sumedang 2026"


def test_another_kabupaten_sees_nothing_of_sumedang(dash_duo, tmp_path, data_dir):
    url = f"sqlite:///{tmp_path}/e2e.db"
    app = create_app(database_url=url, state_dir=tmp_path, auth="required")
    registry = Registry(data_dir)
    result = registry.score("sumedang", preset_config(registry.get("sumedang"), "prevalensi_kasus", 2021)
                            .to_dict())
    store = Store(url, data_dir=tmp_path)
    accounts = AccountStore(store.engine)
    accounts.add("bandung", role="analis", area="32.04", password=PASSWORD)
    accounts.add("sumedang", role="analis", area="32.11", password=PASSWORD)
    sid = store.save_new(SCENARIO, "sumedang", result.config, chosen_from_result(result),
                         author="sumedang").id
    store.close()
    dash_duo.start_server(app, navigate=False)

    # Bandung: the empty state, even through a link naming the dataset and the scenario
    sign_in(dash_duo, "bandung", PASSWORD, f"/?dataset=sumedang&scenario={sid}&page=keputusan")
    message = dash_duo.find_element("#area-empty").text
    assert "Belum ada data untuk wilayah Anda" in message
    body = dash_duo.driver.find_element("css selector", "body").text
    assert "Sumedang" not in body and SCENARIO not in body and "Traceback" not in body
    assert not dash_duo.driver.find_elements("css selector", "#map-graph")
    assert "bandung" in dash_duo.find_element("#navbar-account-name").text
    assert [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"] == []
    screenshot(dash_duo, "area_access_other_kabupaten")
    sign_out(dash_duo)

    # Sumedang's analis: the dataset and its scenario
    sign_in(dash_duo, "sumedang", PASSWORD, "/?page=keputusan")
    assert "Sumedang" in dash_duo.find_element("#dataset-title").text
    assert not dash_duo.driver.find_elements("css selector", "#area-empty")
    dash_duo.find_element("#scn-list").click()
    until(lambda: any(SCENARIO in o.text for o in dash_duo.find_elements(".dash-dropdown-option")),
          timeout=TIMEOUT)
    assert "sumedang" in dash_duo.find_element("#scn-author-shown").text  # recorded as the account
    screenshot(dash_duo, "area_access_own_kabupaten")
