"""The village tables of a dataset, read and cleaned: outcome values and coverage tables.

Coverage tables (intervention coverage, DOMAIN §4.2–4.4) are optional extra wide
tables, one row per village (and year), one column per coverage indicator of the
catalogue. Manifest key::

    "coverage": [{"file": "cakupan.csv", "year": 2021, "synthetic": true, "title": "..."}]

A ``tahun`` column in the file overrides ``year``. Indicator columns are found by
catalogue id or by catalogue label (both compared with
:func:`geo.io.schema.normalise_name`). Each column is either percent (0–100) or a share
(0–1): a column whose values are all ≤ 1 is read as a share and multiplied by 100;
the decision is stated in :attr:`geo.data.model.Dataset.coverage_notes`. Values outside
0–100 after that are left out and listed.

Every table (outcome and coverage) goes through one joining path
(:func:`geo.data.locate.locate_rows`, :func:`geo.data.join.join_table`). A table is refused
only when it is unusable as a whole (no code or name column, no number column, not a
table); a bad cell or row is left out of the numbers and listed in the quality log (file,
spreadsheet row, column, value, reason).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.core.codes import detect_code_system
from geo.core.errors import InputError
from geo.core.indicators import catalogue, derive_fields
from geo.core.messages import Message
from geo.core.quality import FileCount, QualityLog, issues_where
from geo.data.join import JoinReport, join_table
from geo.data.locate import Located, locate_rows
from geo.data.model import CoverageSpec
from geo.io.matching import NameMatch
from geo.io.schema import (
    ID_ROLES,
    MEASURE_ROLES,
    PERCENT_ROLES,
    TABLE_ROLES,
    TEXT_ROLES,
    detect_columns,
    known_unused,
    normalise_name,
)
from geo.io.tables import clean_numbers, clean_years, read_table

__all__ = ["MUTU_VALUES", "load_coverage", "load_outcome", "merge_coverage"]

#: Allowed values of the ``mutu_pengukuran`` text column.
MUTU_VALUES = ("baik", "perlu_dicek")



def _unrecognised(headers: list[str], used: set[str], file: str) -> list[Message]:
    """A note for every column that plays no role and is not a known unused one."""
    return [Message.of("table.note.unrecognised", file=file, column=c) for c in headers
            if c not in used and not known_unused(c)]



def _years(raw: pd.DataFrame, column: str | None, default: int | None, *, file: str,
           missing_key: str) -> tuple[pd.Series, pd.Series, list[pd.DataFrame]]:
    """Year per row, rows kept, issues; refuses only a table without any year."""
    if column is not None:
        return clean_years(raw[column], file=file, column=column, rows=raw["_row"],
                           default=default)
    if default is None:
        raise InputError.of(missing_key, file=file)
    years = pd.Series(int(default), index=raw.index, dtype="Int64")
    return years, pd.Series(True, index=raw.index), []


def _percent(series: pd.Series, *, file: str, column: str, rows: pd.Series, role: str,
             notes: list[Message]) -> tuple[pd.Series, list[pd.DataFrame]]:
    """A percent column (0–100) or a share column (every value ≤ 1, turned into percent)."""
    values, issues = clean_numbers(series, file=file, column=column, rows=rows, kind="share")
    present = values.dropna()
    if len(present) and (present <= 1).all():
        values = values * 100.0
        notes.append(Message.of("table.note.share", file=file, column=column, role=role))
    over = values > 100
    if over.any():
        issues.append(issues_where(over, file=file, rows=rows, reason="out_of_range",
                                   column=column, values=series, scope="cell"))
    return values.mask(over), issues


def _text_values(series: pd.Series, *, file: str, column: str,
                 rows: pd.Series) -> tuple[pd.Series, list[pd.DataFrame]]:
    """``mutu_pengukuran``: ``baik`` / ``perlu_dicek`` (any case, spaces or dashes)."""
    text = series.astype("string").str.strip().str.lower().str.replace(r"[\s-]+", "_", regex=True)
    bad = text.notna() & ~text.isin(MUTU_VALUES)
    issues = [issues_where(bad, file=file, rows=rows, reason="value_invalid", column=column,
                           values=series, scope="cell")] if bad.any() else []
    return text.mask(bad).astype(object).where(text.notna() & ~bad, None), issues


def _ratio_issues(rows: pd.DataFrame, columns: dict[str, str], file: str) -> list[pd.DataFrame]:
    """Rows where a rate's numerator exceeds its denominator (e.g. stunted > measured): the
    rate is no data there (:func:`geo.core.indicators.compute`); each row is listed."""
    out = []
    for ind in catalogue().values():
        if not (ind.is_rate and ind.denominator and set(ind.fields) <= set(rows)):
            continue
        num, den = rows[ind.numerator], rows[ind.denominator]
        bad = (num > den).fillna(False)
        if bad.any():
            num_col, den_col = (columns.get(f, f) for f in (ind.numerator, ind.denominator))
            label = f"{num_col} > {den_col}"
            text = num.map("{:g}".format) + " > " + den.map("{:g}".format)
            out.append(issues_where(bad, file=file, rows=rows["_row"], reason="numerator_gt_denominator",
                                    column=label, values=text, scope="cell"))
    return out


def _by_file_row(log: QualityLog) -> QualityLog:
    """The log with issues in file order, then spreadsheet row (the order a planner fixes)."""
    if log.issues.empty:
        return log
    order = {f.file: i for i, f in enumerate(log.files)}
    issues = log.issues.assign(_f=log.issues["file"].map(order).fillna(len(order)))
    issues = issues.sort_values(["_f", "row"], kind="stable", na_position="first")
    return QualityLog(issues=issues.drop(columns="_f").reset_index(drop=True), files=log.files)


def _id_columns(columns: dict[str, str]) -> dict[str, str]:
    return {r: c for r, c in columns.items() if r in ID_ROLES}


def _check_placeable(columns: dict[str, str], raw: pd.DataFrame, file: str) -> None:
    """Refuse a table whose rows cannot be placed at all: no code column that can be
    joined (none, or BPS codes) and no desa name column."""
    if "nama_desa" in columns:
        return
    code = columns.get("kode")
    if code is None or detect_code_system(raw[code]) == "bps":
        raise InputError.of("table.error.no_place", file=file,
                            column=code or columns.get("kode_bps"))


def _coverage_columns(columns: Sequence[str]) -> dict[str, str]:
    """Column → coverage indicator id, matched by id or label (normalised names)."""
    names: dict[str, str] = {}
    for ind in catalogue().values():
        if ind.kind == "coverage":
            for text in (ind.id, ind.label_id, ind.label_en):
                names.setdefault(normalise_name(text), ind.id)
    out: dict[str, str] = {}
    for col in columns:
        cid = names.get(normalise_name(col))
        if cid is not None and cid not in out.values():
            out[col] = cid
    return out


_ID_ROLES = {k: TABLE_ROLES[k] for k in ID_ROLES}


def _coverage_values(raw: pd.DataFrame, found: dict[str, str], file: str,
                     notes: list[Message]) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Percent 0–100 per coverage column (a share column × 100); cells out of range left out."""
    out = pd.DataFrame(index=raw.index)
    issues: list[pd.DataFrame] = []
    for col, cid in found.items():
        values, bad = clean_numbers(raw[col], file=file, column=col, rows=raw["_row"], kind="share")
        present = values.dropna()
        if present.empty:
            notes.append(Message.of("data.coverage.empty", file=file, column=col, indicator=cid))
        elif (present <= 1).all():
            values = values * 100.0
            notes.append(Message.of("data.coverage.share", file=file, column=col, indicator=cid))
        else:
            notes.append(Message.of("data.coverage.percent", file=file, column=col, indicator=cid))
        over = values > 100
        if over.any():
            bad.append(issues_where(over, file=file, rows=raw["_row"], reason="out_of_range",
                                    column=col, values=raw[col], scope="cell"))
        issues += bad
        out[cid] = values.mask(over)
    return out, issues


