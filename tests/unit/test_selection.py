"""Selection of N lokus under quotas, forced choices and min-one-per-kecamatan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.core.errors import InputError
from geo.core.messages import render_all
from geo.scoring.selection import select_top, selection_mask

RANKED = pd.DataFrame({
    "code": list("abcdefgh"),
    "kecamatan": list("xxxxyyzz"),
    "rank": range(1, 9),
})


def _reference(ranked: pd.DataFrame, n: int, k: int | None, min_one: bool,
               fin: set[str], fout: set[str]) -> tuple[set[str], list[str]]:
    """The rules written out as a plain loop (independent of the vectorised core)."""
    rows = ranked.sort_values(["rank", "code"]).to_dict("records")
    rows = [r for r in rows if r["code"] not in fout]
    chosen = [r for r in rows if r["code"] in fin]
    count: dict[str, int] = {}
    for r in chosen:
        count[r["kecamatan"]] = count.get(r["kecamatan"], 0) + 1
    if min_one:
        for r in rows:
            if r["kecamatan"] not in count and r not in chosen:
                chosen.append(r)
                count[r["kecamatan"]] = 1
    skipped = []
    for r in rows:
        if len(chosen) >= n:
            break
        if r in chosen:
            continue
        if k is not None and count.get(r["kecamatan"], 0) >= k:
            skipped.append(r["code"])
            continue
        chosen.append(r)
        count[r["kecamatan"]] = count.get(r["kecamatan"], 0) + 1
    return {r["code"] for r in chosen}, skipped


def test_plain_top_n() -> None:
    sel = select_top(RANKED, 3)
    assert sel.chosen == ("a", "b", "c")
    assert {c: r.render() for c, r in sel.reasons.items()} == {
        "a": "peringkat 1", "b": "peringkat 2", "c": "peringkat 3"}
    assert sel.reasons["a"].render("en") == "rank 1"
    assert sel.skipped_by_quota == () and sel.warnings == ()


def test_quota_force_in_and_out() -> None:
    # b out; h forced (counts toward N=4); x may have 2: a, c, then d is skipped → e
    sel = select_top(RANKED, 4, max_per_kecamatan=2, force_in={"h": "SK Bupati 2024"},
                     force_out={"b": "sudah lokus tahun lalu"})
    assert sel.chosen == ("a", "c", "e", "h")
    assert sel.reasons["h"].render() == "dipaksa masuk: SK Bupati 2024"
    assert sel.reasons["e"].render() == "peringkat 5"
    assert sel.skipped_by_quota == ("d",)
    assert {c: r.render() for c, r in sel.excluded.items()} == {"b": "dikeluarkan: sudah lokus tahun lalu"}


def test_forced_beyond_quota_are_kept_and_fill_stops_there() -> None:
    sel = select_top(RANKED, 4, max_per_kecamatan=1, force_in={"c": "r", "d": "r"})
    # x already holds 2 forced (> quota 1): a, b skipped; fill with e (y) and g (z)
    assert sel.chosen == ("c", "d", "e", "g")
    assert sel.skipped_by_quota == ("a", "b", "f")


def test_force_in_exceeding_n_keeps_all_with_warning() -> None:
    sel = select_top(RANKED, 2, force_in={"f": "1", "g": "2", "h": "3"})
    assert sel.chosen == ("f", "g", "h")
    assert len(sel.warnings) == 1 and "melebihi" in render_all(sel.warnings)[0]


def test_min_one_per_kecamatan() -> None:
    sel = select_top(RANKED, 4, min_one_per_kecamatan=True)
    # best of each kecamatan: a (x), e (y), g (z); then rank fill: b
    assert sel.chosen == ("a", "b", "e", "g")
    assert sel.reasons["e"].render() == "minimal satu per kecamatan"
    assert sel.reasons["b"].render() == "peringkat 2"
    over = select_top(RANKED, 2, min_one_per_kecamatan=True)
    assert over.chosen == ("a", "e", "g") and "melebihi" in over.warnings[0].render()


def test_infeasible_warns() -> None:
    sel = select_top(RANKED, 7, max_per_kecamatan=1)
    assert sel.chosen == ("a", "e", "g")
    assert "Hanya 3" in sel.warnings[0].render()


def test_invalid_configuration() -> None:
    with pytest.raises(InputError):
        select_top(RANKED, 3, force_in={"a": "x"}, force_out={"a": "y"})
    with pytest.raises(InputError):
        select_top(RANKED, 3, force_in={"zz": "x"})
    with pytest.raises(InputError):
        select_top(RANKED, -1)
    with pytest.raises(InputError):
        select_top(RANKED, 3, max_per_kecamatan=0)


def test_row_order_and_ties() -> None:
    shuffled = RANKED.sample(frac=1, random_state=3)
    base = select_top(RANKED, 5, max_per_kecamatan=2)
    assert select_top(shuffled, 5, max_per_kecamatan=2) == base
    tied = RANKED.assign(rank=[1, 1, 1, 1, 1, 1, 1, 1])
    assert select_top(tied.iloc[::-1], 2).chosen == ("a", "b")  # ties broken by code


def test_mask_handles_many_rankings_at_once() -> None:
    rng = np.random.default_rng(0)
    ranks = np.argsort(rng.random((50, 8)), axis=1) + 1
    groups = np.array([0, 0, 0, 0, 1, 1, 2, 2])
    chosen, _, _ = selection_mask(ranks, groups, 4, max_per_kecamatan=2)
    for d in range(50):
        ranked = RANKED.assign(rank=ranks[d])
        expected = select_top(ranked, 4, max_per_kecamatan=2).chosen
        assert set(RANKED["code"][chosen[d]]) == set(expected)


Problem = tuple[pd.DataFrame, int, int | None, bool, set[str], set[str]]


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    m = draw(st.integers(1, 30))
    kec = draw(st.lists(st.sampled_from(["k1", "k2", "k3", "k4", "k5"]), min_size=m, max_size=m))
    ranks = draw(st.permutations(list(range(1, m + 1))))
    codes = [f"32.11.{i:02d}.2001" for i in range(m)]
    ranked = pd.DataFrame({"code": codes, "kecamatan": kec, "rank": ranks})
    n = draw(st.integers(0, m + 2))
    k = draw(st.one_of(st.none(), st.integers(1, 4)))
    min_one = draw(st.booleans())
    flags = draw(st.lists(st.sampled_from(["", "in", "out"]), min_size=m, max_size=m))
    fin = {c for c, f in zip(codes, flags, strict=True) if f == "in" and draw(st.booleans())}
    fout = {c for c, f in zip(codes, flags, strict=True) if f == "out"}
    return ranked, n, k, min_one, fin, fout


@settings(max_examples=300, deadline=None)
@given(problems())
def test_properties(problem: Problem) -> None:
    ranked, n, k, min_one, fin, fout = problem
    kwargs = {"max_per_kecamatan": k, "min_one_per_kecamatan": min_one,
              "force_in": dict.fromkeys(fin, "alasan"), "force_out": dict.fromkeys(fout, "alasan")}
    sel = select_top(ranked, n, **kwargs)
    chosen = set(sel.chosen)
    # matches the plain-loop reference, and is deterministic / row-order free
    ref_chosen, ref_skipped = _reference(ranked, n, k, min_one, fin, fout)
    assert chosen == ref_chosen
    assert list(sel.skipped_by_quota) == ref_skipped
    assert select_top(ranked.iloc[::-1], n, **kwargs) == sel
    # subset, forced honoured
    assert chosen <= set(ranked["code"]) and fin <= chosen and not chosen & fout
    assert len(sel.chosen) == len(chosen) == len(sel.reasons)
    # quota never exceeded except by forced villages
    kec = ranked.set_index("code")["kecamatan"]
    if k is not None:
        for g, group in kec[list(chosen)].groupby(kec[list(chosen)]):
            forced_here = sum(kec[c] == g for c in fin)
            assert len(group) <= max(k, forced_here)
    # size == N when feasible
    if not min_one and len(fin) <= n:
        avail = kec.drop(list(fout))
        cap = len(avail) if k is None else sum(
            max(min(k, len(grp)), sum(c in fin for c in grp.index))
            for _, grp in avail.groupby(avail)
        )
        assert len(chosen) == min(n, cap)
