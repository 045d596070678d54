"""``lokus import``: save files as a named dataset, non-interactively (same rules as the app)."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from geo.cli_eppgbm import default_boundaries
from geo.dataset import MANIFEST, embedded_data_dir, load_folder, load_mapping
from geo.datasets import delete_dataset, district_crosswalk, save_dataset, user_datasets_dir
from geo.store import Store

__all__ = ["add_import", "cmd_import"]


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
    print(f"Dataset '{dataset_id}' tersimpan: {dataset.title} ({len(dataset.villages)} desa, "
          f"tahun {', '.join(map(str, dataset.years))})")
    for line in dataset.report.summary_lines():
        print(f"- {line}")
    for line in dataset.quality:
        print(f"! {line}")
    if dataset.name_match is not None:
        review = dataset.name_match.review_table()
        for r in review.head(20).itertuples(index=False):
            print(f"? Kec. {r.kecamatan} · {r.desa}: {r.status} (skor {r.score:.0f})"
                  + (f" → {r.nama} ({r.kode})" if isinstance(r.kode, str) else ""))
        if len(review):
            print("  Periksa pasangan di atas; koreksi lewat --crosswalk (kolom kecamatan, desa, "
                  "kode) atau di tab Unggah data.")
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
    cmd.set_defaults(func=cmd_import)
