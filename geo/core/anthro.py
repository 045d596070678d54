"""Length/height-for-age z-scores (HAZ) with the WHO 2006 Child Growth Standards.

Method (WHO Multicentre Growth Reference Study Group 2006, *WHO Child Growth Standards:
Methods and development*, ch. 7; DOMAIN §5):

* **LMS**: ``z = ((x / M) ** L - 1) / (L * S)`` with the day-indexed L, M, S of the
  length/height-for-age table (:data:`LMS_FILE`, shipped with attribution).
* **No tail adjustment.**  WHO's restricted adjustment beyond ±3 SD applies to the
  weight-based indicators only (weight-for-age, weight-for-length/height, BMI-for-age,
  and the arm/skinfold indicators); length/height-for-age has ``L = 1`` at every age,
  a normal distribution whose tails need no restriction.  (With ``L = 1`` the adjustment
  formula would give the same value anyway, which is why packages that apply it to every
  indicator agree with this module.)
* **Age in completed days**, 0..1826 (0–60 months; the table's range).  A fractional age
  is rounded to the nearest day, as WHO's software does.
* **Length below 731 days, height from 731 days.**  WHO's table switches from recumbent
  length to standing height at 24 months; 24 months = 730.5 days, so the first day of
  the height part is day 731 (``loh = "H"`` from day 731 in WHO's day table).
* **The 0.7 cm rule** (S12; Kemenkes RI 2010): a child younger than 731 days measured
  standing gets +0.7 cm (standing height is on average 0.7 cm less than recumbent
  length); a child of 731 days or more measured lying gets −0.7 cm.  The cut-off is the
  same day 731 at which the table switches, so the measurement is always converted to
  the kind the table expects.  An unknown position (NaN) gets no adjustment.
* **Plausibility**: WHO flags ``|HAZ| > 6`` as implausible (:data:`PLAUSIBLE_LIMIT`);
  the caller excludes those.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "ADJUSTMENT_CM",
    "HEIGHT_FROM_DAY",
    "LMS_FILE",
    "MAX_AGE_DAYS",
    "PLAUSIBLE_LIMIT",
    "REASONS",
    "adjusted_height",
    "haz",
    "haz_invalid_reason",
    "lms_table",
]

#: Packaged LMS table (``geo/resources``): sex, age (days), l, m, s.
LMS_FILE: Final = "who_lhfa_2006.csv"
#: Last day of the WHO table (60 months).
MAX_AGE_DAYS: Final = 1826
#: First day of the standing-height part of the table (24 months = 730.5 days).
HEIGHT_FROM_DAY: Final = 731
#: Recumbent length minus standing height, on average (WHO 2006).
ADJUSTMENT_CM: Final = 0.7
#: WHO flag for implausible length/height-for-age.
PLAUSIBLE_LIMIT: Final = 6.0
#: Codes of :func:`haz_invalid_reason` (``""``: valid); their text is the catalogue's
#: ``quality.anthro.<code>`` (with ``max_days`` = :data:`MAX_AGE_DAYS`).
REASONS: Final = ("jenis_kelamin", "umur", "tinggi")

FloatArray = npt.NDArray[np.float64]


@cache
def lms_table() -> FloatArray:
    """The LMS parameters as an array of shape ``(2, MAX_AGE_DAYS + 1, 3)``.

    Index ``[sex - 1, age_days]`` gives ``(L, M, S)``.  Read once from :data:`LMS_FILE`
    and checked to be complete (both sexes, every day 0..:data:`MAX_AGE_DAYS`).
    """
    source = resources.files("geo") / "resources" / LMS_FILE
    with source.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, comment="#", dtype="float64")
    table = np.full((2, MAX_AGE_DAYS + 1, 3), np.nan)
    sex = frame["sex"].to_numpy().astype(np.int64) - 1
    age = frame["age"].to_numpy().astype(np.int64)
    table[sex, age] = frame[["l", "m", "s"]].to_numpy()
    if np.isnan(table).any():
        raise RuntimeError(f"{LMS_FILE} is incomplete")  # packaging error, not user input
    table.setflags(write=False)
    return table


def _as_float(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(pd.to_numeric(pd.Series(np.ravel(values)), errors="coerce"), dtype="float64")


def _as_lying(measured_lying: npt.ArrayLike, n: int) -> FloatArray:
    """1.0 lying, 0.0 standing, NaN unknown (accepts bool, 0/1, None, pandas NA)."""
    series = pd.Series(np.ravel(np.asarray(measured_lying, dtype=object)), dtype=object)
    out = pd.to_numeric(series.where(series.notna()).astype(object), errors="coerce")
    out = np.asarray(out, dtype="float64")
    if out.size == 1 and n != 1:
        out = np.full(n, out[0])
    return out


def _inputs(
    height_cm: npt.ArrayLike,
    age_days: npt.ArrayLike,
    sex: npt.ArrayLike,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    height, age, sex_ = np.broadcast_arrays(_as_float(height_cm), _as_float(age_days), _as_float(sex))
    return height, np.round(age), sex_


def haz_invalid_reason(
    height_cm: npt.ArrayLike, age_days: npt.ArrayLike, sex: npt.ArrayLike
) -> npt.NDArray[np.object_]:
    """Why :func:`haz` gives NaN for each child (``""`` when it gives a number).

    Returns
    -------
    numpy.ndarray
        Codes of :data:`REASONS`, checked in this order: ``"jenis_kelamin"`` (sex not
        1 or 2), ``"umur"`` (age missing or outside 0..1826 days after rounding),
        ``"tinggi"`` (height missing, zero or negative).
    """
    height, age, sex_ = _inputs(height_cm, age_days, sex)
    return np.select(
        [
            ~np.isin(sex_, (1.0, 2.0)),
            ~((age >= 0) & (age <= MAX_AGE_DAYS)),
            ~(height > 0),
        ],
        list(REASONS),
        default="",
    ).astype(object)


def adjusted_height(
    height_cm: npt.ArrayLike, age_days: npt.ArrayLike, measured_lying: npt.ArrayLike
) -> FloatArray:
    """Height after the 0.7 cm rule: +0.7 standing below day 731, −0.7 lying from day 731.

    ``measured_lying`` NaN/None (position unknown) leaves the height unchanged.
    """
    height, age, _ = _inputs(height_cm, age_days, 1)
    lying = _as_lying(measured_lying, height.size)
    lying = np.broadcast_to(lying, height.shape)
    young = age < HEIGHT_FROM_DAY
    old = age >= HEIGHT_FROM_DAY
    shift = np.select(
        [young & (lying == 0.0), old & (lying == 1.0)], [ADJUSTMENT_CM, -ADJUSTMENT_CM], 0.0
    )
    return height + shift


def haz(
    height_cm: npt.ArrayLike,
    age_days: npt.ArrayLike,
    sex: npt.ArrayLike,
    measured_lying: npt.ArrayLike,
) -> FloatArray:
    """Length/height-for-age z-scores, vectorised.

    Parameters
    ----------
    height_cm
        Length or height as measured, cm.
    age_days
        Age at measurement in days (rounded to whole days).
    sex
        1 = boy (L), 2 = girl (P).
    measured_lying
        True = recumbent (*telentang*), False = standing (*berdiri*), NaN/None = unknown
        (no 0.7 cm adjustment).  A scalar applies to every child.

    Returns
    -------
    numpy.ndarray
        float64 z-scores, NaN where :func:`haz_invalid_reason` gives a reason.  Not
        rounded; implausible values (``|z| > 6``) are returned, not removed.
    """
    height, age, sex_ = _inputs(height_cm, age_days, sex)
    x = adjusted_height(height, age, measured_lying)
    ok = np.isin(sex_, (1.0, 2.0)) & (age >= 0) & (age <= MAX_AGE_DAYS) & (height > 0)
    table = lms_table()
    s_idx = np.where(ok, sex_ - 1, 0).astype(np.intp)
    a_idx = np.where(ok, age, 0).astype(np.intp)
    lms = table[s_idx, a_idx]
    big_l, m, s = lms[..., 0], lms[..., 1], lms[..., 2]
    with np.errstate(invalid="ignore", divide="ignore"):
        box_cox = (np.power(x / m, big_l) - 1.0) / (big_l * s)
        log_form = np.log(x / m) / s
        z = np.where(np.abs(big_l) < 1e-12, log_form, box_cox)
    return np.where(ok, z, np.nan)
