"""The puskesmas template: a pre-filled XLSX of a dataset's villages to fill in and upload.

Sheet ``Isian`` (first, so the table reader takes it): one row per village of the dataset
— Kemendagri code (stored as text, so Excel never turns ``32.11.01.2001`` into a number),
kecamatan and village names, all three locked (sheet protection without a password: a guard
against slips, not a secret) — then the input columns, unlocked and validated: the year
(pre-filled), children measured (denominator), children stunted (numerator, whole, at most
the denominator) and optional coverage columns (percent 0–100). Sheet ``Petunjuk``: the
instructions in Bahasa Indonesia, then English. Hidden sheet ``_lokus``: which dataset and
which template version made the file.

Every header is one the table readers recognise (:data:`geo.io.schema.TABLE_ROLES`, the
coverage catalogue by label), so the filled file uploads as the village table and every
row joins by its code.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from geo.core.errors import InputError
from geo.core.i18n import LANGS, t
from geo.core.indicators import catalogue
from geo.data.model import Dataset
from geo.export.common import kabupaten_name, safe_filename, software_version
from geo.export.safe import safe_cell
from geo.io.tables import MIN_YEAR

__all__ = [
    "COVERAGE_CHOICES",
    "GUIDE_SHEET",
    "HEADERS",
    "INPUT_SHEET",
    "META_SHEET",
    "TEMPLATE_VERSION",
    "coverage_choices",
    "template_coverage",
    "template_filename",
    "template_info",
    "template_workbook",
]

#: Bumped when the columns change (written to the hidden sheet).
TEMPLATE_VERSION = "1"
INPUT_SHEET, GUIDE_SHEET, META_SHEET = "Isian", "Petunjuk", "_lokus"
#: Role → header. The headers are aliases of ``geo/resources/headers.csv`` (the reader's
#: table): a changed header here must still be one the reader recognises (a test checks).
HEADERS = {"kode": "Kode Desa/Kelurahan", "nama_kec": "Nama Kecamatan",
           "nama_desa": "Nama Desa/Kelurahan", "tahun": "Tahun",
           "anak_diukur": "Jumlah Balita Diukur", "stunting": "Jumlah Balita Stunting"}
_LOCKED = ("kode", "nama_kec", "nama_desa")
_WIDTHS = {"kode": 16, "nama_kec": 22, "nama_desa": 26, "tahun": 9, "anak_diukur": 14, "stunting": 14}
_HEAD_FILL = PatternFill("solid", fgColor="1F3864")
_LOCKED_FILL = PatternFill("solid", fgColor="E7E6E6")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")


def coverage_choices() -> list[str]:
    """Ids of the coverage indicators a template may carry (catalogue order)."""
    return [i.id for i in catalogue().values() if i.kind == "coverage"]


COVERAGE_CHOICES = tuple(coverage_choices())


def year_range(today: date | None = None) -> tuple[int, int]:
    """Years the table reader accepts (:func:`geo.io.tables.clean_years`): from
    :data:`~geo.io.tables.MIN_YEAR` to next year."""
    return MIN_YEAR, (today or date.today()).year + 1


def _validations(ws: Worksheet, last_row: int, coverage_cols: Sequence[str]) -> None:
    """Year, whole counts ≥ 0, stunted ≤ measured, coverage 0–100 (Excel refuses the rest)."""
    def rng(col: str) -> str:
        return f"{col}2:{col}{last_row}"

    def add(dv: DataValidation, col: str, key: str) -> None:
        first, last = year_range()
        dv.error = t(f"template.valid.{key}", "id", first=first, last=last)
        dv.errorTitle = t("template.valid.title", "id")
        dv.showErrorMessage = True
        dv.add(rng(col))
        ws.add_data_validation(dv)

    first, last = year_range()
    add(DataValidation(type="whole", operator="between", formula1=str(first), formula2=str(last),
                       allow_blank=True), "D", "year")
    add(DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True),
        "E", "count")
    # one rule per cell in Excel: the custom formula checks whole, ≥ 0 and ≤ measured at once
    add(DataValidation(type="custom", formula1="AND(ISNUMBER(F2),F2=INT(F2),F2>=0,F2<=E2)",
                       allow_blank=True), "F", "stunting")
    for col in coverage_cols:
        add(DataValidation(type="decimal", operator="between", formula1="0", formula2="100",
                           allow_blank=True), col, "percent")


def _input_sheet(ws: Worksheet, dataset: Dataset, year: int, coverage: Sequence[str]) -> None:
    """Header row, one locked row per village, unlocked validated input cells."""
    labels = [HEADERS[r] for r in HEADERS] + [catalogue()[c].label_id for c in coverage]
    ws.append([safe_cell(h) for h in labels])
    villages = dataset.villages.sort_values(["kode"])
    for kode, kec, desa in zip(villages["kode"], villages["nama_kec"], villages["nama"], strict=True):
        ws.append([str(kode), safe_cell(str(kec)), safe_cell(str(desa)), year])
    last = ws.max_row
    for col in range(1, len(labels) + 1):
        letter = get_column_letter(col)
        head = ws.cell(row=1, column=col)
        head.font, head.fill = Font(bold=True, color="FFFFFF"), _HEAD_FILL
        head.alignment = Alignment(wrap_text=True, vertical="center")
        role = list(HEADERS)[col - 1] if col <= len(HEADERS) else None
        ws.column_dimensions[letter].width = _WIDTHS.get(role or "", 18)
        locked = role in _LOCKED
        for row in range(2, last + 1):
            cell = ws.cell(row=row, column=col)
            cell.protection = Protection(locked=locked)
            cell.fill = _LOCKED_FILL if locked else _INPUT_FILL
            if role == "kode":
                cell.number_format = "@"  # text: Excel keeps the dots and leading digits
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(labels))}{last}"
    _validations(ws, last, [get_column_letter(len(HEADERS) + i + 1) for i in range(len(coverage))])
    # no password: the lock guards against slips; sorting and filtering stay possible
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False


def _guide_sheet(ws: Worksheet, dataset: Dataset, year: int, coverage: Sequence[str]) -> None:
    """The instructions, Bahasa Indonesia first, then English."""
    params = {"kabupaten": kabupaten_name(dataset), "dataset": dataset.title or dataset.id,
              "n": len(dataset.villages), "year": year, "sheet": INPUT_SHEET,
              "kode": HEADERS["kode"], "diukur": HEADERS["anak_diukur"], "stunting": HEADERS["stunting"]}
    keys = ["intro", "fill", "locked", "year", "measured", "stunted", "blank", "upload", "headers"]
    if coverage:
        keys.insert(6, "coverage")
    for lang in LANGS:
        ws.append([safe_cell(t("template.guide.title", lang, **params))])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True, size=14)
        for key in keys:
            ws.append([safe_cell(t(f"template.guide.{key}", lang, **params))])
            ws.cell(row=ws.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.append([])
    ws.column_dimensions["A"].width = 110


def _meta_sheet(ws: Worksheet, dataset: Dataset, year: int, coverage: Sequence[str],
                created: datetime) -> None:
    """Machine-readable key/value rows: which dataset and template made this file."""
    rows = [("template", "lokus-puskesmas"), ("template_version", TEMPLATE_VERSION),
            ("dataset_id", dataset.id), ("dataset_title", dataset.title),
            ("kabupaten", kabupaten_name(dataset)), ("villages", len(dataset.villages)),
            ("tahun", year), ("coverage", ",".join(coverage)),
            ("created", created.isoformat(timespec="seconds")), ("lokus_version", software_version("en"))]
    for key, value in rows:
        ws.append([key, safe_cell(value)])
    ws.sheet_state = "hidden"


def template_workbook(dataset: Dataset, *, year: int | None = None, coverage: Sequence[str] = (),
                      created: datetime | None = None) -> bytes:
    """The filled-in-ready XLSX for the villages of ``dataset``.

    Parameters
    ----------
    year
        Pre-filled in the ``Tahun`` column; default the dataset's latest year + 1.
    coverage
        Coverage indicator ids to add as input columns (percent 0–100), in the given order.

    Raises
    ------
    InputError
        An unknown coverage id, or a year the reader would refuse (:func:`year_range`).
    """
    unknown = [c for c in coverage if c not in COVERAGE_CHOICES]
    if unknown:
        raise InputError.of("template.error.coverage", indicator=unknown[0])
    year = int(year) if year is not None else (max(dataset.years, default=datetime.now().year - 1) + 1)
    first, last = year_range()
    if not first <= year <= last:
        raise InputError.of("template.error.year", year=year, first=first, last=last)
    coverage = list(dict.fromkeys(coverage))
    book = Workbook()
    _input_sheet(book.active, dataset, year, coverage)
    book.active.title = INPUT_SHEET
    _guide_sheet(book.create_sheet(GUIDE_SHEET), dataset, year, coverage)
    _meta_sheet(book.create_sheet(META_SHEET), dataset, year, coverage, created or datetime.now())
    book.active = 0
    book.properties.title = t("template.guide.title", "id", kabupaten=kabupaten_name(dataset))
    book.properties.creator = "Lokus"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_info(path: str | Path) -> dict[str, str] | None:
    """The hidden ``_lokus`` sheet of a file made by :func:`template_workbook` (key → value as
    text), or None for any other file (another workbook, a CSV, an unreadable file)."""
    try:
        with Path(path).open("rb") as handle:
            if handle.read(4) != b"PK\x03\x04":
                return None
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # not a workbook this function can open: not a template
        return None
    try:
        if META_SHEET not in book.sheetnames:
            return None
        rows = book[META_SHEET].iter_rows(min_row=1, max_row=50, max_col=2, values_only=True)
        info = {str(k): "" if v is None else str(v) for k, v in rows if k is not None}
    finally:
        book.close()
    return info if info.get("template") == "lokus-puskesmas" else None


def template_coverage(path: str | Path | None) -> list[str]:
    """Coverage indicator ids a filled template carries ([] for any other file)."""
    info = template_info(path) if path is not None else None
    return [c for c in (info or {}).get("coverage", "").split(",") if c in COVERAGE_CHOICES]


def template_filename(dataset: Dataset, year: int) -> str:
    """``templat_puskesmas_Sumedang_2022.xlsx``."""
    region = kabupaten_name(dataset).removeprefix("Kabupaten ").removeprefix("Kota ")
    return safe_filename(f"{t('template.file', 'id')}_{region}_{year}.xlsx")
