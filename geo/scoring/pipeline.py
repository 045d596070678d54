"""Aksi 1 scoring pipeline: from a dataset and a visible configuration to a defended lokus list.

One call, :func:`run_scoring`, does every step and keeps every number:

1. **Values for the year scored** (``config.year``, always explicit). Rate indicators
   (``kind == "rate"``) are ``100 · k / n`` with a 95 % Wilson interval; with
   ``smoothing="global"`` (the default, "Empirical Bayes ke rerata kabupaten") they
   are empirical-Bayes smoothed toward **their own kabupaten's** rate (kabupaten =
   the first two segments ``PP.KK`` of the Kemendagri code, so a dataset with
   several kabupaten never pulls one toward another), with ``"kecamatan"`` toward
   the kecamatan rate (a kecamatan without any child measured borrows its
   kabupaten's estimate). The estimator is Marshall's (1991) method of moments,
   :func:`geo.core.rates.eb_smooth`: per group g, :math:`B_g = \\sum k/\\sum n`,
   :math:`s_g^2 = \\sum n_i(r_i - B_g)^2/\\sum n_i`, :math:`A_g = \\max(s_g^2 - B_g/\bar n_g, 0)`,
   :math:`w_i = A_g/(A_g + B_g/n_i)`, :math:`\theta_i = w_i r_i + (1-w_i)B_g`.
   Kabupaten is the default because a kecamatan has only ~10 villages, so its own
   prior is itself noisy, and shrinking toward the kecamatan mean would hide a
   kecamatan-wide problem that planners need to see. Villages with fewer than
   ``min_n`` in the denominator are flagged. A ``__delta`` of a rate is the
   difference of the two smoothed rates (raw when smoothing is off). Indicators
   given only as a percentage (``kind == "percent"``, e.g. ``prevalensi_dilaporkan``)
   are scored as given, unsmoothed, and a warning says so.

   **Comparable years** (:func:`geo.core.indicators.definition_gaps_by_year`): when a
   summed field such as ``anak_diukur = merah + kuning + hijau`` lacks a component
   in the scored year (the column is empty in every row of that year, e.g. *kuning*
   in the Jabar screening data 2021), the rate is still shown (planners need it)
   with a warning naming the year and the missing field: it is not comparable with
   years that had the field. A ``__delta`` across two years whose definitions
   differ is **withheld** (dropped from the criteria, weights renormalised; a
   warning names both years and the field); :func:`preset_config` skips it.
2. **Missing values. Outcome data is never imputed.** Outcome criteria are the
   catalogue's ``hasil`` indicators (:attr:`geo.core.indicators.Indicator.is_outcome`,
   their ``__delta`` and the hotspot criterion derived from them); an outcome count
   whose rate has a zero denominator (``merah = 0`` of ``anak_diukur = 0``) is no
   observation and counts as missing. A village with
   no value for any outcome criterion chosen (it measured no child that year) is
   **not ranked**: NaN score, ranked after every scored village (by code), flag
   ``tanpa data hasil <tahun>``, never recommended unless forced in with a reason.
   The missing policy (:func:`geo.scoring.mcda.impute`) applies to coverage criteria only:
   ``exclude`` leaves the indicator out of that village's score (weights
   renormalised over what it has); ``kecamatan_median``; ``worst``. A missing
   outcome cell of a ranked village is always excluded that way. Every filled or
   excluded cell is named in ``flags``. **TOPSIS cannot take gaps**: missing
   coverage cells are filled (the kecamatan median with ``exclude``, said in
   ``warnings``), and villages missing any outcome criterion are left out of the
   ranking. Villages with no value for any chosen indicator (e.g. kelurahan
   without a row) get the flag ``tanpa data``.
   **Data-quality flags** (never change the score): ``n kecil``; a low outcome rate
   with measurement coverage (``cakupan_pengukuran`` = anak diukur ÷ balita) below
   :data:`LOW_MEASUREMENT` % ("angka rendah karena sedikit yang diukur"); the
   per village-year column ``mutu_pengukuran == "perlu_dicek"`` of ``dataset.measures``.
3. **Score** (:func:`geo.scoring.mcda.score`): SAW, weighted geometric mean or TOPSIS on the
   direction-aware normalised matrix; directions come from the catalogue only.
4. **Rank** (1 = highest priority; ties by code), rank within the kecamatan,
   priority class (quartiles of the scores).
5. **Selection** (:func:`geo.scoring.selection.select_top`): top N with at most K per
   kecamatan, optionally at least one per kecamatan, forced in/out with reasons.
6. **Stability** (:func:`geo.scoring.stability.rank_stability`): P(in the selection) over
   ``draws`` Monte Carlo draws of the weights (Dirichlet, ``weight_cv``) and of the
   counts of every rate indicator (binomial, re-smoothed per draw). ``__delta`` and
   the hotspot criterion are held fixed.
7. **Presets** (:func:`preset_usage`): a result of a preset names the preset
   indicators the dataset could not give for the year (by id) and the effective,
   renormalised weights, as a warning (UI, ``lokus score``, methodology sheet); with
   fewer than two of its indicators left the warning says so loudly.
8. **Hotspots** (:func:`geo.scoring.hotspots.local_moran`): Local Moran's I of the smoothed
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
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from geo.core.errors import InputError
from geo.core.i18n import DEFAULT_LANG, catalogue, lang_of, t
from geo.core.indicators import (
    Indicator,
    base_id,
    definition_gap,
    definition_gaps_by_year,
    is_delta,
)
from geo.core.indicators import (
    catalogue as indicator_catalogue,
)
from geo.core.rates import eb_smooth, small_n_flag, wilson_interval
from geo.data.dataset import Dataset
from geo.scoring.ahp import CR_LIMIT, AhpResult, ahp_weights, matrix_from_judgements
from geo.scoring.hotspots import CLUSTER_LABELS, local_moran
from geo.scoring.mcda import (
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
from geo.scoring.selection import Selection, select_top
from geo.scoring.stability import MAX_DRAWS, RateSpec, StabilityResult, rank_stability

__all__ = [
    "HOTSPOT_ID",
    "LOW_MEASUREMENT",
    "MAX_DRAWS",
    "PRESETS",
    "Notice",
    "PresetUsage",
    "Quadrant",
    "ScoringConfig",
    "ScoringResult",
    "VillageExplanation",
    "ahp_config",
    "explain_village",
    "localise",
    "methodology",
    "preset_config",
    "preset_usage",
    "prior_groups",
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
#: Measurement coverage (%) below which a low outcome rate is flagged as possibly an artefact.
LOW_MEASUREMENT = 50.0
#: ``mutu_pengukuran`` value of ``dataset.measures`` that flags a village-year.
QUALITY_CHECK = "perlu_dicek"


def _choice(value: str, allowed: tuple[str, ...], what: str) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise InputError(f"{what} '{value}' tidak dikenal; pilih salah satu: {', '.join(allowed)}.")


def _whole(value: Any, name: str, low: int, high: int) -> int:
    """``value`` as an int in [low, high]; anything else (text, NaN, ±inf, 2,5) is an InputError."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = float("nan")
    if isinstance(value, str) or not (math.isfinite(number) and number == int(number)
                                      and low <= number <= high):
        raise InputError.of("scoring.error.whole", name=name, low=low, high=high, rows=[value])
    return int(number)


