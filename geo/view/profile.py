"""One village at a glance: the numbers behind the village profile panel.

:func:`village_profile` gathers for one village its outcome rate in every year of the dataset
(children counted, 95 % Wilson interval, the kabupaten's pooled rate beside it), every indicator
of one year against its kecamatan and kabupaten, its place in a scoring result (rank, score,
P(top-N), stability and *why* it is or is not a lokus), when SMAA was run its P(lokus),
expected rank and rank acceptability under the weights agreed as a ranking, and its
data-quality flags. It returns numbers and :class:`~geo.core.messages.Message` s only; the page renders them.

**Pooled values.** A rate is pooled as Σ numerators ÷ Σ denominators over the group's villages
with a valid rate that year (a village of 200 children weighs more than one of 5, and the
result is the group's own rate). A count, a coverage share or a percentage given without
counts has nothing to pool: the group value is the mean over its villages with a value.
The kabupaten is the first two segments of the Kemendagri code (``PP.KK``), so a dataset with
several kabupaten compares a village with its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.core.errors import InputError
from geo.core.indicators import Indicator, IndicatorValues
from geo.core.messages import Message, Num
from geo.core.rates import wilson_interval
from geo.data.model import Dataset, label_message
from geo.scoring.config import ScoringConfig
from geo.scoring.result import ScoringResult
from geo.scoring.smaa import SmaaResult

__all__ = ["TREND_INDICATORS", "IndicatorRow", "SmaaStanding", "Standing", "TrendPoint", "VillageProfile",
           "pooled_value", "smaa_standing", "trend_indicator", "village_profile"]

#: Outcome rates the trend may show, first available wins (HAZ-based prevalence before the
#: posyandu screening rate).
TREND_INDICATORS = ("prevalensi", "rasio_merah")


@dataclass(frozen=True)
class TrendPoint:
    """The outcome rate of one year: counts, rate and 95 % Wilson interval (percent; NaN
    without data) and the kabupaten's pooled rate that year."""

    year: int
    k: float
    n: float
    rate: float
    low: float
    high: float
    kabupaten: float


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator of the profile year: the village, its kecamatan and its kabupaten.

    ``pooled``: the group values are Σ numerators ÷ Σ denominators (rates), else means of
    the villages with a value. ``synthetic``: a value of a SINTETIS coverage table."""

    indicator: Indicator
    value: float
    numerator: float
    denominator: float
    kecamatan: float
    kabupaten: float
    pooled: bool
    synthetic: bool = False


@dataclass(frozen=True)
class Standing:
    """The village in a scoring result.

    ``rank`` is None when the village was not scored; ``ranked`` = villages scored;
    ``why``: one message saying why it is (not) a lokus; ``flags``: the result's own flags
    for the village (small n, filled values, measurement quality)."""

    year: int
    rank: int | None
    ranked: int
    total: int
    score: float
    p_top_n: float
    stability: str
    recommended: bool
    top_n: int
    why: Message
    flags: tuple[Message, ...] = ()


@dataclass(frozen=True)
class VillageProfile:
    """Everything the profile panel shows about one village (see the module docstring)."""

    code: str
    name: str
    kecamatan: str
    kecamatan_code: str
    kind: str  # "desa" or "kelurahan" (4-digit part starting with 1)
    year: int
    trend_indicator: Indicator | None
    trend: tuple[TrendPoint, ...]
    indicators: tuple[IndicatorRow, ...]
    standing: Standing | None
    flags: tuple[Message, ...]
    min_n: int
    smaa: SmaaStanding | None = None


@dataclass(frozen=True)
class SmaaStanding:
    """The village under the weights agreed as a ranking (SMAA, :mod:`geo.scoring.smaa`).

    ``acceptability[r - 1]`` = P(rank r) over ``ranked`` villages; ``p_lokus`` = P(rank ≤
    ``top_n``) (top-N without quotas); ``p_first`` = P(rank 1); ``expected_rank`` and
    ``median_rank`` of the draws; ``draws`` = weight vectors sampled."""

    p_lokus: float
    p_first: float
    expected_rank: float
    median_rank: int
    acceptability: tuple[float, ...]
    ranked: int
    top_n: int
    draws: int


def smaa_standing(smaa: SmaaResult, code: str) -> SmaaStanding | None:
    """The village's row of an SMAA result (None when it was not ranked: no score)."""
    if code not in smaa.table.index:
        return None
    row = smaa.table.loc[code]
    return SmaaStanding(
        p_lokus=float(row["p_lokus"]), p_first=float(row["p_pertama"]),
        expected_rank=float(row["peringkat_harapan"]), median_rank=int(row["peringkat_tengah"]),
        acceptability=tuple(float(x) for x in smaa.acceptability.loc[code].to_numpy()),
        ranked=len(smaa.table), top_n=smaa.top_n, draws=smaa.draws)


