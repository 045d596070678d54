"""Rembuk stunting (Aksi 3): the numbers the presenter shows and the changes the meeting makes.

Pure functions for the presenter mode and the Berita Acara:

- :func:`outcome_indicator`, :func:`headline`, :func:`by_kecamatan`: pooled rates
  (sum of numerators / sum of denominators over villages with a valid rate, never a
  mean of village rates) for the district and per kecamatan, and the change against
  the previous year with data.
- :func:`meeting_config`: a village added or removed in the meeting becomes a forced
  village with its reason, and N grows or shrinks by one, so the list changes by
  exactly that village (no silent swap with the village ranked N).
- :func:`meeting_changes`: the audit rows of the meeting (villages added and removed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from geo.core.errors import InputError
from geo.core.indicators import IndicatorValues, base_id, catalogue
from geo.data.model import Dataset

__all__ = ["CHANGE_ACTIONS", "Headline", "MeetingChange", "by_kecamatan", "headline",
           "indicator_label", "meeting_changes", "meeting_config", "outcome_indicator"]

#: Audit actions that change the list (what a Berita Acara reports).
CHANGE_ACTIONS = ("add", "remove")
_CREATING = ("create", "duplicate", "import")
_PREFERRED_RATES = ("prevalensi", "rasio_merah")


@dataclass(frozen=True)
class Headline:
    """District totals of one rate indicator for one year.

    ``measured`` and ``cases`` are the summed denominator and numerator; ``rate`` the
    pooled percentage; ``previous_rate`` the same for ``previous_year`` (None when the
    dataset has no earlier year). ``change`` is in percentage points.
    """

    indicator_id: str
    year: int
    measured: float
    cases: float
    rate: float
    villages_with_data: int
    previous_year: int | None = None
    previous_rate: float | None = None

    @property
    def change(self) -> float | None:
        """Rate minus the previous year's rate (percentage points), or None."""
        return None if self.previous_rate is None else self.rate - self.previous_rate


@dataclass(frozen=True)
class MeetingChange:
    """One village added to or removed from the list during the meeting."""

    at: datetime
    who: str
    action: str  # "add" or "remove"
    code: str
    name: str
    kecamatan: str
    reason: str


def outcome_indicator(dataset: Dataset, indicator_id: str | None = None) -> str:
    """The rate the situation step shows: ``indicator_id`` when it is a rate with a
    denominator, else the dataset's prevalence (or screening) rate.

    Raises
    ------
    InputError
        The dataset has no rate indicator at all.
    """
    rates = [i.id for i in dataset.indicators if i.is_rate]
    if indicator_id and base_id(indicator_id) == indicator_id and indicator_id in rates:
        return indicator_id
    for rid in (*_PREFERRED_RATES, *rates):
        if rid in rates:
            return rid
    raise InputError.of("rembuk.error.no_rate")


def _valid(values: IndicatorValues) -> np.ndarray:
    return np.isfinite(values.value)


def _pooled(values: IndicatorValues, mask: np.ndarray) -> tuple[float, float, float]:
    num = float(np.nansum(values.numerator[mask]))
    den = float(np.nansum(values.denominator[mask])) if values.denominator is not None else 0.0
    return num, den, (100.0 * num / den if den else float("nan"))


def headline(dataset: Dataset, indicator_id: str, year: int) -> Headline:
    """Pooled district rate of a rate indicator for ``year`` and the previous year."""
    values = dataset.values(indicator_id, int(year))
    valid = _valid(values)
    cases, measured, rate = _pooled(values, valid)
    prev_year = dataset.previous_year(indicator_id, int(year))
    prev_rate = None
    if prev_year is not None:
        before = dataset.values(indicator_id, prev_year)
        prev_rate = _pooled(before, _valid(before))[2]
    return Headline(indicator_id=indicator_id, year=int(year), measured=measured, cases=cases, rate=rate,
                    villages_with_data=int(valid.sum()), previous_year=prev_year,
                    previous_rate=prev_rate)


