"""Reading village tables (CSV, XLSX) as text, and the numbers in them.

:func:`read_table` gives every column as text with the spreadsheet row of each record;
:func:`parse_numbers`, :func:`to_number`, :func:`clean_numbers` and :func:`clean_years`
turn text columns into numbers by the Indonesian and English conventions. Every problem
with a file is a :class:`geo.core.errors.InputError` naming the file by its base name.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Final

import numpy as np
import openpyxl
import pandas as pd

from geo.core.errors import InputError
from geo.core.quality import issues_where
from geo.io.archives import (
    MAX_XLSX_UNZIPPED_BYTES,
    OLE_MAGIC,
    ZIP_MAGIC,
    FileFormat,
    base_name,
    check_zip,
    pick_format,
    read_head,
)

__all__ = [
    "MAX_COUNT",
    "MAX_TABLE_COLUMNS",
    "MAX_TABLE_ROWS",
    "MIN_YEAR",
    "TABLE_FORMATS",
    "clean_numbers",
    "clean_years",
    "parse_numbers",
    "read_table",
    "sheet_name",
    "to_number",
]

#: A village table has a row per village (and year) — Indonesia has 83,403 villages — and a few
#: dozen columns; a grid beyond these is refused with a message rather than cleaned for minutes.
MAX_TABLE_ROWS: Final = 1_000_000
MAX_TABLE_COLUMNS: Final = 1_000


# --------------------------------------------------------------------------- formats


def _decode(data: bytes, file: str) -> str:
    sample = data[:65536]
    controls = sum(b < 32 and b not in (9, 10, 12, 13) for b in sample)
    if b"\x00" in sample or controls > len(sample) // 100:
        raise InputError.of("table.error.not_text", file=file)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # never fails: every byte is a character


def _sniff_separator(text: str) -> str:
    """Most frequent of ``;``, ``,``, tab in the header line; comma on a tie."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def _read_csv_rows(data: bytes, file: str) -> pd.DataFrame:
    text = _decode(data, file)
    if not text.strip():
        raise InputError.of("input.file.empty", file=file)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=_sniff_separator(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except pd.errors.ParserError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputError.of("table.error.csv_ragged", file=file,
                            rows=[int(line.group(1))] if line else []) from exc
    except (ValueError, csv.Error) as exc:
        raise InputError.of("table.error.csv_unreadable", file=file) from exc
    return frame


def _cell_text(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 3211012001.0 stored as a number -> "3211012001"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)



def sheet_name(names: list[str], sheet: str | int | None, file: str) -> str:
    """The sheet asked for (a name, or a 0-based number; None = the first) among ``names``;
    an InputError naming the sheets there are otherwise."""
    if sheet is None:
        sheet = 0
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise InputError.of("table.error.sheet_number", file=file, rows=names, n=sheet + 1)
        sheet = names[sheet]
    if sheet not in names:
        raise InputError.of("table.error.sheet_name", file=file, rows=names, sheet=sheet)
    return sheet

def _read_xlsx_rows(path: Path, file: str, sheet: str | int | None) -> pd.DataFrame:
    try:
        with zipfile.ZipFile(path) as archive:
            check_zip(archive, file, MAX_XLSX_UNZIPPED_BYTES)
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except InputError:
        raise
    except Exception as exc:
        raise InputError.of("table.error.xlsx_unreadable", file=file) from exc
    try:
        ws = book[sheet_name(book.sheetnames, sheet, file)]
        # Trust the cells, not the sheet's declared size: a size of A1:XFD… pads every row
        # to 16,384 cells. Empty rows still come as [] (row numbers stay right).
        ws.reset_dimensions()
        rows: list[list[object]] = []
        for row in ws.iter_rows(min_row=1, values_only=True):
            values = list(row)
            while values and values[-1] is None:
                values.pop()
            _check_table_size(len(rows) + 1, len(values), file)
            rows.append([_cell_text(v) for v in values])
    except InputError:
        raise
    except Exception as exc:
        raise InputError.of("table.error.xlsx_content", file=file) from exc
    finally:
        book.close()
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)


def _check_table_size(rows: int, columns: int, file: str) -> None:
    """Refuse a grid beyond :data:`MAX_TABLE_ROWS` × :data:`MAX_TABLE_COLUMNS` (before the
    per-column cleaning, which would take minutes on such a grid)."""
    if columns > MAX_TABLE_COLUMNS:
        raise InputError.of("table.error.too_wide", file=file, n=columns, limit=MAX_TABLE_COLUMNS)
    if rows > MAX_TABLE_ROWS:
        raise InputError.of("table.error.too_long", file=file, limit=MAX_TABLE_ROWS)


