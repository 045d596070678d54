"""User datasets: save uploaded files as a dataset folder, list them, delete them.

A user dataset is a folder ``<root>/<id>/`` holding its files and a ``dataset.json``
manifest, exactly like the embedded default under ``data/``, so :mod:`geo.view.registry`
loads both the same way. ``root`` is separate from the embedded data (by default
``var/datasets``): the embedded Sumedang data is never written to.

Nothing is half-saved: files are staged in ``<root>/.tmp-<uuid>/``, the whole dataset
is loaded and validated from there with :func:`geo.data.loading.load_dataset`, and only
then the folder is renamed into place (one atomic ``os.replace`` on the same file
system). A failed validation removes the staging folder; a process killed midway leaves
it behind, and :func:`clean_staging` (called when the app starts) removes such leftovers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.core.errors import InputError
from geo.core.i18n import t
from geo.data.loading import MANIFEST, load_folder
from geo.data.model import DEFAULT_DATASET, CoverageSpec, Dataset
from geo.io.archives import MAX_UNZIPPED_MB
from geo.io.boundaries import read_boundaries
from geo.io.crosswalk import build_crosswalk, crosswalk_path, load_crosswalk, save_crosswalk
from geo.io.eppgbm import read_eppgbm
from geo.io.eppgbm_aggregate import aggregate, match_villages
from geo.io.eppgbm_result import output_paths, save_result
from geo.io.matching import NameMatch
from geo.io.uploads import safe_upload_name

__all__ = [
    "EPPGBM_TABLE",
    "DatasetInfo",
    "check_id",
    "clean_staging",
    "delete_dataset",
    "district_crosswalk",
    "list_datasets",
    "name_review",
    "safe_id",
    "save_dataset",
    "save_decisions",
    "user_datasets_dir",
    "validate_dataset",
]

_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
#: Name of the per-village table written from an e-PPGBM export (counts only: no names/NIK).
EPPGBM_TABLE = "eppgbm_prevalensi_desa.csv"
#: The name-matching decisions a dataset's table was joined with (tables without codes).
CROSSWALK_FILE = "crosswalk.csv"
_EPPGBM_COLUMNS = ("kode", "tahun", "anak_diukur", "pendek", "sangat_pendek", "stunting",
                   "sd_haz", "mutu_pengukuran")
#: Prefixes of the hidden working folders under the datasets root: staging of a save
#: (``.tmp-``) and a dataset being deleted (``.del-``).
_WORK_PREFIXES = (".tmp-", ".del-")
#: Working folders older than this (seconds) are leftovers of a killed process; younger
#: ones may belong to a save still running in another worker, so they are left alone.
STAGING_MAX_AGE_S = 3600.0


@dataclass(frozen=True)
class DatasetInfo:
    """One saved dataset as listed: id, title and when its manifest was written."""

    id: str
    title: str
    modified: float


def safe_id(name: str) -> str:
    """Folder id from a human name: lower case ASCII letters, digits, ``-``; never empty.

    >>> safe_id("Kab. Garut 2024 / revisi")
    'kab-garut-2024-revisi'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", (name or "").lower()).strip("-")[:64].strip("-")
    return slug or "dataset"


def check_id(dataset_id: str | None) -> str:
    """The id itself when it is a plain folder name; otherwise InputError (no ``..``, ``/``)."""
    if not isinstance(dataset_id, str) or not _ID.fullmatch(dataset_id):
        raise InputError.of("data.error.bad_id", id=repr(str(dataset_id)[:40]))
    return dataset_id


def _copy(src: Path, folder: Path) -> str:
    """Copy a file into the staging folder under a safe, unique name; return the name."""
    if not Path(src).is_file():
        raise InputError.of("data.error.file_missing", file=Path(src).name)
    name = safe_upload_name(Path(src).name)
    while (folder / name).exists():
        name = f"{uuid.uuid4().hex[:6]}_{name}"
    shutil.copyfile(src, folder / name)
    return name