def _real(value: Any, name: str, low: float, high: float) -> float:
    """``value`` as a finite float in [low, high] (bools and text are an InputError)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not low <= float(value) <= high:
        raise InputError.of("scoring.error.real", name=name, low=format_id(low, 2),
                            high=format_id(high, 2), rows=[value])
    return float(value)


@dataclass(frozen=True)
class ScoringConfig:
    """Everything that decides a ranking; JSON round-trips exactly (:meth:`to_dict`).

    Weights are normalised to sum to 1 on construction (kept as given when they
    already sum to 1 within 1e-12, so a round trip is exact). Their keys must be
    exactly ``indicators`` (plus :data:`HOTSPOT_ID` when ``hotspot_criterion``).
    Every number is checked for type and range (weights finite and ≥ 0; year
    1900–2100; ``draws`` 1–:data:`geo.scoring.stability.MAX_DRAWS`; ``weight_cv`` 0–5;
    ``seed`` 0–2³²−1; whole numbers where counts are meant): anything else, text,
    NaN or ±inf included, is an :class:`InputError`, never a crash.

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
        Indonesian notes carried into the result warnings.
    preset
        Name of the preset the indicators came from (None = chosen by hand); the result
        then names the preset indicators this data could not give (:func:`preset_usage`).
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
    preset: str | None = None

    def __post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        put("year", _whole(self.year, "year", 1900, 2100))
        for name in ("indicators", "notes"):
            value = getattr(self, name)
            if isinstance(value, str | bytes) or not isinstance(value, Sequence):
                raise InputError.of("scoring.error.list", name=name)
            put(name, tuple(str(i) for i in value))
        for name in ("weights", "force_in", "force_out"):
            if not isinstance(getattr(self, name), Mapping):
                raise InputError.of("scoring.error.mapping", name=name)
        put("force_in", {str(k): str(v) for k, v in dict(self.force_in).items()})
        put("force_out", {str(k): str(v) for k, v in dict(self.force_out).items()})
        if self.preset is not None and self.preset not in PRESETS:
            raise InputError(f"Preset '{self.preset}' tidak dikenal; pilih: {', '.join(PRESETS)}.")
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
        bad = [k for k, v in weights_in.items()
               if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(float(v)) or v < 0]
        if bad:
            raise InputError("Bobot harus berupa angka terhingga yang tidak negatif.", column=bad[0],
                             rows=[weights_in[k] for k in bad])
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
        for name, low, high in (("min_n", 0, 10**9), ("top_n", 0, 10**6), ("draws", 1, MAX_DRAWS)):
            put(name, _whole(getattr(self, name), name, low, high))
        if self.max_per_kecamatan is not None:
            put("max_per_kecamatan", _whole(self.max_per_kecamatan, "max_per_kecamatan", 1, 10**6))
        both = sorted(set(self.force_in) & set(self.force_out))
        if both:
            raise InputError("Desa tidak boleh sekaligus dipaksa masuk dan dikeluarkan.", rows=both)
        if isinstance(self.weight_cv, Real) and not isinstance(self.weight_cv, bool) \
                and not self.weight_cv >= 0:
            raise InputError("Variasi bobot tidak boleh negatif.")
        # cv > 5 makes every Dirichlet draw a one-criterion ranking: no longer a perturbation
        put("weight_cv", _real(self.weight_cv, "weight_cv", 0.0, 5.0))
        if self.ahp_cr is not None:
            put("ahp_cr", _real(self.ahp_cr, "ahp_cr", 0.0, 1e6))
        put("seed", _whole(self.seed, "seed", 0, 2**32 - 1))
        put("hotspot_criterion", bool(self.hotspot_criterion))
        put("hotspot_fdr", bool(self.hotspot_fdr))
        put("min_one_per_kecamatan", bool(self.min_one_per_kecamatan))

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
        if not isinstance(data, Mapping):
            raise InputError.of("scoring.error.mapping", name="config")
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


