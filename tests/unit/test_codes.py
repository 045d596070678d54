"""Kemendagri code normalisation and BPS detection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.core.codes import (
    detect_code_system,
    kecamatan_code,
    kecamatan_codes,
    looks_like_bps,
    normalise_code,
    normalise_codes,
    village_type,
)


@pytest.fixture(scope="module")
def sumedang_table(sumedang_posyandu: pd.DataFrame) -> pd.DataFrame:
    return sumedang_posyandu


@pytest.fixture(scope="module")
def village_codes(data_dir: Path) -> pd.Series:
    table = pd.read_csv(data_dir / "region-codes" / "kemendagri_wilayah_2025_cahyadsn.csv", dtype=str)
    return table.loc[table["level"] == "4", "kode"].reset_index(drop=True)


@pytest.mark.parametrize(
    "value",
    [
        "32.11.01.2001",
        "3211012001",
        " 32.11.01.2001 ",
        "\t3211012001\n",
        "3211012001.0",
        "3211012001.00",
        "3.211012001E9",
        "3.211012001e+09",
        3211012001,
        3211012001.0,
        np.int64(3211012001),
        np.float64(3211012001.0),
    ],
)
def test_normalise_code_accepts_every_form(value: object) -> None:
    assert normalise_code(value) == "32.11.01.2001"


@pytest.mark.parametrize(
    "value",
    [
        None,
        float("nan"),
        pd.NA,
        "",
        "   ",
        "abc",
        True,
        "3211100004",  # BPS: 7th digit 0 -> village part 0004
        "3211100004.0",
        "321101200",  # 9 digits
        "32110120011",  # 11 digits
        "32.11.1.2001",
        "32.11.01.4001",  # village part must start with 1, 2 or 3
        "32.11.01.2000",
        "10.11.01.2001",  # no province 10
        "97.11.01.2001",
        "32.00.01.2001",
        "32.11.00.2001",
        "3211012001.5",
        "3.2110120015E9",  # not an integer
        "32-11-01-2001",
        1e20,
        -3211012001,
    ],
)
def test_normalise_code_rejects(value: object) -> None:
    assert normalise_code(value) is None


def test_village_types_and_desa_adat() -> None:
    assert normalise_code("9103013001") == "91.03.01.3001"
    assert village_type("91.03.01.3001") == "desa adat"
    assert village_type("3211171001") == "kelurahan"
    assert village_type(3211012001) == "desa"
    with pytest.raises(ValueError):
        village_type("3211100004")


def test_kecamatan_code() -> None:
    assert kecamatan_code("32.11.01.2001") == "32.11.01"
    assert kecamatan_code("3211262005") == "32.11.26"
    with pytest.raises(ValueError):
        kecamatan_code("nonsense")
    out = kecamatan_codes(pd.Series(["3211012001", "x", None], index=[5, 6, 7]))
    assert out.index.tolist() == [5, 6, 7]
    assert out.iloc[0] == "32.11.01"
    assert out.iloc[1:].isna().all()


def test_normalise_codes_keeps_index_and_marks_invalid_na() -> None:
    series = pd.Series(["3211012001", "bad", None, 3211012002.0], index=[10, 20, 30, 40], dtype=object)
    out = normalise_codes(series)
    assert out.index.tolist() == [10, 20, 30, 40]
    assert str(out.dtype) == "string"
    assert out.tolist()[0] == "32.11.01.2001"
    assert out.tolist()[3] == "32.11.01.2002"
    assert out.iloc[1:3].isna().all()


def test_normalise_codes_on_float_column() -> None:
    out = normalise_codes(pd.Series([3211012001.0, np.nan, 3211012002.0]))
    assert out.iloc[0] == "32.11.01.2001"
    assert pd.isna(out.iloc[1])


@pytest.mark.slow
def test_every_2025_village_code_normalises_to_itself(village_codes: pd.Series) -> None:
    assert len(village_codes) == 83_762
    assert (normalise_codes(village_codes) == village_codes).all()
    undotted = village_codes.str.replace(".", "", regex=False)
    assert (normalise_codes(undotted) == village_codes).all()
    assert not (kecamatan_codes(village_codes) != village_codes.str[:8]).any()


_CODE_TEXT = st.one_of(
    st.from_regex(r"\A[0-9]{10}\Z"),
    st.from_regex(r"\A[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}\Z"),
    st.from_regex(r"\A[0-9]{10}\.0\Z"),
    st.text(max_size=14),
)


@settings(deadline=None)
@given(
    st.lists(
        st.one_of(_CODE_TEXT, st.integers(), st.floats(), st.none()),
        max_size=20,
    )
)
def test_vectorised_agrees_with_scalar(values: list[object]) -> None:
    out = normalise_codes(pd.Series(values, dtype=object))
    assert [None if pd.isna(v) else v for v in out] == [normalise_code(v) for v in values]


@given(st.from_regex(r"\A[0-9]{10}\Z"))
def test_dotted_and_undotted_agree(digits: str) -> None:
    dotted = f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"
    assert normalise_code(digits) == normalise_code(dotted)
    result = normalise_code(digits)
    assert result is None or result == dotted


def test_looks_like_bps() -> None:
    assert looks_like_bps("3211100004")
    assert looks_like_bps("3211100004.0")
    assert looks_like_bps(3211100004)
    assert looks_like_bps(" ID3211100004 ")  # OCHA P-code prefix
    assert not looks_like_bps("32.11.01.2001")
    assert not looks_like_bps("3211012001")
    assert not looks_like_bps("321110000")
    assert not looks_like_bps(None)
    assert not looks_like_bps("")


def test_bps_column_of_sumedang_is_detected(sumedang_table: pd.DataFrame) -> None:
    bps = sumedang_table["kode_bps"]
    assert detect_code_system(bps) == "bps"
    assert detect_code_system(bps.astype(float)) == "bps"  # Open Data Jabar style 3211100004.0
    assert detect_code_system(sumedang_table["kode"]) == "kemendagri"
    # Most BPS codes never normalise; none of them turns into its village's real code.
    normal = normalise_codes(bps)
    assert normal.isna().mean() > 0.5
    assert not (normal == sumedang_table["kode"]).fillna(False).any()


def test_detect_code_system_with_known_codes(
    sumedang_table: pd.DataFrame, village_codes: pd.Series
) -> None:
    known = set(village_codes)
    assert detect_code_system(sumedang_table["kode"], known) == "kemendagri"
    assert detect_code_system(sumedang_table["kode_bps"], known) == "bps"
    # Valid-looking codes that do not exist are not Kemendagri for this code list.
    assert detect_code_system(pd.Series(["32.11.01.2001"] * 5), {"11.01.01.2001"}) == "unknown"


def test_detect_code_system_unknown() -> None:
    assert detect_code_system(pd.Series([], dtype=object)) == "unknown"
    assert detect_code_system(pd.Series([None, "", " "])) == "unknown"
    assert detect_code_system(pd.Series(["abc", "def", "3211012001"])) == "unknown"
    # Empty cells do not dilute the share.
    assert detect_code_system(pd.Series(["3211012001", None, None, None])) == "kemendagri"
