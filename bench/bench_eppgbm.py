"""Benchmark: e-PPGBM read (in chunks) + name match + aggregate, wall time and peak memory.

Run: ``.venv/bin/python bench/bench_eppgbm.py [--csv-n 5000000] [--xlsx-n 500000]``.

Writes seeded synthetic exports (SINTETIS: NIKs starting with 99, names "ANAK SINTETIS …";
West Java village names from the national boundary file when it is present, else
Sumedang's) once into a cache folder (``--cache``, default ``$TMPDIR/lokus-bench-eppgbm``;
writing a large XLSX takes minutes), then runs each case in a fresh child process that reports
its own wall time and peak resident memory (``VmHWM``, imports included):

* ``csv``: :func:`geo.io.eppgbm.read_eppgbm` (CSV in chunks) -> ``match_villages`` -> ``aggregate``;
* ``xlsx``: the same for the XLSX (python-calamine, in chunks);
* ``xlsx-openpyxl``: the XLSX read whole by :func:`geo.io.tables.read_table` (openpyxl), the
  reader used before, for comparison (reading only);
* ``baseline``: the imports alone.

Figures are printed, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.io.eppgbm import read_eppgbm  # noqa: E402
from geo.io.eppgbm_aggregate import aggregate, match_villages  # noqa: E402
from geo.io.eppgbm_synthetic import synthetic_export  # noqa: E402

SUMEDANG = ROOT / "data" / "sumedang"
NATIONAL = ROOT.parent / "shared" / "data" / "scale-indonesia-desa" / "indonesia_desa_kel_2025_simpl001.gpkg"
BLOCK = 250_000  # records generated at a time
TODAY = date(2025, 12, 31)


def villages() -> pd.DataFrame:
    """``kode``, ``nama``, ``nama_kec`` of West Java (5,957 villages) or, without the national
    file, of Sumedang (277)."""
    if NATIONAL.exists():
        import pyogrio

        return pyogrio.read_dataframe(NATIONAL, columns=["kode", "nama", "nama_kec"], read_geometry=False,
                                      where="kode LIKE '32.%'")
    from geo.io.boundaries import read_boundaries

    gdf = read_boundaries(SUMEDANG / "sumedang_desa_kel_2025.geojson").gdf
    return pd.DataFrame(gdf.drop(columns="geometry"))


def _blocks(n: int, names: pd.DataFrame):
    """The synthetic export in seeded blocks (children numbered apart across blocks)."""
    pairs = names.rename(columns={"nama": "nama_desa"})[["nama_kec", "nama_desa"]]
    for i, start in enumerate(range(0, n, BLOCK)):
        size = min(BLOCK, n - start)
        yield synthetic_export(size, seed=2024 + i, villages=pairs, first_child=start)


def write_csv(path: Path, n: int, names: pd.DataFrame) -> None:
    part = path.with_suffix(".part")
    for i, frame in enumerate(_blocks(n, names)):
        frame.to_csv(part, sep=";", index=False, header=i == 0, mode="w" if i == 0 else "a")
    part.rename(path)


def write_xlsx(path: Path, n: int, names: pd.DataFrame) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("e-PPGBM SINTETIS")
    for i, frame in enumerate(_blocks(n, names)):
        if i == 0:
            sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append(list(row))
    part = path.with_suffix(".part")
    book.save(part)
    part.rename(path)


def cached(folder: Path, kind: str, n: int, names: pd.DataFrame) -> Path:
    path = folder / f"eppgbm_sintetis_{n}.{kind}"
    if not path.exists():
        t0 = time.perf_counter()
        (write_csv if kind == "csv" else write_xlsx)(path, n, names)
        print(f"wrote {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.0f} s",
              flush=True)
    return path


def peak_rss_mb() -> int:
    """This process's peak resident memory (VmHWM: unlike ``getrusage``'s max RSS it starts
    afresh at exec, not at the parent's high-water mark)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def child(case: str, path: str) -> None:
    """Run one case in this (fresh) process; print its figures as JSON."""
    t0 = time.perf_counter()
    out: dict[str, object] = {"case": case}
    if case == "xlsx-openpyxl":
        from geo.io.tables import read_table

        out["rows"] = len(read_table(path))
    elif case != "baseline":
        records = read_eppgbm(path, today=TODAY)
        t_read = time.perf_counter()
        match = match_villages(records, villages())
        result = aggregate(records, match=match)
        rep = result.report
        out.update(rows=rep.n_read, read_s=round(t_read - t0, 1), used=rep.n_used,
                   superseded=rep.n_superseded, excluded=sum(rep.n_excluded.values()),
                   village_years=len(result.villages), issues=len(result.quality))
    out["seconds"] = round(time.perf_counter() - t0, 1)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_s"] = round(usage.ru_utime + usage.ru_stime, 1)
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


def run(case: str, path: Path | str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", case, str(path)], capture_output=True,
                          text=True, check=False, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if done.returncode:
        return {"case": case, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-n", type=int, default=5_000_000)
    parser.add_argument("--xlsx-n", type=int, default=500_000)
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "lokus-bench-eppgbm"))
    parser.add_argument("--skip-openpyxl", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    folder = Path(args.cache)
    folder.mkdir(parents=True, exist_ok=True)
    names = villages()
    print(f"{len(names):,} villages; cache {folder}; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores", flush=True)
    cases = [("baseline", "-")]
    if args.csv_n:
        cases.append(("csv", cached(folder, "csv", args.csv_n, names)))
    if args.xlsx_n:
        xlsx = cached(folder, "xlsx", args.xlsx_n, names)
        cases += [("xlsx", xlsx)] + ([] if args.skip_openpyxl else [("xlsx-openpyxl", xlsx)])
    rows = []
    for case, path in cases:
        rows.append(run(case, path))
        print(json.dumps(rows[-1]), flush=True)
    print(pd.DataFrame(rows).set_index("case").to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
