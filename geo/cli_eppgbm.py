"""``lokus eppgbm``: e-PPGBM child records -> per-village stunting prevalence CSV."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from geo.dataset import embedded_data_dir
from geo.eppgbm import aggregate, match_villages, read_eppgbm, write_safe_csv
from geo.errors import InputError
from geo.matching import load_crosswalk
from geo.readers import read_boundaries

__all__ = ["add_eppgbm", "cmd_eppgbm", "default_boundaries"]


def default_boundaries() -> Path:
    """The embedded Sumedang village boundaries."""

    return embedded_data_dir() / "sumedang" / "sumedang_desa_kel_2025.geojson"


def cmd_eppgbm(args: argparse.Namespace) -> int:
    """Read, compute, aggregate, write the village table, print the report."""
    source = Path(args.file)
    if not source.is_file():
        raise InputError("berkas tidak ditemukan.", file=source.name)
    boundaries = Path(args.boundaries) if args.boundaries else default_boundaries()
    if not boundaries.is_file():
        raise InputError("berkas tidak ditemukan.", file=boundaries.name)
    records = read_eppgbm(source)
    crosswalk = load_crosswalk(args.crosswalk) if args.crosswalk else None
    gdf = read_boundaries(boundaries).gdf
    match = match_villages(records, gdf, crosswalk=crosswalk)
    result = aggregate(records, period=args.period, match=match)
    out = write_safe_csv(result.villages, args.out)
    if args.json:
        doc = {**result.report.to_dict(), "match": match.to_dict(), "out": out.name}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        print(f"Prevalensi stunting per desa dari e-PPGBM: {len(result.villages)} baris -> {out.name}")
        for line in result.report.summary_lines():
            print(f"- {line}")
        for line in match.summary_lines():
            print(f"- {line}")
    return 0


def add_eppgbm(sub: argparse._SubParsersAction) -> None:
    """``lokus eppgbm FILE [--boundaries PATH] [--crosswalk PATH] [--period ...] --out CSV``."""
    cmd = sub.add_parser("eppgbm", help="prevalensi stunting per desa dari ekspor e-PPGBM")
    cmd.add_argument("file", metavar="FILE", help="ekspor e-PPGBM (.csv, .xlsx)")
    cmd.add_argument("--boundaries", help="batas desa (.geojson, .gpkg, .zip); bawaan: Sumedang")
    cmd.add_argument("--crosswalk", help="keputusan pencocokan nama tersimpan (.csv)")
    cmd.add_argument("--period", choices=("month", "year", "all"), default="month",
                     help="satu pengukuran per anak per bulan (bawaan), tahun, atau seluruh periode")
    cmd.add_argument("--out", required=True, help="CSV keluaran, mis. village_prevalence.csv")
    cmd.add_argument("--json", action="store_true", help="cetak laporan sebagai JSON")
    cmd.set_defaults(func=cmd_eppgbm)
