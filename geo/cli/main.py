"""The ``lokus`` command line: ``lokus check`` (more subcommands join it over time)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from geo.cli.eppgbm import add_eppgbm
from geo.cli.export import add_export
from geo.cli.importing import add_import, print_quality, write_quality
from geo.cli.score import add_score
from geo.core.errors import InputError
from geo.data.dataset import load_inputs

__all__ = ["main"]


def cmd_check(args: argparse.Namespace) -> int:
    """Print the join report of a boundary file and a table, with its quality log."""
    dataset = load_inputs(args.boundaries, args.table, year=args.year, mapping=args.mapping)
    bf = dataset.boundary_file
    boundary = {
        "repaired_geometries": bf.repaired,
        "reprojected_from": bf.source_crs if bf.reprojected else None,
        "empty_geometries_dropped": bf.empty_dropped,
        "columns": bf.columns,
    }
    if args.json:
        doc = {**dataset.report.to_dict(), "boundaries": boundary,
               "years": dataset.years, "quality_warnings": list(dataset.quality),
               "quality": dataset.quality_log.to_dict()}
        if args.quality_report:
            doc["quality_report"] = str(write_quality(dataset.quality_log, args.quality_report,
                                                      quiet=True))
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        print(f"Laporan penggabungan: {dataset.title}")
        for line in dataset.report.summary_lines():
            print(f"- {line}")
        if bf.repaired:
            print(f"- {bf.repaired} geometri tidak valid diperbaiki")
        print_quality(dataset.quality_log)
        for line in dataset.quality:
            print(f"! {line}")
        write_quality(dataset.quality_log, args.quality_report)
    return 0


def add_check(sub: argparse._SubParsersAction) -> None:
    """``lokus check``: the join report."""
    check = sub.add_parser("check", help="laporan penggabungan batas desa + tabel")
    check.add_argument("--boundaries", help="batas desa (.zip shapefile, .geojson, .gpkg)")
    check.add_argument("--table", help="tabel (.csv, .xlsx) dengan kode desa Kemendagri")
    check.add_argument("--year", type=int, default=None, help="tahun jika tabel tanpa kolom tahun")
    check.add_argument("--mapping", help="JSON: {\"boundary_columns\": {...}, \"table_columns\": {...}} "
                       "untuk menimpa deteksi kolom (peran → nama kolom)")
    check.add_argument("--json", action="store_true", help="cetak satu dokumen JSON (dengan "
                       "'quality': baris/sel yang dikeluarkan per alasan)")
    check.add_argument("--quality-report", metavar="PATH",
                       help="tulis laporan kualitas data lengkap (.csv atau .xlsx): setiap baris "
                       "atau sel yang dikeluarkan, dengan berkas, baris, kolom, nilai, alasan")
    check.set_defaults(func=cmd_check)


#: Each command module adds its own sub-parser (with ``set_defaults(func=...)``).
COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [add_check, add_score, add_eppgbm, add_export,
                                                                add_import]


def build_parser() -> argparse.ArgumentParser:
    """Argument parser with one sub-parser per command."""
    parser = argparse.ArgumentParser(prog="lokus", description="Lokus: desa lokus stunting")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``lokus`` console script; exit 2 with one line on bad input."""
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except InputError as exc:
        print(f"lokus: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"lokus: tidak dapat membaca berkas: {exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
