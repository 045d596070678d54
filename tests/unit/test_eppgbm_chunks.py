"""e-PPGBM read in chunks: the same records, problems and village tables as in one piece."""

from __future__ import annotations

import datetime as dt
from datetime import date
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from geo.core.errors import InputError
from geo.io.eppgbm import read_eppgbm
from geo.io.eppgbm_aggregate import aggregate, match_villages
from geo.io.eppgbm_chunks import table_chunks
from geo.io.eppgbm_synthetic import synthetic_export
from geo.io.tables import read_table

TODAY = date(2025, 6, 30)
WHOLE = 10**7  # rows per chunk: the file in one piece

#: Planted problems: (column, bad value) put in every ``step``-th row from ``offset``.
PLANTED = [("JK", "X", 11, 1), ("Tgl Lahir", "31/02/2024", 13, 2),
           ("Tanggal Pengukuran", "01/01/2030", 17, 3), ("Tinggi", "n/a", 19, 4), ("Tinggi", "", 23, 5),
           ("Berat", "berat?", 29, 6), ("Cara Ukur", "Duduk", 31, 7), ("Desa/Kel", "", 37, 8),
           ("ZS TB/U", "-inf", 41, 9), ("Berat", "-3", 43, 10),
           ("Tgl Lahir", "01/01/2015", 47, 11)]


@pytest.fixture(scope="module")
def messy(sumedang_posyandu: pd.DataFrame) -> pd.DataFrame:
    """A seeded synthetic export (SINTETIS) with a problem of every kind spread over the rows."""
    villages = sumedang_posyandu.drop_duplicates(["nama_kec", "nama_desa"])[["nama_kec", "nama_desa"]]
    frame = synthetic_export(600, seed=13, villages=villages.head(12), start=date(2024, 1, 1), months=6)
    for column, value, step, offset in PLANTED:
        frame.loc[frame.index[offset::step], column] = value
    return frame