def _frame_from_rows(grid: pd.DataFrame, file: str) -> pd.DataFrame:
    """First non-empty row = header; ``_row`` = spreadsheet row number (1-based)."""
    _check_table_size(len(grid), grid.shape[1], file)
    grid = grid.astype("string")
    grid = grid.apply(lambda s: s.str.strip()).replace("", pd.NA)
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    filled = grid.notna().any(axis=1)
    if not filled.any():
        raise InputError.of("input.file.empty", file=file)
    header_at = int(filled.idxmax())
    header = grid.loc[header_at]
    body = grid.loc[header_at + 1 :]
    keep = [c for c in grid.columns if pd.notna(header[c]) or body[c].notna().any()]
    names = [
        str(header[c]) if pd.notna(header[c]) else f"kolom_{i + 1}" for i, c in enumerate(keep)
    ]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise InputError.of("table.error.duplicate_headers", file=file, rows=dups)
    table = body[keep].set_axis(names, axis=1)
    table = table.loc[table.notna().any(axis=1)]
    if table.empty:
        raise InputError.of("table.error.no_rows", file=file)
    table.insert(len(names), "_row", table.index.astype("int64"))
    return table.reset_index(drop=True)


def read_table(
    path: str | Path, *, display_name: str | None = None, sheet: str | int | None = None
) -> pd.DataFrame:
    """Read a CSV or XLSX village table with every column as text.

    CSV: separator sniffed from the header line (``,`` ``;`` or tab), UTF-8 with or
    without BOM, falling back to cp1252/Latin-1.  XLSX: first sheet unless ``sheet``
    names one (name or 0-based index); numeric cells become text (integral floats without
    ``.0``).  The first non-empty row is the header.  Headers and values are stripped;
    empty cells are NA; fully empty rows are dropped.

    Returns
    -------
    pandas.DataFrame
        ``string`` columns plus ``_row``: the spreadsheet row number of each record
        (header on row 1 -> first data row is 2).

    Raises
    ------
    InputError
        Empty file, no data rows, not CSV/XLSX, broken CSV structure, missing sheet,
        duplicate headers.
    """
    path = Path(path)
    file = base_name(path, display_name)
    head = read_head(path, file, 8)
    # by content only: a CSV saved under an .xls or .xlsx name is still read as CSV
    fmt = pick_format(TABLE_FORMATS, head, "") or _CSV
    return _frame_from_rows(fmt.read(path, file, sheet), file)


def _refuse_xls(path: Path, file: str, sheet: str | int | None) -> pd.DataFrame:
    raise InputError.of("table.error.xls", file=file)


def _read_csv_file(path: Path, file: str, sheet: str | int | None) -> pd.DataFrame:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError.of("input.file.unopenable", file=file) from exc
    return _read_csv_rows(data, file)


_CSV: Final = FileFormat("csv", (".csv",), _read_csv_file)
#: Table formats, recognised by content (a file without a signature is read as CSV):
#: ``read(path, file, sheet)`` gives the cells as a grid of text, header row included.
TABLE_FORMATS: Final = (
    _CSV,
    FileFormat("xlsx", (".xlsx",), _read_xlsx_rows, sniff=lambda head: head.startswith(ZIP_MAGIC)),
    FileFormat("xls", (".xls",), _refuse_xls, sniff=lambda head: head.startswith(OLE_MAGIC), upload=False),
)


# --------------------------------------------------------------------------- numbers

_GROUPED = r"[+-]?\d{1,3}(?:\.\d{3})+"
_COMMA_DECIMAL = rf"(?:{_GROUPED}|[+-]?\d+),\d+"
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


def to_number(
    series: pd.Series,
    *,
    file: str | None,
    column: str,
    rows: pd.Series | None = None,
) -> pd.Series:
    """Parse a text column of counts or rates into float64.

    Rule for the dot and the comma:

    * a comma is always the decimal separator (``12,5`` -> 12.5);
    * a dot is a thousands separator (``1.234`` -> 1234) only in values shaped like
      grouped thousands (``^\\d{1,3}(\\.\\d{3})+$``, optionally followed by ``,decimals``)
      and only if the column as a whole uses a decimal comma, or every non-empty value
      is grouped thousands, or the value has several dots (``1.234.567``);
    * otherwise a dot is a decimal point (``12.5``, ``3211012001.0``).

    Surrounding spaces and a ``%`` suffix are stripped; empty cells and a lone ``-``
    (the usual "nil" in Indonesian tables) become NaN.

    Parameters
    ----------
    series
        Text values.
    file, column
        For error messages.
    rows
        Spreadsheet row numbers aligned with ``series`` (the ``_row`` column), used in
        error messages; without it the offending values are listed.

    Raises
    ------
    InputError
        If a non-empty value is not a number.
    """
    values, bad = parse_numbers(series)
    if bad.any():
        text = series.astype("string").str.strip()
        first = text[bad].iloc[0]
        where = rows[bad].tolist() if rows is not None else text[bad].tolist()
        raise InputError.of("table.error.not_numbers", file=file, column=column, rows=where,
                            n=int(bad.sum()), example=first)
    return values


