"""``lokus import``: save files as a named dataset, non-interactively (same rules as the app).

Besides the join report it prints how many rows of each file were used and why the others
were left out, writes every name pair that needs a look to a CSV (``--review-out``) and,
on request, the full *laporan kualitas data* (``--quality-report``).
"""

from __future__ import annotations

import argparse
import getpass
import json
from pathlib import Path
from typing import Any

import pandas as pd

from geo.cli.common import common_options, print_quality, quality_path, say, write_quality
from geo.cli.eppgbm import default_boundaries
from geo.core.i18n import t
from geo.core.messages import render_all
from geo.core.settings import Settings
from geo.data.library import (
    delete_dataset,
    district_crosswalk,
    name_review,
    save_dataset,
    user_datasets_dir,
)
from geo.data.loading import MANIFEST, load_folder, load_mapping
from geo.data.model import Dataset
from geo.export.safe import safe_frame
from geo.io.matching import NameMatch
from geo.store.scenarios import Store

__all__ = ["REVIEW_FILE", "add_import", "cmd_import", "write_review"]

#: Name of the review list written into the saved dataset's folder when ``--review-out``
#: is not given.
REVIEW_FILE = "tinjau_pencocokan_nama.csv"
_REVIEW_SHOWN = 20


def write_review(match: NameMatch, path: Path) -> Path:
    """Every pair that needs a look (:meth:`NameMatch.review_frame`: fuzzy first, then
    unmatched) as UTF-8 CSV, safe to open in a spreadsheet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    safe_frame(match.review_frame().astype(object).where(lambda f: f.notna(), "")).to_csv(
        path, index=False, encoding="utf-8-sig")
    return path


def _save(args: argparse.Namespace, settings: Settings, mapping: dict[str, Any],
          boundaries: Path, crosswalk: Path | None) -> str:
    """Save the files as a dataset and record it in the store: both, or neither."""
    root = user_datasets_dir(settings.state_dir)
    embedded = {p.parent.name for p in settings.data_dir.glob(f"*/{MANIFEST}")}
    dataset_id = save_dataset(
        root, args.name, title=args.title or args.name, crosswalk=crosswalk, boundaries=boundaries,
        table=Path(args.table) if args.table else None,
        eppgbm=Path(args.eppgbm) if args.eppgbm else None,
        coverage=[Path(args.coverage)] if args.coverage else (),
        boundary_columns=mapping.get("boundary_columns") or None,
        table_columns=mapping.get("table_columns") or None,
        data_dir=settings.data_dir, reserved=sorted(embedded), max_unzipped_mb=settings.max_unzipped_mb)
    files = (("boundaries", boundaries), ("table", args.table), ("eppgbm", args.eppgbm),
             ("coverage", args.coverage))
    with Store(settings.database_url, data_dir=settings.state_dir) as store:
        store.upgrade()
        try:
            store.record_dataset(dataset_id, args.title or args.name, author=args.author, detail={
                "berkas": {k: Path(v).name for k, v in files if v}, "via": "lokus import"},
                folder=root / dataset_id)  # its files too: every server unpacks them
        except Exception:  # the folder and its row come together, or neither
            delete_dataset(root, dataset_id)
            raise
    return dataset_id


def _name_match(args: argparse.Namespace, dataset: Dataset, root: Path, mapping: dict[str, Any],
                boundaries: Path, crosswalk: Path | None, max_unzipped_mb: float) -> NameMatch | None:
    if not args.eppgbm:
        return dataset.name_match
    # the saved table carries codes: the names were matched while aggregating
    found = name_review(root, boundaries=boundaries, eppgbm=Path(args.eppgbm),
                        boundary_columns=mapping.get("boundary_columns") or None, crosswalk=crosswalk,
                        max_unzipped_mb=max_unzipped_mb)
    return found[0] if found else None


def _print_review(review: pd.DataFrame | None, path: Path | None, matched: bool, lang: str) -> None:
    if review is None or not len(review):
        if matched:
            print(t("table.cli.review_none", lang))
        return
    fuzzy = int((review["status"] == "fuzzy").sum())
    print(t("table.cli.review", lang, n=len(review), fuzzy=fuzzy, unmatched=len(review) - fuzzy, path=path))
    if len(review) > _REVIEW_SHOWN:
        print(t("table.cli.review_shown", lang, shown=_REVIEW_SHOWN))
    for r in review.head(_REVIEW_SHOWN).itertuples(index=False):
        pair = t("cli.import.review_pair", lang, kecamatan=r.kecamatan, desa=r.desa, status=r.status,
                 score=f"{r.score:.0f}")
        print(pair + (f" → {r.nama} ({r.kode})" if isinstance(r.kode, str) else ""))
    print("  " + t("table.cli.review_fix", lang))


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Validate, save, and print the join report of the saved dataset."""
    lang = settings.lang
    mapping = load_mapping(Path(args.mapping)) if args.mapping else {}
    root = user_datasets_dir(settings.state_dir)
    boundaries = Path(args.boundaries) if args.boundaries else default_boundaries(settings.data_dir)
    crosswalk = Path(args.crosswalk) if args.crosswalk else None
    if crosswalk is None and boundaries.is_file():
        # the name-matching decisions saved in the app for this district, when there are any
        crosswalk = district_crosswalk(settings.state_dir / "crosswalks", boundaries,
                                       boundary_columns=mapping.get("boundary_columns") or None,
                                       max_unzipped_mb=settings.max_unzipped_mb)
    dataset_id = _save(args, settings, mapping, boundaries, crosswalk)
    dataset = load_folder(root / dataset_id, data_dir=settings.data_dir,
                          max_unzipped_mb=settings.max_unzipped_mb)
    match = _name_match(args, dataset, root, mapping, boundaries, crosswalk, settings.max_unzipped_mb)
    review = match.review_table() if match is not None else None
    review_path = None
    if match is not None and review is not None and len(review):
        review_path = write_review(match, Path(args.review_out) if args.review_out
                                   else root / dataset_id / REVIEW_FILE)
    if args.quality_report:
        quality_path(args.quality_report)
    if args.json:
        n_fuzzy = 0 if review is None else int((review["status"] == "fuzzy").sum())
        doc = {"dataset": dataset_id, "title": dataset.title, "villages": len(dataset.villages),
               "years": dataset.years, **dataset.report.to_dict(),
               "quality_warnings": render_all(dataset.warnings, lang),
               "quality": dataset.quality_log.to_dict(),
               "review": {"n": 0 if review is None else len(review), "n_fuzzy": n_fuzzy,
                          "path": str(review_path) if review_path else None}}
        if args.quality_report:
            doc["quality_report"] = str(write_quality(dataset.quality_log, args.quality_report,
                                                      quiet=True, lang=lang))
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    say("cli.import.saved", lang, id=dataset_id, title=dataset.title, n=len(dataset.villages),
        years=", ".join(map(str, dataset.years)))
    for line in render_all(dataset.report.summary(), lang):
        print(f"- {line}")
    print_quality(dataset.quality_log, lang)
    for line in render_all(dataset.warnings, lang):
        print(f"! {line}")
    _print_review(review, review_path, match is not None, lang)
    write_quality(dataset.quality_log, args.quality_report, lang=lang)
    return 0


