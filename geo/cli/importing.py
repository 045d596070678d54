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

from geo.cli.eppgbm import default_boundaries
from geo.core.errors import InputError
from geo.core.i18n import t
from geo.core.quality import QualityLog
from geo.data.dataset import MANIFEST, embedded_data_dir, load_folder, load_mapping
from geo.data.library import (
    delete_dataset,
    district_crosswalk,
    name_review,
    save_dataset,
    user_datasets_dir,
)
from geo.export.quality import write_quality_report
from geo.export.safe import safe_frame
from geo.io.matching import NameMatch
from geo.store.repository import Store

__all__ = ["REVIEW_FILE", "add_import", "cmd_import", "print_quality", "write_quality",
           "write_review"]

#: Name of the review list written into the saved dataset's folder when ``--review-out``
#: is not given.
REVIEW_FILE = "tinjau_pencocokan_nama.csv"
_REVIEW_SHOWN = 20


def print_quality(log: QualityLog, lang: str = "id") -> None:
    """The quality log as text: rows used of read per file, then the counts by reason."""
    for line in log.summary_lines(lang):
        print(f"- {line}")


def _quality_path(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError("laporan kualitas data harus berakhiran .csv atau .xlsx", file=path.name)
    return path


def write_quality(log: QualityLog, path: str | Path | None, *, quiet: bool = False) -> Path | None:
    """Write the full *laporan kualitas data* (.csv or .xlsx) when a path is given."""
    if not path:
        return None
    written = write_quality_report(log, _quality_path(path))
    if not quiet:
        print(t("table.cli.quality_written", n=len(log), path=written))
    return written


def write_review(match: NameMatch, path: Path) -> Path:
    """Every pair that needs a look (:meth:`NameMatch.review_frame`: fuzzy first, then
    unmatched) as UTF-8 CSV, safe to open in a spreadsheet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    safe_frame(match.review_frame().astype(object).where(lambda f: f.notna(), "")).to_csv(
        path, index=False, encoding="utf-8-sig")
    return path


def cmd_import(args: argparse.Namespace) -> int:
    """Validate, save, and print the join report of the saved dataset."""
    mapping = load_mapping(Path(args.mapping)) if args.mapping else {}
    data_dir = embedded_data_dir()
    root = user_datasets_dir(args.state_dir)
    embedded = {p.parent.name for p in data_dir.glob(f"*/{MANIFEST}")}
    boundaries = Path(args.boundaries) if args.boundaries else default_boundaries()
    crosswalk = Path(args.crosswalk) if args.crosswalk else None
    if crosswalk is None and boundaries.is_file():
        # the name-matching decisions saved in the app for this district, when there are any
        crosswalk = district_crosswalk(root.parent / "crosswalks", boundaries,
                                       boundary_columns=mapping.get("boundary_columns") or None)
    dataset_id = save_dataset(
        root, args.name, title=args.title or args.name, crosswalk=crosswalk,
        boundaries=boundaries,
        table=Path(args.table) if args.table else None,
        eppgbm=Path(args.eppgbm) if args.eppgbm else None,
        coverage=[Path(args.coverage)] if args.coverage else (),
        boundary_columns=mapping.get("boundary_columns") or None,
        table_columns=mapping.get("table_columns") or None,
        data_dir=data_dir, reserved=sorted(embedded))
    with Store(data_dir=root.parent) as store:  # DATABASE_URL, else <state-dir>/lokus.db
        store.upgrade()
        try:
            store.record_dataset(dataset_id, args.title or args.name, author=args.author, detail={
                "berkas": {k: Path(v).name for k, v in (("boundaries", boundaries), ("table", args.table),
                                                        ("eppgbm", args.eppgbm),
                                                        ("coverage", args.coverage)) if v},
                "via": "lokus import"})
        except Exception:  # the folder and its row come together, or neither
            delete_dataset(root, dataset_id)
            raise
    dataset = load_folder(root / dataset_id, data_dir=data_dir)
    match = dataset.name_match
    if args.eppgbm:  # the saved table carries codes: the names were matched while aggregating
        found = name_review(root, boundaries=boundaries, eppgbm=Path(args.eppgbm),
                            boundary_columns=mapping.get("boundary_columns") or None,
                            crosswalk=crosswalk)
        match = found[0] if found else None
    review = match.review_table() if match is not None else None
    review_path = None
    if review is not None and len(review):
        review_path = write_review(match, Path(args.review_out) if args.review_out
                                   else root / dataset_id / REVIEW_FILE)
    if args.quality_report:
        _quality_path(args.quality_report)
    if args.json:
        doc = {"dataset": dataset_id, "title": dataset.title, "villages": len(dataset.villages),
               "years": dataset.years, **dataset.report.to_dict(),
               "quality_warnings": list(dataset.quality),
               "quality": dataset.quality_log.to_dict(),
               "review": {"n": 0 if review is None else len(review),
                          "n_fuzzy": 0 if review is None else int((review["status"] == "fuzzy").sum()),
                          "path": str(review_path) if review_path else None}}
        if args.quality_report:
            doc["quality_report"] = str(write_quality(dataset.quality_log, args.quality_report,
                                                      quiet=True))
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    print(f"Dataset '{dataset_id}' tersimpan: {dataset.title} ({len(dataset.villages)} desa, "
          f"tahun {', '.join(map(str, dataset.years))})")
    for line in dataset.report.summary_lines():
        print(f"- {line}")
    print_quality(dataset.quality_log)
    for line in dataset.quality:
        print(f"! {line}")
    if review is not None and len(review):
        fuzzy = int((review["status"] == "fuzzy").sum())
        print(t("table.cli.review", n=len(review), fuzzy=fuzzy, unmatched=len(review) - fuzzy,
                path=review_path))
        if len(review) > _REVIEW_SHOWN:
            print(t("table.cli.review_shown", shown=_REVIEW_SHOWN))
        for r in review.head(_REVIEW_SHOWN).itertuples(index=False):
            print(f"? Kec. {r.kecamatan} · {r.desa}: {r.status} (skor {r.score:.0f})"
                  + (f" → {r.nama} ({r.kode})" if isinstance(r.kode, str) else ""))
        print("  " + t("table.cli.review_fix"))
    elif match is not None:
        print(t("table.cli.review_none"))
    write_quality(dataset.quality_log, args.quality_report)
    return 0


def add_import(sub: argparse._SubParsersAction) -> None:
    """``lokus import --name NAME [--boundaries PATH] (--table PATH | --eppgbm PATH) ...``."""
    cmd = sub.add_parser("import", help="simpan batas desa + tabel sebagai dataset bernama")
    cmd.add_argument("--name", required=True, help="nama dataset (menjadi id folder)")
    cmd.add_argument("--title", help="judul yang ditampilkan (bawaan: nama)")
    cmd.add_argument("--boundaries", help="batas desa (.zip shapefile, .geojson, .gpkg); "
                     "bawaan: batas Sumedang tertanam")
    source = cmd.add_mutually_exclusive_group(required=True)
    source.add_argument("--table", help="tabel desa (.csv, .xlsx): kode Kemendagri, atau kode BPS/"
                        "nama desa (dicocokkan lewat nama dalam kecamatan)")
    source.add_argument("--eppgbm", help="ekspor e-PPGBM (.csv, .xlsx): diagregasi per desa "
                        "dan tahun lewat pencocokan nama")
    cmd.add_argument("--crosswalk", help="keputusan pencocokan nama (.csv) untuk --eppgbm atau "
                     "tabel tanpa kode Kemendagri; bawaan: "
                     "yang tersimpan untuk kabupaten ini di <state-dir>/crosswalks")
    cmd.add_argument("--coverage", help="tabel cakupan intervensi (.csv, .xlsx), opsional")
    cmd.add_argument("--mapping", help="JSON: {\"boundary_columns\": {...}, \"table_columns\": {...}}")
    cmd.add_argument("--author", default=getpass.getuser(),
                     help="nama yang dicatat bersama dataset (bawaan: pengguna sistem)")
    cmd.add_argument("--state-dir", help="folder kerja (bawaan: LOKUS_STATE_DIR atau var/); "
                     "dataset disimpan di <state-dir>/datasets")
    cmd.add_argument("--review-out", metavar="PATH",
                     help="CSV berisi SEMUA pasangan nama yang perlu diperiksa (yang mirip dan "
                     f"diterima dulu, lalu yang tidak cocok); bawaan: {REVIEW_FILE} di folder "
                     "dataset yang disimpan (<state-dir>/datasets/<nama>/). Kolom kecamatan, "
                     "desa, kode: koreksi lalu pakai sebagai --crosswalk")
    cmd.add_argument("--quality-report", metavar="PATH",
                     help="tulis laporan kualitas data lengkap (.csv atau .xlsx): setiap baris "
                     "atau sel yang dikeluarkan, dengan berkas, baris, kolom, nilai, alasan")
    cmd.add_argument("--json", action="store_true",
                     help="cetak satu dokumen JSON (laporan penggabungan, 'quality', 'review')")
    cmd.set_defaults(func=cmd_import)
