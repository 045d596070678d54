"""The step bar's statuses (geo/view/progress.py): what is done, what is missing, the
unsaved-changes test."""

from __future__ import annotations

import pytest

from geo.core.messages import Message
from geo.view.progress import STEPS, FlowFacts, flow_status, same_config, slider_weights
from layouts.text import catalogue as page_catalogue


def by_key(facts: FlowFacts, current: str = "situasi") -> dict:
    return {s.key: s for s in flow_status(facts, current)}


def keys(messages) -> list[str]:
    return [m.key for m in messages]


def test_fresh_page_has_data_and_nothing_else():
    steps = flow_status(FlowFacts(n_villages=277, n_kecamatan=26, has_coverage=True))
    assert [s.key for s in steps] == list(STEPS)
    assert [s.current for s in steps] == [True, False, False, False, False]
    first = steps[0]
    assert first.state == "done" and keys(first.done) == ["flow.done.data"]
    assert first.done[0].params == {"n": 277, "kec": 26}
    assert steps[1].state == "todo" and keys(steps[1].missing) == ["flow.missing.not_scored"]
    assert keys(steps[2].missing) == ["flow.missing.no_scenario"]
    assert keys(steps[3].missing) == ["flow.missing.no_scenario", "flow.missing.berita_acara"]
    assert steps[4].state == "todo"


def test_scored_but_not_saved_says_so():
    s = by_key(FlowFacts(n_villages=277, has_coverage=True, n_chosen=21), "skoring")
    assert s["skoring"].current and s["skoring"].state == "partial"
    assert s["skoring"].done[0].params == {"n": 21}
    assert keys(s["skoring"].missing) == ["flow.missing.not_saved"]


def test_saved_scenario_unsaved_changes_then_saved():
    base = {"n_villages": 277, "has_coverage": True, "n_chosen": 21, "scenario": "Lokus 2026",
            "version": 2}
    changed = by_key(FlowFacts(**base, unsaved=True))["skoring"]
    assert changed.state == "partial" and keys(changed.missing) == ["flow.missing.unsaved"]
    saved = by_key(FlowFacts(**base))["skoring"]
    assert saved.state == "done"
    assert saved.done[1].params == {"name": "Lokus 2026", "version": 2}


def test_plan_meeting_and_downloads():
    facts = FlowFacts(n_villages=277, has_coverage=True, n_chosen=20, scenario="A", version=3,
                      n_plan=40, meeting=True, berita_acara="ba.pdf", export="lokus.xlsx")
    steps = flow_status(facts, "unduh")
    assert all(s.state == "done" for s in steps)
    assert [s.current for s in steps] == [False, False, False, False, True]
    s = {x.key: x for x in steps}
    assert s["rencana"].done[0].params == {"n": 40}
    assert keys(s["rembuk"].done) == ["flow.done.meeting", "flow.done.berita_acara"]
    assert s["unduh"].done[0].params == {"file": "lokus.xlsx"}
    # presented but no Berita Acara yet: partly done
    half = by_key(FlowFacts(n_villages=277, has_coverage=True, n_chosen=20, scenario="A",
                            meeting=True))["rembuk"]
    assert half.state == "partial" and keys(half.missing) == ["flow.missing.berita_acara"]


def test_no_coverage_data_is_said_at_data_and_plan():
    s = by_key(FlowFacts(n_villages=10, n_chosen=3, scenario="A", n_plan=2))
    assert "flow.missing.no_coverage" in keys(s["situasi"].missing)
    assert keys(s["rencana"].missing) == ["flow.missing.plan_no_coverage"]
    assert s["rencana"].state == "partial"
    synthetic = by_key(FlowFacts(n_villages=10, has_coverage=True, coverage_synthetic=True))
    assert "flow.done.coverage_synthetic" in keys(synthetic["situasi"].done)


def test_every_message_renders_in_both_languages():
    facts = [FlowFacts(n_villages=0), FlowFacts(n_villages=5, coverage_synthetic=True, has_coverage=True),
             FlowFacts(n_villages=5, n_chosen=1, scenario="A", unsaved=True, n_plan=1,
                       meeting=True, berita_acara="b", export="e"),
             FlowFacts(n_villages=5, has_coverage=True, n_chosen=2),
             FlowFacts(n_villages=5, has_coverage=True, n_chosen=2, scenario="B")]
    used = {m for f in facts for s in flow_status(f) for m in (*s.done, *s.missing)}
    assert len({m.key for m in used}) == 18
    for lang in ("id", "en"):
        assert all(m.render(lang) for m in used)  # domain catalogue: rendered anywhere
        assert all(f"flow.step.{k}" in page_catalogue(lang) for k in STEPS)
    assert Message.of("flow.done.data", n=1234, kec=26).render("id") == "1.234 desa, 26 kecamatan"
    assert Message.of("flow.done.data", n=1234, kec=26).render("en") == "1,234 villages, 26 kecamatan"


def config(**over):
    base = {"year": 2021, "indicators": ["a", "b", "c"], "weights": {"a": 0.5, "b": 0.3, "c": 0.2},
            "method": "topsis", "top_n": 20, "force_in": {}, "force_out": {}, "notes": [],
            "preset": "x"}
    return {**base, **over}


def test_same_config_ignores_notes_preset_and_slider_rounding():
    assert same_config(config(), config(notes=["engine note"], preset=None))
    # AHP-like weights with decimals read as the sliders show them (54/30/16 %)
    saved = config(weights={"a": 0.539, "b": 0.297, "c": 0.164})
    shown = config(weights={"a": 0.54, "b": 0.30, "c": 0.16})
    assert same_config(shown, saved)
    assert not same_config(config(weights={"a": 0.55, "b": 0.29, "c": 0.16}), saved)


@pytest.mark.parametrize("change", [
    {"top_n": 21}, {"method": "saw"}, {"year": 2020}, {"indicators": ["a", "b"]},
    {"force_in": {"32.11.01.2001": "SK Bupati"}}, {"force_out": {"32.11.01.2002": "x"}},
])
def test_same_config_sees_every_decision(change):
    assert not same_config(config(**change), config())
    assert same_config(None, None) and not same_config(config(), None)


def test_slider_weights_are_whole_percents_normalised():
    w = slider_weights({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})  # 33 + 33 + 33 = 99
    assert w == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    assert slider_weights({"a": 0.0, "b": 0.0}) == {"a": 0.5, "b": 0.5}
    assert slider_weights({"a": 0.004, "b": 0.996}) == {"a": 0.0, "b": 1.0}
