"""Benchmark: load + join time, first map payload, and one indicator-change update.

Run: ``.venv/bin/python bench/bench_map.py [--national PATH]``. Prints a table for the
embedded Sumedang data and, when the national file is present (../shared/data/
scale-indonesia-desa), for 83,403 villages joined to a seeded synthetic table.
Figures are measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.io
import pyogrio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from callbacks.map_page import update_indicator  # noqa: E402
from geo.view.registry import Registry  # noqa: E402
from layouts.dataset_view import map_figure  # noqa: E402

NATIONAL = ROOT.parent / "shared" / "data" / "scale-indonesia-desa" / "indonesia_desa_kel_2025_simpl001.gpkg"


def _json_bytes(obj) -> int:
    return len(plotly.io.json.to_json_plotly(obj).encode())


def _update_bytes(outputs) -> int:
    fig_patch, *rest = outputs
    return _json_bytes(fig_patch.to_plotly_json()) + sum(_json_bytes(o) for o in rest)


def synthetic_national(folder: Path, gpkg: Path) -> None:
    """A dataset folder: the national polygons + a seeded synthetic count table (sintetis)."""
    codes = pyogrio.read_dataframe(gpkg, columns=["kode"], read_geometry=False)["kode"]
    rng = np.random.default_rng(2026)
    n = len(codes)
    measured = rng.integers(0, 400, n)
    table = pd.DataFrame({"kode": codes, "tahun": 2025, "balita_diukur": measured,
                          "stunting": rng.binomial(measured, 0.2)})
    table.to_csv(folder / "tabel_sintetis.csv", index=False)
    (folder / "dataset.json").write_text(json.dumps({
        "title": "Indonesia 83.403 desa (tabel sintetis)", "boundaries": str(gpkg),
        "table": "tabel_sintetis.csv", "synthetic": True}))


def measure(label: str, data_dir: Path, dataset_id: str, indicator: str, year: int,
            other: str) -> dict:
    t0 = time.perf_counter()
    registry = Registry(data_dir, default_id=dataset_id)
    dataset = registry.get(dataset_id)
    load_s = time.perf_counter() - t0
    page_ms = None
    if dataset_id == "sumedang":  # the whole first page the app sends
        app = create_app(data_dir=data_dir, database_url="sqlite://")
        first = _json_bytes(app.layout().to_plotly_json())
        builds = []
        for _ in range(5):  # the page is built per request; the map figure is cached
            t0 = time.perf_counter()
            app.layout()
            builds.append(time.perf_counter() - t0)
        page_ms = round(1000 * statistics.median(builds), 1)
    else:  # the figure the app would build for this dataset
        first = _json_bytes(map_figure(dataset, registry.geometry(dataset_id)).to_plotly_json())
    times, size = [], 0
    for i in range(7):
        ind = indicator if i % 2 else other
        t0 = time.perf_counter()
        out = update_indicator(registry, dataset_id, ind, year, "quantiles", 5, None)
        times.append(time.perf_counter() - t0)
        size = _update_bytes(out)
    return {"dataset": label, "villages": len(dataset.villages),
            "load+validate+join+geometry s": round(load_s, 2),
            "first payload MB": round(first / 1e6, 2), "update KB": round(size / 1e3, 1),
            "update/first %": round(100 * size / first, 2),
            "update server ms (median of 7)": round(1000 * statistics.median(times), 1),
            "page build per request ms (median of 5)": page_ms}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--national", default=str(NATIONAL))
    args = parser.parse_args()
    rows = [measure("Sumedang (embedded)", ROOT / "data", "sumedang", "rasio_merah", 2021, "merah")]
    gpkg = Path(args.national)
    if gpkg.exists():
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "nasional"
            folder.mkdir()
            synthetic_national(folder, gpkg)
            rows.append(measure("Indonesia (national, sintetis table)", Path(tmp), "nasional",
                                "prevalensi", 2025, "stunting"))
    else:
        print(f"national file not found ({gpkg}); skipped", file=sys.stderr)
    print(pd.DataFrame(rows).set_index("dataset").T.to_string())


if __name__ == "__main__":
    main()
