"""Measurement quality of e-PPGBM records per village-year and posyandu-year.

The WHO Anthro Survey Analyser's checks, applied to groups of a district's own records: the
share of rows excluded, implausible z-scores, the SD of HAZ, terminal digits of heights and
age heaping (:func:`measurement_flags`). :func:`quality_panel` counts them per group for
:func:`geo.io.eppgbm_aggregate.aggregate`; :func:`quality_rule_text` names the rules that fired.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
from scipy.stats import binom

from geo.core.i18n import format_number, t
from geo.io.eppgbm import ALASAN, ROW_REASONS

__all__ = [
    "DIGIT_LIMIT_PCT",
    "EXCLUDED_SHARE_LIMIT_PCT",
    "HEAPING_LIMIT_PCT",
    "IMPLAUSIBLE_LIMIT_PCT",
    "MIN_N_QUALITY",
    "SD_HAZ_RANGE",
    "measurement_flags",
    "quality_panel",
    "quality_rule_text",
    "record_indicators",
]

#: Fewest records for a quality rule to be applied to a village-year (or posyandu-year):
#: below it one odd child moves a share by more than 3 points and the SD is unstable.
MIN_N_QUALITY: Final = 30
#: More than this share (%) of a village's rows excluded for a problem: ``dikeluarkan``.
EXCLUDED_SHARE_LIMIT_PCT: Final = 10.0
#: More than this share (%) of computed z-scores with |HAZ| > 6 (WHO/UNICEF 2019: < 1 %).
IMPLAUSIBLE_LIMIT_PCT: Final = 1.0
#: Expected SD of HAZ (Mei & Grummer-Strawn 2007, as quoted by WHO 2019). Those bounds come
#: from national surveys; a village's SD from a few dozen children varies by sampling alone,
#: so ``sd_haz`` fires only when the 95 % interval of the SD lies wholly outside the range
#: (:func:`measurement_flags`).
SD_HAZ_RANGE: Final = (1.35, 1.95)
#: Share (%) of heights ending in .0 or .5 together above which it is ``digit``
#: (expected 10 % + 10 % with 0.1 cm precision; 35 % is 2 SD above 20 % at n = 30).
DIGIT_LIMIT_PCT: Final = 35.0
#: Share (%) of ages 6–59 completed months that are a multiple of 6 above which it is
#: ``umur_bulat`` (age heaping; expected 9 of 54 months = 16.7 %, limit twice that).
HEAPING_LIMIT_PCT: Final = 100.0 / 3.0
_DAYS_PER_MONTH: Final = 30.4375
_COUNT_COLUMNS: Final = ("n_dibaca", "n_dipakai", "n_diganti", "n_dikeluarkan",
                         *(f"n_{r}" for r in ROW_REASONS), "n_haz", "n_tinggi_0", "n_tinggi_5",
                         "n_umur_6_59", "n_umur_bulat")


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """``part / whole`` in %, NaN where ``whole`` is 0."""
    whole = whole.astype("float64")
    return (part.astype("float64") / whole.where(whole > 0)) * 100


def measurement_flags(panel: pd.DataFrame) -> pd.DataFrame:
    """``mutu_pengukuran`` and ``alasan_mutu`` from the panel's counts and ``sd_haz``.

    A group (village-year or posyandu-year) is ``perlu_dicek`` when any rule fires:

    * ``dikeluarkan`` — ``n_dibaca`` ≥ :data:`MIN_N_QUALITY` and more than
      :data:`EXCLUDED_SHARE_LIMIT_PCT` % of its rows excluded for a problem;
    * ``implausible`` — ``n_haz`` ≥ MIN_N and significantly more than
      :data:`IMPLAUSIBLE_LIMIT_PCT` % of computed z-scores with |HAZ| > 6 (one-sided
      binomial test at 5 %: in a village of 70 children a single flagged z-score is
      1.4 % by chance alone);
    * ``sd_haz`` — ``n_dipakai`` ≥ MIN_N and the 95 % interval of the SD of HAZ,
      :math:`s \\pm 1.96\\, s / \\sqrt{2(n-1)}` (normal approximation of its standard
      error), lies wholly outside :data:`SD_HAZ_RANGE`;
    * ``digit`` — ``n_dipakai`` ≥ MIN_N and more than :data:`DIGIT_LIMIT_PCT` % of heights
      ending in .0 or .5;
    * ``umur_bulat`` — ``n_umur_6_59`` ≥ MIN_N and more than :data:`HEAPING_LIMIT_PCT` %
      of ages 6–59 months at a multiple of 6 months.

    Otherwise ``baik`` when ``n_dipakai`` ≥ MIN_N, else ``""`` (too few children to judge).
    ``alasan_mutu`` lists the rules that fired, separated by ``;``.
    """
    enough = panel["n_dipakai"] >= MIN_N_QUALITY
    low, high = SD_HAZ_RANGE
    sd = panel["sd_haz"].astype("float64")
    margin = 1.96 * sd / np.sqrt(2 * (panel["n_dipakai"].astype("float64") - 1).clip(lower=1))
    rules = {
        "dikeluarkan": (panel["n_dibaca"] >= MIN_N_QUALITY)
        & (_share(panel["n_dikeluarkan"], panel["n_dibaca"]) > EXCLUDED_SHARE_LIMIT_PCT),
        "implausible": (panel["n_haz"] >= MIN_N_QUALITY)
        & (binom.sf(panel["n_haz_implausible"].astype("float64") - 1, panel["n_haz"].astype("float64"),
                      IMPLAUSIBLE_LIMIT_PCT / 100) < 0.05),
        "sd_haz": enough & ((sd + margin < low) | (sd - margin > high)),
        "digit": enough
        & (_share(panel["n_tinggi_0"] + panel["n_tinggi_5"], panel["n_dipakai"]) > DIGIT_LIMIT_PCT),
        "umur_bulat": (panel["n_umur_6_59"] >= MIN_N_QUALITY)
        & (_share(panel["n_umur_bulat"], panel["n_umur_6_59"]) > HEAPING_LIMIT_PCT),
    }
    reasons = pd.Series("", index=panel.index, dtype=object)
    for name, fired in rules.items():
        fired = fired.fillna(False).astype(bool)
        reasons = reasons.where(~fired, reasons + np.where(reasons == "", "", ";") + name)
    flagged = reasons != ""
    mutu = np.where(flagged, "perlu_dicek", np.where(enough, "baik", ""))
    return pd.DataFrame({"mutu_pengukuran": mutu, "alasan_mutu": reasons}, index=panel.index)


def quality_rule_text(reasons: str, lang: str = "id") -> str:
    """The rules named in ``alasan_mutu`` (``"sd_haz;digit"``) as text in ``lang``."""
    limits = {"dikeluarkan": {"limit": format_number(EXCLUDED_SHARE_LIMIT_PCT, 0, lang)},
              "implausible": {"limit": format_number(IMPLAUSIBLE_LIMIT_PCT, 0, lang)},
              "sd_haz": {"low": format_number(SD_HAZ_RANGE[0], 2, lang),
                         "high": format_number(SD_HAZ_RANGE[1], 2, lang)},
              "digit": {"limit": format_number(DIGIT_LIMIT_PCT, 0, lang)},
              "umur_bulat": {"limit": format_number(HEAPING_LIMIT_PCT, 1, lang)}}
    return "; ".join(t(f"eppgbm.mutu.rule.{r}", lang, **limits[r])
                     for r in str(reasons).split(";") if r in limits)


def record_indicators(z: pd.DataFrame, code: np.ndarray, kept: np.ndarray,
                      superseded: np.ndarray) -> pd.DataFrame:
    """Per record: what the panel counts (booleans) and the HAZ of kept measurements."""
    implausible = code == ALASAN.index("haz_implausible")
    height = z["tinggi"].to_numpy()
    with np.errstate(invalid="ignore"):
        tenth = np.rint(height * 10) % 10  # terminal digit of the height as measured
        months = np.floor(z["umur_hari"].to_numpy() / _DAYS_PER_MONTH)
    in_6_59 = kept & (months >= 6) & (months <= 59)
    frame = {
        "n_dibaca": np.ones(len(z), dtype=bool), "n_dipakai": kept, "n_diganti": superseded,
        "n_dikeluarkan": code > 0,
        **{f"n_{r}": code == ALASAN.index(r) for r in ROW_REASONS},
        "n_haz": kept | superseded | implausible,
        "n_tinggi_0": kept & (tenth == 0), "n_tinggi_5": kept & (tenth == 5),
        "n_umur_6_59": in_6_59, "n_umur_bulat": in_6_59 & (months % 6 == 0),
        "haz_kept": np.where(kept, z["haz"].to_numpy(), np.nan),
    }
    return pd.DataFrame(frame)


def quality_panel(ind: pd.DataFrame, keys: dict[str, np.ndarray]) -> pd.DataFrame:
    """Counts, shares, SD of HAZ and the flag per group of ``keys`` (int codes)."""
    grouped = ind["haz_kept"].groupby([pd.Series(np.asarray(v), index=ind.index, name=k)
                                       for k, v in keys.items()], sort=True)
    sd = grouped.std(ddof=1)  # NaN below 2 measurements; index: the groups in key order
    group = grouped.ngroup().to_numpy()
    # one column at a time: a groupby sum of all the flags would widen them to a
    # records × columns int64 block (~900 MB for 5 million records)
    out = pd.DataFrame({col: np.bincount(group, weights=ind[col].to_numpy(dtype="float64"),
                                         minlength=len(sd)).astype("int64") for col in _COUNT_COLUMNS},
                       index=sd.index)
    out["sd_haz"] = sd
    out = out.reset_index()
    out["pct_dikeluarkan"] = _share(out["n_dikeluarkan"], out["n_dibaca"]).round(1)
    out["pct_haz_implausible"] = _share(out["n_haz_implausible"], out["n_haz"]).round(2)
    out["pct_tinggi_0"] = _share(out["n_tinggi_0"], out["n_dipakai"]).round(1)
    out["pct_tinggi_5"] = _share(out["n_tinggi_5"], out["n_dipakai"]).round(1)
    out["pct_umur_bulat"] = _share(out["n_umur_bulat"], out["n_umur_6_59"]).round(1)
    flags = measurement_flags(out)
    out["sd_haz"] = out["sd_haz"].round(3)
    return pd.concat([out, flags], axis=1)