@dataclass(frozen=True)
class PresetUsage:
    """What a preset could use on a dataset for a year.

    Attributes
    ----------
    name, label_id, label_en
        Preset key and labels.
    year
        Year scored.
    total
        Number of entries (indicators) of the preset.
    used
        Ids scored, in preset order.
    missing
        Entries the data cannot give that year, each as its alternative ids
        (``("prevalensi__delta", "rasio_merah__delta")``).
    withheld
        ``(id, previous year, missing fields)`` of ``__delta`` alternatives available in
        principle but withheld because the two years are defined differently.
    weights
        Effective weights (sum 1) of the criteria actually scored.
    preset_weights
        The preset's own weights, by the entry's first id.
    """

    name: str
    label_id: str
    label_en: str
    year: int
    total: int
    used: tuple[str, ...]
    missing: tuple[tuple[str, ...], ...]
    withheld: tuple[tuple[str, int, tuple[str, ...]], ...]
    weights: dict[str, float]
    preset_weights: dict[str, float]

    def label(self, lang: str = DEFAULT_LANG) -> str:
        """Preset label in ``lang``."""
        return self.label_en if lang_of(lang) == "en" else self.label_id

    @property
    def missing_ids(self) -> tuple[str, ...]:
        """Every id of the missing entries (alternatives included), in preset order."""
        return tuple(i for entry in self.missing for i in entry)


def _table_of(dataset: Dataset, ind: Indicator) -> pd.DataFrame:
    return dataset.coverage if ind.kind == "coverage" else dataset.measures


def _withheld_delta(dataset: Dataset, iid: str, year: int) -> tuple[int, tuple[str, ...]] | None:
    """``(previous year, fields missing in one of the years)`` of a ``__delta`` id whose two
    years are defined differently (:func:`geo.core.indicators.definition_gap`); else None."""
    if not is_delta(iid):
        return None
    base = dataset.indicator(base_id(iid))
    prev = dataset.previous_year(base.id, year)
    if prev is None:
        return None
    gap = definition_gap(base, _table_of(dataset, base), year, prev)
    return (int(prev), gap) if gap else None


def preset_usage(
    dataset: Dataset,
    name: str,
    year: int,
    chosen: Sequence[str] | None = None,
    weights: Mapping[str, float] | None = None,
) -> PresetUsage:
    """Which entries of a preset the dataset can score in ``year``.

    Each entry takes its first alternative the dataset can score that year (``__delta``
    alternatives across years defined differently are withheld). With ``chosen`` (the
    criteria of a config) an entry counts as used when one of its alternatives was
    chosen, and ``weights`` are the config's effective weights; without, the first
    available alternative is used and the preset weights are renormalised over them.

    Raises
    ------
    InputError
        Unknown preset.
    """
    if name not in PRESETS:
        raise InputError(f"Preset '{name}' tidak dikenal; pilih: {', '.join(PRESETS)}.")
    preset = PRESETS[name]
    offered = {i.id for i in dataset.scoring_indicators(year)}
    # the dataset no longer offers a change across years defined differently; name it anyway
    deltas = {o for entry in preset["indicators"]
              for o in ((entry,) if isinstance(entry, str) else entry) if is_delta(o)}
    withheld = {i: w for i in offered | deltas if (w := _withheld_delta(dataset, i, year)) is not None}
    available = offered - set(withheld)
    used: dict[str, float] = {}
    missing: list[tuple[str, ...]] = []
    held: list[tuple[str, int, tuple[str, ...]]] = []
    own: dict[str, float] = {}
    for entry, weight in zip(preset["indicators"], preset["weights"], strict=True):
        options = (entry,) if isinstance(entry, str) else tuple(entry)
        own[options[0]] = float(weight)
        pool = available if chosen is None else set(chosen)
        hit = next((o for o in options if o in pool), None)
        if hit is not None:
            used.setdefault(hit, float(weight))
        elif not any(o in available for o in options):
            missing.append(options)
            held += [(o, *withheld[o]) for o in options if o in withheld]
    if weights is not None:
        effective = {k: float(v) for k, v in weights.items()}
    else:
        effective = weights_normalise(used) if used else {}
    return PresetUsage(name=name, label_id=preset["label_id"], label_en=preset["label_en"],
                       year=int(year), total=len(preset["indicators"]), used=tuple(used),
                       missing=tuple(missing), withheld=tuple(held), weights=effective,
                       preset_weights=own)


