"""Scoring callbacks called as plain functions."""

from __future__ import annotations

import numpy as np
import pytest

from callbacks.scoring import ahp_feedback, config_from_controls, layer_classes, map_patch, ranking_rows
from geo.scoring.config import ScoringConfig
from geo.scoring.pipeline import run_scoring
from geo.scoring.result import reason_text


@pytest.fixture(scope="module")
def result(sumedang_result):
    return sumedang_result


def controls(**over):
    base = {"year": 2021, "indicators": ["rasio_merah", "merah"],
                "slider_ids": [{"indicator": "rasio_merah"}, {"indicator": "merah"}],
                "slider_values": [30, 10], "method": "saw", "normalisation": "minmax", "smoothing": "global",
                "min_n": 20, "missing": "exclude", "hotspot": False, "top_n": 15, "max_per_kec": 2,
                "min_one": False,
                "forced": {"in": {"32.11.17.1001": "kesepakatan rembuk"}, "out": {}}}
    base.update(over)
    return config_from_controls(**base)


def test_controls_make_a_config_with_weights_summing_to_one():
    cfg = ScoringConfig.from_dict(controls())
    assert cfg.weights == pytest.approx({"rasio_merah": 0.75, "merah": 0.25})
    assert cfg.top_n == 15 and cfg.max_per_kecamatan == 2
    assert cfg.force_in == {"32.11.17.1001": "kesepakatan rembuk"}
    # all sliders at zero: equal weights rather than a division by zero
    zero = ScoringConfig.from_dict(controls(slider_values=[0, 0]))
    assert zero.weights == pytest.approx({"rasio_merah": 0.5, "merah": 0.5})


def test_forced_village_without_data_is_recommended_with_its_reason(registry):
    res = run_scoring(registry.get("sumedang"), ScoringConfig.from_dict(controls()))
    row = res.table.set_index("kode").loc["32.11.17.1001"]
    assert row["rekomendasi"] == "ya" and "kesepakatan rembuk" in reason_text(row["alasan"])
    assert (res.table["rekomendasi"] == "ya").sum() == 15
    chosen = res.table[res.table["rekomendasi"] == "ya"]
    assert chosen.groupby("kode_kec").size().max() <= 2


def test_recommendation_layer_counts_exactly_n(result):
    index, entries, colours, title = layer_classes(result, "rekomendasi")
    assert entries[0][1] == "Lokus (rekomendasi)" and entries[0][2] == 20
    assert (index == 0).sum() == 20
    # the 7 kelurahan without a row and the 9 villages that screened no child in 2021 (all colours
    # 0 in the source CSV) have no outcome data: grey, not "bukan lokus" (before issue 10 the 9 were
    # ranked on a count of 0 out of 0 measured)
    assert (index == -1).sum() == 7 + 9 and len(colours) == 2 and "Rekomendasi" in title


def test_score_layer_patch_carries_no_geometry(result):
    fig, _legend = map_patch(result, "skor")
    locations = [op["location"] for op in fig.to_plotly_json()["operations"]]
    assert ["data", 0, "z"] in locations
    assert not any("geojson" in loc or "lon" in loc for loc in locations)


def test_ranking_rows_are_ranked_and_json_safe(result):
    rows = ranking_rows(result)
    assert [r["peringkat"] for r in rows] == sorted(r["peringkat"] for r in rows)
    assert sum(r["rekomendasi"] == "ya" for r in rows) == 20
    assert all(isinstance(r["kelas"], str) for r in rows)
    assert rows[-1]["skor"] is None  # villages without data rank last with no score


def test_ahp_inconsistent_matrix_is_not_applied_without_confirmation():
    labels = {"a": "A", "b": "B", "c": "C"}
    pairs = [{"a": "a", "b": "b"}, {"a": "a", "b": "c"}, {"a": "b", "b": "c"}]
    # a > b, b > c but c > a: cyclic, CR far above 0.1
    text, weights = ahp_feedback([9, 1 / 9, 9], pairs, labels, apply=True, confirm=False)
    assert weights is not None and not isinstance(weights, dict)  # no_update
    assert "TIDAK konsisten" in str(text)
    _text, weights = ahp_feedback([9, 1 / 9, 9], pairs, labels, apply=True, confirm=True)
    assert isinstance(weights, dict) and sum(weights.values()) == pytest.approx(1)
    # Saaty's consistent example is applied directly: weights follow the judgements
    _text, weights = ahp_feedback([3, 5, 3], pairs, labels, apply=True, confirm=False)
    assert weights["a"] > weights["b"] > weights["c"]
    assert np.isclose(sum(weights.values()), 1)
