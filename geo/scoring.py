"""Aksi 1 scoring pipeline: from a dataset and a visible configuration to a defended lokus list.

One call, :func:`run_scoring`, does every step and keeps every number:

1. **Values for the year scored** (``config.year``, always explicit). Rate indicators
   (``kind == "rate"``) are ``100 · k / n`` with a 95 % Wilson interval; with
   ``smoothing="global"`` (the default) they are empirical-Bayes smoothed toward the
   kabupaten rate, with ``"kecamatan"`` toward the kecamatan rate
   (:func:`geo.rates.eb_smooth`). Global is the default because a kecamatan has only
   ~10 villages, so its own prior is itself noisy, and shrinking toward the
   kecamatan mean would hide a kecamatan-wide problem that planners need to see.
   Villages with fewer than ``min_n`` in the denominator are flagged. A ``__delta``
   of a rate is the difference of the two smoothed rates (raw when smoothing is off).
2. **Missing values** (:func:`geo.mcda.impute`): ``exclude`` leaves the indicator out
   of that village's score (weights renormalised over what it has);
   ``kecamatan_median``; ``worst``. Every filled or excluded cell is named in
   ``flags``. **TOPSIS cannot take gaps**: with ``exclude`` it falls back to the
   kecamatan median, flags those cells and says so in ``warnings``.
   Villages with no value for any chosen indicator (e.g. kelurahan without a row)
   are not scored at all: NaN score, ranked after every scored village (by code),
   flag ``tanpa data``, never recommended unless forced in.
3. **Score** (:func:`geo.mcda.score`): SAW, weighted geometric mean or TOPSIS on the
   direction-aware normalised matrix; directions come from the catalogue only.
4. **Rank** (1 = highest priority; ties by code), rank within the kecamatan,
   priority class (quartiles of the scores).
5. **Selection** (:func:`geo.selection.select_top`): top N with at most K per
   kecamatan, optionally at least one per kecamatan, forced in/out with reasons.
6. **Stability** (:func:`geo.stability.rank_stability`): P(in the selection) over
   ``draws`` Monte Carlo draws of the weights (Dirichlet, ``weight_cv``) and of the
   counts of every rate indicator (binomial, re-smoothed per draw). ``__delta`` and
   the hotspot criterion are held fixed.
7. **Hotspots** (:func:`geo.hotspots.local_moran`): Local Moran's I of the smoothed
   outcome rate (the first higher-worse rate among the chosen indicators, else the
   dataset's prevalence or screening rate; EB global when smoothing is off), 999
   permutations, α = 0.05 or FDR; the ``lisa`` column holds the cluster label of every
   village. With ``hotspot_criterion`` the membership of a significant High-High
   cluster (1/0) is an extra criterion :data:`HOTSPOT_ID`.
"""

from __future__ import annotations

import json
import math
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from geo.ahp import CR_LIMIT, AhpResult, ahp_weights, matrix_from_judgements
from geo.dataset import Dataset
from geo.errors import InputError
from geo.hotspots import CLUSTER_LABELS, local_moran
from geo.i18n import DEFAULT_LANG, catalogue, lang_of, t
from geo.indicators import Indicator, base_id, is_delta
from geo.mcda import (
    Criterion,
    Explanation,
    explain,
    format_id,
    impute,
    priority_class,
    rank,
    score,
    weights_normalise,
)
from geo.rates import eb_smooth, small_n_flag, wilson_interval
from geo.selection import Selection, select_top
from geo.stability import RateSpec, StabilityResult, rank_stability

__all__ = [
    "HOTSPOT_ID",
    "PRESETS",
    "Quadrant",
    "ScoringConfig",
    "ScoringResult",
    "VillageExplanation",
    "ahp_config",
    "explain_village",
    "localise",
    "methodology",
    "preset_config",
    "quadrant",
    "run_scoring",
]

#: Id of the optional "in a High-High LISA cluster" criterion (1 = yes, 0 = no).
HOTSPOT_ID = "hotspot_hh"
HOTSPOT_LABEL = t("scoring.hotspot_label")
METHODS = ("saw", "geomean", "topsis")
NORMALISATIONS = ("minmax", "zscore", "percentile")
SMOOTHINGS = ("none", "global", "kecamatan")
MISSING = ("exclude", "kecamatan_median", "worst")
OUTCOME_RATES = ("prevalensi", "rasio_merah")


