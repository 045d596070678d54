"""Berita Acara Rembuk Stunting (Aksi 3): the signed minutes of the meeting that agrees the lokus.

One A4 PDF (reportlab platypus): title, opening statement (day, place, chair, number of
villages agreed), participants, the agreed list with each village's reason, the
changes made in the meeting (villages added and removed, who, when, why), a closing
line and signature blocks (the chair, then one line per participant). Bahasa Indonesia
by default, English with ``lang="en"``; every text comes from the catalogue
(``present.ba.*``). User text is XML-escaped before it reaches a Paragraph, so a reason
such as ``<b>&`` prints as typed.

Three different years: the meeting date (when the rembuk is held), the planning year
(*tahun perencanaan/anggaran*: the lokus are set in year N for the budget of year N+1,
so it defaults to the meeting's year + 1) in the title, the opening and the file name,
and the data year (the year scored) shown as the data basis ("berdasarkan data tahun
2021").

Not part of :func:`geo.export.export`: it needs the meeting (date, place, participants)
and the audit rows of the meeting, which no other format takes.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from geo.core.errors import InputError
from geo.core.i18n import format_date, lang_of, t
from geo.decide.rembuk import MeetingChange
from geo.export.common import ExportContext, safe_filename
from geo.export.pdf import _register_fonts, _styles, _table, build_a4
from geo.store.camat_review import CamatAnswer, by_kecamatan

__all__ = ["Meeting", "berita_acara_filename", "default_planning_year", "export_berita_acara", "format_date"]

_BLANK = "________________________"
_WIDTH = A4[0] - 4 * cm
#: Accepted planning years (as the form's number field).
YEAR_MIN, YEAR_MAX = 2000, 2100


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def default_planning_year(date_text: str | None, today: date | None = None) -> int | None:
    """The year after the meeting (lokus set in year N are for the budget of year N+1):
    from the ISO meeting date, else from ``today``; None when neither is known."""
    when = _parse_date(date_text) or today
    return when.year + 1 if when else None


def _planning_year(value: Any) -> int | None:
    """A typed planning year (text or number), None when empty.

    Raises
    ------
    InputError
        Not a whole year between :data:`YEAR_MIN` and :data:`YEAR_MAX`.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not (number.is_integer() and YEAR_MIN <= number <= YEAR_MAX):
        raise InputError.of("export.error.planning_year", low=str(YEAR_MIN), high=str(YEAR_MAX),
                            value=str(value))
    return int(number)


@dataclass(frozen=True)
class Meeting:
    """What the presenter types on step 5: when, where, who chaired, who attended, and the
    planning year the lokus are set for (None: the meeting's year + 1, see :attr:`lokus_year`)."""

    date: date | None = None
    place: str = ""
    chair: str = ""
    participants: tuple[str, ...] = ()
    planning_year: int | None = None

    @property
    def lokus_year(self) -> int | None:
        """Year in the title and file name: the planning year, else the meeting's year + 1,
        else None (no date, no year)."""
        if self.planning_year is not None:
            return self.planning_year
        return self.date.year + 1 if self.date else None

    @classmethod
    def from_form(cls, date_text: str | None, place: str | None, chair: str | None,
                  participants: str | None, planning_year: Any = None, *,
                  today: datetime.date | None = None) -> Meeting:
        """From the form fields (ISO date ``YYYY-MM-DD``; participants one per line;
        planning year as typed, empty for the default). Without a typed year or a date the
        planning year is ``today``'s year + 1 when ``today`` is given.

        Raises
        ------
        InputError
            The planning year is typed but is not a year between 2000 and 2100.
        """
        when = _parse_date(date_text)
        year = _planning_year(planning_year)
        if year is None and when is None and today is not None:
            year = today.year + 1
        people = tuple(p for p in (" ".join(line.split()) for line in (participants or "").splitlines()) if p)
        return cls(date=when, place=" ".join((place or "").split()), chair=" ".join((chair or "").split()),
                   participants=people, planning_year=year)


def _year(ctx: ExportContext, meeting: Meeting | None) -> int:
    """The planning year of the meeting, else the context's list year."""
    year = meeting.lokus_year if meeting is not None else None
    return year if year is not None else ctx.lokus_year


def berita_acara_filename(ctx: ExportContext, meeting: Meeting | None = None) -> str:
    """``berita_acara_rembuk_<region>_<planning year>[_SINTETIS].pdf`` (the context's list
    year when the meeting has neither a planning year nor a date)."""
    parts = ["berita_acara_rembuk", ctx.region, str(_year(ctx, meeting)), "SINTETIS" if ctx.synthetic else ""]
    return safe_filename("_".join(p for p in parts if p) + ".pdf")


def _p(text: Any, style) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _signatures(meeting: Meeting, lang: str, st: dict) -> list[Any]:
    chair = [_p(t("present.ba.sign_chair", lang), st["base"]), Spacer(1, 2.0 * cm),
             _p(meeting.chair or t("present.ba.blank_name", lang), st["base"])]
    block = Table([["", chair]], colWidths=[_WIDTH - 7.5 * cm, 7.5 * cm])
    block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story: list[Any] = [KeepTogether([block])]
    if meeting.participants:
        rows = [(i, name, "") for i, name in enumerate(meeting.participants, start=1)]
        sign = _table([t("present.col.no", lang), t("present.ba.participant", lang),
                       t("present.ba.signature", lang)], rows, [1.2, 9.0, 6.8], st)
        sign.setStyle(TableStyle([("TOPPADDING", (0, 1), (-1, -1), 10),
                                  ("BOTTOMPADDING", (0, 1), (-1, -1), 10)]))
        story += [Spacer(1, 0.6 * cm), _p(t("present.ba.sign_participants", lang), st["h2"]), sign]
    return story


