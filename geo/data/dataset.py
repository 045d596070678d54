"""A dataset: village boundaries joined with a table of counts, loaded once, read-only.

A dataset lives in a folder with a ``dataset.json`` manifest naming its files,
title, attribution and caveats. The embedded default (Kabupaten Sumedang) is one
such folder under the data directory.

Coverage tables (intervention coverage, DOMAIN §4.2–4.4) are optional extra wide
tables, one row per village (and year), one column per coverage indicator of the
catalogue. Manifest key::

    "coverage": [{"file": "cakupan.csv", "year": 2021, "synthetic": true, "title": "..."}]

A ``tahun`` column in the file overrides ``year``. Indicator columns are found by
catalogue id or by catalogue label (both compared with
:func:`geo.io.schema.normalise_name`). Each column is either percent (0–100) or a share
(0–1): a column whose values are all ≤ 1 is read as a share and multiplied by 100;
the decision is stated in :attr:`Dataset.coverage_notes`. Values outside 0–100
after that are left out and listed.

Every table (outcome and coverage) goes through one joining path
(:func:`geo.data.join.locate_rows`, :func:`geo.data.join.join_table`): Kemendagri codes where they
are valid and on the map, BPS codes detected per column and routed to name matching, names
for rows without a usable code. A table is refused only when it is unusable as a whole (no
code or name column, no number column, not a table); a bad cell or row is left out of the
numbers and listed in :attr:`Dataset.quality_log` (file, spreadsheet row, column, value,
reason).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.core.codes import detect_code_system, village_type
from geo.core.errors import InputError
from geo.core.i18n import t
from geo.core.indicators import (
    Indicator,
    IndicatorValues,
    available_indicators,
    base_id,
    catalogue,
    compute,
    compute_delta,
    definition_gap,
    delta_indicator,
    derive_fields,
    is_delta,
)
from geo.core.quality import FileCount, QualityLog, issues_where
from geo.data.join import JoinReport, join_table, locate_rows
from geo.io.matching import NameMatch, load_crosswalk
from geo.io.readers import BoundaryFile, clean_numbers, clean_years, read_boundaries, read_table
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

__all__ = [
    "DEFAULT_DATASET",
    "CoverageSpec",
    "Dataset",
    "coverage_specs",
    "embedded_data_dir",
    "load_coverage",
    "load_dataset",
    "load_folder",
    "load_inputs",
    "load_manifest",
    "quality_sentences",
    "region_names",
]


@dataclass(frozen=True)
class CoverageSpec:
    """One coverage table to load.

    Attributes
    ----------
    file
        CSV or XLSX, one row per village (and year).
    year
        Year of the values when the file has no ``tahun`` column.
    synthetic
        The values are synthetic (demo only); shown as "SINTETIS" everywhere.
    title
        Human title (e.g. "Cakupan intervensi (SINTETIS, untuk demonstrasi)").
    """

    file: Path
    year: int | None = None
    synthetic: bool = False
    title: str = ""

DEFAULT_DATASET = "sumedang"
MANIFEST = "dataset.json"


@dataclass(frozen=True)
class Dataset:
    """Villages (polygons) with their measures per year, plus how the join went.

    Attributes
    ----------
    villages
        EPSG:4326 GeoDataFrame, one row per village: ``kode``, ``nama``,
        ``nama_kec``, ``kode_kec``, ``jenis``, ``geometry``; index 0..n-1.
    measures
        Long table: ``kode``, ``tahun`` and one float column per measure field
        (``merah``, ``anak_diukur``, ``balita``, ``prevalensi`` in percent, ...) plus the
        text column ``mutu_pengukuran`` (``baik``/``perlu_dicek``) when the table has one.
        Only rows that matched a polygon, one per ``kode`` and ``tahun``.
    coverage
        Long table: ``kode``, ``tahun`` and one float column (percent 0–100) per
        coverage indicator id; empty (just ``kode``, ``tahun``) without coverage files.
    coverage_sources
        The coverage tables loaded (file, year, synthetic flag, title).
    coverage_reports
        Join report of each coverage table (same order).
    coverage_notes
        What was detected per column (percent vs share, ignored columns).
    name_match
        How the table's rows without a usable Kemendagri code (BPS codes, none, mangled,
        or not on the map) were matched by name; None when every row joined by code.
    quality
        Sentences for the UI: boundary warnings, notes on the table's columns and one
        sentence per file, column and reason of :attr:`quality_log` (generated from it).
    quality_log
        Every row or cell of the table and coverage files left out of the numbers (file,
        spreadsheet row, column, value, reason), with rows read / used per file.
    table_notes
        What was detected in the table (columns not recognised, prevalence as share or
        percent, a prevalence-only table).
    measurement_panel
        The e-PPGBM measurement-quality panel per village and year (one row per
        village-year: records read/used/excluded by reason, SD of HAZ, terminal digits,
        age heaping, ``mutu_pengukuran``, ``alasan_mutu``); None for other tables.
    """

    id: str
    title: str
    villages: gpd.GeoDataFrame
    measures: pd.DataFrame
    report: JoinReport
    boundary_file: BoundaryFile
    attribution: str = ""
    caveats: tuple[str, ...] = ()
    synthetic: bool = False
    quality: tuple[str, ...] = field(default=())
    coverage: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"kode": pd.Series(dtype=object), "tahun": pd.Series(dtype="int64")}))
    coverage_sources: tuple[CoverageSpec, ...] = ()
    coverage_reports: tuple[JoinReport, ...] = ()
    coverage_notes: tuple[str, ...] = ()
    name_match: NameMatch | None = None
    quality_log: QualityLog = field(default_factory=QualityLog)
    table_notes: tuple[str, ...] = ()
    measurement_panel: pd.DataFrame | None = None

    @property
    def coverage_report(self) -> JoinReport | None:
        """Join report of the first coverage table (None without coverage)."""
        return self.coverage_reports[0] if self.coverage_reports else None

    @property
    def coverage_synthetic(self) -> bool:
        """True when any coverage table loaded is synthetic."""
        return any(c.synthetic for c in self.coverage_sources)

    @cached_property
    def codes(self) -> pd.Index:
        """Village codes in boundary order."""
        return pd.Index(self.villages["kode"])

    @property
    def years(self) -> list[int]:
        """Years with data, ascending."""
        return sorted(int(y) for y in self.measures["tahun"].unique())

    @property
    def coverage_years(self) -> list[int]:
        """Years with coverage data, ascending."""
        return sorted(int(y) for y in self.coverage["tahun"].unique())

    @property
    def indicators(self) -> list[Indicator]:
        """Catalogue indicators this dataset can compute (counts, rates, coverage).

        Derived ``__delta`` indicators are not listed here (they depend on the year):
        see :meth:`delta_indicators` and :meth:`scoring_indicators`.
        """
        fields = (frozenset(self.measures.columns) | frozenset(self.coverage.columns)) - {"kode", "tahun"}
        return available_indicators(fields)

    def _table(self, indicator: Indicator) -> pd.DataFrame:
        return self.coverage if indicator.kind == "coverage" else self.measures

    def indicator_years(self, indicator_id: str) -> list[int]:
        """Years in which an indicator has a value for at least one village.

        For a ``__delta`` id: the years of its base that have an earlier year with data.
        """
        if is_delta(indicator_id):
            years = self.indicator_years(base_id(indicator_id))
            return years[1:]
        ind = self._catalogue_indicator(indicator_id)
        table = self._table(ind)
        if not set(ind.fields) <= set(table.columns):
            return []
        present = table[list(ind.fields)].notna().all(axis=1)
        return sorted(int(y) for y in table.loc[present, "tahun"].unique())

    def previous_year(self, indicator_id: str, year: int) -> int | None:
        """The latest year before ``year`` in which the (base) indicator has data."""
        earlier = [y for y in self.indicator_years(base_id(indicator_id)) if y < year]
        return earlier[-1] if earlier else None

    def _catalogue_indicator(self, indicator_id: str) -> Indicator:
        try:
            return catalogue()[indicator_id]
        except KeyError:
            raise InputError(f"indikator '{indicator_id}' tidak ada di katalog") from None

    def indicator(self, indicator_id: str, year: int | None = None) -> Indicator:
        """Catalogue entry of an id; for ``__delta`` ids the derived entry for ``year``.

        Raises
        ------
        InputError
            Unknown id, or a ``__delta`` id with no earlier year of data.
        """
        if not is_delta(indicator_id):
            return self._catalogue_indicator(indicator_id)
        base = self._catalogue_indicator(base_id(indicator_id))
        if year is None:
            year = max(self.indicator_years(base.id), default=0)
        prev = self.previous_year(base.id, year)
        if prev is None:
            raise InputError(f"'{indicator_id}': tidak ada tahun sebelum {year} untuk dibandingkan")
        return delta_indicator(base, prev)

    def delta_indicators(self, year: int) -> list[Indicator]:
        """``__delta`` indicators available for ``year``: non-context bases with an earlier
        year whose definition is the same in both years (a rate whose denominator lost a
        component, e.g. *kuning* in 2021, is not compared: :func:`definition_gap`)."""
        out = []
        for ind in self.indicators:
            if ind.direction == "context" or year not in self.indicator_years(ind.id):
                continue
            prev = self.previous_year(ind.id, year)
            if prev is not None and not definition_gap(ind, self._table(ind), year, prev):
                out.append(delta_indicator(ind, prev))
        return out

    def scoring_indicators(self, year: int) -> list[Indicator]:
        """Indicators that can be scored for ``year``: non-context indicators with data
        that year, then the ``__delta`` ones."""
        base = [i for i in self.indicators
                if i.direction != "context" and year in self.indicator_years(i.id)]
        return base + self.delta_indicators(year)

    def values(self, indicator_id: str, year: int) -> IndicatorValues:
        """Values of an indicator (incl. coverage and ``__delta`` ids) for a year,
        aligned to :attr:`villages`."""
        if is_delta(indicator_id):
            base = self._catalogue_indicator(base_id(indicator_id))
            prev = self.previous_year(base.id, year)
            if prev is None:
                raise InputError(f"'{indicator_id}': tidak ada tahun sebelum {year} untuk dibandingkan")
            return compute_delta(base, self._table(base), self.codes, year, prev)
        ind = self._catalogue_indicator(indicator_id)
        return compute(ind, self._table(ind), self.codes, year)

    def warnings(self, lang: str = "id") -> tuple[str, ...]:
        """Boundary warnings, notes on the table's columns, then one sentence per file,
        column and reason of the excluded values (first rows named), the last in ``lang``."""
        return (*self.boundary_file.warnings, *self.table_notes,
                *quality_sentences(self.quality_log, lang))

    def measurement_check(self, year: int) -> np.ndarray:
        """Per village (aligned to :attr:`villages`): True where the measurements of
        ``year`` were flagged ``perlu_dicek`` (e-PPGBM measurement-quality panel)."""
        if "mutu_pengukuran" not in self.measures:
            return np.zeros(len(self.villages), dtype=bool)
        rows = self.measures.loc[self.measures["tahun"] == year]
        flagged = set(rows.loc[rows["mutu_pengukuran"] == "perlu_dicek", "kode"])
        return self.villages["kode"].isin(flagged).to_numpy()

    @cached_property
    def kecamatan(self) -> pd.DataFrame:
        """Kecamatan code and name, sorted by name."""
        kec = self.villages[["kode_kec", "nama_kec"]].drop_duplicates("kode_kec")
        return kec.sort_values("nama_kec").reset_index(drop=True)


def load_manifest(folder: Path) -> dict:
    """Read a dataset folder's manifest."""
    path = folder / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"manifes dataset tidak dapat dibaca ({exc.__class__.__name__})",
                         file=path.name) from None