def add_import(sub: argparse._SubParsersAction, lang: str) -> None:
    """``lokus import --name NAME [--boundaries PATH] (--table PATH | --eppgbm PATH) ...``."""
    def h(key: str, **values: object) -> str:
        return t(f"cli.import.opt.{key}", lang, **values)

    cmd = sub.add_parser("import", help=t("cli.import.help", lang),
                         description=t("cli.import.help", lang), parents=[common_options(lang)])
    cmd.add_argument("--name", required=True, help=h("name"))
    cmd.add_argument("--title", help=h("title"))
    cmd.add_argument("--boundaries", help=h("boundaries"))
    source = cmd.add_mutually_exclusive_group(required=True)
    source.add_argument("--table", help=h("table"))
    source.add_argument("--eppgbm", help=h("eppgbm"))
    cmd.add_argument("--crosswalk", help=h("crosswalk"))
    cmd.add_argument("--coverage", help=t("cli.opt.coverage", lang))
    cmd.add_argument("--mapping", help=t("cli.opt.mapping", lang))
    cmd.add_argument("--author", default=getpass.getuser(), help=h("author"))
    cmd.add_argument("--review-out", metavar="PATH", help=h("review_out", file=REVIEW_FILE))
    cmd.add_argument("--quality-report", metavar="PATH", help=t("cli.opt.quality_report", lang))
    cmd.add_argument("--json", action="store_true", help=h("json"))
    cmd.set_defaults(func=cmd_import)
