"""The XLSX export: the lokus list, every village's score, the plan, the method, data quality.

Sheets ``Lokus terpilih``, ``Skor semua desa``, ``Rencana kegiatan``, ``Metodologi``,
``Kualitas data`` (:func:`sheet_names` in English); bold filled header row, panes frozen
below it, number formats (score ``0.000``, P(top-N) ``0%``, integers ``0``, rupiah
``#,##0``; cells stay numeric, so Excel shows them with the reader's separators), codes
stored as text, fitted widths, A4 landscape fit to one page wide with the header row
repeated. With SINTETIS coverage the first Metodologi row and each sheet's printed header
say so.

Headers, sheet names, titles and the closed vocabularies of the result table (``ya``,
``inti``, ``Tinggi``…) follow ``lang`` (``"id"`` default, ``"en"``). Village names,
reasons and data flags are data and stay as they are. Every text cell and header goes
through :func:`geo.export.safe.safe_cell`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from geo.core.i18n import lang_of, t
from geo.export.analytics import sheet_tables
from geo.export.common import PLAN_COLUMNS, ExportContext, finite, term
from geo.export.content import methodology_rows, quality_rows
from geo.export.safe import safe_cell
from geo.export.tables import (
    INT_FMT,
    KIND_FORMATS,
    MONEY_FMT,
    PCT_FMT,
    SCORE_FMT,
    TEXT_FMT,
    VALUE_FMT,
    all_villages_frame,
    column_kinds,
    criterion_kind,
    translate_terms,
)

__all__ = ["SHEETS", "export_xlsx", "sheet_names"]

_SHEET_KEYS = ("lokus", "all", "plan", "method", "quality")


def sheet_names(lang: str = "id") -> tuple[str, ...]:
    """Sheet names of the XLSX export in ``lang``, in order."""
    return tuple(t(f"export.sheet.{k}", lang) for k in _SHEET_KEYS)


#: Sheet names of the XLSX export (Bahasa Indonesia), in order.
SHEETS = sheet_names()


_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_ALERT_FONT = Font(bold=True, color="9C0006")
_ALERT_FILL = PatternFill("solid", fgColor="FFC7CE")
_MAX_WIDTH = 60


def _cell_value(value: Any, lang: str = "id") -> Any:
    value = finite(value)
    if isinstance(value, bool):
        return term("ya" if value else "tidak", lang)
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
    lang: str = "id",
) -> None:
    """Header row + rows, styled for screen and print; ``formats`` by header name."""
    formats = formats or {}
    ws.append([safe_cell(h) for h in headers])
    for row in rows:
        ws.append([_cell_value(v, lang) for v in row])
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
        ws.column_dimensions[letter].width = _width([_cell_value(v, lang) for v in values], header)
    ws.freeze_panes = "A2"
    if n:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{n + 1}"
    _print_setup(ws, title, alert, lang)


def _print_setup(ws: Worksheet, title: str, alert: str = "", lang: str = "id") -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    ws.oddHeader.center.text = title + (f" — {alert}" if alert else "")
    ws.oddHeader.center.size = 11
    ws.oddFooter.right.text = t("export.xlsx.footer", lang)
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


def _unit(unit: str, lang: str) -> str:
    return f" ({term(unit, lang)})" if unit else ""


def _criterion_headers(ctx: ExportContext, lang: str) -> list[tuple[str, str, str]]:
    """``(table column, header, number format)`` for each criterion's columns."""
    out = []
    table = ctx.result.table
    for c in ctx.result.criteria:
        unit = _unit(c.unit, lang)
        out.append((c.id, f"{c.id}{unit}", KIND_FORMATS[criterion_kind(ctx, c.id)]))
        if f"{c.id}__mentah" in table:
            out.append((f"{c.id}__mentah", t("export.col.crit_raw", lang, id=c.id, unit=unit), VALUE_FMT))
        if f"{c.id}__n" in table:
            out.append((f"{c.id}__n", t("export.col.crit_n", lang, id=c.id), INT_FMT))
        out.append((f"{c.id}__norm", t("export.col.crit_norm", lang, id=c.id), SCORE_FMT))
        out.append((f"{c.id}__kontribusi", t("export.col.crit_contrib", lang, id=c.id), SCORE_FMT))
    return out