def eppgbm_table(export: Path, boundaries: Path, out: Path, *,
                 boundary_columns: dict[str, str] | None = None,
                 crosswalk: Path | None = None,
                 max_unzipped_mb: float = MAX_UNZIPPED_MB) -> NameMatch:
    """Per-village, per-year stunting counts from an e-PPGBM export, matched by name to
    the boundaries, written to ``out``. Only codes and counts are written: the child-level
    file (names, NIK) is never kept.

    Rows with problems and records of villages not on the map are left out and listed in
    the quality log written beside ``out`` with its reason codes (``<stem>_kualitas.json``,
    shown again in any language), with the measurement-quality panel per village and per
    posyandu (``<stem>_mutu_pengukuran.csv``, ``<stem>_mutu_posyandu.csv``;
    :func:`geo.io.eppgbm_result.save_result`), so a saved dataset keeps them. The table has
    :data:`_EPPGBM_COLUMNS` (``mutu_pengukuran``: ``baik`` / ``perlu_dicek`` / empty).

    Raises
    ------
    InputError
        The export is unusable as a whole, no row is usable, or no village matches.
    """
    records = read_eppgbm(export)
    gdf = read_boundaries(boundaries, overrides=boundary_columns, max_unzipped_mb=max_unzipped_mb).gdf
    known = load_crosswalk(crosswalk) if crosswalk and Path(crosswalk).is_file() else None
    match = match_villages(records, gdf, crosswalk=known)
    result = aggregate(records, period="year", match=match, drop_unmatched=True)
    table = result.villages
    table = table.loc[table["kode"].notna() & (table["anak_diukur"] > 0), list(_EPPGBM_COLUMNS)]
    if table.empty:
        raise result.report.nothing_usable() or InputError.of(
            "eppgbm.error.no_match", file=export.name, column="Desa/Kel")
    save_result(result, out, table=table)
    return match


@contextmanager
def _staged(root: Path, *, boundaries: Path, table: Path | None, eppgbm: Path | None,
            boundary_columns: dict[str, str] | None, table_columns: dict[str, str] | None,
            coverage: Sequence[CoverageSpec | Path], meta: dict,
            crosswalk: Path | None = None,
            max_unzipped_mb: float = MAX_UNZIPPED_MB) -> Iterator[Path]:
    """A staging folder with the dataset's files and manifest; removed on exit unless moved."""
    if (table is None) == (eppgbm is None):
        raise InputError.of("data.error.table_or_eppgbm")
    root.mkdir(parents=True, exist_ok=True)
    folder = root / f".tmp-{uuid.uuid4().hex}"
    folder.mkdir()
    try:
        manifest = {**meta, "boundaries": _copy(boundaries, folder)}
        if boundary_columns:
            manifest["boundary_columns"] = dict(boundary_columns)
        if eppgbm is not None:
            eppgbm_table(Path(eppgbm), folder / manifest["boundaries"], folder / EPPGBM_TABLE,
                         boundary_columns=boundary_columns, crosswalk=crosswalk,
                         max_unzipped_mb=max_unzipped_mb)
            manifest["table"] = EPPGBM_TABLE
            outputs = output_paths(EPPGBM_TABLE)
            manifest["quality_log"] = outputs["log"].name
            manifest["measurement_panel"] = outputs["mutu_desa"].name
            # the manifest's caveats are the dataset's own text, in its language (Indonesian)
            manifest["caveats"] = [*manifest.get("caveats", ()), t("data.caveat.eppgbm")]
        else:
            assert table is not None  # exactly one of table and eppgbm (checked above)
            manifest["table"] = _copy(table, folder)
            if table_columns:
                manifest["table_columns"] = dict(table_columns)
            if crosswalk is not None and Path(crosswalk).is_file():
                # the dataset keeps the decisions it was joined with: reloads are reproducible
                shutil.copyfile(crosswalk, folder / CROSSWALK_FILE)
                manifest["crosswalk"] = CROSSWALK_FILE
        specs = [c if isinstance(c, CoverageSpec) else CoverageSpec(Path(c)) for c in coverage]
        manifest["coverage"] = [{"file": _copy(Path(s.file), folder), "year": s.year,
                                 "synthetic": s.synthetic, "title": s.title} for s in specs]
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                       encoding="utf-8")
        yield folder
    finally:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)


