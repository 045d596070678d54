"""Drill-down maps: area polygons per level, the area in view, and its pooled values.

A dataset spanning several kabupaten/kota opens at the kabupaten level, one spanning
provinces at the provinsi level, one kabupaten at its villages (:class:`AreaHierarchy`).
The polygons of the upper levels are dissolved from the village polygons once per dataset
(:func:`prepare_levels`): villages are unioned per kecamatan, pinholes left by gaps between
villages filled, the kecamatan made a clean coverage (no overlaps, shared borders
identical: ``shapely.coverage_clean``) and unioned up to kabupaten/kota and provinces; each
level is then simplified as a coverage (``shapely.coverage_simplify``: neighbours keep one
shared border, so nothing gaps or overlaps) at a tolerance for its scale, and rounded.
:func:`levels_payload` / :func:`levels_from_payload` turn the result into
plain JSON-able data, so the caller can cache it per dataset version.

A view is ``(level, area)``: the polygons of ``level`` inside ``area`` (:class:`AreaView`);
it travels in the URL as ``?level=kecamatan&area=32.11`` (:meth:`AreaView.query`,
:func:`parse_view`). :func:`view_geometry` gives a view's polygons as a
:class:`~geo.view.mapdata.MapGeometry` (so the map code draws any level as it draws
villages) and :func:`pooled_indicator` its values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.core.i18n import DEFAULT_LANG, t
from geo.core.indicators import base_id, is_delta
from geo.data.areas import (
    CODE_LENGTH,
    LEVELS,
    AreaHierarchy,
    Level,
    PooledValues,
    level_of,
    pool_values,
)
from geo.data.model import Dataset
from geo.view.mapdata import MapGeometry

__all__ = [
    "CLEAN_VILLAGES_UP_TO",
    "LEVEL_SCALE",
    "AreaView",
    "Crumb",
    "LevelGeometry",
    "breadcrumb",
    "crumb_label",
    "drill",
    "levels_from_payload",
    "levels_payload",
    "opening_view",
    "parse_view",
    "pooled_indicator",
    "pooled_table",
    "prepare_levels",
    "up",
    "view_geometry",
]

#: Simplification tolerance (metres) and coordinate decimals per level: a map of provinces
#: is seen at ~1 km per pixel, a map of villages at ~20 m. The tolerance is Visvalingam–
#: Whyatt's (coverage simplification): roughly the side of the largest triangle removed.
LEVEL_SCALE: Final[dict[Level, tuple[float, int]]] = {
    "provinsi": (2000.0, 3), "kabupaten": (500.0, 4), "kecamatan": (150.0, 4), "desa": (40.0, 5)}
#: Villages simplified one by one use Douglas–Peucker, whose distance removes about what a
#: Visvalingam–Whyatt tolerance 1.6 times larger does (40 m → 25 m, as
#: :func:`~geo.view.mapdata.prepare_map_geometry`).
_DOUGLAS_PEUCKER_SHARE = 0.625
#: Up to this many villages (a province) the village level is cleaned as a coverage too.
CLEAN_VILLAGES_UP_TO: Final = 10_000
_M_PER_DEGREE = 111_320.0  # Indonesia lies within 11° of the equator


@dataclass(frozen=True)
class LevelGeometry:
    """Simplified, rounded polygons of every area of one level of a dataset.

    ``geojson`` is a FeatureCollection with one feature per area, ``id`` = area code and
    no properties (values travel separately), in :attr:`codes` order; ``bounds`` maps each
    code to its ``(minx, miny, maxx, maxy)``.
    """

    level: Level
    codes: list[str]
    geojson: dict
    bounds: dict[str, tuple[float, float, float, float]]


# --------------------------------------------------------------------------- geometry
def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Valid (multi)polygons only: repaired, with stray lines and points dropped."""
    out = shapely.make_valid(np.asarray(geoms, dtype=object))
    for i in np.flatnonzero(~np.isin(shapely.get_type_id(out), (3, 6))):  # few: collections, None
        parts = shapely.get_parts(out[i])
        polygons = parts[shapely.get_type_id(parts) == 3]
        out[i] = (polygons[0] if len(polygons) == 1 else shapely.multipolygons(polygons)
                  if len(polygons) else shapely.Polygon())
    return out


