"""Presets: named sets of indicators and weights, and what a dataset can give of one.

A preset entry is an indicator id or a list of alternatives (first available wins). The
labels live in ``geo/resources/presets.json`` and, for messages, in the catalogue as
``scoring.preset.<name>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geo.core.errors import InputError
from geo.core.i18n import DEFAULT_LANG, lang_of
from geo.core.indicators import is_delta
from geo.core.messages import Message
from geo.data.model import Dataset
from geo.scoring.config import PRESETS, ScoringConfig, check_preset, whole
from geo.scoring.mcda import weights_normalise
from geo.scoring.values import check_year, withheld_delta

__all__ = ["PresetUsage", "preset_config", "preset_usage"]


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
    check_preset(name)
    preset = PRESETS[name]
    offered = {i.id for i in dataset.scoring_indicators(year)}
    # the dataset no longer offers a change across years defined differently; name it anyway
    deltas = {o for entry in preset["indicators"]
              for o in ((entry,) if isinstance(entry, str) else entry) if is_delta(o)}
    withheld = {i: w for i in offered | deltas if (w := withheld_delta(dataset, i, year)) is not None}
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
    check_preset(name)
    year = whole(year if year is not None else max(dataset.years), "year", 1900, 2100)
    check_year(dataset, year)
    usage = preset_usage(dataset, name, year)
    if not usage.used:
        raise InputError.of("scoring.error.preset_empty", preset=Message(f"scoring.preset.{name}"),
                            year=str(year))
    params: dict[str, Any] = {"year": year, "indicators": usage.used, "weights": usage.weights,
                              "preset": name}
    params.update(overrides)
    return ScoringConfig(**params)