def region_names(data_dir: Path) -> dict[str, str]:
    """Kemendagri code → name, from the shipped 2025 code list (empty if absent)."""
    path = data_dir / "region-codes" / "kemendagri_wilayah_2025_cahyadsn.csv"
    if not path.exists():
        return {}
    table = pd.read_csv(path, dtype=str, usecols=["kode", "nama"])
    return dict(zip(table["kode"], table["nama"], strict=True))


#: Allowed values of the ``mutu_pengukuran`` text column.
MUTU_VALUES = ("baik", "perlu_dicek")
#: Reasons told by the join report's own sentences (not repeated in :attr:`Dataset.quality`).
_JOIN_REASONS = frozenset({"code_bps", "code_invalid", "code_unmatched", "name_unmatched",
                           "duplicate_identical", "duplicate_conflict"})
_SHOWN_ROWS = 5


def _rows_text(rows: pd.Series, lang: str) -> str:
    """``baris 3, 6, 9, 12, 15, dan 7 lainnya`` (spreadsheet rows)."""
    listed = [str(int(r)) for r in rows.dropna()]
    text = ", ".join(listed[:_SHOWN_ROWS])
    if len(listed) > _SHOWN_ROWS:
        text = t("report.join.more", lang, examples=text, n=len(listed) - _SHOWN_ROWS)
    return t("table.rows", lang, rows=text)


