"""Map classification: WHO/UNICEF prevalence bands and data-driven schemes."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import mapclassify
import numpy as np

from geo.core.i18n import format_number
from geo.core.messages import Message, Num

__all__ = ["SCHEMES", "WHO_STUNTING_BANDS", "Classes", "classify"]

SCHEMES = ("who", "quantiles", "equal_interval", "natural_breaks")

#: de Onis et al. 2019 (Public Health Nutr 22:175–179), stunting prevalence in %.
#: Each band is [lower, upper); labels in Bahasa Indonesia and English.
WHO_STUNTING_BANDS: tuple[tuple[float, str, str], ...] = (
    (2.5, "Sangat rendah", "Very low"),
    (10.0, "Rendah", "Low"),
    (20.0, "Sedang", "Medium"),
    (30.0, "Tinggi", "High"),
    (np.inf, "Sangat tinggi", "Very high"),
)


@dataclass(frozen=True)
class Classes:
    """Result of a classification.

    ``index`` holds the class of each village, 0-based, and -1 for no data.
    ``upper`` are the inclusive upper bounds of data-driven classes (WHO bands
    use exclusive upper bounds, as the thresholds are defined as "< 2.5 %").
    """

    scheme: str
    index: np.ndarray
    labels: tuple[str, ...]
    counts: tuple[int, ...]
    n_missing: int
    #: Why there are fewer classes than asked (tied values), or None.
    note: Message | None = None


def _who(values: np.ndarray, lang: str) -> tuple[np.ndarray, tuple[str, ...]]:
    uppers = np.array([b[0] for b in WHO_STUNTING_BANDS])
    index = np.searchsorted(uppers, values, side="right")
    labels = []
    lower = 0.0
    for upper, name_id, name_en in WHO_STUNTING_BANDS:
        name = name_en if lang == "en" else name_id
        if np.isinf(upper):
            rng = f"≥ {format_number(lower, 1, lang)}%"
        else:
            rng = f"{format_number(lower, 1, lang)}–< {format_number(upper, 1, lang)}%"
        labels.append(f"{name} ({rng})")
        lower = upper
    return index, tuple(labels)


def _fit(values: np.ndarray, scheme: str, k: int):
    with warnings.catch_warnings():
        # Tied values can leave fewer quantile classes than asked: mapclassify then lowers k
        # itself and the labels show the classes actually made. Without numba it also warns
        # that Jenks is slow: exact Jenks is O(k·n²), so large datasets take breaks from a
        # fixed-seed sample of 2,000 values (reproducible).
        warnings.filterwarnings("ignore", "Not enough unique values", UserWarning)
        warnings.filterwarnings("ignore", "Numba not installed", UserWarning)
        if scheme == "quantiles":
            return mapclassify.Quantiles(values, k=k)
        if scheme == "equal_interval":
            return mapclassify.EqualInterval(values, k=k)
        if len(values) <= 2_000:
            return mapclassify.FisherJenks(values, k=k)
        sample = np.random.default_rng(0).choice(values, 2_000, replace=False)
        bins = mapclassify.FisherJenks(sample, k=k).bins
        bins[-1] = values.max()
        return mapclassify.UserDefined(values, bins=bins)


def _range_labels(low: float, uppers: np.ndarray, decimals: int, lang: str) -> tuple[str, ...]:
    """Labels of classes whose upper bounds are inclusive: "0 – 2", "> 2 – 7", and "0" for a
    class holding one value."""
    labels = []
    for i, hi in enumerate(uppers):
        lo_text = format_number(low, decimals, lang)
        hi_text = format_number(hi, decimals, lang)
        if i == 0:
            labels.append(hi_text if low == hi else f"{lo_text} – {hi_text}")
        else:
            labels.append(f"> {lo_text} – {hi_text}")
        low = hi
    return tuple(labels)


def classify(values: np.ndarray, scheme: str, k: int = 5, *, lang: str = "id",
             decimals: int = 1) -> Classes:
    """Classify values for a choropleth.

    Parameters
    ----------
    values
        One value per village; NaN is "no data" and gets class -1.
    scheme
        ``"who"`` (WHO/UNICEF 2019 stunting bands, values in %), ``"quantiles"``,
        ``"equal_interval"`` or ``"natural_breaks"`` (Fisher–Jenks, via mapclassify).
    k
        Number of classes for data-driven schemes; lowered to the number of
        distinct values when there are fewer.
    lang, decimals
        Number style of the class labels.

    Examples
    --------
    >>> classify(np.array([1.0, 15.0, np.nan, 35.0]), "who").index.tolist()
    [0, 2, -1, 4]
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}")
    asked = k
    values = np.asarray(values, dtype=float)
    ok = np.isfinite(values)
    index = np.full(values.shape, -1, dtype=int)
    if scheme == "who":
        idx, labels = _who(values[ok], lang)
    else:
        present = values[ok]
        n_unique = len(np.unique(present))
        k = max(1, min(k, n_unique))
        if n_unique == 0:
            return Classes(scheme, index, (), (), int((~ok).sum()))
        if k == 1:
            idx = np.zeros(len(present), dtype=int)
            uppers = np.array([present.max()])
        else:
            fitted = _fit(present, scheme, k)
            idx = np.asarray(fitted.yb, dtype=int)
            uppers = np.asarray(fitted.bins, dtype=float)
        if np.all(present % 1 == 0) and np.all(uppers % 1 == 0):
            decimals = 0  # whole counts with whole breaks need no decimals
        labels = _range_labels(present.min(), uppers, decimals, lang)
    index[ok] = idx
    counts = tuple(int((index == c).sum()) for c in range(len(labels)))
    note = None if scheme == "who" else tie_note(values[ok], asked, len(labels), decimals)
    return Classes(scheme, index, labels, counts, int((~ok).sum()), note)


def tie_note(present: np.ndarray, asked: int, made: int, decimals: int = 1) -> Message | None:
    """Why ``made`` < ``asked`` classes: the value most villages share (e.g. 0 % in many
    villages), as a message ("nilai yang sama (mis. 0) di 120 desa: 4 kelas, bukan 5")."""
    if made >= asked or len(present) == 0:
        return None
    uniques, counts = np.unique(present, return_counts=True)
    if counts.max() < 2:
        return None  # fewer distinct values than classes, none repeated: nothing tied
    top = int(np.argmax(counts))
    return Message.of("classify.ties", value=Num(float(uniques[top]), decimals, trim=True),
                      villages=int(counts[top]), made=made, asked=asked)
