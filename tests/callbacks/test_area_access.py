"""Area-scoped access (issue 12): every role × inside / outside its area × signed-in / anonymous,
through real Dash callback requests (``/_dash-update-component``) on the Flask test client,
on SQLite and (marked ``pg``) PostgreSQL.

The embedded dataset is Kabupaten Sumedang, wilayah ``32.11``. Accounts "inside" have the
areas 32.11 (analis, pemirsa), 32.11.01 (peninjau: a camat of Sumedang sees its kabupaten's
data) and 32 (admin of the province); accounts "outside" have 32.04 (Kabupaten Bandung) or
32.04.01. A dataset or scenario outside the area must behave exactly as one that does not
exist; a role without the permission gets 403, an anonymous visitor 401.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from app import create_app
from geo.core.access import LOCAL_ACCOUNT, Account, Role
from geo.data.wilayah import dataset_wilayah, kabupaten_of
from geo.scoring.presets import preset_config
from geo.store.accounts import AccountStore
from geo.store.model import chosen_from_result
from geo.store.scenarios import Store
from tests.conftest_db import BACKENDS, pg_database  # noqa: F401 (fixture)

PASSWORD = "kata-sandi-panjang"
DATA = Path(__file__).resolve().parents[2] / "data"
HOST = "http://localhost"
#: name → (role, area, inside Sumedang's wilayah 32.11?)
ACCOUNTS = {
    "admin_in": ("admin", "32", True), "analis_in": ("analis", "32.11", True),
    "peninjau_in": ("peninjau", "32.11.01", True), "pemirsa_in": ("pemirsa", "32.11", True),
    "admin_out": ("admin", "32.04", False), "analis_out": ("analis", "32.04", False),
    "peninjau_out": ("peninjau", "32.04.01", False), "pemirsa_out": ("pemirsa", "32.04", False),
}
WHO = ["anonim", *ACCOUNTS]
WRITERS = {"admin", "analis"}  # may save / delete scenarios (the role table of issue 12)
EXPORTERS = {"admin", "analis", "pemirsa"}


# --------------------------------------------------------------------------- the app, per backend
@pytest.fixture(scope="module", params=BACKENDS)
def url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('area')}/t.db"
    server: URL = request.getfixturevalue("pg_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(server, poolclass=NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()
    schema_url = server.update_query_dict({"options": f"-csearch_path={schema}"})
    return schema_url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def app(url, tmp_path_factory):
    root = tmp_path_factory.mktemp("state")
    app = create_app(database_url=url, state_dir=root, auth="required", secure_cookies="off")
    store = Store(url, data_dir=root)
    accounts = AccountStore(store.engine)
    for name, (role, area, _inside) in ACCOUNTS.items():
        accounts.add(name, role=role, area=area, password=PASSWORD)
    store.close()
    return app


@pytest.fixture(scope="module")
def config(app) -> dict:
    from geo.view.registry import Registry

    return preset_config(Registry(DATA).get("sumedang"), "prevalensi_kasus", 2021).to_dict()


@pytest.fixture(scope="module")
def clients(app) -> dict:
    out = {"anonim": app.server.test_client()}
    for name in ACCOUNTS:
        client = app.server.test_client()
        reply = client.post("/masuk", data={"name": name, "password": PASSWORD, "next": "/"},
                            headers={"Origin": HOST})
        assert reply.status_code == 302, name
        out[name] = client
    return out


def saved_scenario(url: str, config: dict, tmp_path: Path) -> int:
    """A scenario of Sumedang saved straight into the store (no gate: as the CLI would)."""
    from geo.view.registry import Registry

    result = Registry(DATA).score("sumedang", config)
    store = Store(url, data_dir=tmp_path)
    try:
        return store.save_new(f"Lokus {uuid.uuid4().hex[:8]}", "sumedang", result.config,
                              chosen_from_result(result), author="analis_in").id
    finally:
        store.close()


# --------------------------------------------------------------------------- real callback requests
def spec_of(app, name: str) -> dict:
    """The callback spec of a function of callbacks/datasets.py or callbacks/decide.py."""
    (spec,) = [{**s, "output": key} for key, s in app.callback_map.items()
               if "callback" in s and s["callback"].__wrapped__.__name__ == name
               and s["callback"].__wrapped__.__module__ in ("callbacks.datasets", "callbacks.decide")]
    return spec  # "output": the output string the browser sends


def outputs_of(spec: dict) -> list[dict]:
    text = spec["output"]
    parts = text.strip(".").split("...") if text.startswith("..") else [text]
    out = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        out.append({"id": json.loads(ident) if ident.startswith("{") else ident, "property": prop})
    return out


def call(client, app, name: str, trigger: tuple[str, object], **values):
    """POST one callback the way the browser does; ``trigger`` = (input id, value) that fired,
    ``values`` = other inputs and states by id (``-`` as ``_``). Returns (status, response)."""
    spec = spec_of(app, name)
    by_id = {k.replace("_", "-"): v for k, v in values.items()}
    by_id[trigger[0]] = trigger[1]

    def items(kind: str) -> list:
        return [{"id": i["id"], "property": i["property"], "value": by_id.get(i["id"])} for i in spec[kind]]

    outs = outputs_of(spec)
    body = {"output": spec["output"], "outputs": outs if len(outs) > 1 else outs[0],
            "inputs": items("inputs"), "state": items("state"),
            "changedPropIds": [f"{trigger[0]}.{spec_prop(spec, trigger[0])}"]}
    reply = client.post("/_dash-update-component", json=body, headers={"Origin": HOST})
    return reply.status_code, (reply.get_json() or {}).get("response", {}) if reply.status_code == 200 else {}


def spec_prop(spec: dict, ident: str) -> str:
    return next(i["property"] for i in spec["inputs"] if i["id"] == ident)


def text_of(value) -> str:
    if isinstance(value, dict):
        return text_of(value.get("props", {}).get("children")) if "props" in value else ""
    if isinstance(value, list):
        return " ".join(text_of(v) for v in value)
    return "" if value is None else str(value)


def inside(who: str) -> bool:
    return ACCOUNTS[who][2]


def role(who: str) -> str:
    return ACCOUNTS[who][0]


# --------------------------------------------------------------------------- the matrix
@pytest.mark.parametrize("who", WHO)
def test_list_datasets(app, clients, who):
    status, response = call(clients[who], app, "_list", ("store-datasets-version", 0), store_lang="id")
    if who == "anonim":
        assert status == 401
        return
    assert status == 200
    values = [o["value"] for o in response["dataset-picker"]["options"]]
    assert values == (["sumedang"] if inside(who) else [])


@pytest.mark.parametrize("who", WHO)
def test_page_layout(clients, who):
    reply = clients[who].get("/_dash-layout")
    if who == "anonim":
        assert reply.status_code == 401
        return
    text = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert ("Sumedang" in text) == inside(who)  # outside: not a word of Sumedang's data
    assert ("area-empty" in text) != inside(who) and "Traceback" not in text


@pytest.mark.parametrize("who", WHO)
def test_load_dataset(app, clients, who):
    status, response = call(clients[who], app, "_pick", ("dataset-picker", "sumedang"), store_lang="id")
    if who == "anonim":
        assert status == 401
    elif inside(who):
        assert status == 200 and response["store-dataset"]["data"] == "sumedang"
    else:  # exactly as an id that does not exist
        assert status == 200 and "store-dataset" not in response
        missing = call(clients[who], app, "_pick", ("dataset-picker", "tidak-ada"), store_lang="id")[1]
        assert text_of(response["dataset-status"]["children"]) == \
            text_of(missing["dataset-status"]["children"]).replace("tidak-ada", "sumedang")
        assert "tidak ditemukan" in text_of(response["dataset-status"]["children"])


@pytest.mark.parametrize("who", WHO)
def test_list_scenarios(app, clients, url, config, tmp_path, who):
    sid = saved_scenario(url, config, tmp_path)
    status, response = call(clients[who], app, "_scenarios", ("store-dataset", "sumedang"), store_lang="id")
    if who == "anonim":
        assert status == 401
        return
    listed = [o["value"] for o in response["scn-list"]["options"]]
    assert (sid in listed) == inside(who)
    assert inside(who) or listed == []


@pytest.mark.parametrize("who", WHO)
def test_load_scenario(app, clients, url, config, tmp_path, who):
    sid = saved_scenario(url, config, tmp_path)
    load = {"scn_list": sid, "store_dataset": "sumedang", "store_lang": "id"}
    status, response = call(clients[who], app, "_load_scenario", ("scn-load", 1), **load)
    if who == "anonim":
        assert status == 401
    elif inside(who):
        assert response["store-scenario"]["data"]["id"] == sid
    else:  # the same answer as for an id that never existed
        assert "store-scenario" not in response
        gone = call(clients[who], app, "_load_scenario", ("scn-load", 1), **{**load, "scn_list": 987654})[1]
        assert text_of(response["scn-status"]["children"]) == \
            text_of(gone["scn-status"]["children"]).replace("987654", str(sid))


@pytest.mark.parametrize("who", WHO)
def test_save_scenario(app, clients, url, config, tmp_path, who):
    values = {"scn_name": f"Baru {who}", "store_config": config, "store_dataset": "sumedang",
              "store_lang": "id"}
    status, response = call(clients[who], app, "_save_scenario", ("scn-save-new", 1), **values)
    if who == "anonim":
        assert status == 401
    elif role(who) not in WRITERS:
        assert status == 403
    elif inside(who):
        assert status == 200 and response["store-scenario"]["data"]["name"] == f"Baru {who}"
        store = Store(url, data_dir=tmp_path)
        try:  # the audit names the signed-in account, never a typed name
            assert store.get(response["store-scenario"]["data"]["id"]).author == who
        finally:
            store.close()
    else:
        assert status == 200 and "store-scenario" not in response
        assert "tidak ditemukan" in text_of(response["scn-status"]["children"])


@pytest.mark.parametrize("who", WHO)
def test_delete_scenario(app, clients, url, config, tmp_path, who):
    sid = saved_scenario(url, config, tmp_path)
    values = {"scn_list": sid, "store_dataset": "sumedang", "store_lang": "id"}
    status, response = call(clients[who], app, "_delete_scenario", ("scn-delete", 1), **values)
    store = Store(url, data_dir=tmp_path)
    try:
        still_there = sid in [s.id for s in store.find("sumedang")]
    finally:
        store.close()
    if who == "anonim":
        assert status == 401 and still_there
    elif role(who) not in WRITERS:
        assert status == 403 and still_there
    elif inside(who):
        assert status == 200 and not still_there
    else:
        assert status == 200 and still_there
        assert "tidak ditemukan" in text_of(response["scn-status"]["children"])


@pytest.mark.parametrize("who", WHO)
def test_export_scenario(app, clients, url, config, tmp_path, who):
    sid = saved_scenario(url, config, tmp_path)
    spec = spec_of(app, "_export")
    button = {"format": "json", "type": "export"}
    body = {"output": spec["output"], "outputs": outputs_of(spec),
            "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
            "state": [{"id": s["id"], "property": s["property"],
                       "value": {"store-config": config, "store-scenario": {"id": sid, "version": 1},
                                 "store-dataset": "sumedang", "store-lang": "id"}.get(s["id"])}
                      for s in spec["state"]],
            "changedPropIds": [json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"]}
    reply = clients[who].post("/_dash-update-component", json=body, headers={"Origin": HOST})
    if who == "anonim":
        assert reply.status_code == 401
    elif role(who) not in EXPORTERS:
        assert reply.status_code == 403
    else:
        response = reply.get_json()["response"]
        download = response["export-download"]["data"] if "export-download" in response else None
        assert (download is not None) == inside(who)
        if not inside(who):
            assert "tidak ditemukan" in text_of(response["export-status"]["children"])


# --------------------------------------------------------------------------- the rules themselves
def test_dataset_wilayah_is_computed_from_the_codes():
    assert dataset_wilayah(["32.11.01.2001", "32.11.26.2014"]) == "32.11"
    assert dataset_wilayah(["32.11.01.2001", "32.04.01.2001"]) == "32"
    assert dataset_wilayah(["32.11.01.2001", "33.01.01.2001"]) == ""
    assert dataset_wilayah(["32.11.01.2001"]) == "32.11"  # never below the kabupaten
    assert kabupaten_of("32.11.01") == "32.11" and kabupaten_of("32") == "32" and kabupaten_of("") == ""


@pytest.mark.parametrize(("area", "wilayah", "sees"), [
    ("", "32.11", True), ("", "", True), ("32", "32.11", True), ("32", "32", True),
    ("32.11", "32.11", True), ("32.11.01", "32.11", True),  # the camat sees its kabupaten's data
    ("32.11", "32", False), ("32.11.01", "32", False),  # never a wider (province) dataset
    ("32.04", "32.11", False), ("32.04.01", "32.11", False), ("33", "32.11", False),
    ("32.11", "", False), ("32.1", "32.11", False),
])
def test_dataset_visibility_rule(area, wilayah, sees):
    from callbacks.access import dataset_visible_to

    assert dataset_visible_to(Account("x", Role.PEMIRSA, area=area), wilayah) is sees
    assert dataset_visible_to(Account("x", Role.ADMIN, area=area, active=False), wilayah) is False
    assert dataset_visible_to(None, wilayah) is False
    assert dataset_visible_to(LOCAL_ACCOUNT, wilayah) is True


def test_local_mode_sees_everything(tmp_path, config):
    app = create_app(database_url=f"sqlite:///{tmp_path}/t.db", state_dir=tmp_path)
    client = app.server.test_client()
    status, response = call(client, app, "_list", ("store-datasets-version", 0), store_lang="id")
    assert status == 200 and [o["value"] for o in response["dataset-picker"]["options"]] == ["sumedang"]
    sid = saved_scenario(f"sqlite:///{tmp_path}/t.db", config, tmp_path)
    status, response = call(client, app, "_scenarios", ("store-dataset", "sumedang"), store_lang="id")
    assert [o["value"] for o in response["scn-list"]["options"]] == [sid]


@pytest.mark.parametrize(("area", "refused"), [
    ("32.11", False), ("32", False), ("", False),
    ("32.04", True), ("32.11.01", True),  # a camat sees its kabupaten's data but may not upload it
])
def test_an_upload_outside_the_uploaders_area_is_refused(area, refused):
    import flask

    from callbacks import access
    from geo.core.errors import InputError
    from geo.view.registry import Registry

    server = flask.Flask("t")
    with server.test_request_context("/"):
        setattr(flask.g, access.G_ACCOUNT, Account("budi", Role.ANALIS, area=area))
        if not refused:
            access.check_upload_area(Registry(DATA), "sumedang")
            return
        with pytest.raises(InputError) as err:
            access.check_upload_area(Registry(DATA), "sumedang")
    assert err.value.key == "area.error.upload_outside"
    assert str(err.value).startswith(
        f"dataset ini berisi desa wilayah 32.11, di luar wilayah akun Anda ({area})")