def quality_sentences(log: QualityLog, lang: str = "id") -> list[str]:
    """One sentence per file, column and reason of the value problems in ``log`` (first
    spreadsheet rows named); joining problems are told by the join report instead."""
    issues = log.issues.loc[~log.issues["reason"].isin(_JOIN_REASONS)]
    out = []
    keys = ["file", "reason", "scope", "column"]
    for (file, reason, scope, column), group in issues.groupby(keys, sort=False, dropna=False):
        rows = _rows_text(group["row"], lang)
        if reason == "numerator_gt_denominator":
            num, _, den = str(column).partition(" > ")
            out.append(t("table.quality.ratio", lang, file=file, n=len(group), num=num, den=den,
                         rows=rows))
        elif scope == "cell" and isinstance(column, str):
            out.append(t("table.quality.cell", lang, file=file, column=column, n=len(group),
                         reason=t(f"quality.reason.{reason}", lang), rows=rows))
        else:
            out.append(t("table.quality.row", lang, file=file, n=len(group),
                         reason=t(f"quality.reason.{reason}", lang), rows=rows))
    return out


def _unrecognised(headers: list[str], used: set[str], file: str) -> list[str]:
    """A note for every column that plays no role and is not a known unused one."""
    return [t("table.note.unrecognised", file=file, column=c) for c in headers
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
             notes: list[str]) -> tuple[pd.Series, list[pd.DataFrame]]:
    """A percent column (0–100) or a share column (every value ≤ 1, turned into percent)."""
    values, issues = clean_numbers(series, file=file, column=column, rows=rows, kind="share")
    present = values.dropna()
    if len(present) and (present <= 1).all():
        values = values * 100.0
        notes.append(t("table.note.share", file=file, column=column, role=role))
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
        if not (ind.is_rate and set(ind.fields) <= set(rows)):
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


