"""One way to show a problem in a callback, the decide page's write callbacks one per button,
and pattern-matching and tab ids only from layouts/ids.py."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from dash import ALL, no_update
from dash.exceptions import PreventUpdate

from app import create_app
from callbacks.errors import MESSAGE, guarded, input_errors
from geo.core.errors import InputError
from geo.scoring.presets import preset_config
from geo.store.scenarios import Store
from geo.view.registry import Registry
from layouts import ids
from layouts.text import t

ROOT = Path(__file__).resolve().parents[2]


@input_errors(no_update, MESSAGE, "")
def _needs_a_name(name, lang):
    if name == "boom":
        raise RuntimeError("secret /srv/path in a traceback")
    if name == "stop":
        raise PreventUpdate
    if not name:
        raise InputError.of("upload.error.need_name")
    return name, "ok", "done"


def test_bad_input_is_its_message_in_the_page_language_in_its_slot() -> None:
    out = _needs_a_name("", "en")
    assert out[0] is no_update and out[2] == ""
    assert out[1].children == "enter a dataset name first" and out[1].color == "danger"
    assert _needs_a_name("", "id")[1].children == "isi nama dataset dulu"
    assert _needs_a_name("Sumedang", "en") == ("Sumedang", "ok", "done")


def test_an_unexpected_failure_is_logged_and_shown_without_its_traceback(caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="callbacks.errors"):
        out = _needs_a_name("boom", lang="en")
    assert out[1].children == t("shell.error.unexpected", "en")
    assert "secret" not in str(out)
    assert "secret /srv/path" in caplog.text  # the traceback is in the log


def test_prevent_update_passes_and_a_callback_without_lang_is_refused() -> None:
    with pytest.raises(PreventUpdate):
        _needs_a_name("stop", "id")
    with pytest.raises(TypeError, match="lang"):
        input_errors()(lambda value: value)
    assert guarded(lambda: 1 / 0, "en", show=str, unexpected="upload.error.unprocessable") == \
        t("upload.error.unprocessable", "en")


@pytest.fixture
def app(tmp_path):
    return create_app(database_url=f"sqlite:///{tmp_path}/x.db", state_dir=tmp_path)


def callback(app, name: str):
    """A registered callback's own function (no Dash request needed)."""
    (found,) = [c["callback"].__wrapped__ for c in app.callback_map.values()
                if "callback" in c and c["callback"].__wrapped__.__name__ == name]
    return found


def test_each_scenario_button_has_its_own_callback_and_audit(app, data_dir, tmp_path) -> None:
    config = preset_config(Registry(data_dir).get("sumedang"), "prevalensi_kasus", 2021).to_dict()
    active, status, options, compare = callback(app, "_save_scenario")(  # no active: a new one
        1, None, "Lokus 2026", "", "", config, None, "sumedang", "en")
    assert status.children.startswith("Scenario 'Lokus 2026' saved") and options == compare
    assert [o["value"] for o in options] == [active["id"]]
    failed = callback(app, "_rename_scenario")(1, "Baru", None, active, "sumedang", "id")
    assert failed[0] is no_update and failed[1].children == t("decide.error.pick", "id")
    assert failed[2] is no_update and failed[3] is no_update
    renamed, status, *_ = callback(app, "_rename_scenario")(
        1, "Lokus 2026 awal", active["id"], active, "sumedang", "en")
    assert renamed["name"] == "Lokus 2026 awal" and status.color == "success"
    copy, *_ = callback(app, "_duplicate_scenario")(1, "Salinan", active["id"], "sumedang", "en")
    assert copy["id"] != active["id"]
    gone, status, options, _ = callback(app, "_delete_scenario")(
        1, copy["id"], "keliru", copy, "sumedang", "en")
    assert gone is None and [o["value"] for o in options] == [active["id"]]
    store = Store(f"sqlite:///{tmp_path}/x.db", data_dir=tmp_path)
    try:
        entries = store.audit(active["id"])
        actions = [e.action for e in entries]
    finally:
        store.close()
    assert actions[0] == "create" and actions[-1] == "rename"
    assert {e.who for e in entries} == {"lokal"}  # the signed-in (here: local) account, never typed
    picked = callback(app, "_load_scenario")(1, None, "sumedang", "en")
    assert picked[1].children == t("decide.error.pick", "en") and len(picked) == 17
    assert all(v is no_update for i, v in enumerate(picked) if i != 1)


def test_pattern_and_tab_ids_come_only_from_layouts_ids() -> None:
    assert ids.weight_slider(ALL) == {"type": ids.WEIGHT_SLIDER, "indicator": ALL}
    sources = [*(ROOT / "callbacks").glob("*.py"), *(ROOT / "layouts").glob("*.py"), ROOT / "app.py"]
    for path in sources:
        if path.name == "ids.py":
            continue
        text = path.read_text(encoding="utf-8")
        # "type" of an AG Grid column or of MapLibre style parts is not a component id
        not_ids = "rightAligned|geojson|FeatureCollection|background"
        assert not re.search(rf"""["']type["']\s*:\s*["'](?!{not_ids})""", text), path.name
        assert not re.search(r"""tab_id\s*=\s*["']""", text), path.name


def test_a_callback_that_raises_answers_with_the_message_not_a_500(caplog) -> None:
    """``Dash(on_error=callback_raised)``: the outputs stay, the page's alert says so in the
    page's language, the traceback goes to the log only."""
    from dash import Dash, Input, Output, html

    from callbacks.errors import RAISED, UNEXPECTED, callback_raised

    app = Dash(__name__, on_error=callback_raised)
    app.layout = html.Div([html.Div(id=ids.ALERT), html.Button(id="go"), html.Div(id="a"),
                           html.Div(id="b")])

    @app.callback(Output("a", "children"), Output("b", "children"), Input("go", "n_clicks"))
    def _boom(_n):
        raise KeyError("/srv/secret")

    body = {"output": "..a.children...b.children..",
            "outputs": [{"id": "a", "property": "children"}, {"id": "b", "property": "children"}],
            "inputs": [{"id": "go", "property": "n_clicks", "value": 1}], "state": [],
            "changedPropIds": ["go.n_clicks"]}
    with caplog.at_level(logging.ERROR):
        reply = app.server.test_client().post("/_dash-update-component", json=body,
                                               headers={"Referer": "http://h/?lang=en&page=peta"})
    assert reply.status_code == 200
    answer = reply.get_json()
    assert "a" not in answer.get("response", {}) and "b" not in answer.get("response", {})
    shown = answer["sideUpdate"][ids.ALERT]["children"]
    assert shown["props"]["children"] == t(UNEXPECTED, "en") != t(UNEXPECTED, "id")
    assert "secret" not in reply.get_data(as_text=True)
    logged = [r for r in caplog.records if r.getMessage().startswith(RAISED)]
    assert len(logged) == 1 and logged[0].exc_info[0] is KeyError