def pooled_value(values: IndicatorValues, members: np.ndarray) -> tuple[float, bool]:
    """(group value, pooled?) of an indicator over the villages where ``members`` is true.

    >>> from geo.core.indicators import catalogue
    >>> v = IndicatorValues(catalogue()["rasio_merah"], 2021, np.array([30.0, 10.0, np.nan]),
    ...                     np.array([30.0, 10.0, 5.0]), np.array([100.0, 100.0, 0.0]))
    >>> pooled_value(v, np.array([True, True, True]))
    (20.0, True)
    """
    ok = members & np.isfinite(values.value)
    if values.indicator.kind == "rate" and values.denominator is not None:
        total = float(values.denominator[ok].sum())
        return (100.0 * float(values.numerator[ok].sum()) / total if total > 0 else float("nan")), True
    return (float(values.value[ok].mean()) if ok.any() else float("nan")), False


def trend_indicator(dataset: Dataset) -> Indicator | None:
    """The outcome rate the trend shows: the first of :data:`TREND_INDICATORS` with data."""
    available = {i.id: i for i in dataset.indicators}
    for indicator_id in TREND_INDICATORS:
        if indicator_id in available and dataset.indicator_years(indicator_id):
            return available[indicator_id]
    return None


def _trend(dataset: Dataset, indicator: Indicator, pos: int, kabupaten: np.ndarray) -> tuple[TrendPoint, ...]:
    points = []
    for year in dataset.years:
        values = dataset.values(indicator.id, year)
        assert values.denominator is not None  # a trend indicator is a rate
        k, n, rate = values.numerator[pos], values.denominator[pos], values.value[pos]
        valid = bool(np.isfinite(rate))
        low, high = (wilson_interval(k, n) if valid else (np.nan, np.nan))
        points.append(TrendPoint(
            year=int(year), k=float(k) if valid else float("nan"),
            n=float(n) if np.isfinite(n) else float("nan"),
            rate=float(rate), low=100.0 * float(low), high=100.0 * float(high),
            kabupaten=pooled_value(values, kabupaten)[0]))
    return tuple(points)


def _indicator_rows(dataset: Dataset, year: int, pos: int, kecamatan: np.ndarray,
                    kabupaten: np.ndarray) -> tuple[IndicatorRow, ...]:
    rows = []
    for indicator in dataset.indicators:
        if year not in dataset.indicator_years(indicator.id):
            continue
        values = dataset.values(indicator.id, year)
        kec_value, pooled = pooled_value(values, kecamatan)
        den = values.denominator[pos] if values.denominator is not None else np.nan
        rows.append(IndicatorRow(
            indicator=indicator, value=float(values.value[pos]),
            numerator=float(values.numerator[pos]), denominator=float(den),
            kecamatan=kec_value, kabupaten=pooled_value(values, kabupaten)[0], pooled=pooled,
            synthetic=indicator.kind == "coverage" and dataset.coverage_synthetic))
    return tuple(rows)


def _code_forms(code: str) -> set[str]:
    return {code, code.replace(".", "")}


def _data_flags(dataset: Dataset, profile_year: int, pos: int, code: str, point: TrendPoint | None,
                rows: tuple[IndicatorRow, ...], min_n: int) -> tuple[Message, ...]:
    """Data-quality flags of the village in ``profile_year`` (see :func:`village_profile`)."""
    flags: list[Message] = []
    if point is not None and not (point.n > 0):
        flags.append(Message.of("profile.flag.no_data", year=str(profile_year)))
    elif point is not None and point.n < min_n:
        flags.append(Message.of("profile.flag.small_n", n=int(point.n), min_n=min_n))
    if dataset.measurement_check(profile_year)[pos]:
        flags.append(Message.of("profile.flag.measurement", year=str(profile_year)))
    for row in rows:
        if row.indicator.kind == "rate" and np.isnan(row.value) and row.denominator > 0:
            flags.append(Message.of("profile.flag.bad_rate", indicator=label_message(row.indicator),
                                    k=Num(row.numerator, 0), n=Num(row.denominator, 0)))
    issues = dataset.quality_log.issues
    mine = issues.loc[issues["value"].isin(_code_forms(code)).fillna(False).astype(bool)]
    for (file, reason), group in mine.groupby(["file", "reason"], sort=False):
        listed = tuple(str(int(r)) for r in group["row"].dropna())
        flags.append(Message.of("profile.flag.quality_rows", file=file, n=len(group),
                                reason=Message.of(f"quality.reason.{reason}"),
                                rows=Message.of("table.rows", rows=listed)))
    if any(row.synthetic for row in rows):
        flags.append(Message.of("profile.flag.synthetic"))
    return tuple(flags)