def _joined(located: Located, frame: pd.DataFrame, keep: pd.Series, villages: gpd.GeoDataFrame, *,
            file: str, boundary_file: str, values: list[str], code_column: str | None,
            rows_read: int, role: str, issues: list[pd.DataFrame]) -> tuple[pd.DataFrame, JoinReport]:
    """The rows kept, placed and joined to the villages; the report carries the file's whole
    quality log."""
    # placed before the rows are filtered: assigning to an empty frame would take the index
    placed = located.apply(frame).loc[keep.to_numpy()]
    matched, report = join_table(villages, placed, table_file=file,
                                 boundary_file=boundary_file, values=values, code_column=code_column)
    log = QualityLog.of([located.issues, *issues, report.quality.issues],
                        [FileCount(file, role, rows_read, report.n_matched_rows)])
    return matched, replace(report, quality=_by_file_row(log),
                            name_matching=located.name_match.summary() if located.name_match else [])


def load_coverage(
    villages: gpd.GeoDataFrame, spec: CoverageSpec, *, boundary_file: str = "",
    crosswalk: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, JoinReport, list[Message]]:
    """Read one coverage table and join it to the villages (the one joining path).

    Returns
    -------
    (coverage, report, notes)
        Long table ``kode``, ``tahun``, one percent column per indicator id (matched
        rows only), the join report (its :attr:`JoinReport.quality` is the file's whole
        quality log: cells out of 0–100, bad years, BPS codes, conflicts...) and notes on
        what was detected.

    Raises
    ------
    InputError
        Unusable as a whole: no code or name column, no year, no recognised indicator
        column, not a table.
    """
    file = Path(spec.file).name
    raw = read_table(spec.file)
    headers = [c for c in raw.columns if c != "_row"]
    ids = detect_columns(headers, _ID_ROLES, file=file)
    if not {"kode", "kode_bps", "nama_desa"} & set(ids):
        raise InputError.of("data.error.coverage_no_code", file=file)
    rest = [c for c in headers if c not in ids.values()]
    found = _coverage_columns(rest)
    if not found:
        raise InputError.of("table.error.no_coverage", file=file)
    _check_placeable(ids, raw, file)
    notes = _unrecognised(rest, set(found), file)
    years, keep, issues = _years(raw, ids.get("tahun"), spec.year, file=file,
                                 missing_key="table.error.no_coverage_year")
    values, bad = _coverage_values(raw, found, file, notes)
    frame = pd.concat([pd.DataFrame({"_row": raw["_row"], "tahun": years}), values], axis=1)
    if "nama_desa" in ids:
        frame["nama_desa"] = raw[ids["nama_desa"]]
    located = locate_rows(raw, ids, villages, file=file, crosswalk=crosswalk)
    matched, report = _joined(located, frame, keep, villages, file=file,
                              boundary_file=boundary_file, values=list(found.values()),
                              code_column=ids.get("kode") or ids.get("kode_bps"),
                              rows_read=len(raw), role="cakupan", issues=[*issues, *bad])
    keep_cols = ["kode", "tahun", *found.values()]
    coverage = matched[keep_cols].reset_index(drop=True).astype({"tahun": "int64"})
    return coverage, report, notes


