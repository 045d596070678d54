"""Loading a dataset: from a folder with a ``dataset.json`` manifest, or from files.

A dataset lives in a folder with a ``dataset.json`` manifest naming its files, title,
attribution and caveats. The embedded default (Kabupaten Sumedang) is one such folder
under the data directory (:func:`geo.core.settings.embedded_data_dir` unless the
settings name another). Each table goes through the one
joining path (:mod:`geo.data.tables`); the result is a read-only
:class:`~geo.data.model.Dataset`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from geo.core.codes import village_type
from geo.core.errors import InputError
from geo.core.i18n import t
from geo.core.quality import QualityLog
from geo.core.settings import embedded_data_dir
from geo.data.model import DEFAULT_DATASET, CoverageSpec, Dataset
from geo.data.tables import load_coverage, load_outcome, merge_coverage
from geo.io.archives import MAX_UNZIPPED_MB
from geo.io.boundaries import read_boundaries
from geo.io.crosswalk import load_crosswalk
from geo.io.tables import read_table

__all__ = [
    "MANIFEST",
    "coverage_specs",
    "load_dataset",
    "load_folder",
    "load_inputs",
    "load_manifest",
    "load_mapping",
    "region_names",
]

MANIFEST = "dataset.json"


def load_manifest(folder: Path) -> dict[str, Any]:
    """Read a dataset folder's manifest."""
    path = folder / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError.of("data.error.manifest", file=path.name,
                            error=exc.__class__.__name__) from None


def region_names(data_dir: Path) -> dict[str, str]:
    """Kemendagri code → name, from the shipped 2025 code list (empty if absent)."""
    path = data_dir / "region-codes" / "kemendagri_wilayah_2025_cahyadsn.csv"
    if not path.exists():
        return {}
    table = pd.read_csv(path, dtype=str, usecols=["kode", "nama"])
    return dict(zip(table["kode"], table["nama"], strict=True))



def load_dataset(
    boundaries: Path,
    table: Path,
    *,
    dataset_id: str,
    title: str,
    data_dir: Path | None = None,
    boundary_columns: dict[str, str] | None = None,
    table_columns: dict[str, str] | None = None,
    default_year: int | None = None,
    attribution: str = "",
    caveats: tuple[str, ...] = (),
    synthetic: bool = False,
    coverage: Sequence[CoverageSpec] = (),
    crosswalk: pd.DataFrame | None = None,
    max_unzipped_mb: float = MAX_UNZIPPED_MB,
) -> Dataset:
    """Read, validate and join a boundary file, a table and coverage tables into a :class:`Dataset`.

    A synthetic coverage table adds a caveat saying so (shown wherever caveats are). Each
    row of the table is placed by its Kemendagri code when that code is on the map, else
    (BPS codes, no code, mangled or unknown codes) by its (kecamatan, desa) names within
    the kecamatan (:func:`geo.data.locate.locate_rows`), with the planner's saved decisions
    (``crosswalk``) applied first; rows left unmatched are reported, never guessed. Bad
    cells and rows are left out and listed in :attr:`Dataset.quality_log`.

    Raises
    ------
    InputError
        For a file that is unusable as a whole (unreadable, not a table, no code or name
        column, no number column, no year); nothing partial is returned.
    """
    bfile = read_boundaries(boundaries, overrides=boundary_columns, max_unzipped_mb=max_unzipped_mb)
    if bfile.code_system == "bps":
        raise InputError.of("data.error.boundary_bps", file=boundaries.name,
                            column=bfile.columns.get("kode"))
    villages = bfile.gdf.copy()
    names = region_names(data_dir) if data_dir else {}
    missing_kec = villages["nama_kec"].isna()
    if missing_kec.any():
        villages.loc[missing_kec, "nama_kec"] = villages.loc[missing_kec, "kode_kec"].map(names)
        villages["nama_kec"] = villages["nama_kec"].fillna(villages["kode_kec"])
    villages["jenis"] = villages["kode"].map(village_type)
    measures, report, notes, name_match = load_outcome(
        villages, table, boundary_file=boundaries.name, table_columns=table_columns,
        default_year=default_year, crosswalk=crosswalk)
    frames, reports, cov_notes = [], [], []
    for spec in coverage:
        cov, rep, note = load_coverage(villages, spec, boundary_file=boundaries.name,
                                       crosswalk=crosswalk)
        frames.append(cov)
        reports.append(rep)
        cov_notes.extend(note)
        if spec.synthetic:  # the dataset's own caveats are text in its language (Indonesian)
            caveats = (*caveats, t("data.caveat.synthetic_coverage",
                                   title=spec.title or Path(spec.file).name))
    return Dataset(
        id=dataset_id,
        title=title,
        villages=villages,
        measures=measures,
        report=report,
        boundary_file=bfile,
        attribution=attribution,
        caveats=caveats,
        synthetic=synthetic,
        coverage=merge_coverage(frames),
        coverage_sources=tuple(coverage),
        coverage_reports=tuple(reports),
        coverage_notes=tuple(cov_notes),
        name_match=name_match,
        quality_log=sum((r.quality for r in reports), report.quality),
        table_notes=tuple(notes),
    )


