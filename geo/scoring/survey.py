"""The two stunting numbers: the survey prevalence (SSGI/SKI) against the e-PPGBM register.

Districts see a survey prevalence (e.g. 20.8 %) far above the register's (e.g. 7.5 %): the survey
measures a sample of all under-fives, the register only the children brought to a posyandu and
entered. :func:`reconcile` puts them side by side.

**Kabupaten.** Register prevalence :math:`\\hat p_R = \\sum k_i / \\sum n_i` with its 95 % Wilson
interval (:func:`geo.core.rates.wilson_interval`); measurement coverage :math:`\\sum n_i / \\sum
P_i` over the villages whose under-five population :math:`P_i` is known; the survey estimate
:math:`p_S` with its interval :math:`[p_S^-, p_S^+]` as published.

**Village.** Expected stunted children under the survey prevalence
:math:`E_i = b_i\\,p_S\\,\\rho_i` with base :math:`b_i = P_i` where the population is known, else
:math:`n_i` (children measured; column ``dasar``); :math:`\\rho_i = 1`, or with ``adjust=True``
the village's empirical-Bayes register rate relative to its kabupaten,
:math:`\\rho_i = \\theta_i / B` (:func:`geo.core.rates.eb_smooth`, prior = the kabupaten mean
B, so a small village is pulled toward 1). The same with :math:`p_S^\\pm` gives
:math:`E_i^\\pm`. Gap :math:`G_i = E_i - k_i` (children not found in the register, if the survey
is right).

**Flag** *kemungkinan banyak yang belum terukur* when all three hold: :math:`G_i` is at or above
the ``quantile`` (default 80th percentile) of the gaps of villages with data; :math:`G_i \\ge`
``min_gap`` (default 5 children); and :math:`E_i^- > k_i` (even the lower bound of the survey
interval expects more children than the register found). :meth:`SurveyReconciliation.criterion`
gives :math:`G_i` per village, usable as a scoring criterion (higher = worse).

Limits: the survey is representative of the kabupaten, not of a village; :math:`E_i` assumes the
kabupaten prevalence (or its EB-relative version) holds in every village. It says where to
measure first, not how many children are stunted there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from geo.core.errors import InputError
from geo.core.messages import Message, Num
from geo.core.rates import eb_smooth, wilson_interval
from geo.scoring.values import kabupaten

if TYPE_CHECKING:
    from geo.data.model import Dataset

__all__ = ["KabupatenComparison", "SurveyEstimate", "SurveyReconciliation", "reconcile", "reconcile_dataset"]


@dataclass(frozen=True)
class SurveyEstimate:
    """A kabupaten survey prevalence (%), its 95 % interval (%), year and source (SSGI, SKI...)."""

    prevalence: float
    low: float
    high: float
    year: int
    source: str = "SSGI"

    def __post_init__(self) -> None:
        values = (self.prevalence, self.low, self.high)
        if not all(isinstance(v, int | float) and np.isfinite(v) for v in values) or \
                not 0 <= self.low <= self.prevalence <= self.high <= 100:
            raise InputError.of("analytics.survey.error.estimate", rows=list(values))
        if isinstance(self.year, bool) or int(self.year) != self.year or not 1990 <= self.year <= 2100:
            raise InputError.of("analytics.survey.error.year", rows=[self.year])


@dataclass(frozen=True)
class KabupatenComparison:
    """The two numbers of the kabupaten (percent; children as counts).

    ``coverage`` and ``population`` are None when no village has its population; ``ratio`` is
    survey ÷ register (None when the register is 0).
    """

    survey: SurveyEstimate
    register: float
    register_low: float
    register_high: float
    stunted: int
    measured: int
    population: int | None
    coverage: float | None
    ratio: float | None
    expected: float
    gap: float
    flagged: int

    def message(self) -> Message:
        """One summary sentence (``analytics.survey.summary``) for pages and exports."""
        return Message.of("analytics.survey.summary", source=self.survey.source, year=str(self.survey.year),
                          survey=Num(self.survey.prevalence), low=Num(self.survey.low),
                          high=Num(self.survey.high), register=Num(self.register),
                          register_low=Num(self.register_low), register_high=Num(self.register_high),
                          coverage=Message.of("analytics.survey.coverage", coverage=Num(self.coverage))
                          if self.coverage is not None else Message.of("analytics.survey.coverage_unknown"),
                          gap=round(self.gap), flagged=self.flagged)


@dataclass(frozen=True)
class SurveyReconciliation:
    """Result of :func:`reconcile`.

    Attributes
    ----------
    kabupaten
        The kabupaten numbers.
    table
        One row per village (input order): ``kode``, ``anak_stunting`` (k), ``anak_diukur`` (n),
        ``balita`` (P, NaN unknown), ``prevalensi_register``, ``ci_bawah``, ``ci_atas`` (%),
        ``cakupan_pengukuran`` (%), ``dasar`` (``balita``/``diukur``/""), ``rasio_relatif`` (ρ),
        ``harapan``, ``harapan_bawah``, ``harapan_atas`` (expected children), ``selisih`` (gap),
        ``belum_terukur`` (the flag), ``catatan`` (a Message or None).
    quantile, min_gap
        The flag rule used.
    adjusted
        Whether ρ is the EB-relative register rate.
    """

    kabupaten: KabupatenComparison
    table: pd.DataFrame
    quantile: float
    min_gap: float
    adjusted: bool

    def criterion(self) -> np.ndarray:
        """The gap per village (children; NaN without data), higher = more not yet measured."""
        return self.table["selisih"].to_numpy(dtype=float)


def _counts(stunted: ArrayLike, measured: ArrayLike, population: ArrayLike | None,
            m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    k = np.asarray(stunted, dtype=float)
    n = np.asarray(measured, dtype=float)
    pop = np.full(m, np.nan) if population is None else np.asarray(population, dtype=float)
    if not (k.shape == n.shape == pop.shape == (m,)):
        raise ValueError("one count per village expected")
    both = ~np.isnan(k) & ~np.isnan(n)
    bad = both & ((k < 0) | (n < 0) | (k > n)) | (pop < 0)
    if bad.any():
        raise InputError.of("analytics.survey.error.counts", rows=list(np.flatnonzero(bad)[:5] + 1))
    return np.where(both, k, np.nan), np.where(both, n, np.nan), np.where(pop > 0, pop, np.nan)


def _relative(codes: Sequence[str], k: np.ndarray, n: np.ndarray, adjust: bool) -> np.ndarray:
    """ρ_i: 1, or the EB-smoothed register rate over its kabupaten mean."""
    if not adjust:
        return np.ones(len(k))
    valid = ~np.isnan(k)
    eb = eb_smooth(np.where(valid, k, 0.0), np.where(valid, n, 0.0), kabupaten(codes))
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(eb.prior > 0, eb.rate / eb.prior, 1.0)
    return np.where(np.isfinite(rho), rho, 1.0)


def _flags(gap: np.ndarray, low_gap: np.ndarray, quantile: float, min_gap: float) -> np.ndarray:
    known = ~np.isnan(gap)
    if not known.any():
        return np.zeros(len(gap), bool)
    cut = float(np.quantile(gap[known], quantile))
    return known & (gap >= cut) & (gap >= min_gap) & (np.nan_to_num(low_gap, nan=-1.0) > 0)


def reconcile(survey: SurveyEstimate, codes: Sequence[str], stunted: ArrayLike, measured: ArrayLike,
              population: ArrayLike | None = None, *, adjust: bool = False, quantile: float = 0.8,
              min_gap: float = 5.0) -> SurveyReconciliation:
    """The survey and the register, kabupaten and villages; see the module docstring.

    Parameters
    ----------
    survey
        The kabupaten survey estimate.
    codes
        Village codes (Kemendagri; the kabupaten of the EB prior is read from them).
    stunted, measured
        Register counts per village (NaN = no data).
    population
        Under-five population per village (NaN or None = unknown).
    adjust
        Scale the survey prevalence by the village's EB register rate relative to its kabupaten.
    quantile, min_gap
        The flag rule.

    Raises
    ------
    InputError
        Negative counts, stunted > measured, a quantile outside 0–1 or a negative ``min_gap``.
    """
    if not 0 <= quantile <= 1 or not np.isfinite(min_gap) or min_gap < 0:
        raise InputError.of("analytics.survey.error.rule", rows=[quantile, min_gap])
    codes = [str(c) for c in codes]
    k, n, pop = _counts(stunted, measured, population, len(codes))
    rho = _relative(codes, k, n, adjust)
    has_pop = ~np.isnan(pop)
    base = np.where(has_pop, pop, n)
    expected = {name: base * p / 100.0 * rho
                for name, p in (("harapan", survey.prevalence), ("harapan_bawah", survey.low),
                                ("harapan_atas", survey.high))}
    found = np.where(np.isnan(k) & has_pop, 0.0, k)  # a village with children but none measured found 0
    gap = expected["harapan"] - found
    flag = _flags(gap, expected["harapan_bawah"] - found, quantile, min_gap)
    lo, hi = wilson_interval(np.nan_to_num(k), np.nan_to_num(n))
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame({
            "kode": codes, "anak_stunting": k, "anak_diukur": n, "balita": pop,
            "prevalensi_register": np.where(n > 0, 100.0 * k / n, np.nan), "ci_bawah": 100.0 * lo,
            "ci_atas": 100.0 * hi,
            "cakupan_pengukuran": np.where(has_pop, 100.0 * np.nan_to_num(n) / pop, np.nan),
            "dasar": np.where(has_pop, "balita", np.where(np.isnan(n), "", "diukur")),
            "rasio_relatif": rho, **expected, "selisih": gap, "belum_terukur": flag,
            "catatan": [Message.of("analytics.survey.flag") if f else None for f in flag]})
    return SurveyReconciliation(kabupaten=_kabupaten(survey, k, n, pop, table), table=table,
                                quantile=float(quantile), min_gap=float(min_gap), adjusted=adjust)


def _kabupaten(survey: SurveyEstimate, k: np.ndarray, n: np.ndarray, pop: np.ndarray,
               table: pd.DataFrame) -> KabupatenComparison:
    sk, sn = float(np.nansum(k)), float(np.nansum(n))
    lo, hi = wilson_interval(sk, sn)
    register = 100.0 * sk / sn if sn > 0 else float("nan")
    has_pop = ~np.isnan(pop)
    measured_there = float(np.nansum(n[has_pop]))
    population = int(pop[has_pop].sum()) if has_pop.any() else None
    return KabupatenComparison(
        survey=survey, register=register, register_low=100.0 * float(lo), register_high=100.0 * float(hi),
        stunted=int(sk), measured=int(sn), population=population,
        coverage=100.0 * measured_there / population if population else None,
        ratio=survey.prevalence / register if register > 0 else None,
        expected=float(np.nansum(table["harapan"])), gap=float(np.nansum(table["selisih"])),
        flagged=int(table["belum_terukur"].sum()))


def reconcile_dataset(dataset: Dataset, year: int, survey: SurveyEstimate, *, rate: str | None = None,
                      adjust: bool = False, quantile: float = 0.8,
                      min_gap: float = 5.0) -> SurveyReconciliation:
    """:func:`reconcile` on a dataset's register counts of ``year``: the stunting rate
    (``prevalensi``, else ``rasio_merah``, or ``rate``); the population is the denominator of
    ``cakupan_pengukuran`` (children measured ÷ under-fives) when the dataset has it."""
    chosen = rate or next((r for r in ("prevalensi", "rasio_merah") if year in dataset.indicator_years(r)),
                          None)
    if chosen is None or year not in dataset.indicator_years(chosen):
        raise InputError.of("analytics.survey.error.no_register", year=str(year))
    values = dataset.values(chosen, year)
    population = None
    if year in dataset.indicator_years("cakupan_pengukuran"):
        population = dataset.values("cakupan_pengukuran", year).denominator
    return reconcile(survey, list(dataset.codes), values.numerator, values.denominator, population,  # type: ignore[arg-type]
                     adjust=adjust, quantile=quantile, min_gap=min_gap)
