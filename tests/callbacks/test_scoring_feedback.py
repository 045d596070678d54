"""Issue 11 ("wrong or stale"): the scoring screens say why nothing happened, and a typed
weight applies on Enter. The callbacks' logic is called as plain functions."""

from __future__ import annotations

import json

import plotly.io
import pytest
from dash.exceptions import PreventUpdate

from callbacks.scoring import HIDDEN, force_action, quadrant_view, sync_weight
from geo.scoring.presets import preset_config
from layouts import ids
from layouts.scoring import weight_rows

CODE = "32.11.17.1001"


def names():
    return {CODE: "Pasanggrahan Baru"}


def untouched(value) -> bool:
    return value is not None and not isinstance(value, (dict, list, str, bool))  # no_update


def as_text(component) -> str:
    return plotly.io.json.to_json_plotly(component)


# ------------------------------------------------------------------ 1. force in/out needs a reason

@pytest.mark.parametrize("reason", [None, "", "   "])
@pytest.mark.parametrize("button", [ids.SCORE_FORCE_IN, ids.SCORE_FORCE_OUT])
def test_forcing_without_a_reason_says_so_and_changes_nothing(button, reason):
    before = {"in": {"32.11.01.2001": "rembuk"}, "out": {}}
    forced, box, listing, message, invalid = force_action(button, [], CODE, reason, before, names)
    assert untouched(forced) and untouched(box) and untouched(listing)
    assert message.startswith("Tulis alasan") and invalid is True
    assert before == {"in": {"32.11.01.2001": "rembuk"}, "out": {}}


def test_the_reason_message_follows_the_page_language():
    *_rest, message, _invalid = force_action(ids.SCORE_FORCE_IN, [], CODE, "", None, names, "en")
    assert message.startswith("Write a reason") and "alasan" not in message


def test_forcing_without_a_village_says_so():
    forced, *_rest, message, invalid = force_action(ids.SCORE_FORCE_OUT, [], None, "rembuk", None,
                                                    names)
    assert untouched(forced) and message.startswith("Pilih desa") and invalid is False


def test_forcing_with_a_reason_records_it_and_clears_the_message():
    forced, box, listing, message, invalid = force_action(ids.SCORE_FORCE_IN, [], CODE,
                                                          " kesepakatan rembuk ", None, names)
    assert forced == {"in": {CODE: "kesepakatan rembuk"}, "out": {}}
    assert box == "" and message == "" and invalid is False
    assert "Pasanggrahan Baru" in as_text(listing)
    # removing it clears it again
    forced, _box, _listing, message, _invalid = force_action(
        ids.force_remove(CODE), [1], None, "", forced, names)
    assert forced == {"in": {}, "out": {}} and message == ""
    with pytest.raises(PreventUpdate):
        force_action(ids.force_remove(CODE), [None], None, "", forced, names)


# ------------------------------------------------------------------ 2. a typed weight applies on Enter

def test_weight_box_applies_on_enter():
    """The slider's own number box applies only on blur; the weight box beside it is a
    ``debounce=True`` input (applied on Enter and on blur) and the slider's box is hidden."""
    row = json.loads(as_text(weight_rows([("a", "A", "higher_worse")], {"a": 0.4})))
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if node.get("props", {}).get("id") in (ids.weight_slider("a"), ids.weight_input("a")):
                found[node["props"]["id"]["type"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(row)
    slider, box = found["weight-slider"], found["weight-input"]
    assert slider["props"]["allow_direct_input"] is False and slider["props"]["value"] == 40
    assert box["props"]["debounce"] is True and box["props"]["value"] == 40
    assert box["props"]["type"] == "number"


def test_typed_weight_moves_the_slider_and_the_slider_fills_the_box():
    slider, box = sync_weight(True, 30, 80)  # typed 80 + Enter: the slider follows
    assert slider == 80 and untouched(box)
    slider, box = sync_weight(True, 30, 150)  # kept within 0–100
    assert (slider, box) == (100, 100)
    slider, box = sync_weight(True, 30, 12.6)
    assert (slider, box) == (13, 13)
    slider, box = sync_weight(True, 30, None)  # emptied or invalid box: the slider's value back
    assert untouched(slider) and box == 30
    slider, box = sync_weight(False, 55, 30)  # slider dragged
    assert untouched(slider) and box == 55
    with pytest.raises(PreventUpdate):
        sync_weight(False, 55, 55)


# ------------------------------------------------------------------ 3. Kuadran without coverage

def config(registry, preset):
    return preset_config(registry.get("sumedang"), preset, 2021).to_dict()


@pytest.mark.parametrize("lang, words", [
    ("id", ["indikator cakupan", "'Scorecard konvergensi desa'", "Skoring lokus"]),
    ("en", ["coverage indicator", "'Village convergence scorecard'", "Lokus scoring"]),
])
def test_quadrant_without_coverage_indicator_explains_instead_of_an_empty_plot(registry, lang,
                                                                               words):
    # the default preset scores outcomes only (rasio_merah, merah): no coverage gap to plot
    figure, message, style = quadrant_view(registry, "sumedang",
                                           config(registry, "prevalensi_kasus"), None, None, lang)
    assert untouched(figure) and style == HIDDEN
    text = as_text(message)
    for word in words:
        assert word in text, word
    assert "'Prevalensi + jumlah kasus'" not in text  # only presets that do have coverage


def test_quadrant_with_coverage_is_drawn_and_the_message_cleared(registry):
    figure, message, style = quadrant_view(registry, "sumedang", config(registry, "scorecard_desa"),
                                           None, None, "id")
    assert message is None and style == {}
    assert sum(v == v for v in figure.data[0].y) > 100  # gaps, not NaN


def test_quadrant_without_any_indicator_says_so(registry):
    _figure, message, style = quadrant_view(registry, "sumedang", None, None, None, "id")
    assert "minimal satu indikator" in as_text(message) and style == HIDDEN