def _why(result: ScoringResult, row: pd.Series, code: str, rank: int | None, ranked: int) -> Message:
    """Why the village is, or is not, a lokus of ``result``."""
    cfg, selection = result.config, result.selection
    if row["rekomendasi"] == "ya":
        reason = row["alasan"] if isinstance(row["alasan"], Message) else Message.of(
            "scoring.engine.rank", rank=rank)
        return Message.of("profile.why.lokus", reason=reason, n=cfg.top_n)
    if code in selection.excluded:
        return Message.of("profile.why.forced_out", reason=selection.excluded[code])
    if rank is None:
        return Message.of("profile.why.not_scored", year=str(cfg.year))
    if code in selection.skipped_by_quota:
        return Message.of("profile.why.quota", rank=rank, total=ranked,
                          k=cfg.max_per_kecamatan or 0, n=cfg.top_n)
    return Message.of("profile.why.rank", rank=rank, total=ranked, n=cfg.top_n)


def _standing(result: ScoringResult, code: str) -> Standing | None:
    table = result.table
    hits = np.flatnonzero(table["kode"].to_numpy() == code)
    if not hits.size:
        return None
    row = table.iloc[hits[0]]
    scored = bool(np.isfinite(row["skor"]))
    ranked = int(np.isfinite(table["skor"].to_numpy(dtype=float)).sum())
    rank = int(row["peringkat"]) if scored else None
    flags = row["flags"] if isinstance(row["flags"], tuple | list) else ()
    return Standing(
        year=result.config.year, rank=rank, ranked=ranked, total=len(table),
        score=float(row["skor"]), p_top_n=float(row["p_top_n"]),
        stability=row["stabilitas"] if isinstance(row["stabilitas"], str) else "",
        recommended=row["rekomendasi"] == "ya", top_n=result.config.top_n,
        why=_why(result, row, code, rank, ranked), flags=tuple(flags))


def village_profile(dataset: Dataset, code: str, year: int | None = None,
                    result: ScoringResult | None = None, smaa: SmaaResult | None = None) -> VillageProfile:
    """The profile of village ``code``: trend over every year, indicators of ``year`` (default
    the latest) against kecamatan and kabupaten, standing in ``result`` (when given), its
    standing under the weight ranking ``smaa`` (when SMAA was run), flags.

    Flags: no outcome data or fewer children measured than ``min_n`` (the result's, else the
    scoring default) in ``year``; measurements to check (``mutu_pengukuran``); a rate left out
    because its numerator exceeds its denominator; rows of the data files naming the village's
    code that were left out or collapsed (the quality log); SINTETIS coverage values.

    Raises
    ------
    InputError
        ``code`` is not a village of the dataset.
    """
    villages = dataset.villages
    hits = np.flatnonzero(villages["kode"].to_numpy() == code)
    if not hits.size:
        raise InputError.of("scoring.error.village", rows=[code])
    pos = int(hits[0])
    village = villages.iloc[pos]
    year = int(year if year is not None else dataset.years[-1])
    codes = villages["kode"].astype(str)
    kecamatan = (villages["kode_kec"] == village["kode_kec"]).to_numpy()
    kabupaten = (codes.str[:5] == code[:5]).to_numpy()
    outcome = trend_indicator(dataset)
    trend = _trend(dataset, outcome, pos, kabupaten) if outcome is not None else ()
    rows = _indicator_rows(dataset, year, pos, kecamatan, kabupaten)
    min_n = result.config.min_n if result is not None else ScoringConfig.min_n
    point = next((p for p in trend if p.year == year), None)
    return VillageProfile(
        code=code, name=str(village["nama"]), kecamatan=str(village["nama_kec"]),
        kecamatan_code=str(village["kode_kec"]),
        kind="kelurahan" if code.split(".")[-1].startswith("1") else "desa", year=year,
        trend_indicator=outcome, trend=trend, indicators=rows,
        standing=_standing(result, code) if result is not None else None,
        flags=_data_flags(dataset, year, pos, code, point, rows, min_n), min_n=min_n,
        smaa=smaa_standing(smaa, code) if smaa is not None else None)
