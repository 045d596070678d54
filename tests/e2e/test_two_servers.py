"""Deployment test (issue 13): two app processes (gunicorn, one worker each) on two ports, each
with its own state folder, sharing one database — PostgreSQL when DATABASE_URL points to one
(``scripts/with_postgres.sh``), else one SQLite file. A dataset uploaded through server A is
listed, shown and scored through server B; deleted on B, it is gone from A after a reload."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from dash.testing.wait import until
from sqlalchemy import func, select

from geo.store.engine import make_engine
from geo.store.schema import dataset_content_table
from tests import conftest_db
from tests.conftest_db import DATABASE_URL, is_postgresql
from tests.e2e.helpers import ROOT, TIMEOUT
from tests.e2e.test_map_page import trace, wait_for_map
from tests.e2e.test_scoring_page import grid_values, pick
from tests.e2e.test_upload_page import _accept_alert, click, open_tab, upload_wado

pytestmark = pytest.mark.e2e
pg_database = conftest_db.pg_database  # a fresh PostgreSQL database (when DATABASE_URL is one)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, state_dir: Path, database_url: str, log: Path) -> subprocess.Popen:
    """``gunicorn -w 1 app:server`` as a deployment runs it (settings from the environment)."""
    env = {**os.environ, "DATABASE_URL": database_url, "LOKUS_STATE_DIR": str(state_dir),
           "HOST": "127.0.0.1", "LOKUS_SECRET_KEY": "dua-server-satu-kunci"}  # shared, as deployed
    with log.open("wb") as out:  # the child keeps its own handle
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
             "--timeout", "300", "app:server"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def wait_serving(proc: subprocess.Popen, url: str, log: Path) -> None:
    """Until the server answers its first page (it loads the embedded data first)."""
    def answers() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"server exited ({proc.returncode}):\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
                return response.status == 200
        except OSError:
            return False

    until(answers, timeout=TIMEOUT, poll=0.5)


def stop(proc: subprocess.Popen) -> None:
    """Stop a server this test started (its own process group: gunicorn and its worker)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh PostgreSQL database when DATABASE_URL points to one, else a shared SQLite file."""
    if is_postgresql(DATABASE_URL):
        return request.getfixturevalue("pg_database").render_as_string(hide_password=False)
    return f"sqlite:///{tmp_path}/shared.db"


def open_page(dash_duo, url: str) -> None:
    dash_duo.driver.get(url)
    wait_for_map(dash_duo)


def picker_labels(dash_duo) -> list[str]:
    """Labels of the dataset picker's options (opened, read, closed)."""
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()",
                                   dash_duo.find_element("#dataset-picker"))
    until(lambda: dash_duo.find_elements(".dash-dropdown-option"), timeout=TIMEOUT)
    labels = [o.text.strip() for o in dash_duo.find_elements(".dash-dropdown-option")]
    dash_duo.driver.execute_script("document.activeElement && document.activeElement.blur();")
    dash_duo.find_element("body").send_keys("\ue00c")  # Escape: close the list
    return labels


def test_e2e1301_dataset_saved_on_one_server_is_shown_scored_and_deleted_on_another(
        dash_duo, tmp_path, database_url):
    state_a, state_b = tmp_path / "server-a", tmp_path / "server-b"
    port_a, port_b = free_port(), free_port()
    url_a, url_b = f"http://127.0.0.1:{port_a}/", f"http://127.0.0.1:{port_b}/"
    log_a, log_b = tmp_path / "a.log", tmp_path / "b.log"
    servers = []
    try:
        servers.append(start_server(port_a, state_a, database_url, log_a))
        servers.append(start_server(port_b, state_b, database_url, log_b))
        wait_serving(servers[0], url_a, log_a)
        wait_serving(servers[1], url_b, log_b)

        # A: upload through the wizard; the files go to the shared database with the record
        open_page(dash_duo, url_a)
        upload_wado(dash_duo, tmp_path / "in")
        engine = make_engine(database_url)
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(dataset_content_table)).scalar_one() == 1
        assert not (state_b / "datasets" / "wado-uji").exists()  # B's disk never got the upload

        # B: listed in the picker, its map shows the 10 villages of Wado, and scoring works
        open_page(dash_duo, url_b)
        assert any(label.startswith("Wado uji") for label in picker_labels(dash_duo))
        pick(dash_duo, dash_duo.find_element("#dataset-picker"), "Wado uji")
        until(lambda: trace(dash_duo, "gd.data[0].locations.length") == 10, timeout=TIMEOUT)
        until(lambda: max(trace(dash_duo, "gd.data[0].z")) >= 1, timeout=TIMEOUT)
        assert all(code.startswith("32.11.01.") for code in trace(dash_duo, "gd.data[0].locations"))
        dash_duo.wait_for_contains_text("#dataset-title", "Wado uji", timeout=TIMEOUT)
        assert (state_b / "datasets" / "wado-uji" / "dataset.json").is_file()  # unpacked from the DB
        open_tab(dash_duo, "Skoring lokus")
        until(lambda: len(grid_values(dash_duo, "score-grid", "kode")) == 10, timeout=TIMEOUT)
        scored = set(grid_values(dash_duo, "score-grid", "kode"))
        assert scored == set(trace(dash_duo, "gd.data[0].locations"))

        # B: delete it; A no longer lists it after a reload (its next sync drops its copy)
        open_tab(dash_duo, "Unggah data")
        click(dash_duo, "#dataset-delete button")
        until(lambda: _accept_alert(dash_duo), timeout=TIMEOUT)
        dash_duo.wait_for_contains_text("#dataset-status", "dihapus", timeout=TIMEOUT)
        until(lambda: trace(dash_duo, "gd.data[0].locations.length") == 277, timeout=TIMEOUT)

        def gone_from_a() -> bool:
            open_page(dash_duo, url_a)
            return not any(label.startswith("Wado uji") for label in picker_labels(dash_duo))

        until(gone_from_a, timeout=TIMEOUT, poll=2.5)  # a reload after A's sync interval (2 s)
        until(lambda: not (state_a / "datasets" / "wado-uji").exists(), timeout=TIMEOUT)
        engine.dispose()
        assert dash_duo.get_logs() == []
    finally:
        for proc in servers:
            stop(proc)
