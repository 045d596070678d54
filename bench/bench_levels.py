"""Benchmark: drill-down geometry (dissolve + coverage simplify) and its payload per level.

Run: ``.venv/bin/python bench/bench_levels.py [--no-national]``. For the embedded Sumedang
villages, West Java (province 32, 5,957 villages) and the whole country (83,403 villages)
from ``../shared/data/scale-indonesia-desa``, prints the time to build the hierarchy and the
polygons of all four levels, peak memory, and per level the number of areas, coordinates,
the serialised size (compact JSON, bytes) and its gzip size. The largest view of each level
(the areas inside the biggest parent, as :func:`geo.view.levels.view_geometry` sends it) is
printed too: that is what one drill-down step moves. Figures are measured, never asserted.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import sys
import time
from pathlib import Path

import geopandas as gpd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.data.areas import LEVELS, build_hierarchy  # noqa: E402
from geo.view.levels import AreaView, levels_payload, prepare_levels, view_geometry  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
NATIONAL = SHARED / "scale-indonesia-desa" / "indonesia_desa_kel_2025_simpl001.gpkg"
SUMEDANG = ROOT / "data" / "sumedang" / "sumedang_desa_kel_2025.geojson"


def _sizes(obj: object) -> tuple[int, int]:
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return len(raw), len(gzip.compress(raw, compresslevel=6))


def _largest_view(hierarchy, levels, level) -> tuple[str, int, int]:
    """The view of ``level`` inside the parent area holding most of its areas."""
    i = LEVELS.index(level)
    parents = [""] if i == 0 else [a.code for a in hierarchy.at(LEVELS[i - 1])]
    best = max(parents, key=lambda p: len(hierarchy.at(level, p)))
    geom = view_geometry(levels, AreaView(level, best))
    raw, gz = _sizes({"geojson": geom.geojson, "lon": geom.outline_lon, "lat": geom.outline_lat})
    return best or "(all)", raw, gz


def run(name: str, villages: gpd.GeoDataFrame) -> None:
    start = time.perf_counter()
    hierarchy = build_hierarchy(villages)
    mid = time.perf_counter()
    levels = prepare_levels(villages, hierarchy)
    end = time.perf_counter()
    payload = levels_payload(levels)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n## {name}: {len(villages):,} villages, opens at {hierarchy.opening_level}; "
          f"hierarchy {mid - start:.2f} s, dissolve+simplify {end - mid:.1f} s, peak RSS {rss:,.0f} MB")
    print("| level | areas | coords | JSON bytes | gzip bytes | largest view (inside) | view gzip |")
    print("|---|---:|---:|---:|---:|---|---:|")
    for level in LEVELS:
        geoms = [shapely.geometry.shape(f["geometry"]) for f in payload[level]["geojson"]["features"]]
        coords = int(shapely.get_num_coordinates(geoms).sum())
        raw, gz = _sizes(payload[level])
        inside, _, view_gz = _largest_view(hierarchy, levels, level)
        print(f"| {level} | {len(levels[level].codes):,} | {coords:,} | {raw:,} | {gz:,} "
              f"| {inside} | {view_gz:,} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-national", action="store_true", help="skip the 83,403-village file")
    args = parser.parse_args()
    run("Kabupaten Sumedang", gpd.read_file(SUMEDANG))
    if not NATIONAL.exists():
        print(f"\n{NATIONAL} absent: West Java and national skipped")
        return
    run("Jawa Barat (32)", gpd.read_file(NATIONAL, where="kode_prov = '32'"))
    if not args.no_national:
        national = gpd.read_file(NATIONAL)
        run("Indonesia", national.loc[national.geometry.notna()].reset_index(drop=True))


if __name__ == "__main__":
    main()
