"""Reading boundary files and tables; every bad input must end as an InputError."""

from __future__ import annotations

import csv
import json
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.core.errors import InputError
from geo.core.messages import render_all
from geo.io.boundaries import BoundaryFile, read_boundaries
from geo.io.tables import read_table, to_number

CODE_RE = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"
SUMEDANG_BOUNDS = np.array([107.7, -7.1, 108.3, -6.6])  # loose box around the kabupaten


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def sumedang(sumedang_gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return sumedang_gdf


@pytest.fixture
def small(sumedang: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Twenty villages with only the shapefile-friendly columns."""
    return sumedang[["kode", "nama", "nama_kec", "geometry"]].head(20).copy()


def write_shapefile(gdf: gpd.GeoDataFrame, folder: Path, name: str = "desa") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.shp"
    gdf.to_file(path, engine="pyogrio")
    return path


def zip_folder(folder: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, prefix + path.name)
    return target


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# --------------------------------------------------------------------------- boundaries


def test_geojson_sumedang(sumedang_path: Path) -> None:
    result = read_boundaries(sumedang_path)
    assert isinstance(result, BoundaryFile)
    gdf = result.gdf
    assert len(gdf) == 277
    assert list(gdf.columns) == ["kode", "nama", "nama_kec", "kode_kec", "geometry"]
    assert gdf.index.tolist() == list(range(277))
    assert gdf.crs.to_epsg() == 4326
    assert gdf["kode"].str.match(CODE_RE).all()
    assert (gdf["kode_kec"] == gdf["kode"].str[:8]).all()
    assert gdf["kode_kec"].nunique() == 26
    assert set(gdf.geom_type) == {"MultiPolygon"}
    assert result.code_system == "kemendagri"
    assert result.columns["kode"] == "kode"
    assert (result.reprojected, result.repaired, result.empty_dropped) == (False, 0, [])
    assert result.duplicate_codes == []
    assert result.warnings == []
    assert gdf.loc[0, "kode"] == "32.11.01.2001"
    assert gdf.loc[0, "nama"] == "Cimungkal"


def test_override_code_column(sumedang_path: Path) -> None:
    result = read_boundaries(sumedang_path, overrides={"kode": "kode10"})
    assert result.columns["kode"] == "kode10"
    assert result.gdf.loc[0, "kode"] == "32.11.01.2001"  # undotted source, dotted result


def test_geopackage(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    path = tmp_path / "desa.gpkg"
    small.to_file(path, layer="desa", engine="pyogrio")
    result = read_boundaries(path)
    assert len(result.gdf) == 20
    assert result.gdf["kode"].tolist() == small["kode"].tolist()


def test_geopackage_picks_the_polygon_layer(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    path = tmp_path / "multi.gpkg"
    points = small.set_geometry(small.geometry.representative_point())
    points.to_file(path, layer="titik", engine="pyogrio")
    small.to_file(path, layer="batas", engine="pyogrio")
    result = read_boundaries(path)
    assert len(result.gdf) == 20
    assert set(result.gdf.geom_type) == {"MultiPolygon"}


def test_zipped_shapefile(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    write_shapefile(small, tmp_path / "shp")
    archive = zip_folder(tmp_path / "shp", tmp_path / "upload.zip", prefix="Batas Desa/")
    result = read_boundaries(archive)
    assert result.gdf["kode"].tolist() == small["kode"].tolist()
    assert result.gdf["nama_kec"].tolist() == small["nama_kec"].tolist()
    assert result.source_crs == "EPSG:4326"


def test_bare_shapefile_with_numeric_codes(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    numeric = small.assign(kode=small["kode"].str.replace(".", "").astype("int64"))
    path = write_shapefile(numeric, tmp_path)
    result = read_boundaries(path)
    assert result.gdf["kode"].tolist() == small["kode"].tolist()


def test_float_codes_in_geojson(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    floats = small.assign(kode=small["kode"].str.replace(".", "").astype("float64"))
    path = tmp_path / "float.geojson"
    floats.to_file(path, engine="pyogrio")
    assert '"kode": 3211012001' in path.read_text()
    result = read_boundaries(path)
    assert result.gdf["kode"].tolist() == small["kode"].tolist()


def test_shapefile_missing_sidecar(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    path = write_shapefile(small, tmp_path)
    (tmp_path / "desa.dbf").unlink()
    with pytest.raises(InputError, match=r"\.dbf"):
        read_boundaries(path)
    archive = zip_folder(tmp_path, tmp_path.parent / "no_dbf.zip")
    with pytest.raises(InputError, match=r"\.dbf") as info:
        read_boundaries(archive)
    assert info.value.file == "no_dbf.zip"


@pytest.mark.parametrize("epsg", [32749, 3857])
def test_projected_crs_is_reprojected(
    tmp_path: Path, small: gpd.GeoDataFrame, epsg: int
) -> None:
    path = write_shapefile(small.to_crs(epsg), tmp_path)
    result = read_boundaries(path)
    assert result.reprojected
    assert result.source_crs == f"EPSG:{epsg}"
    assert result.gdf.crs.to_epsg() == 4326
    np.testing.assert_allclose(result.gdf.total_bounds, small.total_bounds, atol=1e-6)


def test_no_prj_in_degrees_is_accepted_with_warning(
    tmp_path: Path, small: gpd.GeoDataFrame
) -> None:
    path = write_shapefile(small, tmp_path)
    (tmp_path / "desa.prj").unlink()
    result = read_boundaries(path)
    assert result.source_crs is None
    assert not result.reprojected
    assert any("CRS" in w for w in render_all(result.warnings))
    np.testing.assert_allclose(result.gdf.total_bounds, small.total_bounds, atol=1e-9)


def test_no_prj_in_metres_is_rejected(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    path = write_shapefile(small.to_crs(32749), tmp_path)
    (tmp_path / "desa.prj").unlink()
    with pytest.raises(InputError, match="tidak punya CRS"):
        read_boundaries(path)


@pytest.mark.parametrize(
    "member", ["../evil.shp", "a/../../evil.shp", "/etc/evil.shp", "C:/evil.shp", "..\\evil.shp"]
)
def test_zip_slip_rejected(tmp_path: Path, member: str) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zipfile.ZipInfo(member), b"not a shapefile")
    with pytest.raises(InputError, match="tidak aman") as info:
        read_boundaries(archive)
    assert info.value.rows == [member]
    assert not (tmp_path.parent / "evil.shp").exists()


def test_zip_size_limit(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    write_shapefile(small, tmp_path / "shp")
    archive = zip_folder(tmp_path / "shp", tmp_path / "ok.zip")
    with pytest.raises(InputError, match="terlalu besar"):
        read_boundaries(archive, max_unzipped_mb=1_000 / 2**20)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("desa.shp", b"\0" * 5_000_000)
    assert bomb.stat().st_size < 50_000
    with pytest.raises(InputError, match="terlalu besar"):
        read_boundaries(bomb, max_unzipped_mb=1_000_000 / 2**20)


def test_zip_limit_is_configurable(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("desa.shp", b"\0" * 3_000_000)
    with pytest.raises(InputError, match="terlalu besar") as err:
        read_boundaries(bomb, max_unzipped_mb=2)
    assert "bomb.zip" in str(err.value)
    with pytest.raises(InputError) as err:  # within the limit: fails later, not on size
        read_boundaries(bomb, max_unzipped_mb=10)
    assert "terlalu besar" not in str(err.value)


def test_zip_without_or_with_several_shapefiles(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("readme.txt", "halo")
    with pytest.raises(InputError, match="tidak berisi shapefile"):
        read_boundaries(empty)
    write_shapefile(small, tmp_path / "two", "a")
    write_shapefile(small, tmp_path / "two", "b")
    archive = zip_folder(tmp_path / "two", tmp_path / "two.zip")
    with pytest.raises(InputError, match="lebih dari satu") as info:
        read_boundaries(archive)
    assert info.value.rows == ["a.shp", "b.shp"]


def test_invalid_rings_repaired(shared_data: Path) -> None:
    path = shared_data / "kab-boundaries-samples" / "lombok_timur_5203_desa_kel_2025.geojson"
    assert (~gpd.read_file(path, engine="pyogrio").is_valid).sum() == 2
    result = read_boundaries(path)
    assert result.repaired == 2
    assert len(result.gdf) == 254
    assert result.gdf.is_valid.all()
    assert set(result.gdf.geom_type) == {"MultiPolygon"}
    assert any("diperbaiki" in w for w in render_all(result.warnings))


def test_bowtie_repaired_keeps_only_polygons(tmp_path: Path) -> None:
    bowtie = shapely.Polygon([(108.0, -7.0), (108.1, -6.9), (108.1, -7.0), (108.0, -6.9)])
    gdf = gpd.GeoDataFrame({"kode": ["3211012001"]}, geometry=[bowtie], crs=4326)
    path = tmp_path / "bowtie.geojson"
    gdf.to_file(path, engine="pyogrio")
    result = read_boundaries(path)
    assert result.repaired == 1
    geom = result.gdf.geometry.iloc[0]
    assert geom.geom_type == "MultiPolygon" and geom.is_valid
    assert geom.area == pytest.approx(0.005)


@pytest.mark.parametrize("kind", ["Point", "MultiLineString"])
def test_non_polygons_rejected(tmp_path: Path, small: gpd.GeoDataFrame, kind: str) -> None:
    geoms = small.geometry.representative_point() if kind == "Point" else small.boundary
    path = tmp_path / "x.geojson"
    small.set_geometry(geoms).to_file(path, engine="pyogrio")
    with pytest.raises(InputError, match=kind):
        read_boundaries(path)


def test_mixed_polygon_multipolygon(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    mixed = small.copy()
    mixed.loc[0, "geometry"] = mixed.geometry.iloc[0].geoms[0]
    assert set(mixed.geom_type) == {"Polygon", "MultiPolygon"}
    path = tmp_path / "mixed.geojson"
    mixed.to_file(path, engine="pyogrio")
    result = read_boundaries(path)
    assert set(result.gdf.geom_type) == {"MultiPolygon"}


def test_null_and_empty_geometries_dropped(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    gdf = small.copy()
    gdf.loc[2, "geometry"] = None
    gdf.loc[5, "geometry"] = shapely.MultiPolygon()
    path = tmp_path / "holes.gpkg"
    gdf.to_file(path, engine="pyogrio")
    result = read_boundaries(path)
    assert result.empty_dropped == [small.loc[2, "kode"], small.loc[5, "kode"]]
    assert len(result.gdf) == 18
    assert result.gdf.index.tolist() == list(range(18))
    assert any("tanpa geometri" in w for w in render_all(result.warnings))


def test_duplicate_codes_reported(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    gdf = small.copy()
    gdf.loc[1, "kode"] = gdf.loc[0, "kode"]
    path = tmp_path / "dup.geojson"
    gdf.to_file(path, engine="pyogrio")
    result = read_boundaries(path)
    assert result.duplicate_codes == [small.loc[0, "kode"]]
    # two different village names on one code: both features are dropped and listed
    assert result.conflicting_codes == [small.loc[0, "kode"]]
    assert len(result.gdf) == 18 and result.gdf["kode"].is_unique


def test_invalid_codes_rejected_with_rows(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    gdf = small.copy()
    gdf.loc[3, "kode"] = "32.11.01"
    gdf.loc[7, "kode"] = None
    path = tmp_path / "bad.geojson"
    gdf.to_file(path, engine="pyogrio")
    with pytest.raises(InputError) as info:
        read_boundaries(path, display_name="/srv/uploads/Peta Desa.geojson")
    err = info.value
    assert err.file == "Peta Desa.geojson"
    assert err.column == "kode"
    assert err.rows == ["fitur 4: '32.11.01'", "fitur 8: (kosong)"]


def test_missing_code_column_lists_columns(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    path = tmp_path / "nocode.geojson"
    small.drop(columns="kode").to_file(path, engine="pyogrio")
    with pytest.raises(InputError, match="nama_kec"):
        read_boundaries(path)


def test_bps_boundaries_loaded_as_bps(tmp_path: Path, data_dir: Path, small: gpd.GeoDataFrame) -> None:
    table = pd.read_csv(data_dir / "sumedang" / "sumedang_stunting_posyandu_2019_2021.csv", dtype=str)
    bps = dict(zip(table["kode"], table["kode_bps"], strict=False))
    hdx = gpd.GeoDataFrame(
        {
            "ADM4_PCODE": ["ID" + bps[k] for k in small["kode"]],
            "ADM4_EN": small["nama"],
            "ADM3_EN": small["nama_kec"],
        },
        geometry=small.geometry,
        crs=4326,
    )
    path = tmp_path / "hdx.geojson"
    hdx.to_file(path, engine="pyogrio")
    result = read_boundaries(path)
    assert result.code_system == "bps"
    assert result.columns == {"kode": "ADM4_PCODE", "nama": "ADM4_EN", "nama_kec": "ADM3_EN"}
    assert result.gdf["kode"].tolist() == hdx["ADM4_PCODE"].tolist()  # original text kept
    assert result.gdf.loc[0, "kode_kec"] == bps[small.loc[0, "kode"]][:7]
    assert any("BPS" in w for w in render_all(result.warnings))


def test_missing_name_column_is_a_warning(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    path = tmp_path / "noname.geojson"
    small[["kode", "geometry"]].to_file(path, engine="pyogrio")
    result = read_boundaries(path)
    assert result.gdf["nama"].isna().all()
    assert result.gdf["nama_kec"].isna().all()
    assert result.gdf.loc[0, "kode_kec"] == "32.11.01"
    assert any("nama desa" in w for w in render_all(result.warnings))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("kosong.geojson", b""),
        ("laporan.geojson", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
        ("rusak.geojson", b'{"type": "FeatureCollection", "features": [ {'),
        ("no_features.geojson", b'{"type": "FeatureCollection", "features": []}'),
        ("peta.zip", b"PK\x03\x04 this is not really a zip"),
        ("peta.gpkg", b"SQLite format 3\x00" + bytes(200)),
        ("peta.kml", b"<kml></kml>"),
    ],
)
def test_garbage_boundaries_rejected(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_boundaries(path)
    assert info.value.file == name
    assert str(tmp_path) not in str(info.value)


_MAGICS = st.sampled_from([b"", b"PK\x03\x04", b"SQLite format 3\x00", b"{", b"%PDF"])
_SUFFIXES = st.sampled_from([".geojson", ".json", ".gpkg", ".zip", ".shp", ".csv", ".xlsx", ""])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(magic=_MAGICS, body=st.binary(max_size=300), suffix=_SUFFIXES)
def test_random_bytes_only_ever_raise_input_error(magic: bytes, body: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(magic + body)
        for reader in (read_boundaries, read_table):
            try:
                reader(path)
            except InputError as exc:
                assert tmp not in str(exc)


# --------------------------------------------------------------------------- tables


def test_sumedang_csv(data_dir: Path) -> None:
    table = read_table(data_dir / "sumedang" / "sumedang_stunting_posyandu_2019_2021.csv")
    assert len(table) == 810
    assert table["_row"].tolist() == list(range(2, 812))
    assert str(table["_row"].dtype) == "int64"
    assert all(str(table[c].dtype) == "string" for c in table.columns if c != "_row")
    assert table.loc[0, "kode_bps"] == "3211100004"
    assert table["anak_0_23_kuning_risiko_stunting"].isna().sum() == 270


def test_csv_semicolon_decimal_comma_bom(tmp_path: Path) -> None:
    text = "\ufeffkode;nama_desa;persen\n32.11.01.2001;Cimungkal;12,5\n3211012002 ; Ganjaresik ;7\n"
    path = write_csv(tmp_path / "a.csv", text)
    table = read_table(path)
    assert list(table.columns) == ["kode", "nama_desa", "persen", "_row"]
    assert table["nama_desa"].tolist() == ["Cimungkal", "Ganjaresik"]
    assert table["kode"].tolist() == ["32.11.01.2001", "3211012002"]
    values = to_number(table["persen"], file="a.csv", column="persen", rows=table["_row"])
    assert values.tolist() == [12.5, 7.0]


def test_csv_tab_separated_with_commas_in_values(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", "kode\tnilai\n3211012001\t1,5\n3211012002\t2,25\n")
    table = read_table(path)
    assert table["nilai"].tolist() == ["1,5", "2,25"]


def test_csv_latin1(tmp_path: Path) -> None:
    text = "kode,nama_desa\n3207012001,Ciamis Ñ\n3207012002,Cañada\n"
    table = read_table(write_csv(tmp_path / "l.csv", text, "latin-1"))
    assert table["nama_desa"].tolist() == ["Ciamis Ñ", "Cañada"]
    table = read_table(write_csv(tmp_path / "w.csv", "kode,nama\n1,Desa – “Baru”\n", "cp1252"))
    assert table["nama"].tolist() == ["Desa – “Baru”"]


def test_csv_text_kept_literal_and_blank_rows(tmp_path: Path) -> None:
    text = " kode , nilai \n0012,NA\n\n  ,  \n3211012001, null \n"
    table = read_table(write_csv(tmp_path / "n.csv", text))
    assert list(table.columns) == ["kode", "nilai", "_row"]
    assert table["kode"].tolist() == ["0012", "3211012001"]  # leading zeros kept
    assert table["nilai"].tolist() == ["NA", "null"]  # no NA coercion of words
    assert table["_row"].tolist() == [2, 5]  # blank lines count like spreadsheet rows


def test_csv_empty_cells_are_na(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "e.csv", "a,b\n1,\n,2\n"))
    assert table["a"].isna().tolist() == [False, True]
    assert table["b"].isna().tolist() == [True, False]


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (b"", "kosong"),
        (b"\n\n  \n", "kosong"),
        (b"kode,nama\n", "tidak ada baris data"),
        (b"kode,kode\n1,2\n", "nama kolom yang sama"),
        (b"a,b\n1,2\n3,4,5,6\n", "jumlah kolom"),
        (b"%PDF-1.7\n\x00\x01\x02binary\x00stuff", "bukan CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), r"\.xls"),
        (b"PK\x03\x04garbage", "XLSX"),
    ],
)
def test_bad_tables_rejected(tmp_path: Path, content: bytes, pattern: str) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=pattern) as info:
        read_table(path, display_name="Data Desa.csv")
    assert info.value.file == "Data Desa.csv"


def test_ragged_csv_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_table(write_csv(tmp_path / "r.csv", "a,b\n1,2\n3,4\n5,6,7\n"))
    assert info.value.rows == [4]


def test_xlsx_numeric_codes(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Kode", "Desa", "Balita Diukur", "Persen"])
    sheet.append([3211012001.0, "Cimungkal", 120.0, 12.5])
    sheet.append([3211012002, "Ganjaresik", None, 0.25])
    other = book.create_sheet("Lain")
    other.append(["x"])
    other.append(["y"])
    path = tmp_path / "data.xlsx"
    book.save(path)

    table = read_table(path)
    assert list(table.columns) == ["Kode", "Desa", "Balita Diukur", "Persen", "_row"]
    assert table["Kode"].tolist() == ["3211012001", "3211012002"]
    assert table["Balita Diukur"].tolist()[0] == "120"
    assert pd.isna(table["Balita Diukur"].iloc[1])
    assert table["_row"].tolist() == [2, 3]
    values = to_number(table["Persen"], file="data.xlsx", column="Persen")
    assert values.tolist() == [12.5, 0.25]

    assert read_table(path, sheet="Lain")["x"].tolist() == ["y"]
    assert read_table(path, sheet=1)["x"].tolist() == ["y"]
    with pytest.raises(InputError, match="tidak ada") as info:
        read_table(path, sheet="Tidak Ada")
    assert info.value.rows == ["Sheet", "Lain"]
    with pytest.raises(InputError):
        read_table(path, sheet=5)


def test_xlsx_header_below_empty_rows_keeps_sheet_row_numbers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B3"] = "kode"
    sheet["C3"] = "jumlah"
    sheet["B4"] = "32.11.01.2001"
    sheet["C4"] = 5
    sheet["B6"] = "32.11.01.2002"
    path = tmp_path / "offset.xlsx"
    book.save(path)
    table = read_table(path)
    assert list(table.columns) == ["kode", "jumlah", "_row"]
    assert table["_row"].tolist() == [4, 6]
    assert table["jumlah"].tolist()[0] == "5"


def test_xlsx_header_only(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["kode", "jumlah"])
    path = tmp_path / "header.xlsx"
    book.save(path)
    with pytest.raises(InputError, match="tidak ada baris data"):
        read_table(path)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.text(max_size=8), min_size=2, max_size=2), min_size=1, max_size=8))
def test_csv_round_trip_text(rows: list[list[str]]) -> None:
    frame = pd.DataFrame(rows, columns=["a", "b"])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.csv"
        # pandas leaves a bare CR unquoted, which any CSV reader takes as a line break:
        # quote every cell so the file says what the frame holds
        frame.to_csv(path, index=False, quoting=csv.QUOTE_ALL)
        try:
            table = read_table(path)
        except InputError:
            return  # e.g. every row blank
        expected = frame.apply(lambda s: s.str.strip()).replace("", pd.NA)
        assert len(table) <= len(frame)
        kept = expected.loc[table["_row"] - 2]
        got = table[["a", "b"]].astype(object).where(table[["a", "b"]].notna(), pd.NA)
        assert (got.fillna("<NA>").to_numpy() == kept.fillna("<NA>").to_numpy()).all()


# --------------------------------------------------------------------------- numbers


def _num(values: list[object]) -> list[float | None]:
    out = to_number(pd.Series(values, dtype=object), file="f.csv", column="c")
    assert out.dtype == "float64"
    return [None if np.isnan(v) else v for v in out]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["12,5", "12.5"], [12.5, 12.5]),
        (["1.234", "2.500"], [1234.0, 2500.0]),  # every value grouped thousands
        (["1.234", "12"], [1.234, 12.0]),  # not all grouped: a dot is a decimal point
        (["1.234", "0,5"], [1234.0, 0.5]),  # column uses a decimal comma
        (["1.234,5", "7"], [1234.5, 7.0]),
        (["1.234.567", "3"], [1234567.0, 3.0]),  # several dots: unambiguous
        (["3211012001.0", "5"], [3211012001.0, 5.0]),
        ([" 5 ", "12%", "12,5 %", "", None, "-"], [5.0, 12.0, 12.5, None, None, None]),
        (["-3", "+4", "1e3", ".5"], [-3.0, 4.0, 1000.0, 0.5]),
        ([], []),
    ],
)
def test_to_number(values: list[object], expected: list[float | None]) -> None:
    assert _num(values) == pytest.approx(expected) if expected else _num(values) == []


@pytest.mark.parametrize("bad", ["abc", "inf", "nan", "1,2,3", "12 anak", "1.2.3,4,5"])
def test_to_number_rejects_text_with_rows(bad: str) -> None:
    series = pd.Series(["1", bad, "2", bad], index=[10, 11, 12, 13], dtype="string")
    rows = pd.Series([2, 3, 4, 5], index=series.index)
    with pytest.raises(InputError) as info:
        to_number(series, file="t.csv", column="jumlah", rows=rows)
    err = info.value
    assert (err.file, err.column, err.rows) == ("t.csv", "jumlah", [3, 5])
    assert bad in err.message.render()


def test_to_number_without_rows_lists_values() -> None:
    with pytest.raises(InputError) as info:
        to_number(pd.Series(["x1"]), file=None, column="c")
    assert info.value.rows == ["x1"]


def test_to_number_keeps_index() -> None:
    out = to_number(pd.Series(["1", "2"], index=[7, 3]), file=None, column="c")
    assert out.index.tolist() == [7, 3]


def test_module_has_no_dash() -> None:
    import geo.io.archives
    import geo.io.boundaries
    import geo.io.geometry
    import geo.io.tables

    for module in (geo.io.archives, geo.io.boundaries, geo.io.geometry, geo.io.tables):
        source = Path(module.__file__).read_text()
        assert "import dash" not in source and "plotly" not in source
        assert json.dumps(sorted(module.__all__))


def test_table_beyond_the_column_limit_is_refused_by_name(tmp_path):
    """A sheet thousands of columns wide (stray content far to the right, or a sheet sized
    A1:XFD…) is refused with a message, never cleaned column by column for minutes."""
    import openpyxl

    from geo.io.tables import MAX_TABLE_COLUMNS

    wide = ",".join(["kode", "tahun", "merah", *(f"c{i}" for i in range(MAX_TABLE_COLUMNS))])
    csv = tmp_path / "lebar.csv"
    csv.write_text(wide + "\n" + ",".join(["32.11.01.2001", "2020", "5"] + ["1"] * MAX_TABLE_COLUMNS) + "\n")
    with pytest.raises(InputError) as err:
        read_table(csv)
    assert err.value.key == "table.error.too_wide" and err.value.file == "lebar.csv"
    assert err.value.message.params == {"n": MAX_TABLE_COLUMNS + 3, "limit": MAX_TABLE_COLUMNS}

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["kode", "tahun", "merah"])
    sheet.cell(row=2, column=MAX_TABLE_COLUMNS + 1, value="catatan")
    book.save(tmp_path / "lebar.xlsx")
    with pytest.raises(InputError) as err:
        read_table(tmp_path / "lebar.xlsx")
    assert err.value.key == "table.error.too_wide"


def test_xlsx_row_numbers_survive_gaps_and_far_rows(tmp_path):
    """Reading cells rather than the declared sheet size keeps spreadsheet row numbers: empty
    rows in between and a row far down are numbered as the spreadsheet shows them."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["kode", "tahun", "merah"])
    sheet.append(["32.11.01.2001", 2020, 5])
    sheet["A6"], sheet["C6"] = "32.11.01.2002", 7
    sheet["A5000"] = "32.11.01.2003"
    book.save(tmp_path / "celah.xlsx")
    table = read_table(tmp_path / "celah.xlsx")
    assert table["_row"].tolist() == [2, 6, 5000]
    assert table["merah"].tolist()[:2] == ["5", "7"]
