"""Real-browser test of issue 11: with a scenario in the URL, *Muat* on another scenario loads
that other one (the URL follows the active scenario, it does not override it); Back returns to
the previous scenario."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from app import create_app
from geo.core.settings import embedded_data_dir
from geo.scoring.config import PRESETS
from geo.scoring.presets import preset_config
from geo.store.model import chosen_from_result
from geo.store.scenarios import Store
from geo.view.registry import Registry
from tests.e2e.test_map_page import wait_for_map
from tests.e2e.test_scoring_page import click, grid_values, pick
from tests.e2e.test_url_state import query

pytestmark = pytest.mark.e2e

WAIT = 30  # a loaded machine: wait for the app's own signals, generously


def save(url: str, tmp_path, name: str, top_n: int, method: str):
    registry = Registry(embedded_data_dir())
    dataset = registry.get(None)
    config = preset_config(dataset, next(iter(PRESETS)), top_n=top_n, method=method)
    result = registry.score(dataset.id, config.to_dict())
    store = Store(url, data_dir=tmp_path)
    try:
        return store.save_new(name, dataset.id, result.config, chosen_from_result(result),
                              author="Uji")
    finally:
        store.close()


def status(dash_duo) -> str:
    return dash_duo.find_element("#scn-status").get_attribute("textContent")


def settled(dash_duo):
    until(dash_duo._wait_for_callbacks, timeout=WAIT, poll=0.2)


def shows(dash_duo, sc, top_n: int) -> bool:
    """The page shows ``sc`` as the active scenario: status, URL, its top N and its list."""
    return (f"'{sc.name}'" in status(dash_duo)
            and query(dash_duo).get("scenario") == str(sc.id)
            and dash_duo.find_element("#score-top-n").get_attribute("value") == str(top_n)
            and grid_values(dash_duo, "score-grid", "rekomendasi").count("ya") == top_n)


def load(dash_duo, name: str):
    pick(dash_duo, dash_duo.find_element("#scn-list"), name)
    click(dash_duo, "#scn-load")


def test_e2e411_loading_a_second_scenario_loads_it_not_the_one_in_the_url(dash_duo, tmp_path):
    url = f"sqlite:///{tmp_path}/e2e.db"
    app = create_app(database_url=url, state_dir=tmp_path)
    a = save(url, tmp_path, "Skenario A", 7, "topsis")
    b = save(url, tmp_path, "Skenario B", 12, "saw")
    dash_duo.start_server(app)
    dash_duo.driver.get(f"{dash_duo.server_url}/?page=keputusan")
    wait_for_map(dash_duo)
    settled(dash_duo)

    load(dash_duo, "Skenario A")
    until(lambda: shows(dash_duo, a, 7), timeout=WAIT)
    settled(dash_duo)

    load(dash_duo, "Skenario B")
    until(lambda: shows(dash_duo, b, 12), timeout=WAIT)
    settled(dash_duo)  # nothing (the URL's old scenario) overrides B afterwards
    assert shows(dash_duo, b, 12), status(dash_duo)
    assert "dimuat (versi" in status(dash_duo)  # loaded by Muat, not from the link

    # Back: the URL of A leads again and A is the active scenario
    dash_duo.driver.back()
    until(lambda: shows(dash_duo, a, 7), timeout=WAIT)
    settled(dash_duo)
    assert shows(dash_duo, a, 7), status(dash_duo)
    # Forward: B again
    dash_duo.driver.forward()
    until(lambda: shows(dash_duo, b, 12), timeout=WAIT)
    settled(dash_duo)
    assert shows(dash_duo, b, 12), status(dash_duo)
    assert dash_duo.get_logs() == []


def test_e2e412_muat_after_opening_a_link_with_a_scenario(dash_duo, tmp_path):
    url = f"sqlite:///{tmp_path}/e2e.db"
    app = create_app(database_url=url, state_dir=tmp_path)
    a = save(url, tmp_path, "Tautan A", 7, "topsis")
    b = save(url, tmp_path, "Pilihan B", 12, "saw")
    dash_duo.start_server(app)
    dash_duo.driver.get(f"{dash_duo.server_url}/?scenario={a.id}&page=keputusan")
    wait_for_map(dash_duo)
    until(lambda: shows(dash_duo, a, 7), timeout=WAIT)
    assert "dimuat dari tautan" in status(dash_duo)
    settled(dash_duo)

    load(dash_duo, "Pilihan B")
    until(lambda: shows(dash_duo, b, 12), timeout=WAIT)
    settled(dash_duo)
    assert shows(dash_duo, b, 12), status(dash_duo)
    assert dash_duo.get_logs() == []
