"""URL state, language and empty state, called as plain functions and through the layout."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pytest
from dash import no_update

from callbacks.map_page import empty_state, update_indicator
from callbacks.url import controls_from_query, current_query, scenario_to_restore
from geo.view.viewstate import parse_query


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


def layout(client, query: str = "", **headers) -> dict:
    response = client.get(f"/_dash-layout{query}", headers=headers)
    assert response.status_code == 200
    return response.get_json()


def find(tree, component_id: str) -> dict:
    """Props of the component with ``component_id`` in a serialised layout."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == component_id:
                return node["props"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    raise KeyError(component_id)


def test_query_of_the_controls_round_trips(registry):
    query = current_query("sumedang", "merah", 2020, "32.11.22", "skoring", {"id": 4}, 2, "en")
    assert parse_query(query) == {"dataset": "sumedang", "year": "2020", "indicator": "merah",
                                  "kec": "32.11.22", "page": "skoring", "scenario": "4",
                                  "step": "2", "lang": "en"}
    current = ["rasio_merah", 2021, None, "tabel", 0]
    assert controls_from_query(registry, query, "sumedang", current) == [
        "merah", 2020, "32.11.22", "skoring", 2]


def test_back_changes_only_what_differs_and_validates(registry):
    current = ["merah", 2021, None, "tabel"]
    assert controls_from_query(registry, "?indicator=merah&year=2019&page=tabel", "sumedang",
                               current) == [no_update, 2019, no_update, no_update]
    # an edited link: unknown values go back to the defaults, no error
    assert controls_from_query(registry, "?year=1900&indicator=x&kec=y&page=z", "sumedang",
                               current) == ["rasio_merah", no_update, no_update, no_update]


def test_scenario_is_restored_once():
    assert scenario_to_restore("?scenario=3", None) == 3
    assert scenario_to_restore("?scenario=3", {"id": 3}) is None  # already active
    assert scenario_to_restore("?scenario=0", None) is None
    assert scenario_to_restore("?scenario=drop%20table", None) is None
    assert scenario_to_restore("", None) is None


def test_empty_state_only_without_any_data(registry):
    values = registry.get("sumedang").values("merah", 2021)
    assert empty_state(values) == ("", True, "", True)
    empty = dataclasses.replace(values, value=np.full(len(values.value), np.nan))
    map_msg, map_hidden, table_msg, table_hidden = empty_state(empty, "id")
    assert not map_hidden and not table_hidden
    assert "Tidak ada data" in map_msg and "2021" in map_msg and "Tabel kosong" in table_msg
    assert "no" in empty_state(empty, "en")[0] and "2021" in empty_state(empty, "en")[0]


def test_indicator_update_uses_the_language_number_style(registry):
    def texts(lang):
        fig, _legend, summary, *_ = update_indicator(registry, "sumedang", "rasio_merah", 2021,
                                                     "quantiles", 5, None, lang)
        hover = next(op["params"]["value"] for op in fig.to_plotly_json()["operations"]
                     if op["location"][-1] == "text")
        return json.dumps(summary, default=str), " ".join(hover)

    summary_id, hover_id = texts("id")
    summary_en, hover_en = texts("en")
    assert re.search(r"\d,\d%", summary_id) and re.search(r"\d,\d%", hover_id)
    assert re.search(r"\d\.\d%", summary_en) and not re.search(r"\d,\d%", summary_en)
    assert re.search(r"\d\.\d%", hover_en) and not re.search(r"\d,\d%", hover_en)


def test_layout_follows_the_url(client):
    page = layout(client, "?lang=en&year=2019&indicator=merah&kec=32.11.22&page=kuadran&step=3")
    assert page["props"]["lang"] == "en"
    assert find(page, "filter-year")["value"] == 2019
    assert find(page, "filter-indicator")["value"] == "merah"
    assert find(page, "filter-kecamatan")["value"] == "32.11.22"
    assert find(page, "tabs-main")["active_tab"] == "kuadran"
    assert find(page, "store-lang")["data"] == "en"
    assert find(page, "present-step")["data"] == 3
    assert find(page, "map-graph")["figure"]["layout"]["separators"] == ".,"
    link = find(page, "lang-switch")
    assert link["children"] == "Bahasa Indonesia" and "lang=id" in link["href"]
    assert "year=2019" in link["href"]
    assert "Village table" in json.dumps(page)


def test_layout_reads_the_referer_when_the_query_was_not_passed(client):
    page = layout(client, Referer="http://localhost/?year=2020&lang=en")
    assert find(page, "filter-year")["value"] == 2020 and page["props"]["lang"] == "en"


@pytest.mark.parametrize("query", ["?dataset=../../etc&year=abc&lang=zz&page=%00",
                                   "?year=2019&year=2020", "?indicator=&kec=&step=-4",
                                   "?scenario=99999999999999999999"])
def test_any_query_gives_a_page_with_defaults(client, query):
    page = layout(client, query)
    assert page["props"]["lang"] == "id"
    assert find(page, "store-dataset")["data"] == "sumedang"
    assert find(page, "tabs-main")["active_tab"] == "tabel"
    assert find(page, "map-graph")["figure"]["layout"]["separators"] == ",."
