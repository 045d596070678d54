"""An e-PPGBM export read in chunks of rows, so memory follows the chunk, not the file.

:func:`table_chunks` gives the same table as :func:`geo.io.tables.read_table` — every
column as stripped text (empty = NA), fully empty rows dropped, ``_row`` the spreadsheet /
file row number — but as a sequence of frames of at most ``chunk_rows`` rows:

* CSV through pandas' chunked C parser (``chunksize``); the encoding (UTF-8 with or
  without BOM, else cp1252, else Latin-1) is settled by one pass over the bytes first
  (:func:`scan_csv`, which also refuses a file with too many lines or columns before any
  parsing), because a chunk cannot be decoded again once it has been counted.
* XLSX through python-calamine (Rust): the sheet's cells are held by the library in a
  compact form while rows are turned into Python values one chunk at a time; openpyxl is
  kept for :func:`geo.io.tables.read_table` of village tables.

One difference from ``read_table``: a column without a header is kept (as ``kolom_<n>``)
only when the first chunk has a value in it, since later chunks are not read yet.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import python_calamine

from geo.core.errors import InputError
from geo.io.archives import OLE_MAGIC, ZIP_MAGIC, check_zip
from geo.io.tables import MAX_TABLE_COLUMNS, _cell_text, sheet_name

__all__ = ["CHUNK_ROWS", "MAX_EPPGBM_XLSX_UNZIPPED_BYTES", "scan_csv", "table_chunks"]

#: Rows per chunk: about 100 MB of text for a 40-column export.
CHUNK_ROWS: Final = 50_000
#: Unzipped size limit of an e-PPGBM XLSX (the zip-bomb guard; village tables keep
#: :data:`geo.io.archives.MAX_XLSX_UNZIPPED_BYTES`, 500 MB). An export's sheet XML takes
#: about 60 bytes a cell, so 500 MB is only ~450,000 rows of 18 columns; 1.5 GB allows about
#: 1.4 million rows of 18 columns or 600,000 rows of 40, and calamine holds the cells in about
#: as many bytes as the XML.
MAX_EPPGBM_XLSX_UNZIPPED_BYTES: Final = 1_500_000_000
_BLOCK: Final = 1 << 24


def scan_csv(path: Path, file: str, max_rows: int, max_columns: int) -> str:
    """The encoding of a CSV file, after refusing it when it has more than ``max_rows``
    lines after the header or a first line wider than ``max_columns`` (the CSV parser
    takes the column count from it).  One pass in 16 MB blocks; a blank line counts too.
    """
    utf8 = codecs.getincrementaldecoder("utf-8")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    ok = {"utf-8-sig": True, "cp1252": True}
    try:
        with path.open("rb") as handle:
            head = block = handle.read(_BLOCK)
            if not head.strip():
                raise InputError.of("input.file.empty", file=file)
            sample = head[:65536]
            controls = sum(b < 32 and b not in (9, 10, 12, 13) for b in sample)
            if b"\x00" in sample or controls > len(sample) // 100:
                raise InputError.of("table.error.not_text", file=file)
            first = head.lstrip(b"\r\n").split(b"\n", 1)[0]
            width = 1 + max(first.count(sep) for sep in (b",", b";", b"\t"))
            if width > max_columns:
                raise InputError.of("eppgbm.error.too_many_columns", file=file, n=width, limit=max_columns)
            lines = 0
            while block:
                lines += block.count(b"\n")
                if lines > max_rows + 1:  # + the header line
                    raise InputError.of("eppgbm.error.too_many_rows", file=file, limit=f"{max_rows:,}")
                for name, decoder in (("utf-8-sig", utf8), ("cp1252", cp1252)):
                    ok[name] = ok[name] and _decodes(decoder, block)
                block = handle.read(_BLOCK)
    except OSError as exc:
        raise InputError.of("input.file.unopenable", file=file) from exc
    if ok["utf-8-sig"] and _decodes(utf8, b"", final=True):
        return "utf-8-sig"
    return "cp1252" if ok["cp1252"] else "latin-1"  # Latin-1 never fails: every byte is a character


def _decodes(decoder: codecs.IncrementalDecoder, block: bytes, final: bool = False) -> bool:
    try:
        decoder.decode(block, final)
    except UnicodeDecodeError:
        return False
    return True


def _separator(path: Path, encoding: str) -> str:
    """Most frequent of ``;``, ``,``, tab in the first non-empty line; comma on a tie."""
    with path.open("rb") as handle:
        text = handle.read(_BLOCK).decode(encoding, errors="ignore")
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def _csv_grids(path: Path, file: str, encoding: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The file as grids of text, index = 1-based line (record) number."""
    try:
        reader = pd.read_csv(path, sep=_separator(path, encoding), header=None, dtype=str, encoding=encoding,
                             keep_default_na=False, skip_blank_lines=False, chunksize=chunk_rows)
        with reader:
            for grid in reader:
                grid.index = grid.index + 1
                yield grid
    except pd.errors.ParserError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputError.of("table.error.csv_ragged", file=file,
                            rows=[int(line.group(1))] if line else []) from exc
    except (ValueError, csv.Error) as exc:
        raise InputError.of("table.error.csv_unreadable", file=file) from exc


