"""``lokus export``: the lokus decision to CSV, XLSX, GeoPackage, GeoJSON, Shapefile, PDF or JSON.

Without ``--scenario`` it exports the default recommendation for the embedded data
(preset ``prevalensi_kasus``, latest year, top 20). ``--scenario FILE.json`` reloads a
``lokus-scenario`` document (:mod:`geo.export.scenario`): its dataset, its config
(re-scored, so the ranking is the same), its chosen list with reasons and its plan.
``--scenario NAME`` reads a saved scenario (with its plan) from the store
(:class:`geo.store.scenarios.Store` on ``--database-url``/``DATABASE_URL``, else
``<state-dir>/lokus.db``), found by name in any dataset (case and spacing ignored) or by
numeric id; reading never creates a database, and an install without the store exits 2
("belum tersedia"). ``--plan`` replaces the scenario's plan.

``--format`` (a key of :data:`geo.export.FORMATS`) may be left out when ``--out`` ends in a
known extension (``.zip`` = Shapefile). ``--out`` may be a folder: the sanitised default file name is used.
``--lang en`` writes the headers, titles, texts and file name in English (default
``id``, Bahasa Indonesia). Every problem (unknown format, unreadable scenario,
unwritable output) is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from geo.cli.common import common_options, say, warn
from geo.core.errors import InputError
from geo.core.i18n import t
from geo.core.settings import Settings
from geo.data.library import user_datasets_dir
from geo.data.model import DEFAULT_DATASET, Dataset
from geo.export import FORMATS, export, format_for_suffix, read_scenario_json
from geo.export.common import PLAN_COLUMNS
from geo.io.tables import read_table, to_number
from geo.scoring.pipeline import run_scoring
from geo.scoring.presets import preset_config
from geo.scoring.result import ScoringResult
from geo.view.registry import Registry

__all__ = ["DEFAULT_PRESET", "add_export", "cmd_export"]

#: Preset of the default recommendation (as ``lokus score`` and the app start page).
DEFAULT_PRESET = "prevalensi_kasus"
_NUMERIC_PLAN = ("value", "target", "gap", "volume", "anggaran")
#: ``(dataset, result, export options)`` of what is exported.
Loaded = tuple[Dataset, ScoringResult, dict[str, Any]]


@lru_cache(maxsize=4)
def _registry(data_dir: Path, datasets_root: Path) -> Registry:
    return Registry(data_dir, extra_roots=[datasets_root])


def _registry_of(settings: Settings) -> Registry:
    return _registry(Path(settings.data_dir), user_datasets_dir(settings.state_dir))


def _dataset(dataset_id: str, settings: Settings) -> Dataset:
    """The embedded or saved dataset ``dataset_id`` (the same lookup as the app)."""
    # the id comes from a user file: never let it walk out of the data directories
    if not re.fullmatch(r"[A-Za-z0-9_-]+", dataset_id):
        raise InputError.of("cli.export.error.dataset", id=dataset_id)
    return _registry_of(settings).get(dataset_id)


def _format(args: argparse.Namespace, out: Path) -> str:
    if args.fmt:
        fmt = args.fmt.strip().lower()
        if fmt not in FORMATS:
            raise InputError.of("cli.export.error.format_unknown", format=args.fmt, formats=list(FORMATS))
        return fmt
    guessed = format_for_suffix(out.suffix)
    if guessed is None:
        raise InputError.of("cli.export.error.format_missing", formats=list(FORMATS))
    return guessed


def _check_out(out: Path) -> None:
    """Fail before any work when the output folder is missing (one clear line)."""
    folder = out if out.is_dir() else out.parent
    if not folder.is_dir():
        raise InputError.of("cli.export.error.out_folder", file=folder.name or str(folder))


def _plan(path: str | None) -> pd.DataFrame | None:
    """Aksi 2 plan rows from a CSV/XLSX with the plan columns (``kode`` stays text)."""
    if not path:
        return None
    file = Path(path)
    if not file.is_file():
        raise InputError.of("cli.export.error.plan_missing", file=file.name)
    table = read_table(file).drop(columns="_row")
    table.columns = [str(c).strip().lower() for c in table.columns]
    if "kegiatan" not in table:
        raise InputError.of("cli.export.error.plan_column", file=file.name, rows=[", ".join(PLAN_COLUMNS)])
    for col in _NUMERIC_PLAN:
        if col in table:
            table[col] = to_number(table[col], file=file.name, column=col)
    return table.astype({c: object for c in table.columns if c not in _NUMERIC_PLAN})


def _scenario(ref: str, settings: Settings) -> Loaded:
    """What to export from a scenario file or a saved scenario."""
    path = Path(ref)
    if ref.lower().endswith(".json") or path.is_file():
        doc = read_scenario_json(path)
        dataset = _dataset(doc.dataset_id, settings)
        result = run_scoring(dataset, doc.config)
        if not doc.chosen:
            warn(t("cli.export.no_chosen", settings.lang))
        return dataset, result, {"chosen": doc.chosen or None, "name": doc.name, "author": doc.author,
                                 "notes": doc.notes, "plan": list(doc.plan) or None}
    return _stored(ref, settings)


def _name_key(name: str) -> str:
    # the store's uniqueness key: case and repeated spaces do not count
    return " ".join(name.casefold().split())


def _find(store: Any, ref: str, dataset_ids: list[str]) -> int:
    """Id of the saved scenario named ``ref`` (any dataset), or numbered ``ref``."""
    hits = [s for ds_id in dataset_ids for s in store.find(ds_id) if _name_key(s.name) == _name_key(ref)]
    if len(hits) > 1:
        raise InputError.of("cli.export.error.ambiguous", name=ref,
                            rows=[f"{h.dataset_id} (id {h.id})" for h in hits])
    if hits:
        return int(hits[0].id)
    if ref.strip().isdigit():
        return int(ref)
    raise InputError.of("cli.export.error.not_found", name=ref)


def _stored(ref: str, settings: Settings) -> Loaded:
    """A scenario saved in the store, found by name (any dataset) or by numeric id."""
    try:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import SQLAlchemyError

        from geo.store.dataset_files import DatasetSync
        from geo.store.engine import default_url
        from geo.store.scenarios import Store
    except ImportError:
        raise InputError.of("cli.export.error.no_store_installed") from None
    url = make_url(default_url(settings.state_dir, settings.database_url))
    # reading must not create an empty SQLite file as a side effect
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).is_file():
        raise InputError.of("cli.export.error.no_database")
    store = Store(settings.database_url, data_dir=settings.state_dir)
    try:
        if store.current_revision() is None:
            raise InputError.of("cli.export.error.no_schema")
        # datasets saved on another server of this database: into the local folder first
        DatasetSync(store.engine, user_datasets_dir(settings.state_dir))()
        scenario_id = _find(store, ref, _registry_of(settings).ids())
        scenario, plan = store.get(scenario_id), store.plan(scenario_id)
    except SQLAlchemyError as exc:
        raise InputError.of("cli.export.error.store_unreadable", error=exc.__class__.__name__) from None
    finally:
        store.close()
    dataset = _dataset(scenario.dataset_id, settings)
    result = run_scoring(dataset, scenario.config)
    return dataset, result, {"chosen": [(v.kode, v.alasan) for v in scenario.chosen] or None,
                             "name": scenario.name, "author": scenario.author, "notes": scenario.notes,
                             "plan": plan or None}


def _default(settings: Settings) -> Loaded:
    """The default recommendation on the embedded data."""
    dataset = _dataset(DEFAULT_DATASET, settings)
    result = run_scoring(dataset, preset_config(dataset, DEFAULT_PRESET))
    return dataset, result, {"chosen": None, "name": "", "author": "", "notes": "", "plan": None}


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Score (or reload) and write one export; a one-line summary goes to stderr."""
    out = Path(args.out)
    fmt = _format(args, out)
    _check_out(out)
    if args.sep not in (",", ";"):
        raise InputError.of("cli.export.error.sep", rows=[args.sep])
    dataset, result, options = _scenario(args.scenario, settings) if args.scenario else _default(settings)
    for key in ("name", "author", "notes"):
        if getattr(args, key):
            options[key] = getattr(args, key)
    if args.plan:  # a plan file given on the command line replaces the scenario's plan
        options["plan"] = _plan(args.plan)
    data, filename, _ = export(
        fmt, result, dataset, lokus_year=args.tahun_lokus, sep=args.sep,
        all_villages=args.semua_desa, place=args.tempat or "", date_text=args.tanggal or "",
        signer_name=args.penandatangan or "", nip=args.nip or "", lang=settings.lang, **options)
    target = out / filename if out.is_dir() else out
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise InputError.of("cli.export.error.write", file=target.name,
                            error=exc.strerror or exc.__class__.__name__) from None
    synthetic = t("cli.export.synthetic", settings.lang) if result.synthetic else ""
    say("cli.export.done", settings.lang, err=True, file=target.name, format=fmt, size=len(data),
        synthetic=synthetic)
    return 0