def validate_dataset(root: Path, *, boundaries: Path, table: Path | None = None,
                     eppgbm: Path | None = None, boundary_columns: dict[str, str] | None = None,
                     table_columns: dict[str, str] | None = None,
                     coverage: Sequence[CoverageSpec | Path] = (), title: str = "",
                     data_dir: Path | None = None, crosswalk: Path | None = None,
                     max_unzipped_mb: float = MAX_UNZIPPED_MB) -> Dataset:
    """Load the candidate dataset exactly as :func:`save_dataset` would, and keep nothing.

    Raises
    ------
    InputError
        Anything wrong with any file (the message names file, column and first rows).
    """
    with _staged(Path(root), boundaries=boundaries, table=table, eppgbm=eppgbm,
                 boundary_columns=boundary_columns, table_columns=table_columns,
                 coverage=coverage, meta={"title": title or t("data.preview_title")},
                 crosswalk=crosswalk, max_unzipped_mb=max_unzipped_mb) as folder:
        return load_folder(folder, data_dir=data_dir, max_unzipped_mb=max_unzipped_mb)


def save_dataset(root: Path, name: str, *, boundaries: Path, table: Path | None = None,
                 eppgbm: Path | None = None, boundary_columns: dict[str, str] | None = None,
                 table_columns: dict[str, str] | None = None,
                 coverage: Sequence[CoverageSpec | Path] = (), title: str = "",
                 attribution: str = "", caveats: Sequence[str] = (), synthetic: bool = False,
                 data_dir: Path | None = None, reserved: Sequence[str] = (DEFAULT_DATASET,),
                 crosswalk: Path | None = None, max_unzipped_mb: float = MAX_UNZIPPED_MB) -> str:
    """Validate and save a dataset under ``root``; returns its id (from ``name``).

    Parameters
    ----------
    root
        Folder of user datasets.
    name
        Human name; the id is :func:`safe_id` of it and must not exist yet nor be in
        ``reserved`` (the embedded datasets' ids).
    boundaries, table, eppgbm
        The uploaded files; exactly one of ``table`` (village counts) or ``eppgbm``
        (child records, aggregated per village and year).
    boundary_columns, table_columns
        Column overrides (role → column), stored in the manifest.
    data_dir
        Embedded data folder (kecamatan names from the shipped code list).
    crosswalk
        Saved name-matching decisions (:func:`district_crosswalk`) used for ``eppgbm``.

    Raises
    ------
    InputError
        Name taken, or any file invalid; then nothing is left on disk.
    """
    root = Path(root)
    dataset_id = safe_id(name)
    if dataset_id in reserved or (root / dataset_id).exists():
        raise InputError.of("data.error.name_taken", id=dataset_id)
    meta = {"title": title or name.strip() or dataset_id, "attribution": attribution,
            "caveats": list(caveats), "synthetic": bool(synthetic)}
    with _staged(root, boundaries=boundaries, table=table, eppgbm=eppgbm,
                 boundary_columns=boundary_columns, table_columns=table_columns,
                 coverage=coverage, meta=meta, crosswalk=crosswalk,
                 max_unzipped_mb=max_unzipped_mb) as folder:
        # raises before anything is in place
        load_folder(folder, data_dir=data_dir, max_unzipped_mb=max_unzipped_mb)
        try:
            os.rename(folder, root / dataset_id)  # atomic; fails if the name appeared meanwhile
        except OSError:
            raise InputError.of("data.error.name_taken", id=dataset_id) from None
    return dataset_id


def clean_staging(root: Path, *, max_age_s: float = STAGING_MAX_AGE_S,
                  now: float | None = None) -> list[str]:
    """Remove staging (``.tmp-*``) and deletion (``.del-*``) folders a killed process left.

    Parameters
    ----------
    root
        Folder of user datasets (:func:`user_datasets_dir`); a missing folder is fine.
    max_age_s
        Only folders not modified for this many seconds are removed (a save running in
        another worker keeps writing into its staging folder).
    now
        Current time (seconds since the epoch; tests pass it).

    Returns
    -------
    list of str
        Names of the folders removed.
    """
    root = Path(root)
    if not root.is_dir():
        return []
    now = time.time() if now is None else now
    removed = []
    for folder in root.iterdir():
        if not folder.name.startswith(_WORK_PREFIXES) or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            age = now - folder.stat().st_mtime
        except OSError:
            continue  # removed meanwhile by another worker
        if age >= max_age_s:
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                removed.append(folder.name)
    return sorted(removed)


