"""Reading user files: village boundaries (GeoJSON, GeoPackage, shapefile) and tables (CSV, XLSX).

Every problem with a user file becomes a :class:`geo.core.errors.InputError` that names the
file by its base name; raw pandas/pyogrio/zip exceptions never escape.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from geo.core.codes import detect_code_system, normalise_codes
from geo.core.errors import InputError
from geo.core.i18n import t
from geo.core.quality import issues_where
from geo.io.schema import BOUNDARY_ROLES, detect_columns

__all__ = [
    "EXTENT_MARGIN",
    "MAX_FEATURES",
    "MAX_FEATURE_VERTICES",
    "MAX_PARTS_PER_CODE",
    "MAX_REPAIR_TANGLE",
    "MAX_VERTICES",
    "MAX_ZIP_MEMBERS",
    "PROVINCE_BOUNDS",
    "BoundaryFile",
    "parse_numbers",
    "read_boundaries",
    "read_table",
    "to_number",
]

#: Lon/lat box that plainly contains Indonesia (for files without a CRS).
INDONESIA_BOUNDS = (94.0, -11.5, 142.0, 6.5)

# Bounds on the work one boundary file may cause (each yields a named InputError, never a
# hang): the whole of Indonesia is 83,762 villages and, simplified to ~100 m, about two
# million vertices; an upload is at most LOKUS_MAX_UPLOAD_MB (200 MB) anyway.
#: Most features a boundary file may hold (checked before the features are loaded).
MAX_FEATURES = 150_000
#: Most vertices (coordinate pairs) of all features together.
MAX_VERTICES = 20_000_000
#: Most vertices of one feature (a degenerate feature must not stall the repair).
MAX_FEATURE_VERTICES = 2_000_000
#: Most members of a zipped shapefile (a shapefile has a handful of files).
MAX_ZIP_MEMBERS = 1_000
#: Most features one code may be spread over (parts of a village with exclaves); more is a
#: broken file, and dissolving thousands of parts would stall.
MAX_PARTS_PER_CODE = 1_000
#: An invalid geometry whose outline is this many times longer than its bounding box's is
#: a scribble, not a village: repairing it costs time quadratic in its vertices (seconds
#: for a few hundred), so it is dropped and listed instead.
MAX_REPAIR_TANGLE = 40.0
#: Margin (degrees, about 55 km) around Indonesia's box and each province's box.
EXTENT_MARGIN = 0.5
#: Lon/lat box (west, south, east, north) of each province by the first two digits of the
#: Kemendagri code, rounded outward to 0.1° from the 2025 village polygons
#: (cahyadsn/wilayah_boundaries, MIT). A village outside its province's box (with
#: :data:`EXTENT_MARGIN`) means a wrong code or, for most of a file, a CRS that does not fit
#: the coordinates (e.g. UTM 49S coordinates with a UTM 48S ``.prj``).
PROVINCE_BOUNDS: dict[str, tuple[float, float, float, float]] = {
    "11": (94.9, 1.9, 98.3, 6.1), "12": (97.0, -0.7, 100.5, 4.4),
    "13": (98.5, -3.6, 101.9, 1.0), "14": (100.0, -1.2, 103.9, 3.0),
    "15": (101.1, -2.8, 104.6, -0.7), "16": (102.0, -5.0, 106.3, -1.6),
    "17": (101.0, -5.6, 103.8, -2.2), "18": (103.5, -6.2, 106.3, -3.7),
    "19": (105.1, -3.5, 108.9, -1.4), "21": (103.2, -1.3, 109.2, 4.8),
    "31": (106.3, -6.4, 107.0, -5.2), "32": (106.3, -7.9, 108.9, -5.8),
    "33": (108.5, -8.3, 111.7, -5.7), "34": (110.0, -8.3, 110.9, -7.5),
    "35": (110.8, -8.8, 116.3, -5.0), "36": (105.1, -7.1, 106.8, -5.8),
    "51": (114.4, -8.9, 115.8, -8.0), "52": (115.8, -9.2, 119.4, -8.0),
    "53": (118.9, -11.1, 125.2, -7.7), "61": (108.6, -3.1, 114.3, 2.1),
    "62": (110.7, -3.6, 115.9, 0.8), "63": (114.3, -5.0, 117.5, -1.3),
    "64": (113.8, -2.5, 119.1, 2.6), "65": (114.5, 1.1, 118.0, 4.5),
    "71": (123.1, 0.2, 127.2, 5.6), "72": (119.4, -3.7, 124.2, 1.4),
    "73": (117.0, -7.8, 122.3, -1.9), "74": (120.8, -6.3, 124.7, -2.7),
    "75": (121.1, 0.3, 123.6, 1.1), "76": (117.0, -3.6, 119.9, -0.8),
    "81": (125.7, -8.4, 135.0, -2.7), "82": (124.2, -2.5, 130.0, 2.7),
    "91": (134.2, -4.2, 141.1, 1.0), "92": (131.5, -4.4, 135.3, -0.7),
    "93": (137.6, -9.2, 141.1, -4.5), "94": (134.5, -5.3, 138.4, -2.2),
    "95": (137.7, -5.4, 141.1, -3.1), "96": (129.3, -2.3, 133.5, 1.1),
}
#: Uncompressed size limit for an XLSX workbook (a zip too): guards against zip bombs.
MAX_XLSX_UNZIPPED_BYTES = 500_000_000
#: A village table has a row per village (and year) — Indonesia has 83,403 villages — and a few
#: dozen columns; a grid beyond these is refused with a message rather than cleaned for minutes.
MAX_TABLE_ROWS = 1_000_000
MAX_TABLE_COLUMNS = 1_000

_ZIP_MAGIC = b"PK\x03\x04"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
_POLYGONAL = {"Polygon", "MultiPolygon"}


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
        Sentences in Bahasa Indonesia for the user.
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
    warnings: list[str] = field(default_factory=list)
    nonfinite_dropped: list[str] = field(default_factory=list)
    outside_dropped: list[str] = field(default_factory=list)
    dissolved_codes: list[str] = field(default_factory=list)
    conflicting_codes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- helpers


def _base_name(path: Path, display_name: str | None) -> str:
    # Only ever show the base name: a server path must not leak into messages.
    return PurePosixPath(str(display_name or path.name).replace("\\", "/")).name


def _head(path: Path, file: str, n: int = 16) -> bytes:
    try:
        with path.open("rb") as handle:
            head = handle.read(n)
    except OSError as exc:
        raise InputError("berkas tidak bisa dibuka.", file=file) from exc
    if not head:
        raise InputError("berkas kosong.", file=file)
    return head


def _unsafe_member(name: str) -> bool:
    """Zip-slip check: absolute paths, drive letters and ``..`` components."""
    name = name.replace("\\", "/")
    return (
        name.startswith("/")
        or re.match(r"^[A-Za-z]:", name) is not None
        or ".." in name.split("/")
    )


def _too_big(max_bytes: int) -> str:
    return f"isi zip terlalu besar setelah diekstrak (batas {max_bytes:,} bita)."


def _check_zip(archive: zipfile.ZipFile, file: str, max_bytes: int) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    bad = [m.filename for m in members if _unsafe_member(m.filename)]
    if bad:
        raise InputError(
            "zip berisi jalur berkas yang tidak aman (absolut atau '..').", file=file, rows=bad
        )
    if sum(m.file_size for m in members) > max_bytes:
        raise InputError(_too_big(max_bytes), file=file)
    return members


def _extract_zip(path: Path, target: Path, file: str, max_bytes: int) -> None:
    """Extract safely, also counting the bytes actually written (headers can lie)."""
    written = 0
    try:
        with zipfile.ZipFile(path) as archive:
            members = _check_zip(archive, file, max_bytes)
            if len(members) > MAX_ZIP_MEMBERS:
                raise InputError.of("input.boundary.zip_members", file=file,
                                    n=len(members), limit=MAX_ZIP_MEMBERS)
            for member in members:
                if member.is_dir():
                    continue
                out = target / member.filename.replace("\\", "/")
                out.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as src, out.open("wb") as dst:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > max_bytes:
                            raise InputError(_too_big(max_bytes), file=file)
                        dst.write(chunk)
    except InputError:
        raise
    except zlib.error as exc:  # a corrupt deflate stream inside an intact zip directory
        raise InputError.of("input.boundary.zip_corrupt", file=file) from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, OSError, EOFError,
            NotImplementedError, ValueError) as exc:
        # RuntimeError: encrypted member; OSError/EOFError: truncated or corrupt data;
        # NotImplementedError: unsupported compression method; ValueError: bad header values.
        raise InputError("berkas zip rusak atau terkunci kata sandi.", file=file) from exc


def _find_shapefile(folder: Path, file: str) -> Path:
    shps = sorted(
        p for p in folder.rglob("*")
        if p.suffix.lower() == ".shp" and "__MACOSX" not in p.parts and not p.name.startswith("._")
    )
    if not shps:
        raise InputError("zip tidak berisi shapefile (.shp).", file=file)
    if len(shps) > 1:
        raise InputError(
            "zip berisi lebih dari satu shapefile; unggah satu saja.",
            file=file,
            rows=[p.relative_to(folder).as_posix() for p in shps],
        )
    return shps[0]


def _check_sidecars(shp: Path, file: str) -> None:
    present = {p.suffix.lower() for p in shp.parent.iterdir() if p.stem == shp.stem}
    missing = [ext for ext in (".shx", ".dbf") if ext not in present]
    if missing:
        raise InputError(
            "shapefile tidak lengkap: berkas pendamping " + " dan ".join(missing) + " tidak ada.",
            file=file,
        )


def _gpkg_layer(path: Path, file: str) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL warns about odd SQLite files
            layers = pyogrio.list_layers(path)
    except Exception as exc:
        raise InputError("GeoPackage tidak bisa dibaca.", file=file) from exc
    if len(layers) == 0:
        raise InputError("GeoPackage tidak berisi layer.", file=file)
    if len(layers) == 1:
        return str(layers[0][0])
    for name, geom_type in layers:
        if geom_type and "polygon" in str(geom_type).lower():
            return str(name)
    raise InputError(
        "GeoPackage tidak berisi layer poligon.", file=file, rows=[str(n) for n, _ in layers]
    )


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
        raise InputError(
            "berkas tidak bisa dibaca sebagai peta batas desa (GeoJSON, GeoPackage atau "
            "shapefile dalam zip).",
            file=file,
        ) from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf:
        raise InputError("berkas tidak berisi geometri.", file=file)
    if len(gdf) == 0:
        raise InputError("berkas tidak berisi satu pun fitur.", file=file)
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


def _load_any(path: Path, file: str, workdir: Path, max_bytes: int) -> gpd.GeoDataFrame:
    """Dispatch on content first (zip, GeoPackage), then on extension."""
    head = _head(path, file)
    suffix = path.suffix.lower()
    if head.startswith(_ZIP_MAGIC):
        _extract_zip(path, workdir, file, max_bytes)
        shp = _find_shapefile(workdir, file)
        _check_sidecars(shp, file)
        return _read_vector(shp, file)
    if head.startswith(_SQLITE_MAGIC):
        return _read_vector(path, file, _gpkg_layer(path, file))
    if suffix == ".shp":
        _check_sidecars(path, file)
        return _read_vector(path, file)
    if suffix in {".geojson", ".json"} or head.lstrip().startswith(b"{"):
        return _read_vector(path, file)
    raise InputError(
        "format tidak dikenali; gunakan GeoJSON, GeoPackage (.gpkg) atau shapefile dalam .zip.",
        file=file,
    )


def _to_wgs84(
    gdf: gpd.GeoDataFrame, file: str
) -> tuple[gpd.GeoDataFrame, str | None, bool, list[str]]:
    """Bring the layer to EPSG:4326; returns (gdf, source_crs, reprojected, warnings).

    A projected CRS whose coordinates all look like degrees is refused: reprojecting them
    would collapse the whole district onto a point near the projection's origin.
    """
    notes: list[str] = []
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        west, south, east, north = INDONESIA_BOUNDS
        if not (west <= minx <= maxx <= east and south <= miny <= maxy <= north):
            raise InputError(
                "peta tidak punya CRS (.prj) dan koordinatnya bukan derajat bujur/lintang di "
                "Indonesia; sertakan berkas .prj.",
                file=file,
            )
        notes.append(
            "Peta tidak punya CRS (.prj); koordinat dianggap derajat bujur/lintang (EPSG:4326)."
        )
        return gdf.set_crs(4326), None, False, notes
    source = gdf.crs.to_string()
    crs = CRS.from_user_input(gdf.crs)
    if crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return gdf.set_crs(4326, allow_override=True), source, False, notes
    if crs.is_projected:
        minx, miny, maxx, maxy = gdf.total_bounds
        if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
            raise InputError.of("input.boundary.crs_degrees", file=file, crs=source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PROJ warns about points outside its domain
            out = gdf.to_crs(4326)
    except Exception as exc:
        raise InputError(
            f"koordinat tidak bisa diubah dari {source} ke EPSG:4326.", file=file
        ) from exc
    return out, source, True, notes


def _codes_text(codes: pd.Series) -> str:
    """The first five codes of a listing, then how many more."""
    shown = [str(c) for c in codes.iloc[:5]]
    more = len(codes) - len(shown)
    return ", ".join(shown) + (f" (+{more})" if more > 0 else "")


def _nonfinite(geoms: np.ndarray) -> np.ndarray:
    """Mask of geometries with a NaN or infinite coordinate (GEOS cannot repair them)."""
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    bad = np.zeros(len(geoms), dtype=bool)
    bad[np.unique(index[~np.isfinite(coords).all(axis=1)])] = True
    return bad


def _check_extent(
    gdf: gpd.GeoDataFrame, file: str, source_crs: str | None, system: str, notes: list[str]
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Drop (and list) features outside Indonesia; refuse a file whose CRS does not fit.

    After reprojection to EPSG:4326: features outside Indonesia's box (with
    :data:`EXTENT_MARGIN`) are dropped and named, all of them outside refuses the file.
    With Kemendagri codes each feature is also compared with its province's box
    (:data:`PROVINCE_BOUNDS`): half or more of the features away from their province
    means the declared CRS does not fit the coordinates (a wrong UTM zone lands hundreds
    of kilometres away, still "in Indonesia"); fewer are a warning naming them.
    """
    crs_text = source_crs or "EPSG:4326"
    bounds = shapely.bounds(gdf.geometry.to_numpy())
    west, south, east, north = INDONESIA_BOUNDS
    m = EXTENT_MARGIN
    with np.errstate(invalid="ignore"):
        inside = (
            np.isfinite(bounds).all(axis=1)
            & (bounds[:, 0] >= west - m) & (bounds[:, 2] <= east + m)
            & (bounds[:, 1] >= south - m) & (bounds[:, 3] <= north + m)
        )
    if not inside.any():
        raise InputError.of("input.boundary.outside_all", file=file, crs=crs_text)
    outside = gdf.loc[~inside, "kode"].astype(str)
    if len(outside):
        notes.append(t("input.boundary.outside", n=len(outside), codes=_codes_text(outside)))
        gdf = gdf.loc[inside]
        bounds = bounds[inside]
    if system != "kemendagri":
        return gdf, outside.tolist()
    boxes = np.array([PROVINCE_BOUNDS.get(str(k)[:2], (np.nan,) * 4) for k in gdf["kode"]],
                     dtype=float).reshape(-1, 4)
    known = np.isfinite(boxes).all(axis=1)
    with np.errstate(invalid="ignore"):
        away = known & (
            (bounds[:, 2] < boxes[:, 0] - m) | (bounds[:, 0] > boxes[:, 2] + m)
            | (bounds[:, 3] < boxes[:, 1] - m) | (bounds[:, 1] > boxes[:, 3] + m)
        )
    n_away, n_known = int(away.sum()), int(known.sum())
    if n_away and 2 * n_away >= n_known:
        first = int(np.flatnonzero(away)[0])
        centre = gdf.geometry.iloc[first].envelope.centroid
        raise InputError.of(
            "input.boundary.province", file=file, n=n_away, total=n_known,
            code=str(gdf["kode"].iloc[first]), lon=f"{centre.x:.2f}", lat=f"{centre.y:.2f}",
            crs=crs_text,
        )
    if n_away:
        away_codes = gdf.loc[away, "kode"].astype(str)
        notes.append(t("input.boundary.province_some", n=n_away, codes=_codes_text(away_codes)))
    return gdf, outside.tolist()


