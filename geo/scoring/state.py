"""The state one scoring run shares between its steps (:mod:`geo.scoring.pipeline`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.core.messages import Message
from geo.data.model import Dataset
from geo.scoring.config import ScoringConfig
from geo.scoring.stability import RateSpec

__all__ = ["Matrix", "Run", "Values"]


@dataclass
class Run:
    """The state shared by the steps of one run: inputs, warnings and per-village flags."""

    dataset: Dataset
    cfg: ScoringConfig
    warnings: list[Message] = field(default_factory=list)
    flags: list[list[Message]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.codes = self.dataset.codes
        self.kec = self.dataset.villages["kode_kec"].astype(str).to_numpy()
        self.m = len(self.codes)
        self.year = self.cfg.year
        self.flags = [[] for _ in range(self.m)]

    def flag(self, mask: np.ndarray, message: Message | Callable[[int], Message]) -> None:
        """Add ``message`` (or ``message(i)``) to the flags of the villages where ``mask``."""
        for i in np.flatnonzero(mask):
            self.flags[i].append(message(int(i)) if callable(message) else message)

    def warn(self, key: str, **params: object) -> None:
        self.warnings.append(Message(key, params))


@dataclass
class Values:
    """Criterion values of every village (before the missing policy) and what comes with them."""

    used: dict[str, np.ndarray] = field(default_factory=dict)
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    rates: dict[str, RateSpec] = field(default_factory=dict)
    n_small: np.ndarray | None = None


@dataclass
class Matrix:
    """Which villages are ranked and the criteria matrix after the missing policy."""

    X: pd.DataFrame
    filled: pd.DataFrame
    has: np.ndarray
    no_outcome: np.ndarray
    ranked: np.ndarray
    topsis_gap: np.ndarray
    outcome_cols: list[str]
    scored: pd.DataFrame | None = None  # every village's values as scored (filled where ranked)
