"""Profile and glossary callbacks called as plain functions."""

from __future__ import annotations

import pytest
from dash.exceptions import PreventUpdate

from callbacks.profile import glossary_target, panel_state, profile_view
from geo.scoring.presets import preset_config
from layouts import ids

CIMUNGKAL = "32.11.01.2001"


def text_of(node) -> str:
    """All text of a component tree (strings in children), words single-spaced."""
    if node is None:
        return ""
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list | tuple):
        return " ".join(" ".join(text_of(n) for n in node).split())
    return text_of(getattr(node, "children", None))


def graphs(node):
    if isinstance(node, list | tuple):
        for n in node:
            yield from graphs(n)
    elif hasattr(node, "_type"):
        if node._type == "Graph":
            yield node
        yield from graphs(getattr(node, "children", None))


@pytest.fixture(scope="module")
def config(registry):
    return preset_config(registry.get("sumedang"), "prevalensi_kasus", 2021).to_dict()


def test_selection_opens_close_closes_button_reopens():
    assert panel_state(ids.STORE_SELECTED, CIMUNGKAL) == (False, False)
    assert panel_state(ids.PROFILE_CLOSE, CIMUNGKAL) == (True, False)
    assert panel_state(ids.PROFILE_OPEN, CIMUNGKAL) == (False, False)
    # no village (e.g. after switching dataset): closed, and the button cannot open it
    assert panel_state(ids.STORE_SELECTED, None) == (True, True)
    assert panel_state(ids.PROFILE_OPEN, None) == (True, True)


def test_profile_without_scoring_shows_trend_table_and_hint(registry):
    title, body = profile_view(registry, "sumedang", CIMUNGKAL, 2021, None, "id")
    assert title == "Desa Cimungkal — Kec. Wado (32.11.01.2001)"
    text = text_of(body)
    assert "Belum ada skoring" in text and "Rasio skrining merah" in text
    assert "10,4% (14/134)" in text  # 14 of 134 children, decimal comma
    assert "SINTETIS" in text  # synthetic coverage rows are labelled
    (graph,) = list(graphs(body))
    village = graph.figure.data[1]
    assert list(village.x) == [2019, 2020, 2021] and village.error_y.array is not None
    assert "n=134" in graph.figure.layout.xaxis.ticktext[-1]


def test_profile_with_scoring_shows_rank_and_why(registry, config):
    result = registry.score("sumedang", config)
    row = result.table.set_index("kode").loc[CIMUNGKAL]
    scored = int(result.table["skor"].notna().sum())
    _title, body = profile_view(registry, "sumedang", CIMUNGKAL, 2021, config, "id")
    text = text_of(body)
    assert f"Peringkat {int(row['peringkat'])} dari {scored}" in text
    assert f"di luar {config['top_n']} teratas" in text and "P(top-20)" in text
    _title, body_en = profile_view(registry, "sumedang", CIMUNGKAL, 2021, config, "en")
    assert f"Rank {int(row['peringkat'])} of {scored}" in text_of(body_en)


def test_profile_follows_the_map_year_and_ignores_a_bad_year(registry):
    _t, body = profile_view(registry, "sumedang", CIMUNGKAL, "2019", None, "en")
    assert "Indicators 2019" in text_of(body)
    _t, body = profile_view(registry, "sumedang", CIMUNGKAL, "1999", None, "en")
    assert "Indicators 2021" in text_of(body)  # not a year of the data: the latest


def test_scoring_error_is_said_in_the_panel(registry, config):
    broken = {**config, "force_in": {CIMUNGKAL: "x"}, "force_out": {CIMUNGKAL: "y"}}
    _t, body = profile_view(registry, "sumedang", CIMUNGKAL, 2021, broken, "id")
    text = text_of(body)
    assert "dipaksa" in text.lower() or "32.11.01.2001" in text  # the scoring's own message
    assert "Indikator 2021" in text and "10,4% (14/134)" in text  # the rest still shows
    assert "Peringkat" not in text


def test_unknown_village_shows_the_empty_hint(registry):
    title, body = profile_view(registry, "sumedang", "99.99.99.9999", 2021, None, "id")
    assert title == "Profil desa" and "Klik sebuah desa" in text_of(body)


def test_glossary_opens_from_navbar_and_links_only_when_clicked():
    assert glossary_target(ids.GLOSSARY_OPEN, 1, "id") == (True, "")
    assert glossary_target(ids.glossary_link("eb"), 1, "id") == (True,
                                                                 "Empirical Bayes (penghalusan EB)")
    with pytest.raises(PreventUpdate):
        glossary_target(ids.glossary_link("eb"), None, "id")  # rendered, not clicked
    with pytest.raises(PreventUpdate):
        glossary_target(ids.GLOSSARY_OPEN, None, "id")
