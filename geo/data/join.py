"""The one joining path of every village table (outcome, coverage, last year's list).

Two steps, both used by :func:`geo.data.dataset.load_dataset`, :func:`geo.data.dataset.load_coverage`
and :func:`geo.decide.continuity.read_previous_list`:

:func:`locate_rows` — which village each row is, per row, in this order:

1. a valid Kemendagri code that one of the polygons has joins **by code**;
2. a code column that holds BPS codes (decided per column by
   :func:`geo.core.codes.detect_code_system`) is never joined as Kemendagri codes: its rows go
   to name matching and each code cell is noted (``code_bps``);
3. a row without a usable code but with a desa name is matched **by name** within its
   kecamatan (:func:`geo.io.matching.match_names`) — in the same table, so a table with codes
   for most rows and only names for a few keeps the name-only rows;
4. a valid code that no polygon has stays unmatched (``code_unmatched``) and is not
   name-matched — a code is an explicit claim of identity — unless the column as a whole
   is not on the map (fewer than 80 % of its codes, e.g. an older Kepmendagri edition):
   then rows of this kabupaten go to name matching; codes of another kabupaten never do.

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

from geo.core.codes import detect_code_system, looks_like_bps_series, normalise_codes
from geo.core.i18n import format_number, t
from geo.core.quality import QualityLog, issues_where
from geo.io.matching import NameMatch, match_names, translate_match_line

__all__ = ["JoinReport", "Located", "join_report", "join_table", "locate_rows"]

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
    name_matching: list[str] = field(default_factory=list)
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
            "name_matching": self.name_matching,
        }

    def summary_lines(self, lang: str = "id") -> list[str]:
        """Short sentences for a UI panel or the CLI, in Bahasa Indonesia (default) or
        English (``lang="en"``); name-matching sentences are given in ``lang`` too."""
        lines = [*(translate_match_line(line, lang) for line in self.name_matching),
                 t("report.join.matched", lang, n=self.n_matched, total=self.n_polygons)]
        if self.n_rows_by_name:
            lines.append(t("table.join.via", lang, code=self.n_rows_by_code,
                           name=self.n_rows_by_name, unplaced=self.n_rows_unplaced))
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
        if self.conflicts:
            rows = (t("report.join.row_code", lang, row=c["row"], kode=c["kode"])
                    for c in self.conflicts)
            lines.append(t("table.join.conflicts", lang, n=len(self.conflicts),
                           examples=_examples(rows, lang)))
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
        was placed: ``kode``/``nama``, from :func:`locate_rows`) and ``_reason`` (the
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

    keys = ["kode", "tahun"] if "tahun" in table else ["kode"]
    placed = table.loc[category != "invalid"]
    first_row = placed.groupby(keys, dropna=False, sort=False)["_row"].transform("first")
    is_dup = category == "duplicate"
    dups = table.loc[is_dup, ["_row", *keys]].rename(columns={"_row": "row"})
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
        duplicates=_records(dups[["row", "kode", "tahun", "first_row"]]),
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


@dataclass(frozen=True, eq=False)
class Located:
    """Where each row of a table is, from :func:`locate_rows`.

    Attributes
    ----------
    kode
        Per row (same index as the table): the dotted Kemendagri code the row was placed
        on, a valid code that no polygon has (left for :func:`join_table` to report as
        unmatched), or NA (not placed).
    via
        Per row: ``"kode"`` (placed by code), ``"nama"`` (by name) or ``""``.
    reason
        Per row not placed: ``code_invalid`` or ``name_unmatched``; ``""`` otherwise.
    name_match
        The name match of the rows that went through names; None when none did.
    issues
        Notes on code cells that were not used (``code_bps``), as quality issues.
    code_system
        What the code column holds (``kemendagri``/``bps``/``unknown``), None without one.
    name_rows
        Index labels of the rows that went through name matching, in the order of
        ``name_match.row_pair``.
    """

    kode: pd.Series
    via: pd.Series
    reason: pd.Series
    name_match: NameMatch | None
    issues: pd.DataFrame
    code_system: str | None
    name_rows: pd.Index = field(default_factory=lambda: pd.Index([]))

    def apply(self, table: pd.DataFrame) -> pd.DataFrame:
        """``table`` with ``kode``, ``_via`` and ``_reason`` set, ready for :func:`join_table`."""
        return table.assign(kode=self.kode, _via=self.via, _reason=self.reason)


def _match_reason(system: str | None, n_names: int, n_rows: int, has_code: bool) -> str:
    """Why rows went through name matching (a catalogue sentence in Bahasa Indonesia)."""
    if system == "bps":
        return t("report.match.reason.bps")
    if not has_code:
        return t("report.match.reason.no_code")
    if n_names < n_rows:
        return t("report.match.reason.partial", n=n_names)
    return t("report.match.reason.unknown")


def locate_rows(
    table: pd.DataFrame,
    columns: dict[str, str],
    villages: pd.DataFrame,
    *,
    file: str,
    crosswalk: pd.DataFrame | None = None,
    accept_fuzzy: bool = True,
) -> Located:
    """Place each row of a table on a village: by code, else by name (see the module doc).

    Parameters
    ----------
    table
        The table as read (:func:`geo.io.readers.read_table`), with ``_row``.
    columns
        Role → column (roles ``kode``, ``kode_bps``, ``nama_desa``, ``nama_kec``).
    villages
        ``kode``, ``nama``, ``nama_kec`` of the polygons.
    file
        Base file name, for the quality issues.
    crosswalk
        Saved name-matching decisions, applied first.
    accept_fuzzy
        Place rows whose name matched only fuzzily (they are always listed for review);
        off for last year's lokus list, where a wrong village is worse than a missing one.

    Returns
    -------
    Located
    """
    index = table.index
    rows = table["_row"]
    known = set(villages["kode"].dropna().astype(str))
    districts = {k[:5] for k in known}
    kode = pd.Series(pd.NA, index=index, dtype="string")
    via = pd.Series("", index=index, dtype=object)
    outside = pd.Series(False, index=index)
    issues: list[pd.DataFrame] = []
    code_col = columns.get("kode")
    bps_col = columns.get("kode_bps")
    system: str | None = None
    if code_col is not None:
        raw = table[code_col]
        system = detect_code_system(raw)
        if system == "bps":  # the whole column: BPS codes of split kecamatan pass as Kemendagri
            issues.append(issues_where(raw.notna(), file=file, rows=rows, reason="code_bps",
                                       column=code_col, values=raw, scope="cell"))
        else:
            clean = normalise_codes(raw)
            hit = clean.isin(known).fillna(False).astype(bool)
            kode[hit] = clean[hit]
            via[hit] = "kode"
            # a valid code of another kabupaten is a different village: never name-matched here
            outside = (clean.notna() & ~hit & ~clean.str[:5].isin(districts)).fillna(False)
            kode[outside] = clean[outside]
            bpsish = looks_like_bps_series(raw) & ~hit
            issues.append(issues_where(bpsish, file=file, rows=rows, reason="code_bps",
                                       column=code_col, values=raw, scope="cell"))
            # A valid code of this kabupaten that no polygon has is an explicit claim: in a
            # column whose codes are on the map it stays unmatched (a typo is not guessed
            # away by the name); in a column mostly off the map (an older code edition)
            # its row goes to name matching, and is reported unmatched if that fails too.
            stale = (clean.notna() & ~hit & ~outside).fillna(False)
            kode[stale] = clean[stale]
            if detect_code_system(raw, known) == "kemendagri":
                outside |= stale
    elif bps_col is not None:
        system = "bps"
        issues.append(issues_where(table[bps_col].notna(), file=file, rows=rows,
                                   reason="code_bps", column=bps_col, values=table[bps_col],
                                   scope="cell"))
    reason = pd.Series("", index=index, dtype=object)
    by_code = via == "kode"
    todo = ~by_code & ~outside
    name_col = columns.get("nama_desa")
    match = None
    if name_col is not None:
        todo &= table[name_col].notna()
    else:
        todo &= False
    if todo.any():
        sub = table.loc[todo]
        kec = sub[columns["nama_kec"]] if "nama_kec" in columns else None
        sentence = _match_reason(system, int(todo.sum()), len(table), code_col is not None)
        assert name_col is not None
        match = match_names(kec, sub[name_col], villages[["kode", "nama", "nama_kec"]],
                            crosswalk=crosswalk, reason=sentence)
        status = match.status.to_numpy(dtype=object)
        found = match.kode.to_numpy(dtype=object)
        sure = np.isin(status, ("crosswalk", "exact", "normalised"))
        if accept_fuzzy:
            sure |= status == "fuzzy"
        idx = sub.index.to_numpy()
        kode.loc[idx[sure]] = found[sure]
        via.loc[idx[sure]] = "nama"
        # a stale code whose name did not match stays as the code (reported as unmatched)
        failed = idx[~sure]
        unplaced = kode.loc[failed].isna().to_numpy()
        reason.loc[failed[unplaced]] = "name_unmatched"
    no_place = kode.isna() & (reason == "")
    reason[no_place] = "code_invalid"
    return Located(kode=kode, via=via, reason=reason, name_match=match,
                   issues=QualityLog.of(issues).issues, code_system=system,
                   name_rows=table.index[todo.to_numpy()])


def join_report(
    boundaries: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    table_file: str,
    boundary_file: str = "",
) -> JoinReport:
    """The :class:`JoinReport` of :func:`join_table` alone."""
    return join_table(boundaries, table, table_file=table_file, boundary_file=boundary_file)[1]
