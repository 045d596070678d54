"""CSV and XLSX exports of the lokus list, every village's score, the plan and the method.

CSV
    UTF-8 with BOM (Excel recognises the encoding). ``sep=","`` writes a decimal point;
    ``sep=";"`` writes a **decimal comma**, which is what Excel with Indonesian regional
    settings expects when it opens a ``;``-separated file. A CSV cannot carry a comment
    line safely (Excel would show it as a data row and tools would choke on it), so when
    the ranking used SINTETIS coverage every row gets a ``catatan_data`` column saying
    so, and the suggested file name ends in ``_SINTETIS``.
XLSX
    Sheets ``Lokus terpilih``, ``Skor semua desa``, ``Rencana kegiatan``, ``Metodologi``,
    ``Kualitas data``; bold filled header row, panes frozen below it, number formats
    (score ``0.000``, P(top-N) ``0%``, integers ``0``, rupiah ``#,##0``), codes stored
    as text, fitted widths, A4 landscape fit to one page wide with the header row
    repeated. With SINTETIS coverage the first Metodologi row and each sheet's printed
    header say so.

Every text cell and header goes through :func:`geo.cli_score.safe_cell`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from geo.cli_score import safe_cell, safe_frame
from geo.errors import InputError
from geo.export.common import PLAN_COLUMNS, SYNTHETIC_NOTE, ExportContext, finite
from geo.export.content import methodology_rows, quality_rows

__all__ = ["SHEETS", "all_villages_frame", "export_csv", "export_xlsx", "lokus_csv_frame"]

#: Sheet names of the XLSX export, in order.
SHEETS = ("Lokus terpilih", "Skor semua desa", "Rencana kegiatan", "Metodologi", "Kualitas data")

SCORE_FMT = "0.000"
PCT_FMT = "0%"
INT_FMT = "0"
VALUE_FMT = "0.0"
MONEY_FMT = "#,##0"
TEXT_FMT = "@"

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_ALERT_FONT = Font(bold=True, color="9C0006")
_ALERT_FILL = PatternFill("solid", fgColor="FFC7CE")
_MAX_WIDTH = 60


# --------------------------------------------------------------------------- frames
def lokus_csv_frame(ctx: ExportContext) -> pd.DataFrame:
    """The chosen villages as CSV columns: ``no, kode, desa, kecamatan, skor, peringkat,
    p_top_n, stabilitas, alasan``, one column per criterion (its id), ``catatan_data``
    when SINTETIS."""
    lok = ctx.lokus
    criteria = [c.id for c in ctx.result.criteria]
    frame = lok[["no", "kode", "nama", "kecamatan", "skor", "peringkat", "p_top_n", "stabilitas",
                 "alasan", *criteria]].rename(columns={"nama": "desa"})
    if ctx.synthetic:
        frame = frame.assign(catatan_data=SYNTHETIC_NOTE)
    return frame.reset_index(drop=True)


def all_villages_frame(ctx: ExportContext) -> pd.DataFrame:
    """Every village by rank: the result table plus ``terpilih`` (ya/tidak for the chosen list)
    and ``catatan_data`` when SINTETIS."""
    frame = ctx.result.ranked().reset_index(drop=True)
    chosen = set(ctx.chosen_codes)
    frame.insert(frame.columns.get_loc("rekomendasi") + 1, "terpilih",
                 ["ya" if c in chosen else "tidak" for c in frame["kode"]])
    if ctx.synthetic:
        frame["catatan_data"] = SYNTHETIC_NOTE
    return frame


# --------------------------------------------------------------------------- CSV
def export_csv(ctx: ExportContext, *, sep: str = ",", all_villages: bool = False) -> bytes:
    """CSV bytes (UTF-8 with BOM) of the chosen villages, or of every village.

    Parameters
    ----------
    sep
        ``","`` (decimal point) or ``";"`` (decimal comma, for Excel in Indonesian).
    all_villages
        Every village by rank (the full score table) instead of the chosen list.

    Raises
    ------
    InputError
        Any other separator.
    """
    if sep not in (",", ";"):
        raise InputError("Pemisah CSV harus ',' atau ';'.", rows=[sep])
    frame = all_villages_frame(ctx) if all_villages else lokus_csv_frame(ctx)
    text = safe_frame(frame).to_csv(index=False, sep=sep, decimal="," if sep == ";" else ".",
                                    lineterminator="\r\n")
    return text.encode("utf-8-sig")


# --------------------------------------------------------------------------- XLSX helpers
def _cell_value(value: Any) -> Any:
    value = finite(value)
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    return safe_cell(value)


def _width(values: Sequence[Any], header: str) -> float:
    longest = len(header)
    for v in values:
        if v is None:
            continue
        text = f"{v:.3f}" if isinstance(v, float) else str(v)
        longest = max(longest, len(text))
    return float(min(_MAX_WIDTH, max(6, longest + 2)))


def _write_table(
    ws: Worksheet,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    formats: dict[str, str] | None = None,
    wrap: Sequence[str] = (),
    title: str,
    alert: str = "",
) -> None:
    """Header row + rows, styled for screen and print; ``formats`` by header name."""
    formats = formats or {}
    ws.append([safe_cell(h) for h in headers])
    for row in rows:
        ws.append([_cell_value(v) for v in row])
    for cell in ws[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    n = len(rows)
    for j, header in enumerate(headers, start=1):
        letter = get_column_letter(j)
        values = [r[j - 1] for r in rows]
        fmt = formats.get(header)
        wrapped = header in wrap
        if fmt or wrapped:
            for (cell,) in ws.iter_rows(min_row=2, max_row=n + 1, min_col=j, max_col=j):
                if fmt and (fmt == TEXT_FMT or isinstance(cell.value, int | float)):
                    cell.number_format = fmt
                if wrapped:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[letter].width = _width([_cell_value(v) for v in values], header)
    ws.freeze_panes = "A2"
    if n:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{n + 1}"
    _print_setup(ws, title, alert)


def _print_setup(ws: Worksheet, title: str, alert: str = "") -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    ws.oddHeader.center.text = title + (f" — {alert}" if alert else "")
    ws.oddHeader.center.size = 11
    ws.oddFooter.right.text = "Halaman &P dari &N"
    ws.page_margins.left = ws.page_margins.right = 0.4


def _kv_formats(ws: Worksheet, column: int) -> None:
    """Per-cell number format for a mixed key/value column (floats 0.000, ints 0)."""
    for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
        if isinstance(cell.value, bool):
            continue
        if isinstance(cell.value, float):
            cell.number_format = SCORE_FMT
        elif isinstance(cell.value, int):
            cell.number_format = INT_FMT


def _criterion_headers(ctx: ExportContext) -> list[tuple[str, str, str]]:
    """``(table column, header, number format)`` for each criterion's columns."""
    out = []
    table = ctx.result.table
    for c in ctx.result.criteria:
        unit = f" ({c.unit})" if c.unit else ""
        out.append((c.id, f"{c.id}{unit}", VALUE_FMT))
        if f"{c.id}__mentah" in table:
            out.append((f"{c.id}__mentah", f"{c.id} mentah{unit}", VALUE_FMT))
        if f"{c.id}__n" in table:
            out.append((f"{c.id}__n", f"{c.id} penyebut (n)", INT_FMT))
        out.append((f"{c.id}__norm", f"{c.id} ternormalisasi", SCORE_FMT))
        out.append((f"{c.id}__kontribusi", f"{c.id} kontribusi skor", SCORE_FMT))
    return out


