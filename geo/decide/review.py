"""Did last year's lokus work? (Aksi 8, *reviu kinerja tahunan*): a matched difference-in-differences.

With an outcome y (e.g. the stunting or screening rate, %) in the year the lokus were chosen
(:math:`y^0`) and a later year (:math:`y^1`), every village has a change :math:`\\Delta_i =
y^1_i - y^0_i`. Lokus villages are compared with **comparable non-lokus villages**: those in the
same stratum of last year's level (``bins`` quantile bins of :math:`y^0` over all villages
with both years) **and the same kecamatan**; a lokus village without such a neighbour is
compared with the non-lokus villages of its bin anywhere in the kabupaten (counted in
``n_matched_kabupaten``), and one without any is left out (``n_unmatched``). The effect on the
lokus (ATT) is

.. math::

    \\hat\\tau = \\frac{1}{|L|}\\sum_{i \\in L} \\Big(\\Delta_i - \\overline{\\Delta}_{C(i)}\\Big)

with :math:`\\overline{\\Delta}_{C(i)}` the mean change of village i's comparison group. The
unmatched ``naive`` DiD (mean change of all lokus − of all others) is given beside it.

**Interval:** percentile bootstrap (``draws``, seeded): lokus and non-lokus villages are
resampled with replacement within their group (group sizes kept), the bins held fixed, the
matching redone on each resample — all draws at once with numpy.

**Verdict** (a message key, never a sentence here): ``too_few`` when fewer than ``min_group``
lokus are matched or fewer than ``min_group`` comparison villages exist; ``unclear`` when the
interval contains 0; otherwise ``better`` or ``worse`` by the indicator's direction (for a
*higher-worse* outcome a negative effect is an improvement).

Limits: the lokus were chosen *because* their level was high, so part of a fall is regression to
the mean; matching on last year's level removes much of it, not all. Other programmes, changes
in who is measured (coverage) and in definitions are not controlled. It is an observational
comparison, not proof of cause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from geo.core.errors import InputError
from geo.core.messages import Message, Num

if TYPE_CHECKING:
    from geo.data.model import Dataset

__all__ = ["MIN_GROUP", "ReviewResult", "review", "review_dataset"]

#: Fewer matched lokus (or comparison villages) than this and the data cannot tell.
MIN_GROUP = 5


@dataclass(frozen=True)
class ReviewResult:
    """Result of :func:`review`.

    Attributes
    ----------
    effect, ci_low, ci_high
        Matched DiD (ATT) and its 95 % bootstrap interval (outcome units, e.g. % points);
        NaN when no lokus village could be matched.
    naive
        Mean change of all lokus − mean change of all non-lokus villages (unmatched).
    change_lokus, change_control
        Mean change of the matched lokus, and the mean of their comparison means.
    n_lokus, n_control
        Villages with both years, in last year's list / not in it.
    n_matched, n_matched_kabupaten, n_unmatched
        Lokus matched (of which outside their kecamatan), lokus without any comparison.
    n_missing
        Villages without a value in one of the years (left out).
    verdict
        ``analytics.review.verdict.<too_few|unclear|better|worse>`` with the numbers.
    table
        Per village with both years: ``kode, kecamatan, lokus, sebelum, sesudah, perubahan,
        strata`` (bin, 1 = lowest), ``pembanding`` (``kecamatan``/``kabupaten``/"" for lokus),
        ``perubahan_pembanding`` (the comparison mean of a lokus).
    notes
        Messages (matched outside the kecamatan, unmatched, missing).
    """

    effect: float
    ci_low: float
    ci_high: float
    naive: float
    change_lokus: float
    change_control: float
    n_lokus: int
    n_control: int
    n_matched: int
    n_matched_kabupaten: int
    n_unmatched: int
    n_missing: int
    verdict: Message
    table: pd.DataFrame
    notes: tuple[Message, ...] = ()
    draws: int = 0
    bins: int = 0
    direction: str = "higher_worse"
    meta: dict[str, object] = field(default_factory=dict)


def _bins(y0: np.ndarray, bins: int) -> np.ndarray:
    """Quantile bin (0-based) of each value; ties at an edge go up."""
    edges = np.quantile(y0, np.linspace(0, 1, bins + 1)[1:-1]) if len(y0) else np.array([])
    return np.searchsorted(edges, y0, side="right")


def _onehot(labels: np.ndarray, k: int) -> np.ndarray:
    return (labels[:, None] == np.arange(k)[None, :]).astype(float)


@dataclass(frozen=True)
class _Design:
    d_lokus: np.ndarray
    d_control: np.ndarray
    cell_lokus: np.ndarray
    bin_lokus: np.ndarray
    cell_hot: np.ndarray  # controls × cells
    bin_hot: np.ndarray  # controls × bins


def _att(design: _Design, w_lokus: np.ndarray,
         w_control: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ATT per row of weights ``(B, lokus)``/``(B, controls)``; also each lokus' comparison mean
    and its level (1 kecamatan, 2 kabupaten, 0 none), both ``(B, lokus)``."""
    wd = w_control * design.d_control
    with np.errstate(invalid="ignore", divide="ignore"):
        cell_mean = (wd @ design.cell_hot) / (w_control @ design.cell_hot)
        bin_mean = (wd @ design.bin_hot) / (w_control @ design.bin_hot)
    by_cell = cell_mean[:, design.cell_lokus]
    by_bin = bin_mean[:, design.bin_lokus]
    level = np.where(~np.isnan(by_cell), 1, np.where(~np.isnan(by_bin), 2, 0))
    control = np.where(level == 1, by_cell, by_bin)
    diff = design.d_lokus - control
    used = np.where(np.isnan(diff), 0.0, w_lokus)
    with np.errstate(invalid="ignore", divide="ignore"):
        att = (used * np.nan_to_num(diff)).sum(axis=1) / used.sum(axis=1)
    return att, control, level