def preset_config(dataset: Dataset, name: str, year: int | None = None, **overrides: Any) -> ScoringConfig:
    """Config of a preset for a dataset and year (default: the latest year).

    Each preset entry takes its first alternative the dataset can score that year
    (:func:`preset_usage`); entries with none are dropped and the weights of the rest
    renormalised. The config records ``preset=name``, so the result names what was
    dropped and the effective weights. ``overrides`` set other :class:`ScoringConfig`
    fields (``top_n=10``, ``method="topsis"``...).

    Raises
    ------
    InputError
        Unknown preset, or no indicator of the preset available.
    """
    if name not in PRESETS:
        raise InputError(f"Preset '{name}' tidak dikenal; pilih: {', '.join(PRESETS)}.")
    year = _whole(year if year is not None else max(dataset.years), "year", 1900, 2100)
    _check_year(dataset, year)
    usage = preset_usage(dataset, name, year)
    if not usage.used:
        raise InputError(f"Tidak ada indikator preset '{usage.label_id}' yang tersedia untuk "
                         f"tahun {year}.")
    params: dict[str, Any] = {"year": year, "indicators": usage.used, "weights": usage.weights,
                              "preset": name}
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
#: Parameters of engine texts that hold years (written without thousands separators).
_YEAR_PARAMS = frozenset({"year", "prev", "years"})


def _param_text(name: str, value: Any, lang: str) -> str:
    """A notice parameter as text in ``lang``: preset → its label, weights → ``id 60%``,
    lists joined with ", ", numbers in the language's style, years as written."""
    if name == "preset":
        return next((p.get(f"label_{lang_of(lang)}", p["label_id"]) for key, p in PRESETS.items()
                     if value in (key, p["label_id"])), str(value))
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_num(100 * float(v), 0, lang)}%" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_param_text(name, v, lang) for v in value)
    if isinstance(value, bool | str):
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value)) if name in _YEAR_PARAMS else _num(float(value), 0, lang)
    if isinstance(value, float | np.floating):
        return _num(float(value), 3, lang)
    return str(value)


@dataclass(frozen=True)
class Notice:
    """One warning of a scoring run, language-free: a ``scoring.engine.*`` catalogue key and
    its parameters (ids, numbers, years, weights), or a free ``text`` (a config note, an old
    saved warning) that :func:`localise` translates when it can.

    >>> Notice.of("scoring.engine.no_data").render("en")
    'no data'
    """

    key: str = ""
    params: tuple[tuple[str, Any], ...] = ()
    text: str = ""

    @classmethod
    def of(cls, key: str, **params: Any) -> Notice:
        """A catalogue notice."""
        return cls(key=key, params=tuple(params.items()))

    @classmethod
    def free(cls, text: str) -> Notice:
        """A notice holding a text as it is."""
        return cls(text=str(text))

    def render(self, lang: str = DEFAULT_LANG) -> str:
        """The notice in ``lang`` (Bahasa Indonesia by default)."""
        if not self.key:
            return localise(self.text, lang)
        return t(self.key, lang, **{k: _param_text(k, v, lang) for k, v in self.params})

    def to_dict(self) -> dict[str, Any]:
        """``{"key", "params", "text"}`` (JSON-able; lists for tuples)."""
        def plain(v: Any) -> Any:
            if isinstance(v, Mapping):
                return {str(k): plain(x) for k, x in v.items()}
            if isinstance(v, list | tuple):
                return [plain(x) for x in v]
            return v.item() if isinstance(v, np.generic) else v
        return {"key": self.key, "params": {k: plain(v) for k, v in self.params}, "text": self.text}


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
        The :class:`geo.scoring.selection.Selection`.
    warnings
        Indonesian sentences (one per :attr:`notices` entry, same order); pages show
        :meth:`warning_texts` in their language.
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
    notices
        The warnings as catalogue keys + parameters (:class:`Notice`).
    preset
        What the config's preset could use on this data (None without a preset).
    withheld
        Criteria dropped before scoring: id → ``(previous year, missing fields)`` of a
        ``__delta`` across years defined differently.
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
    notices: tuple[Notice, ...] = ()
    preset: PresetUsage | None = None
    withheld: Mapping[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)

    def warning_texts(self, lang: str = DEFAULT_LANG) -> list[str]:
        """The warnings in ``lang``, rendered from :attr:`notices` (or localised when a result
        carries texts only)."""
        if self.notices:
            return [n.render(lang) for n in self.notices]
        return [localise(w, lang) for w in self.warnings]

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