def _fill_gaps(areas: np.ndarray) -> np.ndarray:
    """Drop the holes of each area that hold no other area: they are gaps between
    imperfectly drawn villages, not enclaves (a kota inside a kabupaten keeps its hole)."""
    parts, owner = shapely.get_parts(areas, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    hole = np.r_[False, ring_part[1:] == ring_part[:-1]] if len(rings) else np.zeros(0, bool)
    holes = shapely.polygons(rings[hole])
    enclave = np.zeros(len(holes), dtype=bool)
    if len(holes):
        _, hit = shapely.STRtree(holes).query(shapely.point_on_surface(parts), predicate="within")
        enclave[hit] = True
    kept_rings = rings[hole][enclave]
    kept_part = ring_part[hole][enclave]
    kept: dict[int, list] = {}
    for ring, i in zip(kept_rings, kept_part.tolist(), strict=True):
        kept.setdefault(i, []).append(ring)
    polys = [shapely.Polygon(shapely.get_exterior_ring(p), kept.get(i, []))
             for i, p in enumerate(parts)]
    grouped: dict[int, list[shapely.Polygon]] = {}
    for poly, i in zip(polys, owner.tolist(), strict=True):
        grouped.setdefault(i, []).append(poly)
    out = np.empty(len(areas), dtype=object)
    for i in range(len(areas)):
        mine = grouped.get(i, [])
        out[i] = mine[0] if len(mine) == 1 else shapely.MultiPolygon(mine) if mine else shapely.Polygon()
    return out


def _feature_collection(codes: list[str], geoms: np.ndarray) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": code, "properties": {}, "geometry": shapely.geometry.mapping(g)}
        for code, g in zip(codes, geoms, strict=True)]}


def _level_geometry(level: Level, codes: list[str], geoms: np.ndarray, *,
                    coverage: bool = True) -> LevelGeometry:
    """Simplify polygons for the level's scale (as a coverage, or each polygon on its own
    with its topology kept) and round them."""
    tolerance_m, decimals = LEVEL_SCALE[level]
    if coverage:
        simple = shapely.coverage_simplify(geoms, tolerance_m / _M_PER_DEGREE)
    else:
        simple = shapely.simplify(geoms, tolerance_m * _DOUGLAS_PEUCKER_SHARE / _M_PER_DEGREE,
                                  preserve_topology=True)
    rounded = shapely.set_precision(simple, 10.0**-decimals)
    # rounding may empty a sliver of an area: keep its unrounded polygon instead
    rounded = np.where(shapely.is_empty(rounded), simple, rounded)
    bounds = shapely.bounds(rounded).round(decimals)
    return LevelGeometry(level=level, codes=codes, geojson=_feature_collection(codes, rounded),
                         bounds={c: tuple(b) for c, b in zip(codes, bounds.tolist(), strict=True)})


def _union(parts: np.ndarray) -> shapely.Geometry:
    """Union of clean coverage parts (fast coverage union; plain union if not noded)."""
    try:
        return shapely.coverage_union_all(parts)
    except shapely.errors.GEOSException:
        return shapely.union_all(parts)


