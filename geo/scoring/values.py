"""Values of the year scored: rates and their empirical-Bayes prior, outcome choices, checks.

Shared by :mod:`geo.scoring.pipeline`, :mod:`geo.scoring.presets` and
:mod:`geo.scoring.quadrant`; see the pipeline's module docstring for the method.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.core.errors import InputError
from geo.core.indicators import Indicator, base_id, definition_gap, is_delta
from geo.core.indicators import catalogue as indicator_catalogue
from geo.core.rates import eb_smooth
from geo.data.model import Dataset

__all__ = ["OUTCOME_RATES", "check_year", "kabupaten", "nobody_counted", "outcome_percent", "outcome_rate",
           "prior_groups", "rate_parts", "smooth", "table_of", "withheld_delta"]

#: Outcome rates a hotspot or a quadrant falls back on, in order of preference.
OUTCOME_RATES = ("prevalensi", "rasio_merah")


def kabupaten(codes: Sequence[str] | pd.Index) -> np.ndarray:
    """Kabupaten of each Kemendagri village code: its first two segments ``PP.KK``
    (undotted codes: the first four digits)."""
    text = pd.Series(np.asarray(codes, dtype=object)).astype(str)
    dotted = text.str.split(".").str[:2].str.join(".")
    digits = text.str.replace(r"\D", "", regex=True)
    return np.where(text.str.contains(".", regex=False), dotted,
                    digits.str[:2] + "." + digits.str[2:4]).astype(str)


def prior_groups(
    codes: Sequence[str] | pd.Index, kecamatan: Sequence[str] | np.ndarray, how: str
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``(groups, parents)`` of the empirical-Bayes prior (:func:`geo.core.rates.eb_smooth`).

    ``"global"`` ("rerata kabupaten"): each village's kabupaten (:func:`kabupaten`), so
    a dataset of several kabupaten shrinks each toward its own mean; ``"kecamatan"``: the
    kecamatan, with the kabupaten as fallback for a kecamatan without data; ``"none"``:
    ``(None, None)``.
    """
    if how == "none":
        return None, None
    kab = kabupaten(codes)
    if how == "kecamatan":
        return np.asarray(kecamatan).astype(str), kab
    return kab, None


def smooth(k: np.ndarray, n: np.ndarray, valid: np.ndarray,
           prior: tuple[np.ndarray | None, np.ndarray | None]) -> np.ndarray:
    """EB-smoothed percent where valid (NaN elsewhere), toward the ``prior`` groups."""
    eb = eb_smooth(np.where(valid, k, 0.0), np.where(valid, n, 0.0), *prior)
    return np.where(valid, 100.0 * eb.rate, np.nan)


def rate_parts(dataset: Dataset, iid: str, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(numerator, denominator, valid)`` of a rate indicator in ``year``."""
    vals = dataset.values(iid, year)
    valid = ~np.isnan(vals.value)
    return vals.numerator, vals.denominator, valid  # type: ignore[return-value]


def outcome_rate(dataset: Dataset, indicators: Sequence[str], year: int) -> str | None:
    """The first chosen higher-worse rate, else the dataset's prevalence or screening rate."""
    for iid in indicators:
        ind = dataset.indicator(iid, year)
        if ind.kind == "rate" and ind.direction == "higher_worse":
            return iid
    avail = {i.id for i in dataset.scoring_indicators(year)}
    return next((o for o in OUTCOME_RATES if o in avail), None)


def outcome_percent(dataset: Dataset, indicators: Sequence[str], year: int) -> str | None:
    """The outcome percentage a village's "low rate" is judged on: the first chosen
    higher-worse outcome in % (rate or reported prevalence), else the dataset's."""
    for iid in indicators:
        ind = dataset.indicator(iid, year)
        if ind.kind in ("rate", "percent") and ind.is_outcome and ind.direction == "higher_worse":
            return iid
    avail = {i.id for i in dataset.scoring_indicators(year)}
    return next((o for o in (*OUTCOME_RATES, "prevalensi_dilaporkan") if o in avail), None)


def nobody_counted(dataset: Dataset, ind: Indicator, year: int) -> np.ndarray | None:
    """For an outcome count that is the numerator of a catalogue rate (``merah`` of
    ``rasio_merah``, ``stunting`` of ``prevalensi``): True where that rate's denominator is
    0 that year (nobody measured), so the count is no observation. None when not applicable."""
    if ind.kind != "count" or not ind.is_outcome:
        return None
    rate = next((r for r in indicator_catalogue().values() if r.kind == "rate"
                 and r.numerator == ind.numerator and r.denominator in dataset.measures), None)
    if rate is None:
        return None
    den = dataset.values(rate.id, year).denominator
    return None if den is None else (den == 0)


def table_of(dataset: Dataset, ind: Indicator) -> pd.DataFrame:
    """The dataset table an indicator is read from."""
    return dataset.coverage if ind.kind == "coverage" else dataset.measures


def withheld_delta(dataset: Dataset, iid: str, year: int) -> tuple[int, tuple[str, ...]] | None:
    """``(previous year, fields missing in one of the years)`` of a ``__delta`` id whose two
    years are defined differently (:func:`geo.core.indicators.definition_gap`); else None."""
    if not is_delta(iid):
        return None
    base = dataset.indicator(base_id(iid))
    prev = dataset.previous_year(base.id, year)
    if prev is None:
        return None
    gap = definition_gap(base, table_of(dataset, base), year, prev)
    return (int(prev), gap) if gap else None


def check_year(dataset: Dataset, year: int) -> None:
    """An :class:`InputError` unless the dataset has data for ``year``."""
    known = set(dataset.years) | set(dataset.coverage_years)
    if year not in known:
        raise InputError.of("scoring.error.year", year=str(year), years=[str(y) for y in sorted(known)])
