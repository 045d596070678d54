"""The quadrant view: a village's outcome against its gap in service coverage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.core.i18n import DEFAULT_LANG, lang_of, t
from geo.data.model import Dataset
from geo.scoring.result import ScoringResult
from geo.scoring.values import outcome_rate, prior_groups, rate_parts, smooth

__all__ = ["Quadrant", "quadrant"]

#: ``kuadran`` values of the table (data: Indonesian in every language), in the order of
#: :func:`numpy.select` below.
QUADRANTS = tuple(t(f"scoring.quadrant.class.{k}") for k in ("no_data", "poor_low", "poor_good",
                                                              "good_low", "good_good"))


@dataclass(frozen=True)
class Quadrant:
    """Outcome (x) against coverage gap (y), per village (boundary order).

    ``table`` columns: ``kode, nama, nama_kec, outcome, gap, kuadran``; ``outcome``
    is the outcome value, ``gap`` the mean shortfall below target in percentage
    points. ``x_cut``/``y_cut`` are the default cut lines (medians); ``x_title`` /
    ``y_title`` axis titles.
    """

    table: pd.DataFrame
    outcome_id: str
    coverage_ids: tuple[str, ...]
    x_cut: float
    y_cut: float
    x_title: str
    y_title: str

def _outcome(result: ScoringResult, dataset: Dataset, outcome: str | None,
             lang: str) -> tuple[str, str, np.ndarray]:
    """``(id, axis label, value per village)`` of the outcome axis."""
    cfg, table, year = result.config, result.table, result.config.year
    score_label = t("scoring.quadrant.score", lang)
    out_id = outcome or outcome_rate(dataset, cfg.indicators, year) or "skor"
    if out_id == "skor":
        return out_id, score_label, table["skor"].to_numpy()
    if out_id in table and out_id in result.indicators:
        y = table[out_id].to_numpy()
        if f"{out_id}__mentah" in table and cfg.missing != "exclude":
            y = np.where(np.isnan(table[f"{out_id}__mentah"]), np.nan, y)  # no imputed outcomes
        return out_id, result.indicators[out_id].label(lang_of(lang)), y
    ind = dataset.indicator(out_id, year)
    if ind.kind == "rate" and cfg.smoothing != "none":
        k, n, valid = rate_parts(dataset, out_id, year)
        y = smooth(k, n, valid, prior_groups(table["kode"], table["kode_kec"], cfg.smoothing))
    else:
        y = dataset.values(out_id, year).value
    return out_id, ind.label(lang_of(lang)), y


def _coverage_gap(dataset: Dataset, cov_ids: Sequence[str], year: int, m: int) -> np.ndarray:
    """Mean shortfall below target over the coverage indicators a village has (NaN: none)."""
    gaps = []
    for cid in cov_ids:
        ind = dataset.indicator(cid, year)
        x = dataset.values(cid, year).value
        if ind.direction == "higher_worse":
            gaps.append(np.maximum(x - (ind.target if ind.target is not None else 0.0), 0.0))
        else:
            gaps.append(np.maximum((ind.target if ind.target is not None else 100.0) - x, 0.0))
    if not gaps:
        return np.full(m, np.nan)
    stack = np.vstack(gaps)
    with np.errstate(invalid="ignore"):
        count = (~np.isnan(stack)).sum(axis=0)
        return np.where(count > 0, np.nansum(stack, axis=0) / np.maximum(count, 1), np.nan)


def quadrant(
    result: ScoringResult,
    dataset: Dataset,
    *,
    outcome: str | None = None,
    coverage: Sequence[str] | None = None,
    lang: str = DEFAULT_LANG,
) -> Quadrant:
    """Outcome against coverage gap (quadrant view), with median cut lines.

    Parameters
    ----------
    outcome
        ``None``: the outcome rate scored (smoothed as configured) or, if none was
        chosen, the dataset's prevalence/screening rate; an indicator id; or
        ``"skor"`` for the composite score.
    coverage
        Coverage indicator ids; default: the coverage indicators chosen in the config.
    lang
        Language of the axis titles (the ``kuadran`` labels of the table stay Indonesian).

    Notes
    -----
    Gap of village i = mean over the coverage indicators with a value of the
    shortfall :math:`\\max(t_j - x_{ij}, 0)` (higher-better) or
    :math:`\\max(x_{ij} - t_j, 0)` (higher-worse), in percentage points, with
    :math:`t_j` the catalogue target (100 % for higher-better, 0 % for higher-worse
    when the catalogue has none). Raw (not imputed) values are used; NaN when no
    coverage indicator is chosen or the village has none.
    """
    cfg, table, year = result.config, result.table, result.config.year
    out_id, out_label, y = _outcome(result, dataset, outcome, lang)
    cov_ids = tuple(coverage if coverage is not None
                    else [i for i in cfg.indicators if result.indicators[i].kind == "coverage"])
    gap = _coverage_gap(dataset, cov_ids, year, len(table))
    y = np.asarray(y, dtype=float)
    y_cut = float(np.nanmedian(y)) if np.isfinite(y).any() else float("nan")
    g_cut = float(np.nanmedian(gap)) if np.isfinite(gap).any() else float("nan")
    high_y, high_g = y >= y_cut, gap >= g_cut
    labels = np.select(
        [np.isnan(y) | np.isnan(gap), high_y & high_g, high_y & ~high_g, ~high_y & high_g],
        list(QUADRANTS[:4]), QUADRANTS[4])
    frame = pd.DataFrame({"kode": table["kode"], "nama": table["nama"], "nama_kec": table["nama_kec"],
                          "outcome": y, "gap": gap, "kuadran": labels})
    unit = " (%)" if out_id != "skor" and dataset.indicator(out_id, year).unit == "%" else ""
    smoothed = t("scoring.quadrant.smoothed", lang) if out_id != "skor" and cfg.smoothing != "none" and \
        dataset.indicator(out_id, year).kind == "rate" else ""
    return Quadrant(table=frame, outcome_id=out_id, coverage_ids=cov_ids, x_cut=y_cut, y_cut=g_cut,
                    x_title=t("scoring.quadrant.x_title", lang, label=out_label, smoothed=smoothed,
                              unit=unit),
                    y_title=t("scoring.quadrant.gap" if cov_ids else "scoring.quadrant.gap_none", lang))

