"""Single sign-on in a real browser (issue 12): the sign-in page offers "Masuk dengan SSO Pemprov";
the browser goes to a real (minimal) OpenID provider on a local port and back, and the existing
local account is signed in with its name in the navbar, under the Content-Security-Policy; a name
the provider knows but Lokus does not gets the sign-in page with a message naming it."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from app import create_app
from geo.store.accounts import AccountStore
from geo.store.scenarios import Store
from tests.e2e.helpers import TIMEOUT, screenshot, wait_ready
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, serve

pytestmark = pytest.mark.e2e


def on_signin_page(dash_duo) -> bool:
    return bool(dash_duo.driver.find_elements("css selector", "#signin-form"))


def test_sign_in_through_the_identity_provider(dash_duo, tmp_path):
    url = f"sqlite:///{tmp_path}/e2e.db"
    with serve() as provider:
        app = create_app(database_url=url, state_dir=tmp_path, auth="required", oidc_issuer=provider.issuer,
                         oidc_client_id=CLIENT_ID, oidc_client_secret=CLIENT_SECRET, oidc_name="SSO Pemprov")
        store = Store(url, data_dir=tmp_path)
        AccountStore(store.engine).add("budi", role="analis", area="32.11", password="kata-sandi-panjang",
                                       display_name="Budi Perencana")
        store.close()
        dash_duo.start_server(app, navigate=False)
        driver = dash_duo.driver

        # a name the provider vouches for but Lokus does not know: refused, named
        provider.user = "tamu"
        driver.get(dash_duo.server.url.rstrip("/") + "/?tab=skoring")
        until(lambda: on_signin_page(dash_duo), timeout=TIMEOUT)
        button = driver.find_element("css selector", "#signin-sso")
        assert button.text == "Masuk dengan SSO Pemprov"
        button.click()
        until(lambda: driver.find_elements("css selector", "#signin-notice"), timeout=TIMEOUT)
        assert 'Akun "tamu" belum terdaftar' in driver.find_element("css selector", "#signin-notice").text
        screenshot(dash_duo, "sso_refused")

        # the existing account: signed in, back where it wanted to go
        provider.user = "budi"
        driver.get(dash_duo.server.url.rstrip("/") + "/?tab=skoring")
        until(lambda: on_signin_page(dash_duo), timeout=TIMEOUT)
        driver.find_element("css selector", "#signin-sso").click()
        wait_ready(dash_duo)
        assert "tab=skoring" in driver.current_url
        name = dash_duo.find_element("#navbar-account-name").text
        assert "Budi Perencana" in name and "analis" in name
        assert provider.authorizations[-1]["code_challenge_method"] == "S256"
        assert [e["message"] for e in dash_duo.get_logs() or [] if "Content Security Policy" in e["message"]
                or "Refused to" in e["message"]] == []
        screenshot(dash_duo, "sso_dashboard")