def parse_numbers(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a text column of counts or rates without raising: ``(values, bad)``.

    ``values`` is float64 (NaN for empty cells and for the cells that are not numbers);
    ``bad`` is a boolean Series marking the non-empty cells that are not numbers, so a
    caller can exclude and list them (:mod:`geo.core.quality`) instead of refusing the file.
    The dot/comma rule is the one of :func:`to_number`.
    """
    text = series.astype("string").str.strip().str.replace(r"\s*%$", "", regex=True)
    text = text.str.replace("\u00a0", "", regex=False).str.strip()
    text = text.mask(text.isin(["", "-"]))
    present = text.notna()
    grouped = text.str.fullmatch(_GROUPED).fillna(False).astype(bool)
    comma_col = bool(text.str.fullmatch(_COMMA_DECIMAL).fillna(False).any())
    all_grouped = bool(present.any() and grouped[present].all())
    thousands = text.str.fullmatch(rf"{_GROUPED}(?:,\d+)?").fillna(False).astype(bool)
    if not (comma_col or all_grouped):
        thousands &= text.str.count(r"\.").fillna(0) >= 2
    clean = text.where(~thousands, text.str.replace(".", "", regex=False))
    clean = clean.str.replace(",", ".", regex=False)
    ok = clean.str.fullmatch(_NUMBER).fillna(False).astype(bool)
    bad = (present & ~ok).astype(bool)
    values = pd.to_numeric(clean.where(ok).astype(object), errors="coerce")
    out = pd.Series(values, index=series.index, dtype="float64")
    return out, pd.Series(bad.to_numpy(), index=series.index)



#: Largest count a village row can hold: far above any village's children or families,
#: far below what overflows a sum (1e308) — anything above is a typing or export error.
MAX_COUNT = 1_000_000
#: First year a table may carry (the e-PPGBM and Web Aksi era starts well after it).
MIN_YEAR = 1990


def clean_numbers(
    series: pd.Series,
    *,
    file: str,
    column: str,
    rows: pd.Series,
    kind: str = "count",
) -> tuple[pd.Series, list[pd.DataFrame]]:
    """Parse a number column and leave out (as NaN) every cell that cannot be used.

    Never raises for a bad cell: each one is logged as a ``cell`` issue
    (:func:`geo.core.quality.issues_where`) with its spreadsheet row, the column and the value
    as written. Rules by ``kind``:

    * ``"count"``: not a number (``not_number``), below zero (``negative``), not whole
      (``fractional_count``: 12,7 children), above :data:`MAX_COUNT` or not finite
      (``out_of_range``: 1e308, 1e309);
    * ``"percent"``: not a number, or outside 0–100 (``out_of_range``; below zero too);
    * ``"share"``: like ``"percent"`` but the column may be a share 0–1 — the caller
      decides; here only not-a-number, negative and non-finite values are left out.

    Returns
    -------
    (values, issues)
        float64 values (NaN where empty or left out) and the issue tables.
    """
    values, bad = parse_numbers(series)
    text = series.astype("string").str.strip()
    out_of_range = ~np.isfinite(values) & values.notna()
    checks: list[tuple[pd.Series, str]] = [(bad, "not_number")]
    finite = values.where(~out_of_range)
    if kind == "count":
        checks += [(finite < 0, "negative"),
                   ((finite >= 0) & (finite % 1 != 0), "fractional_count"),
                   (out_of_range | (finite > MAX_COUNT), "out_of_range")]
    elif kind == "percent":
        checks += [(out_of_range | (finite < 0) | (finite > 100), "out_of_range")]
    else:
        checks += [(out_of_range | (finite < 0), "out_of_range")]
    issues = []
    drop = pd.Series(False, index=series.index)
    for mask, reason in checks:
        mask = mask.fillna(False).astype(bool) & ~drop  # one reason per cell, the first
        if mask.any():
            issues.append(issues_where(mask, file=file, rows=rows, reason=reason, column=column,
                                       values=text, scope="cell"))
            drop |= mask
    return values.mask(drop), issues


def clean_years(
    series: pd.Series,
    *,
    file: str,
    column: str,
    rows: pd.Series,
    default: int | None = None,
    today: date | None = None,
) -> tuple[pd.Series, pd.Series, list[pd.DataFrame]]:
    """Parse a year column; rows with an unusable year are left out (``row`` issues).

    A year must be a whole number from :data:`MIN_YEAR` to next year (a table may be
    prepared for the coming year, never for 2099). An empty cell takes ``default`` when
    given, else it is ``year_missing``.

    Returns
    -------
    (years, keep, issues)
        ``Int64`` years (NA where left out), the rows kept, and the issue tables.
    """
    values, bad = parse_numbers(series)
    text = series.astype("string").str.strip()
    last = (today or date.today()).year + 1
    empty = values.isna() & ~bad
    if default is not None:
        values = values.where(~empty, float(default))
        empty = pd.Series(False, index=series.index)
    finite = values.where(np.isfinite(values))
    invalid = (bad | (values.notna() & (finite.isna() | (finite % 1 != 0) | (finite < MIN_YEAR)
                                        | (finite > last)))).fillna(True).astype(bool) & ~empty
    issues = [issues_where(invalid, file=file, rows=rows, reason="year_invalid", column=column,
                           values=text),
              issues_where(empty, file=file, rows=rows, reason="year_missing", column=column)]
    keep = ~(invalid | empty)
    years = pd.array(np.where(keep, finite.fillna(0), 0).astype("int64"), dtype="Int64")
    years = pd.Series(years, index=series.index).where(keep)
    return years.astype("Int64"), keep, [i for i in issues if len(i)]