def _kabupaten(codes: Sequence[str] | pd.Index) -> np.ndarray:
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

    ``"global"`` ("rerata kabupaten"): each village's kabupaten (:func:`_kabupaten`), so
    a dataset of several kabupaten shrinks each toward its own mean; ``"kecamatan"``: the
    kecamatan, with the kabupaten as fallback for a kecamatan without data; ``"none"``:
    ``(None, None)``.
    """
    if how == "none":
        return None, None
    kab = _kabupaten(codes)
    if how == "kecamatan":
        return np.asarray(kecamatan).astype(str), kab
    return kab, None


def _smooth(k: np.ndarray, n: np.ndarray, valid: np.ndarray,
            prior: tuple[np.ndarray | None, np.ndarray | None]) -> np.ndarray:
    """EB-smoothed percent where valid (NaN elsewhere), toward the ``prior`` groups."""
    eb = eb_smooth(np.where(valid, k, 0.0), np.where(valid, n, 0.0), *prior)
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


def _outcome_percent(dataset: Dataset, indicators: Sequence[str], year: int) -> str | None:
    """The outcome percentage a village's "low rate" is judged on: the first chosen
    higher-worse outcome in % (rate or reported prevalence), else the dataset's."""
    for iid in indicators:
        ind = dataset.indicator(iid, year)
        if ind.kind in ("rate", "percent") and ind.is_outcome and ind.direction == "higher_worse":
            return iid
    avail = {i.id for i in dataset.scoring_indicators(year)}
    return next((o for o in (*OUTCOME_RATES, "prevalensi_dilaporkan") if o in avail), None)


def _nobody_counted(dataset: Dataset, ind: Indicator, year: int) -> np.ndarray | None:
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


def _check_year(dataset: Dataset, year: int) -> None:
    known = set(dataset.years) | set(dataset.coverage_years)
    if year not in known:
        raise InputError(f"Tahun {year} tidak ada di data (tersedia: {', '.join(map(str, sorted(known)))}).")


def _check_codes(dataset: Dataset, codes: Mapping[str, str], what: str) -> None:
    unknown = sorted(set(codes) - set(dataset.codes))
    if unknown:
        raise InputError(f"Kode desa {what} tidak ada di data.", rows=unknown)


def _quality_flags(dataset: Dataset, cfg: ScoringConfig, flags: np.ndarray, chosen: np.ndarray,
                   notices: list[Notice]) -> np.ndarray:
    """Data-quality flags that never change the score: low outcome with low measurement
    coverage, and ``mutu_pengukuran == "perlu_dicek"`` for the year."""
    year, codes = cfg.year, dataset.codes
    avail = {i.id for i in dataset.scoring_indicators(year)}
    out_id = _outcome_percent(dataset, cfg.indicators, year)
    if out_id is not None and "cakupan_pengukuran" in avail:
        cov = dataset.values("cakupan_pengukuran", year).value
        rate = dataset.values(out_id, year).value
        cut = float(np.nanmedian(rate)) if np.isfinite(rate).any() else np.nan
        # a rate below the median where fewer than half the under-fives were measured
        low = np.isfinite(rate) & (rate < cut) & (cov < LOW_MEASUREMENT)
        if low.any():
            texts = np.array([t("scoring.engine.low_measurement", "id", id=out_id, cov=format_id(c, 0),
                                limit=format_id(LOW_MEASUREMENT, 0)) for c in np.nan_to_num(cov)],
                             dtype=object)
            flags = _add_flag(flags, low, texts)
            notices.append(Notice.of("scoring.engine.low_measurement_n", n=int(low.sum()), id=out_id,
                                     limit=LOW_MEASUREMENT, chosen=int((low & chosen).sum())))
    measures = dataset.measures
    if "mutu_pengukuran" in measures:
        rows = measures.loc[measures["tahun"] == year]
        check = rows["mutu_pengukuran"].astype(str).str.strip().str.lower() == QUALITY_CHECK
        bad = codes.isin(rows.loc[check, "kode"]).astype(bool)
        if bad.any():
            flags = _add_flag(flags, bad, t("scoring.engine.quality_check"))
            notices.append(Notice.of("scoring.engine.quality_check_n", n=int(bad.sum()), year=year,
                                     chosen=int((bad & chosen).sum())))
    return flags


