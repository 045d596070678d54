"""What the CSV (:mod:`geo.export.delimited`) and XLSX (:mod:`geo.export.workbook`) exports
share: the kind of every numeric column and its number format, the closed vocabularies
translated by language, and the table of every village.

Numbers are rounded by column kind (:func:`column_kinds`) to what the XLSX shows: counts
and ranks as integers (``47``), values/rates 1 decimal, scores 3, P(top-N) as a fraction
with 2; NaN is an empty cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.core.i18n import lang_of, t
from geo.export.common import ExportContext, term
from geo.scoring.result import with_texts

__all__ = ["INT_FMT", "KIND_FORMATS", "MONEY_FMT", "PCT_FMT", "SCORE_FMT", "TEXT_FMT", "VALUE_FMT",
           "all_villages_frame", "column_kinds", "criterion_kind", "csv_decimals", "csv_numbers",
           "translate_terms"]

#: Columns whose values are words of a closed vocabulary (translated with :func:`term`).
_TERM_COLUMNS = ("kelas", "rekomendasi", "terpilih", "stabilitas", "lisa")

SCORE_FMT = "0.000"
PCT_FMT = "0%"
INT_FMT = "0"
VALUE_FMT = "0.0"
MONEY_FMT = "#,##0"
TEXT_FMT = "@"

#: Number format of each kind of numeric column. The XLSX cell gets the format; the CSV,
#: which has no hidden precision behind a format, is rounded to what that format shows.
KIND_FORMATS = {"count": INT_FMT, "value": VALUE_FMT, "score": SCORE_FMT, "share": PCT_FMT}
#: Kind of the fixed numeric columns (lokus list and result table names).
_FIXED_KINDS = {"no": "count", "tahun": "count", "peringkat": "count", "peringkat_kec": "count",
                "n_kec": "count", "skor": "score", "p_top_n": "share"}
#: Kind of a criterion's companion columns ``{id}__<suffix>``.
_SUFFIX_KINDS = {"mentah": "value", "k": "count", "n": "count", "ci_bawah": "value", "ci_atas": "value",
                 "norm": "score", "kontribusi": "score"}


# --------------------------------------------------------------------------- number kinds
def csv_decimals(kind: str) -> int:
    """Decimals the CSV keeps for a column ``kind``: those its XLSX format shows (``0.000`` → 3);
    a percent format is a fraction in the CSV, so two more (``0%`` → 0.01)."""
    fmt = KIND_FORMATS[kind]
    places = len(fmt.rstrip("%").partition(".")[2])
    return places + 2 if fmt.endswith("%") else places


def criterion_kind(ctx: ExportContext, cid: str) -> str:
    """``count`` or ``value``: the kind of a criterion's own column."""
    ind = ctx.result.indicators.get(cid)
    # people counted (and the 0/1 hotspot membership, which has no catalogue entry) are whole
    # numbers; rates, coverage and deltas are values
    return "count" if ind is None or ind.kind == "count" else "value"


def column_kinds(ctx: ExportContext) -> dict[str, str]:
    """Kind (a key of :data:`KIND_FORMATS`) of every numeric column of the lokus list and the
    result table, by internal column name."""
    kinds = dict(_FIXED_KINDS)
    for c in ctx.result.criteria:
        kinds[c.id] = criterion_kind(ctx, c.id)
        kinds.update({f"{c.id}__{suffix}": kind for suffix, kind in _SUFFIX_KINDS.items()})
    return kinds


def _rounded(values: pd.Series, kind: str) -> pd.Series:
    """``values`` as the CSV writes them: non-finite → NaN (an empty cell), counts as nullable
    integers, anything else rounded to :func:`csv_decimals`."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    numbers = numbers.where(np.isfinite(numbers))
    whole = numbers.dropna()
    if kind == "count":
        if (whole == whole.round()).all():
            return numbers.round().astype("Int64")
        kind = "value"  # an imputed median count can be a half: keep it rather than hide it
    return numbers.round(csv_decimals(kind)) + 0.0  # + 0.0 turns a rounded -0.0 into 0.0


def csv_numbers(frame: pd.DataFrame, ctx: ExportContext) -> pd.DataFrame:
    """Numeric columns of ``frame`` (internal names) rounded by kind; an unknown float column
    gets score decimals, so no column carries 16 digits."""
    kinds = column_kinds(ctx)
    out = frame.copy()
    for col in out.columns:
        dtype = out[col].dtype
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            continue
        out[col] = _rounded(out[col], kinds.get(str(col), "score"))
    return out


def translate_terms(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The closed-vocabulary columns in ``lang`` (Bahasa Indonesia is what the engine writes)."""
    for col in _TERM_COLUMNS:
        if col in frame and lang_of(lang) != "id":
            frame[col] = [term(v, lang) for v in frame[col]]
    return frame


def all_villages_frame(ctx: ExportContext, lang: str = "id") -> pd.DataFrame:
    """Every village by rank: the result table plus ``terpilih`` (ya/tidak for the chosen list)
    and ``catatan_data`` when SINTETIS (result-table column names, vocabulary in ``lang``)."""
    frame = with_texts(ctx.result.ranked(), lang).reset_index(drop=True)
    chosen = set(ctx.chosen_codes)
    frame.insert(frame.columns.get_loc("rekomendasi") + 1, "terpilih",
                 ["ya" if c in chosen else "tidak" for c in frame["kode"]])
    if ctx.synthetic:
        frame["catatan_data"] = t("export.synthetic.note", lang)
    return translate_terms(frame, lang)