# --------------------------------------------------------------------------- XLSX sheets
def _sheet_lokus(ws: Worksheet, ctx: ExportContext, alert: str) -> None:
    lok = ctx.lokus
    crit = [(c.id, f"{c.id}{f' ({c.unit})' if c.unit else ''}") for c in ctx.result.criteria]
    headers = ["No", "Kecamatan", "Desa/Kelurahan", "Kode", "Skor", "Peringkat", "P(top-N)", "Stabilitas",
               "Alasan", *(h for _, h in crit)]
    cols = ["no", "kecamatan", "nama", "kode", "skor", "peringkat", "p_top_n", "stabilitas", "alasan",
            *(cid for cid, _ in crit)]
    if ctx.synthetic:
        headers.append("Catatan data")
    rows = [[*(r[c] for c in cols), *([SYNTHETIC_NOTE] if ctx.synthetic else [])]
            for r in lok.to_dict("records")]
    formats = {"No": INT_FMT, "Kode": TEXT_FMT, "Skor": SCORE_FMT, "Peringkat": INT_FMT,
               "P(top-N)": PCT_FMT, **{h: VALUE_FMT for _, h in crit}}
    _write_table(ws, headers, rows, formats=formats, wrap=["Alasan"],
                 title=f"Desa lokus stunting {ctx.kabupaten} tahun {ctx.lokus_year}", alert=alert)