# --------------------------------------------------------------------------- pipeline
def run_scoring(
    dataset: Dataset, config: ScoringConfig, *, stability: bool = True, hotspots: bool = True
) -> ScoringResult:
    """Score, rank and select lokus villages; see the module docstring for every step.

    Raises
    ------
    InputError
        Unknown or context indicator, an indicator without data in ``config.year``,
        every criterion withheld, no village with outcome data, unknown forced codes,
        invalid selection rules.
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
    notices: list[Notice] = [Notice.free(n) for n in cfg.notes]
    inds: dict[str, Indicator] = {}
    withheld: dict[str, tuple[int, tuple[str, ...]]] = {}
    for iid in cfg.indicators:
        ind = dataset.indicator(iid, year)
        if ind.direction == "context":
            raise InputError.of("scoring.error.context", id=iid)
        if year not in dataset.indicator_years(iid):
            raise InputError.of("scoring.error.indicator_year", id=iid, year=year)
        gap = _withheld_delta(dataset, iid, year)
        if gap is not None:  # a change of definition is not a change in the village
            withheld[iid] = gap
            notices.append(Notice.of("scoring.engine.delta_withheld", id=iid, year=year, prev=gap[0],
                                     fields=list(gap[1])))
            continue
        inds[iid] = ind
    if not inds:
        raise InputError.of("scoring.error.all_withheld", year=year)
    weights = {k: v for k, v in cfg.weights.items() if k not in withheld}
    if withheld:
        weights = weights_normalise(weights)
    usage = None
    if cfg.preset is not None:
        usage = preset_usage(dataset, cfg.preset, year, chosen=list(inds), weights=weights)
        if usage.used:
            notices += [Notice.of("scoring.engine.delta_withheld", id=i, year=year, prev=prev, fields=list(f))
                        for i, prev, f in usage.withheld if i not in withheld]
            if usage.missing:
                notices.append(Notice.of(
                    "scoring.engine.preset_missing", preset=cfg.preset, n=len(usage.missing),
                    total=usage.total, year=year, ids=[" / ".join(e) for e in usage.missing],
                    weights=weights))
            if len(usage.used) < 2:
                notices.append(Notice.of("scoring.engine.preset_few", preset=cfg.preset,
                                         n=len(usage.used), total=usage.total, ids=list(usage.used)))
    for iid, ind in inds.items():
        if is_delta(iid):
            continue
        gaps = definition_gaps_by_year(ind, _table_of(dataset, ind))
        if year in gaps:
            others = [y for y in dataset.indicator_years(iid) if y not in gaps]
            notices.append(Notice.of("scoring.engine.definition_year", id=iid, year=year,
                                     fields=list(gaps[year]), years=others))
        if ind.kind == "percent":
            notices.append(Notice.of("scoring.engine.unsmoothed", id=iid))

    prior = prior_groups(codes, kec, cfg.smoothing)
    table = pd.DataFrame({
        "kode": codes.to_numpy(), "nama": villages["nama"].to_numpy(),
        "nama_kec": villages["nama_kec"].to_numpy(), "kode_kec": kec, "tahun": year,
    })
    flags = np.full(m, "", dtype=object)
    used: dict[str, np.ndarray] = {}
    extra: dict[str, np.ndarray] = {}
    rates: dict[str, RateSpec] = {}
    n_small = np.zeros(m, bool)
    group_series = [None if g is None else pd.Series(g, index=codes) for g in prior]
    for iid, ind in inds.items():
        if ind.kind == "rate":
            k, n, valid = _rate_parts(dataset, iid, year)
            k0, n0 = np.where(valid, k, 0.0), np.where(valid, n, 0.0)
            lo, hi = wilson_interval(k0, n0)
            raw = np.where(valid, 100.0 * k0 / np.where(valid, n0, 1.0), np.nan)
            used[iid] = raw if cfg.smoothing == "none" else _smooth(k, n, valid, prior)
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
                                  smooth=cfg.smoothing, groups=group_series[0],  # type: ignore[arg-type]
                                  parents=group_series[1])
        elif ind.kind == "delta" and dataset.indicator(base_id(iid)).kind == "rate":
            base, prev = base_id(iid), int(ind.previous_year)  # type: ignore[arg-type]
            pair = []
            raw_pair = []
            for y in (year, prev):
                k, n, valid = _rate_parts(dataset, base, y)
                raw_pair.append(np.where(valid, 100.0 * k / np.where(valid, n, 1.0), np.nan))
                pair.append(raw_pair[-1] if cfg.smoothing == "none" else _smooth(k, n, valid, prior))
            used[iid] = pair[0] - pair[1]
            extra[f"{iid}__mentah"] = raw_pair[0] - raw_pair[1]
        else:
            used[iid] = dataset.values(iid, year).value
            nobody = _nobody_counted(dataset, ind, year)
            if nobody is not None and nobody.any():
                # 0 stunted of 0 measured is not an observation: no outcome data, never a 0
                used[iid] = np.where(nobody, np.nan, used[iid])
                flags = _add_flag(flags, nobody, t("scoring.engine.nobody_counted", "id", id=iid))

    hotspot_id = None
    lisa = np.full(m, "", dtype=object)
    if hotspots or cfg.hotspot_criterion:
        hotspot_id = _outcome_rate(dataset, cfg.indicators, year)
        if hotspot_id is None:
            if cfg.hotspot_criterion:
                raise InputError.of("scoring.error.hotspot_needs_rate")
            notices.append(Notice.of("scoring.engine.no_hotspot"))
        else:
            k, n, valid = _rate_parts(dataset, hotspot_id, year)
            y = _smooth(k, n, valid, prior_groups(codes, kec, "kecamatan" if cfg.smoothing == "kecamatan"
                                                  else "global"))
            hs = local_moran(y, villages.geometry, permutations=999, seed=cfg.seed, fdr=cfg.hotspot_fdr)
            lisa = hs.cluster.to_numpy().astype(object)
            if cfg.hotspot_criterion:
                used[HOTSPOT_ID] = np.where(np.isnan(y), np.nan,
                                            (lisa == CLUSTER_LABELS["HH"]).astype(float))
    criteria_ids = list(weights)
    directions = {iid: inds[iid].direction for iid in inds} | {HOTSPOT_ID: "higher_worse"}
    criteria = tuple(
        Criterion(id=cid, direction=directions[cid], weight=weights[cid],  # type: ignore[arg-type]
                  label=inds[cid].label_id if cid in inds else HOTSPOT_LABEL,
                  unit=inds[cid].unit if cid in inds else "")
        for cid in criteria_ids
    )

    X = pd.DataFrame({cid: used[cid] for cid in criteria_ids}, index=codes)
    # outcome criteria are never filled in: the hotspot criterion is derived from the outcome rate
    outcome_cols = [c for c in criteria_ids if c == HOTSPOT_ID or inds[c].is_outcome]
    coverage_cols = [c for c in criteria_ids if c not in outcome_cols]
    has = X[list(inds)].notna().any(axis=1).to_numpy()
    has_outcome = X[outcome_cols].notna().any(axis=1).to_numpy() if outcome_cols else has
    if not has.any():
        raise InputError.of("scoring.error.no_data", year=year)
    if not outcome_cols:
        notices.append(Notice.of("scoring.engine.no_outcome_chosen"))
    flags = _add_flag(flags, ~has, t("scoring.engine.no_data"))
    no_outcome = has & ~has_outcome
    flags = _add_flag(flags, no_outcome, t("scoring.engine.no_outcome", "id", year=year))
    ranked = has & has_outcome
    topsis_gap = np.zeros(m, bool)
    if cfg.method == "topsis" and outcome_cols:
        topsis_gap = ranked & ~X[outcome_cols].notna().all(axis=1).to_numpy()
        for cid in outcome_cols:
            flags = _add_flag(flags, topsis_gap & X[cid].isna().to_numpy(),
                              t("scoring.engine.topsis_outcome", "id", id=cid))
        ranked &= ~topsis_gap
    if not ranked.any():
        raise InputError.of("scoring.error.no_outcome", year=year)
    policy = cfg.missing
    Xr = X[ranked]
    if cfg.method == "topsis" and policy == "exclude" and Xr[coverage_cols].isna().any().any():
        policy = "kecamatan_median"
        notices.append(Notice.of("scoring.engine.topsis_fill"))
    kec_s = pd.Series(kec, index=codes)
    filled = Xr.copy()
    if coverage_cols:
        filled[coverage_cols], _ = impute(Xr[coverage_cols], policy,  # type: ignore[arg-type]
                                          directions={c: directions[c] for c in coverage_cols},
                                          groups=kec_s[ranked])
    missing = Xr.isna()
    for cid in criteria_ids:
        miss = np.zeros(m, bool)
        miss[ranked] = missing[cid].to_numpy()
        key = (f"scoring.engine.missing.{policy}" if cid in coverage_cols or policy == "exclude"
               else "scoring.engine.missing.outcome")
        flags = _add_flag(flags, miss, t(key, "id", id=cid))
    outcome_gaps = int(missing[outcome_cols].to_numpy().sum()) if outcome_cols else 0
    if policy != "exclude" and outcome_gaps:
        notices.append(Notice.of("scoring.engine.outcome_not_filled", n=outcome_gaps))

    res = score(filled, list(criteria), method=cfg.method, normalisation=cfg.normalisation)  # type: ignore[arg-type]
    skor = res.score.reindex(codes)
    ranks = rank(skor)
    contrib = res.contributions.reindex(codes)
    expl = explain(contrib, ranks, kec_s)
    norm = res.normalised.reindex(codes)
    used_final = X.copy()
    used_final.loc[ranked] = filled  # villages not ranked keep the values they have
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

    # selection among ranked villages (+ forced-in villages, with their reason)
    fin = codes.isin(list(cfg.force_in))
    eligible = ranked | fin
    ranked_frame = pd.DataFrame({"code": codes[eligible], "kecamatan": kec[eligible],
                                 "rank": ranks.to_numpy()[eligible]})
    force_out = {c: r for c, r in cfg.force_out.items() if c in set(ranked_frame["code"])}
    sel = select_top(ranked_frame, cfg.top_n, max_per_kecamatan=cfg.max_per_kecamatan,
                     min_one_per_kecamatan=cfg.min_one_per_kecamatan,
                     force_in=cfg.force_in, force_out=force_out)
    notices += [Notice.free(w) for w in sel.warnings]
    chosen = codes.isin(list(sel.chosen))
    skipped = codes.isin(list(sel.skipped_by_quota))
    alasan = np.full(m, "", dtype=object)
    alasan = np.where(~has, t("scoring.engine.no_data"), alasan)
    alasan = np.where(no_outcome, t("scoring.engine.no_outcome", "id", year=year), alasan)
    alasan = np.where(topsis_gap, t("scoring.engine.topsis_not_ranked"), alasan)
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
        Xs = used_final.reindex(codes[eligible])
        if cfg.method == "topsis":
            # only forced-in villages can still have gaps here: they are chosen in every draw
            # whatever their values; the medians just keep TOPSIS's vector norm defined
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
    flags = _quality_flags(dataset, cfg, flags, chosen, notices)
    table["p_top_n"] = p_top
    table["stabilitas"] = label
    table["lisa"] = lisa
    table["flags"] = flags

    if (~has).any():
        notices.append(Notice.of("scoring.engine.villages_no_data", n=int((~has).sum()), year=year))
    if no_outcome.any():
        notices.append(Notice.of("scoring.engine.villages_no_outcome", n=int(no_outcome.sum()), year=year,
                                 ids=outcome_cols))
    if topsis_gap.any():
        notices.append(Notice.of("scoring.engine.topsis_left_out", n=int(topsis_gap.sum()),
                                 ids=outcome_cols))
    if cfg.smoothing == "none" and n_small.any():
        notices.append(Notice.of("scoring.engine.small_n_raw", n=int(n_small.sum()), min_n=cfg.min_n))
    if cfg.ahp_cr is not None and cfg.ahp_cr > CR_LIMIT:
        notices.append(Notice.of("scoring.engine.ahp_inconsistent", cr=round(float(cfg.ahp_cr), 3),
                                 limit=float(CR_LIMIT)))
    synthetic = dataset.coverage_synthetic and any(
        inds[i].kind == "coverage" or (is_delta(i) and dataset.indicator(base_id(i)).kind == "coverage")
        for i in inds)
    if synthetic:
        notices.append(Notice.of("scoring.engine.synthetic"))
    return ScoringResult(config=cfg, table=table, selection=sel,
                         warnings=tuple(n.render("id") for n in notices),
                         criteria=criteria, indicators=inds, stability=st,
                         hotspot_indicator=hotspot_id, synthetic=synthetic, notices=tuple(notices),
                         preset=usage, withheld=withheld)


# --------------------------------------------------------------------------- explanation
#: Placeholders of engine texts that hold free text or ids (kept as they are by :func:`localise`).
_FREE_TEXT = frozenset({"reason", "id", "options"})
_ID_NUMBER = re.compile(r"[-+]?\d+(?:\.\d{3})*(?:,\d+)?")


def _num(value: float, decimals: int = 1, lang: str = DEFAULT_LANG) -> str:
    """:func:`geo.scoring.mcda.format_id` (trailing zero decimals dropped) in the number style of ``lang``."""
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
        regex, literal, seen = "", 0, set()
        for part, name, _spec, _conv in string.Formatter().parse(text):
            regex += re.escape(part)
            literal += len(part)
            if name:  # a placeholder used twice must hold the same text
                regex += f"(?P={name})" if name in seen else f"(?P<{name}>.+?)"
                seen.add(name)
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
    """:func:`geo.scoring.mcda.explain_sentence` in ``lang`` (the Indonesian text is the same)."""
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
                y = _smooth(k, n, valid, prior_groups(table["kode"], table["kode_kec"], cfg.smoothing))
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
    """What travels with an exported list: year, config, sources, criteria, the EB formula,
    what the preset could not use, withheld criteria, indicator definitions, warnings
    (Indonesian texts and their catalogue keys)."""
    cfg = result.config
    usage = result.preset
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
        "pemulusan": None if cfg.smoothing == "none" else {
            "kelompok": "kecamatan" if cfg.smoothing == "kecamatan" else "kabupaten",
            "rumus": t("scoring.meth.eb_formula_value"),
            "sumber": t(f"scoring.meth.eb_note.{cfg.smoothing}")},
        "preset": None if usage is None else {
            "nama": usage.name, "label": usage.label_id, "jumlah_indikator": usage.total,
            "dipakai": list(usage.used), "tidak_tersedia": [list(e) for e in usage.missing],
            "ditahan": [{"id": i, "tahun_sebelumnya": p, "kolom": list(f)} for i, p, f in usage.withheld],
            "bobot_efektif": dict(usage.weights), "bobot_preset": dict(usage.preset_weights)},
        "kriteria_ditahan": {i: {"tahun_sebelumnya": p, "kolom": list(f)}
                             for i, (p, f) in result.withheld.items()},
        "definisi": {c.id: note for c in result.criteria if c.id in result.indicators
                     and (note := result.indicators[c.id].note("id"))},
        "konfigurasi": cfg.to_dict(),
        "catatan_data": list(dataset.caveats),
        "peringatan": list(result.warnings),
        "peringatan_kode": [n.to_dict() for n in result.notices],
    }
