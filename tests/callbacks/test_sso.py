"""Single sign-on through OpenID Connect (callbacks/sso.py) against a real, minimal OpenID provider
served on a local port (tests/oidc_provider.py). Nothing of Authlib is mocked: the browser's
round trip is Flask's test client (Lokus) and ``requests`` (the provider); Lokus talks to the
provider over HTTP."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from app import create_app
from geo.store.accounts import AccountStore
from geo.store.scenarios import Store
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, serve

HOST = "http://localhost"
PASSWORD = "kata-sandi-panjang"


@pytest.fixture(scope="module")
def provider():
    with serve() as provider:
        yield provider


@pytest.fixture(autouse=True)
def _fresh(request):
    if "provider" in request.fixturenames:
        request.getfixturevalue("provider").reset()


def _app(root: Path, **oidc):
    return create_app(database_url=f"sqlite:///{root}/t.db", state_dir=root, auth="required",
                      secure_cookies="off", **oidc)


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sso")
    store = Store(f"sqlite:///{root}/t.db", data_dir=root)
    store.upgrade()
    accounts = AccountStore(store.engine)
    accounts.add("analis", role="analis", area="32.11", password=PASSWORD, display_name="Analis Bappeda")
    accounts.add("camat", role="peninjau", area="32.11.01", password=PASSWORD)
    accounts.add("pensiun", role="analis", area="32.11", password=PASSWORD)
    accounts.set_active("pensiun", False)
    store.close()
    return root


@pytest.fixture(scope="module")
def app(root, provider):
    return _app(root, oidc_issuer=provider.issuer, oidc_client_id=CLIENT_ID,
                oidc_client_secret=CLIENT_SECRET, oidc_name="SSO Pemprov")


def start(app, provider, query: dict | None = None):
    """A browser pressing the button: Lokus → the provider → the way back (not yet followed)."""
    client = app.server.test_client()
    reply = client.get(f"/masuk/sso?{urlencode(query or {'next': '/?tab=peta'})}")
    assert reply.status_code == 302, reply.text
    location = reply.headers["Location"]
    assert location.startswith(f"{provider.issuer}/authorize?")
    answer = requests.get(location, allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert (back.scheme, back.netloc, back.path) == ("http", "localhost", "/masuk/sso/kembali")
    return client, f"{back.path}?{back.query}"


def round_trip(app, provider, query: dict | None = None):
    client, back = start(app, provider, query)
    return client, client.get(back)


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


# --------------------------------------------------------------------------- success
def test_known_active_account_signs_in_with_its_role_and_area(app, provider, root):
    client, reply = round_trip(app, provider)
    assert reply.status_code == 302 and reply.headers["Location"] == "/?tab=peta"
    assert signed_in(client)
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "Analis Bappeda" in layout and "32.11" in layout  # the navbar: the local account's name, area
    # the role comes from Lokus: an analis may upload (not refused), a peninjau may not
    upload = client.post("/_lokus/unggah?kind=table&name=t.csv", data=b"a,b\n1,2\n",
                         headers={"Origin": HOST, "Content-Type": "application/octet-stream"})
    assert upload.status_code not in (401, 403)
    provider.user = "camat"
    camat, reply = round_trip(app, provider)
    assert reply.status_code == 302 and signed_in(camat)
    refused = camat.post("/_lokus/unggah?kind=table&name=t.csv", data=b"a,b\n1,2\n",
                         headers={"Origin": HOST, "Content-Type": "application/octet-stream"})
    assert refused.status_code == 403
    store = Store(f"sqlite:///{root}/t.db", data_dir=root)
    try:
        last = {info.account.name: info.last_login_at for info in AccountStore(store.engine).list()}
    finally:
        store.close()
    assert last["analis"] is not None and last["camat"] is not None and last["pensiun"] is None


def test_authorization_request_uses_pkce_state_nonce(app, provider):
    start(app, provider)
    query = provider.authorizations[-1]
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
    assert len(query["state"]) >= 20 and len(query["nonce"]) >= 20
    assert "openid" in query["scope"].split()
    assert query["redirect_uri"] == "http://localhost/masuk/sso/kembali"
    assert "client_secret" not in query


def test_next_target_stays_on_this_site(app, provider):
    _client, reply = round_trip(app, provider, {"next": "//evil.example/x"})
    assert reply.status_code == 302 and reply.headers["Location"] == "/"


def test_email_like_claim_value_is_normalised(app, provider):
    provider.user = "  ANALIS "
    client, reply = round_trip(app, provider)
    assert reply.status_code == 302 and signed_in(client)


# --------------------------------------------------------------------------- refused
@pytest.mark.parametrize(("user", "words"), [
    ("tamu", ['Akun "tamu" belum terdaftar', "lokus user add"]),
    ("pensiun", ['Akun "pensiun" dinonaktifkan']),
])
def test_unknown_or_disabled_account_is_refused_by_name(app, provider, user, words):
    provider.user = user
    client, reply = round_trip(app, provider)
    assert reply.status_code == 403
    page = reply.get_data(as_text=True)
    assert all(w.replace('"', "&quot;") in page for w in words), page
    assert 'id="signin-form"' in page and "Traceback" not in page
    assert not signed_in(client)


def test_claim_that_cannot_be_an_account_name_is_refused(app, provider):
    provider.user = "bukan nama/akun"
    client, reply = round_trip(app, provider)
    assert reply.status_code == 403 and "ditolak" in reply.get_data(as_text=True)
    assert not signed_in(client)


@pytest.mark.parametrize("tamper", [
    {"nonce": "nonce-lain"}, {"aud": "aplikasi-lain"}, {"aud": ["aplikasi-lain"], "azp": CLIENT_ID},
    {"iss": "http://127.0.0.1:1"}, {"exp": int(time.time()) - 3600}, "forge",
], ids=["nonce", "audience", "audience-azp", "issuer", "expired", "signature"])
def test_bad_id_token_is_refused(app, provider, tamper):
    if tamper == "forge":
        provider.forge = True
    else:
        provider.tamper = tamper
    client, reply = round_trip(app, provider)
    assert reply.status_code == 401
    assert "Token identitas dari penyedia tidak dapat diterima" in reply.get_data(as_text=True)
    assert not signed_in(client)


def test_provider_error_is_refused_with_message(app, provider):
    provider.deny = True
    client, reply = round_trip(app, provider, {"next": "/", "lang": "en"})
    assert reply.status_code == 401
    page = reply.get_data(as_text=True)
    assert "did not allow the sign-in (access_denied)" in page and 'lang="en"' in page
    assert not signed_in(client)


def test_wrong_or_replayed_state_is_refused(app, provider):
    client, back = start(app, provider)
    query = parse_qs(urlsplit(back).query)
    forged = f"/masuk/sso/kembali?{urlencode({'code': query['code'][0], 'state': 'bukan-state-ini'})}"
    reply = client.get(forged)
    assert reply.status_code == 400 and "tidak sah atau sudah kedaluwarsa" in reply.get_data(as_text=True)
    # the way back in another browser (no session that started it): refused as well
    other = app.server.test_client()
    assert other.get(back).status_code == 400 and not signed_in(other)


def test_routes_pass_the_guard_but_refuse_posts_from_elsewhere(app):
    client = app.server.test_client()
    assert client.post("/masuk/sso", headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.post("/masuk/sso", headers={"Origin": HOST}).status_code == 405  # GET only
    reply = client.get("/masuk/sso/kembali")  # anonymous, no state: the page, not a 401
    assert reply.status_code == 400 and 'id="signin-form"' in reply.get_data(as_text=True)


# --------------------------------------------------------------------------- the sign-in page
@pytest.mark.parametrize(("lang", "label"), [("id", "Masuk dengan SSO Pemprov"),
                                             ("en", "Sign in with SSO Pemprov")])
def test_signin_page_shows_the_button(app, lang, label):
    page = app.server.test_client().get(f"/masuk?lang={lang}&next=/%3Ftab%3Dpeta").get_data(as_text=True)
    assert 'id="signin-sso"' in page and label in page
    assert "/masuk/sso?lang=" + lang + "&amp;next=%2F%3Ftab%3Dpeta" in page


def test_not_configured_no_button_and_no_routes(root):
    app = _app(root)
    client = app.server.test_client()
    page = client.get("/masuk").get_data(as_text=True)
    assert 'id="signin-form"' in page and "signin-sso" not in page and "SSO" not in page
    assert client.get("/masuk/sso").status_code == 404
    assert client.get("/masuk/sso/kembali?code=x&state=y").status_code == 404
    reply = client.post("/masuk", data={"name": "analis", "password": PASSWORD, "next": "/"},
                        headers={"Origin": HOST})
    assert reply.status_code == 302 and signed_in(client)  # the password still works


def test_unreachable_provider_is_a_message(root):
    app = _app(root, oidc_issuer=f"http://127.0.0.1:{closed_port()}", oidc_client_id=CLIENT_ID,
               oidc_client_secret=CLIENT_SECRET)
    reply = app.server.test_client().get("/masuk/sso")
    assert reply.status_code == 502
    page = reply.get_data(as_text=True)
    assert "Penyedia identitas tidak dapat dihubungi" in page and "Masuk dengan SSO" in page


def test_half_configuration_stops_the_start(root):
    with pytest.raises(ValueError, match="LOKUS_OIDC_CLIENT_SECRET"):
        _app(root, oidc_issuer="https://sso.example.go.id/realms/pemprov", oidc_client_id=CLIENT_ID)


def closed_port() -> int:
    """A local port nobody listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
