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

from geo.cli.common import common_options, existing_file
from geo.core.i18n import t
from geo.core.settings import Settings
from geo.data.model import DEFAULT_DATASET
from geo.export.eppgbm import write_outputs
from geo.io.boundaries import read_boundaries
from geo.io.crosswalk import load_crosswalk
from geo.io.eppgbm import read_eppgbm
from geo.io.eppgbm_aggregate import aggregate, match_villages
from geo.io.eppgbm_result import period_label

__all__ = ["JSON_ISSUE_LIMIT", "add_eppgbm", "cmd_eppgbm", "default_boundaries"]

#: Issues listed row by row in ``--json`` (all of them are in the CSV report).
JSON_ISSUE_LIMIT = 1000

def default_boundaries(data_dir: Path) -> Path:
    """The village boundaries of the embedded default dataset (Sumedang) under ``data_dir``."""
    return data_dir / DEFAULT_DATASET / "sumedang_desa_kel_2025.geojson"

def cmd_eppgbm(args: argparse.Namespace, settings: Settings) -> int:
    """Read, compute, aggregate, write the table, quality report and panels; print the report."""
    lang = settings.lang
    source = existing_file(args.file)
    boundaries = existing_file(args.boundaries or default_boundaries(settings.data_dir))
    records = read_eppgbm(source)
    crosswalk = load_crosswalk(args.crosswalk) if args.crosswalk else None
    gdf = read_boundaries(boundaries, max_unzipped_mb=settings.max_unzipped_mb).gdf
    match = match_villages(records, gdf, crosswalk=crosswalk)
    result = aggregate(records, period=args.period, match=match)
    paths = write_outputs(result, args.out)
    if args.json:
        doc = {**result.report.to_dict(), "match": match.to_dict(), "out": paths["table"].name,
               "files": {key: path.name for key, path in paths.items()},
               "quality": result.quality.to_dict(limit=JSON_ISSUE_LIMIT)}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        print(t("eppgbm.cli.table", lang, period=period_label(args.period, lang), n=len(result.villages),
                file=paths["table"].name))
        print(t("eppgbm.cli.files", lang, quality=paths["kualitas"].name, villages=paths["mutu_desa"].name,
                posyandu=paths["mutu_posyandu"].name))
        for line in result.report.summary_lines(lang):
            print(f"- {line}")
        for line in match.summary_lines(lang):
            print(f"- {line}")
    return 0

def add_eppgbm(sub: argparse._SubParsersAction, lang: str) -> None:
    """``lokus eppgbm FILE [--boundaries PATH] [--crosswalk PATH] [--period ...] --out CSV [--json]``."""
    def h(key: str) -> str:
        return t(f"cli.eppgbm.opt.{key}", lang)

    cmd = sub.add_parser("eppgbm", help=t("cli.eppgbm.help", lang),
                         description=t("cli.eppgbm.help", lang), parents=[common_options(lang)])
    cmd.add_argument("file", metavar="FILE", help=h("file"))
    cmd.add_argument("--boundaries", help=h("boundaries"))
    cmd.add_argument("--crosswalk", help=h("crosswalk"))
    cmd.add_argument("--period", choices=("year", "month", "all"), default="year", help=h("period"))
    cmd.add_argument("--out", required=True, help=h("out"))
    cmd.add_argument("--json", action="store_true", help=h("json"))
    cmd.set_defaults(func=cmd_eppgbm)
