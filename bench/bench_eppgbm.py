"""Benchmark: e-PPGBM read + HAZ + name match + aggregate for a large synthetic export.

Run: ``.venv/bin/python bench/bench_eppgbm.py [--n 500000] [--repeat 3]``.  Writes a seeded
synthetic export (Sumedang village names, dd/mm/yyyy, decimal commas, duplicates,
implausible heights) to a temporary CSV, then times each step.  Target: under 15 s in
total for 500,000 records on 2 cores.  Figures are printed, never asserted in tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.io.boundaries import read_boundaries  # noqa: E402
from geo.io.eppgbm import read_eppgbm  # noqa: E402
from geo.io.eppgbm_aggregate import aggregate, compute_haz, match_villages  # noqa: E402
from geo.io.eppgbm_synthetic import synthetic_export  # noqa: E402

SUMEDANG = ROOT / "data" / "sumedang"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    table = pd.read_csv(SUMEDANG / "sumedang_stunting_posyandu_2019_2021.csv", dtype=str)
    villages = table.drop_duplicates(["nama_kec", "nama_desa"])[["nama_kec", "nama_desa"]]
    boundaries = read_boundaries(SUMEDANG / "sumedang_desa_kel_2025.geojson").gdf
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "eppgbm_synthetic.csv"
        t0 = time.perf_counter()
        synthetic_export(args.n, seed=2024, villages=villages).to_csv(path, sep=";", index=False)
        print(f"generated {args.n:,} records ({path.stat().st_size / 1e6:.0f} MB) "
              f"in {time.perf_counter() - t0:.1f} s")
        steps: dict[str, list[float]] = {"read": [], "haz": [], "match": [], "aggregate": [], "total": []}
        for _ in range(args.repeat):
            t = time.perf_counter()
            records = read_eppgbm(path, today=date(2025, 12, 31))
            t_read = time.perf_counter()
            compute_haz(records)  # timed alone; aggregate computes it again
            t_haz = time.perf_counter()
            match = match_villages(records, boundaries)
            t_match = time.perf_counter()
            result = aggregate(records, match=match)  # default period: year
            t_agg = time.perf_counter()
            steps["read"].append(t_read - t)
            steps["haz"].append(t_haz - t_read)
            steps["match"].append(t_match - t_haz)
            steps["aggregate"].append(t_agg - t_match)
            steps["total"].append(t_agg - t - (t_haz - t_read))  # read + match + aggregate (incl. HAZ)
    print(f"{'step':<10} {'median s':>9} {'min s':>7}")
    for name, values in steps.items():
        print(f"{name:<10} {statistics.median(values):>9.2f} {min(values):>7.2f}")
    rep = result.report
    print(f"villages x years: {len(result.villages):,}; used {rep.n_used:,}; "
          f"superseded {rep.n_superseded:,}; excluded {rep.n_excluded}; "
          f"posyandu rows {len(result.mutu_posyandu):,}; quality issues {len(result.quality):,}")
    target = statistics.median(steps["total"])
    print(f"total {target:.2f} s for {args.n:,} records ({'OK' if target < 15 else 'OVER'} vs 15 s target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
