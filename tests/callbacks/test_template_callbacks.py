"""The upload tab's template download and the wizard reading a filled template's coverage."""

from __future__ import annotations

import base64
import io

import openpyxl

from callbacks.upload import template_as_coverage, template_download, template_year
from geo.export.template import template_workbook


def test_template_download_defaults_to_the_year_after_the_data(sumedang_dataset):
    assert template_year(sumedang_dataset) == 2022
    sent, message = template_download(sumedang_dataset, None, [], "id")
    assert sent["filename"] == "templat_puskesmas_Sumedang_2022.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"])))
    assert book["Isian"]["D2"].value == 2022 and book["Isian"].max_row == 278
    assert "277 desa/kelurahan, tahun 2022" in message.children
    sent, message = template_download(sumedang_dataset, 2025, ["sp_pantau_tumbuh"], "en")
    assert sent["filename"].endswith("_2025.xlsx") and "277 villages, year 2025" in message.children


def test_a_template_with_coverage_columns_is_also_the_coverage_table(sumedang_dataset, tmp_path):
    with_cov, without = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    with_cov.write_bytes(template_workbook(sumedang_dataset, coverage=["sc_imunisasi"]))
    without.write_bytes(template_workbook(sumedang_dataset))
    assert template_as_coverage({"table": with_cov}) == [with_cov]
    assert template_as_coverage({"table": without}) == [] and template_as_coverage({}) == []
