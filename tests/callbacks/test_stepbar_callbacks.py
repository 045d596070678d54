"""The step bar's callbacks and "Simpan" on the active scenario (issue 11), called directly."""

from __future__ import annotations

import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict

from app import create_app
from callbacks.stepbar import download_of
from geo.scoring.presets import preset_config
from geo.store.scenarios import Store
from geo.view.registry import Registry
from layouts import ids
from layouts.stepbar import current_step


@pytest.fixture
def app(tmp_path):
    return create_app(database_url=f"sqlite:///{tmp_path}/x.db", state_dir=tmp_path)


def callback(app, name: str):
    (found,) = [c["callback"].__wrapped__ for c in app.callback_map.values()
                if "callback" in c and c["callback"].__wrapped__.__name__ == name]
    return found


def triggered(component_id: str) -> None:
    """Dash's callback context as when ``component_id`` was clicked."""
    context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{component_id}.n_clicks",
                                                       "value": 1}]))


def texts(component) -> str:
    """All the text of a Dash component tree (or list of them)."""
    if isinstance(component, str):
        return component
    if isinstance(component, list | tuple):
        return "".join(texts(c) for c in component)
    return texts(getattr(component, "children", None) or "")


def test_simpan_writes_a_new_version_of_the_active_scenario_without_a_name(app, data_dir, tmp_path):
    config = preset_config(Registry(data_dir).get("sumedang"), "prevalensi_kasus", 2021).to_dict()
    save = callback(app, "_save_scenario")
    active, status, *_ = save(1, None, "Lokus 2027", "", "", config, None, "sumedang", "id")
    assert active["version"] == 1 and "disimpan" in status.children
    changed = {**config, "top_n": 15}
    triggered(ids.SCN_UPDATE)
    again, status, *_ = save(2, None, None, "", "", changed, active, "sumedang", "id")
    assert again["id"] == active["id"] and again["version"] == 2  # the same scenario, no name
    assert status.children == "Perubahan disimpan ke 'Lokus 2027' (versi 2)."
    triggered(ids.SCN_SAVE_NEW)  # "Simpan sebagai…": a new scenario, which becomes the active one
    copy, status, *_ = save(1, 3, "Lokus 2027 B", "", "", changed, again, "sumedang", "id")
    assert copy["id"] != active["id"] and copy["version"] == 1 and copy["name"] == "Lokus 2027 B"
    store = Store(f"sqlite:///{tmp_path}/x.db", data_dir=tmp_path)
    try:
        sc = store.get(active["id"])
        assert sc.config.top_n == 15 and len(sc.chosen) == 15 and store.count() == 2
        config_rows = [e for e in store.audit(sc.id) if e.action == "config"]
        assert [(e.who, e.reason) for e in config_rows] == [("lokal", "perubahan pengaturan disimpan")]
    finally:
        store.close()


def test_flow_says_what_is_done_and_marks_unsaved_changes(app, data_dir):
    config = preset_config(Registry(data_dir).get("sumedang"), "prevalensi_kasus", 2021).to_dict()
    save, flow = callback(app, "_save_scenario"), callback(app, "_flow")
    states, classes, bar, panel = flow(None, None, ids.TAB_TABLE, 0, None, {}, None, "sumedang", "id")
    assert "277 desa, 26 kecamatan" in texts(states[0]) and "belum diskor" in texts(states[1])
    assert classes[0] == "flow-step flow-done flow-current" and "belum ada skenario aktif" in texts(bar)
    active, *_ = save(1, None, "Lokus 2027", "", "", config, None, "sumedang", "id")
    states, classes, bar, panel = flow(config, active, ids.TAB_SCORING, 0, None, {}, None, "sumedang", "id")
    assert "tersimpan v1" in texts(states[1]) and "flow-current" in classes[1]
    assert "Lokus 2027" in texts(bar) and "belum disimpan" not in texts(bar)
    changed = {**config, "force_in": {"32.11.01.2001": "usul camat"}}
    states, _, bar, panel = flow(changed, active, ids.TAB_SCORING, 0, None, {}, None, "sumedang", "en")
    assert "● unsaved changes" in texts(bar) and "● unsaved changes" in texts(panel)
    assert "unsaved changes" in texts(states[1])
    # presenting = the rembuk step; a download of this version counts, of an older one not
    done = {"export": {"file": "lokus.xlsx", "ref": [active["id"], 1]}}
    states, classes, *_ = flow(config, active, ids.TAB_DECIDE, 2, "unduh", done, {"since": "x"},
                               "sumedang", "id")
    assert "flow-current" in classes[3] and "rembuk dibuka" in texts(states[3])
    assert "diunduh: lokus.xlsx" in texts(states[4])


def test_current_step_and_downloads():
    assert current_step(ids.TAB_DECIDE, False, "rencana") == "rencana"
    assert current_step(ids.TAB_DECIDE, False, "situasi") == "skoring"  # clicked, then moved on
    assert current_step(ids.TAB_TABLE, True, "unduh") == "rembuk"
    assert current_step(None, False, None) == "situasi"
    active = {"id": 3, "version": 2}
    assert download_of({"export": {"file": "a.xlsx", "ref": [3, 2]}}, "export", active) == "a.xlsx"
    assert download_of({"export": {"file": "a.xlsx", "ref": [3, 1]}}, "export", active) is None
    assert download_of({"export": {"file": "a.xlsx", "ref": None}}, "export", None) == "a.xlsx"
    assert download_of({}, "berita_acara", active) is None