def load_folder(folder: Path, *, data_dir: Path | None = None,
                max_unzipped_mb: float = MAX_UNZIPPED_MB) -> Dataset:
    """Load a dataset folder described by its ``dataset.json`` manifest (a zipped boundary
    file may unpack to ``max_unzipped_mb``)."""
    meta = load_manifest(folder)
    dataset = load_dataset(
        folder / meta["boundaries"],
        folder / meta["table"],
        dataset_id=folder.name,
        title=meta.get("title", folder.name),
        data_dir=data_dir,
        boundary_columns=meta.get("boundary_columns"),
        table_columns=meta.get("table_columns"),
        attribution=meta.get("attribution", ""),
        caveats=tuple(meta.get("caveats", ())),
        synthetic=bool(meta.get("synthetic", False)),
        coverage=coverage_specs(meta, folder),
        crosswalk=load_crosswalk(folder / meta["crosswalk"]) if meta.get("crosswalk") else None,
        max_unzipped_mb=max_unzipped_mb,
    )
    if meta.get("quality_log"):
        # records left out before the table was made (an e-PPGBM export's bad rows) come first
        source = _source_log(folder / meta["quality_log"])
        dataset = replace(dataset, quality_log=source + dataset.quality_log)
    if meta.get("measurement_panel"):
        dataset = replace(dataset, measurement_panel=read_table(
            folder / meta["measurement_panel"]).drop(columns="_row"))
    return dataset


def _source_log(path: Path) -> QualityLog:
    try:
        return QualityLog.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError.of("table.error.quality_log", file=path.name,
                            error=exc.__class__.__name__) from None


def coverage_specs(meta: dict[str, Any], folder: Path) -> tuple[CoverageSpec, ...]:
    """Coverage tables named in a manifest (files relative to the dataset folder)."""
    return tuple(
        CoverageSpec(file=folder / item["file"], year=item.get("year"),
                     synthetic=bool(item.get("synthetic", False)), title=item.get("title", ""))
        for item in meta.get("coverage", ())
    )



#: Size limit of a column-mapping JSON file (a real one is a few hundred bytes).
MAX_MAPPING_BYTES = 1_000_000
#: Longest column name a mapping may give.
MAX_MAPPING_COLUMN_CHARS = 500


def load_mapping(path: Path) -> dict[str, dict[str, str]]:
    """Column overrides from a JSON mapping file (keys ``boundary_columns``, ``table_columns``).

    Roles are checked against :data:`geo.io.schema.BOUNDARY_ROLES` and
    :data:`geo.io.schema.TABLE_ROLES` as they are when called (the schema may grow), so an
    unknown role is a named message here, not an error deep inside column detection.

    Raises
    ------
    InputError
        Unreadable or oversized file, not JSON, wrong shape, an unknown role, or a column
        name that is not non-empty text.
    """
    from geo.io import schema  # roles read at call time: the schema may gain roles

    allowed_roles = {"boundary_columns": schema.BOUNDARY_ROLES, "table_columns": schema.TABLE_ROLES}
    try:
        if path.stat().st_size > MAX_MAPPING_BYTES:
            raise InputError.of("input.mapping.too_large", file=path.name, limit=MAX_MAPPING_BYTES)
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError.of("input.mapping.unreadable", file=path.name,
                            reason=exc.__class__.__name__) from None
    if not isinstance(doc, dict) or not all(isinstance(doc.get(k, {}), dict) for k in allowed_roles):
        raise InputError.of("input.mapping.shape", file=path.name)
    out: dict[str, dict[str, str]] = {}
    for section, roles in allowed_roles.items():
        given = doc.get(section, {})
        for role, column in given.items():
            if role not in roles:
                raise InputError.of("input.mapping.unknown_role", file=path.name, rows=[role],
                                    role=str(role)[:80], section=section, allowed=", ".join(roles))
            if not isinstance(column, str) or not column.strip() or len(column) > MAX_MAPPING_COLUMN_CHARS:
                raise InputError.of("input.mapping.bad_column", file=path.name, role=role,
                                    section=section, limit=MAX_MAPPING_COLUMN_CHARS)
        out[section] = {str(r): str(c) for r, c in given.items()}
    return out



def load_inputs(boundaries: str | Path | None = None, table: str | Path | None = None, *,
                coverage: str | Path | None = None, year: int | None = None,
                mapping: str | Path | None = None, data_dir: Path | None = None,
                max_unzipped_mb: float = MAX_UNZIPPED_MB) -> Dataset:
    """Dataset from the given files, each falling back to the embedded default dataset
    of ``data_dir`` (default :func:`geo.core.settings.embedded_data_dir`), so a table alone joins to the
    embedded boundaries. Used by the command line.

    ``mapping`` is a JSON file overriding column detection:
    ``{"boundary_columns": {"kode": "KDEPUM", ...}, "table_columns": {"kode": "...", ...}}``.
    """
    data_dir = Path(data_dir or embedded_data_dir())
    folder = data_dir / DEFAULT_DATASET
    meta = load_manifest(folder)
    boundary_path = Path(boundaries) if boundaries else folder / meta["boundaries"]
    table_path = Path(table) if table else folder / meta["table"]
    if coverage:
        specs: tuple[CoverageSpec, ...] = (CoverageSpec(Path(coverage), year=year),)
    elif not table:
        specs = coverage_specs(meta, folder)
    else:
        specs = ()
    for path in (boundary_path, table_path, *(c.file for c in specs)):
        if not Path(path).is_file():
            raise InputError.of("data.error.file_missing", file=Path(path).name)
    embedded = not boundaries and not table
    overrides = load_mapping(Path(mapping)) if mapping else {}
    return load_dataset(
        boundary_path, table_path, dataset_id="cli", max_unzipped_mb=max_unzipped_mb,
        title=meta.get("title", "") if embedded else table_path.stem,
        data_dir=data_dir,
        boundary_columns=overrides.get("boundary_columns") or (
            meta.get("boundary_columns") if not boundaries else None),
        table_columns=overrides.get("table_columns") or (
            meta.get("table_columns") if not table else None),
        default_year=year,
        attribution=meta.get("attribution", "") if embedded else "",
        caveats=tuple(meta.get("caveats", ())) if embedded else (),
        coverage=specs,
    )