def _xlsx_sheet(path: Path, file: str, sheet: str | int | None) -> python_calamine.CalamineSheet:
    try:
        with zipfile.ZipFile(path) as archive:
            check_zip(archive, file, MAX_EPPGBM_XLSX_UNZIPPED_BYTES)
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except InputError:
        raise
    except Exception as exc:
        raise InputError.of("table.error.xlsx_unreadable", file=file) from exc
    name = sheet_name(list(book.sheet_names), sheet, file)
    try:
        return book.get_sheet_by_name(name)
    except Exception as exc:
        raise InputError.of("table.error.xlsx_content", file=file) from exc


def _xlsx_grids(path: Path, file: str, sheet: str | int | None, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The sheet as grids of text, index = spreadsheet row (calamine starts at row 1)."""
    ws = _xlsx_sheet(path, file, sheet)
    if ws.width > MAX_TABLE_COLUMNS:
        raise InputError.of("table.error.too_wide", file=file, n=ws.width, limit=MAX_TABLE_COLUMNS)
    rows: list[list[object]] = []
    start = 1
    try:
        for row in ws.iter_rows():
            rows.append([None if v == "" else _cell_text(v) for v in row])
            if len(rows) == chunk_rows:
                yield pd.DataFrame(rows, index=pd.RangeIndex(start, start + len(rows)), dtype=object)
                start += len(rows)
                rows = []
    except InputError:
        raise
    except Exception as exc:
        raise InputError.of("table.error.xlsx_content", file=file) from exc
    if rows:
        yield pd.DataFrame(rows, index=pd.RangeIndex(start, start + len(rows)), dtype=object)


def _text(grid: pd.DataFrame) -> pd.DataFrame:
    grid = grid.astype("string")
    return grid.apply(lambda s: s.str.strip()).replace("", pd.NA)


def _header(grid: pd.DataFrame, file: str) -> tuple[list[object], list[str], pd.DataFrame]:
    """Columns kept, their names and the body of the chunk holding the header row."""
    filled = grid.notna().any(axis=1)
    header_at = int(filled.idxmax())
    header = grid.loc[header_at]
    body = grid.loc[header_at + 1:]
    keep = [c for c in grid.columns if pd.notna(header[c]) or body[c].notna().any()]
    names = [str(header[c]) if pd.notna(header[c]) else f"kolom_{i + 1}" for i, c in enumerate(keep)]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise InputError.of("table.error.duplicate_headers", file=file, rows=dups)
    return keep, names, body


def _body(grid: pd.DataFrame, keep: list[object], names: list[str], used: list[int]) -> pd.DataFrame:
    """The used columns of a chunk as text, without its fully empty rows (a row with a value only
    in an unused column is kept, as a whole-table read would keep it)."""
    body = _text(grid.reindex(columns=[keep[i] for i in used])).set_axis([names[i] for i in used], axis=1)
    filled = np.array(body.notna().any(axis=1), dtype=bool)
    others = [keep[i] for i in range(len(keep)) if i not in set(used)]
    if others and not filled.all():
        filled[~filled] = _text(grid.loc[~filled].reindex(columns=others)).notna().any(axis=1).to_numpy()
    return body.loc[filled]


def table_chunks(path: Path, file: str, *, sheet: str | int | None = None, chunk_rows: int = CHUNK_ROWS,
                 max_rows: int, max_columns: int,
                 select: Callable[[list[str]], Sequence[str]] | None = None) -> Iterator[pd.DataFrame]:
    """The export as frames of at most ``chunk_rows`` data rows (see the module docstring).

    ``select`` is given the header names once and returns the columns wanted: only those are
    turned into text and given (the others still decide whether a row is empty).

    Raises
    ------
    InputError
        As :func:`geo.io.tables.read_table`, and ``eppgbm.error.too_many_rows`` /
        ``too_many_columns`` beyond ``max_rows`` data rows / ``max_columns`` columns.
    """
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(OLE_MAGIC):
        raise InputError.of("table.error.xls", file=file)
    if head.startswith(ZIP_MAGIC):
        grids = _xlsx_grids(path, file, sheet, chunk_rows)
    else:
        grids = _csv_grids(path, file, scan_csv(path, file, max_rows, max_columns), chunk_rows)
    keep: list[object] | None = None
    names: list[str] = []
    used: list[int] = []
    n_rows = 0
    for grid in grids:
        if keep is None:
            grid = _text(grid)
            if not grid.notna().any(axis=None):
                continue  # still before the header
            keep, names, grid = _header(grid, file)
            wanted = set(select(names)) if select else set(names)
            used = [i for i, name in enumerate(names) if name in wanted]
        body = _body(grid, keep, names, used)
        n_rows += len(body)
        if n_rows > max_rows:
            raise InputError.of("eppgbm.error.too_many_rows", file=file, limit=f"{max_rows:,}")
        if len(body):
            body.insert(len(body.columns), "_row", body.index.astype("int64"))
            yield body.reset_index(drop=True)
    if keep is None:
        raise InputError.of("input.file.empty", file=file)
    if not n_rows:
        raise InputError.of("table.error.no_rows", file=file)
