"""``lokus eppgbm``: e-PPGBM child records -> per-village stunting prevalence CSV.

Bad rows never sink the run: they are left out of the numbers and listed in the *laporan
kualitas data* written beside the table (``<out>_kualitas.csv``), with the
measurement-quality panel per village (``<out>_mutu_pengukuran.csv``) and per posyandu
(``<out>_mutu_posyandu.csv``).  Exit 2 only when the file is unusable as a whole.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from geo.core.errors import InputError
from geo.core.i18n import t
from geo.data.dataset import embedded_data_dir
from geo.io.eppgbm import aggregate, match_villages, period_label, read_eppgbm, write_outputs
from geo.io.matching import load_crosswalk
from geo.io.readers import read_boundaries

__all__ = ["JSON_ISSUE_LIMIT", "add_eppgbm", "cmd_eppgbm", "default_boundaries"]

#: Issues listed row by row in ``--json`` (all of them are in the CSV report).
JSON_ISSUE_LIMIT = 1000


def default_boundaries() -> Path:
    """The embedded Sumedang village boundaries."""

    return embedded_data_dir() / "sumedang" / "sumedang_desa_kel_2025.geojson"


def cmd_eppgbm(args: argparse.Namespace) -> int:
    """Read, compute, aggregate, write the table, quality report and panels; print the report."""
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
    paths = write_outputs(result, args.out)
    if args.json:
        doc = {**result.report.to_dict(), "match": match.to_dict(), "out": paths["table"].name,
               "files": {key: path.name for key, path in paths.items()},
               "quality": result.quality.to_dict(limit=JSON_ISSUE_LIMIT)}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        print(t("eppgbm.cli.table", period=period_label(args.period), n=len(result.villages),
                file=paths["table"].name))
        print(t("eppgbm.cli.files", quality=paths["kualitas"].name, villages=paths["mutu_desa"].name,
                posyandu=paths["mutu_posyandu"].name))
        for line in result.report.summary_lines():
            print(f"- {line}")
        for line in match.summary_lines():
            print(f"- {line}")
    return 0


def add_eppgbm(sub: argparse._SubParsersAction) -> None:
    """``lokus eppgbm FILE [--boundaries PATH] [--crosswalk PATH] [--period ...] --out CSV [--json]``."""
    cmd = sub.add_parser("eppgbm", help="prevalensi stunting per desa dari ekspor e-PPGBM")
    cmd.add_argument("file", metavar="FILE", help="ekspor e-PPGBM (.csv, .xlsx)")
    cmd.add_argument("--boundaries", help="batas desa (.geojson, .gpkg, .zip); bawaan: Sumedang")
    cmd.add_argument("--crosswalk", help="keputusan pencocokan nama tersimpan (.csv)")
    cmd.add_argument("--period", choices=("year", "month", "all"), default="year",
                     help="satu pengukuran terakhir per anak per tahun (bawaan), per bulan (angka bulanan: "
                          "jangan dijumlahkan antar bulan), atau seluruh periode")
    cmd.add_argument("--out", required=True,
                     help="CSV keluaran, mis. village_prevalence.csv; di sampingnya ditulis "
                          "*_kualitas.csv, *_mutu_pengukuran.csv, *_mutu_posyandu.csv")
    cmd.add_argument("--json", action="store_true", help="cetak laporan sebagai JSON")
    cmd.set_defaults(func=cmd_eppgbm)