def _polygonal_part(geom: Any) -> Any:
    """Keep only the polygonal parts of a ``make_valid`` result."""
    if geom is None or geom.is_empty or geom.geom_type in _POLYGONAL:
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in _POLYGONAL]
    return shapely.union_all(parts) if parts else shapely.MultiPolygon()


def _to_multipolygons(geoms: np.ndarray) -> np.ndarray:
    polys = shapely.get_type_id(geoms) == 3  # Polygon
    out = geoms.copy()
    if polys.any():
        out[polys] = shapely.multipolygons(geoms[polys], indices=np.arange(int(polys.sum())))
    return out


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
    """How a user sees a feature: 1-based number and the code value."""
    shown = "(kosong)" if pd.isna(value) else f"'{value}'"  # type: ignore[call-overload]
    return f"fitur {position + 1}: {shown}"


def _resolve_codes(
    raw: pd.Series, file: str, column: str
) -> tuple[pd.Series, str]:
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
        raise InputError(
            f"{int(bad.sum())} fitur punya kode desa kosong atau bukan kode Kemendagri 10 digit "
            "(PP.KK.CC.DDDD).",
            file=file,
            column=column,
            rows=rows,
        )
    return codes.astype("string"), system


# --------------------------------------------------------------------------- boundaries


def max_unzipped_default() -> int:
    """Zip expansion limit from ``LOKUS_MAX_UNZIPPED_MB`` (default 1000 MB)."""
    try:
        mb = float(os.environ.get("LOKUS_MAX_UNZIPPED_MB") or 1000)
    except ValueError:
        mb = 1000
    return int(max(mb, 1) * 1024 * 1024)


