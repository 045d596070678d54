"""Drill-down (issue 13): the area hierarchy, pooled values per area, dissolved polygons per
level and the area in view (``geo/data/areas.py``, ``geo/view/levels.py``)."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.stats import norm

from geo.core.i18n import t
from geo.core.indicators import IndicatorValues, catalogue
from geo.data.areas import build_hierarchy, code_list_names, pool_values
from geo.view.levels import (
    AreaView,
    breadcrumb,
    crumb_label,
    drill,
    levels_from_payload,
    levels_payload,
    opening_view,
    parse_view,
    pooled_indicator,
    pooled_table,
    prepare_levels,
    up,
    view_geometry,
)

SAMPLES = ("buleleng_5108", "kota_bengkulu_1771", "lombok_timur_5203", "oku_selatan_1609")


@pytest.fixture(scope="module")
def hierarchy(sumedang_dataset):
    return build_hierarchy(sumedang_dataset.villages)


@pytest.fixture(scope="module")
def levels(sumedang_dataset, hierarchy):
    return prepare_levels(sumedang_dataset.villages, hierarchy)


@pytest.fixture(scope="module")
def samples(shared_data) -> gpd.GeoDataFrame:
    """Four real kabupaten/kota in four provinces (boundaries only)."""
    folder = shared_data / "kab-boundaries-samples"
    frames = [gpd.read_file(folder / f"{name}_desa_kel_2025.geojson") for name in SAMPLES]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)


# --------------------------------------------------------------------------- hierarchy
def test_sumedang_is_one_kabupaten_opening_at_its_villages(hierarchy, sumedang_dataset):
    assert [len(hierarchy.at(level)) for level in ("provinsi", "kabupaten", "kecamatan", "desa")] == [
        1, 1, 26, 277]
    assert hierarchy.root == "32.11" and hierarchy.opening_level == "desa"
    assert opening_view(hierarchy) == AreaView("desa", "32.11")
    kab = hierarchy.area("32.11")
    assert (kab.name, kab.kind, kab.parent, kab.villages, kab.named) == (
        "Sumedang", "kabupaten", "32", 277, True)
    assert hierarchy.area("32").name == "Jawa Barat"
    # kecamatan names come from the dataset's own column
    table = sumedang_dataset.villages.drop_duplicates("kode_kec").set_index("kode_kec")["nama_kec"]
    assert {a.code: a.name for a in hierarchy.at("kecamatan")} == table.to_dict()
    assert sum(a.villages for a in hierarchy.at("kecamatan")) == 277
    assert hierarchy.children("32.11") == tuple(sorted(table.index))


def test_villages_inside_an_area_follow_the_codes(hierarchy, sumedang_dataset):
    kec = hierarchy.at("kecamatan")[3]
    mask = hierarchy.villages_in(kec.code)
    expected = sumedang_dataset.villages["kode_kec"] == kec.code
    assert mask.tolist() == expected.tolist() and mask.sum() == kec.villages
    assert hierarchy.village_codes_in(kec.code) == sumedang_dataset.villages.loc[expected, "kode"].tolist()
    assert hierarchy.villages_in("").all() and hierarchy.villages_in("32.11").all()
    assert [a.code for a in hierarchy.at("desa", kec.code)] == sorted(hierarchy.village_codes_in(kec.code))
    assert hierarchy.at("kecamatan", "32.12") == [] and len(hierarchy.at("desa")) == 277


def test_several_provinces_open_at_provinsi_and_kota_is_told_apart(samples):
    h = build_hierarchy(samples)
    assert h.root == "" and h.opening_level == "provinsi"
    assert [a.code for a in h.at("provinsi")] == ["16", "17", "51", "52"]
    assert {a.code: a.villages for a in h.at("kabupaten")} == {
        "16.09": 259, "17.71": 67, "51.08": 148, "52.03": 254}
    assert h.area("17.71").kind == "kota" and h.area("51.08").kind == "kabupaten"
    # "Kota Bengkulu" in the file: the kind word is not part of the name
    assert h.area("17.71").name == "Bengkulu" and h.area("51.08").name == "Buleleng"
    assert crumb_label(breadcrumb(h, AreaView("kecamatan", "17.71"))[2], "id") == "Kota Bengkulu"
    assert h.area("51").name == "Bali" and h.area("17").name == "Bengkulu"


def test_several_kabupaten_of_one_province_open_at_kabupaten(shared_data):
    gpkg = shared_data / "scale-indonesia-desa" / "indonesia_desa_kel_2025_simpl001.gpkg"
    two = gpd.read_file(gpkg, where="kode_kab IN ('32.11', '32.74')")
    h = build_hierarchy(two)
    assert h.root == "32" and h.opening_level == "kabupaten"
    assert opening_view(h) == AreaView("kabupaten", "32")
    assert [(a.code, a.kind) for a in h.at("kabupaten")] == [("32.11", "kabupaten"), ("32.74", "kota")]


def test_names_are_never_invented(sumedang_dataset):
    bare = sumedang_dataset.villages[["kode"]]
    h = build_hierarchy(bare, names={})
    assert all(a.name == a.code and not a.named for a in h.areas.values())
    # with the code list only: every name is the list's name (kind word dropped) or the code
    listed = code_list_names()
    h = build_hierarchy(bare)
    for area in h.areas.values():
        given = listed.get(area.code)
        assert area.named == (given is not None)
        assert area.name == area.code if given is None else given.endswith(area.name)
    # a code filled in for a missing name in the table is not a name
    table = sumedang_dataset.villages[["kode", "kode_kec"]].assign(
        nama_kec=sumedang_dataset.villages["kode_kec"])
    assert build_hierarchy(table, names={}).area("32.11.01").named is False


# --------------------------------------------------------------------------- pooled values
def _wilson(k: float, n: float) -> tuple[float, float]:
    z = norm.ppf(0.975)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - half), 100 * (centre + half)


def test_pooled_rate_is_sum_over_sum_by_hand():
    villages = pd.DataFrame({"kode": ["32.11.01.2001", "32.11.01.2002", "32.11.01.2003",
                                      "32.11.02.2001", "32.11.02.2002"]})
    h = build_hierarchy(villages, names={})
    rate = catalogue()["rasio_merah"]
    k = np.array([1.0, 3.0, 2.0, np.nan, 5.0])
    n = np.array([10.0, 20.0, 0.0, 4.0, 3.0])  # 3rd: nobody measured; 5th: 5 > 3, no data
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where((n > 0) & (k <= n), 100 * k / n, np.nan)
    pooled = pool_values(h, IndicatorValues(rate, 2021, value, k, n), "kecamatan")
    assert pooled.codes == ["32.11.01", "32.11.02"]
    assert pooled.value[0] == pytest.approx(100 * 4 / 30)  # not the mean of 10 % and 15 %
    assert np.isnan(pooled.value[1])  # no usable village: no data, never 0
    assert pooled.villages_used.tolist() == [2, 0] and pooled.villages.tolist() == [3, 2]
    assert (pooled.numerator[0], pooled.denominator[0]) == (4, 30)
    assert (pooled.low[0], pooled.high[0]) == pytest.approx(_wilson(4, 30))
    assert np.isnan(pooled.low[1]) and pooled.method == "ratio"
    # counts are summed, percentages without counts averaged
    count = pool_values(h, IndicatorValues(catalogue()["merah"], 2021, k, k, None), "kecamatan")
    assert count.value[0] == 6 and count.value[1] == 5 and count.method == "sum"
    cov = catalogue()["sp_imunisasi"]
    share = np.array([80.0, 90.0, np.nan, np.nan, np.nan])
    mean = pool_values(h, IndicatorValues(cov, 2021, share, share, None), "kabupaten")
    assert mean.value[0] == pytest.approx(85) and mean.villages_used[0] == 2 and mean.method == "mean"


def _usable(table: pd.DataFrame, num: str, den: str) -> pd.DataFrame:
    ok = table[num].notna() & (table[den] > 0) & (table[num] <= table[den])
    return table.loc[ok]


def test_pooled_kecamatan_rate_matches_a_pandas_groupby(sumedang_dataset, hierarchy):
    rows = sumedang_dataset.measures.loc[sumedang_dataset.measures["tahun"] == 2020]
    rows = rows.merge(sumedang_dataset.villages[["kode", "kode_kec"]], on="kode")
    sums = _usable(rows, "merah", "anak_diukur").groupby("kode_kec")[["merah", "anak_diukur"]].sum()
    expected = 100 * sums["merah"] / sums["anak_diukur"]
    pooled = pooled_indicator(sumedang_dataset, hierarchy, "rasio_merah", 2020,
                              AreaView("kecamatan", "32.11"))
    got = pd.Series(pooled.value, index=pooled.codes)
    assert len(got) == 26
    assert got.reindex(expected.index).to_numpy() == pytest.approx(expected.to_numpy())
    assert got.drop(expected.index).isna().all()  # kecamatan with no usable village
    # village level: each village pooled alone is its own rate
    own = pooled_indicator(sumedang_dataset, hierarchy, "rasio_merah", 2020, AreaView("desa", "32.11"))
    values = sumedang_dataset.values("rasio_merah", 2020).value
    assert own.codes == list(hierarchy.village_codes)
    np.testing.assert_allclose(own.value, values, equal_nan=True)


def test_pooled_change_is_the_change_of_pooled_counts(sumedang_dataset, hierarchy):
    view = AreaView("kecamatan", "32.11")
    change = pooled_indicator(sumedang_dataset, hierarchy, "merah__delta", 2021, view)
    m = sumedang_dataset.measures.merge(sumedang_dataset.villages[["kode", "kode_kec"]], on="kode")
    wide = m.pivot_table(index=["kode", "kode_kec"], columns="tahun", values="merah").dropna(
        subset=[2020, 2021]).reset_index()
    diff = wide.groupby("kode_kec")[2021].sum() - wide.groupby("kode_kec")[2020].sum()
    got = pd.Series(change.value, index=change.codes)
    assert change.method == "change"
    assert got.reindex(diff.index).to_numpy() == pytest.approx(diff.to_numpy())


# --------------------------------------------------------------------------- geometry
def _overlap(geoms) -> float:
    geoms = np.asarray(geoms, dtype=object)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pair = left < right
    return float(shapely.area(shapely.intersection(geoms[left[pair]], geoms[right[pair]])).sum())


def _shapes(level_geometry) -> list:
    return [shapely.geometry.shape(f["geometry"]) for f in level_geometry.geojson["features"]]


def test_dissolved_levels_cover_the_villages_without_overlaps(levels, sumedang_dataset):
    union = shapely.union_all(shapely.make_valid(sumedang_dataset.villages.geometry.values))
    for level, n in (("kabupaten", 1), ("kecamatan", 26), ("desa", 277)):
        shapes = _shapes(levels[level])
        assert len(shapes) == n and all(shapely.is_valid(shapes))
        total = float(shapely.area(shapes).sum())
        assert total == pytest.approx(union.area, rel=0.01), level
        assert _overlap(shapes) < 1e-4 * total, level
    assert levels["kecamatan"].codes == sorted(sumedang_dataset.villages["kode_kec"].unique())
    # simplified for the scale: the kecamatan level is far lighter than the villages
    coords = {lv: shapely.get_num_coordinates(_shapes(levels[lv])).sum() for lv in levels}
    assert coords["kabupaten"] < coords["kecamatan"] < coords["desa"]


def test_coordinates_are_rounded_per_level_and_payload_round_trips(levels):
    text = json.dumps(levels["kecamatan"].geojson)
    decimals = {len(x.split(".")[1].rstrip("]} ")) for x in text.split(",") if "." in x and "[" in x}
    assert max(decimals) <= 4
    payload = json.loads(json.dumps(levels_payload(levels)))
    back = levels_from_payload(payload)
    assert back["kecamatan"].codes == levels["kecamatan"].codes
    assert back["desa"].bounds == levels["desa"].bounds


def test_several_kabupaten_dissolve_to_their_union(samples):
    h = build_hierarchy(samples)
    levels = prepare_levels(samples, h, levels=("kabupaten", "kecamatan"))
    shapes = _shapes(levels["kabupaten"])
    for code, shape in zip(levels["kabupaten"].codes, shapes, strict=True):
        own = shapely.union_all(shapely.make_valid(samples.loc[samples["kode"].str[:5] == code]
                                                   .geometry.values))
        assert shape.area == pytest.approx(own.area, rel=0.02), code
    kec = _shapes(levels["kecamatan"])
    assert _overlap(kec) < 1e-4 * float(shapely.area(kec).sum())


# --------------------------------------------------------------------------- views
def test_drill_down_breadcrumb_and_back(hierarchy):
    start = opening_view(hierarchy)
    assert up(hierarchy, start) is None
    kec_view = AreaView("kecamatan", "32.11")
    inside = drill(hierarchy, kec_view, "32.11.01")
    assert inside == AreaView("desa", "32.11.01")
    assert drill(hierarchy, inside, "32.11.01.2001") == inside  # a village: selected, no level below
    assert up(hierarchy, inside) == kec_view
    crumbs = breadcrumb(hierarchy, inside, selected="32.11.01.2001")
    assert [c.code for c in crumbs] == ["32", "32.11", "32.11.01", "32.11.01.2001"]
    assert [c.view for c in crumbs] == [start, start, inside, inside]
    village = hierarchy.area("32.11.01.2001")
    assert [crumb_label(c, "id") for c in crumbs] == [
        "Provinsi Jawa Barat", "Kab. Sumedang", f"Kec. {hierarchy.area('32.11.01').name}",
        f"Desa {village.name}"]
    assert crumb_label(crumbs[1], "en") == t("levels.kind.kabupaten", "en", name="Sumedang")


def test_url_query_round_trips_and_bad_input_opens_the_dataset(hierarchy):
    for view in (AreaView("desa", "32.11.05"), AreaView("kecamatan", "32.11"), opening_view(hierarchy)):
        assert parse_view(hierarchy, view.query()) == view
    start = opening_view(hierarchy)
    assert parse_view(hierarchy, {}) == start
    assert parse_view(hierarchy, {"level": "kota", "area": "32.11"}) == start
    assert parse_view(hierarchy, {"level": "desa", "area": "33.01"}) == start  # not in the dataset
    assert parse_view(hierarchy, {"level": "kabupaten", "area": "32.11.01"}) == start  # not below
    assert parse_view(hierarchy, {"level": "kecamatan", "area": "32"}) == AreaView("kecamatan", "32.11")
    assert parse_view(hierarchy, {"level": "desa", "area": "32.11.01.2001"}) == AreaView("desa", "32.11.01")


def test_view_geometry_is_the_areas_inside_with_outlines_of_the_level_up(levels, hierarchy):
    geom = view_geometry(levels, AreaView("desa", "32.11.01"))
    assert geom.codes == hierarchy.village_codes_in("32.11.01")
    assert list(geom.kecamatan_bounds) == ["32.11.01"] and None in geom.outline_lon
    box = geom.total_bounds
    assert all(box[0] <= b[0] and b[2] <= box[2] for b in geom.bounds.values())
    whole = view_geometry(levels, AreaView("kecamatan", "32.11"))
    assert len(whole.codes) == 26 and list(whole.kecamatan_bounds) == ["32.11"]
    top = view_geometry(levels, AreaView("provinsi", ""))
    assert top.codes == ["32"] and top.outline_lon == []


def test_pooled_table_names_every_area(sumedang_dataset, hierarchy):
    pooled = pooled_indicator(sumedang_dataset, hierarchy, "rasio_kek", 2021, AreaView("kecamatan", "32.11"))
    table = pooled_table(hierarchy, pooled)
    assert len(table) == 26 and table["kode"].tolist() == pooled.codes
    assert set(table["nama"]) == set(sumedang_dataset.villages["nama_kec"])
    assert (table["desa_dengan_data"] <= table["desa"]).all() and table["desa"].sum() == 277
    ok = table["penyebut"] > 0
    assert (table.loc[ok, "nilai"] == 100 * table.loc[ok, "pembilang"] / table.loc[ok, "penyebut"]).all()


def test_villages_simplified_one_by_one_when_not_cleaned(sumedang_dataset, hierarchy):
    """The country-scale path: each village simplified alone, valid, in the dataset's order."""
    villages = prepare_levels(sumedang_dataset.villages, hierarchy, levels=("desa",),
                              clean_villages=False)["desa"]
    shapes = _shapes(villages)
    assert villages.codes == list(hierarchy.village_codes) and all(shapely.is_valid(shapes))
    original = sumedang_dataset.villages.geometry.values
    assert max(shapely.hausdorff_distance(shapes, original)) * 111_320 < 60
