"""Lokus under a budget (geo/scoring/budget.py): the integer program against brute force.

The reference enumerates every subset of ≤ 16 villages (numpy over all 2^m masks) and applies
the rules as the module docstring states them, independently of the solver.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.core.errors import InputError
from geo.scoring.budget import NEAR_OPTIMAL, BudgetConstraints, select_with_budget
from geo.scoring.budget_costs import costs_from_plan, costs_from_unit, read_costs

KECAMATAN = ("A", "B", "C", "D")


def instance(seed: int, m: int = 12) -> tuple[pd.DataFrame, dict[str, float], float]:
    """Random villages (one without a score, one without a cost) and a budget ≈ 35 % of all."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"code": [f"32.11.01.{2000 + i}" for i in range(m)],
                          "kecamatan": rng.choice(KECAMATAN, m),
                          "score": rng.random(m).round(4),
                          "children": rng.integers(0, 30, m).astype(float)})
    frame.loc[m - 1, "score"] = np.nan
    cost = rng.integers(5, 60, m) * 1_000_000.0
    costs = {c: float(v) for c, v in zip(frame["code"], cost, strict=True)}
    del costs[frame["code"][m - 2]]
    return frame, costs, float(round(0.35 * cost.sum(), -6))


def brute(frame: pd.DataFrame, costs: dict[str, float], budget: float, rules: BudgetConstraints,
          objective: str = "score") -> np.ndarray:
    """Objective of every feasible subset, best first (empty when infeasible)."""
    codes = frame["code"].to_numpy()
    cost = np.array([costs.get(c, np.nan) for c in codes])
    score = frame["score"].to_numpy(dtype=float)
    forced = np.isin(codes, list(rules.force_in))
    cand = ~np.isin(codes, list(rules.force_out)) & ~np.isnan(cost) & (forced | ~np.isnan(score))
    idx = np.flatnonzero(cand)
    subsets = list(itertools.product([False, True], repeat=len(idx)))
    masks = np.array(subsets, dtype=bool).reshape(-1, len(idx))
    value = (np.nan_to_num(score) if objective == "score" else frame["children"].to_numpy(dtype=float))[idx]
    ok = masks @ cost[idx] <= budget
    ok &= masks[:, forced[idx]].all(axis=1)
    kec = frame["kecamatan"].to_numpy()[idx]
    wanted = max(rules.min_per_kecamatan or 0, int(rules.min_one_per_kecamatan))
    for k in set(kec):
        count = masks[:, kec == k].sum(axis=1)
        ok &= count >= min(wanted, int((kec == k).sum()))
        if rules.max_per_kecamatan is not None:
            ok &= count <= rules.max_per_kecamatan
    return np.sort(masks[ok].astype(float) @ value)[::-1]


def chosen_ok(frame: pd.DataFrame, costs: dict[str, float], budget: float, rules: BudgetConstraints,
              chosen: tuple[str, ...]) -> None:
    assert sum(costs[c] for c in chosen) <= budget
    assert set(rules.force_in) <= set(chosen)
    assert not set(rules.force_out) & set(chosen)
    kec = frame.set_index("code").loc[list(chosen), "kecamatan"]
    if rules.max_per_kecamatan is not None:
        assert (kec.value_counts() <= rules.max_per_kecamatan).all()


def rules_of(frame: pd.DataFrame, max_k: int | None, min_k: int | None, min_one: bool, fin: bool,
             fout: bool) -> BudgetConstraints:
    codes = list(frame["code"])
    return BudgetConstraints(max_per_kecamatan=max_k, min_per_kecamatan=min_k, min_one_per_kecamatan=min_one,
                             force_in={codes[0]: "SK", codes[3]: "SK"} if fin else {},
                             force_out={codes[1]: "pindah", codes[4]: "pindah"} if fout else {})


COMBOS = list(itertools.product([None, 2], [None, 2], [False, True], [False, True], [False, True]))


