"""Cleaning village geometry: to EPSG:4326, inside Indonesia, valid, one feature per code.

The steps of :func:`geo.io.boundaries.read_boundaries` that look at coordinates. Each
returns what it dropped and appends what the user should know to ``notes`` as
:class:`geo.core.messages.Message` objects (rendered at the edge), and raises a named
:class:`geo.core.errors.InputError` when nothing usable is left.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.core.errors import InputError
from geo.core.messages import Message

__all__ = [
    "EXTENT_MARGIN",
    "INDONESIA_BOUNDS",
    "MAX_PARTS_PER_CODE",
    "MAX_REPAIR_TANGLE",
    "POLYGONAL",
    "PROVINCE_BOUNDS",
    "check_extent",
    "codes_text",
    "merge_duplicates",
    "nonfinite",
    "repair",
    "to_multipolygons",
    "to_wgs84",
]

#: Lon/lat box that plainly contains Indonesia (for files without a CRS).
INDONESIA_BOUNDS: Final = (94.0, -11.5, 142.0, 6.5)
#: Most features one code may be spread over (parts of a village with exclaves); more is a
#: broken file, and dissolving thousands of parts would stall.
MAX_PARTS_PER_CODE: Final = 1_000
#: An invalid geometry whose outline is this many times longer than its bounding box's is
#: a scribble, not a village: repairing it costs time quadratic in its vertices (seconds
#: for a few hundred), so it is dropped and listed instead.
MAX_REPAIR_TANGLE: Final = 40.0
#: Margin (degrees, about 55 km) around Indonesia's box and each province's box.
EXTENT_MARGIN: Final = 0.5
#: Lon/lat box (west, south, east, north) of each province by the first two digits of the
#: Kemendagri code, rounded outward to 0.1° from the 2025 village polygons
#: (cahyadsn/wilayah_boundaries, MIT). A village outside its province's box (with
#: :data:`EXTENT_MARGIN`) means a wrong code or, for most of a file, a CRS that does not fit
#: the coordinates (e.g. UTM 49S coordinates with a UTM 48S ``.prj``).
PROVINCE_BOUNDS: Final[dict[str, tuple[float, float, float, float]]] = {
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
#: Geometry types a village may have.
POLYGONAL: Final = frozenset({"Polygon", "MultiPolygon"})


def to_wgs84(
    gdf: gpd.GeoDataFrame, file: str
) -> tuple[gpd.GeoDataFrame, str | None, bool, list[Message]]:
    """Bring the layer to EPSG:4326; returns (gdf, source_crs, reprojected, warnings).

    A projected CRS whose coordinates all look like degrees is refused: reprojecting them
    would collapse the whole district onto a point near the projection's origin.
    """
    notes: list[Message] = []
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        west, south, east, north = INDONESIA_BOUNDS
        if not (west <= minx <= maxx <= east and south <= miny <= maxy <= north):
            raise InputError.of("input.boundary.no_crs", file=file)
        notes.append(Message.of("input.boundary.assumed_wgs84"))
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
        raise InputError.of("input.boundary.reproject_failed", file=file, crs=source) from exc
    return out, source, True, notes


def codes_text(codes: pd.Series) -> str:
    """The first five codes of a listing, then how many more."""
    shown = [str(c) for c in codes.iloc[:5]]
    more = len(codes) - len(shown)
    return ", ".join(shown) + (f" (+{more})" if more > 0 else "")


def nonfinite(geoms: np.ndarray) -> np.ndarray:
    """Mask of geometries with a NaN or infinite coordinate (GEOS cannot repair them)."""
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    bad = np.zeros(len(geoms), dtype=bool)
    bad[np.unique(index[~np.isfinite(coords).all(axis=1)])] = True
    return bad


def check_extent(
    gdf: gpd.GeoDataFrame, file: str, source_crs: str | None, system: str, notes: list[Message]
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
        notes.append(Message.of("input.boundary.outside", n=len(outside), codes=codes_text(outside)))
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
        notes.append(Message.of("input.boundary.province_some", n=n_away, codes=codes_text(away_codes)))
    return gdf, outside.tolist()


def _polygonal_part(geom: Any) -> Any:
    """Keep only the polygonal parts of a ``make_valid`` result."""
    if geom is None or geom.is_empty or geom.geom_type in POLYGONAL:
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in POLYGONAL]
    return shapely.union_all(parts) if parts else shapely.MultiPolygon()


def to_multipolygons(geoms: np.ndarray) -> np.ndarray:
    """Every Polygon as a one-part MultiPolygon (a layer of one geometry type)."""
    polys = shapely.get_type_id(geoms) == 3  # Polygon
    out = geoms.copy()
    if polys.any():
        out[polys] = shapely.multipolygons(geoms[polys], indices=np.arange(int(polys.sum())))
    return out


def _name_key(value: object) -> str:
    """Village name for comparison: case, spaces and punctuation do not count."""
    return "" if pd.isna(value) else re.sub(r"[^0-9a-z]+", "", str(value).casefold())  # type: ignore[call-overload]


def merge_duplicates(
    gdf: gpd.GeoDataFrame, notes: list[Message]
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
        notes.append(Message.of("input.boundary.dissolved", n=len(dissolved),
                                codes=codes_text(pd.Series(dissolved))))
    if conflicting:
        notes.append(Message.of("input.boundary.conflict", n=len(conflicting),
                                codes=codes_text(pd.Series(conflicting))))
    if too_many:
        notes.append(Message.of("input.boundary.too_many_parts", n=len(too_many),
                                limit=MAX_PARTS_PER_CODE, codes=codes_text(pd.Series(too_many))))
    return gdf, sorted(dissolved + conflicting + too_many), dissolved, conflicting + too_many


def repair(gdf: gpd.GeoDataFrame, file: str, notes: list[Message]) -> tuple[gpd.GeoDataFrame, int]:
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
        notes.append(Message.of("input.boundary.tangled", n=int(hopeless.sum()), codes=codes_text(codes)))
    geoms_all = geoms.copy()
    geoms_all[invalid] = out
    return gdf.set_geometry(gpd.GeoSeries(geoms_all, index=gdf.index, crs=gdf.crs)), repaired