def load_coverage(
    villages: gpd.GeoDataFrame, spec: CoverageSpec, *, boundary_file: str = "",
    crosswalk: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, JoinReport, list[str]]:
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
        raise InputError("tidak ada kolom kode desa Kemendagri", file=file)
    rest = [c for c in headers if c not in ids.values()]
    found = _coverage_columns(rest)
    if not found:
        raise InputError.of("table.error.no_coverage", file=file)
    _check_placeable(ids, raw, file)
    notes = _unrecognised(rest, set(found), file)
    years, keep, issues = _years(raw, ids.get("tahun"), spec.year, file=file,
                                 missing_key="table.error.no_coverage_year")
    out = pd.DataFrame({"_row": raw["_row"], "tahun": years})
    if "nama_desa" in ids:
        out["nama_desa"] = raw[ids["nama_desa"]]
    for col, cid in found.items():
        values, bad = clean_numbers(raw[col], file=file, column=col, rows=raw["_row"], kind="share")
        present = values.dropna()
        if present.empty:
            notes.append(f"{file}: kolom '{col}' ({cid}) kosong")
        elif (present <= 1).all():
            values = values * 100.0
            notes.append(f"{file}: kolom '{col}' ({cid}) berisi proporsi 0–1, diubah ke persen")
        else:
            notes.append(f"{file}: kolom '{col}' ({cid}) berisi persen 0–100")
        over = values > 100
        if over.any():
            bad.append(issues_where(over, file=file, rows=raw["_row"], reason="out_of_range",
                                    column=col, values=raw[col], scope="cell"))
        issues += bad
        out[cid] = values.mask(over)
    located = locate_rows(raw, ids, villages, file=file, crosswalk=crosswalk)
    table = located.apply(out).loc[keep.to_numpy()]
    matched, report = join_table(villages, table, table_file=file, boundary_file=boundary_file,
                                 values=list(found.values()),
                                 code_column=ids.get("kode") or ids.get("kode_bps"))
    log = QualityLog.of([located.issues, *issues, report.quality.issues],
                        [FileCount(file, "cakupan", len(raw), report.n_matched_rows)])
    report = replace(report, quality=_by_file_row(log),
                     name_matching=located.name_match.summary_lines() if located.name_match else [])
    keep_cols = ["kode", "tahun", *found.values()]
    coverage = matched[keep_cols].reset_index(drop=True).astype({"tahun": "int64"})
    return coverage, report, notes


