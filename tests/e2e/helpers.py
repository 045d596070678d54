"""Shared steps of the browser tests: the app's ready signal, waits that tolerate a loaded CI
machine, choosing in a dropdown, reading the plotly map, and screenshots under ``artifacts/``.

Waits have one generous ceiling (``LOKUS_E2E_TIMEOUT``, default 120 s): on a loaded machine a
page may take long to load, and a wait only ends early when its condition is met, so a long
ceiling costs nothing when the app is quick.
"""

from __future__ import annotations

import os
from pathlib import Path

from dash.testing.wait import until

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
#: The one ceiling for every wait (seconds).
TIMEOUT = float(os.environ.get("LOKUS_E2E_TIMEOUT", "120"))
#: A common government laptop; the projector is 1024×768 (``set_size``).
LAPTOP = (1366, 768)
PROJECTOR = (1024, 768)

GD = "document.querySelector('#map-graph .js-plotly-plot')"


def trace(dash_duo, expr: str):
    """Evaluate ``expr`` with ``gd`` = the map's plotly element."""
    return dash_duo.driver.execute_script(f"const gd = {GD}; return {expr};")


def wait_idle(dash_duo) -> None:
    """Until no Dash callback is pending (dash.testing's own check)."""
    until(dash_duo._wait_for_callbacks, timeout=TIMEOUT, poll=0.2)


def wait_ready(dash_duo) -> None:
    """The app's ready signal: ``#app-ready`` says "ready" once the first map update has
    arrived (classes set, legend drawn), then no callback is pending."""
    until(lambda: dash_duo.driver.execute_script(
        "const e = document.getElementById('app-ready'); return e && e.textContent;") == "ready",
        timeout=TIMEOUT, poll=0.2)
    wait_idle(dash_duo)


def choose(dash_duo, dropdown_id: str, text: str) -> None:
    """Open a Dash dropdown and click the option whose text starts with ``text``."""
    dash_duo.find_element(f"#{dropdown_id}").click()
    until(lambda: any(o.text.strip().startswith(text)
                      for o in dash_duo.find_elements(".dash-dropdown-option")), timeout=TIMEOUT)
    options = dash_duo.find_elements(".dash-dropdown-option")
    next(o for o in options if o.text.strip().startswith(text)).click()


def set_size(dash_duo, size: tuple[int, int]) -> None:
    """Resize the browser window so that the page (viewport) is ``size`` pixels."""
    driver = dash_duo.driver
    width, height = size
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight];")
    outer = driver.get_window_size()
    driver.set_window_size(width + outer["width"] - inner[0], height + outer["height"] - inner[1])


def screenshot(dash_duo, name: str) -> Path:
    """Save the viewport as ``artifacts/<name>.png`` (named in the README) and return it."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    dash_duo.driver.save_screenshot(str(path))
    return path


def sign_in(dash_duo, name: str, password: str, path: str = "/") -> None:
    """Open ``path``, which shows the sign-in form, sign in, and wait for the dashboard."""
    driver = dash_duo.driver
    driver.get(dash_duo.server.url.rstrip("/") + path)
    until(lambda: driver.find_elements("css selector", "#signin-form"), timeout=TIMEOUT)
    driver.find_element("css selector", "#signin-name").send_keys(name)
    driver.find_element("css selector", "#signin-password").send_keys(password)
    driver.find_element("css selector", "#signin-submit").click()
    wait_ready(dash_duo)


def sign_out(dash_duo) -> None:
    """Sign out through the navbar (a script click: the profile panel may lie over the link)."""
    dash_duo.driver.execute_script("arguments[0].click()", dash_duo.find_element("#navbar-signout"))
    until(lambda: dash_duo.driver.find_elements("css selector", "#signin-form"), timeout=TIMEOUT)
