"""Joining a village table to village polygons on the Kemendagri code, with a full report.

Nothing is dropped silently.  Every table row lands in exactly one category, decided in
this order:

1. **invalid** — ``kode`` is empty/NA (the caller normalised it; invalid codes are NA);
2. **duplicate** — the same ``kode`` (within the same ``tahun`` when there is a ``tahun``
   column) already appeared on an earlier row: the first row is kept and every later one
   is listed here with the row number of the kept one;
3. **matched** — the code is one of the polygons' codes;
4. **unmatched** — the code is valid but no polygon has it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.i18n import format_number, t
from geo.matching import translate_match_line

__all__ = ["JoinReport", "join_report", "join_table"]

#: Examples of each list kept in :meth:`JoinReport.to_dict`.
MAX_EXAMPLES = 20
_SHOWN = 5  # examples in a summary sentence


def _native(value: Any) -> Any:
    """JSON-friendly scalar: NA -> None, numpy scalars -> Python."""
    if value is None or (not isinstance(value, str | list | dict) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _native(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _pct(share: float, lang: str = "id") -> str:
    return t("report.join.percent", lang, value=format_number(share * 100, 1, lang))


def _examples(items: Iterable[str], lang: str = "id") -> str:
    items = list(items)
    text = ", ".join(items[:_SHOWN])
    if len(items) <= _SHOWN:
        return text
    return t("report.join.more", lang, examples=text, n=len(items) - _SHOWN)


@dataclass(frozen=True, eq=False)
class JoinReport:
    """How a table joined to the polygons.

    Attributes
    ----------
    n_polygons, n_rows
        Polygons in the boundary file and rows in the table.
    n_matched
        Polygons that got at least one table row.
    n_matched_rows
        Table rows used (first of duplicates, code found in the polygons).
    table_unmatched
        Rows with a valid code that no polygon has: ``row``, ``kode``, ``nama_desa``.
    polygons_without_data
        Polygons without any row: ``kode``, ``nama``, ``nama_kec``.
    duplicates
        Later rows repeating a code: ``row``, ``kode``, ``tahun``, ``first_row``.
    boundary_duplicates
        Codes found on more than one polygon.
    invalid_codes
        Rows with an empty or invalid code: ``row``, ``nama_desa`` (and ``kode_bps_raw``).
    per_year
        Per ``tahun``: ``tahun``, ``rows``, ``matched_villages``, ``share`` (of polygons).
    name_matching
        How rows without usable Kemendagri codes were matched by name (sentences); empty
        when the table's codes were used.
    """

    table_file: str
    boundary_file: str
    n_polygons: int
    n_rows: int
    n_matched: int
    n_matched_rows: int
    table_unmatched: list[dict[str, Any]]
    polygons_without_data: list[dict[str, Any]]
    duplicates: list[dict[str, Any]]
    boundary_duplicates: list[str]
    invalid_codes: list[dict[str, Any]]
    per_year: list[dict[str, Any]]
    name_matching: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable counts, per-year coverage and up to 20 examples per list."""
        return {
            "table_file": self.table_file,
            "boundary_file": self.boundary_file,
            "n_polygons": self.n_polygons,
            "n_rows": self.n_rows,
            "n_matched": self.n_matched,
            "n_matched_rows": self.n_matched_rows,
            "n_table_unmatched": len(self.table_unmatched),
            "n_polygons_without_data": len(self.polygons_without_data),
            "n_duplicates": len(self.duplicates),
            "n_invalid_codes": len(self.invalid_codes),
            "n_boundary_duplicates": len(self.boundary_duplicates),
            "per_year": self.per_year,
            "table_unmatched": self.table_unmatched[:MAX_EXAMPLES],
            "polygons_without_data": self.polygons_without_data[:MAX_EXAMPLES],
            "duplicates": self.duplicates[:MAX_EXAMPLES],
            "invalid_codes": self.invalid_codes[:MAX_EXAMPLES],
            "boundary_duplicates": self.boundary_duplicates[:MAX_EXAMPLES],
            "name_matching": self.name_matching,
        }

    def summary_lines(self, lang: str = "id") -> list[str]:
        """Short sentences for a UI panel or the CLI, in Bahasa Indonesia (default) or
        English (``lang="en"``); name-matching sentences are given in ``lang`` too."""
        lines = [*(translate_match_line(line, lang) for line in self.name_matching),
                 t("report.join.matched", lang, n=self.n_matched, total=self.n_polygons)]
        if self.polygons_without_data:
            names = (f"{p['nama'] or p['kode']} ({p['kode']})" for p in self.polygons_without_data)
            lines.append(t("report.join.without_data", lang, n=len(self.polygons_without_data),
                           examples=_examples(names, lang)))
        if self.table_unmatched:
            unmatched = (t("report.join.row_code", lang, row=r["row"], kode=r["kode"])
                         for r in self.table_unmatched)
            lines.append(t("report.join.unmatched_examples", lang, n=len(self.table_unmatched),
                           examples=_examples(unmatched, lang)))
        else:
            lines.append(t("report.join.unmatched", lang, n=0))
        if self.duplicates:
            dups = (t("report.join.row_code", lang, row=d["row"], kode=d["kode"])
                    for d in self.duplicates)
            lines.append(t("report.join.duplicates", lang, n=len(self.duplicates),
                           examples=_examples(dups, lang)))
        if self.invalid_codes:
            rows = (t("report.join.row", lang, row=r["row"]) for r in self.invalid_codes)
            key = "report.join.invalid_names" if self.name_matching else "report.join.invalid_codes"
            lines.append(t(key, lang, n=len(self.invalid_codes), examples=_examples(rows, lang)))
        if self.boundary_duplicates:
            lines.append(t("report.join.boundary_duplicates", lang,
                           n=len(self.boundary_duplicates),
                           examples=_examples(self.boundary_duplicates, lang)))
        for year in self.per_year:
            label = year["tahun"] if year["tahun"] is not None else t("report.join.no_year", lang)
            lines.append(t("report.join.year", lang, year=label, villages=year["matched_villages"],
                           share=_pct(year["share"], lang), rows=year["rows"]))
        return lines


