"""The types of :mod:`geo.scoring.budget`: the rules, the program, and what it returns.

The rules are those of the top-N selection (:func:`geo.scoring.selection.select_top`: per-kecamatan
maximum, at least one per kecamatan, forced in/out with reasons) plus a minimum per kecamatan.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from geo.core.errors import InputError
from geo.core.messages import Message

if TYPE_CHECKING:
    from geo.scoring.config import ScoringConfig

__all__ = ["BudgetConstraints", "BudgetOption", "BudgetSelection", "Problem", "TopNComparison"]


def _whole(value: Any, minimum: int, key: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or int(value) != value or value < minimum:
        raise InputError.of(key, rows=[value])
    return int(value)


@dataclass(frozen=True)
class BudgetConstraints:
    """Policy rules of a budget selection.

    Attributes
    ----------
    max_per_kecamatan
        At most K villages per kecamatan (≥ 1), None for no quota.
    min_per_kecamatan
        At least this many per kecamatan (≥ 0; capped by the kecamatan's candidates).
    min_one_per_kecamatan
        At least one per kecamatan (the same as ``min_per_kecamatan=1``).
    force_in, force_out
        Code → reason (kept in the result). A forced-in village must fit the budget.
    """

    max_per_kecamatan: int | None = None
    min_per_kecamatan: int | None = None
    min_one_per_kecamatan: bool = False
    force_in: Mapping[str, str] = field(default_factory=dict)
    force_out: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_per_kecamatan",
                           _whole(self.max_per_kecamatan, 1, "scoring.error.quota"))
        object.__setattr__(self, "min_per_kecamatan",
                           _whole(self.min_per_kecamatan, 0, "analytics.budget.error.min_per_kecamatan"))
        object.__setattr__(self, "force_in", {str(k): str(v) for k, v in dict(self.force_in).items()})
        object.__setattr__(self, "force_out", {str(k): str(v) for k, v in dict(self.force_out).items()})
        low = max(self.min_per_kecamatan or 0, int(self.min_one_per_kecamatan))
        if self.max_per_kecamatan is not None and low > self.max_per_kecamatan:
            raise InputError.of("analytics.budget.error.min_above_max", min=low, max=self.max_per_kecamatan)

    @classmethod
    def from_config(cls, config: ScoringConfig, **changes: Any) -> BudgetConstraints:
        """The rules of a scoring configuration (with ``changes``, e.g. ``min_per_kecamatan``)."""
        rules: dict[str, Any] = {"max_per_kecamatan": config.max_per_kecamatan,
                                 "min_one_per_kecamatan": config.min_one_per_kecamatan,
                                 "force_in": dict(config.force_in), "force_out": dict(config.force_out)}
        rules.update(changes)
        return cls(**rules)

    def check(self, codes: Set[str]) -> None:
        """An :class:`InputError` for a code forced both ways or not among ``codes``."""
        both = sorted(set(self.force_in) & set(self.force_out))
        if both:
            raise InputError.of("scoring.error.forced_both", rows=both)
        unknown = sorted((set(self.force_in) | set(self.force_out)) - set(codes))
        if unknown:
            raise InputError.of("scoring.error.forced_unranked", rows=unknown)


@dataclass(frozen=True, eq=False)
class Problem:
    """The integer program over the candidates (arrays aligned with ``codes``)."""

    codes: np.ndarray
    value: np.ndarray
    cost: np.ndarray
    score: np.ndarray
    children: np.ndarray
    group: np.ndarray
    group_names: np.ndarray
    required: np.ndarray
    cap: int | None
    forced: np.ndarray
    budget: float

    @property
    def n_groups(self) -> int:
        return len(self.group_names)


@dataclass(frozen=True)
class BudgetOption:
    """One set of villages: the optimum or a near-optimal alternative.

    Attributes
    ----------
    chosen
        Codes by score, highest first.
    objective
        Total of the objective (score, or children).
    cost, score, children
        Total cost (Rp), total priority score, stunted children in the chosen villages.
    share
        ``objective`` ÷ the optimum (1.0 for the optimum).
    added, removed
        Against the optimum (empty for the optimum itself).
    """

    chosen: tuple[str, ...]
    objective: float
    cost: float
    score: float
    children: float
    share: float = 1.0
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class TopNComparison:
    """The budget list side by side with the top-N list.

    Attributes
    ----------
    top_n
        The top-N codes given.
    gained, lost, kept
        In the budget list only; in the top-N only; in both.
    top_cost
        Cost of the top-N list (Rp); None when a village of it has no cost (``missing_cost``).
    top_score, top_children
        Total score and stunted children of the top-N list.
    """

    top_n: tuple[str, ...]
    gained: tuple[str, ...]
    lost: tuple[str, ...]
    kept: tuple[str, ...]
    top_cost: float | None
    missing_cost: tuple[str, ...]
    top_score: float
    top_children: float


@dataclass(frozen=True)
class BudgetSelection:
    """Result of :func:`geo.scoring.budget.select_with_budget`.

    Attributes
    ----------
    chosen
        Codes of the optimum, by score (highest first).
    objective, objective_kind
        Optimal total and what it totals (``"score"`` or ``"children"``).
    budget, cost, money_left
        Rp: the budget, the cost of the chosen villages, what is left.
    score, children
        Total priority score and stunted children reached by the chosen villages.
    status
        ``"optimal"`` (HiGHS proved optimality) or ``"time_limit"`` (the best set found within
        :data:`geo.scoring.budget.TIME_LIMIT`, not proven optimal); infeasible rules raise.
    alternatives
        Near-optimal sets (≥ 98 % of the optimum), each differing from all earlier ones.
    reasons
        Code → why chosen (forced in with its reason, or ``analytics.budget.reason.optimal``).
    excluded
        Code → why not a candidate (forced out, no score).
    no_cost
        Villages without a cost, not candidates (never imputed).
    warnings
        Messages (scores shifted, a kecamatan minimum that could not be met, nothing fits).
    comparison
        Against the top-N list given (None when none was given).
    """

    chosen: tuple[str, ...]
    objective: float
    objective_kind: str
    budget: float
    cost: float
    money_left: float
    score: float
    children: float
    status: str
    alternatives: tuple[BudgetOption, ...] = ()
    reasons: dict[str, Message] = field(default_factory=dict)
    excluded: dict[str, Message] = field(default_factory=dict)
    no_cost: tuple[str, ...] = ()
    warnings: tuple[Message, ...] = ()
    comparison: TopNComparison | None = None