def by_kecamatan(dataset: Dataset, indicator_id: str, year: int) -> pd.DataFrame:
    """Pooled rate per kecamatan, highest first.

    Columns ``kode_kec, nama_kec, kasus, diukur, rasio`` (rasio in percent; NaN when no
    village of the kecamatan has data, listed last).
    """
    values = dataset.values(indicator_id, int(year))
    valid = _valid(values)
    frame = pd.DataFrame({
        "kode_kec": dataset.villages["kode_kec"].to_numpy(),
        "nama_kec": dataset.villages["nama_kec"].to_numpy(),
        "kasus": np.where(valid, values.numerator, 0.0),
        "diukur": np.where(valid, values.denominator if values.denominator is not None else 0.0, 0.0),
    })
    out = frame.groupby(["kode_kec", "nama_kec"], as_index=False)[["kasus", "diukur"]].sum()
    out["rasio"] = np.where(out["diukur"] > 0, 100.0 * out["kasus"] / out["diukur"].where(out["diukur"] > 0),
                            np.nan)
    return out.sort_values(["rasio", "nama_kec"], ascending=[False, True], na_position="last",
                           kind="stable").reset_index(drop=True)


def meeting_config(config: Mapping[str, Any], code: str, reason: str, action: str,
                   chosen: Sequence[str]) -> dict[str, Any]:
    """The scoring configuration (dict) after the meeting adds or removes ``code``.

    An added village is forced in and N grows by one; a removed village is forced out
    and N shrinks by one: the list changes by that village only (forced villages count
    toward N, see :mod:`geo.scoring.selection`). Forced villages and N stay visible in the
    configuration, so the saved scenario reproduces the agreed list.

    Raises
    ------
    InputError
        Empty reason, unknown action, adding a village already on the list or removing
        one that is not on it.
    """
    why = " ".join(str(reason or "").split())
    if not why:
        raise InputError.of("rembuk.error.reason_required")
    if action not in CHANGE_ACTIONS:
        raise InputError.of("rembuk.error.unknown_action", action=action)
    on_list = code in set(chosen)
    if action == "add" and on_list:
        raise InputError.of("rembuk.error.already_listed", rows=[code])
    if action == "remove" and not on_list:
        raise InputError.of("rembuk.error.not_listed", rows=[code])
    out = dict(config)
    force_in, force_out = dict(config.get("force_in") or {}), dict(config.get("force_out") or {})
    if action == "add":
        force_out.pop(code, None)
        force_in[code] = why
        out["top_n"] = int(config["top_n"]) + 1
    else:
        force_in.pop(code, None)
        force_out[code] = why
        out["top_n"] = max(1, int(config["top_n"]) - 1)
    out["force_in"], out["force_out"] = force_in, force_out
    return out


def meeting_changes(entries: Sequence[Any], villages: pd.DataFrame,
                    since: datetime | None = None) -> list[MeetingChange]:
    """List changes (add/remove audit rows) at or after ``since``, oldest first; the rows
    listing a scenario's villages when it was created are not changes.

    ``entries`` are :class:`geo.store.model.AuditEntry` rows (anything with ``at, who,
    action, code, reason``); ``villages`` gives names (columns ``kode, nama, nama_kec``).
    """
    names = villages.set_index("kode")[["nama", "nama_kec"]]
    # a scenario saved during the meeting logs its whole list as "add" rows at its creation time
    created = {e.at for e in entries if e.action in _CREATING}
    out = []
    for e in sorted(entries, key=lambda e: (e.at, getattr(e, "id", 0))):
        if (e.action not in CHANGE_ACTIONS or not e.code or e.at in created
                or (since is not None and e.at < since)):
            continue
        nama, kec = names.loc[e.code] if e.code in names.index else (e.code, "")
        out.append(MeetingChange(at=e.at, who=e.who, action=e.action, code=e.code, name=str(nama),
                                 kecamatan=str(kec), reason=e.reason))
    return out


def indicator_label(indicator_id: str, lang: str = "id") -> str:
    """Catalogue label of a measure field or indicator (the field name when unknown)."""
    ind = catalogue().get(indicator_id)
    return ind.label(lang) if ind else indicator_id