def _col(key: str, lang: str) -> str:
    return t(f"export.col.{key}", lang)


# --------------------------------------------------------------------------- XLSX sheets
def _sheet_lokus(ws: Worksheet, ctx: ExportContext, alert: str, lang: str) -> None:
    lok = translate_terms(ctx.lokus.copy(), lang)
    crit = [(c.id, f"{c.id}{_unit(c.unit, lang)}") for c in ctx.result.criteria]
    kinds = column_kinds(ctx)
    h = {k: _col(k, lang) for k in ("no", "kecamatan", "village", "code", "score", "rank", "p_top_n",
                                   "stability", "reason", "data_note")}
    headers = [h["no"], h["kecamatan"], h["village"], h["code"], h["score"], h["rank"], h["p_top_n"],
               h["stability"], h["reason"], *(x for _, x in crit)]
    cols = ["no", "kecamatan", "nama", "kode", "skor", "peringkat", "p_top_n", "stabilitas", "alasan",
            *(cid for cid, _ in crit)]
    note = [t("export.synthetic.note", lang)] if ctx.synthetic else []
    if ctx.synthetic:
        headers.append(h["data_note"])
    rows = [[*(r[c] for c in cols), *note] for r in lok.to_dict("records")]
    formats = {h["no"]: INT_FMT, h["code"]: TEXT_FMT, h["score"]: SCORE_FMT, h["rank"]: INT_FMT,
               h["p_top_n"]: PCT_FMT, **{x: KIND_FORMATS[kinds[cid]] for cid, x in crit}}
    _write_table(ws, headers, rows, formats=formats, wrap=[h["reason"]], lang=lang, alert=alert,
                 title=t("export.title.lokus", lang, kabupaten=ctx.kabupaten, year=ctx.lokus_year))


def _sheet_all(ws: Worksheet, ctx: ExportContext, alert: str, lang: str) -> None:
    frame = all_villages_frame(ctx, lang)
    base = [("peringkat", "rank", INT_FMT), ("kode", "code", TEXT_FMT), ("nama", "village", ""),
            ("nama_kec", "kecamatan", ""), ("skor", "score", SCORE_FMT), ("p_top_n", "p_top_n", PCT_FMT),
            ("stabilitas", "stability", ""), ("peringkat_kec", "rank_kec", INT_FMT),
            ("kelas", "class", ""), ("lisa", "lisa", ""), ("rekomendasi", "recommended", ""),
            ("terpilih", "chosen", ""), ("alasan", "reason", ""), ("flags", "flags", "")]
    spec = [(c, _col(k, lang), f) for c, k, f in base] + _criterion_headers(ctx, lang)
    if ctx.synthetic:
        spec.append(("catatan_data", _col("data_note", lang), ""))
    headers = [h for _, h, _ in spec]
    rows = frame[[c for c, _, _ in spec]].to_numpy(dtype=object).tolist()
    formats = {h: f for _, h, f in spec if f}
    _write_table(ws, headers, rows, formats=formats, wrap=[_col("flags", lang)], lang=lang, alert=alert,
                 title=t("export.xlsx.title_all", lang, kabupaten=ctx.kabupaten, year=ctx.result.config.year))


_PLAN_HEADERS = {"kode": "code", "nama": "village", "kecamatan": "kecamatan", "indicator": "indicator",
                 "value": "value", "target": "target", "gap": "gap", "kegiatan": "activity", "opd": "opd",
                 "volume": "volume", "satuan": "unit", "anggaran": "budget", "catatan": "notes"}
