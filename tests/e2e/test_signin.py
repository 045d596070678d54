"""Sign-in in a real browser (issue 12): an anonymous visitor of a server that requires sign-in
gets only the sign-in page; an analis signs in, sees the dashboard with its name in the
navbar, under the Content-Security-Policy without a violation; signing out returns to the
sign-in page."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from app import create_app
from geo.store.accounts import AccountStore
from geo.store.scenarios import Store
from tests.e2e.helpers import TIMEOUT, screenshot, wait_ready

pytestmark = pytest.mark.e2e

PASSWORD = "kata-sandi-panjang"


def csp_errors(dash_duo) -> list[str]:
    return [entry["message"] for entry in dash_duo.get_logs() or []
            if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]]


def on_signin_page(dash_duo) -> bool:
    return bool(dash_duo.driver.find_elements("css selector", "#signin-form"))


def test_sign_in_dashboard_and_sign_out(dash_duo, tmp_path):
    url = f"sqlite:///{tmp_path}/e2e.db"
    app = create_app(database_url=url, state_dir=tmp_path, auth="required")
    store = Store(url, data_dir=tmp_path)
    AccountStore(store.engine).add("budi", role="analis", area="32.11", password=PASSWORD,
                                   display_name="Budi Perencana")
    store.close()
    dash_duo.start_server(app, navigate=False)
    driver = dash_duo.driver

    # anonymous: the sign-in page only, never the app
    driver.get(dash_duo.server.url.rstrip("/") + "/?tab=skoring")
    until(lambda: on_signin_page(dash_duo), timeout=TIMEOUT)
    assert "/masuk" in driver.current_url and not driver.find_elements("css selector", "#react-entry-point")
    assert driver.execute_script("return document.documentElement.lang") == "id"
    screenshot(dash_duo, "signin_page")

    # a wrong password: the page again with the reason
    driver.find_element("css selector", "#signin-name").send_keys("budi")
    driver.find_element("css selector", "#signin-password").send_keys("salah-salah-salah")
    driver.find_element("css selector", "#signin-submit").click()
    until(lambda: driver.find_elements("css selector", "#signin-notice"), timeout=TIMEOUT)
    assert "salah" in driver.find_element("css selector", "#signin-notice").text

    # the analis signs in and lands where it wanted to go
    driver.find_element("css selector", "#signin-password").send_keys(PASSWORD)
    driver.find_element("css selector", "#signin-submit").click()
    wait_ready(dash_duo)
    assert "tab=skoring" in driver.current_url
    name = dash_duo.find_element("#navbar-account-name").text
    assert "Budi Perencana" in name and "analis" in name
    dash_duo.wait_for_element("#score-grid .ag-row", timeout=TIMEOUT)  # ag-grid formatters ran
    assert csp_errors(dash_duo) == []
    screenshot(dash_duo, "signin_dashboard")

    # sign out: back to the sign-in page, and the app stays closed
    dash_duo.find_element("#navbar-signout").click()
    until(lambda: on_signin_page(dash_duo), timeout=TIMEOUT)
    assert "keluar" in driver.find_element("css selector", "#signin-notice").text.lower()
    driver.get(dash_duo.server.url.rstrip("/") + "/")
    until(lambda: on_signin_page(dash_duo), timeout=TIMEOUT)


def test_local_mode_says_so_and_keeps_the_csp(dash_duo, tmp_path):
    dash_duo.start_server(create_app(database_url=f"sqlite:///{tmp_path}/e2e.db", state_dir=tmp_path))
    wait_ready(dash_duo)
    assert "Pengguna lokal" in dash_duo.find_element("#navbar-account").text
    assert not dash_duo.driver.find_elements("css selector", "#navbar-signout")
    assert csp_errors(dash_duo) == []
