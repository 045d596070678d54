"""Lokus under a budget (Aksi 2 meets Aksi 1): the best set of villages that the money buys.

:func:`select_with_budget` solves an exact 0/1 integer program with HiGHS
(:func:`scipy.optimize.milp`), not a greedy heuristic. With :math:`x_i \\in \\{0,1\\}` per
candidate village, :math:`v_i` its value and :math:`c_i` its cost (Rp):

.. math::

    \\max \\sum_i v_i x_i \\quad\\text{s.t.}\\quad \\sum_i c_i x_i \\le B,\\quad
    r_g \\le \\sum_{i \\in g} x_i \\le K \\;(\\text{each kecamatan } g),\\quad
    x_i = 1 \\;(\\text{forced in}),

``v`` is the priority score (``objective="score"``, the default) or the number of stunted
children in the village (``objective="children"``). Forced-out villages, villages without a
cost (**never imputed**: listed in :attr:`BudgetSelection.no_cost`) and villages without a
score (unless forced in, then valued 0) are not candidates. The minimum per kecamatan
``r_g = min(max(min_per_kecamatan, 1 if min_one_per_kecamatan), candidates in g)``: a
kecamatan whose villages all lack a cost cannot be represented (a warning names it).
Scores below zero (z-score normalisation) are shifted so the lowest is 0 (a warning says so):
otherwise adding a village could lower the total.

**Alternatives.** After the optimum :math:`z^*`, up to ``alternatives`` further sets are found
by re-solving with a no-good cut per set found, :math:`\\sum_{i \\in S}(1 - x_i) + \\sum_{i
\\notin S} x_i \\ge 1` (each differs from every earlier set in at least one village), and
:math:`\\sum v_i x_i \\ge 0.98\\,z^*`: near-optimal choices for the rembuk.

**Infeasible rules** raise :class:`InputError` naming the rule at fault, checked in this order
(each is exact for these rules): forced-in villages above the kecamatan maximum; forced-in
villages costing more than the budget; the cheapest way to meet the minimum per kecamatan
(with the forced villages) costing more than the budget.

Costs come from :mod:`geo.scoring.budget_costs` (a cost table, the Aksi 2 plan, or a unit cost
× target children).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from geo.core.errors import InputError
from geo.core.messages import Message
from geo.scoring.budget_model import (
    BudgetConstraints,
    BudgetOption,
    BudgetSelection,
    Problem,
    TopNComparison,
)

__all__ = ["NEAR_OPTIMAL", "TIME_LIMIT", "BudgetConstraints", "BudgetOption", "BudgetSelection",
           "TopNComparison", "select_with_budget"]

#: Alternatives must reach this share of the optimum.
NEAR_OPTIMAL = 0.98
Objective = Literal["score", "children"]
_FEAS_TOL = 1e-7  # HiGHS primal feasibility tolerance: the budget row is re-checked exactly
#: Seconds HiGHS may spend on one solve; past it the best set found is returned (``time_limit``).
TIME_LIMIT = 60.0


def _solve(p: Problem, cuts: Sequence[np.ndarray] = (), floor: float | None = None,
           slack: float = 0.0, timed_out: list[bool] | None = None) -> np.ndarray | None:
    """The best 0/1 vector under ``p`` (and the cuts / objective floor), None when infeasible."""
    timed_out = [] if timed_out is None else timed_out
    m = len(p.value)
    if m == 0:
        return np.zeros(0, bool)
    rows, lo, hi = [p.cost / p.budget], [-np.inf], [1.0 - slack]
    for g in range(p.n_groups):
        member = (p.group == g).astype(float)
        if member.any():
            rows.append(member)
            lo.append(float(p.required[g]))
            hi.append(np.inf if p.cap is None else float(p.cap))
    for cut in cuts:  # at least one change from each earlier set
        rows.append(np.where(cut, -1.0, 1.0))
        lo.append(1.0 - float(cut.sum()))
        hi.append(np.inf)
    if floor is not None:
        rows.append(p.value)
        lo.append(floor)
        hi.append(np.inf)
    res = milp(c=-p.value, integrality=np.ones(m), bounds=Bounds(p.forced.astype(float), np.ones(m)),
               constraints=[LinearConstraint(np.vstack(rows), lo, hi)],
               options={"mip_rel_gap": 0.0, "presolve": True, "time_limit": TIME_LIMIT})
    if res.x is None or res.status not in (0, 1):  # 1: time limit, with the best set found
        return None
    if res.status == 1:
        timed_out.append(True)
    x = np.asarray(np.round(res.x), bool)
    if p.cost[x].sum() > p.budget and slack < 1e-3:  # within HiGHS's tolerance but over by Rp
        return _solve(p, cuts, floor, max(2 * slack, 10 * _FEAS_TOL), timed_out)
    return x


def _diagnose(p: Problem) -> InputError:
    """The rule that makes the program infeasible (see the module docstring)."""
    forced_cost = float(p.cost[p.forced].sum())
    per_group = np.bincount(p.group[p.forced], minlength=p.n_groups)
    if p.cap is not None and (per_group > p.cap).any():
        g = int(np.argmax(per_group))
        return InputError.of("analytics.budget.infeasible.forced_quota", kecamatan=p.group_names[g],
                             n=int(per_group[g]), max=int(p.cap))
    if forced_cost > p.budget:
        return InputError.of("analytics.budget.infeasible.forced_cost", cost=round(forced_cost),
                             budget=round(p.budget), rows=list(p.codes[p.forced]))
    need = forced_cost
    for g in range(p.n_groups):
        more = int(p.required[g] - per_group[g])
        if more > 0:
            free = np.sort(p.cost[(p.group == g) & ~p.forced])
            need += float(free[:more].sum())
    if need > p.budget:
        return InputError.of("analytics.budget.infeasible.min_cost", need=round(need),
                             budget=round(p.budget))
    return InputError.of("analytics.budget.infeasible.unknown", budget=round(p.budget))


def _option(p: Problem, x: np.ndarray, optimum: float, reference: np.ndarray | None) -> BudgetOption:
    order = np.lexsort((p.codes[x], -p.score[x]))
    chosen = tuple(p.codes[x][order])
    added = removed = ()
    if reference is not None:
        added = tuple(c for c in chosen if c not in set(p.codes[reference]))
        removed = tuple(sorted(set(p.codes[reference]) - set(chosen)))
    objective = float(p.value[x].sum())
    return BudgetOption(chosen=chosen, objective=objective, cost=float(p.cost[x].sum()),
                        score=float(np.nan_to_num(p.score[x]).sum()), children=float(p.children[x].sum()),
                        share=objective / optimum if optimum > 0 else 1.0, added=added, removed=removed)


def _check_inputs(candidates: pd.DataFrame, budget: float, objective: str, alternatives: int,
                  rules: BudgetConstraints) -> None:
    missing = [c for c in ("code", "kecamatan", "score") if c not in candidates.columns]
    if missing:
        raise ValueError(f"candidates lack columns {missing}")
    if not candidates["code"].astype(str).is_unique:
        raise ValueError("candidate codes must be unique")
    if objective not in ("score", "children"):
        raise InputError.of("analytics.budget.error.objective", value=str(objective))
    if objective == "children" and "children" not in candidates.columns:
        raise InputError.of("analytics.budget.error.no_children")
    if not isinstance(budget, int | float) or not np.isfinite(budget) or budget <= 0:
        raise InputError.of("analytics.budget.error.budget", rows=[budget])
    if int(alternatives) != alternatives or alternatives < 0:
        raise InputError.of("analytics.budget.error.alternatives", rows=[alternatives])
    rules.check(set(candidates["code"].astype(str)))


def _costs_of(codes: np.ndarray, costs: Mapping[str, float] | pd.Series) -> np.ndarray:
    """Cost per code (NaN when none); a negative or infinite cost is an error."""
    series = pd.Series(dict(costs) if not isinstance(costs, pd.Series) else costs, dtype=float)
    series.index = series.index.astype(str)
    bad = series[series.notna() & (~np.isfinite(series) | (series < 0))]
    if len(bad):
        raise InputError.of("analytics.budget.error.cost_negative", rows=list(bad.index))
    return series.reindex(codes).to_numpy(dtype=float)


def _problem(candidates: pd.DataFrame, costs: Mapping[str, float] | pd.Series, budget: float,
             rules: BudgetConstraints, objective: str,
             warnings: list[Message]) -> tuple[Problem, dict[str, Message], tuple[str, ...]]:
    """The candidates of the program, the villages excluded (with why) and those without a cost."""
    codes = candidates["code"].astype(str).to_numpy()
    cost = _costs_of(codes, costs)
    score = candidates["score"].to_numpy(dtype=float)
    children = (candidates["children"].to_numpy(dtype=float) if "children" in candidates
                else np.full(len(codes), np.nan))
    forced = np.isin(codes, list(rules.force_in))
    out = np.isin(codes, list(rules.force_out))
    no_cost_forced = codes[forced & np.isnan(cost)]
    if len(no_cost_forced):
        raise InputError.of("analytics.budget.error.forced_no_cost", rows=list(no_cost_forced))
    excluded = {c: Message.of("scoring.engine.forced_out", reason=str(r)) for c, r in rules.force_out.items()}
    no_cost = tuple(sorted(codes[~out & np.isnan(cost)]))
    for c in codes[~out & ~forced & ~np.isnan(cost) & np.isnan(score)]:
        excluded[str(c)] = Message.of("analytics.budget.excluded.no_score")
    keep = ~out & ~np.isnan(cost) & (forced | ~np.isnan(score))
    kec_all = candidates["kecamatan"].astype(str).to_numpy()
    names, group = np.unique(kec_all[keep], return_inverse=True)
    low = np.nanmin(score[keep]) if (keep & ~np.isnan(score)).any() else 0.0
    if objective == "score" and low < 0:
        warnings.append(Message.of("analytics.budget.note.shifted"))
    shifted = np.where(np.isnan(score), 0.0, score - min(low, 0.0))
    value = shifted if objective == "score" else np.nan_to_num(children)
    wanted = max(int(rules.min_per_kecamatan or 0), int(rules.min_one_per_kecamatan))
    available = np.bincount(group, minlength=len(names))
    short = sorted(set(kec_all) - set(names)) if wanted else []
    short += [str(n) for n, a in zip(names, available, strict=True) if wanted and a < wanted]
    if short:
        warnings.append(Message.of("analytics.budget.note.min_short", kecamatan=short[:10], n=len(short)))
    problem = Problem(codes=codes[keep], value=value[keep], cost=cost[keep], score=score[keep],
                      children=np.nan_to_num(children[keep]), group=group, group_names=names,
                      required=np.minimum(wanted, available), cap=rules.max_per_kecamatan,
                      forced=forced[keep], budget=float(budget))
    return problem, excluded, no_cost


def _compare(p: Problem, chosen: Sequence[str], top_n: Sequence[str],
             costs: Mapping[str, float] | pd.Series, candidates: pd.DataFrame) -> TopNComparison:
    top = tuple(str(c) for c in top_n)
    every = candidates.set_index(candidates["code"].astype(str))
    cost = pd.Series(_costs_of(every.index.to_numpy(), costs), index=every.index)
    known = [c for c in top if c in every.index]
    missing = tuple(c for c in known if np.isnan(cost[c]))
    children = every["children"] if "children" in every else pd.Series(np.nan, index=every.index)
    return TopNComparison(
        top_n=top, gained=tuple(c for c in chosen if c not in set(top)),
        lost=tuple(c for c in top if c not in set(chosen)), kept=tuple(c for c in top if c in set(chosen)),
        top_cost=None if missing else float(cost[known].sum()), missing_cost=missing,
        top_score=float(np.nansum(every.loc[known, "score"].to_numpy(dtype=float))),
        top_children=float(np.nansum(children[known].to_numpy(dtype=float))))


def select_with_budget(
    candidates: pd.DataFrame,
    costs: Mapping[str, float] | pd.Series,
    budget: float,
    constraints: BudgetConstraints | None = None,
    *,
    objective: Objective = "score",
    alternatives: int = 3,
    top_n: Sequence[str] | None = None,
) -> BudgetSelection:
    """The villages that maximise the objective within ``budget``; see the module docstring.

    Parameters
    ----------
    candidates
        Columns ``code``, ``kecamatan``, ``score`` (NaN = not ranked) and, for
        ``objective="children"`` or to report children reached, ``children`` (stunted
        children; NaN counts as 0). :func:`geo.scoring.budget_costs.candidates_of` builds it from
        a scoring result.
    costs
        Code → cost in Rp (:class:`geo.scoring.budget_costs.Costs` ``.values``).
    budget
        Money available (Rp, > 0).
    constraints
        Per-kecamatan maximum/minimum, at least one per kecamatan, forced in/out with reasons.
    objective
        ``"score"`` (total priority score) or ``"children"`` (stunted children reached).
    alternatives
        How many near-optimal alternative sets to look for (≥ 0).
    top_n
        The top-N list to compare with (villages gained and lost, its cost).

    Raises
    ------
    InputError
        Bad budget, objective or rules; a forced-in village without a cost; infeasible rules
        (the message names the rule).
    """
    rules = constraints or BudgetConstraints()
    _check_inputs(candidates, budget, objective, alternatives, rules)
    warnings: list[Message] = []
    p, excluded, no_cost = _problem(candidates, costs, budget, rules, objective, warnings)
    timed_out: list[bool] = []
    best = _solve(p, timed_out=timed_out)
    if best is None:
        raise _diagnose(p)
    opt = _option(p, best, float(p.value[best].sum()), None)
    if not best.any():
        warnings.append(Message.of("analytics.budget.note.nothing_fits"))
    found: list[np.ndarray] = [best]
    alts: list[BudgetOption] = []
    floor = NEAR_OPTIMAL * opt.objective - 1e-9 * abs(opt.objective)
    while len(alts) < alternatives and opt.objective > 0:
        x = _solve(p, cuts=found, floor=floor)
        if x is None or float(p.value[x].sum()) < floor:
            break
        found.append(x)
        alts.append(_option(p, x, opt.objective, best))
    reasons = {c: (Message.of("scoring.engine.forced_in", reason=str(rules.force_in[c]))
                   if c in rules.force_in else Message.of("analytics.budget.reason.optimal"))
               for c in opt.chosen}
    return BudgetSelection(
        chosen=opt.chosen, objective=opt.objective, objective_kind=objective, budget=float(budget),
        cost=opt.cost, money_left=float(budget) - opt.cost, score=opt.score, children=opt.children,
        status="time_limit" if timed_out else "optimal", alternatives=tuple(alts), reasons=reasons,
        excluded=excluded, no_cost=no_cost,
        warnings=tuple(warnings),
        comparison=None if top_n is None else _compare(p, opt.chosen, top_n, costs, candidates))

