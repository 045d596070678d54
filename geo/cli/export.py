"""``lokus export``: the lokus decision to CSV, XLSX, GeoPackage, GeoJSON, Shapefile, PDF or JSON.

Without ``--scenario`` it exports the default recommendation for the embedded data
(preset ``prevalensi_kasus``, latest year, top 20). ``--scenario FILE.json`` reloads a
``lokus-scenario`` document (:mod:`geo.export.scenario`): its dataset, its config
(re-scored, so the ranking is the same), its chosen list with reasons and its plan.
``--scenario NAME`` reads a saved scenario (with its plan) from ``geo.store.repository.Store``
(``DATABASE_URL``, else ``<data>/lokus.db``), found by name in any dataset (case and
spacing ignored) or by numeric id; reading never creates a database, and an install
without the store exits 2 ("belum tersedia"). ``--plan`` replaces the scenario's plan.

``--format`` may be left out when ``--out`` ends in a known extension (``.zip`` =
Shapefile). ``--out`` may be a folder: the sanitised default file name is used.
``--lang en`` writes the headers, titles, texts and file name in English (default
``id``, Bahasa Indonesia). Every problem (unknown format, unreadable scenario,
unwritable output) is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from geo.core.errors import InputError
from geo.core.i18n import DEFAULT_LANG, LANGS
from geo.data.dataset import DEFAULT_DATASET, Dataset, default_state_dir, embedded_data_dir
from geo.data.library import user_datasets_dir
from geo.export import EXTENSIONS, FORMATS, export, read_scenario_json
from geo.export.common import PLAN_COLUMNS
from geo.io.readers import read_table, to_number
from geo.scoring.pipeline import ScoringResult, preset_config, run_scoring
from geo.view.registry import Registry

__all__ = ["DEFAULT_PRESET", "add_export", "cmd_export"]

#: Preset of the default recommendation (as ``lokus score`` and the app start page).
DEFAULT_PRESET = "prevalensi_kasus"
_SUFFIX_FORMAT = {".csv": "csv", ".xlsx": "xlsx", ".gpkg": "gpkg", ".geojson": "geojson", ".zip": "shp",
                  ".shp": "shp", ".pdf": "pdf", ".json": "json"}
_NUMERIC_PLAN = ("value", "target", "gap", "volume", "anggaran")


def _dataset(dataset_id: str) -> Dataset:
    """The embedded or saved dataset ``dataset_id`` (the same lookup as the app)."""
    # the id comes from a user file: never let it walk out of the data directories
    if not re.fullmatch(r"[A-Za-z0-9_-]+", dataset_id):
        raise InputError(f"dataset '{dataset_id}' tidak valid")
    return _registry().get(dataset_id)


@lru_cache(maxsize=1)
def _registry() -> Registry:
    return Registry(embedded_data_dir(), extra_roots=[user_datasets_dir(default_state_dir())])


def _format(args: argparse.Namespace, out: Path) -> str:
    if args.fmt:
        fmt = args.fmt.strip().lower()
        if fmt not in FORMATS:
            raise InputError(f"--format '{args.fmt}' tidak dikenal; pilih salah satu: {', '.join(FORMATS)}")
        return fmt
    fmt = _SUFFIX_FORMAT.get(out.suffix.lower(), "")
    if not fmt:
        raise InputError(f"--format tidak diberikan dan tidak dapat ditebak dari --out; pilih salah satu: "
                         f"{', '.join(FORMATS)}")
    return fmt


def _check_out(out: Path) -> None:
    """Fail before any work when the output folder is missing (one clear line)."""
    folder = out if out.is_dir() else out.parent
    if not folder.is_dir():
        raise InputError("folder keluaran tidak ada", file=folder.name or str(folder))


def _plan(path: str | None) -> pd.DataFrame | None:
    """Aksi 2 plan rows from a CSV/XLSX with the plan columns (``kode`` stays text)."""
    if not path:
        return None
    file = Path(path)
    if not file.is_file():
        raise InputError("berkas rencana kegiatan tidak ditemukan", file=file.name)
    table = read_table(file).drop(columns="_row")
    table.columns = [str(c).strip().lower() for c in table.columns]
    if "kegiatan" not in table:
        raise InputError("berkas rencana kegiatan tanpa kolom 'kegiatan'", file=file.name,
                         rows=[", ".join(PLAN_COLUMNS)])
    for col in _NUMERIC_PLAN:
        if col in table:
            table[col] = to_number(table[col], file=file.name, column=col)
    return table.astype({c: object for c in table.columns if c not in _NUMERIC_PLAN})


def _scenario(ref: str) -> tuple[Dataset, ScoringResult, dict[str, Any]]:
    """``(dataset, ScoringResult, export options)`` of a scenario file or saved scenario."""
    path = Path(ref)
    if ref.lower().endswith(".json") or path.is_file():
        doc = read_scenario_json(path)
        dataset = _dataset(doc.dataset_id)
        result = run_scoring(dataset, doc.config)
        if not doc.chosen:
            print("! skenario tanpa desa terpilih: rekomendasi bawaan skenario dipakai", file=sys.stderr)
        return dataset, result, {"chosen": doc.chosen or None, "name": doc.name, "author": doc.author,
                                 "notes": doc.notes, "plan": list(doc.plan) or None}
    return _stored(ref)


def _name_key(name: str) -> str:
    # the store's uniqueness key: case and repeated spaces do not count
    return " ".join(name.casefold().split())


def _stored(ref: str) -> tuple[Dataset, ScoringResult, dict[str, Any]]:
    """A scenario saved in the store, found by name (any dataset) or by numeric id."""
    try:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import SQLAlchemyError

        from geo.store.repository import Store, default_url
    except ImportError:
        raise InputError("--scenario NAMA (skenario tersimpan) belum tersedia di instalasi ini; "
                         "pakai --scenario FILE.json") from None

    state_dir = default_state_dir()
    url = make_url(default_url(state_dir))
    # reading must not create an empty SQLite file as a side effect
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).is_file():
        raise InputError("belum ada skenario tersimpan (basis data skenario belum dibuat)")
    store = Store(data_dir=state_dir)
    try:
        if store.current_revision() is None:
            raise InputError("belum ada skenario tersimpan (basis data skenario belum disiapkan)")
        ids = _registry().ids()
        hits = [s for ds_id in ids for s in store.find(ds_id) if _name_key(s.name) == _name_key(ref)]
        if len(hits) > 1:
            raise InputError(f"nama skenario '{ref}' ada di beberapa dataset; pakai id atau FILE.json",
                             rows=[f"{h.dataset_id} (id {h.id})" for h in hits])
        if hits:
            scenario_id = hits[0].id
        elif ref.strip().isdigit():
            scenario_id = int(ref)
        else:
            raise InputError(f"skenario '{ref}' tidak ditemukan")
        scenario = store.get(scenario_id)
        plan = store.plan(scenario_id)
    except SQLAlchemyError as exc:
        raise InputError(f"basis data skenario tidak dapat dibaca ({exc.__class__.__name__})") from None
    finally:
        store.close()
    dataset = _dataset(scenario.dataset_id)
    result = run_scoring(dataset, scenario.config)
    return dataset, result, {"chosen": [(v.kode, v.alasan) for v in scenario.chosen] or None,
                             "name": scenario.name, "author": scenario.author, "notes": scenario.notes,
                             "plan": plan or None}


def cmd_export(args: argparse.Namespace) -> int:
    """Score (or reload) and write one export; a one-line summary goes to stderr."""
    out = Path(args.out)
    fmt = _format(args, out)
    _check_out(out)
    if args.sep not in (",", ";"):
        raise InputError("--sep harus ',' atau ';'", rows=[args.sep])
    if args.scenario:
        dataset, result, options = _scenario(args.scenario)
    else:
        dataset = _dataset(DEFAULT_DATASET)
        result = run_scoring(dataset, preset_config(dataset, DEFAULT_PRESET))
        options: dict[str, Any] = {"chosen": None, "name": "", "author": "", "notes": "", "plan": None}
    for key in ("name", "author", "notes"):
        if getattr(args, key):
            options[key] = getattr(args, key)
    if args.plan:  # a plan file given on the command line replaces the scenario's plan
        options["plan"] = _plan(args.plan)
    data, filename, _ = export(
        fmt, result, dataset, lokus_year=args.tahun_lokus, sep=args.sep,
        all_villages=args.semua_desa, place=args.tempat or "", date_text=args.tanggal or "",
        signer_name=args.penandatangan or "", nip=args.nip or "", lang=args.lang, **options)
    target = out / filename if out.is_dir() else out
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise InputError(f"tidak dapat menulis berkas keluaran ({exc.strerror or exc.__class__.__name__})",
                         file=target.name) from None
    synthetic = " (DATA SINTETIS)" if result.synthetic else ""
    print(f"lokus export: {target.name}: format {fmt}, {len(data):,} byte{synthetic}", file=sys.stderr)
    return 0


def add_export(sub: argparse._SubParsersAction) -> None:
    """``lokus export``: one export file of the lokus decision."""
    p = sub.add_parser("export", help="ekspor daftar desa lokus: " + ", ".join(FORMATS))
    p.add_argument("--scenario", metavar="NAMA|FILE.json",
                   help="skenario tersimpan atau berkas skenario JSON (bawaan: rekomendasi bawaan, "
                        f"preset {DEFAULT_PRESET}, 20 desa)")
    p.add_argument("--format", dest="fmt", metavar="FORMAT",
                   help=f"{' | '.join(FORMATS)} (bawaan: dari akhiran --out; shp = .zip)")
    p.add_argument("--out", required=True, metavar="PATH",
                   help="berkas keluaran, atau folder (nama berkas bawaan: "
                        + ", ".join(f"*.{e}" for e in dict.fromkeys(EXTENSIONS.values())) + ")")
    p.add_argument("--sep", default=",", metavar="{,|;}",
                   help="CSV: pemisah kolom; ';' menulis koma desimal (Excel Indonesia)")
    p.add_argument("--semua-desa", action="store_true", help="CSV: semua desa, bukan hanya desa lokus")
    p.add_argument("--plan", metavar="FILE", help="rencana kegiatan Aksi 2 (.csv/.xlsx; kolom: "
                   + ", ".join(PLAN_COLUMNS) + ")")
    p.add_argument("--name", help="nama skenario")
    p.add_argument("--author", help="penyusun")
    p.add_argument("--notes", help="catatan")
    p.add_argument("--tahun-lokus", type=int, default=None, help="tahun di judul (bawaan: tahun data)")
    p.add_argument("--tempat", help="PDF: 'Ditetapkan di'")
    p.add_argument("--tanggal", help="PDF: 'Pada tanggal'")
    p.add_argument("--penandatangan", help="PDF: nama Bupati/Wali Kota")
    p.add_argument("--nip", help="PDF: NIP penandatangan")
    p.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG,
                   help="bahasa isi ekspor: id (Bahasa Indonesia, bawaan) atau en (English)")
    p.set_defaults(func=cmd_export)