def _dissolve(geoms: np.ndarray, keys: list[str], *, clean: bool) -> tuple[list[str], np.ndarray]:
    """One polygon per distinct key (sorted), gaps inside filled (:func:`_fill_gaps`);
    ``clean`` when ``geoms`` already form a clean coverage (faster union)."""
    codes, inverse = np.unique(np.asarray(keys, dtype=str), return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    groups = np.split(geoms[order], np.cumsum(np.bincount(inverse))[:-1])
    union = _union if clean else shapely.union_all
    return codes.tolist(), _fill_gaps(np.array([union(g) for g in groups], dtype=object))


def prepare_levels(villages: gpd.GeoDataFrame, hierarchy: AreaHierarchy,
                   levels: tuple[Level, ...] = LEVELS, *,
                   clean_villages: bool | None = None) -> dict[Level, LevelGeometry]:
    """Polygons of every area of each level in ``levels`` (default all four).

    Parameters
    ----------
    villages
        EPSG:4326 village polygons in the hierarchy's order (``Dataset.villages``).
    hierarchy
        :func:`~geo.data.areas.build_hierarchy` of the same villages.

    Kecamatan are the union of their villages (gaps inside filled), made a clean coverage
    (``shapely.coverage_clean``: no overlaps, shared borders identical); kabupaten/kota
    are the union of their kecamatan and provinces of their kabupaten, so the borders of
    every upper level coincide before each is simplified as a coverage. The villages are
    cleaned and simplified as a coverage too when ``clean_villages`` (default: up to
    :data:`CLEAN_VILLAGES_UP_TO` villages, a province); else each is simplified alone with
    its topology kept, as :func:`~geo.view.mapdata.prepare_map_geometry` does (a village
    view shows one kecamatan, and cleaning every village of the country costs minutes).
    Compute once per dataset version and cache :func:`levels_payload`.
    """
    geoms = _polygonal(np.asarray(villages.geometry.values, dtype=object))
    out: dict[Level, LevelGeometry] = {}
    if "desa" in levels:
        clean = len(geoms) <= CLEAN_VILLAGES_UP_TO if clean_villages is None else clean_villages
        out["desa"] = _level_geometry("desa", list(hierarchy.village_codes),
                                      shapely.coverage_clean(geoms) if clean else geoms, coverage=clean)
    if not set(levels) - {"desa"}:
        return out
    codes, areas = _dissolve(geoms, hierarchy.members["kecamatan"].tolist(), clean=False)
    areas = shapely.coverage_clean(areas)
    dissolved = {"kecamatan": (codes, areas)}
    for level in ("kabupaten", "provinsi"):
        codes, areas = _dissolve(areas, [c[:CODE_LENGTH[level]] for c in codes], clean=True)
        dissolved[level] = (codes, areas)
    for level in levels:
        if level != "desa":
            out[level] = _level_geometry(level, *dissolved[level])
    return {level: out[level] for level in levels}


def levels_payload(levels: Mapping[Level, LevelGeometry]) -> dict[str, Any]:
    """Plain JSON-able data of :func:`prepare_levels` (to cache per dataset version)."""
    return {level: {"codes": g.codes, "geojson": g.geojson,
                    "bounds": {c: list(b) for c, b in g.bounds.items()}}
            for level, g in levels.items()}


def levels_from_payload(payload: Mapping[str, Any]) -> dict[Level, LevelGeometry]:
    """Inverse of :func:`levels_payload`."""
    return {level: LevelGeometry(level=level, codes=list(payload[level]["codes"]),
                                 geojson=payload[level]["geojson"],
                                 bounds={c: tuple(b) for c, b in payload[level]["bounds"].items()})
            for level in LEVELS if level in payload}


def _outline(geojson_features: list[dict], decimals: int) -> tuple[list[float | None], list[float | None]]:
    """Border lines of some polygons as one line trace (None separates rings)."""
    lon: list[float | None] = []
    lat: list[float | None] = []
    for feature in geojson_features:
        shape = shapely.geometry.shape(feature["geometry"])
        for ring in shapely.get_rings(shapely.get_parts(shape)):
            xy = np.round(shapely.get_coordinates(ring), decimals)
            lon.extend([*xy[:, 0].tolist(), None])
            lat.extend([*xy[:, 1].tolist(), None])
    return lon, lat


# --------------------------------------------------------------------------- views
@dataclass(frozen=True)
class AreaView:
    """What the map shows: the polygons of ``level`` inside the area ``area``.

    ``area`` is a dotted code, or "" for a dataset spanning provinces (the whole country).
    """

    level: Level
    area: str = ""

    def query(self) -> dict[str, str]:
        """URL query parameters (``{"level": "kecamatan", "area": "32.11"}``)."""
        return {"level": self.level, "area": self.area} if self.area else {"level": self.level}


@dataclass(frozen=True)
class Crumb:
    """One step of the breadcrumb: an area and the view a click on it opens.

    ``level`` is None and ``code`` "" for the whole country (a dataset spanning
    provinces); :func:`crumb_label` gives the text.
    """

    level: Level | None
    code: str
    name: str
    kind: str
    view: AreaView


def _below(level: Level) -> Level | None:
    i = LEVELS.index(level)
    return LEVELS[i + 1] if i + 1 < len(LEVELS) else None


def opening_view(hierarchy: AreaHierarchy) -> AreaView:
    """The view a dataset opens at: its :attr:`~AreaHierarchy.opening_level` over its root."""
    return AreaView(hierarchy.opening_level, hierarchy.root)


def parse_view(hierarchy: AreaHierarchy, query: Mapping[str, object]) -> AreaView:
    """The view named by URL parameters ``level`` and ``area``, checked against the dataset.

    An area outside the dataset, a level not below the area, or anything malformed gives
    the opening view; an area above the dataset's root is read as the root; a village
    code as its kecamatan at village level (the UI then selects that village).
    """
    level, area = str(query.get("level") or ""), str(query.get("area") or "")
    if len(area) < len(hierarchy.root):
        area = hierarchy.root if hierarchy.root.startswith(area) else "\0"
    if (area and area not in hierarchy.areas) or level not in LEVELS:
        return opening_view(hierarchy)
    if area and level_of(area) == "desa":
        return AreaView("desa", hierarchy.area(area).parent)
    if area and CODE_LENGTH[level_of(area)] >= CODE_LENGTH[level]:  # type: ignore[index]
        return opening_view(hierarchy)
    return AreaView(level, area)  # type: ignore[arg-type]


def drill(hierarchy: AreaHierarchy, view: AreaView, code: str) -> AreaView:
    """The view after a click on the area ``code`` of ``view``: the next level down
    inside it; a village (or a code not in the dataset) keeps the view."""
    if code not in hierarchy.areas:
        return view
    below = _below(level_of(code))
    return view if below is None else AreaView(below, code)


def up(hierarchy: AreaHierarchy, view: AreaView) -> AreaView | None:
    """The view one step up (the area's own level inside its parent), None at the top."""
    if len(view.area) <= len(hierarchy.root):
        return None
    parent = hierarchy.area(view.area).parent
    if len(parent) < len(hierarchy.root):
        return opening_view(hierarchy)
    return AreaView(level_of(view.area), parent)


def breadcrumb(hierarchy: AreaHierarchy, view: AreaView, selected: str | None = None) -> list[Crumb]:
    """Breadcrumb of a view, from the province (or the country) down to its area, then
    the ``selected`` village if given: *Provinsi Jawa Barat › Kab. Sumedang › Kec.
    Jatinangor › Desa Cibeusi*. Areas at or above the dataset's root open the opening view;
    the others open the next level down inside them; a village keeps ``view``."""
    crumbs: list[Crumb] = []
    if hierarchy.root == "":
        crumbs.append(Crumb(None, "", "", "nasional", opening_view(hierarchy)))
    chain = hierarchy.ancestors(view.area) if view.area else []
    if selected and selected in hierarchy.areas and selected.startswith(view.area):
        chain += [a for a in hierarchy.ancestors(selected) if len(a.code) > len(view.area)]
    for area in chain:
        if len(area.code) <= len(hierarchy.root):
            target = opening_view(hierarchy)
        else:
            target = drill(hierarchy, view, area.code)
        crumbs.append(Crumb(area.level, area.code, area.name, area.kind, target))
    return crumbs


def crumb_label(crumb: Crumb, lang: str = DEFAULT_LANG) -> str:
    """``Kab. Sumedang``, ``Kec. Jatinangor``, ``Desa Cibeusi`` (catalogue ``levels.kind.*``)."""
    return t(f"levels.kind.{crumb.kind}", lang, name=crumb.name)


def view_geometry(levels: Mapping[Level, LevelGeometry], view: AreaView) -> MapGeometry:
    """The polygons of a view as a :class:`~geo.view.mapdata.MapGeometry`.

    Features: the areas of ``view.level`` inside ``view.area``; outlines and
    ``kecamatan_bounds``: the areas one level up inside the view (the kecamatan borders of
    a village view, as before drill-down; the kabupaten borders of a kecamatan view).
    """
    geom = levels[view.level]
    features = [f for f in geom.geojson["features"] if str(f["id"]).startswith(view.area)]
    codes = [str(f["id"]) for f in features]
    parent_level = LEVELS[LEVELS.index(view.level) - 1] if view.level != "provinsi" else None
    outer = levels.get(parent_level) if parent_level else None  # type: ignore[call-overload]
    outer_features = [f for f in outer.geojson["features"]
                      if str(f["id"]).startswith(view.area)] if outer else []
    lon, lat = _outline(outer_features, LEVEL_SCALE[view.level][1])
    boxes = np.array([geom.bounds[c] for c in codes]) if codes else np.full((1, 4), np.nan)
    total = (float(np.nanmin(boxes[:, 0])), float(np.nanmin(boxes[:, 1])),
             float(np.nanmax(boxes[:, 2])), float(np.nanmax(boxes[:, 3])))
    return MapGeometry(
        geojson={"type": "FeatureCollection", "features": features}, codes=codes,
        outline_lon=lon, outline_lat=lat, bounds={c: geom.bounds[c] for c in codes},
        kecamatan_bounds={str(f["id"]): outer.bounds[str(f["id"])] for f in outer_features}
        if outer else {},
        total_bounds=total)


# --------------------------------------------------------------------------- values
def pooled_indicator(dataset: Dataset, hierarchy: AreaHierarchy, indicator_id: str, year: int,
                     view: AreaView) -> PooledValues:
    """An indicator pooled over the areas of a view (:func:`~geo.data.areas.pool_values`).

    A change since the previous year (``__delta``) of an area is the change of its pooled
    value, over the villages that have a value in both years (method ``change``); it is
    withheld where the villages' change is (a definition that changed between years).
    """
    if not is_delta(indicator_id):
        return pool_values(hierarchy, dataset.values(indicator_id, year), view.level, view.area)
    base = base_id(indicator_id)
    both = np.isfinite(dataset.values(indicator_id, year).value)
    previous = dataset.previous_year(base, year)
    now = pool_values(hierarchy, dataset.values(base, year), view.level, view.area, usable=both)
    before = pool_values(hierarchy, dataset.values(base, int(previous or year)), view.level,
                         view.area, usable=both)
    nan = np.full(len(now.codes), np.nan)
    return replace(now, value=now.value - before.value, numerator=nan, denominator=nan,
                   low=nan, high=nan, method="change")


def pooled_table(hierarchy: AreaHierarchy, pooled: PooledValues) -> pd.DataFrame:
    """Pooled values as a table for the page and exports: ``kode``, ``nama``, ``jenis``
    (:func:`~geo.data.areas.area_kind`), ``nilai``, ``pembilang``, ``penyebut``,
    ``batas_bawah``, ``batas_atas``, ``desa_dengan_data``, ``desa`` (one row per area)."""
    areas = [hierarchy.area(code) for code in pooled.codes]
    return pd.DataFrame({
        "kode": pooled.codes, "nama": [a.name for a in areas], "jenis": [a.kind for a in areas],
        "nilai": pooled.value, "pembilang": pooled.numerator, "penyebut": pooled.denominator,
        "batas_bawah": pooled.low, "batas_atas": pooled.high,
        "desa_dengan_data": pooled.villages_used, "desa": pooled.villages})
