"""Benchmark: Aksi 1 scoring (run_scoring) with and without the 1,000-draw stability run.

Run: ``.venv/bin/python bench/bench_scoring.py [--repeat 5]``. Prints median wall times
for the embedded Sumedang data (277 villages) and for a seeded synthetic 300-village
district (15 × 20 grid, 12 kecamatan, counts and coverage drawn from fixed seeds).
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.data.loading import load_dataset, load_folder  # noqa: E402
from geo.data.model import CoverageSpec, Dataset  # noqa: E402
from geo.scoring.config import ScoringConfig  # noqa: E402
from geo.scoring.pipeline import run_scoring  # noqa: E402
from geo.scoring.presets import preset_config  # noqa: E402


def synthetic_district(folder: Path, n_rows: int = 15, n_cols: int = 20, seed: int = 7) -> Dataset:
    """A seeded 300-village district: square polygons, posyandu counts 2020–2021, coverage 2021."""
    rng = np.random.default_rng(seed)
    features, codes = [], []
    for i in range(n_rows * n_cols):
        r, c = divmod(i, n_cols)
        kec = 1 + (c // 5) + 4 * (r // 5)  # 12 kecamatan of 5 × 5 villages
        code = f"32.99.{kec:02d}.{2001 + i:04d}"
        codes.append(code)
        x0, y0 = 107.0 + 0.01 * c, -7.0 + 0.01 * r
        ring = [[x0, y0], [x0 + 0.01, y0], [x0 + 0.01, y0 + 0.01], [x0, y0 + 0.01], [x0, y0]]
        features.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                         "properties": {"kode": code, "nama": f"Desa {i}", "kode_kec": code[:8],
                                        "nama_kec": f"Kec {kec}"}})
    (folder / "b.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    m = len(codes)
    risk = rng.beta(2, 30, size=m)
    rows = []
    for year in (2020, 2021):
        n = rng.integers(3, 250, size=m)
        red = rng.binomial(n, risk)
        preg = rng.integers(2, 40, size=m)
        rows.append(pd.DataFrame({"kode": codes, "tahun": year, "merah": red, "hijau": n - red,
                                  "ibu_hamil": preg, "ibu_hamil_kek": rng.binomial(preg, 0.12)}))
    pd.concat(rows).to_csv(folder / "t.csv", index=False)
    cov = pd.DataFrame({"kode": codes, "tahun": 2021})
    for cid in ("sp_mpasi", "sp_pantau_tumbuh", "se_sanitasi", "sc_timbang_bulanan"):
        cov[cid] = np.round(rng.uniform(40, 98, size=m), 1)
    cov.to_csv(folder / "c.csv", index=False)
    return load_dataset(folder / "b.geojson", folder / "t.csv", dataset_id="bench", title="bench",
                        coverage=(CoverageSpec(folder / "c.csv", synthetic=True),))


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench(name: str, dataset: Dataset, config: ScoringConfig, repeat: int) -> None:
    run_scoring(dataset, config, stability=False, hotspots=False)  # warm-up
    cases = [
        ("skor + peringkat + seleksi", {"stability": False, "hotspots": False}),
        ("+ stabilitas 1.000 simulasi", {"stability": True, "hotspots": False}),
        ("+ stabilitas + LISA (999 permutasi)", {"stability": True, "hotspots": True}),
    ]
    for label, kw in cases:
        t = timed(lambda kw=kw: run_scoring(dataset, config, **kw), repeat)
        print(f"| {name} | {len(dataset.villages)} | {', '.join(config.indicators)} | {label} | {t:.3f} s |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| Data | Desa | Kriteria | Langkah | Median |")
    print("|---|---|---|---|---|")
    sumedang = load_folder(ROOT / "data" / "sumedang", data_dir=ROOT / "data")
    bench("Sumedang", sumedang, preset_config(sumedang, "perpres72_spesifik", draws=1000, top_n=20),
          args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        ds = synthetic_district(Path(tmp))
        config = ScoringConfig(year=2021, indicators=("rasio_merah", "merah", "rasio_kek", "sp_mpasi",
                                                      "se_sanitasi", "rasio_merah__delta"),
                               weights={"rasio_merah": 3, "merah": 2, "rasio_kek": 1, "sp_mpasi": 1,
                                        "se_sanitasi": 1, "rasio_merah__delta": 1},
                               top_n=30, max_per_kecamatan=4, draws=1000)
        bench("Sintetis 300", ds, config, args.repeat)


if __name__ == "__main__":
    main()
