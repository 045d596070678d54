"""Exports of a lokus decision: CSV, XLSX, GeoPackage, GeoJSON, zipped Shapefile, PDF, scenario JSON.

Every export is one call returning bytes (the UI hands them to a download, the CLI
writes them), built from plain inputs: a :class:`~geo.scoring.pipeline.ScoringResult`, its
:class:`~geo.data.model.Dataset`, the chosen codes with reasons, an optional Aksi 2 plan
and scenario metadata. :func:`export` is the single dispatcher::

    data, filename, mimetype = export("xlsx", result, dataset, chosen=[{"kode": ..., "alasan": ...}])

The suggested CSV file name tells the variants apart: the ``;``/decimal-comma one ends
in ``_titik-koma`` (English ``_semicolon``), the list of every village has
``_semua_desa``.

SINTETIS data (a synthetic coverage indicator was scored, ``result.synthetic``) is
marked in every format: the suggested file name ends in ``_SINTETIS``; CSV and GIS
rows carry a ``catatan_data`` column (a CSV comment line would break Excel and
parsers); XLSX has a red first row in Metodologi and the printed page header; the
PDF has a cover box, a header on every page and a red notice on the Aksi 2 and
Lampiran pages (the pages handed on alone); the map a red subtitle. Scenario JSON
needs no mark: it reloads the config, which re-derives the flag.

Language: ``lang="id"`` (default) or ``"en"``. Every header, sheet name, title, PDF
sentence, methodology text and file-name stem comes from the ``export.*`` catalogue
(``geo/resources/i18n/<lang>/export.json``); numbers written as text follow the language
(``1.234,5`` / ``1,234.5``); criterion labels come from the indicator catalogue. GIS
attribute names and the scenario JSON keys are a schema and never change.

Modules: :mod:`.formats` (the one table of formats: id → writer, suffix, MIME type),
:mod:`.common` (context, file names), :mod:`.delimited` (CSV), :mod:`.workbook` (XLSX),
:mod:`.tables` (column kinds shared by both), :mod:`.gis`
(GeoPackage, GeoJSON, Shapefile: one layer, three drivers), :mod:`.staticmap`, :mod:`.pdf`,
:mod:`.scenario` (JSON), :mod:`.content` (rows shared by XLSX and PDF).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from geo.core.errors import InputError
from geo.core.i18n import lang_of
from geo.data.model import Dataset
from geo.export.common import (
    SYNTHETIC_NOTE,
    ChosenInput,
    ExportContext,
    PlanInput,
    export_context,
    kabupaten_name,
    safe_filename,
)
from geo.export.delimited import export_csv
from geo.export.formats import FORMATS, ExportFormat, ExportOptions, format_for_suffix, page_buttons
from geo.export.gis import SHP_FIELDS, export_geojson, export_gpkg, export_shp
from geo.export.scenario import ScenarioDocument, export_json, read_scenario_json
from geo.export.workbook import SHEETS, export_xlsx, sheet_names
from geo.scoring.result import ScoringResult

if TYPE_CHECKING:
    from geo.export.pdf import export_pdf
    from geo.export.staticmap import render_lokus_map

__all__ = [
    "FORMATS",
    "SHEETS",
    "SHP_FIELDS",
    "SYNTHETIC_NOTE",
    "ExportContext",
    "ExportFormat",
    "ExportOptions",
    "ScenarioDocument",
    "export",
    "export_context",
    "export_csv",
    "export_geojson",
    "export_gpkg",
    "export_json",
    "export_pdf",
    "export_shp",
    "export_xlsx",
    "format_for_suffix",
    "kabupaten_name",
    "page_buttons",
    "read_scenario_json",
    "render_lokus_map",
    "safe_filename",
    "sheet_names",
]

_LAZY = {"export_pdf": "geo.export.pdf", "render_lokus_map": "geo.export.staticmap"}


def __getattr__(name: str) -> Any:
    # matplotlib and reportlab load only when a PDF or map is made, not with every CLI command
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def export(
    fmt: str,
    result: ScoringResult,
    dataset: Dataset,
    *,
    chosen: ChosenInput = None,
    plan: PlanInput = None,
    name: str = "",
    author: str = "",
    notes: str = "",
    created_at: datetime | None = None,
    kabupaten: str | None = None,
    lokus_year: int | None = None,
    sep: str = ",",
    all_villages: bool = False,
    place: str = "",
    date_text: str = "",
    signer_name: str = "",
    nip: str = "",
    lang: str = "id",
    analytics: Any = None,
) -> tuple[bytes, str, str]:
    """One export as ``(bytes, sanitised file name, MIME type)``.

    Parameters
    ----------
    fmt
        A key of :data:`FORMATS`.
    result, dataset
        Scoring result and its dataset.
    chosen
        Chosen villages with reasons; None = the default recommendation of ``result``.
    plan
        Aksi 2 plan rows (DataFrame, list of dicts or ``PlanItem`` dataclasses); None =
        not drawn up ("belum disusun").
    name, author, notes, created_at, kabupaten, lokus_year
        Scenario metadata (see :func:`export_context`).
    sep, all_villages
        CSV only: separator (``";"`` writes a decimal comma) and every village instead
        of the chosen list.
    place, date_text, signer_name, nip
        PDF only: the signature block of the Lampiran Keputusan Bupati.
    lang
        Language of the texts and the file name: ``"id"`` (default) or ``"en"``.
    analytics
        Further analyses the planner ran (:class:`geo.export.analytics.AnalyticsContent`):
        a sheet each in the XLSX, a page in the PDF, their method in the methodology.

    Raises
    ------
    InputError
        Unknown format, unknown or duplicate chosen codes, a bad CSV separator.
    """
    spec = FORMATS.get(fmt)
    if spec is None:
        raise InputError.of("export.error.format", format=fmt, formats=list(FORMATS))
    ctx = export_context(result, dataset, chosen=chosen, plan=plan, name=name, author=author, notes=notes,
                         created_at=created_at, kabupaten=kabupaten, lokus_year=lokus_year,
                         analytics=analytics)
    lang = lang_of(lang)
    options = ExportOptions(sep=sep, all_villages=all_villages, place=place, date_text=date_text,
                            signer_name=signer_name, nip=nip, lang=lang)
    data, tag = spec.write(ctx, options)
    return data, ctx.filename(spec.suffix, tag=tag, lang=lang), spec.mimetype
