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

__all__ = [
    "DELTA_SUFFIX",
    "Indicator",
    "IndicatorValues",
    "available_indicators",
    "base_id",
    "catalogue",
    "compute",
    "compute_delta",
    "delta_indicator",
    "derive_fields",
    "is_delta",
]

#: Suffix of derived "change since the previous year" indicator ids.
DELTA_SUFFIX = "__delta"


@dataclass(frozen=True)
class Indicator:
    """One row of the indicator catalogue."""

    id: str
    label_id: str
    label_en: str
    unit: str
    kind: str  # "count", "rate", "coverage" (percent given directly) or "delta" (derived)
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
        return IndicatorValues(indicator, year, num, num, None)
    den = rows[indicator.denominator].reindex(codes).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        # numerator > denominator is inconsistent data: shown as no data, reported on load
        value = np.where((den > 0) & (num <= den), 100.0 * num / den, np.nan)
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
        label_id=f"Perubahan {base.label_id} sejak {previous_year}",
        label_en=f"Change in {base.label_en} since {previous_year}",
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
    """
    if previous_year >= year:
        raise ValueError("previous_year must be before year")
    now = compute(base, table, codes, year).value
    before = compute(base, table, codes, previous_year).value
    value = now - before
    return IndicatorValues(delta_indicator(base, previous_year), year, value, value, None)
