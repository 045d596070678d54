"""The further analyses in the exports: one XLSX sheet each with the engine's numbers, their method
and numbers in the methodology sheet, a PDF page, and nothing extra when none was run."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from geo.decide.review import review_dataset
from geo.export import export, export_context
from geo.export.analytics import AnalyticsContent, budget_frame, frame_bytes, summary_rows
from geo.scoring.budget import BudgetConstraints, select_with_budget
from geo.scoring.budget_costs import candidates_of, costs_from_unit
from geo.scoring.survey import SurveyEstimate, reconcile_dataset


@pytest.fixture(scope="module")
def content(sumedang_result, sumedang_dataset) -> AnalyticsContent:
    candidates = candidates_of(sumedang_result, sumedang_dataset)
    children = candidates.set_index("code")["children"]
    costs = costs_from_unit(2_500_000, children)
    sel = select_with_budget(
        candidates,
        costs.values,
        400_000_000,
        BudgetConstraints.from_config(sumedang_result.config),
        top_n=list(sumedang_result.selection.chosen),
    )
    survey = reconcile_dataset(sumedang_dataset, 2021, SurveyEstimate(20.8, 18.0, 23.6, 2021, "SSGI"))
    review = review_dataset(
        sumedang_dataset, list(sumedang_result.selection.chosen), "rasio_merah", 2020, 2021, draws=200
    )
    return AnalyticsContent(
        budget=sel, costs=costs.values, cost_source="satuan", children=children, survey=survey, review=review
    )


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_has_a_sheet_per_analysis_with_the_numbers(sumedang_result, sumedang_dataset, content) -> None:
    data, _name, _mime = export("xlsx", sumedang_result, sumedang_dataset, analytics=content)
    book = _book(data)
    assert {"Pilihan anggaran", "Survei vs register", "Reviu lokus"} <= set(book.sheetnames)
    sheet = book["Pilihan anggaran"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    sel = content.budget
    chosen = [r for r in rows if r["Pilihan anggaran"] == "ya"]
    assert [r["Kode desa"] for r in chosen] == list(sel.chosen)
    assert sum(r["Biaya (Rp)"] for r in chosen) == pytest.approx(sel.cost) and sel.cost <= 400_000_000
    lost = [r["Kode desa"] for r in rows if r["Status"].startswith("berkurang")]
    assert lost == list(sel.comparison.lost)
    survey = book["Survei vs register"]
    flags = [r[-1] for r in survey.iter_rows(min_row=2, values_only=True)]
    assert flags.count("ya") == content.survey.kabupaten.flagged
    review = book["Reviu lokus"]
    lokus = [r for r in review.iter_rows(min_row=2, values_only=True) if r[3] == "ya"]
    assert len(lokus) == content.review.n_lokus
    method = {r[1]: r[2] for r in book["Metodologi"].iter_rows(min_row=2, values_only=True)}
    assert method["Sisa anggaran (Rp)"] == pytest.approx(sel.money_left)
    assert method["Prevalensi register (%)"] == pytest.approx(content.survey.kabupaten.register)
    assert method["Selisih-dalam-selisih, dicocokkan (poin)"] == pytest.approx(content.review.effect)
    assert method["Pilihan lokus dengan anggaran"].startswith(
        "Pilihan dengan anggaran: program bilangan bulat"
    )


def test_english_sheet_names_and_nothing_extra_without_analyses(
    sumedang_result, sumedang_dataset, content
) -> None:
    english = _book(export("xlsx", sumedang_result, sumedang_dataset, analytics=content, lang="en")[0])
    assert {"Budget choice", "Survey vs register", "Lokus review"} <= set(english.sheetnames)
    plain = _book(export("xlsx", sumedang_result, sumedang_dataset)[0])
    assert len(plain.sheetnames) == 5
    assert not AnalyticsContent()


def test_budget_frame_download_is_formula_safe(sumedang_result, sumedang_dataset, content) -> None:
    villages = sumedang_dataset.villages.copy()
    villages.loc[villages["kode"] == content.budget.chosen[0], "nama"] = "=HYPERLINK(1)"
    scores = sumedang_result.table.set_index("kode")["skor"]
    frame = budget_frame(content, villages, scores, "id")
    text = frame_bytes(frame, "csv", "x").decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    back = pd.read_excel(io.BytesIO(frame_bytes(frame, "xlsx", "Pilihan anggaran")))
    assert len(back) == len(content.budget.chosen) + len(content.budget.comparison.lost)
    assert np.isclose(back["Biaya (Rp)"].iloc[: len(content.budget.chosen)].sum(), content.budget.cost)


def test_pdf_page_of_the_analyses(sumedang_result, sumedang_dataset, content) -> None:
    from geo.export.pdf import _analytics, _register_fonts, _styles

    _register_fonts()
    ctx = export_context(sumedang_result, sumedang_dataset, analytics=content)
    story = _analytics(ctx, _styles(), "id")
    texts = " ".join(getattr(f, "text", "") for f in story)
    assert "Analisis lanjutan" in texts and "Reviu lokus tahun lalu" in texts
    assert _analytics(export_context(sumedang_result, sumedang_dataset), _styles(), "id") == []
    items = dict(summary_rows(content, "budget", "en"))
    assert items["Money left (Rp)"] == pytest.approx(content.budget.money_left)
