"""The one joining path of every village table (outcome, coverage, last year's list).

Two steps, both used by :func:`geo.data.loading.load_dataset`, :func:`geo.data.tables.load_coverage`
and :func:`geo.decide.continuity.read_previous_list`: :func:`geo.data.locate.locate_rows` places
each row on a village (by code, else by name), then :func:`join_table` joins and reports.

:func:`join_table` — every row lands in exactly one category, decided in this order:

1. **invalid** — not placed on any village (``kode`` NA): no usable code and no name
   (``code_invalid``) or a name that matched nothing (``name_unmatched``);
2. **conflict** — the same ``kode`` and ``tahun`` on several rows with *different*
   values: all of them are left out of the numbers and listed for review, never
   first-row-wins (``duplicate_conflict``);
3. **duplicate** — a later row repeating an earlier one with identical values: collapsed
   into the first (``duplicate_identical``);
4. **matched** — the code is one of the polygons' codes;
5. **unmatched** — the code is valid but no polygon has it (``code_unmatched``).

Each excluded row is also an issue of the row-level quality log (:mod:`geo.core.quality`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.core.messages import Message, Num
from geo.core.quality import QualityLog, issues_where

__all__ = ["JoinReport", "join_report", "join_table"]

#: Columns of a joined table that describe the row, never compared as values.
META_COLUMNS = frozenset({"kode", "tahun", "_row", "nama_desa", "kode_bps_raw", "_via", "_reason"})

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


def _examples(items: Iterable[Message | str]) -> tuple[Message | str, ...] | Message:
    """The first examples of a list (rendered joined by ", "), and how many more."""
    items = list(items)
    if len(items) <= _SHOWN:
        return tuple(items)
    return Message.of("report.join.more", examples=tuple(items[:_SHOWN]), n=len(items) - _SHOWN)


def _row_code(row: Any, kode: Any) -> Message:
    return Message.of("report.join.row_code", row=str(row), kode=str(kode))


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
        How rows without usable Kemendagri codes were matched by name (messages); empty
        when the table's codes were used.
    conflicts
        Rows left out because another row has the same ``kode`` and ``tahun`` with
        different values: ``row``, ``kode``, ``tahun``, ``rows`` (all rows of the group),
        ``via`` (``kode`` or ``nama``) and ``nama_desa`` when given.
    n_rows_by_code, n_rows_by_name
        Rows used that were placed by Kemendagri code / by name matching.
    quality
        The rows this join left out, as quality-log issues (no file totals).
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
    name_matching: list[Message] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    n_rows_by_code: int = 0
    n_rows_by_name: int = 0
    quality: QualityLog = field(default_factory=QualityLog)

    @property
    def n_rows_unplaced(self) -> int:
        """Rows not placed on any polygon (no usable code or name, or a code not on the map)."""
        return len(self.invalid_codes) + len(self.table_unmatched)

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
            "n_conflicts": len(self.conflicts),
            "n_rows_by_code": self.n_rows_by_code,
            "n_rows_by_name": self.n_rows_by_name,
            "n_rows_unplaced": self.n_rows_unplaced,
            "per_year": self.per_year,
            "table_unmatched": self.table_unmatched[:MAX_EXAMPLES],
            "polygons_without_data": self.polygons_without_data[:MAX_EXAMPLES],
            "duplicates": self.duplicates[:MAX_EXAMPLES],
            "invalid_codes": self.invalid_codes[:MAX_EXAMPLES],
            "boundary_duplicates": self.boundary_duplicates[:MAX_EXAMPLES],
            "conflicts": self.conflicts[:MAX_EXAMPLES],
            "name_matching": [line.to_dict() for line in self.name_matching],
        }

    def summary(self) -> list[Message]:
        """Short sentences for a UI panel or the CLI (render them in the page's language):
        the name matching first, then what joined, what did not, and per year."""
        lines = [*self.name_matching,
                 Message.of("report.join.matched", n=self.n_matched, total=self.n_polygons)]
        if self.n_rows_by_name:
            lines.append(Message.of("table.join.via", code=self.n_rows_by_code,
                                    name=self.n_rows_by_name, unplaced=self.n_rows_unplaced))
        if self.polygons_without_data:
            names = (f"{p['nama'] or p['kode']} ({p['kode']})" for p in self.polygons_without_data)
            lines.append(Message.of("report.join.without_data", n=len(self.polygons_without_data),
                                    examples=_examples(names)))
        if self.table_unmatched:
            unmatched = (_row_code(r["row"], r["kode"]) for r in self.table_unmatched)
            lines.append(Message.of("report.join.unmatched_examples", n=len(self.table_unmatched),
                                    examples=_examples(unmatched)))
        else:
            lines.append(Message.of("report.join.unmatched", n=0))
        if self.duplicates:
            dups = (_row_code(d["row"], d["kode"]) for d in self.duplicates)
            lines.append(Message.of("report.join.duplicates", n=len(self.duplicates),
                                    examples=_examples(dups)))
        if self.conflicts:
            rows = (_row_code(c["row"], c["kode"]) for c in self.conflicts)
            lines.append(Message.of("table.join.conflicts", n=len(self.conflicts),
                                    examples=_examples(rows)))
        if self.invalid_codes:
            invalid = (Message.of("report.join.row", row=str(r["row"])) for r in self.invalid_codes)
            key = "report.join.invalid_names" if self.name_matching else "report.join.invalid_codes"
            lines.append(Message.of(key, n=len(self.invalid_codes), examples=_examples(invalid)))
        if self.boundary_duplicates:
            lines.append(Message.of("report.join.boundary_duplicates", n=len(self.boundary_duplicates),
                                    examples=_examples(self.boundary_duplicates)))
        for year in self.per_year:
            label = (str(year["tahun"]) if year["tahun"] is not None
                     else Message.of("report.join.no_year"))
            lines.append(Message.of("report.join.year", year=label, villages=year["matched_villages"],
                                    share=Message.of("report.join.percent",
                                                     value=Num(year["share"] * 100, 1)),
                                    rows=year["rows"]))
        return lines


def _categorise(boundaries: gpd.GeoDataFrame, table: pd.DataFrame,
                values: list[str]) -> pd.Series:
    """Category of every table row: invalid / conflict / duplicate / matched / unmatched."""
    kode = table["kode"]
    invalid = kode.isna().to_numpy()
    keys = ["kode", "tahun"] if "tahun" in table else ["kode"]
    placed = table.loc[~invalid]
    conflict = np.zeros(len(table), dtype=bool)
    duplicate = np.zeros(len(table), dtype=bool)
    if len(placed):
        # one hash per row of its values (NaN hashes alike): a group with two hashes conflicts
        digest = (pd.util.hash_pandas_object(placed[values], index=False) if values
                  else pd.Series(0, index=placed.index, dtype="uint64"))
        groups = placed[keys].assign(_h=digest.to_numpy())
        n_distinct = groups.groupby(keys, dropna=False, sort=False)["_h"].transform("nunique")
        conflict[~invalid] = (n_distinct > 1).to_numpy()
        duplicate[~invalid] = placed[keys].duplicated(keep="first").to_numpy() & ~conflict[~invalid]
    known = kode.isin(set(boundaries["kode"].dropna())).fillna(False).to_numpy(dtype=bool)
    category = np.select(
        [invalid, conflict, duplicate, known],
        ["invalid", "conflict", "duplicate", "matched"], default="unmatched",
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


def _repeated_rows(table: pd.DataFrame, category: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows repeating a village and year: identical duplicates (``row``, ``kode``, ``tahun``,
    ``first_row``) and conflicts (``row``, ``kode``, ``tahun``, ``rows``, ``via``, ``nama_desa``)."""
    keys = ["kode", "tahun"] if "tahun" in table else ["kode"]
    placed = table.loc[category != "invalid"]
    first_row = placed.groupby(keys, dropna=False, sort=False)["_row"].transform("first")
    dups = table.loc[category == "duplicate", ["_row", *keys]].rename(columns={"_row": "row"})
    if "tahun" not in dups:
        dups["tahun"] = None
    dups["first_row"] = first_row.reindex(dups.index)

    is_conflict = category == "conflict"
    conflicts = table.loc[is_conflict, ["_row", *keys]].rename(columns={"_row": "row"})
    if "tahun" not in conflicts:
        conflicts["tahun"] = None
    group_rows = placed.loc[is_conflict[placed.index]].groupby(
        keys, dropna=False, sort=False)["_row"].transform(lambda r: ", ".join(map(str, r)))
    conflicts["rows"] = group_rows.reindex(conflicts.index)
    conflicts["via"] = table.loc[is_conflict, "_via"] if "_via" in table else "kode"
    if "nama_desa" in table:
        conflicts["nama_desa"] = table.loc[is_conflict, "nama_desa"]
    return dups[["row", "kode", "tahun", "first_row"]], conflicts


def join_table(
    boundaries: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    table_file: str,
    boundary_file: str = "",
    values: list[str] | None = None,
    code_column: str | None = None,
) -> tuple[pd.DataFrame, JoinReport]:
    """Join and report: the table rows used and the report.

    Parameters
    ----------
    boundaries
        Polygons with ``kode``, ``nama``, ``nama_kec``.
    table
        Rows with ``kode`` (normalised dotted code or NA) and ``_row`` (spreadsheet row
        number); optional ``tahun``, ``nama_desa``, ``kode_bps_raw``, ``_via`` (how the row
        was placed: ``kode``/``nama``, from :func:`geo.data.locate.locate_rows`) and ``_reason`` (the
        quality reason of a row that was not placed).
    table_file, boundary_file
        Base file names, for the report.
    values
        Columns whose values tell identical duplicates from conflicting ones; default:
        every column but the row's identifiers (:data:`META_COLUMNS`).
    code_column
        The code column as headed in the file, for the quality issues.

    Returns
    -------
    tuple
        The matched rows of ``table`` (all columns, original order and index; one row per
        ``kode`` and ``tahun``) and the :class:`JoinReport`.
    """
    if values is None:
        values = [c for c in table.columns if c not in META_COLUMNS]
    category = _categorise(boundaries, table, values)
    matched = category == "matched"
    row_base = {"_row": "row", "kode": "kode"}
    dups, conflicts = _repeated_rows(table, category)

    codes_with_data = set(table.loc[matched, "kode"])
    poly = boundaries[["kode", "nama", "nama_kec"]]
    without = poly.loc[~poly["kode"].isin(codes_with_data)].sort_values("kode")
    bdup = boundaries["kode"][boundaries["kode"].duplicated()].dropna().unique()
    via = table["_via"] if "_via" in table else pd.Series("kode", index=table.index)

    report = JoinReport(
        table_file=table_file,
        boundary_file=boundary_file,
        n_polygons=len(boundaries),
        n_rows=len(table),
        n_matched=int(poly["kode"].isin(codes_with_data).sum()),
        n_matched_rows=int(matched.sum()),
        table_unmatched=_records(_with_optional(table, category == "unmatched", row_base)),
        polygons_without_data=_records(without),
        duplicates=_records(dups),
        boundary_duplicates=sorted(str(c) for c in bdup),
        invalid_codes=_records(_with_optional(table, category == "invalid", {"_row": "row"})),
        per_year=_per_year(table, matched, len(boundaries)),
        conflicts=_records(conflicts),
        n_rows_by_code=int((matched & (via == "kode")).sum()),
        n_rows_by_name=int((matched & (via == "nama")).sum()),
        quality=_join_issues(table, category, table_file, code_column),
    )
    return table.loc[matched], report


def _join_issues(table: pd.DataFrame, category: pd.Series, file: str,
                 code_column: str | None) -> QualityLog:
    """The rows :func:`join_table` left out, as quality issues."""
    rows = table["_row"]
    kode = table["kode"]
    reason = (table["_reason"] if "_reason" in table
              else pd.Series("code_invalid", index=table.index, dtype=object))
    parts = [issues_where((category == "invalid") & (reason == r), file=file, rows=rows, reason=r)
             for r in ("code_invalid", "name_unmatched")]
    for cat, r in (("unmatched", "code_unmatched"), ("conflict", "duplicate_conflict"),
                   ("duplicate", "duplicate_identical")):
        parts.append(issues_where(category == cat, file=file, rows=rows, reason=r,
                                  column=code_column, values=kode))
    return QualityLog.of(parts)


def join_report(
    boundaries: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    table_file: str,
    boundary_file: str = "",
) -> JoinReport:
    """The :class:`JoinReport` of :func:`join_table` alone."""
    return join_table(boundaries, table, table_file=table_file, boundary_file=boundary_file)[1]