def merge_coverage(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Combine coverage tables; for a cell given in several files the first file wins."""
    if not frames:
        return pd.DataFrame({"kode": pd.Series(dtype=object), "tahun": pd.Series(dtype="int64")})
    both = pd.concat(frames, ignore_index=True)
    merged = both.groupby(["kode", "tahun"], sort=True).first().reset_index()
    value_cols = [c for c in merged.columns if c not in ("kode", "tahun")]
    merged[value_cols] = merged[value_cols].astype(float)
    return merged


def _outcome_values(raw: pd.DataFrame, columns: dict[str, str], file: str,
                    notes: list[Message]) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Measure and text fields of the outcome table, bad cells left out and logged."""
    out = pd.DataFrame(index=raw.index)
    issues: list[pd.DataFrame] = []
    rows = raw["_row"]
    for role in MEASURE_ROLES:
        if role not in columns:
            continue
        col = columns[role]
        if role in PERCENT_ROLES:
            values, bad = _percent(raw[col], file=file, column=col, rows=rows, role=role,
                                   notes=notes)
        else:
            values, bad = clean_numbers(raw[col], file=file, column=col, rows=rows)
        out[role] = values
        issues += bad
    for role in TEXT_ROLES:
        if role in columns:
            out[role], bad = _text_values(raw[columns[role]], file=file, column=columns[role],
                                          rows=rows)
            issues += bad
    return out, issues


def load_outcome(villages: gpd.GeoDataFrame, table: Path, *, boundary_file: str = "",
                 table_columns: dict[str, str] | None = None, default_year: int | None = None,
                 crosswalk: pd.DataFrame | None = None,
                 ) -> tuple[pd.DataFrame, JoinReport, list[Message], NameMatch | None]:
    """Read the outcome table (counts, rates, measurement quality) and join it to the villages.

    Returns
    -------
    (measures, report, notes, name_match)
        Long table ``kode``, ``tahun`` and one column per measure field (derived fields
        added), the join report (its quality log is the file's whole log), notes on what
        was detected and the name match of rows placed by name.

    Raises
    ------
    InputError
        Unusable as a whole: not a table, no number column, no code or name column, no year.
    """
    file = table.name
    raw = read_table(table)
    headers = [c for c in raw.columns if c != "_row"]
    columns = detect_columns(headers, TABLE_ROLES, table_columns, file=file)
    if not set(columns) & set(MEASURE_ROLES):
        raise InputError.of("table.error.no_measure", file=file)
    _check_placeable(columns, raw, file)
    # coverage columns (e.g. of the puskesmas template) are read by the coverage reader: say so
    coverage = _coverage_columns([h for h in headers if h not in columns.values()])
    notes = [*_unrecognised(headers, set(columns.values()) | set(coverage), file),
             *(Message.of("table.note.coverage_column", file=file, column=c) for c in coverage)]
    years, keep, issues = _years(raw, columns.get("tahun"), default_year, file=file,
                                 missing_key="table.error.no_year")
    values, bad = _outcome_values(raw, columns, file, notes)
    frame = pd.concat([pd.DataFrame({"_row": raw["_row"], "tahun": years}), values], axis=1)
    if "nama_desa" in columns:
        frame["nama_desa"] = raw[columns["nama_desa"]]
    located = locate_rows(raw, _id_columns(columns), villages, file=file, crosswalk=crosswalk)
    fields = list(values.columns)
    matched, report = _joined(located, frame, keep, villages, file=file,
                              boundary_file=boundary_file, values=fields,
                              code_column=columns.get("kode") or columns.get("kode_bps"),
                              rows_read=len(raw), role="tabel", issues=[*issues, *bad])
    joined = derive_fields(matched[["kode", "tahun", "_row", *fields]].reset_index(drop=True))
    ratio = _ratio_issues(joined, columns, file)
    if ratio:
        log = report.quality
        report = replace(report, quality=_by_file_row(QualityLog.of([log.issues, *ratio], log.files,
                                                                    log.counted)))
    if "prevalensi" in joined and not {"stunting", "anak_diukur"} <= set(joined):
        notes.append(Message.of("table.note.prevalence_only", file=file))
    measures = joined.drop(columns="_row").astype({"tahun": "int64"})
    return measures, report, notes, located.name_match