def _merge_coverage(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Combine coverage tables; for a cell given in several files the first file wins."""
    if not frames:
        return pd.DataFrame({"kode": pd.Series(dtype=object), "tahun": pd.Series(dtype="int64")})
    both = pd.concat(frames, ignore_index=True)
    merged = both.groupby(["kode", "tahun"], sort=True).first().reset_index()
    value_cols = [c for c in merged.columns if c not in ("kode", "tahun")]
    merged[value_cols] = merged[value_cols].astype(float)
    return merged


def _outcome_values(raw: pd.DataFrame, columns: dict[str, str], file: str,
                    notes: list[str]) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
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


def load_dataset(
    boundaries: Path,
    table: Path,
    *,
    dataset_id: str,
    title: str,
    data_dir: Path | None = None,
    boundary_columns: dict[str, str] | None = None,
    table_columns: dict[str, str] | None = None,
    default_year: int | None = None,
    attribution: str = "",
    caveats: tuple[str, ...] = (),
    synthetic: bool = False,
    coverage: Sequence[CoverageSpec] = (),
    crosswalk: pd.DataFrame | None = None,
) -> Dataset:
    """Read, validate and join a boundary file, a table and coverage tables into a :class:`Dataset`.

    A synthetic coverage table adds a caveat saying so (shown wherever caveats are). Each
    row of the table is placed by its Kemendagri code when that code is on the map, else
    (BPS codes, no code, mangled or unknown codes) by its (kecamatan, desa) names within
    the kecamatan (:func:`geo.data.join.locate_rows`), with the planner's saved decisions
    (``crosswalk``) applied first; rows left unmatched are reported, never guessed. Bad
    cells and rows are left out and listed in :attr:`Dataset.quality_log`.

    Raises
    ------
    InputError
        For a file that is unusable as a whole (unreadable, not a table, no code or name
        column, no number column, no year); nothing partial is returned.
    """
    bfile = read_boundaries(boundaries, overrides=boundary_columns)
    if bfile.code_system == "bps":
        raise InputError(
            "kode desa pada batas wilayah adalah kode BPS, bukan kode Kemendagri; "
            "penggabungan memerlukan kode Kemendagri (PP.KK.CC.DDDD)",
            file=boundaries.name, column=bfile.columns.get("kode"))
    villages = bfile.gdf.copy()
    names = region_names(data_dir) if data_dir else {}
    missing_kec = villages["nama_kec"].isna()
    if missing_kec.any():
        villages.loc[missing_kec, "nama_kec"] = villages.loc[missing_kec, "kode_kec"].map(names)
        villages["nama_kec"] = villages["nama_kec"].fillna(villages["kode_kec"])
    villages["jenis"] = villages["kode"].map(village_type)

    file = table.name
    raw = read_table(table)
    headers = [c for c in raw.columns if c != "_row"]
    columns = detect_columns(headers, TABLE_ROLES, table_columns, file=file)
    if not set(columns) & set(MEASURE_ROLES):
        raise InputError.of("table.error.no_measure", file=file)
    _check_placeable(columns, raw, file)
    notes = _unrecognised(headers, set(columns.values()), file)
    years, keep, issues = _years(raw, columns.get("tahun"), default_year, file=file,
                                 missing_key="table.error.no_year")
    values, bad = _outcome_values(raw, columns, file, notes)
    issues += bad
    located = locate_rows(raw, _id_columns(columns), villages, file=file, crosswalk=crosswalk)
    frame = located.apply(pd.DataFrame({"_row": raw["_row"], "tahun": years}))
    if "nama_desa" in columns:
        frame["nama_desa"] = raw[columns["nama_desa"]]
    frame = pd.concat([frame, values], axis=1).loc[keep.to_numpy()]
    fields = list(values.columns)
    matched, report = join_table(villages, frame, table_file=file, boundary_file=boundaries.name,
                                 values=fields,
                                 code_column=columns.get("kode") or columns.get("kode_bps"))
    joined = derive_fields(matched[["kode", "tahun", "_row", *fields]].reset_index(drop=True))
    issues += _ratio_issues(joined, columns, file)
    if "prevalensi" in joined and not {"stunting", "anak_diukur"} <= set(joined):
        notes.append(t("table.note.prevalence_only", file=file))
    measures = joined.drop(columns="_row").astype({"tahun": "int64"})
    log = _by_file_row(QualityLog.of(
        [located.issues, *issues, report.quality.issues],
        [FileCount(file, "tabel", len(raw), report.n_matched_rows)]))
    report = replace(report, quality=log,
                     name_matching=located.name_match.summary_lines() if located.name_match else [])

    frames, reports, cov_notes = [], [], []
    for spec in coverage:
        cov, rep, note = load_coverage(villages, spec, boundary_file=boundaries.name,
                                       crosswalk=crosswalk)
        frames.append(cov)
        reports.append(rep)
        cov_notes.extend(note)
        if spec.synthetic:
            caveats = (*caveats, f"Data cakupan intervensi '{spec.title or Path(spec.file).name}' adalah "
                       "SINTETIS (dibuat untuk demonstrasi), bukan data nyata.")
    quality_log = sum((r.quality for r in reports), log)
    return Dataset(
        id=dataset_id,
        title=title,
        villages=villages,
        measures=measures,
        report=report,
        boundary_file=bfile,
        attribution=attribution,
        caveats=caveats,
        synthetic=synthetic,
        quality=(*bfile.warnings, *notes, *quality_sentences(quality_log)),
        coverage=_merge_coverage(frames),
        coverage_sources=tuple(coverage),
        coverage_reports=tuple(reports),
        coverage_notes=tuple(cov_notes),
        name_match=located.name_match,
        quality_log=quality_log,
        table_notes=tuple(notes),
    )


def load_folder(folder: Path, *, data_dir: Path | None = None) -> Dataset:
    """Load a dataset folder described by its ``dataset.json`` manifest."""
    meta = load_manifest(folder)
    dataset = load_dataset(
        folder / meta["boundaries"],
        folder / meta["table"],
        dataset_id=folder.name,
        title=meta.get("title", folder.name),
        data_dir=data_dir,
        boundary_columns=meta.get("boundary_columns"),
        table_columns=meta.get("table_columns"),
        attribution=meta.get("attribution", ""),
        caveats=tuple(meta.get("caveats", ())),
        synthetic=bool(meta.get("synthetic", False)),
        coverage=coverage_specs(meta, folder),
        crosswalk=load_crosswalk(folder / meta["crosswalk"]) if meta.get("crosswalk") else None,
    )
    if meta.get("quality_log"):
        # records left out before the table was made (an e-PPGBM export's bad rows) come first
        source = _source_log(folder / meta["quality_log"])
        dataset = replace(dataset, quality_log=source + dataset.quality_log)
    if meta.get("measurement_panel"):
        dataset = replace(dataset, measurement_panel=read_table(
            folder / meta["measurement_panel"]).drop(columns="_row"))
    return dataset


def _source_log(path: Path) -> QualityLog:
    try:
        return QualityLog.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError.of("table.error.quality_log", file=path.name,
                            error=exc.__class__.__name__) from None


def coverage_specs(meta: dict, folder: Path) -> tuple[CoverageSpec, ...]:
    """Coverage tables named in a manifest (files relative to the dataset folder)."""
    return tuple(
        CoverageSpec(file=folder / item["file"], year=item.get("year"),
                     synthetic=bool(item.get("synthetic", False)), title=item.get("title", ""))
        for item in meta.get("coverage", ())
    )


#: Size limit of a column-mapping JSON file (a real one is a few hundred bytes).
MAX_MAPPING_BYTES = 1_000_000
#: Longest column name a mapping may give.
MAX_MAPPING_COLUMN_CHARS = 500


def load_mapping(path: Path) -> dict[str, dict[str, str]]:
    """Column overrides from a JSON mapping file (keys ``boundary_columns``, ``table_columns``).

    Roles are checked against :data:`geo.io.schema.BOUNDARY_ROLES` and
    :data:`geo.io.schema.TABLE_ROLES` as they are when called (the schema may grow), so an
    unknown role is a named message here, not an error deep inside column detection.

    Raises
    ------
    InputError
        Unreadable or oversized file, not JSON, wrong shape, an unknown role, or a column
        name that is not non-empty text.
    """
    from geo.io import schema  # roles read at call time: the schema may gain roles

    allowed_roles = {"boundary_columns": schema.BOUNDARY_ROLES, "table_columns": schema.TABLE_ROLES}
    try:
        if path.stat().st_size > MAX_MAPPING_BYTES:
            raise InputError.of("input.mapping.too_large", file=path.name, limit=MAX_MAPPING_BYTES)
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError.of("input.mapping.unreadable", file=path.name,
                            reason=exc.__class__.__name__) from None
    if not isinstance(doc, dict) or not all(isinstance(doc.get(k, {}), dict) for k in allowed_roles):
        raise InputError.of("input.mapping.shape", file=path.name)
    out: dict[str, dict[str, str]] = {}
    for section, roles in allowed_roles.items():
        given = doc.get(section, {})
        for role, column in given.items():
            if role not in roles:
                raise InputError.of("input.mapping.unknown_role", file=path.name, rows=[role],
                                    role=str(role)[:80], section=section, allowed=", ".join(roles))
            if not isinstance(column, str) or not column.strip() or len(column) > MAX_MAPPING_COLUMN_CHARS:
                raise InputError.of("input.mapping.bad_column", file=path.name, role=role,
                                    section=section, limit=MAX_MAPPING_COLUMN_CHARS)
        out[section] = {str(r): str(c) for r, c in given.items()}
    return out


def default_state_dir() -> Path:
    """Where Lokus keeps its working state (database, saved datasets, uploads):
    ``LOKUS_STATE_DIR``, else ``var/`` beside app.py. The app, ``lokus import`` and
    ``lokus export`` all use this one place."""
    return Path(os.environ.get("LOKUS_STATE_DIR") or Path(__file__).resolve().parents[2] / "var")


def embedded_data_dir() -> Path:
    """The embedded data folder shipped with Lokus (``LOKUS_DATA_DIR`` overrides it)."""
    return Path(os.environ.get("LOKUS_DATA_DIR") or Path(__file__).resolve().parents[2] / "data")


def load_inputs(boundaries: str | Path | None = None, table: str | Path | None = None, *,
                coverage: str | Path | None = None, year: int | None = None,
                mapping: str | Path | None = None) -> Dataset:
    """Dataset from the given files, each falling back to the embedded default dataset
    (so a table alone joins to the embedded boundaries). Used by the command line.

    ``mapping`` is a JSON file overriding column detection:
    ``{"boundary_columns": {"kode": "KDEPUM", ...}, "table_columns": {"kode": "...", ...}}``.
    """
    data_dir = embedded_data_dir()
    folder = data_dir / DEFAULT_DATASET
    meta = load_manifest(folder)
    boundary_path = Path(boundaries) if boundaries else folder / meta["boundaries"]
    table_path = Path(table) if table else folder / meta["table"]
    if coverage:
        specs: tuple[CoverageSpec, ...] = (CoverageSpec(Path(coverage), year=year),)
    elif not table:
        specs = coverage_specs(meta, folder)
    else:
        specs = ()
    for path in (boundary_path, table_path, *(c.file for c in specs)):
        if not Path(path).is_file():
            raise InputError("berkas tidak ditemukan", file=Path(path).name)
    embedded = not boundaries and not table
    overrides = load_mapping(Path(mapping)) if mapping else {}
    return load_dataset(
        boundary_path, table_path, dataset_id="cli",
        title=meta.get("title", "") if embedded else table_path.stem,
        data_dir=data_dir,
        boundary_columns=overrides.get("boundary_columns") or (
            meta.get("boundary_columns") if not boundaries else None),
        table_columns=overrides.get("table_columns") or (
            meta.get("table_columns") if not table else None),
        default_year=year,
        attribution=meta.get("attribution", "") if embedded else "",
        caveats=tuple(meta.get("caveats", ())) if embedded else (),
        coverage=specs,
    )
