"""Indicator catalogue and per-village indicator values.

The catalogue is data (``geo/resources/indicators.csv``), not code: every indicator
names the measure fields it is computed from, its unit, its direction and its
source. Rates are always computed from their numerator and denominator so that
``n`` travels with every rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

__all__ = [
    "Indicator",
    "IndicatorValues",
    "available_indicators",
    "catalogue",
    "compute",
    "derive_fields",
]


@dataclass(frozen=True)
class Indicator:
    """One row of the indicator catalogue."""

    id: str
    label_id: str
    label_en: str
    unit: str
    kind: str  # "count" or "rate"
    numerator: str
    denominator: str | None
    direction: str  # "higher_worse", "higher_better" or "context"
    sector: str
    opd: str
    target: float | None
    thresholds: str | None  # "who_stunting" when WHO/UNICEF prevalence bands apply
    source_id: str
    source_en: str

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

    Returns
    -------
    IndicatorValues
        Rates are percentages; a zero denominator gives NaN (no one measured is
        not a 0 % rate), and so does a numerator above its denominator.
    """
    rows = measures.loc[measures["tahun"] == year].set_index("kode")
    num = rows[indicator.numerator].reindex(codes).to_numpy(dtype=float)
    if indicator.denominator is None:
        return IndicatorValues(indicator, year, num, num, None)
    den = rows[indicator.denominator].reindex(codes).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        # numerator > denominator is inconsistent data: shown as no data, reported on load
        value = np.where((den > 0) & (num <= den), 100.0 * num / den, np.nan)
    return IndicatorValues(indicator, year, value, num, den)