def _sheet_all(ws: Worksheet, ctx: ExportContext, alert: str) -> None:
    frame = all_villages_frame(ctx)
    base = [("peringkat", "Peringkat", INT_FMT), ("kode", "Kode", TEXT_FMT), ("nama", "Desa/Kelurahan", ""),
            ("nama_kec", "Kecamatan", ""), ("skor", "Skor", SCORE_FMT), ("p_top_n", "P(top-N)", PCT_FMT),
            ("stabilitas", "Stabilitas", ""), ("peringkat_kec", "Peringkat di kecamatan", INT_FMT),
            ("kelas", "Kelas prioritas", ""), ("lisa", "Klaster LISA", ""),
            ("rekomendasi", "Rekomendasi", ""), ("terpilih", "Terpilih", ""), ("alasan", "Alasan", ""),
            ("flags", "Tanda data", "")]
    spec = [*base, *_criterion_headers(ctx)]
    if ctx.synthetic:
        spec.append(("catatan_data", "Catatan data", ""))
    headers = [h for _, h, _ in spec]
    rows = frame[[c for c, _, _ in spec]].to_numpy(dtype=object).tolist()
    formats = {h: f for _, h, f in spec if f}
    _write_table(ws, headers, rows, formats=formats, wrap=["Tanda data"],
                 title=f"Skor semua desa {ctx.kabupaten} (data {ctx.result.config.year})", alert=alert)


_PLAN_HEADERS = {"kode": "Kode", "nama": "Desa/Kelurahan", "kecamatan": "Kecamatan", "indicator": "Indikator",
                 "value": "Nilai", "target": "Target", "gap": "Kesenjangan", "kegiatan": "Kegiatan",
                 "opd": "OPD", "volume": "Volume", "satuan": "Satuan", "anggaran": "Anggaran (Rp)",
                 "catatan": "Catatan"}


def _sheet_plan(ws: Worksheet, ctx: ExportContext, alert: str) -> None:
    headers = [_PLAN_HEADERS[c] for c in PLAN_COLUMNS]
    formats = {"Kode": TEXT_FMT, "Nilai": VALUE_FMT, "Target": VALUE_FMT, "Kesenjangan": VALUE_FMT,
               "Volume": "#,##0.##", "Anggaran (Rp)": MONEY_FMT}
    if ctx.plan is None:
        rows: list[list[Any]] = [["", "", "", "", None, None, None,
                                  "Rencana kegiatan (Aksi 2) belum disusun.", "", None, "", None, ""]]
    else:
        rows = ctx.plan[list(PLAN_COLUMNS)].to_numpy(dtype=object).tolist()
    _write_table(ws, headers, rows, formats=formats, wrap=["Kegiatan", "Catatan"],
                 title=f"Rencana kegiatan (Aksi 2) desa lokus {ctx.kabupaten}", alert=alert)


def _sheet_method(ws: Worksheet, ctx: ExportContext, alert: str) -> None:
    rows = [list(r) for r in methodology_rows(ctx)]
    _write_table(ws, ["Bagian", "Butir", "Nilai", "Keterangan"], rows, wrap=["Nilai", "Keterangan"],
                 title=f"Metodologi penentuan desa lokus {ctx.kabupaten}", alert=alert)
    _kv_formats(ws, 3)
    ws.column_dimensions["C"].width = _MAX_WIDTH
    if ctx.synthetic:  # the PERHATIAN row is first: make it impossible to miss
        for cell in ws[2]:
            cell.font = _ALERT_FONT
            cell.fill = _ALERT_FILL


def _sheet_quality(ws: Worksheet, ctx: ExportContext, alert: str) -> None:
    rows = [list(r) for r in quality_rows(ctx)]
    _write_table(ws, ["Bagian", "Kode", "Desa/Kelurahan", "Kecamatan", "Keterangan"], rows,
                 formats={"Kode": TEXT_FMT}, wrap=["Keterangan"],
                 title=f"Kualitas data {ctx.dataset.title}", alert=alert)


def export_xlsx(ctx: ExportContext) -> bytes:
    """XLSX workbook bytes with the five sheets of :data:`SHEETS` (see the module docstring)."""
    wb = Workbook()
    alert = "DATA SINTETIS" if ctx.synthetic else ""
    writers = (_sheet_lokus, _sheet_all, _sheet_plan, _sheet_method, _sheet_quality)
    first = wb.active
    for i, (name, write) in enumerate(zip(SHEETS, writers, strict=True)):
        ws = first if i == 0 else wb.create_sheet()
        ws.title = name
        write(ws, ctx, alert)
    wb.properties.title = f"Desa lokus stunting {ctx.kabupaten} tahun {ctx.lokus_year}"
    wb.properties.creator = ctx.author or "Lokus"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

