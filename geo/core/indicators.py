"""Indicator catalogue and per-village indicator values.

The catalogue is data (``geo/resources/indicators.csv``), not code: every indicator
names the measure fields it is computed from, its unit, its direction and its
source. Rates are always computed from their numerator and denominator so that
``n`` travels with every rate.

Kinds:

- ``count``: a count field, used as is.
- ``rate``: ``100 · numerator / denominator`` (percent), NaN when nobody was counted.
- ``coverage``: an intervention coverage given directly in percent (0–100) in a
  coverage table; the field is named like the indicator id, there is no denominator.
- ``percent``: a percentage given directly in the village table without the counts
  behind it (e.g. ``prevalensi_dilaporkan`` from a "Prevalensi Stunting (%)" column):
  no interval and no smoothing are possible; values outside 0–100 are no data.

Outcome vs coverage: indicators of sector ``hasil`` (:attr:`Indicator.is_outcome`:
prevalence, screening rate, case counts, KEK, KRS) describe the children or families
themselves; the other sectors (``spesifik``, ``sensitif``, ``scorecard``) are service
coverage, and ``mutu`` is data quality (``cakupan_pengukuran``). Scoring never fills a
missing outcome (:mod:`geo.scoring.pipeline`).

Comparable years: a derived field (``anak_diukur = merah + kuning + hijau``) changes
meaning in a year where a component column is empty in every row (Jabar screening
data 2021 has no *kuning*). :func:`definition` records per year which components a
field was summed from, :func:`definition_gap` compares two years and
:func:`compute_delta` withholds a change across years whose definitions differ.
- ``delta`` (derived, not in the catalogue): ``<base>__delta`` is the change of a base
  indicator since the previous year that has data, :math:`v(y) - v(y_{prev})`
  (percentage points for rates and coverage). It keeps the base direction, so a
  village that worsened gets more priority. It exists only for a year that has an
  earlier year with data; see :func:`delta_indicator` and :func:`compute_delta`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from geo.core.i18n import catalogue as texts
from geo.core.i18n import t

__all__ = [
    "DELTA_SUFFIX",
    "OUTCOME_SECTOR",
    "SUM_FIELDS",
    "Indicator",
    "IndicatorValues",
    "available_indicators",
    "base_id",
    "catalogue",
    "compute",
    "compute_delta",
    "definition",
    "definition_gap",
    "definition_gaps_by_year",
    "delta_indicator",
    "derive_fields",
    "is_delta",
]

#: Suffix of derived "change since the previous year" indicator ids.
DELTA_SUFFIX = "__delta"
#: Catalogue sector of outcome indicators (the rest is coverage or data quality).
OUTCOME_SECTOR = "hasil"
#: Measure fields :func:`derive_fields` builds as a sum, and their components.
SUM_FIELDS: dict[str, tuple[str, ...]] = {"anak_diukur": ("merah", "kuning", "hijau")}


@dataclass(frozen=True)
class Indicator:
    """One row of the indicator catalogue."""

    id: str
    label_id: str
    label_en: str
    unit: str
    kind: str  # "count", "rate", "coverage", "percent" (given directly) or "delta" (derived)
    numerator: str
    denominator: str | None
    direction: str  # "higher_worse", "higher_better" or "context"
    sector: str
    opd: str
    target: float | None
    thresholds: str | None  # "who_stunting" when WHO/UNICEF prevalence bands apply
    source_id: str
    source_en: str
    intervention_id: str = ""  # intervention a gap in this indicator calls for (Aksi 2)
    intervention_en: str = ""
    previous_year: int | None = None  # delta indicators only: the year compared with

    @property
    def is_rate(self) -> bool:
        """True for indicators computed as numerator / denominator."""
        return self.kind == "rate"

    @property
    def is_outcome(self) -> bool:
        """True for outcome indicators (sector ``hasil``; a ``__delta`` keeps its base sector)."""
        return self.sector == OUTCOME_SECTOR

    def note(self, lang: str = "id") -> str:
        """Explanation of how the value is defined (catalogue key ``indicator.note.<id>``;
        a ``__delta`` shows its base's note), "" when there is none."""
        return texts(lang).get(f"indicator.note.{base_id(self.id)}", "")

    def label(self, lang: str = "id") -> str:
        """Label in the given language ("id" or "en")."""
        return self.label_en if lang == "en" else self.label_id

    @property
    def fields(self) -> tuple[str, ...]:
        """Measure fields this indicator needs."""
        return (self.numerator,) + ((self.denominator,) if self.denominator else ())


@dataclass(frozen=True)
class IndicatorValues:
    """Values of one indicator for one year, aligned to a list of villages.

    ``value`` is a percentage (0–100) for rates and a count otherwise; NaN means
    no data (never zero). ``numerator``/``denominator`` are the counts behind it.
    """

    indicator: Indicator
    year: int
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray | None


def _opt(text: object) -> str | None:
    return None if pd.isna(text) or str(text).strip() == "" else str(text)


@cache
def catalogue() -> dict[str, Indicator]:
    """Read the indicator catalogue shipped with the package, keyed by id."""
    path = resources.files("geo") / "resources" / "indicators.csv"
    with path.open(encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype=str, keep_default_na=False)
    out: dict[str, Indicator] = {}
    for row in table.to_dict("records"):
        target = _opt(row["target"])
        out[row["id"]] = Indicator(
            id=row["id"],
            label_id=row["label_id"],
            label_en=row["label_en"],
            unit=row["unit"],
            kind=row["kind"],
            numerator=row["numerator"],
            denominator=_opt(row["denominator"]),
            direction=row["direction"],
            sector=row["sector"],
            opd=row["opd"],
            target=float(target) if target else None,
            thresholds=_opt(row["thresholds"]),
            source_id=row["source_id"],
            source_en=row["source_en"],
            intervention_id=row.get("intervention_id", ""),
            intervention_en=row.get("intervention_en", ""),
        )
    return out


def derive_fields(measures: pd.DataFrame) -> pd.DataFrame:
    """Add measure fields that follow from others, without overwriting given ones.

    - ``stunting`` = ``pendek`` + ``sangat_pendek`` (DOMAIN §5.1).
    - ``anak_diukur`` = ``merah`` + ``kuning`` + ``hijau`` for posyandu growth-mat
      data: every screened child gets exactly one colour. A missing colour counts
      as zero only when at least one colour is present for that row, so a row with
      no colours stays "no data".
    """
    out = measures.copy()
    if "stunting" not in out and {"pendek", "sangat_pendek"} <= set(out):
        out["stunting"] = out["pendek"] + out["sangat_pendek"]
    colours = [c for c in ("merah", "kuning", "hijau") if c in out]
    if "anak_diukur" not in out and "merah" in colours and len(colours) >= 2:
        out["anak_diukur"] = out[colours].sum(axis=1, min_count=1)
    return out


def available_indicators(fields: set[str] | frozenset[str]) -> list[Indicator]:
    """Catalogue indicators computable from the given measure fields, in catalogue order."""
    return [ind for ind in catalogue().values() if set(ind.fields) <= fields]


def compute(indicator: Indicator, measures: pd.DataFrame, codes: pd.Index, year: int) -> IndicatorValues:
    """Compute one indicator for one year, aligned to ``codes``.

    Parameters
    ----------
    indicator
        Catalogue entry.
    measures
        Long table with columns ``kode``, ``tahun`` and measure fields.
    codes
        Village codes in the order wanted (e.g. the boundary order).
    year
        The year to compute; villages without a row that year get NaN.

    Counts and coverage (``kind == "coverage"``) are read straight from their field
    (``numerator`` = value, ``denominator`` None).

    Returns
    -------
    IndicatorValues
        Rates are percentages; a zero denominator gives NaN (no one measured is
        not a 0 % rate), and so does a numerator above its denominator.
    """
    rows = measures.loc[measures["tahun"] == year].set_index("kode")
    if indicator.numerator not in rows:
        nan = np.full(len(codes), np.nan)
        return IndicatorValues(indicator, year, nan, nan, None if indicator.denominator is None else nan)
    num = rows[indicator.numerator].reindex(codes).to_numpy(dtype=float)
    if indicator.denominator is None:
        if indicator.kind in ("percent", "coverage"):
            # a percentage outside 0–100 (or ±inf) is not a value: no data, never ranked on
            num = np.where((num >= 0) & (num <= 100), num, np.nan)
        else:
            num = np.where(np.isfinite(num), num, np.nan)
        return IndicatorValues(indicator, year, num, num, None)
    den = rows[indicator.denominator].reindex(codes).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        # numerator > denominator is inconsistent data: shown as no data, reported on load;
        # an infinite count gives no rate either
        ok = (den > 0) & (num <= den) & np.isfinite(den) & (num >= 0)
        value = np.where(ok, 100.0 * num / den, np.nan)
    return IndicatorValues(indicator, year, value, num, den)


def is_delta(indicator_id: str) -> bool:
    """True for a derived "change since previous year" id (``<base>__delta``)."""
    return indicator_id.endswith(DELTA_SUFFIX)


def base_id(indicator_id: str) -> str:
    """The catalogue id behind an id (strips ``__delta``)."""
    return indicator_id[: -len(DELTA_SUFFIX)] if is_delta(indicator_id) else indicator_id


def delta_indicator(base: Indicator, previous_year: int) -> Indicator:
    """The derived indicator "change in <base> since <previous_year>".

    Same direction, sector, OPD and source as the base; unit "poin %" for rates and
    coverage (a difference of percentages), the base unit otherwise; no target and
    no thresholds.
    """
    unit = "poin %" if base.unit == "%" else base.unit
    return replace(
        base,
        id=base.id + DELTA_SUFFIX,
        label_id=t("table.delta.label", "id", label=base.label_id, year=previous_year),
        label_en=t("table.delta.label", "en", label=base.label_en, year=previous_year),
        unit=unit,
        kind="delta",
        target=None,
        thresholds=None,
        previous_year=int(previous_year),
    )


def compute_delta(
    base: Indicator, table: pd.DataFrame, codes: pd.Index, year: int, previous_year: int
) -> IndicatorValues:
    """Change of ``base`` from ``previous_year`` to ``year``, aligned to ``codes``.

    :math:`\\Delta_i = v_i(\\text{year}) - v_i(\\text{previous\\_year})`, NaN where
    either year has no value. ``numerator`` holds Δ as well; ``denominator`` is None.
    Withheld (all NaN) when the base is defined differently in the two years
    (:func:`definition_gap`): a change of definition is not a change in the villages.
    """
    if previous_year >= year:
        raise ValueError("previous_year must be before year")
    if definition_gap(base, table, year, previous_year):
        nan = np.full(len(codes), np.nan)
        return IndicatorValues(delta_indicator(base, previous_year), year, nan, nan, None)
    now = compute(base, table, codes, year).value
    before = compute(base, table, codes, previous_year).value
    value = now - before
    return IndicatorValues(delta_indicator(base, previous_year), year, value, value, None)


# --------------------------------------------------------------------------- comparable years
def _present_by_year(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Year × column: True where the column has at least one value in that year."""
    return table[["tahun", *columns]].set_index("tahun").notna().groupby(level=0).any()


def definition(indicator: Indicator, table: pd.DataFrame, year: int) -> dict[str, tuple[str, ...]]:
    """How the summed fields of ``indicator`` are made up in ``year``.

    For each field of the indicator listed in :data:`SUM_FIELDS` that the table
    holds: the components with at least one value in that year, provided the field
    equals their sum in every row of the year (i.e. it was derived, or reported as
    exactly that sum). A field reported on its own (not equal to the sum) is left
    out: its definition does not follow the component columns.
    """
    out: dict[str, tuple[str, ...]] = {}
    rows = table.loc[table["tahun"] == year]
    for name in (f for f in indicator.fields if f in SUM_FIELDS and f in table):
        parts = [c for c in SUM_FIELDS[name] if c in table]
        if not parts or rows.empty:
            continue
        present = [c for c in parts if rows[c].notna().any()]
        total = rows[present].sum(axis=1, min_count=1) if present else pd.Series(np.nan, rows.index)
        given = rows[name].notna()
        if given.any() and np.allclose(rows.loc[given, name], total[given], equal_nan=False):
            out[name] = tuple(present)
    return out


def definition_gap(indicator: Indicator, table: pd.DataFrame, year: int, other: int) -> tuple[str, ...]:
    """Component fields used in one of the two years and absent (empty in every row)
    in the other, sorted; ``()`` when the indicator means the same in both years."""
    if "tahun" not in table:
        return ()
    a, b = definition(indicator, table, year), definition(indicator, table, other)
    gap: set[str] = set()
    for name in set(a) | set(b):
        if name in a and name in b:
            gap |= set(a[name]) ^ set(b[name])
    return tuple(sorted(gap))


def definition_gaps_by_year(indicator: Indicator, table: pd.DataFrame) -> dict[int, tuple[str, ...]]:
    """Years in which a summed field of ``indicator`` lacks components that other years
    have (year → missing components), e.g. ``{2021: ("kuning",)}`` for ``rasio_merah``
    on the Jabar screening data. Empty when every year is defined the same way."""
    names = [f for f in indicator.fields if f in SUM_FIELDS and f in table]
    if not names or "tahun" not in table or table.empty:
        return {}
    parts = sorted({c for f in names for c in SUM_FIELDS[f] if c in table})
    if not parts:
        return {}
    present = _present_by_year(table, parts)
    out: dict[int, tuple[str, ...]] = {}
    for year in present.index:
        made = definition(indicator, table, int(year))
        used = {c for f in names for c in SUM_FIELDS[f] if c in table}
        missing = tuple(sorted(c for f, comps in made.items() for c in used & set(SUM_FIELDS[f])
                               if c not in comps and present[c].any()))
        if missing:
            out[int(year)] = missing
    return out