_PLAN_FORMATS = {"code": TEXT_FMT, "value": VALUE_FMT, "target": VALUE_FMT, "gap": VALUE_FMT,
                 "volume": "#,##0.##", "budget": MONEY_FMT}


def _sheet_plan(ws: Worksheet, ctx: ExportContext, alert: str, lang: str) -> None:
    headers = [_col(_PLAN_HEADERS[c], lang) for c in PLAN_COLUMNS]
    formats = {_col(k, lang): f for k, f in _PLAN_FORMATS.items()}
    if ctx.plan is None:
        rows: list[list[Any]] = [["", "", "", "", None, None, None, t("export.plan.none", lang), "", None, "",
                                  None, ""]]
    else:
        rows = ctx.plan[list(PLAN_COLUMNS)].to_numpy(dtype=object).tolist()
    _write_table(ws, headers, rows, formats=formats, wrap=[_col("activity", lang), _col("notes", lang)],
                 lang=lang, alert=alert, title=t("export.xlsx.title_plan", lang, kabupaten=ctx.kabupaten))


def _sheet_method(ws: Worksheet, ctx: ExportContext, alert: str, lang: str) -> None:
    rows = [list(r) for r in methodology_rows(ctx, lang)]
    headers = [_col(k, lang) for k in ("section", "item", "value", "note")]
    _write_table(ws, headers, rows, wrap=headers[2:], lang=lang, alert=alert,
                 title=t("export.xlsx.title_method", lang, kabupaten=ctx.kabupaten))
    _kv_formats(ws, 3)
    ws.column_dimensions["C"].width = _MAX_WIDTH
    if ctx.synthetic:  # the PERHATIAN row is first: make it impossible to miss
        for cell in ws[2]:
            cell.font = _ALERT_FONT
            cell.fill = _ALERT_FILL


def _sheet_quality(ws: Worksheet, ctx: ExportContext, alert: str, lang: str) -> None:
    rows = [list(r) for r in quality_rows(ctx, lang)]
    headers = [_col(k, lang) for k in ("section", "code", "village", "kecamatan", "note")]
    _write_table(ws, headers, rows, formats={headers[1]: TEXT_FMT}, wrap=[headers[4]], lang=lang, alert=alert,
                 title=t("export.xlsx.title_quality", lang, title=ctx.dataset.title))


def export_xlsx(ctx: ExportContext, *, lang: str = "id") -> bytes:
    """XLSX workbook bytes with the five sheets of :func:`sheet_names` (see the module docstring),
    then one sheet per further analysis the planner ran (``ctx.analytics``: budget choice,
    survey vs register, lokus review; :func:`geo.export.analytics.sheet_tables`)."""
    lang = lang_of(lang)
    wb = Workbook()
    alert = t("export.synthetic.alert", lang) if ctx.synthetic else ""
    writers = (_sheet_lokus, _sheet_all, _sheet_plan, _sheet_method, _sheet_quality)
    first = wb.active
    for i, (name, write) in enumerate(zip(sheet_names(lang), writers, strict=True)):
        ws = first if i == 0 else wb.create_sheet()
        ws.title = name
        write(ws, ctx, alert, lang)
    for name, title, frame, money in sheet_tables(ctx, lang):  # further analyses the planner ran
        ws = wb.create_sheet(name[:31])
        formats = {**dict.fromkeys(money, MONEY_FMT), t("export.analytics.col.code", lang): TEXT_FMT}
        _write_table(ws, list(frame.columns), frame.to_numpy(dtype=object).tolist(),
                     formats=formats, lang=lang, alert=alert,
                     title=t("export.analytics.sheet_title", lang, title=title, kabupaten=ctx.kabupaten))
    wb.properties.title = t("export.title.lokus", lang, kabupaten=ctx.kabupaten, year=ctx.lokus_year)
    wb.properties.creator = ctx.author or "Lokus"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
