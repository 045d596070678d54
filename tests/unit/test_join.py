"""Join report: every row in exactly one category, with spreadsheet row numbers."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.core.codes import normalise_codes
from geo.core.messages import render_all
from geo.data.join import JoinReport, join_report, join_table
from geo.io.boundaries import read_boundaries
from geo.io.tables import read_table


@pytest.fixture(scope="module")
def villages(data_dir: Path) -> gpd.GeoDataFrame:
    return read_boundaries(data_dir / "sumedang" / "sumedang_desa_kel_2025.geojson").gdf


@pytest.fixture(scope="module")
def table(data_dir: Path) -> pd.DataFrame:
    raw = read_table(data_dir / "sumedang" / "sumedang_stunting_posyandu_2019_2021.csv")
    return raw.assign(kode=normalise_codes(raw["kode"]))


def _boundaries(codes: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"kode": codes, "nama": [f"Desa {c[-4:]}" for c in codes], "nama_kec": "Wado"},
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(len(codes))],
        crs=4326,
    )


def test_sumedang_join(villages: gpd.GeoDataFrame, table: pd.DataFrame) -> None:
    matched, report = join_table(
        villages, table, table_file="stunting.csv", boundary_file="desa.geojson"
    )
    assert (report.n_polygons, report.n_rows, report.n_matched) == (277, 810, 270)
    assert report.n_matched_rows == 810
    assert len(matched) == 810
    assert report.table_unmatched == []
    assert report.duplicates == []
    assert report.invalid_codes == []
    assert report.boundary_duplicates == []
    without = report.polygons_without_data
    assert len(without) == 7
    assert all(p["kode"][9] == "1" for p in without)  # all kelurahan
    assert {p["nama_kec"] for p in without} <= set(villages["nama_kec"])
    assert [y["tahun"] for y in report.per_year] == ["2019", "2020", "2021"]
    assert [y["matched_villages"] for y in report.per_year] == [270, 270, 270]
    assert [y["rows"] for y in report.per_year] == [270, 270, 270]
    assert report.per_year[0]["share"] == pytest.approx(270 / 277)

    lines = render_all(report.summary())
    assert lines[0] == "270 dari 277 poligon desa mendapat data."
    assert lines[1].startswith("7 poligon tanpa data: ")
    assert "0 baris tabel tanpa poligon." in lines
    assert any(line.startswith("Tahun 2021: 270 desa (97,5 % poligon)") for line in lines)

    data = report.to_dict()
    json.dumps(data)
    assert data["n_polygons_without_data"] == 7
    assert data["n_table_unmatched"] == 0
    assert len(data["per_year"]) == 3


def test_synthetic_table_categories() -> None:
    boundaries = _boundaries(["32.11.01.2001", "32.11.01.2002", "32.11.01.1003"])
    table = pd.DataFrame(
        {
            "kode": ["32.11.01.2001", "32.11.99.2001", "32.11.01.2001", None, "32.11.01.2002",
                     "32.11.01.2001"],
            "tahun": [2020, 2020, 2020, 2020, 2020, 2021],
            "nama_desa": ["A", "Hilang", "A lagi", "Rusak", "B", "A"],
            "_row": [2, 3, 4, 5, 6, 7],
        }
    ).astype({"kode": "string"})
    matched, report = join_table(boundaries, table, table_file="t.csv")

    assert matched["_row"].tolist() == [2, 6, 7]  # same kode in 2021 is not a duplicate
    assert report.table_unmatched == [{"row": 3, "kode": "32.11.99.2001", "nama_desa": "Hilang"}]
    assert report.duplicates == [
        {"row": 4, "kode": "32.11.01.2001", "tahun": 2020, "first_row": 2}
    ]
    assert report.invalid_codes == [{"row": 5, "nama_desa": "Rusak"}]
    assert report.polygons_without_data == [
        {"kode": "32.11.01.1003", "nama": "Desa 1003", "nama_kec": "Wado"}
    ]
    assert report.n_matched == 2
    assert report.per_year == [
        {"tahun": 2020, "rows": 5, "matched_villages": 2, "share": pytest.approx(2 / 3)},
        {"tahun": 2021, "rows": 1, "matched_villages": 1, "share": pytest.approx(1 / 3)},
    ]
    data = report.to_dict()
    json.dumps(data)
    assert (data["n_table_unmatched"], data["n_duplicates"], data["n_invalid_codes"]) == (1, 1, 1)
    text = "\n".join(render_all(report.summary()))
    assert "1 baris tabel tanpa poligon: baris 3 (32.11.99.2001)." in text
    assert "baris 4 (32.11.01.2001)" in text
    assert "kode desa kosong atau tidak valid: baris 5." in text


def test_no_year_duplicates_by_code_and_bps_raw_listed() -> None:
    boundaries = _boundaries(["32.11.01.2001"])
    table = pd.DataFrame(
        {
            "kode": pd.array(["32.11.01.2001", None, "32.11.01.2001"], dtype="string"),
            "kode_bps_raw": ["3211100001", "32111000xx", "3211100001"],
            "_row": [2, 3, 4],
        }
    )
    matched, report = join_table(boundaries, table, table_file="t.csv")
    assert matched["_row"].tolist() == [2]
    assert report.duplicates == [{"row": 4, "kode": "32.11.01.2001", "tahun": None, "first_row": 2}]
    assert report.invalid_codes == [{"row": 3, "kode_bps_raw": "32111000xx"}]
    assert report.per_year == []


def test_boundary_duplicates_and_example_cap() -> None:
    codes = [f"32.11.01.2{i:03d}" for i in range(1, 31)]
    boundaries = _boundaries([*codes, codes[0]])
    table = pd.DataFrame(
        {"kode": pd.array([f"32.11.02.2{i:03d}" for i in range(1, 26)], dtype="string"),
         "_row": range(2, 27)}
    )
    report = join_report(boundaries, table, table_file="t.csv", boundary_file="b.geojson")
    assert isinstance(report, JoinReport)
    assert report.boundary_duplicates == [codes[0]]
    data = report.to_dict()
    assert data["n_table_unmatched"] == 25
    assert len(data["table_unmatched"]) == 20
    assert data["n_polygons_without_data"] == 31
    assert len(data["polygons_without_data"]) == 20
    assert data["boundary_file"] == "b.geojson"
    assert any("dan 20 lainnya" in line for line in render_all(report.summary()))


_CODES = ["32.11.01.2001", "32.11.01.2002", "32.11.01.2003", "32.11.09.2009", None]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(_CODES), st.sampled_from([2019, 2020, None]),
                       st.sampled_from([1.0, 2.0, None])), max_size=30),
    st.booleans(),
)
def test_every_row_in_exactly_one_category(rows: list[tuple[str | None, int | None, float | None]],
                                           with_year: bool) -> None:
    boundaries = _boundaries(_CODES[:3])
    table = pd.DataFrame(
        {"kode": pd.array([r[0] for r in rows], dtype="string"),
         "tahun": pd.array([r[1] for r in rows], dtype="Int64"),
         "nilai": pd.array([r[2] for r in rows], dtype="Float64"),
         "_row": range(2, len(rows) + 2)}
    )
    if not with_year:
        table = table.drop(columns="tahun")
    matched, report = join_table(boundaries, table, table_file="t.csv")
    listed = (
        set(matched["_row"])
        | {r["row"] for r in report.table_unmatched}
        | {r["row"] for r in report.duplicates}
        | {r["row"] for r in report.conflicts}
        | {r["row"] for r in report.invalid_codes}
    )
    total = (
        len(matched) + len(report.table_unmatched) + len(report.duplicates)
        + len(report.conflicts) + len(report.invalid_codes)
    )
    assert total == report.n_rows == len(rows)
    assert listed == set(table["_row"])
    assert report.n_matched + len(report.polygons_without_data) == 3
    keys = ["kode", "tahun"] if with_year else ["kode"]
    assert not matched.duplicated(keys).any()
    # no conflicting value survives: every kept (kode, tahun) had one value in the table
    values: dict[tuple[object, ...], set[str]] = {}
    for rec in table.loc[table["kode"].notna()].to_dict("records"):
        values.setdefault(tuple(str(rec[k]) for k in keys), set()).add(str(rec["nilai"]))
    for rec in matched.to_dict("records"):
        assert len(values[tuple(str(rec[k]) for k in keys)]) == 1
    assert len(report.quality) == len(rows) - len(matched)
    json.dumps(report.to_dict())