def _choice(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise InputError(f"{what} '{value}' tidak dikenal; pilih salah satu: {', '.join(allowed)}.")


@dataclass(frozen=True)
class ScoringConfig:
    """Everything that decides a ranking; JSON round-trips exactly (:meth:`to_dict`).

    Weights are normalised to sum to 1 on construction (kept as given when they
    already sum to 1 within 1e-12, so a round trip is exact). Their keys must be
    exactly ``indicators`` (plus :data:`HOTSPOT_ID` when ``hotspot_criterion``).

    Attributes
    ----------
    year
        The year scored.
    indicators
        Catalogue ids, ``__delta`` ids allowed.
    weights
        Id → weight. With ``hotspot_criterion`` and no weight for :data:`HOTSPOT_ID`,
        it gets the mean of the other weights (before normalisation) and a note says so.
    method, normalisation, smoothing, min_n, missing
        See the module docstring.
    top_n, max_per_kecamatan, min_one_per_kecamatan, force_in, force_out
        Selection rules (forced codes map to the recorded reason).
    hotspot_criterion, hotspot_fdr
        Add LISA High-High membership as a criterion; FDR instead of α = 0.05.
    draws, seed, weight_cv
        Monte Carlo draws, seed (also of the LISA permutations), relative sd of weights.
    ahp_cr
        CR of the AHP judgements the weights came from (None = set directly).
    notes
        Indonesian notes carried into the result warnings (e.g. preset indicators dropped).
    """

    year: int
    indicators: tuple[str, ...]
    weights: Mapping[str, float]
    method: str = "saw"
    normalisation: str = "minmax"
    smoothing: str = "global"
    min_n: int = 20
    missing: str = "exclude"
    top_n: int = 20
    max_per_kecamatan: int | None = None
    min_one_per_kecamatan: bool = False
    force_in: Mapping[str, str] = field(default_factory=dict)
    force_out: Mapping[str, str] = field(default_factory=dict)
    hotspot_criterion: bool = False
    hotspot_fdr: bool = False
    draws: int = 1000
    seed: int = 2024
    weight_cv: float = 0.2
    ahp_cr: float | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        put("year", int(self.year))
        put("indicators", tuple(str(i) for i in self.indicators))
        put("notes", tuple(self.notes))
        put("force_in", {str(k): str(v) for k, v in dict(self.force_in).items()})
        put("force_out", {str(k): str(v) for k, v in dict(self.force_out).items()})
        _choice(self.method, METHODS, "Metode skor")
        _choice(self.normalisation, NORMALISATIONS, "Metode normalisasi")
        _choice(self.smoothing, SMOOTHINGS, "Penghalusan")
        _choice(self.missing, MISSING, "Kebijakan data kosong")
        if self.method == "geomean" and self.normalisation == "zscore":
            raise InputError.of("scoring.error.geomean_zscore")
        if not self.indicators or len(set(self.indicators)) != len(self.indicators):
            raise InputError("Daftar indikator kosong atau berisi indikator ganda.",
                             rows=list(self.indicators))
        if HOTSPOT_ID in self.indicators:
            raise InputError(f"'{HOTSPOT_ID}' bukan indikator; aktifkan kriteria hotspot.")
        weights_in = {str(k): v for k, v in dict(self.weights).items()}
        if self.hotspot_criterion and HOTSPOT_ID not in weights_in and weights_in:
            weights_in[HOTSPOT_ID] = float(np.mean([float(v) for v in weights_in.values()]))
            put("notes", (*self.notes, t("scoring.engine.hotspot_weight")))
        put("weights", weights_in)
        expected = set(self.indicators) | ({HOTSPOT_ID} if self.hotspot_criterion else set())
        given = set(self.weights)
        if given != expected:
            missing = sorted(expected - given)
            extra = sorted(given - expected)
            raise InputError("Bobot harus diberikan tepat untuk setiap kriteria terpilih"
                             + (f"; tanpa bobot: {', '.join(missing)}" if missing else "")
                             + (f"; bobot lebih: {', '.join(extra)}" if extra else "") + ".")
        weights = {str(k): float(v) for k, v in self.weights.items()}
        if not math.isclose(sum(weights.values()), 1.0, rel_tol=0.0, abs_tol=1e-12) or any(
                not np.isfinite(v) or v < 0 for v in weights.values()):
            weights = weights_normalise(weights)
        order = [*self.indicators, *([HOTSPOT_ID] if self.hotspot_criterion else [])]
        put("weights", {k: weights[k] for k in order})
        for name, low in (("min_n", 0), ("top_n", 0), ("draws", 1)):
            value = getattr(self, name)
            if int(value) != value or value < low:
                raise InputError(f"'{name}' harus bilangan bulat ≥ {low}.", rows=[value])
            put(name, int(value))
        if self.max_per_kecamatan is not None:
            if int(self.max_per_kecamatan) != self.max_per_kecamatan or self.max_per_kecamatan < 1:
                raise InputError("Kuota per kecamatan harus bilangan bulat ≥ 1.",
                                 rows=[self.max_per_kecamatan])
            put("max_per_kecamatan", int(self.max_per_kecamatan))
        both = sorted(set(self.force_in) & set(self.force_out))
        if both:
            raise InputError("Desa tidak boleh sekaligus dipaksa masuk dan dikeluarkan.", rows=both)
        if not self.weight_cv >= 0:
            raise InputError("Variasi bobot tidak boleh negatif.")
        put("seed", int(self.seed))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict; :meth:`from_dict` gives back an equal config."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["indicators"] = list(self.indicators)
        out["notes"] = list(self.notes)
        for key in ("weights", "force_in", "force_out"):
            out[key] = dict(out[key])
        return out

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON (UTF-8 text)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoringConfig:
        """Config from :meth:`to_dict` output (unknown keys are an :class:`InputError`)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError("Kunci konfigurasi tidak dikenal.", rows=unknown)
        for key in ("year", "indicators", "weights"):
            if key not in data:
                raise InputError(f"Konfigurasi tanpa '{key}'.")
        return cls(**dict(data))


# --------------------------------------------------------------------------- presets
@cache
def _presets() -> dict[str, dict]:
    path = resources.files("geo") / "resources" / "presets.json"
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


#: Preset name → ``{label_id, label_en, description_id, indicators, weights}``.
#: ``indicators`` entries are an id or a list of alternative ids (first available
#: wins, e.g. ``["prevalensi", "rasio_merah"]``); ``weights`` is parallel to it.
PRESETS: dict[str, dict] = _presets()


def preset_config(dataset: Dataset, name: str, year: int | None = None, **overrides: Any) -> ScoringConfig:
    """Config of a preset for a dataset and year (default: the latest year).

    Each preset entry takes its first alternative the dataset can score that year;
    entries with none are dropped, the weights of the rest renormalised, and each
    drop is written to ``notes`` (shown as a warning). ``overrides`` set other
    :class:`ScoringConfig` fields (``top_n=10``, ``method="topsis"``...).

    Raises
    ------
    InputError
        Unknown preset, or no indicator of the preset available.
    """
    if name not in PRESETS:
        raise InputError(f"Preset '{name}' tidak dikenal; pilih: {', '.join(PRESETS)}.")
    preset = PRESETS[name]
    year = int(year if year is not None else max(dataset.years))
    _check_year(dataset, year)
    available = {i.id for i in dataset.scoring_indicators(year)}
    chosen: dict[str, float] = {}
    notes = []
    for entry, weight in zip(preset["indicators"], preset["weights"], strict=True):
        options = [entry] if isinstance(entry, str) else list(entry)
        hit = next((o for o in options if o in available), None)
        if hit is None:
            notes.append(t("scoring.engine.preset_dropped", "id", preset=preset["label_id"],
                           options=" / ".join(options), year=year))
        elif hit not in chosen:
            chosen[hit] = float(weight)
    if not chosen:
        raise InputError(f"Tidak ada indikator preset '{preset['label_id']}' yang tersedia untuk "
                         f"tahun {year}.")
    params: dict[str, Any] = {"year": year, "indicators": tuple(chosen),
                              "weights": weights_normalise(chosen), "notes": tuple(notes)}
    params.update(overrides)
    return ScoringConfig(**params)


def ahp_config(
    config: ScoringConfig,
    judgements: Mapping[tuple[str, str], float] | np.ndarray,
    *,
    confirm: bool = False,
) -> tuple[ScoringConfig, AhpResult]:
    """Replace the weights of ``config`` by AHP weights from pairwise judgements (1–9).

    ``judgements`` is ``{(a, b): value}`` over the criteria of ``config`` (or the
    matrix in that order). The CR is stored in ``ahp_cr`` and appears in the result
    warnings when above 0.1.

    Raises
    ------
    InputError
        Invalid judgements, or CR > 0.1 without ``confirm=True`` (never applied silently).
    """
    ids = list(config.weights)
    matrix = (matrix_from_judgements(ids, judgements) if isinstance(judgements, Mapping)
              else np.asarray(judgements, dtype=float))
    result = ahp_weights(matrix, ids)
    if not result.consistent and not confirm:
        raise InputError(f"Penilaian AHP tidak konsisten (CR = {format_id(result.cr, 3)} > "
                         f"{format_id(CR_LIMIT)}); perbaiki perbandingan atau konfirmasi untuk "
                         "tetap memakai bobot ini.")
    weights = {k: float(v) for k, v in result.weights.items()}
    return replace(config, weights=weights, ahp_cr=float(result.cr)), result


# --------------------------------------------------------------------------- result types
@dataclass(frozen=True)
class ScoringResult:
    """Everything :func:`run_scoring` computed.

    Attributes
    ----------
    config
        The configuration used.
    table
        One row per village in boundary order (index 0..n-1 like ``dataset.villages``):
        ``kode, nama, nama_kec, kode_kec, tahun``; per criterion id ``{id}`` (value
        scored: smoothed rate, after the missing policy), ``{id}__norm``,
        ``{id}__kontribusi``; per rate also ``{id}__mentah`` (raw %), ``{id}__k``,
        ``{id}__n``, ``{id}__ci_bawah``, ``{id}__ci_atas`` (95 % Wilson, %); per
        ``__delta`` ``{id}__mentah``; then ``skor, peringkat, peringkat_kec, n_kec,
        kelas, rekomendasi, alasan, p_top_n`` (NaN without stability), ``stabilitas``
        (inti/bimbang/jarang; "" without stability), ``lisa`` (Tinggi-Tinggi, Rendah-Rendah,
        Tinggi-Rendah, Rendah-Tinggi, Tidak signifikan, Tanpa tetangga, Tidak ada data;
        "" without hotspots), ``flags`` (Indonesian, "; "-separated).
    selection
        The :class:`geo.selection.Selection`.
    warnings
        Indonesian sentences for the UI.
    criteria
        Criteria scored (catalogue direction, normalised weight, label, unit).
    indicators
        Resolved catalogue entries (``__delta`` with their compared year), by id.
    stability
        Monte Carlo result (None when not run).
    hotspot_indicator
        Indicator the LISA layer was computed on (None when not run).
    synthetic
        A chosen coverage indicator comes from a SINTETIS table.
    """

    config: ScoringConfig
    table: pd.DataFrame
    selection: Selection
    warnings: tuple[str, ...]
    criteria: tuple[Criterion, ...] = ()
    indicators: Mapping[str, Indicator] = field(default_factory=dict)
    stability: StabilityResult | None = None
    hotspot_indicator: str | None = None
    synthetic: bool = False

    def ranked(self) -> pd.DataFrame:
        """The table sorted by ``peringkat``."""
        return self.table.sort_values("peringkat", kind="stable")


@dataclass(frozen=True)
class VillageExplanation:
    """Why a village ranks where it does.

    ``contributions``: ``(indicator_id, label, value text, share of the score)``,
    largest share first; labels, texts, ``sentence`` and ``reason`` are in the language asked for.
    """

    code: str
    name: str
    rank: int
    rank_kec: int
    n_kec: int
    contributions: list[tuple[str, str, str, float]]
    sentence: str
    kecamatan: str = ""
    score: float = float("nan")
    recommended: bool = False
    reason: str = ""
    p_top_n: float = float("nan")


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


# --------------------------------------------------------------------------- helpers
def _add_flag(flags: np.ndarray, mask: np.ndarray, text: Any) -> np.ndarray:
    text_arr = np.broadcast_to(np.asarray(text, dtype=object), flags.shape)
    joined = np.where(flags == "", text_arr, flags + "; " + text_arr)
    return np.where(mask, joined, flags)


def _smooth(k: np.ndarray, n: np.ndarray, valid: np.ndarray, how: str, groups: np.ndarray) -> np.ndarray:
    """Smoothed percent where valid (NaN elsewhere); ``how`` = global | kecamatan."""
    eb = eb_smooth(np.where(valid, k, 0.0), np.where(valid, n, 0.0),
                   groups if how == "kecamatan" else None)
    return np.where(valid, 100.0 * eb.rate, np.nan)


def _rate_parts(dataset: Dataset, iid: str, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    vals = dataset.values(iid, year)
    valid = ~np.isnan(vals.value)
    return vals.numerator, vals.denominator, valid


def _outcome_rate(dataset: Dataset, indicators: Sequence[str], year: int) -> str | None:
    for iid in indicators:
        ind = dataset.indicator(iid, year)
        if ind.kind == "rate" and ind.direction == "higher_worse":
            return iid
    avail = {i.id for i in dataset.scoring_indicators(year)}
    return next((o for o in OUTCOME_RATES if o in avail), None)


def _check_year(dataset: Dataset, year: int) -> None:
    known = set(dataset.years) | set(dataset.coverage_years)
    if year not in known:
        raise InputError(f"Tahun {year} tidak ada di data (tersedia: {', '.join(map(str, sorted(known)))}).")


def _check_codes(dataset: Dataset, codes: Mapping[str, str], what: str) -> None:
    unknown = sorted(set(codes) - set(dataset.codes))
    if unknown:
        raise InputError(f"Kode desa {what} tidak ada di data.", rows=unknown)


# --------------------------------------------------------------------------- pipeline
def run_scoring(
    dataset: Dataset, config: ScoringConfig, *, stability: bool = True, hotspots: bool = True
) -> ScoringResult:
    """Score, rank and select lokus villages; see the module docstring for every step.

    Raises
    ------
    InputError
        Unknown or context indicator, an indicator without data in ``config.year``,
        unknown forced codes, invalid selection rules.
    """
    cfg = config
    villages = dataset.villages
    m = len(villages)
    codes = dataset.codes
    kec = villages["kode_kec"].astype(str).to_numpy()
    year = cfg.year
    _check_year(dataset, year)
    _check_codes(dataset, cfg.force_in, "dipaksa masuk")
    _check_codes(dataset, cfg.force_out, "dikeluarkan")
    warnings: list[str] = list(cfg.notes)
    inds: dict[str, Indicator] = {}
    for iid in cfg.indicators:
        ind = dataset.indicator(iid, year)
        if ind.direction == "context":
            raise InputError.of("scoring.error.context", id=iid)
        if year not in dataset.indicator_years(iid):
            raise InputError.of("scoring.error.indicator_year", id=iid, year=year)
        inds[iid] = ind

    table = pd.DataFrame({
        "kode": codes.to_numpy(), "nama": villages["nama"].to_numpy(),
        "nama_kec": villages["nama_kec"].to_numpy(), "kode_kec": kec, "tahun": year,
    })
    flags = np.full(m, "", dtype=object)
    used: dict[str, np.ndarray] = {}
    extra: dict[str, np.ndarray] = {}
    rates: dict[str, RateSpec] = {}
    n_small = np.zeros(m, bool)
    for iid, ind in inds.items():
        if ind.kind == "rate":
            k, n, valid = _rate_parts(dataset, iid, year)
            k0, n0 = np.where(valid, k, 0.0), np.where(valid, n, 0.0)
            lo, hi = wilson_interval(k0, n0)
            raw = np.where(valid, 100.0 * k0 / np.where(valid, n0, 1.0), np.nan)
            used[iid] = raw if cfg.smoothing == "none" else _smooth(k, n, valid, cfg.smoothing, kec)
            extra.update({f"{iid}__mentah": raw, f"{iid}__k": k, f"{iid}__n": n,
                          f"{iid}__ci_bawah": 100.0 * lo, f"{iid}__ci_atas": 100.0 * hi})
            small = valid & small_n_flag(n0, cfg.min_n)
            n_small |= small
            n_text = np.array([format_id(x, 0) for x in np.nan_to_num(n0)], dtype=object)
            small_text = np.array([t("scoring.engine.small_n", "id", id=iid, n=x, min_n=cfg.min_n)
                                   for x in n_text], dtype=object)
            flags = _add_flag(flags, small, small_text)
            bad = ~np.isnan(k) & ~np.isnan(n) & (k > n)
            flags = _add_flag(flags, bad, t("scoring.engine.bad_rate", "id", id=iid))
            rates[iid] = RateSpec(pd.Series(k0, index=codes), pd.Series(n0, index=codes),
                                  smooth=cfg.smoothing)  # type: ignore[arg-type]
        elif ind.kind == "delta" and dataset.indicator(base_id(iid)).kind == "rate":
            base, prev = base_id(iid), int(ind.previous_year)  # type: ignore[arg-type]
            pair = []
            raw_pair = []
            for y in (year, prev):
                k, n, valid = _rate_parts(dataset, base, y)
                raw_pair.append(np.where(valid, 100.0 * k / np.where(valid, n, 1.0), np.nan))
                pair.append(raw_pair[-1] if cfg.smoothing == "none"
                            else _smooth(k, n, valid, cfg.smoothing, kec))
            used[iid] = pair[0] - pair[1]
            extra[f"{iid}__mentah"] = raw_pair[0] - raw_pair[1]
        else:
            used[iid] = dataset.values(iid, year).value

    hotspot_id = None
    lisa = np.full(m, "", dtype=object)
    if hotspots or cfg.hotspot_criterion:
        hotspot_id = _outcome_rate(dataset, cfg.indicators, year)
        if hotspot_id is None:
            if cfg.hotspot_criterion:
                raise InputError.of("scoring.error.hotspot_needs_rate")
            warnings.append(t("scoring.engine.no_hotspot"))
        else:
            k, n, valid = _rate_parts(dataset, hotspot_id, year)
            y = _smooth(k, n, valid, "kecamatan" if cfg.smoothing == "kecamatan" else "global", kec)
            hs = local_moran(y, villages.geometry, permutations=999, seed=cfg.seed, fdr=cfg.hotspot_fdr)
            lisa = hs.cluster.to_numpy().astype(object)
            if cfg.hotspot_criterion:
                used[HOTSPOT_ID] = np.where(np.isnan(y), np.nan,
                                            (lisa == CLUSTER_LABELS["HH"]).astype(float))
    criteria_ids = list(cfg.weights)
    directions = {iid: inds[iid].direction for iid in inds} | {HOTSPOT_ID: "higher_worse"}
    criteria = tuple(
        Criterion(id=cid, direction=directions[cid], weight=cfg.weights[cid],  # type: ignore[arg-type]
                  label=inds[cid].label_id if cid in inds else HOTSPOT_LABEL,
                  unit=inds[cid].unit if cid in inds else "")
        for cid in criteria_ids
    )

    X = pd.DataFrame({cid: used[cid] for cid in criteria_ids}, index=codes)
    has = X[list(cfg.indicators)].notna().any(axis=1).to_numpy()
    flags = _add_flag(flags, ~has, t("scoring.engine.no_data"))
    if not has.any():
        raise InputError.of("scoring.error.no_data", year=year)
    policy = cfg.missing
    if cfg.method == "topsis" and policy == "exclude" and X[has].isna().any().any():
        policy = "kecamatan_median"
        warnings.append(t("scoring.engine.topsis_fill"))
    kec_s = pd.Series(kec, index=codes)
    filled, missing = impute(X[has], policy, directions=directions, groups=kec_s[has])  # type: ignore[arg-type]
    for cid in criteria_ids:
        miss = np.zeros(m, bool)
        miss[has] = missing[cid].to_numpy()
        flags = _add_flag(flags, miss, t(f"scoring.engine.missing.{policy}", "id", id=cid))

    res = score(filled, list(criteria), method=cfg.method, normalisation=cfg.normalisation)  # type: ignore[arg-type]
    skor = res.score.reindex(codes)
    ranks = rank(skor)
    contrib = res.contributions.reindex(codes)
    expl = explain(contrib, ranks, kec_s)
    norm = res.normalised.reindex(codes)
    used_final = filled.reindex(codes)
    for cid in criteria_ids:
        table[cid] = used_final[cid].to_numpy()
        for suffix in ("__mentah", "__k", "__n", "__ci_bawah", "__ci_atas"):
            if f"{cid}{suffix}" in extra:
                table[f"{cid}{suffix}"] = extra[f"{cid}{suffix}"]
        table[f"{cid}__norm"] = norm[cid].to_numpy()
        table[f"{cid}__kontribusi"] = contrib[cid].to_numpy()
    table["skor"] = skor.to_numpy()
    table["peringkat"] = ranks.to_numpy()
    table["peringkat_kec"] = expl.table["peringkat_kecamatan"].to_numpy()
    table["n_kec"] = expl.table["jumlah_kecamatan"].to_numpy()
    table["kelas"] = priority_class(skor).astype(str).to_numpy()

    # selection among villages with data (+ forced-in villages without data)
    fin = codes.isin(list(cfg.force_in))
    eligible = has | fin
    ranked = pd.DataFrame({"code": codes[eligible], "kecamatan": kec[eligible],
                           "rank": ranks.to_numpy()[eligible]})
    force_out = {c: r for c, r in cfg.force_out.items() if c in set(ranked["code"])}
    sel = select_top(ranked, cfg.top_n, max_per_kecamatan=cfg.max_per_kecamatan,
                     min_one_per_kecamatan=cfg.min_one_per_kecamatan,
                     force_in=cfg.force_in, force_out=force_out)
    warnings.extend(sel.warnings)
    chosen = codes.isin(list(sel.chosen))
    skipped = codes.isin(list(sel.skipped_by_quota))
    alasan = np.full(m, "", dtype=object)
    alasan = np.where(~has, t("scoring.engine.no_data"), alasan)
    alasan = np.where(skipped, t("scoring.engine.quota_full"), alasan)
    out_reasons = {c: t("scoring.engine.forced_out", "id", reason=r) for c, r in cfg.force_out.items()}
    alasan = np.where(codes.isin(list(out_reasons)), codes.map(out_reasons.get).to_numpy(), alasan)
    alasan = np.where(chosen, codes.map(sel.reasons.get).to_numpy(), alasan)
    table["rekomendasi"] = np.where(chosen, "ya", "tidak")
    table["alasan"] = alasan

    st = None
    p_top = np.full(m, np.nan)
    label = np.full(m, "", dtype=object)
    if stability:
        Xs = filled.reindex(codes[eligible])
        if cfg.method == "topsis":
            Xs = Xs.fillna(filled.median())
        st = rank_stability(
            Xs, list(criteria), kec_s[eligible], cfg.top_n, method=cfg.method,  # type: ignore[arg-type]
            normalisation=cfg.normalisation, rates=rates,  # type: ignore[arg-type]
            max_per_kecamatan=cfg.max_per_kecamatan, min_one_per_kecamatan=cfg.min_one_per_kecamatan,
            force_in=list(cfg.force_in), force_out=list(force_out), weight_cv=cfg.weight_cv,
            draws=cfg.draws, seed=cfg.seed,
        )
        p_top = st.table["p_top_n"].reindex(codes).fillna(0.0).to_numpy()
        label = st.table["label"].reindex(codes).fillna("jarang").to_numpy().astype(object)
    table["p_top_n"] = p_top
    table["stabilitas"] = label
    table["lisa"] = lisa
    table["flags"] = flags

    if (~has).any():
        warnings.append(t("scoring.engine.villages_no_data", "id", n=int((~has).sum()), year=year))
    if cfg.smoothing == "none" and n_small.any():
        warnings.append(t("scoring.engine.small_n_raw", "id", n=int(n_small.sum()), min_n=cfg.min_n))
    if cfg.ahp_cr is not None and cfg.ahp_cr > CR_LIMIT:
        warnings.append(t("scoring.engine.ahp_inconsistent", "id", cr=format_id(cfg.ahp_cr, 3),
                          limit=format_id(CR_LIMIT)))
    synthetic = dataset.coverage_synthetic and any(
        inds[i].kind == "coverage" or (is_delta(i) and dataset.indicator(base_id(i)).kind == "coverage")
        for i in inds)
    if synthetic:
        warnings.append(t("scoring.engine.synthetic"))
    return ScoringResult(config=cfg, table=table, selection=sel, warnings=tuple(warnings),
                         criteria=criteria, indicators=inds, stability=st,
                         hotspot_indicator=hotspot_id, synthetic=synthetic)


# --------------------------------------------------------------------------- explanation
#: Placeholders of engine texts that hold free text or ids (kept as they are by :func:`localise`).
_FREE_TEXT = frozenset({"reason", "id", "options"})
_ID_NUMBER = re.compile(r"[-+]?\d+(?:\.\d{3})*(?:,\d+)?")


def _num(value: float, decimals: int = 1, lang: str = DEFAULT_LANG) -> str:
    """:func:`geo.mcda.format_id` (trailing zero decimals dropped) in the number style of ``lang``."""
    text = format_id(value, decimals)
    return text if lang_of(lang) == "id" else _swap_separators(text)


def _swap_separators(text: str) -> str:
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _unit(unit: str, lang: str = DEFAULT_LANG) -> str:
    """A catalogue unit (``anak``, ``poin %``…) in ``lang``; unknown units unchanged."""
    key = "scoring.unit." + re.sub(r"[^a-z0-9]+", "_", unit.lower()).strip("_")
    return catalogue(lang_of(lang)).get(key, unit)


@cache
def _engine_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """``(regex, key)`` of every ``scoring.engine.*`` text, most specific (longest literal) first."""
    out = []
    for key, text in catalogue("id").items():
        if not key.startswith("scoring.engine."):
            continue
        regex, literal = "", 0
        for part, name, _spec, _conv in string.Formatter().parse(text):
            regex += re.escape(part)
            literal += len(part)
            if name:
                regex += f"(?P<{name}>.+?)"
        out.append((literal, re.compile(regex, re.S), key))
    return tuple((pattern, key) for _n, pattern, key in sorted(out, key=lambda x: -x[0]))


def _localise_value(name: str, value: str, lang: str) -> str:
    if name == "preset":
        return next((p.get(f"label_{lang}", value) for p in PRESETS.values() if p["label_id"] == value),
                    value)
    if name in _FREE_TEXT or not _ID_NUMBER.fullmatch(value):
        return value
    return _swap_separators(value)


def localise(text: Any, lang: str = DEFAULT_LANG) -> Any:
    """An Indonesian text of the engine (warning, reason ``alasan``, ``"; "``-joined ``flags``,
    stability/priority/LISA word) shown in ``lang``.

    The result table, the warnings and saved scenarios keep the Indonesian text (it is data);
    pages call this to show it. Texts of the ``scoring.engine.*`` catalogue are recognised with
    their placeholders (numbers are re-formatted, free text such as a forced-in reason is kept);
    anything else comes back unchanged, and Indonesian always does.

    >>> localise("dipaksa masuk: SK Bupati", "en")
    'forced in: SK Bupati'
    """
    lang = lang_of(lang)
    if lang == "id" or not isinstance(text, str) or not text:
        return text
    for pattern, key in _engine_patterns():
        match = pattern.fullmatch(text)
        if match:
            return t(key, lang, **{name: _localise_value(name, value, lang)
                                   for name, value in match.groupdict().items()})
    if "; " in text:
        return "; ".join(localise(part, lang) for part in text.split("; "))
    return text


def _criterion_label(result: ScoringResult, criterion: Criterion, lang: str) -> str:
    if lang_of(lang) == "id":
        return criterion.label
    ind = result.indicators.get(criterion.id)
    return ind.label(lang) if ind is not None else t("scoring.hotspot_label", lang)


def _value_text(result: ScoringResult, row: pd.Series, cid: str, lang: str = DEFAULT_LANG) -> str:
    value = row[cid]
    if cid == HOTSPOT_ID:
        return (t("scoring.engine.term.ya", lang) if value == 1
                else (t("scoring.engine.term.tidak", lang) if value == 0 else "–"))
    ind = result.indicators[cid]
    if ind.kind == "rate":
        text = f"{_num(value, 1, lang)}%"
        k, n = row[f"{cid}__k"], row[f"{cid}__n"]
        detail = t("scoring.value.count", lang, k=_num(k, 0, lang), n=_num(n, 0, lang))
        if result.config.smoothing != "none":
            detail = t("scoring.value.raw", lang, raw=_num(row[f"{cid}__mentah"], 1, lang), detail=detail)
        return f"{text} ({detail})"
    if ind.unit == "%":
        return f"{_num(value, 1, lang)}%"
    sign = "+" if ind.kind == "delta" and np.isfinite(value) and value > 0 else ""
    return f"{sign}{_num(value, 1, lang)} {_unit(ind.unit, lang)}"


def _sentence(result: ScoringResult, code: str, expl: Explanation, X_raw: pd.DataFrame, *, prefix: str,
              name: str, kecamatan: str, lang: str, top: int = 2) -> str:
    """:func:`geo.mcda.explain_sentence` in ``lang`` (the Indonesian text is the same)."""
    row = expl.table.loc[code]
    head = t("scoring.explain.head", lang, prefix=prefix, name=name, rank=int(row["peringkat"]),
             total=int(row["jumlah"]), rank_kec=int(row["peringkat_kecamatan"]), kecamatan=kecamatan)
    shares = expl.shares.loc[code]
    by_id = {c.id: c for c in result.criteria}
    best = [cid for cid in shares.sort_values(ascending=False, kind="stable").index
            if shares[cid] > 0 and cid in by_id][:top]
    if not best:
        return t("scoring.explain.nothing", lang, head=head)
    parts = []
    for cid in best:
        crit = by_id[cid]
        unit = crit.unit if crit.unit in ("", "%") else f" {_unit(crit.unit, lang)}"
        parts.append(t("scoring.explain.part", lang, label=_criterion_label(result, crit, lang) or cid,
                       value=_num(float(X_raw.loc[code, cid]), 1, lang), unit=unit,
                       share=_num(100 * shares[cid], 0, lang)))
    joined = parts[0] if len(parts) == 1 else t("scoring.explain.and", lang, first=", ".join(parts[:-1]),
                                                 last=parts[-1])
    return t("scoring.explain.because", lang, head=head, parts=joined)


def explain_village(result: ScoringResult, code: str, lang: str = DEFAULT_LANG) -> VillageExplanation:
    """Per-criterion contributions, ranks and one sentence for a village, in ``lang``
    (Bahasa Indonesia by default; labels, value texts, sentence and reason follow it)."""
    lang = lang_of(lang)
    table = result.table
    hits = np.flatnonzero(table["kode"].to_numpy() == code)
    if not hits.size:
        raise InputError("Kode desa tidak ada di hasil skor.", rows=[code])
    row = table.iloc[hits[0]]
    ids = [c.id for c in result.criteria]
    indexed = table.set_index("kode")
    contrib = indexed[[f"{c}__kontribusi" for c in ids]].set_axis(ids, axis=1)
    rank_s = indexed["peringkat"]
    expl = explain(contrib, rank_s, indexed["kode_kec"])
    shares = expl.shares.loc[code]
    labels = {c.id: _criterion_label(result, c, lang) for c in result.criteria}
    contributions = sorted(
        ((cid, labels[cid], _value_text(result, row, cid, lang), float(shares[cid])) for cid in ids),
        key=lambda item: -item[3])
    kind = "kelurahan" if str(code).split(".")[-1].startswith("1") else "desa"
    prefix = t(f"scoring.explain.prefix.{kind}", lang)
    if np.isnan(row["skor"]):
        sentence = t("scoring.explain.not_scored", lang, prefix=prefix, name=row["nama"],
                     kecamatan=row["nama_kec"], year=result.config.year)
    else:
        sentence = _sentence(result, code, expl, indexed[ids], prefix=prefix, name=row["nama"],
                             kecamatan=row["nama_kec"], lang=lang)
    return VillageExplanation(
        code=code, name=row["nama"], rank=int(row["peringkat"]), rank_kec=int(row["peringkat_kec"]),
        n_kec=int(row["n_kec"]), contributions=contributions, sentence=sentence,
        kecamatan=row["nama_kec"], score=float(row["skor"]), recommended=row["rekomendasi"] == "ya",
        reason=localise(row["alasan"], lang), p_top_n=float(row["p_top_n"]),
    )


# --------------------------------------------------------------------------- quadrant
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
    cfg = result.config
    table = result.table
    year = cfg.year
    score_label = t("scoring.quadrant.score", lang)
    if outcome == "skor":
        out_id, out_label, y = "skor", score_label, table["skor"].to_numpy()
    else:
        out_id = outcome or _outcome_rate(dataset, cfg.indicators, year) or "skor"
        if out_id == "skor":
            out_label, y = score_label, table["skor"].to_numpy()
        elif out_id in table and out_id in result.indicators:
            out_label, y = result.indicators[out_id].label(lang_of(lang)), table[out_id].to_numpy()
            if f"{out_id}__mentah" in table and cfg.missing != "exclude":
                y = np.where(np.isnan(table[f"{out_id}__mentah"]), np.nan, y)  # no imputed outcomes
        else:
            ind = dataset.indicator(out_id, year)
            out_label = ind.label(lang_of(lang))
            if ind.kind == "rate" and cfg.smoothing != "none":
                k, n, valid = _rate_parts(dataset, out_id, year)
                y = _smooth(k, n, valid, cfg.smoothing, table["kode_kec"].to_numpy())
            else:
                y = dataset.values(out_id, year).value
    cov_ids = tuple(coverage if coverage is not None
                    else [i for i in cfg.indicators if result.indicators[i].kind == "coverage"])
    gaps = []
    for cid in cov_ids:
        ind = dataset.indicator(cid, year)
        x = dataset.values(cid, year).value
        if ind.direction == "higher_worse":
            gaps.append(np.maximum(x - (ind.target if ind.target is not None else 0.0), 0.0))
        else:
            gaps.append(np.maximum((ind.target if ind.target is not None else 100.0) - x, 0.0))
    if gaps:
        stack = np.vstack(gaps)
        with np.errstate(invalid="ignore"):
            count = (~np.isnan(stack)).sum(axis=0)
            gap = np.where(count > 0, np.nansum(stack, axis=0) / np.maximum(count, 1), np.nan)
    else:
        gap = np.full(len(table), np.nan)
    y = np.asarray(y, dtype=float)
    y_cut = float(np.nanmedian(y)) if np.isfinite(y).any() else float("nan")
    g_cut = float(np.nanmedian(gap)) if np.isfinite(gap).any() else float("nan")
    high_y, high_g = y >= y_cut, gap >= g_cut
    labels = np.select(
        [np.isnan(y) | np.isnan(gap), high_y & high_g, high_y & ~high_g, ~high_y & high_g],
        ["tanpa data", "hasil buruk, cakupan rendah", "hasil buruk, cakupan baik",
         "hasil baik, cakupan rendah"],
        "hasil baik, cakupan baik",
    )
    frame = pd.DataFrame({"kode": table["kode"], "nama": table["nama"], "nama_kec": table["nama_kec"],
                          "outcome": y, "gap": gap, "kuadran": labels})
    unit = " (%)" if out_id != "skor" and dataset.indicator(out_id, year).unit == "%" else ""
    smoothed = t("scoring.quadrant.smoothed", lang) if out_id != "skor" and cfg.smoothing != "none" and \
        dataset.indicator(out_id, year).kind == "rate" else ""
    return Quadrant(table=frame, outcome_id=out_id, coverage_ids=cov_ids, x_cut=y_cut, y_cut=g_cut,
                    x_title=t("scoring.quadrant.x_title", lang, label=out_label, smoothed=smoothed,
                              unit=unit),
                    y_title=t("scoring.quadrant.gap" if cov_ids else "scoring.quadrant.gap_none", lang))


# --------------------------------------------------------------------------- methodology
def methodology(result: ScoringResult, dataset: Dataset) -> dict[str, Any]:
    """What travels with an exported list: year, config, sources, criteria, warnings."""
    cfg = result.config
    coverage = [
        {"berkas": spec.file.name if hasattr(spec.file, "name") else str(spec.file),
         "judul": spec.title, "sintetis": spec.synthetic,
         **({"catatan": "SINTETIS: nilai buatan untuk demonstrasi, bukan data nyata"}
            if spec.synthetic else {})}
        for spec in dataset.coverage_sources
    ]
    return {
        "tahun_dinilai": cfg.year,
        "dataset": dataset.title,
        "atribusi": dataset.attribution,
        "batas_wilayah": dataset.report.boundary_file,
        "tabel": dataset.report.table_file,
        "cakupan": coverage,
        "data_sintetis_dipakai": result.synthetic,
        "kriteria": [
            {"id": c.id, "label": c.label, "arah": c.direction, "bobot": c.weight,
             "sumber": result.indicators[c.id].source_id if c.id in result.indicators else "LISA"}
            for c in result.criteria
        ],
        "hotspot_indikator": result.hotspot_indicator,
        "konfigurasi": cfg.to_dict(),
        "catatan_data": list(dataset.caveats),
        "peringatan": list(result.warnings),
    }