def _resampled(n: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """``(draws, n)`` multiplicities of a resample with replacement of n units."""
    if n == 0:
        return np.zeros((draws, 0))
    picks = rng.integers(0, n, (draws, n)) + (np.arange(draws) * n)[:, None]
    return np.bincount(picks.ravel(), minlength=draws * n).reshape(draws, n).astype(float)


def _verdict(effect: float, low: float, high: float, n_matched: int, n_control: int, min_group: int,
             direction: str) -> Message:
    numbers = {"effect": Num(effect, 2), "low": Num(low, 2), "high": Num(high, 2),
               "n_lokus": n_matched, "n_control": n_control, "minimum": min_group}
    if n_matched < min_group or n_control < min_group or np.isnan(effect):
        return Message.of("analytics.review.verdict.too_few", **numbers)
    if low <= 0 <= high or np.isnan(low):
        return Message.of("analytics.review.verdict.unclear", **numbers)
    improved = effect < 0 if direction == "higher_worse" else effect > 0
    return Message.of(f"analytics.review.verdict.{'better' if improved else 'worse'}", **numbers)


def _inputs(codes: Sequence[str], kecamatan: Sequence[str], before: ArrayLike, after: ArrayLike,
            lokus: Sequence[str], bins: int, draws: int, direction: str) -> pd.DataFrame:
    if direction not in ("higher_worse", "higher_better"):
        raise InputError.of("scoring.error.direction_bad", rows=[direction])
    if int(bins) != bins or bins < 1 or int(draws) != draws or draws < 100:
        raise InputError.of("analytics.review.error.settings", rows=[bins, draws])
    frame = pd.DataFrame({"kode": [str(c) for c in codes], "kecamatan": [str(k) for k in kecamatan],
                          "sebelum": np.asarray(before, dtype=float),
                          "sesudah": np.asarray(after, dtype=float)})
    unknown = sorted(set(map(str, lokus)) - set(frame["kode"]))
    if unknown:
        raise InputError.of("analytics.review.error.unknown_lokus", rows=unknown)
    frame["lokus"] = frame["kode"].isin(set(map(str, lokus)))
    return frame


def review(codes: Sequence[str], kecamatan: Sequence[str], before: ArrayLike, after: ArrayLike,
           lokus: Sequence[str], *, bins: int = 4, draws: int = 2000, seed: int = 0,
           direction: str = "higher_worse", min_group: int = MIN_GROUP) -> ReviewResult:
    """Matched DiD of last year's lokus; see the module docstring.

    Parameters
    ----------
    codes, kecamatan
        Village codes and their kecamatan (any label).
    before, after
        The outcome per village in the lokus year and the later year (NaN = no value).
    lokus
        Last year's lokus codes.
    bins, draws, seed
        Strata of last year's level, bootstrap draws (≥ 100), seed.
    direction
        ``higher_worse`` (a fall is an improvement) or ``higher_better``.
    min_group
        Fewest matched lokus / comparison villages for a verdict.
    """
    frame = _inputs(codes, kecamatan, before, after, lokus, bins, draws, direction)
    complete = frame["sebelum"].notna() & frame["sesudah"].notna()
    n_missing = int((~complete).sum())
    t = frame[complete].reset_index(drop=True)
    t["perubahan"] = t["sesudah"] - t["sebelum"]
    t["strata"] = _bins(t["sebelum"].to_numpy(), int(bins)) + 1
    cell_labels, cell = np.unique(t["kecamatan"] + "|" + t["strata"].astype(str), return_inverse=True)
    is_l = t["lokus"].to_numpy()
    d = t["perubahan"].to_numpy()
    design = _Design(d_lokus=d[is_l], d_control=d[~is_l], cell_lokus=cell[is_l],
                     bin_lokus=t["strata"].to_numpy()[is_l] - 1,
                     cell_hot=_onehot(cell[~is_l], len(cell_labels)),
                     bin_hot=_onehot(t["strata"].to_numpy()[~is_l] - 1, int(bins)))
    n_l, n_c = int(is_l.sum()), int((~is_l).sum())
    att, control, level = _att(design, np.ones((1, n_l)), np.ones((1, n_c)))
    rng = np.random.default_rng(seed)
    boot = _att(design, _resampled(n_l, int(draws), rng), _resampled(n_c, int(draws), rng))[0]
    boot = boot[~np.isnan(boot)]
    low, high = (np.percentile(boot, [2.5, 97.5]) if len(boot) else (np.nan, np.nan))
    t["pembanding"] = ""
    t["perubahan_pembanding"] = np.nan
    t.loc[is_l, "pembanding"] = np.array(["", "kecamatan", "kabupaten"])[level[0]]
    t.loc[is_l, "perubahan_pembanding"] = control[0]
    matched = level[0] > 0
    n_kab, n_un = int((level[0] == 2).sum()), int((level[0] == 0).sum())
    effect = float(att[0])
    notes = [Message.of(key, n=n) for key, n in (("analytics.review.note.matched_kabupaten", n_kab),
                                                 ("analytics.review.note.unmatched", n_un),
                                                 ("analytics.review.note.missing", n_missing)) if n]
    with np.errstate(invalid="ignore"):
        naive = float(np.mean(d[is_l]) - np.mean(d[~is_l])) if n_l and n_c else float("nan")
    return ReviewResult(
        effect=effect, ci_low=float(low), ci_high=float(high), naive=naive,
        change_lokus=float(np.mean(design.d_lokus[matched])) if matched.any() else float("nan"),
        change_control=float(np.mean(control[0][matched])) if matched.any() else float("nan"),
        n_lokus=n_l, n_control=n_c, n_matched=int(matched.sum()), n_matched_kabupaten=n_kab,
        n_unmatched=n_un, n_missing=n_missing,
        verdict=_verdict(effect, float(low), float(high), int(matched.sum()), n_c, min_group, direction),
        table=t[["kode", "kecamatan", "lokus", "sebelum", "sesudah", "perubahan", "strata", "pembanding",
                 "perubahan_pembanding"]],
        notes=tuple(notes), draws=int(draws), bins=int(bins), direction=direction)


def review_dataset(dataset: Dataset, lokus: Sequence[str], indicator: str, year_before: int, year_after: int,
                   **options: object) -> ReviewResult:
    """:func:`review` on a dataset's values of ``indicator`` (raw, as :meth:`Dataset.values` gives
    them) in ``year_before`` (the lokus year) and ``year_after``; the direction is the catalogue's.
    ``meta`` holds the indicator and both years.

    Raises
    ------
    InputError
        Years not after one another, or the indicator without data in one of them.
    """
    if year_after <= year_before:
        raise InputError.of("analytics.review.error.years", before=str(year_before), after=str(year_after))
    for year in (year_before, year_after):
        if year not in dataset.indicator_years(indicator):
            raise InputError.of("analytics.review.error.no_data", id=indicator, year=str(year))
    ind = dataset.indicator(indicator, year_after)
    if ind.direction not in ("higher_worse", "higher_better"):
        raise InputError.of("scoring.error.context", id=indicator)
    result = review(list(dataset.codes), list(dataset.villages["kode_kec"].astype(str)),
                    dataset.values(indicator, year_before).value, dataset.values(indicator, year_after).value,
                    lokus, direction=ind.direction, **options)  # type: ignore[arg-type]
    result.meta.update({"indicator": indicator, "year_before": year_before, "year_after": year_after})
    return result
