"""Geometry prepared once for the web map: simplified, rounded GeoJSON and outlines."""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

__all__ = ["MapGeometry", "View", "decimals_for", "fit_view", "prepare_map_geometry"]


@dataclass(frozen=True)
class View:
    """Map centre and zoom (web-mercator zoom levels)."""

    lon: float
    lat: float
    zoom: float


@dataclass(frozen=True)
class MapGeometry:
    """Everything geometric the browser needs, built once per dataset.

    ``geojson`` has one feature per village with ``id`` = village code and no
    other properties (values travel separately). ``outline_lon``/``outline_lat``
    draw kecamatan borders as one line trace (None separates rings).
    """

    geojson: dict
    codes: list[str]
    outline_lon: list[float | None]
    outline_lat: list[float | None]
    bounds: dict[str, tuple[float, float, float, float]]  # village code -> bbox
    kecamatan_bounds: dict[str, tuple[float, float, float, float]]
    total_bounds: tuple[float, float, float, float]


def _tolerance_m(n: int) -> float:
    # Coarser for big extents: ~25 m for a kabupaten, ~150 m for the country.
    return 25.0 if n < 2_000 else 80.0 if n < 20_000 else 150.0


def decimals_for(tolerance_m: float) -> int:
    """Coordinate decimals whose grid (10^-d degrees, ~111 km·10^-d) is at most a fifth of
    the simplification tolerance: 5 (≈1 m) for a kabupaten, 4 (≈11 m) for a province or
    the country; finer digits would only carry noise the simplification already removed.

    Examples
    --------
    >>> decimals_for(25.0), decimals_for(80.0), decimals_for(150.0)
    (5, 4, 4)
    """
    return max(0, math.ceil(math.log10(111_320 * 5 / tolerance_m)))


def prepare_map_geometry(villages: gpd.GeoDataFrame, *, decimals: int | None = None) -> MapGeometry:
    """Simplify (in metres, topology kept), round and serialise village polygons.

    Parameters
    ----------
    villages
        EPSG:4326 polygons with columns ``kode`` and ``kode_kec``.
    decimals
        Coordinate decimals kept (5 ≈ 1 m), to shrink the payload; default: fitting the
        simplification of this many villages (:func:`decimals_for`).
    """
    tolerance = _tolerance_m(len(villages))
    decimals = decimals_for(tolerance) if decimals is None else decimals
    utm = villages.estimate_utm_crs()
    projected = villages.geometry.to_crs(utm)
    simple = projected.simplify(tolerance, preserve_topology=True)
    lonlat = gpd.GeoSeries(simple, crs=utm).to_crs(4326)
    lonlat = gpd.GeoSeries(shapely.set_precision(lonlat.values, 10.0**-decimals), crs=4326)
    # set_precision may collapse slivers; keep the original where it emptied.
    lonlat = lonlat.where(~lonlat.is_empty, villages.geometry.values)
    codes = villages["kode"].astype(str).tolist()
    features = [
        {"type": "Feature", "id": code, "properties": {},
         "geometry": shapely.geometry.mapping(geom)}
        for code, geom in zip(codes, lonlat.values, strict=True)
    ]
    geojson = {"type": "FeatureCollection", "features": features}

    # Kecamatan = union of its villages, closed by ±15 m so that slivers and pinholes
    # between imperfectly aligned village polygons do not draw as specks on the map.
    kec = gpd.GeoDataFrame({"kode_kec": villages["kode_kec"].values}, geometry=simple.values,
                           crs=utm).dissolve("kode_kec")
    closed = (kec.geometry.buffer(15, join_style="mitre").buffer(-15, join_style="mitre")
              .simplify(tolerance, preserve_topology=True))
    kec = gpd.GeoDataFrame(geometry=closed, index=kec.index, crs=utm).to_crs(4326)
    lon: list[float | None] = []
    lat: list[float | None] = []
    for line in kec.geometry.boundary.values:
        parts = line.geoms if hasattr(line, "geoms") else [line]
        for part in parts:
            xy = np.round(np.asarray(part.coords), decimals)
            lon.extend([*xy[:, 0].tolist(), None])
            lat.extend([*xy[:, 1].tolist(), None])
    vb = villages.geometry.bounds.to_numpy()
    return MapGeometry(
        geojson=geojson,
        codes=codes,
        outline_lon=lon,
        outline_lat=lat,
        bounds={c: tuple(b) for c, b in zip(codes, vb.tolist(), strict=True)},
        kecamatan_bounds={k: tuple(b) for k, b in zip(kec.index, kec.geometry.bounds.to_numpy().tolist(),
                                                      strict=True)},
        total_bounds=tuple(villages.total_bounds.tolist()),
    )


def fit_view(bounds: tuple[float, float, float, float], *, width_px: int = 700,
             height_px: int = 600, padding: float = 0.15, max_zoom: float = 14.0) -> View:
    """Centre and zoom that fit a lon/lat bounding box into a map of the given size.

    Web-mercator: at zoom z the world is 512·2^z px wide (MapLibre tiles).

    Examples
    --------
    >>> v = fit_view((107.74, -7.04, 108.22, -6.58))
    >>> round(v.lon, 2), round(v.lat, 2), 9 < v.zoom < 11
    (107.98, -6.81, True)
    """
    minx, miny, maxx, maxy = bounds

    def merc_y(lat: float) -> float:
        s = math.sin(math.radians(lat))
        return math.log((1 + s) / (1 - s)) / 2

    dx = max(maxx - minx, 1e-6) / 360.0
    dy = max(merc_y(maxy) - merc_y(miny), 1e-6) / (2 * math.pi)
    zx = math.log2(width_px * (1 - padding) / 512.0 / dx)
    zy = math.log2(height_px * (1 - padding) / 512.0 / dy)
    cy = math.degrees(math.atan(math.sinh((merc_y(maxy) + merc_y(miny)) / 2)))
    return View(lon=(minx + maxx) / 2, lat=cy, zoom=max(0.0, min(zx, zy, max_zoom)))
