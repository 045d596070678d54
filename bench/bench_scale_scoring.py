"""Benchmark: scoring with 1,000 stability draws and LISA for the 5,957 villages of West Java.

Run: ``.venv/bin/python bench/bench_scale_scoring.py [--repeat 3] [--province 32]``.  Cuts the
province out of the national boundary file (../shared/data/scale-indonesia-desa), joins a
seeded synthetic (SINTETIS) count table built by :func:`bench.bench_map.synthetic_national`,
and times :func:`geo.scoring.pipeline.run_scoring` without and with stability (1,000 draws)
and LISA (999 permutations).  Target (issue 13): ≤ 5 s for the whole run.  Figures are
printed, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyogrio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_map import NATIONAL, synthetic_national  # noqa: E402
from geo.scoring.config import ScoringConfig  # noqa: E402
from geo.scoring.pipeline import run_scoring  # noqa: E402
from geo.view.registry import Registry  # noqa: E402

TARGET_S = 5.0


def province_file(gpkg: Path, province: str, folder: Path) -> Path:
    """The villages of one province (``kode`` starting with ``"<province>."``) as a GeoPackage."""
    gdf = pyogrio.read_dataframe(gpkg, where=f"kode LIKE '{int(province):02d}.%'")
    out = folder / f"desa_{province}.gpkg"
    pyogrio.write_dataframe(gdf, out, layer="desa")
    return out


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``fn()`` (CPU time is what the run would take on an idle
    machine, roughly: the 2 cores here are shared) and its last result."""
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--province", default="32")
    parser.add_argument("--national", default=str(NATIONAL))
    args = parser.parse_args()
    gpkg = Path(args.national)
    if not gpkg.exists():
        print(f"national file not found ({gpkg}); skipped", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "provinsi"
        folder.mkdir()
        t0 = time.perf_counter()
        synthetic_national(folder, province_file(gpkg, args.province, folder))
        dataset = Registry(Path(tmp), default_id="provinsi").get("provinsi")
        print(f"dataset: {len(dataset.villages):,} villages (province {args.province}, table SINTETIS), "
              f"built in {time.perf_counter() - t0:.1f} s")
        config = ScoringConfig(year=2025, indicators=("prevalensi", "stunting"),
                               weights={"prevalensi": 2, "stunting": 1}, top_n=300, draws=1000)
        run_scoring(dataset, config, stability=False, hotspots=False)  # warm-up (caches, imports)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print("| Langkah | Median wall s | Median CPU s |")
        print("|---|---|---|")
        total = 0.0
        for label, kw in (("skor + peringkat + seleksi", {"stability": False, "hotspots": False}),
                          ("+ LISA (999 permutasi)", {"stability": False, "hotspots": True}),
                          ("+ stabilitas 1.000 simulasi", {"stability": True, "hotspots": False}),
                          ("+ stabilitas 1.000 + LISA", {"stability": True, "hotspots": True})):
            seconds, cpu, result = timed(lambda kw=kw: run_scoring(dataset, config, **kw), args.repeat)
            print(f"| {label} | {seconds:.2f} | {cpu:.2f} |")
            total = seconds
        chosen = len(result.selection.chosen)  # type: ignore[attr-defined]
        print(f"{len(dataset.villages):,} villages, {chosen} chosen: {total:.2f} s "
              f"({'OK' if total <= TARGET_S else 'OVER'} vs {TARGET_S:.0f} s target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