def _camat_section(answers: Sequence[CamatAnswer], agreed: Sequence[dict], lang: str, st: dict) -> list[Any]:
    """The camat review (issue 12): per kecamatan, its agreements and objections with reasons."""
    story: list[Any] = [_p(t("camat.ba.title", lang), st["h2"])]
    if not answers:
        return [*story, _p(t("camat.ba.none", lang), st["base"])]
    listed = {r["kode"]: r for r in agreed}
    for kec, group in by_kecamatan(answers).items():
        name = next((listed[a.kode]["kecamatan"] for a in group if a.kode in listed), kec)
        counts = {k: sum(a.answer == k for a in group) for k in ("setuju", "keberatan")}
        story.append(_p(t("camat.ba.kecamatan", lang, kecamatan=name, **counts), st["base"]))
        rows = [(listed[a.kode]["nama"] if a.kode in listed else a.kode, a.kode,
                 t(f"camat.answer.{a.answer}", lang), a.reason, a.who) for a in group]
        story.append(_table([t("present.col.village", lang), t("present.col.code", lang),
                             t("camat.ba.col.answer", lang), t("present.col.reason", lang),
                             t("camat.ba.col.who", lang)], rows, [3.4, 2.6, 2.2, 5.8, 3.0], st))
    return story


def export_berita_acara(ctx: ExportContext, meeting: Meeting, changes: Sequence[MeetingChange] = (), *,
                        lang: str = "id", camat: Sequence[CamatAnswer] = ()) -> bytes:
    """Berita Acara PDF bytes.

    Parameters
    ----------
    ctx
        Export context whose ``lokus`` is the agreed list (with reasons).
    meeting
        Date, place, chair, participants and planning year (the title's year; the data
        year, ``ctx.result.config.year``, is printed as the data basis).
    changes
        Villages added or removed during the meeting (:func:`geo.decide.rembuk.meeting_changes`).
    camat
        The camat's current answers on the proposed villages (:mod:`geo.store.camat_review`),
        listed per kecamatan.
    lang
        ``"id"`` (default) or ``"en"``.
    """
    lang = lang_of(lang)
    _register_fonts()
    st = _styles()
    title = t("present.ba.title", lang)
    when = format_date(meeting.date, lang) if meeting.date else _BLANK
    year, data_year = _year(ctx, meeting), int(ctx.result.config.year)
    agreed = ctx.lokus.to_dict("records")
    subtitle = t("present.ba.subtitle", lang, kabupaten=ctx.kabupaten, year=year)
    story: list[Any] = [
        _p(title, st["lampiran"]),
        _p(subtitle, st["center"]),
        _p(t("present.ba.data_basis", lang, data_year=data_year), st["center"]),
        Spacer(1, 0.5 * cm),
    ]
    if ctx.synthetic:
        story += [_p(t("present.ba.synthetic", lang), st["alert"]), Spacer(1, 0.3 * cm)]
    story += [
        _p(t("present.ba.opening", lang, date=when, place=meeting.place or _BLANK,
             kabupaten=ctx.kabupaten, chair=meeting.chair or _BLANK, count=len(agreed),
             year=year, data_year=data_year), st["base"]),
        _p(t("present.ba.participants", lang), st["h2"]),
    ]
    if meeting.participants:
        story += [_p(f"{i}. {name}", st["base"]) for i, name in enumerate(meeting.participants, start=1)]
    else:
        story.append(_p(t("present.ba.participants_none", lang), st["base"]))
    story += [
        _p(t("present.ba.agreed", lang, count=len(agreed)), st["h2"]),
        _table([t("present.col.no", lang), t("present.col.kecamatan", lang), t("present.col.village", lang),
                t("present.col.code", lang), t("present.col.reason", lang)],
               [(r["no"], r["kecamatan"], r["nama"], r["kode"], r["alasan"]) for r in agreed],
               [1.0, 3.0, 3.6, 2.6, 6.8], st),
        _p(t("present.ba.changes", lang), st["h2"]),
    ]
    if changes:
        rows = [(c.at.astimezone().strftime("%H:%M"), t(f"present.action.{c.action}", lang),
                 f"{c.name} ({c.kecamatan})" if c.kecamatan else c.name, c.reason, c.who) for c in changes]
        story.append(_table([t("present.col.time", lang), t("present.col.action", lang),
                             t("present.col.village", lang), t("present.col.reason", lang),
                             t("present.col.who", lang)], rows, [1.4, 2.2, 4.2, 6.0, 3.2], st))
    else:
        story.append(_p(t("present.ba.no_changes", lang), st["base"]))
    story += _camat_section(camat, agreed, lang, st)
    if ctx.name:
        story.append(_p(t("present.ba.basis", lang, name=ctx.name), st["small"]))
    story += [Spacer(1, 0.4 * cm), _p(t("present.ba.closing", lang), st["base"]), Spacer(1, 0.6 * cm),
              *_signatures(meeting, lang, st)]

    return build_a4(story, lang, title=title, kabupaten=ctx.kabupaten,
                    author=meeting.chair or "Lokus", subject=f"{title} — {subtitle}")
