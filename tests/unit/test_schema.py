"""Column detection for boundary files and tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.core.errors import InputError
from geo.io.schema import (
    BOUNDARY_ROLES,
    MEASURE_ROLES,
    TABLE_ROLES,
    detect_columns,
    normalise_name,
)

BIG = [
    "OBJECTID", "NAMOBJ", "FCODE", "REMARK", "METADATA", "SRS_ID", "KDBBPS", "KDCBPS", "KDCPUM",
    "KDEBPS", "KDEPUM", "KDPBPS", "KDPKAB", "KDPPUM", "LUASWH", "TIPADM", "WADMKC", "WADMKD",
    "WADMKK", "WADMPR", "WIADKC", "WIADKK", "WIADPR", "WIADKD", "UUPP",
]
HDX = [
    "Shape_Leng", "Shape_Area", "ADM4_EN", "ADM4_PCODE", "ADM4_REF", "ADM4ALT1EN", "ADM3_EN",
    "ADM3_PCODE", "ADM2_EN", "ADM2_PCODE", "ADM1_EN", "ADM1_PCODE", "ADM0_EN", "ADM0_PCODE",
]


def test_big_schema() -> None:
    found = detect_columns(BIG, BOUNDARY_ROLES)
    assert found == {"kode": "KDEPUM", "nama": "WADMKD", "nama_kec": "WADMKC", "kode_kec": "KDCPUM"}


def test_hdx_schema() -> None:
    found = detect_columns(HDX, BOUNDARY_ROLES)
    assert found == {"kode": "ADM4_PCODE", "nama": "ADM4_EN", "nama_kec": "ADM3_EN"}


def test_sumedang_geojson_columns_prefer_kode_over_kode10() -> None:
    columns = ["kode", "kode10", "nama", "jenis", "kode_kec", "nama_kec", "kode_kab", "lat", "lng"]
    found = detect_columns(columns, BOUNDARY_ROLES)
    assert found == {"kode": "kode", "nama": "nama", "nama_kec": "nama_kec", "kode_kec": "kode_kec"}
    assert detect_columns(["kode10", "KDEPUM"], BOUNDARY_ROLES)["kode"] == "KDEPUM"


def test_sumedang_csv_header(data_dir: Path) -> None:
    path = data_dir / "sumedang" / "sumedang_stunting_posyandu_2019_2021.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    found = detect_columns(header, TABLE_ROLES)
    assert found == {
        "kode": "kode",
        "kode_bps": "kode_bps",
        "nama_desa": "nama_desa",
        "nama_kec": "nama_kec",
        "tahun": "tahun",
        "merah": "anak_0_23_merah_terindikasi_stunting",
        "kuning": "anak_0_23_kuning_risiko_stunting",
        "hijau": "anak_0_23_hijau_normal",
        "ibu_hamil": "ibu_hamil",
        "ibu_hamil_kek": "ibu_hamil_kek",
    }


def test_no_fuzzy_grabs() -> None:
    found = detect_columns(["kode_bps", "kode_kec", "ibu_hamil_kek"], TABLE_ROLES)
    assert "kode" not in found
    assert "ibu_hamil" not in found
    assert found["ibu_hamil_kek"] == "ibu_hamil_kek"
    assert "kode" not in detect_columns(["KDEBPS", "KDCPUM"], BOUNDARY_ROLES)


def test_case_space_and_punctuation_insensitive() -> None:
    found = detect_columns(["Kode Desa", "Desa/Kel", " TAHUN ", "Balita-Diukur"], TABLE_ROLES)
    assert found == {
        "kode": "Kode Desa",
        "nama_desa": "Desa/Kel",
        "tahun": " TAHUN ",
        "anak_diukur": "Balita-Diukur",
    }
    assert normalise_name("Desa_Kelurahan (2025)") == "desakelurahan2025"


def test_override_wins_and_takes_the_column() -> None:
    columns = ["kode", "kode_alt", "nama"]
    found = detect_columns(columns, TABLE_ROLES, {"kode": "kode_alt", "kode_bps": "kode"})
    assert found["kode"] == "kode_alt"
    assert found["kode_bps"] == "kode"
    # The override also stops other roles from using the column.
    found = detect_columns(["nama", "desa"], TABLE_ROLES, {"nama_kec": "desa"})
    assert found == {"nama_desa": "nama", "nama_kec": "desa"}


def test_override_to_missing_column_lists_available() -> None:
    with pytest.raises(InputError) as info:
        detect_columns(["a", "b"], BOUNDARY_ROLES, {"kode": "KDEPUM"}, file="peta.geojson")
    err = info.value
    assert err.file == "peta.geojson"
    assert err.column == "KDEPUM"
    assert "a, b" in err.message.render()


def test_override_unknown_role_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        detect_columns(["a"], BOUNDARY_ROLES, {"bogus": "a"})


@pytest.mark.parametrize("roles", [BOUNDARY_ROLES, TABLE_ROLES])
def test_aliases_are_unambiguous(roles: dict[str, tuple[str, ...]]) -> None:
    owner: dict[str, str] = {}
    for role, aliases in roles.items():
        for alias in aliases:
            key = normalise_name(alias)
            assert owner.setdefault(key, role) == role, f"{alias} in {owner[key]} and {role}"


def test_measure_roles_are_table_roles() -> None:
    assert set(MEASURE_ROLES) <= set(TABLE_ROLES)
    assert len(MEASURE_ROLES) == len(set(MEASURE_ROLES))
    # Each role finds its own canonical name.
    for role in TABLE_ROLES:
        assert detect_columns([role], TABLE_ROLES).get(role) == role
