"""Map geometry sized for its scale (issue 13): coordinate decimals follow the simplification
tolerance, so a province map carries no digits finer than its simplification."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import shapely

from geo.view.mapdata import decimals_for, prepare_map_geometry


def test_decimals_grid_is_at_most_a_fifth_of_the_tolerance():
    for tolerance in (5.0, 25.0, 80.0, 150.0, 1000.0):
        d = decimals_for(tolerance)
        grid_m = 111_320 * 10.0**-d  # one step of the last decimal at the equator
        assert grid_m <= tolerance / 5 < 10 * grid_m  # fine enough, and not needlessly finer


def test_province_sized_map_keeps_four_decimals():
    # 2,025 square "villages" of ~1.1 km near Bandung, in 45 "kecamatan" (one per row)
    n = 45
    squares = [shapely.box(107.0 + 0.01 * i, -7.0 + 0.01 * j, 107.01 + 0.01 * i, -6.99 + 0.01 * j)
               for j in range(n) for i in range(n)]
    villages = gpd.GeoDataFrame({"kode": [f"32.01.{j:02d}.{i:04d}" for j in range(n) for i in range(n)],
                                 "kode_kec": [f"32.01.{j:02d}" for j in range(n) for _ in range(n)]},
                                geometry=squares, crs=4326)
    geom = prepare_map_geometry(villages)
    text = json.dumps(geom.geojson)
    digits = {len(m) for m in re.findall(r"\.(\d+)", text)}
    assert max(digits) <= 4
    assert max(len(m) for m in re.findall(r"\.(\d+)", json.dumps(geom.outline_lon))) <= 4
    # the corners lie on the 0.01° grid: rounding to 4 decimals keeps every square exact
    first = shapely.geometry.shape(geom.geojson["features"][0]["geometry"])
    assert first.symmetric_difference(squares[0]).area < 1e-12
