"""``lokus check``: the join report of a boundary file and a table, with its quality log."""

from __future__ import annotations

import argparse
import json

from geo.cli.common import common_options, print_quality, say, write_quality
from geo.core.i18n import t
from geo.core.messages import render_all
from geo.core.settings import Settings
from geo.data.loading import load_inputs

__all__ = ["add_check", "cmd_check"]


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """Print the join report (or one JSON document with ``--json``)."""
    lang = settings.lang
    dataset = load_inputs(args.boundaries, args.table, year=args.year, mapping=args.mapping,
                          data_dir=settings.data_dir, max_unzipped_mb=settings.max_unzipped_mb)
    bf = dataset.boundary_file
    if args.json:
        boundary = {"repaired_geometries": bf.repaired,
                    "reprojected_from": bf.source_crs if bf.reprojected else None,
                    "empty_geometries_dropped": bf.empty_dropped, "columns": bf.columns}
        doc = {**dataset.report.to_dict(), "boundaries": boundary,
               "years": dataset.years, "quality_warnings": render_all(dataset.warnings, lang),
               "quality": dataset.quality_log.to_dict()}
        if args.quality_report:
            doc["quality_report"] = str(write_quality(dataset.quality_log, args.quality_report,
                                                      quiet=True, lang=lang))
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    say("cli.check.title", lang, title=dataset.title)
    for line in render_all(dataset.report.summary(), lang):
        print(f"- {line}")
    if bf.repaired:
        print("- " + t("cli.check.repaired", lang, n=bf.repaired))
    print_quality(dataset.quality_log, lang)
    for line in render_all(dataset.warnings, lang):
        print(f"! {line}")
    write_quality(dataset.quality_log, args.quality_report, lang=lang)
    return 0


def add_check(sub: argparse._SubParsersAction, lang: str) -> None:
    """``lokus check [--boundaries PATH] [--table PATH] [--year N] [--mapping JSON] [--json]``."""
    p = sub.add_parser("check", help=t("cli.check.help", lang),
                       description=t("cli.check.help", lang), parents=[common_options(lang)])
    p.add_argument("--boundaries", help=t("cli.opt.boundaries", lang))
    p.add_argument("--table", help=t("cli.check.opt.table", lang))
    p.add_argument("--year", type=int, default=None, help=t("cli.check.opt.year", lang))
    p.add_argument("--mapping", help=t("cli.opt.mapping", lang))
    p.add_argument("--json", action="store_true", help=t("cli.check.opt.json", lang))
    p.add_argument("--quality-report", metavar="PATH", help=t("cli.opt.quality_report", lang))
    p.set_defaults(func=cmd_check)
