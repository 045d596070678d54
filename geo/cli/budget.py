"""``lokus score --budget RP --costs FILE``: the lokus the budget buys, beside the top-N list.

The options are added to ``lokus score`` (:func:`add_budget_options`); after the ranking is
written, :func:`run_budget` reads the cost table (:func:`geo.scoring.budget_costs.read_costs`),
solves the integer program (:func:`geo.scoring.budget.select_with_budget`) under the same rules
as the ranking (quota, at least one per kecamatan, forced in/out) and prints the chosen villages,
cost, money left, children reached, villages gained and lost against the top-N list, and the
near-optimal alternatives. Every line is a ``cli.budget.*`` catalogue key.
"""

from __future__ import annotations

import argparse

import pandas as pd

from geo.cli.common import existing_file, print_quality, say, warn
from geo.core.errors import InputError
from geo.core.i18n import format_number, t
from geo.core.messages import render_all
from geo.data.model import Dataset
from geo.io.tables import parse_numbers
from geo.scoring.budget import BudgetConstraints, BudgetSelection, select_with_budget
from geo.scoring.budget_costs import candidates_of, costs_from_unit, read_costs
from geo.scoring.result import ScoringResult

__all__ = ["add_budget_options", "run_budget", "rupiah"]


def rupiah(text: str) -> float:
    """An amount typed on the command line: ``1500000000``, ``1.500.000.000`` or ``1,5e9``."""
    values, bad = parse_numbers(pd.Series([text], dtype="string"))
    if bad.iloc[0] or pd.isna(values.iloc[0]):
        raise argparse.ArgumentTypeError(text)
    return float(values.iloc[0])


def add_budget_options(p: argparse.ArgumentParser, lang: str) -> None:
    """The budget options of ``lokus score``."""
    def h(key: str) -> str:
        return t(f"cli.budget.opt.{key}", lang)

    p.add_argument("--budget", type=rupiah, default=None, metavar="RP", help=h("budget"))
    p.add_argument("--costs", metavar="FILE", help=h("costs"))
    p.add_argument("--unit-cost", type=rupiah, default=None, metavar="RP", help=h("unit_cost"))
    p.add_argument("--budget-objective", default="score", choices=["score", "children"], help=h("objective"))
    p.add_argument("--alternatives", type=int, default=3, metavar="K", help=h("alternatives"))
    p.add_argument("--min-per-kecamatan", type=int, default=None, metavar="R", help=h("min_per_kecamatan"))


def _names(dataset: Dataset, codes: tuple[str, ...] | list[str]) -> str:
    names = dict(zip(dataset.villages["kode"], dataset.villages["nama"], strict=True))
    return ", ".join(f"{names.get(c, c)} ({c})" for c in codes) or "–"


def _print_choice(sel: BudgetSelection, dataset: Dataset, costs: pd.Series, lang: str) -> None:
    villages = dataset.villages.set_index("kode")
    say("cli.budget.head", lang, budget=format_number(sel.budget, 0, lang),
        objective=t(f"analytics.budget.objective.{sel.objective_kind}", lang), n=len(sel.chosen))
    for i, code in enumerate(sel.chosen, 1):
        row = villages.loc[code]
        say("cli.budget.row", lang, i=i, nama=row["nama"], kode=code, kecamatan=row["nama_kec"],
            cost=format_number(float(costs[code]), 0, lang), reason=sel.reasons[code].render(lang))
    say("cli.budget.total", lang, cost=format_number(sel.cost, 0, lang),
        left=format_number(sel.money_left, 0, lang), children=format_number(sel.children, 0, lang),
        score=format_number(sel.score, 3, lang))


def _print_comparison(sel: BudgetSelection, dataset: Dataset, lang: str) -> None:
    cmp = sel.comparison
    if cmp is None:
        return
    cost = "–" if cmp.top_cost is None else format_number(cmp.top_cost, 0, lang)
    say("cli.budget.top_n", lang, n=len(cmp.top_n), cost=cost,
        children=format_number(cmp.top_children, 0, lang), score=format_number(cmp.top_score, 3, lang))
    say("cli.budget.gained", lang, n=len(cmp.gained), villages=_names(dataset, cmp.gained))
    say("cli.budget.lost", lang, n=len(cmp.lost), villages=_names(dataset, cmp.lost))
    if cmp.missing_cost:
        say("cli.budget.top_missing_cost", lang, n=len(cmp.missing_cost),
            villages=_names(dataset, cmp.missing_cost))
    for i, alt in enumerate(sel.alternatives, 1):
        say("cli.budget.alternative", lang, i=i, share=format_number(100 * alt.share, 1, lang),
            cost=format_number(alt.cost, 0, lang), added=_names(dataset, alt.added),
            removed=_names(dataset, alt.removed))


def run_budget(args: argparse.Namespace, dataset: Dataset, result: ScoringResult,
               lang: str) -> BudgetSelection | None:
    """Solve and print the budget selection when ``--budget`` was given (None otherwise)."""
    if args.budget is None:
        return None
    candidates = candidates_of(result, dataset)
    if args.costs:
        costs = read_costs(existing_file(args.costs), dataset.villages, unit_cost=args.unit_cost)
    elif args.unit_cost is not None:  # unit cost × stunted children of the register
        costs = costs_from_unit(args.unit_cost, candidates.set_index("code")["children"])
    else:
        raise InputError.of("cli.budget.error.costs_required")
    rules = BudgetConstraints.from_config(result.config, min_per_kecamatan=args.min_per_kecamatan)
    sel = select_with_budget(candidates, costs.values, args.budget, rules,
                             objective=args.budget_objective, alternatives=args.alternatives,
                             top_n=list(result.selection.chosen))
    _print_choice(sel, dataset, costs.values, lang)
    _print_comparison(sel, dataset, lang)
    if sel.no_cost:
        say("cli.budget.no_cost", lang, n=len(sel.no_cost))
    for line in render_all([*costs.notes, *sel.warnings], lang):
        warn(line)
    if len(costs.quality_log):
        print_quality(costs.quality_log, lang)
    return sel