def list_datasets(root: Path) -> list[DatasetInfo]:
    """Saved datasets under ``root`` (staging folders skipped), sorted by title."""
    out = []
    for manifest in Path(root).glob(f"*/{MANIFEST}"):
        folder = manifest.parent
        if not _ID.fullmatch(folder.name):
            continue
        try:
            title = str(json.loads(manifest.read_text(encoding="utf-8")).get("title", folder.name))
            modified = manifest.stat().st_mtime
        except (OSError, ValueError):
            continue  # being deleted, or broken: not listed
        out.append(DatasetInfo(folder.name, title, modified))
    return sorted(out, key=lambda d: d.title.lower())


def delete_dataset(root: Path, dataset_id: str, *,
                   protected: Sequence[str] = (DEFAULT_DATASET,)) -> None:
    """Delete a saved dataset folder. The embedded default (and ``protected`` ids) cannot be
    deleted; ids with path parts are rejected. The folder is first renamed away so readers
    never see half a dataset."""
    check_id(dataset_id)
    if dataset_id in protected:
        raise InputError.of("data.error.embedded", id=dataset_id)
    root = Path(root).resolve()
    folder = root / dataset_id
    if folder.parent != root or not (folder / MANIFEST).is_file():
        raise InputError.of("data.error.not_found", id=dataset_id)
    trash = root / f".del-{uuid.uuid4().hex}"
    os.rename(folder, trash)
    shutil.rmtree(trash, ignore_errors=True)


def user_datasets_dir(state_dir: str | Path) -> Path:
    """Folder of saved user datasets: ``<state_dir>/datasets`` (the settings' state folder,
    :attr:`geo.core.settings.Settings.state_dir`), apart from the embedded data."""
    return Path(state_dir) / "datasets"


def district_crosswalk(crosswalk_dir: Path, boundaries: Path, *,
                       boundary_columns: dict[str, str] | None = None,
                       max_unzipped_mb: float = MAX_UNZIPPED_MB) -> Path | None:
    """Where the name-matching decisions of the boundaries' district are kept
    (``crosswalk_<PP.KK>.csv``; reused by every later upload of that district); None when
    the boundaries carry no Kemendagri codes."""
    codes = read_boundaries(boundaries, overrides=boundary_columns,
                            max_unzipped_mb=max_unzipped_mb).gdf["kode"].astype(str)
    kab = codes.str.slice(0, 5)
    kab = kab[kab.str.fullmatch(r"\d{2}\.\d{2}")]
    return crosswalk_path(crosswalk_dir, kab.mode().iloc[0]) if len(kab) else None


def name_review(root: Path, *, boundaries: Path, table: Path | None = None,
                eppgbm: Path | None = None, boundary_columns: dict[str, str] | None = None,
                table_columns: dict[str, str] | None = None, crosswalk: Path | None = None,
                data_dir: Path | None = None, max_unzipped_mb: float = MAX_UNZIPPED_MB,
                **_: object) -> tuple[NameMatch, pd.DataFrame] | None:
    """Name match of the upload (earlier decisions applied) and the boundary villages
    (``kode``, ``nama``, ``nama_kec``) to pick corrections from; None when the table's
    Kemendagri codes are joined directly. Takes the same arguments as :func:`validate_dataset`.
    """
    known = load_crosswalk(crosswalk) if crosswalk and Path(crosswalk).is_file() else None
    if eppgbm is not None:
        gdf = read_boundaries(boundaries, overrides=boundary_columns, max_unzipped_mb=max_unzipped_mb).gdf
        match = match_villages(read_eppgbm(eppgbm), gdf, crosswalk=known)
        return match, pd.DataFrame(gdf[["kode", "nama", "nama_kec"]])
    dataset = validate_dataset(root, boundaries=boundaries, table=table,
                               boundary_columns=boundary_columns, table_columns=table_columns,
                               data_dir=data_dir, crosswalk=crosswalk, max_unzipped_mb=max_unzipped_mb)
    if dataset.name_match is None:
        return None
    return dataset.name_match, pd.DataFrame(dataset.villages[["kode", "nama", "nama_kec"]])


def save_decisions(match: NameMatch, decisions: pd.DataFrame, path: Path, *,
                   decided_by: str) -> Path:
    """Merge the planner's decisions (``kecamatan``, ``desa``, ``kode``; empty ``kode`` =
    "not on the map") over the district's saved crosswalk and write it atomically."""
    previous = load_crosswalk(path) if Path(path).is_file() else None
    return save_crosswalk(build_crosswalk(match, decisions, decided_by=decided_by,
                                          previous=previous), path)