def read_boundaries(
    path: str | Path,
    *,
    display_name: str | None = None,
    overrides: Mapping[str, str] | None = None,
    max_unzipped_bytes: int | None = None,
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
    max_unzipped_bytes
        Limit on the summed uncompressed size of a zip; default ``LOKUS_MAX_UNZIPPED_MB``
        (1000 MB when unset).

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
    file = _base_name(path, display_name)
    with tempfile.TemporaryDirectory(prefix="lokus-") as tmp:
        limit = max_unzipped_bytes if max_unzipped_bytes is not None else max_unzipped_default()
        raw = _load_any(path, file, Path(tmp), limit)
        raw = raw.reset_index(drop=True)
        # Materialise while the temp dir exists (the frame is in memory already).
        return _build_boundaries(raw, file, overrides)


def _name_key(value: object) -> str:
    """Village name for comparison: case, spaces and punctuation do not count."""
    return "" if pd.isna(value) else re.sub(r"[^0-9a-z]+", "", str(value).casefold())  # type: ignore[call-overload]


def _merge_duplicates(
    gdf: gpd.GeoDataFrame, notes: list[str]
) -> tuple[gpd.GeoDataFrame, list[str], list[str], list[str]]:
    """One feature per code: ``(gdf, duplicate_codes, dissolved, conflicting)``.

    Features sharing a code whose village names agree (empty names do not disagree) are
    one village in several parts (an exclave): they are dissolved into one MultiPolygon.
    Features sharing a code but naming different villages cannot be told apart: all of
    them are dropped and listed, so no polygon gets another village's data.
    """
    dup_mask = gdf["kode"].duplicated(keep=False).to_numpy()
    if not dup_mask.any():
        return gdf, [], [], []
    dups = gdf.loc[dup_mask]
    dissolved: list[str] = []
    conflicting: list[str] = []
    too_many: list[str] = []
    merged_rows = []
    for code, group in dups.groupby("kode", sort=True):
        names = {_name_key(n) for n in group["nama"]} - {""}
        if len(group) > MAX_PARTS_PER_CODE:
            too_many.append(str(code))
            continue
        if len(names) > 1:
            conflicting.append(str(code))
            continue
        dissolved.append(str(code))
        first = group.iloc[0].copy()
        first["nama"] = next((n for n in group["nama"] if pd.notna(n)), first["nama"])
        parts = group.geometry.to_numpy()
        # identical copies of one polygon are common in broken exports: union them once
        _, unique = np.unique(shapely.to_wkb(parts), return_index=True)
        union = _polygonal_part(shapely.union_all(parts[np.sort(unique)]))
        first["geometry"] = union
        merged_rows.append(first)
    keep = gdf.loc[~dup_mask]
    if merged_rows:
        merged = gpd.GeoDataFrame(merged_rows, geometry="geometry", crs=gdf.crs)
        keep = pd.concat([keep, merged])
    # keep the file's order: each code where it first appeared
    order = gdf["kode"].drop_duplicates()
    keep = keep.set_index("kode", drop=False).loc[[c for c in order if c in set(keep["kode"])]]
    gdf = gpd.GeoDataFrame(keep.reset_index(drop=True), geometry="geometry", crs=gdf.crs)
    if dissolved:
        notes.append(t("input.boundary.dissolved", n=len(dissolved),
                       codes=_codes_text(pd.Series(dissolved))))
    if conflicting:
        notes.append(t("input.boundary.conflict", n=len(conflicting),
                       codes=_codes_text(pd.Series(conflicting))))
    if too_many:
        notes.append(t("input.boundary.too_many_parts", n=len(too_many), limit=MAX_PARTS_PER_CODE,
                       codes=_codes_text(pd.Series(too_many))))
    return gdf, sorted(dissolved + conflicting + too_many), dissolved, conflicting + too_many


def _repair(gdf: gpd.GeoDataFrame, file: str, notes: list[str]) -> tuple[gpd.GeoDataFrame, int]:
    """``make_valid`` the invalid geometries, keeping their polygonal parts.

    Invalid geometries without area or tangled beyond :data:`MAX_REPAIR_TANGLE` are
    emptied (then dropped and listed by the caller) instead: repairing them yields
    nothing usable and may take minutes.
    """
    geoms = gdf.geometry.to_numpy()
    invalid = ~shapely.is_valid(geoms)
    repaired = int(invalid.sum())
    if not repaired:
        return gdf, 0
    bad = geoms[invalid]
    bounds = shapely.bounds(bad)
    frame = 2 * ((bounds[:, 2] - bounds[:, 0]) + (bounds[:, 3] - bounds[:, 1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        tangle = shapely.length(bad) / frame
    # a hull without area: all points on one line (a bowtie's own area is 0 too, its hull's not)
    hopeless = (shapely.area(shapely.convex_hull(bad)) <= 0) | ~(tangle <= MAX_REPAIR_TANGLE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GEOS warnings on odd rings are not for the user
            # "structure" is near-linear on the usual faults (bowties, overlapping rings)
            fixed = shapely.make_valid(bad[~hopeless], method="structure", keep_collapsed=False)
    except shapely.errors.GEOSException as exc:
        raise InputError.of("input.boundary.repair_failed", file=file, n=repaired) from exc
    out = np.array([shapely.MultiPolygon()] * len(bad), dtype=object)
    out[~hopeless] = [_polygonal_part(g) for g in fixed]
    if hopeless.any():
        codes = gdf.loc[invalid, "kode"].astype(str)[hopeless]
        notes.append(t("input.boundary.tangled", n=int(hopeless.sum()), codes=_codes_text(codes)))
    geoms_all = geoms.copy()
    geoms_all[invalid] = out
    return gdf.set_geometry(gpd.GeoSeries(geoms_all, index=gdf.index, crs=gdf.crs)), repaired


def _build_boundaries(
    raw: gpd.GeoDataFrame, file: str, overrides: Mapping[str, str] | None
) -> BoundaryFile:
    attrs = [c for c in raw.columns if c != raw.geometry.name]
    columns = detect_columns(attrs, BOUNDARY_ROLES, overrides, file=file)
    if "kode" not in columns:
        raise InputError(
            "kolom kode desa tidak ditemukan (mis. KDEPUM atau kode); kolom yang tersedia: "
            + ", ".join(map(str, attrs)),
            file=file,
        )
    codes, system = _resolve_codes(raw[columns["kode"]], file, columns["kode"])

    geoms = shapely.force_2d(raw.geometry.to_numpy())
    _check_work(geoms, file)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    found = set(gpd.GeoSeries(geoms[present]).geom_type)
    other = sorted(found - _POLYGONAL)
    if other:
        raise InputError(
            "peta batas desa harus berisi poligon, tetapi berisi geometri: "
            + ", ".join(other)
            + ".",
            file=file,
        )

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

    notes: list[str] = []
    if "nama" not in columns:
        notes.append("Kolom nama desa tidak ditemukan; peta ditampilkan tanpa nama desa.")
    if system == "bps":
        notes.append(
            "Kode desa di peta memakai sistem BPS, bukan Kemendagri; peta ini tidak bisa "
            "digabung langsung dengan data berkode Kemendagri."
        )

    empty_dropped = gdf.loc[~present, "kode"].astype(str).tolist()
    gdf = gdf.loc[present]
    if empty_dropped:
        notes.append(
            f"{len(empty_dropped)} fitur tanpa geometri dibuang: " + ", ".join(empty_dropped[:5])
        )

    # NaN/Inf coordinates: GEOS cannot validate or repair them, so such features go first
    bad = _nonfinite(gdf.geometry.to_numpy())
    nonfinite_dropped = gdf.loc[bad, "kode"].astype(str).tolist()
    if bad.all():
        raise InputError.of("input.boundary.nonfinite_all", file=file)
    if nonfinite_dropped:
        gdf = gdf.loc[~bad]
        notes.append(t("input.boundary.nonfinite", n=len(nonfinite_dropped),
                       codes=_codes_text(pd.Series(nonfinite_dropped))))

    gdf, source_crs, reprojected, crs_notes = _to_wgs84(gdf, file)
    notes += crs_notes
    gdf, outside_dropped = _check_extent(gdf, file, source_crs, system, notes)

    gdf, repaired = _repair(gdf, file, notes)
    if repaired:
        notes.append(f"{repaired} geometri tidak valid diperbaiki otomatis.")
        lost = shapely.is_empty(gdf.geometry.to_numpy())
        if lost.any():
            empty_dropped += gdf.loc[lost, "kode"].astype(str).tolist()
            gdf = gdf.loc[~lost]
            if gdf.empty:
                raise InputError.of("input.boundary.repair_failed", file=file, n=repaired)
    gdf, duplicate_codes, dissolved, conflicting = _merge_duplicates(gdf, notes)
    if gdf.empty:
        raise InputError.of("input.boundary.conflict_all", file=file, rows=conflicting)
    gdf = gdf.set_geometry(
        gpd.GeoSeries(_to_multipolygons(gdf.geometry.to_numpy()), index=gdf.index, crs=4326)
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


# --------------------------------------------------------------------------- tables


def _decode(data: bytes, file: str) -> str:
    sample = data[:65536]
    controls = sum(b < 32 and b not in (9, 10, 12, 13) for b in sample)
    if b"\x00" in sample or controls > len(sample) // 100:
        raise InputError("berkas bukan CSV teks atau XLSX.", file=file)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # never fails: every byte is a character


def _sniff_separator(text: str) -> str:
    """Most frequent of ``;``, ``,``, tab in the header line; comma on a tie."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def _read_csv_rows(data: bytes, file: str) -> pd.DataFrame:
    text = _decode(data, file)
    if not text.strip():
        raise InputError("berkas kosong.", file=file)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=_sniff_separator(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except pd.errors.ParserError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputError(
            "jumlah kolom tidak sama di setiap baris CSV.",
            file=file,
            rows=[int(line.group(1))] if line else [],
        ) from exc
    except (ValueError, csv.Error) as exc:
        raise InputError("berkas tidak bisa dibaca sebagai CSV.", file=file) from exc
    return frame


def _cell_text(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 3211012001.0 stored as a number -> "3211012001"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _read_xlsx_rows(path: Path, file: str, sheet: str | int | None) -> pd.DataFrame:
    try:
        with zipfile.ZipFile(path) as archive:
            _check_zip(archive, file, MAX_XLSX_UNZIPPED_BYTES)
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except InputError:
        raise
    except Exception as exc:
        raise InputError("berkas tidak bisa dibaca sebagai XLSX.", file=file) from exc
    try:
        names = book.sheetnames
        if sheet is None:
            sheet = 0
        if isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise InputError(f"lembar ke-{sheet + 1} tidak ada.", file=file, rows=names)
            sheet = names[sheet]
        if sheet not in names:
            raise InputError(f"lembar '{sheet}' tidak ada.", file=file, rows=names)
        ws = book[sheet]
        # Trust the cells, not the sheet's declared size: a size of A1:XFD… pads every row
        # to 16,384 cells. Empty rows still come as [] (row numbers stay right).
        ws.reset_dimensions()
        rows = []
        for row in ws.iter_rows(min_row=1, values_only=True):
            values = list(row)
            while values and values[-1] is None:
                values.pop()
            _check_table_size(len(rows) + 1, len(values), file)
            rows.append([_cell_text(v) for v in values])
    except InputError:
        raise
    except Exception as exc:
        raise InputError("isi XLSX tidak bisa dibaca.", file=file) from exc
    finally:
        book.close()
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)


def _check_table_size(rows: int, columns: int, file: str) -> None:
    """Refuse a grid beyond :data:`MAX_TABLE_ROWS` × :data:`MAX_TABLE_COLUMNS` (before the
    per-column cleaning, which would take minutes on such a grid)."""
    if columns > MAX_TABLE_COLUMNS:
        raise InputError.of("table.error.too_wide", file=file, n=columns, limit=MAX_TABLE_COLUMNS)
    if rows > MAX_TABLE_ROWS:
        raise InputError.of("table.error.too_long", file=file, limit=MAX_TABLE_ROWS)


def _frame_from_rows(grid: pd.DataFrame, file: str) -> pd.DataFrame:
    """First non-empty row = header; ``_row`` = spreadsheet row number (1-based)."""
    _check_table_size(len(grid), grid.shape[1], file)
    grid = grid.astype("string")
    grid = grid.apply(lambda s: s.str.strip()).replace("", pd.NA)
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    filled = grid.notna().any(axis=1)
    if not filled.any():
        raise InputError("berkas kosong.", file=file)
    header_at = int(filled.idxmax())
    header = grid.loc[header_at]
    body = grid.loc[header_at + 1 :]
    keep = [c for c in grid.columns if pd.notna(header[c]) or body[c].notna().any()]
    names = [
        str(header[c]) if pd.notna(header[c]) else f"kolom_{i + 1}" for i, c in enumerate(keep)
    ]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise InputError("ada nama kolom yang sama lebih dari sekali.", file=file, rows=dups)
    table = body[keep].set_axis(names, axis=1)
    table = table.loc[table.notna().any(axis=1)]
    if table.empty:
        raise InputError("tidak ada baris data di bawah baris judul kolom.", file=file)
    table.insert(len(names), "_row", table.index.astype("int64"))
    return table.reset_index(drop=True)


def read_table(
    path: str | Path, *, display_name: str | None = None, sheet: str | int | None = None
) -> pd.DataFrame:
    """Read a CSV or XLSX village table with every column as text.

    CSV: separator sniffed from the header line (``,`` ``;`` or tab), UTF-8 with or
    without BOM, falling back to cp1252/Latin-1.  XLSX: first sheet unless ``sheet``
    names one (name or 0-based index); numeric cells become text (integral floats without
    ``.0``).  The first non-empty row is the header.  Headers and values are stripped;
    empty cells are NA; fully empty rows are dropped.

    Returns
    -------
    pandas.DataFrame
        ``string`` columns plus ``_row``: the spreadsheet row number of each record
        (header on row 1 -> first data row is 2).

    Raises
    ------
    InputError
        Empty file, no data rows, not CSV/XLSX, broken CSV structure, missing sheet,
        duplicate headers.
    """
    path = Path(path)
    file = _base_name(path, display_name)
    head = _head(path, file, 8)
    if head.startswith(_OLE_MAGIC):
        raise InputError(
            "format .xls lama tidak didukung; simpan ulang sebagai .xlsx atau CSV.", file=file
        )
    if head.startswith(_ZIP_MAGIC):
        grid = _read_xlsx_rows(path, file, sheet)
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError("berkas tidak bisa dibuka.", file=file) from exc
        grid = _read_csv_rows(data, file)
    return _frame_from_rows(grid, file)


# --------------------------------------------------------------------------- numbers

_GROUPED = r"[+-]?\d{1,3}(?:\.\d{3})+"
_COMMA_DECIMAL = rf"(?:{_GROUPED}|[+-]?\d+),\d+"
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


def to_number(
    series: pd.Series,
    *,
    file: str | None,
    column: str,
    rows: pd.Series | None = None,
) -> pd.Series:
    """Parse a text column of counts or rates into float64.

    Rule for the dot and the comma:

    * a comma is always the decimal separator (``12,5`` -> 12.5);
    * a dot is a thousands separator (``1.234`` -> 1234) only in values shaped like
      grouped thousands (``^\\d{1,3}(\\.\\d{3})+$``, optionally followed by ``,decimals``)
      and only if the column as a whole uses a decimal comma, or every non-empty value
      is grouped thousands, or the value has several dots (``1.234.567``);
    * otherwise a dot is a decimal point (``12.5``, ``3211012001.0``).

    Surrounding spaces and a ``%`` suffix are stripped; empty cells and a lone ``-``
    (the usual "nil" in Indonesian tables) become NaN.

    Parameters
    ----------
    series
        Text values.
    file, column
        For error messages.
    rows
        Spreadsheet row numbers aligned with ``series`` (the ``_row`` column), used in
        error messages; without it the offending values are listed.

    Raises
    ------
    InputError
        If a non-empty value is not a number.
    """
    values, bad = parse_numbers(series)
    if bad.any():
        text = series.astype("string").str.strip()
        first = text[bad].iloc[0]
        where = rows[bad].tolist() if rows is not None else text[bad].tolist()
        raise InputError(
            f"berisi {int(bad.sum())} nilai yang bukan angka, mis. '{first}'.",
            file=file,
            column=column,
            rows=where,
        )
    return values


def parse_numbers(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a text column of counts or rates without raising: ``(values, bad)``.

    ``values`` is float64 (NaN for empty cells and for the cells that are not numbers);
    ``bad`` is a boolean Series marking the non-empty cells that are not numbers, so a
    caller can exclude and list them (:mod:`geo.core.quality`) instead of refusing the file.
    The dot/comma rule is the one of :func:`to_number`.
    """
    text = series.astype("string").str.strip().str.replace(r"\s*%$", "", regex=True)
    text = text.str.replace("\u00a0", "", regex=False).str.strip()
    text = text.mask(text.isin(["", "-"]))
    present = text.notna()
    grouped = text.str.fullmatch(_GROUPED).fillna(False).astype(bool)
    comma_col = bool(text.str.fullmatch(_COMMA_DECIMAL).fillna(False).any())
    all_grouped = bool(present.any() and grouped[present].all())
    thousands = text.str.fullmatch(rf"{_GROUPED}(?:,\d+)?").fillna(False).astype(bool)
    if not (comma_col or all_grouped):
        thousands &= text.str.count(r"\.").fillna(0) >= 2
    clean = text.where(~thousands, text.str.replace(".", "", regex=False))
    clean = clean.str.replace(",", ".", regex=False)
    ok = clean.str.fullmatch(_NUMBER).fillna(False).astype(bool)
    bad = (present & ~ok).astype(bool)
    values = pd.to_numeric(clean.where(ok).astype(object), errors="coerce")
    out = pd.Series(values, index=series.index, dtype="float64")
    return out, pd.Series(bad.to_numpy(), index=series.index)



#: Largest count a village row can hold: far above any village's children or families,
#: far below what overflows a sum (1e308) — anything above is a typing or export error.
MAX_COUNT = 1_000_000
#: First year a table may carry (the e-PPGBM and Web Aksi era starts well after it).
MIN_YEAR = 1990


def clean_numbers(
    series: pd.Series,
    *,
    file: str,
    column: str,
    rows: pd.Series,
    kind: str = "count",
) -> tuple[pd.Series, list[pd.DataFrame]]:
    """Parse a number column and leave out (as NaN) every cell that cannot be used.

    Never raises for a bad cell: each one is logged as a ``cell`` issue
    (:func:`geo.core.quality.issues_where`) with its spreadsheet row, the column and the value
    as written. Rules by ``kind``:

    * ``"count"``: not a number (``not_number``), below zero (``negative``), not whole
      (``fractional_count``: 12,7 children), above :data:`MAX_COUNT` or not finite
      (``out_of_range``: 1e308, 1e309);
    * ``"percent"``: not a number, or outside 0–100 (``out_of_range``; below zero too);
    * ``"share"``: like ``"percent"`` but the column may be a share 0–1 — the caller
      decides; here only not-a-number, negative and non-finite values are left out.

    Returns
    -------
    (values, issues)
        float64 values (NaN where empty or left out) and the issue tables.
    """
    values, bad = parse_numbers(series)
    text = series.astype("string").str.strip()
    out_of_range = ~np.isfinite(values) & values.notna()
    checks: list[tuple[pd.Series, str]] = [(bad, "not_number")]
    finite = values.where(~out_of_range)
    if kind == "count":
        checks += [(finite < 0, "negative"),
                   ((finite >= 0) & (finite % 1 != 0), "fractional_count"),
                   (out_of_range | (finite > MAX_COUNT), "out_of_range")]
    elif kind == "percent":
        checks += [(out_of_range | (finite < 0) | (finite > 100), "out_of_range")]
    else:
        checks += [(out_of_range | (finite < 0), "out_of_range")]
    issues = []
    drop = pd.Series(False, index=series.index)
    for mask, reason in checks:
        mask = mask.fillna(False).astype(bool) & ~drop  # one reason per cell, the first
        if mask.any():
            issues.append(issues_where(mask, file=file, rows=rows, reason=reason, column=column,
                                       values=text, scope="cell"))
            drop |= mask
    return values.mask(drop), issues


def clean_years(
    series: pd.Series,
    *,
    file: str,
    column: str,
    rows: pd.Series,
    default: int | None = None,
    today: date | None = None,
) -> tuple[pd.Series, pd.Series, list[pd.DataFrame]]:
    """Parse a year column; rows with an unusable year are left out (``row`` issues).

    A year must be a whole number from :data:`MIN_YEAR` to next year (a table may be
    prepared for the coming year, never for 2099). An empty cell takes ``default`` when
    given, else it is ``year_missing``.

    Returns
    -------
    (years, keep, issues)
        ``Int64`` years (NA where left out), the rows kept, and the issue tables.
    """
    values, bad = parse_numbers(series)
    text = series.astype("string").str.strip()
    last = (today or date.today()).year + 1
    empty = values.isna() & ~bad
    if default is not None:
        values = values.where(~empty, float(default))
        empty = pd.Series(False, index=series.index)
    finite = values.where(np.isfinite(values))
    invalid = (bad | (values.notna() & (finite.isna() | (finite % 1 != 0) | (finite < MIN_YEAR)
                                        | (finite > last)))).fillna(True).astype(bool) & ~empty
    issues = [issues_where(invalid, file=file, rows=rows, reason="year_invalid", column=column,
                           values=text),
              issues_where(empty, file=file, rows=rows, reason="year_missing", column=column)]
    keep = ~(invalid | empty)
    years = pd.array(np.where(keep, finite.fillna(0), 0).astype("int64"), dtype="Int64")
    years = pd.Series(years, index=series.index).where(keep)
    return years.astype("Int64"), keep, [i for i in issues if len(i)]
