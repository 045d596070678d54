"""The one table of export formats: id → writer, file suffix, MIME type.

:func:`geo.export.export` dispatches on :data:`FORMATS`; the command line (``--format``,
guessing the format from ``--out``) and the decide page (one button per format and
variant) read the same table. To add a format, write its module with a writer
``(ctx, options) -> (bytes, file-name tag)`` and add one :class:`ExportFormat` line here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from geo.core.i18n import t
from geo.export.common import ExportContext
from geo.export.delimited import export_csv
from geo.export.gis import export_geojson, export_gpkg, export_shp
from geo.export.scenario import export_json
from geo.export.workbook import export_xlsx

__all__ = ["FORMATS", "ExportFormat", "ExportOptions", "format_for_suffix", "page_buttons"]


@dataclass(frozen=True)
class ExportOptions:
    """Options of one export besides the decision itself (each format reads the ones it needs).

    ``sep``/``all_villages``: CSV only (``";"`` writes a decimal comma; every village instead
    of the chosen list). ``place, date_text, signer_name, nip``: PDF signature block.
    ``lang``: language of the texts and the file name.
    """

    sep: str = ","
    all_villages: bool = False
    place: str = ""
    date_text: str = ""
    signer_name: str = ""
    nip: str = ""
    lang: str = "id"


#: ``writer(ctx, options) -> (bytes, tag)``; the tag ends the suggested file name.
Writer = Callable[[ExportContext, ExportOptions], tuple[bytes, str]]


@dataclass(frozen=True)
class ExportFormat:
    """One export format.

    ``suffix`` is the extension of the written file; ``also`` lists other ``--out`` endings
    that mean this format (``.shp`` for the zipped Shapefile). ``variants`` are extra page
    buttons: button id → options (``csv_semicolon`` → ``{"sep": ";"}``).
    """

    id: str
    suffix: str
    mimetype: str
    write: Writer
    also: tuple[str, ...] = ()
    variants: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def _csv(ctx: ExportContext, o: ExportOptions) -> tuple[bytes, str]:
    data = export_csv(ctx, sep=o.sep, all_villages=o.all_villages, lang=o.lang)
    # the ";" variant is a different file for a different Excel: its name says so
    tag = "_".join(t(f"export.file.{key}", o.lang) for key, on in
                   (("all_villages", o.all_villages), ("semicolon", o.sep == ";")) if on)
    return data, tag


def _xlsx(ctx: ExportContext, o: ExportOptions) -> tuple[bytes, str]:
    return export_xlsx(ctx, lang=o.lang), ""


def _pdf(ctx: ExportContext, o: ExportOptions) -> tuple[bytes, str]:
    from geo.export.pdf import export_pdf  # reportlab and matplotlib load only for a PDF

    return export_pdf(ctx, place=o.place, date_text=o.date_text, signer_name=o.signer_name, nip=o.nip,
                      lang=o.lang), ""


def _gpkg(ctx: ExportContext, o: ExportOptions) -> tuple[bytes, str]:
    return export_gpkg(ctx, lang=o.lang), ""


def _geojson(ctx: ExportContext, o: ExportOptions) -> tuple[bytes, str]:
    return export_geojson(ctx, lang=o.lang), ""


def _shp(ctx: ExportContext, o: ExportOptions) -> tuple[bytes, str]:
    return export_shp(ctx, lang=o.lang), t("export.file.shp", o.lang)


def _json(ctx: ExportContext, o: ExportOptions) -> tuple[bytes, str]:
    chosen = list(zip(ctx.lokus["kode"], ctx.lokus["alasan"], strict=True))
    data = export_json(ctx.result.config, chosen, dataset_id=ctx.dataset.id, name=ctx.name, notes=ctx.notes,
                       author=ctx.author, created_at=ctx.created_at)
    return data, t("export.file.scenario", o.lang)


#: Every export format, in the order the page offers them.
FORMATS: Mapping[str, ExportFormat] = {f.id: f for f in (
    ExportFormat("xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _xlsx),
    ExportFormat("csv", "csv", "text/csv", _csv, variants={"csv_semicolon": {"sep": ";"}}),
    ExportFormat("pdf", "pdf", "application/pdf", _pdf),
    ExportFormat("gpkg", "gpkg", "application/geopackage+sqlite3", _gpkg),
    ExportFormat("geojson", "geojson", "application/geo+json", _geojson),
    ExportFormat("shp", "zip", "application/zip", _shp, also=("shp",)),
    ExportFormat("json", "json", "application/json", _json),
)}


def format_for_suffix(suffix: str) -> str | None:
    """The format an output file name ending means (``".zip"`` → ``"shp"``), or None."""
    ending = suffix.lower().lstrip(".")
    return next((f.id for f in FORMATS.values() if ending in (f.suffix, *f.also)), None)


def page_buttons() -> list[tuple[str, str, dict[str, Any]]]:
    """``(button id, format id, options)`` of every export button, in page order."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    for f in FORMATS.values():
        out.append((f.id, f.id, {}))
        out += [(button, f.id, dict(options)) for button, options in f.variants.items()]
    return out