def add_export(sub: argparse._SubParsersAction, lang: str) -> None:
    """``lokus export``: one export file of the lokus decision."""
    def h(key: str, **values: object) -> str:
        return t(f"cli.export.opt.{key}", lang, **values)

    summary = h("help", formats=", ".join(FORMATS))
    p = sub.add_parser("export", help=summary, description=summary, parents=[common_options(lang)])
    p.add_argument("--scenario", metavar="NAMA|FILE.json", help=h("scenario", preset=DEFAULT_PRESET))
    p.add_argument("--format", dest="fmt", metavar="FORMAT", help=h("format", formats=" | ".join(FORMATS)))
    p.add_argument("--out", required=True, metavar="PATH",
                   help=h("out", files=", ".join(f"*.{f.suffix}" for f in FORMATS.values())))
    p.add_argument("--sep", default=",", metavar="{,|;}", help=h("sep"))
    p.add_argument("--semua-desa", action="store_true", help=h("all_villages"))
    p.add_argument("--plan", metavar="FILE", help=h("plan", columns=", ".join(PLAN_COLUMNS)))
    p.add_argument("--name", help=h("name"))
    p.add_argument("--author", help=h("author"))
    p.add_argument("--notes", help=h("notes"))
    p.add_argument("--tahun-lokus", type=int, default=None, help=h("year"))
    p.add_argument("--tempat", help=h("place"))
    p.add_argument("--tanggal", help=h("date"))
    p.add_argument("--penandatangan", help=h("signer"))
    p.add_argument("--nip", help=h("nip"))
    p.set_defaults(func=cmd_export)
