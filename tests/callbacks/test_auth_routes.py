"""The guard of callbacks/auth.py through Flask's test client: every route and every callback ×
every role × signed-in / anonymous, cross-site requests, headers, the sign-in rate limit,
upload quotas and the local (loopback, no account) mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dash.exceptions import PreventUpdate

from app import create_app
from geo.store.accounts import AccountStore
from geo.store.scenarios import Store
from tests.conftest_db import db_url, pg_database  # noqa: F401 (fixtures)

PASSWORD = "kata-sandi-panjang"
ROLES = ("admin", "analis", "peninjau", "pemirsa")
#: The role table of issue 12, written out independently of geo/core/access.py.
MAY = {
    "admin": {"view", "export", "score", "upload", "delete_dataset", "scenario", "plan", "present",
              "comment", "manage_accounts"},
    "analis": {"view", "export", "score", "upload", "delete_dataset", "scenario", "plan", "present"},
    "peninjau": {"view", "comment"},
    "pemirsa": {"view", "export"},
}
#: The callbacks that write or hand out files, by a triggering input → what they need.
WRITES = {
    "upload-event": "upload", "upload-check": "upload", "match-save": "upload", "upload-save": "upload",
    "template-download": "upload", "dataset-delete": "delete_dataset",
    "scn-save-new": "scenario", "scn-update": "scenario", "scn-rename": "scenario",
    "scn-duplicate": "scenario", "scn-delete": "scenario", "scn-upload-json": "scenario",
    "target-save": "plan", "plan-save": "plan", "plan-add": "plan", "prev-upload": "plan",
    "present-add": "present", "present-remove": "present", "present-ba-download": "present",
    "export": "export", "quality-csv": "export", "quality-xlsx": "export",
    "map-download-png": "export", "map-download-pdf": "export",
    "an-budget-csv": "export", "an-budget-xlsx": "export",
    "an-cost-upload": "score", "an-budget-run": "score", "an-smaa-run": "score", "an-survey-run": "score",
    "an-review-upload": "score", "an-review-run": "score",
    "camat-send": "scenario", "camat-answer": "comment",  # the camat review
}
UPLOAD = "/_lokus/unggah?kind=table&name=t.csv"
HOST = "http://localhost"


def triggers(spec: dict) -> set[str]:
    out = set()
    for item in spec["inputs"]:
        raw = item["id"]
        out.add(json.loads(raw)["type"] if raw.startswith("{") else raw)
    return out


def needs(spec: dict) -> set[str]:
    return {WRITES[n] for n in triggers(spec) if n in WRITES} or {"view"}


def _stub(*_args, **_kwargs):
    raise PreventUpdate  # the guard let it through: Dash answers 204


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("auth")


@pytest.fixture(scope="module")
def accounts(root):
    store = Store(f"sqlite:///{root}/t.db", data_dir=root)
    store.upgrade()
    yield AccountStore(store.engine)
    store.close()


@pytest.fixture(scope="module")
def app(root, accounts):
    app = create_app(database_url=f"sqlite:///{root}/t.db", state_dir=root, auth="required",
                     secure_cookies="off", max_upload_mb=1, max_uploads_per_user=2, max_upload_total_mb=0.01)
    for role in ROLES:
        accounts.add(role, role=role, area="32.11.01" if role == "peninjau" else "32.11", password=PASSWORD)
    for spec in app.callback_map.values():
        spec["callback"] = _stub
    return app


def sign_in(app, name: str, password: str = PASSWORD, **headers):
    client = app.server.test_client()
    reply = client.post("/masuk", data={"name": name, "password": password, "next": "/"},
                        headers={"Origin": HOST, **headers})
    return client, reply


@pytest.fixture(scope="module")
def clients(app) -> dict:
    out = {"anonim": app.server.test_client()}
    for role in ROLES:
        client, reply = sign_in(app, role)
        assert reply.status_code == 302 and reply.headers["Location"] == "/"
        out[role] = client
    return out


def expected(who: str, need: set[str]) -> int:
    if who == "anonim":
        return 401
    return 204 if need <= MAY[who] else 403


# --------------------------------------------------------------------------- the matrix
@pytest.mark.parametrize("who", ["anonim", *ROLES])
@pytest.mark.parametrize(("method", "path", "signed_in", "anonymous"), [
    ("GET", "/", 200, 302), ("GET", "/?lang=en&tab=skoring", 200, 302),
    ("GET", "/_dash-layout", 200, 401), ("GET", "/_dash-dependencies", 200, 401),
    ("GET", "/_reload-hash", None, 401), ("GET", "/_favicon.ico", 200, 401),
    ("GET", "/assets/lokus.js", 200, 401), ("GET", "/assets/bootstrap.min.css", 200, 200),
    ("GET", "/assets/signin.css", 200, 200), ("GET", "/masuk", 302, 200),
])
def test_pages_and_reads(clients, who, method, path, signed_in, anonymous):
    with clients[who].open(path, method=method) as reply:  # closes the static files
        check_read(reply, who, path, anonymous if who == "anonim" else signed_in)


def check_read(reply, who: str, path: str, want: int | None) -> None:
    if want is not None:
        assert reply.status_code == want, (who, path)
    if who == "anonim" and want == 302:
        assert reply.headers["Location"].startswith("/masuk?next=")
    if who == "anonim" and want == 401:
        assert "masuk" in reply.get_json()["error"]


@pytest.mark.parametrize("who", ["anonim", *ROLES])
def test_every_callback(app, clients, who):
    found = set()
    for output, spec in app.callback_map.items():
        found |= triggers(spec)
        body = {"output": output, "outputs": [], "inputs": [], "state": [], "changedPropIds": []}
        reply = clients[who].post("/_dash-update-component", json=body, headers={"Origin": HOST})
        assert reply.status_code == expected(who, needs(spec)), (who, output[:80], needs(spec))
    assert set(WRITES) <= found, "a write callback of the table is gone: update WRITES"


@pytest.mark.parametrize("who", ["anonim", *ROLES])
def test_upload_route(clients, who):
    reply = clients[who].post(UPLOAD, data=b"kode\n32.11.01.2001\n", headers={"Origin": HOST})
    want = 401 if who == "anonim" else 200 if "upload" in MAY[who] else 403
    assert reply.status_code == want


# --------------------------------------------------------------------------- hardening
@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"}, {"Origin": "null"}, {"Referer": "http://evil.example/page"},
    {"Origin": "http://localhost.evil.example"},
])
def test_cross_site_posts_are_refused(clients, headers):
    client = clients["admin"]
    assert client.post(UPLOAD, data=b"kode\n1\n", headers=headers).status_code == 403
    body = {"output": "x", "inputs": [], "changedPropIds": []}
    assert client.post("/_dash-update-component", json=body, headers=headers).status_code == 403
    signin = client.post("/masuk", data={"name": "admin", "password": PASSWORD}, headers=headers)
    assert signin.status_code == 403


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_form_content_types_are_refused_on_the_upload_route(clients, content_type):
    reply = clients["admin"].post(UPLOAD, data=b"kode\n1\n", content_type=content_type,
                                  headers={"Origin": HOST})
    assert reply.status_code == 415


def test_security_headers_on_every_answer(clients):
    for who, path in (("admin", "/"), ("anonim", "/"), ("anonim", "/_dash-layout"),
                      ("admin", "/_dash-layout"), ("anonim", "/masuk"), ("admin", "/assets/lokus.css")):
        with clients[who].get(path) as reply:
            headers = reply.headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-eval'" not in csp
        assert "script-src 'self' 'sha256-" in csp and "connect-src 'self'" in csp
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(app):
    _, reply = sign_in(app, "analis")
    cookie = reply.headers["Set-Cookie"]
    assert cookie.startswith("lokus_sesi=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.server.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 30 * 60


def test_sign_in_page_and_wrong_password(app):
    page = app.server.test_client().get("/masuk?lang=en")
    assert page.status_code == 200 and b"Sign in to Lokus" in page.data and b'type="password"' in page.data
    client, reply = sign_in(app, "analis", "salah-salah-salah")
    assert reply.status_code == 401 and "salah" in reply.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_next_never_leaves_the_site(app):
    client = app.server.test_client()
    for target, where in (("//evil.example/x", "/"), ("http://evil.example", "/"), ("/?lang=en", "/?lang=en"),
                          ("/\\evil.example", "/")):
        reply = client.post("/masuk", data={"name": "pemirsa", "password": PASSWORD, "next": target},
                            headers={"Origin": HOST})
        assert reply.headers["Location"] == where


def test_sign_out_ends_the_session(app):
    client, _ = sign_in(app, "pemirsa")
    assert client.get("/").status_code == 200
    reply = client.get("/keluar")
    assert reply.status_code == 302 and reply.headers["Location"].startswith("/masuk")
    assert client.get("/").status_code == 302 and client.get("/_dash-layout").status_code == 401


def test_rate_limit_after_five_failures(app, accounts):
    accounts.add("korban", role="pemirsa", area="32.11", password=PASSWORD)
    for _ in range(5):
        assert sign_in(app, "korban", "salah-salah-salah")[1].status_code == 401
    client, reply = sign_in(app, "korban")  # the right password, too late
    assert reply.status_code == 429 and "15" in reply.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_disabled_account_is_signed_out_at_once(app, accounts):
    accounts.add("sementara", role="analis", area="32.11", password=PASSWORD)
    client, _ = sign_in(app, "sementara")
    assert client.get("/_dash-layout").status_code == 200
    accounts.set_active("sementara", False)
    assert client.get("/_dash-layout").status_code == 401


def test_upload_quota_and_ownership(app, accounts):
    accounts.add("pengunggah", role="analis", area="32.11", password=PASSWORD)
    client, _ = sign_in(app, "pengunggah")
    first = client.post(UPLOAD, data=b"kode\n1\n", headers={"Origin": HOST})
    assert first.status_code == 200
    uid = first.get_json()["id"]
    assert client.post(UPLOAD, data=b"kode\n1\n", headers={"Origin": HOST}).status_code == 200
    third = client.post(UPLOAD, data=b"kode\n1\n", headers={"Origin": HOST})
    assert third.status_code == 429 and "2" in third.get_json()["error"]  # max_uploads_per_user=2
    # a file added to an own upload is still fine, until the total size is reached
    assert client.post(f"{UPLOAD}&id={uid}", data=b"kode\n2\n", headers={"Origin": HOST}).status_code == 200
    big = client.post(f"{UPLOAD}&id={uid}", data=b"x" * 20_000, headers={"Origin": HOST})
    assert big.status_code == 413 and "MB" in big.get_json()["error"]  # 10 kB of unsaved uploads each
    other, _ = sign_in(app, "analis")  # someone else's upload folder is not yours
    assert other.post(f"{UPLOAD}&id={uid}", data=b"kode\n1\n", headers={"Origin": HOST}).status_code == 403


def test_callback_body_size_is_bounded(clients):
    huge = b'{"output": "x", "pad": "' + b"x" * (3 << 20) + b'"}'
    reply = clients["admin"].post("/_dash-update-component", data=huge, content_type="application/json",
                                  headers={"Origin": HOST})
    assert reply.status_code == 413  # max_upload_mb=1: a callback body may carry ~2.3 MB


# --------------------------------------------------------------------------- local mode
def test_local_mode_needs_no_sign_in(tmp_path):
    app = create_app(database_url=f"sqlite:///{tmp_path}/t.db", state_dir=tmp_path)
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "Pengguna lokal" in layout and "navbar-signout" not in layout
    assert client.get("/masuk").status_code == 302
    assert client.post(UPLOAD, data=b"kode\n1\n").status_code == 200  # curl-like: no Origin, no form type
    evil = client.post(UPLOAD, data=b"kode\n1\n", headers={"Origin": "http://evil.example"})
    assert evil.status_code == 403
    assert client.post(UPLOAD, data=b"kode\n1\n", content_type="text/plain").status_code == 415
    assert "Content-Security-Policy" in client.get("/").headers
    assert (tmp_path / "secret_key").read_text() == app.server.secret_key  # kept for the next start


def test_auto_mode_on_a_network_address_requires_sign_in(tmp_path):
    app = create_app(database_url=f"sqlite:///{tmp_path}/t.db", state_dir=tmp_path, host="0.0.0.0",
                     secret_key="k" * 40)
    client = app.server.test_client()
    assert client.get("/").status_code == 302 and client.get("/_dash-layout").status_code == 401
    assert app.server.secret_key == "k" * 40 and app.server.config["SESSION_COOKIE_SECURE"]


def test_loopback_with_an_account_requires_sign_in(tmp_path, monkeypatch):
    monkeypatch.setattr("callbacks.auth._MODE_TTL", 0.0)  # a running app re-reads the count at once
    url = f"sqlite:///{tmp_path}/t.db"
    app = create_app(database_url=url, state_dir=tmp_path)
    AccountStore(Store(url, data_dir=tmp_path).engine).add("admin", role="admin", area="", password=PASSWORD)
    app2 = create_app(database_url=url, state_dir=tmp_path)
    assert app2.server.test_client().get("/").status_code == 302
    assert app.server.test_client().get("/").status_code == 302  # a running app notices too


def test_idle_session_ends(tmp_path):
    import time

    url = f"sqlite:///{tmp_path}/t.db"
    app = create_app(database_url=url, state_dir=tmp_path, auth="required", session_idle_minutes=0.001)
    accounts = AccountStore(Store(url, data_dir=tmp_path).engine)
    accounts.add("budi", role="analis", area="32", password=PASSWORD)
    client, reply = sign_in(app, "budi")
    assert reply.status_code == 302
    time.sleep(1.2)  # the cookie's signature is older than the idle limit: Flask refuses it
    reply = client.get("/")
    assert reply.status_code == 302 and "habis=1" in reply.headers["Location"]
    assert "tidak aktif" in client.get(reply.headers["Location"]).get_data(as_text=True)


def test_sign_in_on_each_backend(db_url, tmp_path):  # noqa: F811
    app = create_app(database_url=db_url, state_dir=tmp_path, auth="required")
    store = Store(db_url, data_dir=tmp_path)
    AccountStore(store.engine).add("camat", role="peninjau", area="32.11.01", password=PASSWORD)
    store.close()
    client, reply = sign_in(app, "camat")
    assert reply.status_code == 302 and client.get("/_dash-layout").status_code == 200
    assert client.post(UPLOAD, data=b"kode\n1\n", headers={"Origin": HOST}).status_code == 403
    assert app.server.test_client().get("/_dash-layout").status_code == 401


# --------------------------------------------------------------------------- callbacks/access.py
def test_current_account_for_callbacks():
    import flask

    from callbacks import access
    from geo.core.access import LOCAL_ACCOUNT, Account, Role
    from geo.core.errors import InputError

    assert access.current_account() is LOCAL_ACCOUNT and access.author() == "lokal"  # outside a request
    server = flask.Flask("t")
    camat = Account("camat", Role.PENINJAU, area="32.11.01")
    with server.test_request_context("/"):
        setattr(flask.g, access.G_ACCOUNT, camat)
        assert access.current_account() is camat and access.author() == "camat"
        assert access.visible(["32.11.01.2001", "32.11.02.2001", "32.11.01.2002"]) == \
            ["32.11.01.2001", "32.11.01.2002"]
        assert access.require("comment", "32.11.01.2001") is camat
        for permission, code in (("comment", "32.11.02.2001"), ("scenario", None)):
            with pytest.raises(InputError) as err:
                access.require(permission, code)
            assert err.value.message.key == "account.error.forbidden"
        setattr(flask.g, access.G_ACCOUNT, None)
        assert access.visible(["32"]) == [] and access.author() == ""
