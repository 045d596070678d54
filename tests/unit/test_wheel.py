"""The built wheel works outside the checkout: migrations, Dash assets, catalogue and the
embedded Sumedang data are package data, found through the installed packages.

The wheel is built from the checkout and installed (``--no-deps``) into a fresh virtual
environment in a temporary folder. Its dependencies come from the project's environment
through a ``.pth`` line naming that environment's ``site-packages`` — a plain path line,
so the editable install's finder (itself a ``.pth`` hook there) is *not* run and the
checkout cannot leak in. Every command runs from an empty working directory, and the
test checks that ``geo`` and ``app`` were imported from the new environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

#: Left out of the copy the wheel is built from (never part of the package).
_NOT_SHIPPED = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis",
                "artifacts", "test-artifacts", "var", "tests", "bench")

#: Run inside the new environment: where the code came from, then the app's layout.
APP_CHECK = """
import json, sys
import app, geo, lokus_data
from app import create_app
client = create_app(state_dir="state").server.test_client()
layout = client.get("/_dash-layout")
css = client.get("/assets/lokus.css")
print(json.dumps({"geo": geo.__file__, "app": app.__file__, "data": lokus_data.__file__,
                  "layout": layout.status_code, "layout_bytes": len(layout.data),
                  "css": css.status_code}))
"""


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    run = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, f"{args[:3]} failed:\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}"
    return run


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment with the wheel installed; dependencies from the project's environment."""
    base = tmp_path_factory.mktemp("wheel")
    # built from a copy: an in-tree build would leave build/ and *.egg-info in the checkout
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*_NOT_SHIPPED))
    dist = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist),
          str(source)], cwd=base, env=dict(os.environ))
    wheel = next(dist.glob("lokus-*.whl"))
    env_dir = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], cwd=base, env=dict(os.environ))
    python = env_dir / "bin" / "python"
    purelib = Path(subprocess.check_output([str(python), "-c", "import sysconfig; "
                                            "print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    (purelib / "_project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
         cwd=base, env=dict(os.environ))
    return env_dir


def _env() -> dict[str, str]:
    """The environment without the project's variables (the defaults must work)."""
    skip = ("DATABASE_URL", "LOKUS_", "PYTHONPATH", "VIRTUAL_ENV")
    return {k: v for k, v in os.environ.items() if not k.startswith(skip)}


def test_installed_wheel_checks_scores_and_serves(venv: Path, tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = _env()
    lokus = str(venv / "bin" / "lokus")

    check = _run([lokus, "check", "--json"], cwd=work, env=env)
    doc = json.loads(check.stdout)
    assert (doc["n_polygons"], doc["n_matched"]) == (277, 270)

    score = _run([lokus, "score", "--top", "5", "--draws", "20", "--out", "peringkat.csv"], cwd=work, env=env)
    assert "5 direkomendasikan" in score.stderr
    assert (work / "peringkat.csv").read_text(encoding="utf-8-sig").startswith("kode,")

    served = _run([str(venv / "bin" / "python"), "-c", APP_CHECK], cwd=work, env=env)
    where = json.loads(served.stdout.strip().splitlines()[-1])
    for key in ("geo", "app", "data"):  # really the installed copy, not the checkout
        assert Path(where[key]).resolve().is_relative_to(venv.resolve()), where
    assert where["layout"] == 200 and where["layout_bytes"] > 10_000
    assert where["css"] == 200
    assert (work / "state" / "lokus.db").is_file()  # migrations ran from the package