@pytest.fixture(scope="module")
def messy_csv(messy: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export as CSV with blank lines inside (row numbers must still be the file's)."""
    lines = messy.to_csv(sep=";", index=False).splitlines()
    for at in (5, 50, 51, 300):
        lines.insert(at, "")
    path = tmp_path_factory.mktemp("chunks") / "ekspor.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def messy_xlsx(messy: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export as XLSX starting at row 3, column B, with empty rows inside."""
    book = openpyxl.Workbook()
    sheet = book.active
    rows = [list(messy.columns), *messy.itertuples(index=False)]
    at = 3
    for i, values in enumerate(rows):
        if i in (40, 41, 250):
            at += 1  # an empty row
        for j, value in enumerate(values):
            sheet.cell(row=at, column=j + 2, value=None if value == "" else value)
        at += 1
    path = tmp_path_factory.mktemp("chunks") / "ekspor.xlsx"
    book.save(path)
    return path


def _same_records(a, b) -> None:
    """Equal records; child keys are random per upload, so compare who is who."""
    assert a.columns == b.columns and a.identity == b.identity and a.empty == b.empty
    pd.testing.assert_frame_equal(a.data.drop(columns="child"), b.data.drop(columns="child"))
    assert (pd.factorize(a.data["child"])[0] == pd.factorize(b.data["child"])[0]).all()
    pd.testing.assert_frame_equal(a.issues, b.issues)
    assert [m.key for m in a.warnings] == [m.key for m in b.warnings]


@pytest.mark.parametrize("fixture", ["messy_csv", "messy_xlsx"])
def test_chunks_of_seven_rows_give_the_same_records_and_tables(
        fixture: str, request: pytest.FixtureRequest, sumedang_villages: pd.DataFrame) -> None:
    path = request.getfixturevalue(fixture)
    whole = read_eppgbm(path, today=TODAY, chunk_rows=WHOLE)
    chunked = read_eppgbm(path, today=TODAY, chunk_rows=7)
    _same_records(whole, chunked)
    # every planted problem is found, at the file's own row numbers
    reasons = set(whole.issues["reason"])
    assert {"sex_unknown", "date_unreadable", "date_future", "height_invalid", "empty_required",
            "not_number", "position_unknown", "negative", "age_over_60m"} <= reasons
    assert whole.issues["row"].min() > (2 if fixture == "messy_csv" else 3)
    for period in ("year", "month"):
        a = aggregate(whole, period=period, match=match_villages(whole, sumedang_villages),
                      drop_unmatched=True)
        b = aggregate(chunked, period=period, match=match_villages(chunked, sumedang_villages),
                      drop_unmatched=True)
        pd.testing.assert_frame_equal(a.villages, b.villages)
        pd.testing.assert_frame_equal(a.quality.issues, b.quality.issues)
        pd.testing.assert_frame_equal(a.mutu_posyandu, b.mutu_posyandu)
        assert a.report.to_dict() == b.report.to_dict()


def test_row_numbers_are_the_files(messy: pd.DataFrame, messy_csv: Path, messy_xlsx: Path) -> None:
    """A planted bad sex code is reported at the line / spreadsheet row where it was written."""
    bad = np.flatnonzero(messy["JK"].to_numpy() == "X")
    csv_lines = messy_csv.read_text(encoding="utf-8").splitlines()
    csv_rows = read_eppgbm(messy_csv, today=TODAY, chunk_rows=7).issues.query(
        "reason == 'sex_unknown'")["row"]
    for row in csv_rows:
        assert csv_lines[row - 1].split(";")[2] == "X"  # JK is the third column
    # every planted X is listed unless an earlier check (an empty required cell) took the row
    assert len(bad) - 5 <= len(csv_rows) <= len(bad)
    sheet = openpyxl.load_workbook(messy_xlsx).active
    xlsx_rows = read_eppgbm(messy_xlsx, today=TODAY, chunk_rows=7).issues.query(
        "reason == 'sex_unknown'")["row"].tolist()
    assert len(xlsx_rows) == len(csv_rows)
    assert all(sheet.cell(row=row, column=4).value == "X" for row in xlsx_rows)  # JK: column D


def test_calamine_reads_as_openpyxl_does(tmp_path: Path) -> None:
    """Numbers, dates, booleans, blanks and offsets: the chunked XLSX reader (python-calamine) gives
    the text and row numbers :func:`geo.io.tables.read_table` (openpyxl) gives."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])
    sheet.append([None, "Kode", "Tanggal", "Nilai", "Ya", "Catatan", None])
    sheet.append([None, 3211012001, dt.date(2024, 6, 15), 75.5, True, "  teks  "])
    sheet.append([])
    sheet.append([None, 3211012002, dt.datetime(2024, 6, 15, 8, 30), 12, False, None])
    sheet.append([None, "3211012003", "15/06/2024", 1e-3, None, "=1+1"])
    path = tmp_path / "t.xlsx"
    book.save(path)
    expected = read_table(path)
    for size in (1, 2, 100):
        got = pd.concat(list(table_chunks(path, "t.xlsx", chunk_rows=size, max_rows=100, max_columns=100)),
                        ignore_index=True)
        pd.testing.assert_frame_equal(got, expected)


def test_row_cap_holds_across_chunks(messy_csv: Path, messy_xlsx: Path) -> None:
    for path in (messy_csv, messy_xlsx):
        with pytest.raises(InputError) as err:
            read_eppgbm(path, today=TODAY, chunk_rows=7, max_rows=100)
        assert err.value.key == "eppgbm.error.too_many_rows"
    assert len(read_eppgbm(messy_csv, today=TODAY, chunk_rows=7, max_rows=604).data) == 600  # 4 blank lines


def test_encoding_is_settled_over_the_whole_file(tmp_path: Path) -> None:
    """A cp1252 byte far after the first chunk still makes the whole file cp1252 (no mojibake)."""
    header = "JK;Tgl Lahir;Tanggal Pengukuran;Tinggi;Desa/Kel;Posyandu\n"
    body = "L;01/01/2023;15/06/2024;75,0;CIMUNGKAL;MAWAR\n" * 30
    path = tmp_path / "cp.csv"
    last = "P;01/01/2023;15/06/2024;75,0;CIMUNGKAL;MELATI Ü\n".encode("cp1252")
    path.write_bytes((header + body).encode() + last)
    data = read_eppgbm(path, today=TODAY, chunk_rows=7).data
    assert data["posyandu"].iloc[-1] == "MELATI Ü" and len(data) == 31


def test_a_row_with_a_value_only_in_an_unread_column_is_still_a_record(tmp_path: Path) -> None:
    """Only the columns of the roles are turned into text, but a row filled only elsewhere (here
    the address) is still a record, excluded for its empty required cells, as before."""
    path = tmp_path / "alamat.csv"
    path.write_text("JK;Tgl Lahir;Tanggal Pengukuran;Tinggi;Desa/Kel;Alamat\n"
                    "L;01/01/2023;15/06/2024;75,0;CIMUNGKAL;JL. SINTETIS 1\n"
                    ";;;;;JL. SINTETIS 2\n"
                    ";;;;;\n", encoding="utf-8")
    for size in (1, 7):
        records = read_eppgbm(path, today=TODAY, chunk_rows=size)
        assert records.data["_row"].tolist() == [2, 3]
        assert records.issues["row"].tolist() == [3]
        assert records.issues["reason"].tolist() == ["empty_required"]
