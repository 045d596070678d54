"""Browser tests: Debian chromium + chromium-driver, headless (scripts/test.sh passes --headless)."""

from __future__ import annotations

import logging
import shutil

import pytest

pytest.importorskip("selenium", reason="dash[testing] (selenium) is not installed")
if shutil.which("chromedriver") is None:
    pytest.skip("no chromedriver on PATH: apt-get install chromium chromium-driver",
                allow_module_level=True)


def pytest_setup_options():
    """Chromium flags for a closed network, no display, and a window of a 1366×768 laptop
    (the page is a little smaller: the browser's frame; ``helpers.set_size`` sets the page)."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for flag in ("--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--window-size=1366,768", "--lang=id"):
        options.add_argument(flag)
    return options


@pytest.fixture(autouse=True)
def settle(dash_duo, caplog):
    """After each test, wait until no callback is running, so the server is not stopped in
    the middle of a request (which raises in its threads). Depending on ``dash_duo`` makes
    this teardown run before the server's. Before the test: the page is 1366×768. After it: no
    callback raised on the server (its traceback is the failure's message)."""
    from tests.e2e.helpers import LAPTOP, set_size

    # one line per request would bury a server traceback in a failed test's captured log
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    set_size(dash_duo, LAPTOP)
    yield
    from dash.testing.wait import until

    from tests.e2e.helpers import TIMEOUT

    until(dash_duo._wait_for_callbacks, timeout=TIMEOUT, poll=0.2)  # dash.testing's own check
    # a callback that raised shows the generic message and logs (callbacks/errors.py): a bug
    from callbacks.errors import RAISED

    raised = [r for r in caplog.get_records("call") if r.getMessage().startswith(RAISED)]
    assert not raised, "\n\n".join(
        logging.Formatter().format(r) for r in raised)  # the server's tracebacks
