"""The puskesmas template (geo/export/template.py): locked identity cells, validated input
cells, codes as text, headers the reader recognises; filled in with openpyxl and read back
through the wizard's own path (``validate_dataset``), every village joins with its values."""

from __future__ import annotations

import io
from datetime import date, datetime

import numpy as np
import openpyxl
import pytest

from geo.core.errors import InputError
from geo.data.library import validate_dataset
from geo.data.model import CoverageSpec
from geo.data.tables import load_coverage
from geo.export.template import (
    GUIDE_SHEET,
    HEADERS,
    INPUT_SHEET,
    META_SHEET,
    TEMPLATE_VERSION,
    template_coverage,
    template_filename,
    template_info,
    template_workbook,
)
from geo.io.schema import TABLE_ROLES, detect_columns
from geo.io.tables import read_table
from tests.conftest import SUMEDANG_BOUNDARIES

COVERAGE = ("sp_pantau_tumbuh", "sc_imunisasi")


@pytest.fixture(scope="module")
def template(sumedang_dataset) -> bytes:
    return template_workbook(sumedang_dataset, coverage=COVERAGE, created=datetime(2026, 2, 1, 9, 0))


def book_of(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_sheets_rows_and_codes_as_text(template, sumedang_dataset):
    book = book_of(template)
    assert book.sheetnames == [INPUT_SHEET, GUIDE_SHEET, META_SHEET]
    assert book[META_SHEET].sheet_state == "hidden"
    ws = book[INPUT_SHEET]
    assert ws.max_row == 1 + len(sumedang_dataset.villages) == 278
    codes = [ws.cell(row=r, column=1) for r in range(2, ws.max_row + 1)]
    assert all(c.data_type == "s" and c.number_format == "@" for c in codes)
    assert sorted(c.value for c in codes) == sorted(sumedang_dataset.villages["kode"])
    assert codes[0].value == "32.11.01.2001"
    names = dict(zip(sumedang_dataset.villages["kode"], sumedang_dataset.villages["nama"], strict=True))
    assert all(ws.cell(row=r, column=3).value == names[ws.cell(row=r, column=1).value]
               for r in range(2, ws.max_row + 1))
    # the year is the dataset's latest (2021) + 1
    assert {ws.cell(row=r, column=4).value for r in range(2, ws.max_row + 1)} == {2022}


def test_identity_locked_inputs_unlocked(template):
    ws = book_of(template)[INPUT_SHEET]
    assert ws.protection.sheet is True
    for row in (2, 150, ws.max_row):
        assert [ws.cell(row=row, column=c).protection.locked for c in range(1, 9)] == \
            [True, True, True, False, False, False, False, False]


def test_validation_rules_cover_every_input_cell(template):
    ws = book_of(template)[INPUT_SHEET]
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    last = ws.max_row
    year, measured, stunted = rules[f"D2:D{last}"], rules[f"E2:E{last}"], rules[f"F2:F{last}"]
    assert (year.type, year.formula1, year.formula2) == ("whole", "1990", str(date.today().year + 1))
    assert (measured.type, measured.operator, measured.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert stunted.type == "custom" and "F2<=E2" in stunted.formula1 and "F2=INT(F2)" in stunted.formula1
    for col in "GH":
        rule = rules[f"{col}2:{col}{last}"]
        assert (rule.type, rule.formula1, rule.formula2) == ("decimal", "0", "100")
    assert all(r.showErrorMessage and r.error for r in rules.values())


def test_headers_are_recognised_by_the_reader(template, tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(template)
    headers = [c for c in read_table(path).columns if c != "_row"]
    found = detect_columns(headers, TABLE_ROLES)
    assert {role: found.get(role) for role in HEADERS} == HEADERS
    assert len(headers) == len(HEADERS) + len(COVERAGE)


def test_guide_bilingual_and_metadata(template, sumedang_dataset):
    book = book_of(template)
    guide = [r[0] for r in book[GUIDE_SHEET].iter_rows(values_only=True) if r and r[0]]
    assert guide[0].startswith("Templat isian") and "Kabupaten Sumedang" in guide[0]
    english = next(i for i, line in enumerate(guide) if line.startswith("Template for village"))
    assert english > len(guide) // 3  # Indonesian first, English second
    assert any(line.startswith("Kolom cakupan") for line in guide)  # coverage columns explained
    meta = dict(book[META_SHEET].iter_rows(values_only=True))
    assert meta["dataset_id"] == sumedang_dataset.id and meta["template_version"] == TEMPLATE_VERSION
    assert meta["tahun"] == 2022 and meta["coverage"] == ",".join(COVERAGE)


def fill(template: bytes, seed: int = 7) -> tuple[bytes, dict[str, tuple[int, int, float]]]:
    """Numbers in every input cell, as a puskesmas would type them."""
    book = book_of(template)
    ws = book[INPUT_SHEET]
    rng = np.random.default_rng(seed)
    typed = {}
    for r in range(2, ws.max_row + 1):
        measured = int(rng.integers(20, 300))
        stunted = int(rng.integers(0, measured // 3))
        coverage = round(float(rng.uniform(40, 100)), 1)
        for col, value in zip("EFGH", (measured, stunted, coverage, 100 - coverage), strict=True):
            ws[f"{col}{r}"] = value
        typed[ws[f"A{r}"].value] = (measured, stunted, coverage)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), typed


def test_filled_template_joins_every_village_through_the_wizard_path(template, tmp_path, data_dir):
    data, typed = fill(template)
    table = tmp_path / "isian_puskesmas.xlsx"
    table.write_bytes(data)
    dataset = validate_dataset(tmp_path / "root", boundaries=SUMEDANG_BOUNDARIES, table=table,
                               data_dir=data_dir)
    report = dataset.report
    assert report.n_polygons == report.n_matched == report.n_rows_by_code == 277
    assert not report.table_unmatched and not report.invalid_codes and report.n_rows_by_name == 0
    assert dataset.years == [2022]
    m = dataset.measures.set_index("kode")
    assert {k: (int(m.at[k, "anak_diukur"]), int(m.at[k, "stunting"])) for k in typed} == \
        {k: v[:2] for k, v in typed.items()}
    # the outcome reader names the coverage columns as such (not "not recognised")
    notes = [n.key for n in dataset.table_notes]
    assert notes.count("table.note.coverage_column") == len(COVERAGE)
    assert "table.note.unrecognised" not in notes
    # the same file as the coverage table: the coverage columns are read as percent
    cov, cov_report, _notes = load_coverage(dataset.villages, CoverageSpec(table))
    assert cov_report.n_matched == 277
    c = cov.set_index("kode")
    assert all(c.at[k, "sp_pantau_tumbuh"] == pytest.approx(v[2]) for k, v in typed.items())


def test_unknown_coverage_and_year_refused(sumedang_dataset):
    with pytest.raises(InputError):
        template_workbook(sumedang_dataset, coverage=["prevalensi"])
    with pytest.raises(InputError):
        template_workbook(sumedang_dataset, year=1900)
    with pytest.raises(InputError):  # the reader refuses a year after next year
        template_workbook(sumedang_dataset, year=date.today().year + 2)
    one_year = book_of(template_workbook(sumedang_dataset, year=2026))[INPUT_SHEET]
    assert one_year["D2"].value == 2026 and one_year.max_column == len(HEADERS)


def test_filename(sumedang_dataset):
    assert template_filename(sumedang_dataset, 2022) == "templat_puskesmas_Sumedang_2022.xlsx"


def test_a_template_is_recognised_by_its_hidden_sheet(template, tmp_path, sumedang_dataset):
    path = tmp_path / "isian.xlsx"
    path.write_bytes(fill(template)[0])
    assert template_info(path)["dataset_id"] == sumedang_dataset.id
    assert template_coverage(path) == list(COVERAGE)
    plain = tmp_path / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["kode", "stunting"])
    book.save(plain)
    csv = tmp_path / "t.csv"
    csv.write_text("kode,stunting\n32.11.01.2001,3\n", encoding="utf-8")
    assert template_info(plain) is None and template_info(csv) is None
    assert template_coverage(csv) == [] and template_coverage(None) == []
