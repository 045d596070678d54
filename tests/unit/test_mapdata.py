import json

import geopandas as gpd
import pytest
import shapely

from geo.view.mapdata import fit_view, prepare_map_geometry


@pytest.fixture(scope="module")
def sumedang(sumedang_gdf):
    return sumedang_gdf[["kode", "kode_kec", "geometry"]]


def test_geojson_has_one_feature_per_village_and_no_properties(sumedang):
    geom = prepare_map_geometry(sumedang)
    feats = geom.geojson["features"]
    assert len(feats) == 277 == len({f["id"] for f in feats})
    assert all(f["properties"] == {} for f in feats)
    assert geom.codes == sumedang["kode"].tolist()
    assert len(geom.kecamatan_bounds) == 26


def test_simplified_and_rounded_geometry_is_smaller_but_close(sumedang):
    geom = prepare_map_geometry(sumedang)
    raw = len(sumedang.to_json())
    small = len(json.dumps(geom.geojson))
    assert small < 0.6 * raw
    # every simplified polygon stays within ~60 m of the original outline
    simple = gpd.GeoSeries([shapely.geometry.shape(f["geometry"]) for f in geom.geojson["features"]],
                           crs=4326).to_crs(32749)
    orig = sumedang.geometry.to_crs(32749)
    assert max(a.hausdorff_distance(b) for a, b in zip(simple, orig, strict=True)) < 60
    coords = json.dumps(geom.geojson["features"][0]["geometry"]["coordinates"])
    assert all(len(x.split(".")[1].rstrip("]")) <= 5 for x in coords.split(",") if "." in x)


def test_fit_view_contains_bounds():
    v = fit_view((107.74, -7.04, 108.22, -6.58), width_px=700, height_px=600)
    assert v.lon == pytest.approx(107.98)
    # at this zoom the box spans at most the map width
    assert 360 / (512 * 2**v.zoom) * 700 >= 0.48
    tiny = fit_view((108.0, -6.8, 108.0001, -6.7999), max_zoom=13)
    assert tiny.zoom == 13
