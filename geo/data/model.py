"""A dataset: village boundaries joined with a table of counts, loaded once, read-only.

:class:`Dataset` holds the villages, their measures and coverage per year and how the join
went; :mod:`geo.data.loading` builds one from a dataset folder or from files. What the
planner should know about the data (boundary warnings, notes on the columns, values left
out) is told by :attr:`Dataset.warnings` as messages, rendered in the page's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.core.errors import InputError
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
    is_delta,
)
from geo.core.messages import Message, Name
from geo.core.quality import QualityLog
from geo.data.join import JoinReport
from geo.io.boundaries import BoundaryFile
from geo.io.matching import NameMatch

__all__ = ["DEFAULT_DATASET", "CoverageSpec", "Dataset", "label_message", "quality_messages"]

#: Id of the embedded dataset (Kabupaten Sumedang), the default of the app and the CLI.
DEFAULT_DATASET = "sumedang"


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
        What was detected per column (percent vs share, ignored columns), as messages.
    name_match
        How the table's rows without a usable Kemendagri code (BPS codes, none, mangled,
        or not on the map) were matched by name; None when every row joined by code.
    quality_log
        Every row or cell of the table and coverage files left out of the numbers (file,
        spreadsheet row, column, value, reason), with rows read / used per file.
    table_notes
        What was detected in the table (columns not recognised, prevalence as share or
        percent, a prevalence-only table), as messages.
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
    coverage: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"kode": pd.Series(dtype=object), "tahun": pd.Series(dtype="int64")}))
    coverage_sources: tuple[CoverageSpec, ...] = ()
    coverage_reports: tuple[JoinReport, ...] = ()
    coverage_notes: tuple[Message, ...] = ()
    name_match: NameMatch | None = None
    quality_log: QualityLog = field(default_factory=QualityLog)
    table_notes: tuple[Message, ...] = ()
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
            raise InputError.of("data.error.unknown_indicator", indicator=indicator_id) from None

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
            raise InputError.of("data.error.no_earlier_year", indicator=indicator_id, year=str(year))
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
                raise InputError.of("data.error.no_earlier_year", indicator=indicator_id,
                                    year=str(year))
            return compute_delta(base, self._table(base), self.codes, year, prev)
        ind = self._catalogue_indicator(indicator_id)
        return compute(ind, self._table(ind), self.codes, year)

    @property
    def warnings(self) -> tuple[Message, ...]:
        """What the planner should know: boundary warnings, notes on the table's columns,
        then one message per file, column and reason of the excluded values (first rows
        named)."""
        return (*self.boundary_file.warnings, *self.table_notes, *quality_messages(self.quality_log))

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



def label_message(indicator: Indicator) -> Name:
    """An indicator's label as a message parameter, in the language the message is rendered in."""
    return Name(indicator.label_id, indicator.label_en)


#: Reasons told by the join report's own sentences (not repeated in :attr:`Dataset.warnings`).
_JOIN_REASONS = frozenset({"code_bps", "code_invalid", "code_unmatched", "name_unmatched",
                           "duplicate_identical", "duplicate_conflict"})
_SHOWN_ROWS = 5


def _rows(rows: pd.Series) -> Message:
    """``baris 3, 6, 9, 12, 15, dan 7 lainnya`` (spreadsheet rows)."""
    listed = [str(int(r)) for r in rows.dropna()]
    shown: tuple[str, ...] | Message = tuple(listed[:_SHOWN_ROWS])
    if len(listed) > _SHOWN_ROWS:
        shown = Message.of("report.join.more", examples=shown, n=len(listed) - _SHOWN_ROWS)
    return Message.of("table.rows", rows=shown)


def quality_messages(log: QualityLog) -> list[Message]:
    """One message per file, column and reason of the value problems in ``log`` (first
    spreadsheet rows named); joining problems are told by the join report instead."""
    issues = log.issues.loc[~log.issues["reason"].isin(_JOIN_REASONS)]
    out = []
    keys = ["file", "reason", "scope", "column"]
    for (file, reason, scope, column), group in issues.groupby(keys, sort=False, dropna=False):
        rows = _rows(group["row"])
        if reason == "numerator_gt_denominator":
            num, _, den = str(column).partition(" > ")
            out.append(Message.of("table.quality.ratio", file=file, n=len(group), num=num, den=den,
                                  rows=rows))
        elif scope == "cell" and isinstance(column, str):
            out.append(Message.of("table.quality.cell", file=file, column=column, n=len(group),
                                  reason=Message.of(f"quality.reason.{reason}"), rows=rows))
        else:
            out.append(Message.of("table.quality.row", file=file, n=len(group),
                                  reason=Message.of(f"quality.reason.{reason}"), rows=rows))
    return out
