"""The CSV export of the lokus list (or of every village).

UTF-8 with BOM (Excel recognises the encoding). ``sep=","`` writes a decimal point;
``sep=";"`` writes a **decimal comma**, which is what Excel with Indonesian regional
settings expects when it opens a ``;``-separated file. Numbers are rounded by column kind
(:func:`geo.export.tables.column_kinds`) to what the XLSX shows. A CSV cannot carry a
comment line safely (Excel would show it as a data row and tools would choke on it), so
when the ranking used SINTETIS coverage every row gets a ``catatan_data`` column saying
so, and the suggested file name ends in ``_SINTETIS``.

Column names (``kode`` → ``code``; criterion columns keep the indicator id) and the
closed vocabularies (``ya``, ``inti``, ``Tinggi``…) follow ``lang``; village names,
reasons and data flags are data and stay as they are. Every text cell goes through
:func:`geo.export.safe.safe_cell`.
"""

from __future__ import annotations

import pandas as pd

from geo.core.errors import InputError
from geo.core.i18n import catalogue, lang_of, t
from geo.export.common import ExportContext
from geo.export.safe import safe_frame
from geo.export.tables import all_villages_frame, csv_numbers, translate_terms

__all__ = ["export_csv", "lokus_csv_frame"]


def _csv_name(column: str, texts: dict[str, str]) -> str:
    if f"export.csv.{column}" in texts:
        return texts[f"export.csv.{column}"]
    cid, sep, suffix = column.rpartition("__")  # criterion columns: the id stays, the suffix follows
    key = f"export.csv.suffix.{suffix}"
    return f"{cid}__{texts[key]}" if sep and key in texts else column


def _csv_names(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Column names in ``lang`` (``export.csv.*``); criterion columns keep their id."""
    texts = catalogue(lang_of(lang))
    return frame.rename(columns={c: _csv_name(str(c), texts) for c in frame.columns})


def lokus_csv_frame(ctx: ExportContext, lang: str = "id") -> pd.DataFrame:
    """The chosen villages as CSV columns: ``no, kode, desa, kecamatan, skor, peringkat,
    p_top_n, stabilitas, alasan``, one column per criterion (its id), ``catatan_data``
    when SINTETIS (names and vocabulary in ``lang``)."""
    lok = ctx.lokus
    criteria = [c.id for c in ctx.result.criteria]
    frame = lok[["no", "kode", "nama", "kecamatan", "skor", "peringkat", "p_top_n", "stabilitas",
                 "alasan", *criteria]].rename(columns={"nama": "desa"})
    if ctx.synthetic:
        frame = frame.assign(catatan_data=t("export.synthetic.note", lang))
    return _csv_names(translate_terms(csv_numbers(frame.reset_index(drop=True), ctx), lang), lang)


def export_csv(ctx: ExportContext, *, sep: str = ",", all_villages: bool = False, lang: str = "id") -> bytes:
    """CSV bytes (UTF-8 with BOM) of the chosen villages, or of every village.

    Parameters
    ----------
    sep
        ``","`` (decimal point) or ``";"`` (decimal comma, for Excel in Indonesian).
    all_villages
        Every village by rank (the full score table) instead of the chosen list.
    lang
        Language of the column names and vocabulary (``"id"`` or ``"en"``).

    Raises
    ------
    InputError
        Any other separator.
    """
    if sep not in (",", ";"):
        raise InputError.of("export.error.sep", rows=[sep])
    if all_villages:
        frame = _csv_names(csv_numbers(all_villages_frame(ctx, lang), ctx), lang)
    else:
        frame = lokus_csv_frame(ctx, lang)
    text = safe_frame(frame).to_csv(index=False, sep=sep, decimal="," if sep == ";" else ".",
                                    lineterminator="\r\n")
    return text.encode("utf-8-sig")
