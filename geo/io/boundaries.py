"""Reading village boundaries: GeoJSON, GeoPackage, a zipped shapefile or a bare ``.shp``.

:func:`read_boundaries` recognises the format (:data:`BOUNDARY_FORMATS`, one row per
format), reads the features within bounds on the work they may cause, finds the code and
name columns, and cleans the geometry (:mod:`geo.io.geometry`). Every problem with a file
is a :class:`geo.core.errors.InputError` naming the file by its base name; raw
pandas/pyogrio/zip exceptions never escape.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.core.codes import detect_code_system, normalise_codes
from geo.core.errors import InputError
from geo.core.i18n import t
from geo.core.messages import Message
from geo.io.archives import (
    MAX_UNZIPPED_MB,
    SQLITE_MAGIC,
    ZIP_MAGIC,
    FileFormat,
    base_name,
    extract_zip,
    megabytes,
    pick_format,
    read_head,
)
from geo.io.geometry import (
    POLYGONAL,
    check_extent,
    codes_text,
    merge_duplicates,
    nonfinite,
    repair,
    to_multipolygons,
    to_wgs84,
)
from geo.io.schema import BOUNDARY_ROLES, detect_columns

__all__ = [
    "BOUNDARY_FORMATS",
    "MAX_FEATURES",
    "MAX_FEATURE_VERTICES",
    "MAX_VERTICES",
    "BoundaryFile",
    "read_boundaries",
]

# Bounds on the work one boundary file may cause (each yields a named InputError, never a
# hang): the whole of Indonesia is 83,762 villages and, simplified to ~100 m, about two
# million vertices; an upload is at most LOKUS_MAX_UPLOAD_MB (200 MB) anyway.
#: Most features a boundary file may hold (checked before the features are loaded).
MAX_FEATURES: Final = 150_000
#: Most vertices (coordinate pairs) of all features together.
MAX_VERTICES: Final = 20_000_000
#: Most vertices of one feature (a degenerate feature must not stall the repair).
MAX_FEATURE_VERTICES: Final = 2_000_000



@dataclass(frozen=True, eq=False)
class BoundaryFile:
    """Village boundaries read from a user file.

    Attributes
    ----------
    gdf
        EPSG:4326, columns exactly ``kode``, ``nama``, ``nama_kec``, ``kode_kec``,
        ``geometry`` (all MultiPolygon), index ``0..n-1``.  ``kode`` is the dotted
        Kemendagri code, or — when ``code_system == "bps"`` — the original BPS code text
        (refusing to join BPS boundaries to Kemendagri data is the caller's job).
    source_crs
        CRS of the file as text (e.g. ``"EPSG:32749"``), None if the file had none.
    reprojected
        Whether coordinates were transformed to EPSG:4326.
    repaired
        Number of invalid geometries repaired with ``shapely.make_valid``.
    empty_dropped
        Codes of features with null/empty geometry, which were dropped.
    columns
        Role -> source column used.
    code_system
        ``"kemendagri"`` or ``"bps"``.
    duplicate_codes
        Codes that occur on more than one feature in the file (see ``dissolved_codes`` and
        ``conflicting_codes`` for what became of them: ``gdf`` has unique codes).
    warnings
        What the user should know about the file (catalogue messages, rendered at the edge).
    nonfinite_dropped
        Codes of features with NaN/Inf coordinates, which were dropped.
    outside_dropped
        Codes of features outside Indonesia (after reprojection), which were dropped.
    dissolved_codes
        Codes whose features (same village name: a village with exclaves) were dissolved
        into one MultiPolygon.
    conflicting_codes
        Codes carried by features with different village names: all their features were
        dropped and are listed for review.
    """

    gdf: gpd.GeoDataFrame
    source_crs: str | None
    reprojected: bool
    repaired: int
    empty_dropped: list[str]
    columns: dict[str, str]
    code_system: str
    duplicate_codes: list[str]
    warnings: list[Message] = field(default_factory=list)
    nonfinite_dropped: list[str] = field(default_factory=list)
    outside_dropped: list[str] = field(default_factory=list)
    dissolved_codes: list[str] = field(default_factory=list)
    conflicting_codes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- formats


def _find_shapefile(folder: Path, file: str) -> Path:
    shps = sorted(
        p for p in folder.rglob("*")
        if p.suffix.lower() == ".shp" and "__MACOSX" not in p.parts and not p.name.startswith("._")
    )
    if not shps:
        raise InputError.of("input.boundary.zip_no_shapefile", file=file)
    if len(shps) > 1:
        raise InputError.of("input.boundary.zip_several_shapefiles", file=file,
                            rows=[p.relative_to(folder).as_posix() for p in shps])
    return shps[0]


def _check_sidecars(shp: Path, file: str) -> None:
    present = {p.suffix.lower() for p in shp.parent.iterdir() if p.stem == shp.stem}
    missing = [ext for ext in (".shx", ".dbf") if ext not in present]
    if missing:
        raise InputError.of("input.boundary.sidecars_missing", file=file, missing=missing)


def _gpkg_layer(path: Path, file: str) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL warns about odd SQLite files
            layers = pyogrio.list_layers(path)
    except Exception as exc:
        raise InputError.of("input.boundary.gpkg_unreadable", file=file) from exc
    if len(layers) == 0:
        raise InputError.of("input.boundary.gpkg_no_layer", file=file)
    if len(layers) == 1:
        return str(layers[0][0])
    for name, geom_type in layers:
        if geom_type and "polygon" in str(geom_type).lower():
            return str(name)
    raise InputError.of("input.boundary.gpkg_no_polygons", file=file, rows=[str(n) for n, _ in layers])


def _read_vector(path: Path, file: str, layer: str | None = None) -> gpd.GeoDataFrame:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL chatter about odd files is not for the user
            # count first: a file of a million features is refused before it is loaded
            count = int(pyogrio.read_info(path, layer=layer).get("features", -1))
            if count > MAX_FEATURES:
                raise InputError.of("input.boundary.too_many_features", file=file, n=count,
                                    limit=MAX_FEATURES)
            # a geometry GEOS cannot build (e.g. a ring left unclosed by an Inf coordinate)
            # becomes None and is dropped and listed with the empty ones, not the whole file
            gdf = gpd.read_file(path, engine="pyogrio", layer=layer, on_invalid="ignore")
    except InputError:
        raise
    except Exception as exc:
        raise InputError.of("input.boundary.unreadable", file=file) from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf:
        raise InputError.of("input.boundary.no_geometry", file=file)
    if len(gdf) == 0:
        raise InputError.of("input.boundary.no_features", file=file)
    if len(gdf) > MAX_FEATURES:
        raise InputError.of("input.boundary.too_many_features", file=file, n=len(gdf),
                            limit=MAX_FEATURES)
    return gdf


def _check_work(geoms: np.ndarray, file: str) -> None:
    """Refuse geometry too large to validate and repair in reasonable time."""
    counts = shapely.get_num_coordinates(geoms)
    total = int(counts.sum())
    if total > MAX_VERTICES:
        raise InputError.of("input.boundary.too_many_vertices", file=file, n=total,
                            limit=MAX_VERTICES)
    largest = int(counts.max(initial=0))
    if largest > MAX_FEATURE_VERTICES:
        raise InputError.of("input.boundary.feature_too_many_vertices", file=file, n=largest,
                            limit=MAX_FEATURE_VERTICES)


def _read_zipped_shapefile(path: Path, file: str, workdir: Path, max_bytes: int) -> gpd.GeoDataFrame:
    extract_zip(path, workdir, file, max_bytes)
    shp = _find_shapefile(workdir, file)
    _check_sidecars(shp, file)
    return _read_vector(shp, file)


def _read_geopackage(path: Path, file: str, workdir: Path, max_bytes: int) -> gpd.GeoDataFrame:
    return _read_vector(path, file, _gpkg_layer(path, file))


def _read_shapefile(path: Path, file: str, workdir: Path, max_bytes: int) -> gpd.GeoDataFrame:
    _check_sidecars(path, file)
    return _read_vector(path, file)


def _read_geojson(path: Path, file: str, workdir: Path, max_bytes: int) -> gpd.GeoDataFrame:
    return _read_vector(path, file)


#: Boundary formats, recognised by content first, then by name:
#: ``read(path, file, workdir, max_unzipped_bytes)`` gives the raw features.
BOUNDARY_FORMATS: Final = (
    FileFormat("shapefile_zip", (".zip",), _read_zipped_shapefile,
               sniff=lambda head: head.startswith(ZIP_MAGIC)),
    FileFormat("geojson", (".geojson", ".json"), _read_geojson,
               sniff=lambda head: head.lstrip().startswith(b"{")),
    FileFormat("gpkg", (".gpkg",), _read_geopackage, sniff=lambda head: head.startswith(SQLITE_MAGIC)),
    FileFormat("shapefile", (".shp",), _read_shapefile, upload=False),  # sidecars beside it on disk
)


# --------------------------------------------------------------------------- columns


def _clean_text(series: pd.Series) -> pd.Series:
    text = series.astype("string").str.strip()
    return text.mask(text == "")


def _clean_code_text(series: pd.Series) -> pd.Series:
    """Code as text without the ``.0`` that float columns add (``3211100004.0``)."""
    return _clean_text(series).str.replace(r"^(\d+)\.0+$", r"\1", regex=True)


def _kec_from_column(series: pd.Series) -> pd.Series:
    text = _clean_code_text(series)
    dotted = text.str.replace(r"^(\d{2})(\d{2})(\d{2})$", r"\1.\2.\3", regex=True)
    return dotted.astype("string")


def _feature_label(position: int, value: object) -> str:
    """How a user sees a feature: 1-based number and the code value (a row of the error)."""
    shown = t("input.boundary.empty_value") if pd.isna(value) else f"'{value}'"  # type: ignore[call-overload]
    # rows of an InputError are shown as they are: the label is rendered in the default language
    return t("input.boundary.feature", n=position + 1, value=shown)


def _resolve_codes(raw: pd.Series, file: str, column: str) -> tuple[pd.Series, str]:
    """Normalised codes and code system; InputError for non-code values."""
    system = detect_code_system(raw)
    if system == "bps":
        codes = _clean_code_text(raw)
        bad = ~codes.str.fullmatch(r"(?:ID)?\d{10}", case=False)
    else:
        system = "kemendagri"
        codes = normalise_codes(raw)
        bad = codes.isna()
    bad = bad.fillna(True).astype(bool)
    if bad.any():
        rows = [_feature_label(i, raw.iloc[i]) for i in np.flatnonzero(bad.to_numpy())[:5]]
        raise InputError.of("input.boundary.bad_codes", file=file, column=column, rows=rows,
                            n=int(bad.sum()))
    return codes.astype("string"), system


# --------------------------------------------------------------------------- boundaries


def read_boundaries(
    path: str | Path,
    *,
    display_name: str | None = None,
    overrides: Mapping[str, str] | None = None,
    max_unzipped_mb: float = MAX_UNZIPPED_MB,
) -> BoundaryFile:
    """Read village boundaries from GeoJSON, GeoPackage, a zipped shapefile or a bare ``.shp``.

    Parameters
    ----------
    path
        File on disk (an upload saved to a temporary file).
    display_name
        Name the user knows the file by (the upload name); defaults to the base name.
    overrides
        Role -> column chosen by the user (roles of :data:`geo.io.schema.BOUNDARY_ROLES`).
    max_unzipped_mb
        Limit (MB) on the summed uncompressed size of a zip (the app's and the command
        line's settings pass theirs).

    Returns
    -------
    BoundaryFile

    Raises
    ------
    InputError
        For any problem with the file: unreadable, empty, unsafe or oversized zip, no
        usable CRS, non-polygon geometries, missing or invalid code column.
    """
    path = Path(path)
    file = base_name(path, display_name)
    fmt = pick_format(BOUNDARY_FORMATS, read_head(path, file), path.suffix)
    if fmt is None:
        raise InputError.of("input.boundary.unknown_format", file=file)
    with tempfile.TemporaryDirectory(prefix="lokus-") as tmp:
        raw = fmt.read(path, file, Path(tmp), megabytes(max_unzipped_mb))
        # Materialise while the temp dir exists (the frame is in memory already).
        return _build_boundaries(raw.reset_index(drop=True), file, overrides)


def _villages(raw: gpd.GeoDataFrame, file: str, overrides: Mapping[str, str] | None,
              notes: list[Message]) -> tuple[gpd.GeoDataFrame, dict[str, str], str]:
    """Codes, names and 2-D geometry of every feature: ``(gdf, columns, code_system)``."""
    attrs = [c for c in raw.columns if c != raw.geometry.name]
    columns = detect_columns(attrs, BOUNDARY_ROLES, overrides, file=file)
    if "kode" not in columns:
        raise InputError.of("input.boundary.no_code_column", file=file, columns=[str(a) for a in attrs])
    codes, system = _resolve_codes(raw[columns["kode"]], file, columns["kode"])
    geoms = shapely.force_2d(raw.geometry.to_numpy())
    _check_work(geoms, file)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    other = sorted(set(gpd.GeoSeries(geoms[present]).geom_type) - POLYGONAL)
    if other:
        raise InputError.of("input.boundary.not_polygons", file=file, types=other)
    gdf = gpd.GeoDataFrame(
        {
            "kode": codes,
            "nama": _clean_text(raw[columns["nama"]]) if "nama" in columns else pd.NA,
            "nama_kec": _clean_text(raw[columns["nama_kec"]]) if "nama_kec" in columns else pd.NA,
        },
        geometry=gpd.GeoSeries(geoms, crs=raw.crs),
    )
    for col in ("nama", "nama_kec"):
        gdf[col] = gdf[col].astype("string")
    if "kode_kec" in columns:
        gdf["kode_kec"] = _kec_from_column(raw[columns["kode_kec"]])
    elif system == "bps":
        gdf["kode_kec"] = codes.str.replace(r"^(?:ID)?(\d{7})\d{3}$", r"\1", regex=True, case=False)
    else:
        gdf["kode_kec"] = codes.str[:8]
    if "nama" not in columns:
        notes.append(Message.of("input.boundary.no_name_column"))
    if system == "bps":
        notes.append(Message.of("input.boundary.bps_codes"))
    return gdf, columns, system


def _drop_unusable(gdf: gpd.GeoDataFrame, file: str,
                   notes: list[Message]) -> tuple[gpd.GeoDataFrame, list[str], list[str]]:
    """Drop features without geometry or with NaN/Inf coordinates (GEOS cannot validate or
    repair those): ``(gdf, empty_dropped, nonfinite_dropped)``."""
    present = ~(shapely.is_missing(gdf.geometry.to_numpy()) | shapely.is_empty(gdf.geometry.to_numpy()))
    empty_dropped = gdf.loc[~present, "kode"].astype(str).tolist()
    gdf = gdf.loc[present]
    if empty_dropped:
        notes.append(Message.of("input.boundary.empty_dropped", n=len(empty_dropped),
                                codes=", ".join(empty_dropped[:5])))
    bad = nonfinite(gdf.geometry.to_numpy())
    nonfinite_dropped = gdf.loc[bad, "kode"].astype(str).tolist()
    if bad.all():
        raise InputError.of("input.boundary.nonfinite_all", file=file)
    if nonfinite_dropped:
        gdf = gdf.loc[~bad]
        notes.append(Message.of("input.boundary.nonfinite", n=len(nonfinite_dropped),
                                codes=codes_text(pd.Series(nonfinite_dropped))))
    return gdf, empty_dropped, nonfinite_dropped


def _build_boundaries(raw: gpd.GeoDataFrame, file: str, overrides: Mapping[str, str] | None) -> BoundaryFile:
    notes: list[Message] = []
    gdf, columns, system = _villages(raw, file, overrides, notes)
    gdf, empty_dropped, nonfinite_dropped = _drop_unusable(gdf, file, notes)
    gdf, source_crs, reprojected, crs_notes = to_wgs84(gdf, file)
    notes += crs_notes
    gdf, outside_dropped = check_extent(gdf, file, source_crs, system, notes)
    gdf, repaired = repair(gdf, file, notes)
    if repaired:
        notes.append(Message.of("input.boundary.repaired", n=repaired))
        lost = shapely.is_empty(gdf.geometry.to_numpy())
        if lost.any():
            empty_dropped += gdf.loc[lost, "kode"].astype(str).tolist()
            gdf = gdf.loc[~lost]
            if gdf.empty:
                raise InputError.of("input.boundary.repair_failed", file=file, n=repaired)
    gdf, duplicate_codes, dissolved, conflicting = merge_duplicates(gdf, notes)
    if gdf.empty:
        raise InputError.of("input.boundary.conflict_all", file=file, rows=conflicting)
    gdf = gdf.set_geometry(
        gpd.GeoSeries(to_multipolygons(gdf.geometry.to_numpy()), index=gdf.index, crs=4326)
    )
    gdf = gdf[["kode", "nama", "nama_kec", "kode_kec", "geometry"]].reset_index(drop=True)
    return BoundaryFile(
        gdf=gdf,
        source_crs=source_crs,
        reprojected=reprojected,
        repaired=repaired,
        empty_dropped=empty_dropped,
        columns=columns,
        code_system=system,
        duplicate_codes=duplicate_codes,
        warnings=notes,
        nonfinite_dropped=nonfinite_dropped,
        outside_dropped=outside_dropped,
        dissolved_codes=dissolved,
        conflicting_codes=conflicting,
    )
