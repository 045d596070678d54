"""Benchmark: each export of the default Sumedang recommendation (277 villages, top 20).

Run: ``.venv/bin/python bench/bench_exports.py [--repeat 5]``. Scoring (preset
``prevalensi_kasus``, 1,000 stability draws) runs once and is timed separately; each
format is then timed through :func:`geo.export.export` (context + file bytes), the
static map on its own too. Prints a Markdown table of median wall times and sizes.
Figures are measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.data.loading import load_folder  # noqa: E402
from geo.export import FORMATS, export, export_context, render_lokus_map  # noqa: E402
from geo.scoring.pipeline import run_scoring  # noqa: E402
from geo.scoring.presets import preset_config  # noqa: E402

PLAN = [{"kode": "32.11.13.2001", "nama": "Cigendel", "kecamatan": "Pamulihan", "kegiatan": "Kelas ibu hamil",
         "opd": "Dinas Kesehatan", "volume": 4, "satuan": "kelas", "anggaran": 12_500_000}]


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    start = time.perf_counter()
    dataset = load_folder(ROOT / "data" / "sumedang", data_dir=ROOT / "data")
    load = time.perf_counter() - start
    start = time.perf_counter()
    result = run_scoring(dataset, preset_config(dataset, "prevalensi_kasus"))
    scoring = time.perf_counter() - start
    export("pdf", result, dataset)  # warm-up: imports, font registration
    print("| Langkah | Median | Ukuran |")
    print("|---|---|---|")
    print(f"| muat data (sekali) | {load:.3f} s | |")
    print(f"| skor + stabilitas 1.000 + LISA (sekali) | {scoring:.3f} s | |")
    ctx = export_context(result, dataset)
    t, png = timed(lambda: render_lokus_map(ctx), args.repeat)
    print(f"| peta statis PNG 200 dpi | {t:.3f} s | {len(png) / 1024:,.0f} KB |")  # type: ignore[arg-type]
    for fmt in FORMATS:
        t, out = timed(lambda fmt=fmt: export(fmt, result, dataset, plan=PLAN), args.repeat)
        print(f"| {fmt} | {t:.3f} s | {len(out[0]) / 1024:,.0f} KB |")  # type: ignore[index]


if __name__ == "__main__":
    main()
