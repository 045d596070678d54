"""PDF report for the Bupati and the rembuk stunting (reportlab platypus, A4).

Pages: cover (title, kabupaten, date, scenario, author, SINTETIS notice when relevant); the
static lokus map (:func:`geo.export.staticmap.render_lokus_map`, no network); the ranked
list; the Aksi 2 matrix (kegiatan × OPD × desa, or "belum disusun"); "Analisis lanjutan"
when the planner ran a further analysis (budget choice, survey vs register, lokus review: a
summary table and the method each); the methodology; and the last page "Lampiran Keputusan
Bupati <X>: Daftar Desa Lokus Stunting Tahun <year>" with the numbered list and a signature
block (place, date, name, NIP; blank lines when not given). Every page footer carries the
page number and, with SINTETIS coverage, "DATA SINTETIS"; the Aksi 2 and Lampiran pages also
say so in red under their title (they are handed on alone). Bahasa Indonesia by default,
English with ``lang="en"``: every text from the ``export.*`` catalogue, numbers with the
language's separators (``1.234,5`` / ``1,234.5``), criterion labels from the indicator
catalogue.

Text is set in DejaVu Sans (shipped with matplotlib, registered with reportlab once),
so any Indonesian text, dashes and symbols render; all user text is XML-escaped
before it reaches a reportlab Paragraph.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
import numpy as np
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from geo.core.i18n import format_date, format_number, format_percent, lang_of, t
from geo.export.analytics import summary_rows
from geo.export.common import (
    ExportContext,
    compact_number,
    criterion_label,
    criterion_source,
    direction_text,
    software_version,
)
from geo.export.content import aksi2_matrix, method_text, methodology_rows
from geo.export.staticmap import render_lokus_map

__all__ = ["FONT", "export_pdf", "lampiran_title", "report_title"]

FONT = "DejaVuSans"
_FONT_FILES = {FONT: "DejaVuSans.ttf", f"{FONT}-Bold": "DejaVuSans-Bold.ttf",
               f"{FONT}-Oblique": "DejaVuSans-Oblique.ttf",
               f"{FONT}-BoldOblique": "DejaVuSans-BoldOblique.ttf"}
_FONT_LOCK = threading.Lock()
_BLANK = "________________________"
_HEAD_BG = colors.HexColor("#1F4E78")
_ALERT = colors.HexColor("#B00020")
_WIDTH = A4[0] - 4 * cm  # text width between 2 cm margins


def _register_fonts() -> None:
    """Register DejaVu Sans (regular/bold/oblique) with reportlab once per process."""
    with _FONT_LOCK:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return
        folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        for name, file in _FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(folder / file)))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Oblique",
                                      boldItalic=f"{FONT}-BoldOblique")


def report_title(ctx: ExportContext, lang: str = "id") -> str:
    """Cover title: "Rekomendasi Desa Lokus Stunting Tahun <year>"."""
    return t("export.pdf.title", lang, year=ctx.lokus_year)


def lampiran_title(ctx: ExportContext, lang: str = "id") -> str:
    """"Lampiran Keputusan Bupati <X>: Daftar Desa Lokus Stunting Tahun <year>"."""
    return t("export.pdf.lampiran", lang, head=ctx.head_title(lang), region=ctx.region, year=ctx.lokus_year)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=12.5)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.2),
        "head": ParagraphStyle("head", parent=base, fontSize=7.5, leading=9.2, fontName=f"{FONT}-Bold",
                               textColor=colors.white),
        "h1": ParagraphStyle("h1", parent=base, fontName=f"{FONT}-Bold", fontSize=14, leading=18,
                             spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontName=f"{FONT}-Bold", fontSize=11, leading=14,
                             spaceBefore=8, spaceAfter=4),
        "title": ParagraphStyle("title", parent=base, fontName=f"{FONT}-Bold", fontSize=22, leading=28,
                                alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=14, leading=19, alignment=TA_CENTER),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "alert": ParagraphStyle("alert", parent=base, fontName=f"{FONT}-Bold", textColor=_ALERT,
                                fontSize=11, leading=15, alignment=TA_CENTER),
        "lampiran": ParagraphStyle("lampiran", parent=base, fontName=f"{FONT}-Bold", fontSize=12, leading=16,
                                   alignment=TA_CENTER, spaceAfter=6),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float],
           st: dict[str, ParagraphStyle]) -> Table:
    """A wrapped, zebra-striped table whose header row repeats on every page."""
    data = [[_p(h, st["head"]) for h in headers]]
    data += [[_p(v, st["cell"]) for v in row] for row in rows]
    table = Table(data, colWidths=[w * cm for w in widths], repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), _HEAD_BG),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9A9A9A")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [("BACKGROUND", (0, i), (-1, i), colors.HexColor("#F2F5F9")) for i in range(2, len(data), 2)]
    table.setStyle(TableStyle(style))
    return table


def _num(value: Any, decimals: int, lang: str) -> str:
    return compact_number(float(value), decimals, lang) if value is not None and np.isfinite(value) else "–"


def _fixed(value: Any, lang: str, decimals: int = 3) -> str:
    # scores keep all decimals (0,510 not 0,51) so a column of scores lines up
    return format_number(value, decimals, lang)


def _pct(value: Any, lang: str) -> str:
    return format_percent(None if value is None else 100.0 * float(value), 0, lang)


def _col(key: str, lang: str) -> str:
    return t(f"export.col.{key}", lang)


# --------------------------------------------------------------------------- sections
def _cover(ctx: ExportContext, st: dict[str, ParagraphStyle], lang: str) -> list[Any]:
    cfg = ctx.result.config

    def pdf(key: str, **values: Any) -> str:
        return t(f"export.pdf.{key}", lang, **values)

    story: list[Any] = [Spacer(1, 4 * cm), _p(report_title(ctx, lang), st["title"]), Spacer(1, 0.5 * cm),
                        _p(ctx.kabupaten, st["subtitle"]), Spacer(1, 0.3 * cm),
                        _p(pdf("cover_subtitle"), st["center"]), Spacer(1, 1.5 * cm)]
    info = [
        (pdf("date"), format_date(ctx.created_at, lang)),
        (pdf("scenario"), ctx.name or pdf("default_scenario")),
        (t("export.meth.author", lang), ctx.author or "–"),
        (t("export.meth.count", lang), str(len(ctx.lokus))),
        (pdf("data"), pdf("data_value", title=ctx.dataset.title, year=cfg.year)),
        (pdf("method"), pdf("method_value", method=method_text("method", cfg.method, lang),
                            count=len(ctx.result.criteria))),
    ]
    if ctx.notes:
        info.append((pdf("notes"), ctx.notes))
    table = Table([[_p(k, st["base"]), _p(v, st["base"])] for k, v in info], colWidths=[4.5 * cm, 11 * cm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#C8C8C8"))]))
    story.append(table)
    if ctx.synthetic:
        box = Table([[_p(pdf("synthetic_box", note=t("export.synthetic.note", lang)), st["alert"])]],
                    colWidths=[15.5 * cm])
        box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.5, _ALERT),
                                 ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#FDECEE")),
                                 ("TOPPADDING", (0, 0), (-1, -1), 8),
                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
        story += [Spacer(1, 1.2 * cm), box]
    story.append(PageBreak())
    return story


def _map(ctx: ExportContext, st: dict[str, ParagraphStyle], lang: str) -> list[Any]:
    size = (7.0, 8.0)
    png = render_lokus_map(ctx, dpi=200, size=size, lang=lang)
    width = _WIDTH
    return [_p(t("export.pdf.map", lang), st["h1"]),
            Image(io.BytesIO(png), width=width, height=width * size[1] / size[0]), PageBreak()]


def _ranked(ctx: ExportContext, st: dict[str, ParagraphStyle], lang: str) -> list[Any]:
    rows = [(int(r["no"]), r["kecamatan"], r["nama"], r["kode"], _fixed(r["skor"], lang), int(r["peringkat"]),
             _pct(r["p_top_n"], lang), r["alasan"]) for r in ctx.lokus.to_dict("records")]
    headers = [_col(k, lang) for k in ("no", "kecamatan", "village", "code", "score", "rank", "p_top_n",
                                       "reason")]
    return [
        _p(t("export.pdf.list", lang), st["h1"]),
        _p(t("export.pdf.list_intro", lang, n=ctx.result.config.top_n), st["base"]),
        Spacer(1, 0.3 * cm),
        _table(headers, rows, [0.9, 2.5, 2.9, 2.4, 1.2, 1.8, 1.5, 3.8], st),
    ]


def _aksi2(ctx: ExportContext, st: dict[str, ParagraphStyle], lang: str) -> list[Any]:
    story: list[Any] = [PageBreak(), _p(t("export.pdf.aksi2", lang), st["h1"])]
    if ctx.synthetic:  # the matrix goes to OPDs on its own: warn on the page, not only in the margin
        story += [_p(t("export.synthetic.plan", lang), st["alert"]), Spacer(1, 0.2 * cm)]
    matrix = aksi2_matrix(ctx, lang)
    if matrix is None:
        story.append(_p(t("export.plan.none", lang), st["base"]))
        return story
    rows = [(i, r["kegiatan"], r["opd"], r["desa"],
             _num(r["volume"], 2, lang) + (f" {r['satuan']}" if r["satuan"] else ""),
             _num(r["anggaran"], 0, lang)) for i, r in enumerate(matrix.to_dict("records"), start=1)]
    total = float(np.nansum(matrix["anggaran"].to_numpy(dtype=float)))
    headers = [_col(k, lang) for k in ("no", "activity", "opd", "lokus_villages", "volume", "budget")]
    story += [_p(t("export.pdf.aksi2_intro", lang), st["base"]),
              Spacer(1, 0.3 * cm),
              _table(headers, rows, [0.9, 4.1, 2.8, 5.0, 1.8, 2.4], st),
              Spacer(1, 0.2 * cm),
              _p(t("export.pdf.total_budget", lang, amount=_num(total, 0, lang)), st["base"])]
    return story


def _value_text(value: Any, lang: str) -> str:
    if value is None or isinstance(value, str):
        return value or "–"
    if isinstance(value, int | np.integer):
        return format_number(float(value), 0, lang)
    return format_number(value, 0, lang) if abs(float(value)) >= 1000 else compact_number(value, 2, lang)


def _analytics(ctx: ExportContext, st: dict[str, ParagraphStyle], lang: str) -> list[Any]:
    """"Analisis lanjutan": a summary table of each further analysis the planner ran."""
    content = ctx.analytics
    if not content:
        return []
    story: list[Any] = [PageBreak(), _p(t("export.analytics.section", lang), st["h1"])]
    for kind in ("budget", "survey", "review"):
        rows = summary_rows(content, kind, lang, ctx.dataset)
        if rows:
            story += [_p(t(f"export.analytics.title.{kind}", lang), st["h2"]),
                      _table([_col("item", lang), _col("value", lang)],
                             [(item, _value_text(value, lang)) for item, value in rows], [6.0, 11.0], st),
                      Spacer(1, 0.2 * cm), _p(t(f"analytics.method.{kind}", lang), st["small"])]
    return story


def _method(ctx: ExportContext, st: dict[str, ParagraphStyle], lang: str) -> list[Any]:
    story: list[Any] = [PageBreak(), _p(t("export.pdf.methodology", lang), st["h1"])]
    crit = [(criterion_label(ctx, c, lang), direction_text(c.direction, lang), _fixed(c.weight, lang),
             criterion_source(ctx, c, lang)) for c in ctx.result.criteria]
    headers = [_col(k, lang) for k in ("criterion", "direction", "weight", "source")]
    story += [_p(t("export.pdf.criteria", lang), st["h2"]), _table(headers, crit, [7.0, 4.0, 1.5, 4.5], st)]
    # criteria tabled above; config JSON in the XLSX/JSON exports; Umum on the cover
    skip = {t(f"export.section.{k}", lang) for k in ("criteria", "config", "general", "attention")}
    skip.add(t("export.analytics.section", lang))  # on its own page (_analytics)
    current = None
    for section, item, value, note in methodology_rows(ctx, lang):
        if section in skip:
            continue
        if section != current:
            story.append(_p(section, st["h2"]))
            current = section
        value_text = _fixed(value, lang) if isinstance(value, float) else str(value)
        text = f"<b>{escape(item)}:</b> {escape(value_text)}" if item else escape(value_text)
        if note:
            text += f" <i>({escape(note)})</i>"
        story.append(Paragraph(("• " if not item else "") + text, st["base"]))
    story += [_p(t("export.meth.software", lang), st["h2"]),
              _p(t("export.pdf.software_text", lang, version=software_version(lang),
                   sheet=t("export.sheet.method", lang)), st["base"])]
    return story


def _lampiran(ctx: ExportContext, st: dict[str, ParagraphStyle], lang: str, *, place: str, when: str,
              name: str, nip: str) -> list[Any]:
    rows = [(int(r["no"]), r["kecamatan"], r["nama"], r["kode"]) for r in ctx.lokus.to_dict("records")]
    sign = [
        t("export.pdf.issued_at", lang, place=place or _BLANK),
        t("export.pdf.issued_on", lang, date=when or _BLANK),
        "",
        t("export.pdf.signer", lang, head=ctx.head_title(lang), region=ctx.region).upper(),
    ]
    block = [_p(line, st["base"]) if line else Spacer(1, 0.2 * cm) for line in sign]
    block += [Spacer(1, 2.2 * cm), _p(name or t("export.pdf.name", lang), st["base"]),
              _p(t("export.pdf.nip", lang, nip=nip or _BLANK), st["base"])]
    signature = Table([["", block]], colWidths=[_WIDTH - 7.5 * cm, 7.5 * cm])
    signature.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story: list[Any] = [PageBreak(), _p(lampiran_title(ctx, lang), st["lampiran"])]
    if ctx.synthetic:
        story.append(_p(t("export.pdf.lampiran_synthetic", lang), st["alert"]))
    headers = [_col(k, lang) for k in ("no", "kecamatan", "village", "code")]
    story += [
        _p(t("export.pdf.number", lang, number=_BLANK), st["center"]), Spacer(1, 0.4 * cm),
        _table(headers, rows, [1.2, 5.0, 6.0, 4.8], st),
        Spacer(1, 0.8 * cm), KeepTogether([signature]),
    ]
    return story


def export_pdf(
    ctx: ExportContext,
    *,
    place: str = "",
    date_text: str = "",
    signer_name: str = "",
    nip: str = "",
    lang: str = "id",
) -> bytes:
    """PDF report bytes (A4); see the module docstring for the pages.

    Parameters
    ----------
    ctx
        Export context.
    place, date_text, signer_name, nip
        Signature block of the Lampiran ("Ditetapkan di", "Pada tanggal", the Bupati's
        name, NIP); blank lines when empty.
    lang
        ``"id"`` (default) or ``"en"``.
    """
    lang = lang_of(lang)
    _register_fonts()
    st = _styles()
    title = report_title(ctx, lang)
    story = [*_cover(ctx, st, lang), *_map(ctx, st, lang), *_ranked(ctx, st, lang), *_aksi2(ctx, st, lang),
             *_analytics(ctx, st, lang), *_method(ctx, st, lang),
             *_lampiran(ctx, st, lang, place=place, when=date_text, name=signer_name, nip=nip)]
    return build_a4(story, lang, title=title, kabupaten=ctx.kabupaten, author=ctx.author or "Lokus",
                    subject=t("export.pdf.subject", lang, kabupaten=ctx.kabupaten),
                    header=t("export.pdf.synthetic_header", lang) if ctx.synthetic else None)


def build_a4(story: list, lang: str, *, title: str, kabupaten: str, author: str, subject: str,
             header: str | None = None) -> bytes:
    """An A4 PDF of ``story`` with Lokus's footer (version, kabupaten, title, page number) and,
    when given, a red header line on every page (e.g. the synthetic-data warning)."""
    footer = f"Lokus {software_version(lang)} — {kabupaten} — {title}"

    def on_page(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(2 * cm, 1.2 * cm, footer)
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, t("export.pdf.page", lang, page=doc.page))
        if header:
            canvas.setFont(f"{FONT}-Bold", 8)
            canvas.setFillColor(_ALERT)
            canvas.drawCentredString(A4[0] / 2, A4[1] - 1.2 * cm, header)
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm, title=title, author=author, subject=subject,
                            creator=f"Lokus {software_version(lang)}")
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()