@pytest.mark.parametrize("objective", ["score", "children"])
@pytest.mark.parametrize(("max_k", "min_k", "min_one", "fin", "fout"), COMBOS)
def test_optimum_equals_brute_force_for_every_rule_combination(max_k, min_k, min_one, fin, fout, objective):
    for seed in (1, 2):
        frame, costs, budget = instance(seed + 10 * COMBOS.index((max_k, min_k, min_one, fin, fout)))
        rules = rules_of(frame, max_k, min_k, min_one, fin, fout)
        reference = brute(frame, costs, budget, rules, objective)
        if not len(reference):
            with pytest.raises(InputError) as info:
                select_with_budget(frame, costs, budget, rules, objective=objective, alternatives=0)
            assert info.value.key.startswith("analytics.budget.infeasible.")
            continue
        got = select_with_budget(frame, costs, budget, rules, objective=objective, alternatives=0)
        assert got.objective == pytest.approx(reference[0], rel=1e-9, abs=1e-9)
        chosen_ok(frame, costs, budget, rules, got.chosen)
        assert got.money_left == pytest.approx(budget - got.cost)


@pytest.mark.parametrize("seed", range(6))
def test_alternatives_are_the_next_best_sets_within_two_percent_and_distinct(seed):
    frame, costs, budget = instance(100 + seed, m=14)
    rules = BudgetConstraints(max_per_kecamatan=3)
    got = select_with_budget(frame, costs, budget, rules, alternatives=3)
    reference = brute(frame, costs, budget, rules)
    near = reference[reference >= NEAR_OPTIMAL * reference[0] - 1e-12]
    assert len(got.alternatives) == min(3, len(near) - 1)
    sets = [frozenset(got.chosen), *(frozenset(a.chosen) for a in got.alternatives)]
    assert len(set(sets)) == len(sets)
    for alt, expected in zip(got.alternatives, near[1:], strict=False):
        assert alt.objective == pytest.approx(expected, rel=1e-9)
        assert alt.share >= NEAR_OPTIMAL - 1e-12
        assert set(alt.added) == set(alt.chosen) - set(got.chosen)
        assert set(alt.removed) == set(got.chosen) - set(alt.chosen)
        chosen_ok(frame, costs, budget, rules, alt.chosen)


def test_villages_without_cost_or_score_are_listed_not_imputed():
    frame, costs, budget = instance(3)
    got = select_with_budget(frame, costs, budget)
    assert got.no_cost == (frame["code"][10],)
    assert frame["code"][11] in got.excluded
    assert got.excluded[frame["code"][11]].key == "analytics.budget.excluded.no_score"
    assert frame["code"][10] not in got.chosen and frame["code"][11] not in got.chosen


def small() -> tuple[pd.DataFrame, dict[str, float]]:
    frame = pd.DataFrame({"code": ["a", "b", "c", "d"], "kecamatan": ["K1", "K1", "K2", "K2"],
                          "score": [0.9, 0.8, 0.3, 0.2], "children": [5.0, 3.0, 9.0, 1.0]})
    return frame, {"a": 100.0, "b": 60.0, "c": 50.0, "d": 10.0}


def test_hand_computed_choice_and_top_n_comparison():
    frame, costs = small()
    # budget 120: {a, d} = 1.1 (cost 110) beats {b, c} = 1.1? no: 0.8 + 0.3 = 1.1 ties; {b,c,d}=1.3 (cost 120)
    got = select_with_budget(frame, costs, 120.0, top_n=["a", "b"])
    assert got.chosen == ("b", "c", "d")
    assert got.objective == pytest.approx(1.3) and got.cost == 120.0 and got.money_left == 0.0
    assert got.children == 13.0
    cmp = got.comparison
    assert cmp.gained == ("c", "d") and cmp.lost == ("a",) and cmp.kept == ("b",)
    assert cmp.top_cost == 160.0 and cmp.top_children == 8.0
    by_children = select_with_budget(frame, costs, 120.0, objective="children")
    assert by_children.chosen == ("b", "c", "d") and by_children.objective == 13.0


