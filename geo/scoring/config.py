"""The configuration of a scoring run: :class:`ScoringConfig`, its checks, presets and AHP weights.

Everything that decides a ranking is one frozen, JSON round-tripping object; every field is
checked on construction, so a bad value is an :class:`~geo.core.errors.InputError` (a
catalogue key with its parameters), never a crash later in the pipeline.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cache
from importlib import resources
from numbers import Real
from typing import Any

import numpy as np

from geo.core.errors import InputError
from geo.core.messages import Message, Num
from geo.scoring.ahp import CR_LIMIT, AhpResult, ahp_weights, matrix_from_judgements
from geo.scoring.mcda import check_choice, weights_normalise
from geo.scoring.stability import MAX_DRAWS

__all__ = ["HOTSPOT_ID", "METHODS", "MISSING", "NORMALISATIONS", "PRESETS", "SERVER_LIMITS", "SMOOTHINGS",
           "ScoringConfig", "ahp_config", "capped", "check_preset", "whole"]

#: Id of the optional "in a High-High LISA cluster" criterion (1 = yes, 0 = no).
HOTSPOT_ID = "hotspot_hh"
METHODS = ("saw", "geomean", "topsis")
NORMALISATIONS = ("minmax", "zscore", "percentile")
SMOOTHINGS = ("none", "global", "kecamatan")
MISSING = ("exclude", "kecamatan_median", "worst")
#: Ceilings on the work one config read from outside (a browser, a scenario file, the database:
#: :meth:`ScoringConfig.from_dict`) may ask for; larger values are reduced to them and the
#: note ``scoring.engine.capped`` says so. A config built in code (the CLI) keeps the wider
#: bounds of the constructor. 2,000 draws of 6,000 villages stay well under 1 GB.
SERVER_LIMITS: dict[str, int] = {"draws": 2000, "top_n": 10_000, "max_per_kecamatan": 10_000}


@cache
def _presets() -> dict[str, dict]:
    path = resources.files("geo") / "resources" / "presets.json"
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


#: Preset name → ``{label_id, label_en, description_id, indicators, weights}``.
#: ``indicators`` entries are an id or a list of alternative ids (first available
#: wins, e.g. ``["prevalensi", "rasio_merah"]``); ``weights`` is parallel to it.
#: Each label is also the catalogue text ``scoring.preset.<name>`` (for messages).
PRESETS: dict[str, dict] = _presets()


def check_preset(name: object) -> None:
    """An :class:`InputError` unless ``name`` is a preset."""
    if name not in PRESETS:
        raise InputError.of("scoring.error.preset", name=name, options=list(PRESETS))


def capped(data: Mapping[str, Any], limits: Mapping[str, int] = SERVER_LIMITS) -> dict[str, Any]:
    """``data`` (a config dict) with each finite number above its limit reduced to the limit,
    and the note ``scoring.engine.capped`` added once when anything was reduced.

    >>> capped({"draws": 40_000, "top_n": 5})["draws"], capped({"draws": 40_000})["notes"]
    (2000, ['scoring.engine.capped'])
    """
    out = dict(data)
    over = [name for name, high in limits.items()
            if isinstance(out.get(name), Real) and not isinstance(out.get(name), bool)
            and math.isfinite(float(out[name])) and out[name] > high]
    for name in over:
        out[name] = limits[name]
    notes = out.get("notes", [])
    if over and isinstance(notes, Sequence) and not isinstance(notes, str | bytes) \
            and "scoring.engine.capped" not in notes:
        out["notes"] = [*notes, "scoring.engine.capped"]
    return out


def whole(value: Any, name: str, low: int, high: int) -> int:
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
        raise InputError.of("scoring.error.real", name=name, low=Num(low, 2, trim=True),
                            high=Num(high, 2, trim=True), rows=[value])
    return float(value)


def _check_weight_values(weights: Mapping[str, Any]) -> None:
    bad = [k for k, v in weights.items()
           if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(float(v)) or v < 0]
    if bad:
        raise InputError.of("scoring.error.weights", column=bad[0], rows=[weights[k] for k in bad])


def _checked_weights(weights: Mapping[str, Any], indicators: tuple[str, ...],
                     hotspot: bool) -> dict[str, float]:
    """Weights keyed exactly by the criteria, in their order, summing to 1."""
    expected = set(indicators) | ({HOTSPOT_ID} if hotspot else set())
    if set(weights) != expected:
        missing, extra = sorted(expected - set(weights)), sorted(set(weights) - expected)
        raise InputError.of(
            "scoring.error.weights_keys",
            missing=Message.of("scoring.error.weights_missing", ids=missing) if missing else "",
            extra=Message.of("scoring.error.weights_extra", ids=extra) if extra else "")
    out = {str(k): float(v) for k, v in weights.items()}
    if not math.isclose(sum(out.values()), 1.0, rel_tol=0.0, abs_tol=1e-12):
        out = weights_normalise(out)  # kept as given when already summing to 1: exact round trip
    return {k: out[k] for k in [*indicators, *([HOTSPOT_ID] if hotspot else [])]}


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
        Notes carried into the result warnings: catalogue keys (``scoring.engine.*``) or free text.
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
        self._check_shapes()
        self._check_choices()
        weights = {str(k): v for k, v in dict(self.weights).items()}
        _check_weight_values(weights)
        if self.hotspot_criterion and HOTSPOT_ID not in weights and weights:
            weights[HOTSPOT_ID] = float(np.mean([float(v) for v in weights.values()]))
            self._put("notes", (*self.notes, "scoring.engine.hotspot_weight"))
        self._put("weights", _checked_weights(weights, self.indicators, bool(self.hotspot_criterion)))
        self._check_numbers()

    def _put(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    def _check_shapes(self) -> None:
        self._put("year", whole(self.year, "year", 1900, 2100))
        for name in ("indicators", "notes"):
            value = getattr(self, name)
            if isinstance(value, str | bytes) or not isinstance(value, Sequence):
                raise InputError.of("scoring.error.list", name=name)
            self._put(name, tuple(str(i) for i in value))
        for name in ("weights", "force_in", "force_out"):
            if not isinstance(getattr(self, name), Mapping):
                raise InputError.of("scoring.error.mapping", name=name)
        self._put("force_in", {str(k): str(v) for k, v in dict(self.force_in).items()})
        self._put("force_out", {str(k): str(v) for k, v in dict(self.force_out).items()})

    def _check_choices(self) -> None:
        if self.preset is not None:
            check_preset(self.preset)
        check_choice(self.method, METHODS, "method")
        check_choice(self.normalisation, NORMALISATIONS, "normalisation")
        check_choice(self.smoothing, SMOOTHINGS, "smoothing")
        check_choice(self.missing, MISSING, "missing")
        if self.method == "geomean" and self.normalisation == "zscore":
            raise InputError.of("scoring.error.geomean_zscore")
        if not self.indicators or len(set(self.indicators)) != len(self.indicators):
            raise InputError.of("scoring.error.indicators", rows=list(self.indicators))
        if HOTSPOT_ID in self.indicators:
            raise InputError.of("scoring.error.hotspot_id", id=HOTSPOT_ID)

    def _check_numbers(self) -> None:
        for name, low, high in (("min_n", 0, 10**9), ("top_n", 0, 10**6), ("draws", 1, MAX_DRAWS)):
            self._put(name, whole(getattr(self, name), name, low, high))
        if self.max_per_kecamatan is not None:
            self._put("max_per_kecamatan", whole(self.max_per_kecamatan, "max_per_kecamatan", 1, 10**6))
        both = sorted(set(self.force_in) & set(self.force_out))
        if both:
            raise InputError.of("scoring.error.forced_both", rows=both)
        if isinstance(self.weight_cv, Real) and not isinstance(self.weight_cv, bool) \
                and not self.weight_cv >= 0:
            raise InputError.of("scoring.error.weight_cv")
        # cv > 5 makes every Dirichlet draw a one-criterion ranking: no longer a perturbation
        self._put("weight_cv", _real(self.weight_cv, "weight_cv", 0.0, 5.0))
        if self.ahp_cr is not None:
            self._put("ahp_cr", _real(self.ahp_cr, "ahp_cr", 0.0, 1e6))
        self._put("seed", whole(self.seed, "seed", 0, 2**32 - 1))
        for name in ("hotspot_criterion", "hotspot_fdr", "min_one_per_kecamatan"):
            self._put(name, bool(getattr(self, name)))

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
        """Config from :meth:`to_dict` output (unknown keys are an :class:`InputError`); numbers
        above :data:`SERVER_LIMITS` are reduced to them (:func:`capped`): this is how configs
        from a browser, a scenario file or the database come in."""
        if not isinstance(data, Mapping):
            raise InputError.of("scoring.error.mapping", name="config")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError.of("scoring.error.config_keys", rows=unknown)
        for key in ("year", "indicators", "weights"):
            if key not in data:
                raise InputError.of("scoring.error.config_missing", key=key)
        return cls(**capped(data))


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
        raise InputError.of("scoring.error.ahp_inconsistent", cr=Num(result.cr, 3, trim=True),
                            limit=Num(CR_LIMIT, 1, trim=True))
    weights = {k: float(v) for k, v in result.weights.items()}
    return replace(config, weights=weights, ahp_cr=float(result.cr)), result