def _categorise(boundaries: gpd.GeoDataFrame, table: pd.DataFrame) -> pd.Series:
    """Category of every table row: invalid / duplicate / matched / unmatched."""
    kode = table["kode"]
    invalid = kode.isna().to_numpy()
    keys = ["kode", "tahun"] if "tahun" in table else ["kode"]
    duplicate = table[keys].duplicated(keep="first").to_numpy() & ~invalid
    known = kode.isin(set(boundaries["kode"].dropna())).fillna(False).to_numpy(dtype=bool)
    category = np.select(
        [invalid, duplicate, known], ["invalid", "duplicate", "matched"], default="unmatched"
    )
    return pd.Series(category, index=table.index)


def _per_year(table: pd.DataFrame, matched: pd.Series, n_polygons: int) -> list[dict[str, Any]]:
    if "tahun" not in table:
        return []
    frame = pd.DataFrame({"tahun": table["tahun"], "kode": table["kode"].where(matched)})
    grouped = frame.groupby("tahun", dropna=False, sort=True)
    out = pd.DataFrame({"rows": grouped.size(), "matched_villages": grouped["kode"].nunique()})
    out["share"] = out["matched_villages"] / n_polygons if n_polygons else 0.0
    return _records(out.reset_index())


def _with_optional(table: pd.DataFrame, mask: pd.Series, base: dict[str, str]) -> pd.DataFrame:
    cols = {**base, **{c: c for c in ("nama_desa", "kode_bps_raw") if c in table}}
    return table.loc[mask, list(cols)].rename(columns=cols)


def join_table(
    boundaries: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    table_file: str,
    boundary_file: str = "",
) -> tuple[pd.DataFrame, JoinReport]:
    """Join and report: the table rows used (matched, first of duplicates) and the report.

    Parameters
    ----------
    boundaries
        Polygons with ``kode``, ``nama``, ``nama_kec``.
    table
        Rows with ``kode`` (normalised dotted code or NA) and ``_row`` (spreadsheet row
        number); optional ``tahun``, ``nama_desa``, ``kode_bps_raw``.
    table_file, boundary_file
        Base file names, for the report.

    Returns
    -------
    tuple
        The matched rows of ``table`` (all columns, original order and index) and the
        :class:`JoinReport`.
    """
    category = _categorise(boundaries, table)
    matched = category == "matched"
    row_base = {"_row": "row", "kode": "kode"}

    keys = ["kode", "tahun"] if "tahun" in table else ["kode"]
    valid = table.loc[category != "invalid"]
    first_row = valid.groupby(keys, dropna=False, sort=False)["_row"].transform("first")
    is_dup = category == "duplicate"
    dups = table.loc[is_dup, ["_row", *keys]].rename(columns={"_row": "row"})
    if "tahun" not in dups:
        dups["tahun"] = None
    dups["first_row"] = first_row.reindex(dups.index)

    codes_with_data = set(table.loc[matched, "kode"])
    poly = boundaries[["kode", "nama", "nama_kec"]]
    without = poly.loc[~poly["kode"].isin(codes_with_data)].sort_values("kode")
    bdup = boundaries["kode"][boundaries["kode"].duplicated()].dropna().unique()

    report = JoinReport(
        table_file=table_file,
        boundary_file=boundary_file,
        n_polygons=len(boundaries),
        n_rows=len(table),
        n_matched=int(poly["kode"].isin(codes_with_data).sum()),
        n_matched_rows=int(matched.sum()),
        table_unmatched=_records(_with_optional(table, category == "unmatched", row_base)),
        polygons_without_data=_records(without),
        duplicates=_records(dups[["row", "kode", "tahun", "first_row"]]),
        boundary_duplicates=sorted(str(c) for c in bdup),
        invalid_codes=_records(_with_optional(table, category == "invalid", {"_row": "row"})),
        per_year=_per_year(table, matched, len(boundaries)),
    )
    return table.loc[matched], report


def join_report(
    boundaries: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    table_file: str,
    boundary_file: str = "",
) -> JoinReport:
    """The :class:`JoinReport` of :func:`join_table` alone."""
    return join_table(boundaries, table, table_file=table_file, boundary_file=boundary_file)[1]