def test_infeasible_messages_name_the_rule():
    frame, costs = small()
    with pytest.raises(InputError) as info:
        select_with_budget(frame, costs, 100.0, BudgetConstraints(force_in={"a": "SK", "c": "SK"}))
    assert info.value.key == "analytics.budget.infeasible.forced_cost"
    assert info.value.message.params == {"cost": 150, "budget": 100}
    assert "150" in info.value.render("en") and "100" in info.value.render("en")
    with pytest.raises(InputError) as info:
        select_with_budget(frame, costs, 50.0, BudgetConstraints(min_one_per_kecamatan=True))
    assert info.value.key == "analytics.budget.infeasible.min_cost"
    assert info.value.message.params["need"] == 70  # cheapest of K1 (b 60) + of K2 (d 10)
    with pytest.raises(InputError) as info:
        select_with_budget(frame, costs, 500.0, BudgetConstraints(max_per_kecamatan=1,
                                                                  force_in={"a": "x", "b": "y"}))
    assert info.value.key == "analytics.budget.infeasible.forced_quota"
    assert info.value.message.params["kecamatan"] == "K1"


def test_bad_inputs_are_input_errors():
    frame, costs = small()
    for bad in (0, -5, float("nan"), float("inf")):
        with pytest.raises(InputError) as info:
            select_with_budget(frame, costs, bad)
        assert info.value.key == "analytics.budget.error.budget"
    with pytest.raises(InputError) as info:
        select_with_budget(frame, {**costs, "a": -1.0}, 100.0)
    assert info.value.key == "analytics.budget.error.cost_negative"
    with pytest.raises(InputError) as info:
        select_with_budget(frame, {"b": 1.0}, 100.0, BudgetConstraints(force_in={"a": "SK"}))
    assert info.value.key == "analytics.budget.error.forced_no_cost"
    with pytest.raises(InputError) as info:
        BudgetConstraints(max_per_kecamatan=1, min_per_kecamatan=2)
    assert info.value.key == "analytics.budget.error.min_above_max"
    with pytest.raises(InputError) as info:
        select_with_budget(frame, costs, 100.0, BudgetConstraints(force_in={"zz": "?"}))
    assert info.value.key == "scoring.error.forced_unranked"


def test_nothing_fits_and_negative_scores():
    frame, costs = small()
    got = select_with_budget(frame, costs, 5.0)
    assert got.chosen == () and got.money_left == 5.0
    assert [w.key for w in got.warnings] == ["analytics.budget.note.nothing_fits"]
    shifted = frame.assign(score=frame["score"] - 0.5)  # z-scores: the lowest becomes 0
    got = select_with_budget(shifted, costs, 120.0)  # shifted 0.7, 0.6, 0.1, 0.0: {a,d} {b,c} {b,c,d} tie
    assert got.objective == pytest.approx(0.7)
    assert set(got.chosen) in ({"a", "d"}, {"b", "c"}, {"b", "c", "d"})
    assert "analytics.budget.note.shifted" in [w.key for w in got.warnings]


def test_sumedang_sized_problem_solves_quickly(sumedang_result, sumedang_dataset):
    import time

    from geo.scoring.budget_costs import candidates_of
    cands = candidates_of(sumedang_result, sumedang_dataset)
    rng = np.random.default_rng(0)
    costs = dict(zip(cands["code"], rng.integers(50, 400, len(cands)) * 1_000_000.0, strict=True))
    start = time.perf_counter()
    got = select_with_budget(cands, costs, 4e9, BudgetConstraints(max_per_kecamatan=3),
                             top_n=list(sumedang_result.selection.chosen))
    assert time.perf_counter() - start < 20
    assert got.cost <= 4e9 and len(got.alternatives) == 3
    assert got.children > 0 and got.comparison is not None


@given(st.integers(0, 10_000), st.sampled_from(COMBOS), st.integers(7, 12))
def test_property_optimum_equals_brute_force(seed, combo, m):
    frame, costs, budget = instance(seed, m=m)
    rules = rules_of(frame, *combo)
    reference = brute(frame, costs, budget, rules)
    if not len(reference):
        with pytest.raises(InputError):
            select_with_budget(frame, costs, budget, rules, alternatives=0)
        return
    got = select_with_budget(frame, costs, budget, rules, alternatives=1)
    assert got.objective == pytest.approx(reference[0], rel=1e-9, abs=1e-9)
    if len(reference) > 1 and reference[1] >= NEAR_OPTIMAL * reference[0]:
        assert got.alternatives[0].objective == pytest.approx(reference[1], rel=1e-9, abs=1e-9)


# --------------------------------------------------------------------------- costs
def test_costs_from_plan_sum_budgets_and_list_partial_plans():
    class Item:
        def __init__(self, kode, anggaran):
            self.kode, self.anggaran = kode, anggaran

    costs = costs_from_plan([Item("a", 100), Item("a", 50), Item("b", None), Item("b", 20), Item("c", None)])
    assert costs.values.to_dict() == {"a": 150.0, "b": 20.0}
    assert costs.partial == ("b",)
    assert [n.key for n in costs.notes] == ["analytics.costs.note.partial_plan",
                                            "analytics.costs.note.plan_no_budget"]


def test_costs_from_unit():
    costs = costs_from_unit(2_000_000, {"a": 3, "b": np.nan})
    assert costs.values.to_dict() == {"a": 6_000_000.0}
    with pytest.raises(InputError):
        costs_from_unit(-1, {"a": 1})


def test_read_costs_logs_every_row_left_out(tmp_path, sumedang_villages):
    codes = list(sumedang_villages["kode"][:5])
    text = ("kode_desa;biaya\n"
            f"{codes[0]};150.000.000\n{codes[1]};n/a\n{codes[2]};-5\n{codes[3]};\n"
            f"{codes[4]};10\n{codes[4]};20\n32.12.01.2001;10\n")
    path = tmp_path / "biaya.csv"
    path.write_text(text, encoding="utf-8")
    costs = read_costs(path, sumedang_villages)
    assert costs.values.to_dict() == {codes[0]: 150_000_000.0}
    reasons = costs.quality_log.issues.groupby("reason")["row"].apply(list).to_dict()
    assert reasons["not_number"] == [3] and reasons["out_of_range"] == [4]
    assert reasons["empty_required"] == [5]
    assert reasons["duplicate_conflict"] == [6, 7]
    assert reasons["code_unmatched"] == [8]
    assert costs.quality_log.files[0].rows_read == 7


def test_read_costs_unit_cost_times_target(tmp_path, sumedang_villages):
    codes = list(sumedang_villages["kode"][:2])
    path = tmp_path / "sasaran.csv"
    path.write_text(f"kode,biaya_per_anak,sasaran\n{codes[0]},1000,4\n{codes[1]},2000,2\n{codes[1]},2000,2\n",
                    encoding="utf-8")
    costs = read_costs(path, sumedang_villages)
    assert costs.values.to_dict() == {codes[0]: 4000.0, codes[1]: 4000.0}
    assert list(costs.quality_log.issues["reason"]) == ["duplicate_identical"]
    path.write_text(f"kode,sasaran\n{codes[0]},4\n", encoding="utf-8")
    assert read_costs(path, sumedang_villages, unit_cost=500).values.to_dict() == {codes[0]: 2000.0}
    with pytest.raises(InputError) as info:
        read_costs(path, sumedang_villages)
    assert info.value.key == "analytics.costs.error.no_cost_column"
