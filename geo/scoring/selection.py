"""Choose N lokus villages from a ranking under policy constraints.

Rules, applied in this order (deterministic; ties cannot occur because ranks are
unique, and equal ranks would be broken by code):

1. ``force_out`` villages are removed (a code both forced in and out is an error).
2. ``force_in`` villages are always chosen. They count toward N and toward the
   kecamatan quota, but are never dropped: if there are more than N of them, all
   are kept and N is exceeded (with a warning); a kecamatan may exceed its quota
   only through forced villages.
3. ``min_one_per_kecamatan``: every kecamatan not yet represented gets its
   best-ranked remaining village (warning if this pushes the list past N).
4. The remaining places are filled in rank order, skipping villages whose
   kecamatan already has ``max_per_kecamatan`` chosen villages; those skipped
   while places were still open are reported in ``skipped_by_quota``.

:func:`selection_mask` is the vectorised core, applied to many rankings at once
(one per Monte Carlo draw in :mod:`geo.scoring.stability`); :func:`select_top` wraps it
for one ranking and adds the reasons as messages (:class:`geo.core.messages.Message`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.core.errors import InputError
from geo.core.messages import Message

__all__ = ["REASON_FORCED", "REASON_MIN_ONE", "REASON_RANK", "Selection", "select_top",
           "selection_mask"]

#: Reason codes returned by :func:`selection_mask`.
REASON_FORCED, REASON_MIN_ONE, REASON_RANK = 1, 2, 3


@dataclass(frozen=True)
class Selection:
    """Result of :func:`select_top`.

    Attributes
    ----------
    chosen
        Chosen codes in rank order.
    reasons
        Code → reason: ``scoring.engine.rank`` (*peringkat 5*), ``scoring.engine.forced_in``
        (*dipaksa masuk: <alasan>*), ``scoring.engine.min_one``.
    skipped_by_quota
        Codes passed over (in rank order) because their kecamatan was full.
    excluded
        Code → reason for ``force_out`` villages (``scoring.engine.forced_out``).
    warnings
        N exceeded, fewer than N possible.
    """

    chosen: tuple[str, ...]
    reasons: dict[str, Message]
    skipped_by_quota: tuple[str, ...]
    excluded: dict[str, Message]
    warnings: tuple[Message, ...]


def _within_group_count(mask: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Inclusive running count of ``mask`` within each group, along axis 1 (rank order)."""
    d, m = mask.shape
    idx = np.argsort(groups, axis=1, kind="stable")
    g = np.take_along_axis(groups, idx, axis=1)
    mk = np.take_along_axis(mask, idx, axis=1).astype(np.int32)
    cs = np.cumsum(mk, axis=1)
    start = np.ones((d, m), dtype=bool)
    start[:, 1:] = g[:, 1:] != g[:, :-1]
    first = np.maximum.accumulate(np.where(start, np.arange(m), 0), axis=1)
    within = cs - np.take_along_axis(cs - mk, first, axis=1)
    out = np.empty_like(within)
    np.put_along_axis(out, idx, within, axis=1)
    return out


def _rank_order(ranks: np.ndarray) -> np.ndarray:
    """Villages in rank order per row (``argsort``); when every row is a permutation of 1..m,
    as the stability draws give, by inverting it in O(m) instead of sorting."""
    d, m = ranks.shape
    if m and ranks.min() == 1 and ranks.max() == m:
        order = np.zeros((d, m), dtype=np.intp)
        np.put_along_axis(order, ranks.astype(np.intp) - 1, np.arange(m)[None, :], axis=1)
        if (np.take_along_axis(ranks, order, axis=1) == np.arange(1, m + 1)[None, :]).all():
            return order  # a permutation: the same order a stable sort gives
    return np.argsort(ranks, axis=1, kind="stable")


def selection_mask(
    ranks: np.ndarray,
    groups: np.ndarray,
    n: int,
    *,
    max_per_kecamatan: int | None = None,
    min_one_per_kecamatan: bool = False,
    force_in: np.ndarray | None = None,
    force_out: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised selection rules for D rankings of the same m villages.

    Parameters
    ----------
    ranks
        ``(D, m)`` or ``(m,)``; smaller = better, unique within a row.
    groups
        ``(m,)`` integer kecamatan codes 0..G-1.
    n, max_per_kecamatan, min_one_per_kecamatan
        As in :func:`select_top`.
    force_in, force_out
        ``(m,)`` boolean masks (disjoint).

    Returns
    -------
    (chosen, reason, skipped)
        ``(D, m)`` arrays: chosen mask, reason code (0 none, 1 forced, 2 min-one,
        3 rank) and skipped-by-quota mask, in the original village order.
    """
    ranks2 = np.atleast_2d(np.asarray(ranks))
    d, m = ranks2.shape
    groups = np.asarray(groups, dtype=np.int64)
    fin = np.zeros(m, bool) if force_in is None else np.asarray(force_in, bool)
    fout = np.zeros(m, bool) if force_out is None else np.asarray(force_out, bool)
    n_groups = int(groups.max()) + 1 if m else 0

    order = _rank_order(ranks2)
    g_s = groups[order]
    fin_s, fout_s = fin[order], fout[order]
    avail = ~fin_s & ~fout_s
    pre = fin_s.copy()
    reason = np.where(fin_s, REASON_FORCED, 0)
    if min_one_per_kecamatan:
        has_forced = np.bincount(groups[fin], minlength=n_groups) > 0
        first = avail & (_within_group_count(avail, g_s) == 1) & ~has_forced[g_s]
        pre |= first
        reason = np.where(first, REASON_MIN_ONE, reason)
    rest = avail & ~pre
    if max_per_kecamatan is None:
        eligible = rest
    else:
        flat = (np.arange(d)[:, None] * n_groups + g_s)[pre]
        pre_count = np.bincount(flat, minlength=d * n_groups).reshape(d, n_groups)
        used = np.take_along_axis(pre_count, g_s, axis=1)
        eligible = rest & (_within_group_count(rest, g_s) + used <= max_per_kecamatan)
    slots = np.maximum(n - pre.sum(axis=1), 0)[:, None]
    filled_before = np.cumsum(eligible, axis=1)
    fill = eligible & (filled_before <= slots)
    skipped = rest & ~eligible & (filled_before < slots)
    reason = np.where(fill, REASON_RANK, reason)

    def back(a: np.ndarray) -> np.ndarray:
        out = np.empty_like(a)
        np.put_along_axis(out, order, a, axis=1)
        return out

    return back(pre | fill), back(reason), back(skipped)


def select_top(
    ranked: pd.DataFrame,
    n: int,
    *,
    max_per_kecamatan: int | None = None,
    min_one_per_kecamatan: bool = False,
    force_in: Mapping[str, str] | None = None,
    force_out: Mapping[str, str] | None = None,
) -> Selection:
    """Choose ``n`` villages from a ranking; see the module docstring for the rules.

    Parameters
    ----------
    ranked
        Columns ``code``, ``kecamatan``, ``rank`` (1 = highest priority).
    n
        Number of lokus wanted (≥ 0).
    max_per_kecamatan
        Quota per kecamatan (≥ 1) or ``None`` for no quota.
    min_one_per_kecamatan
        Give every kecamatan at least its best-ranked village.
    force_in, force_out
        Code → reason recorded in the result.

    Raises
    ------
    InputError
        Bad n or quota, unknown codes, a code forced both in and out.
    """
    fin_codes = {str(c): r for c, r in dict(force_in or {}).items()}
    fout_codes = {str(c): r for c, r in dict(force_out or {}).items()}
    codes = _checked_codes(ranked, n, max_per_kecamatan, fin_codes, fout_codes)
    _, groups = np.unique(ranked["kecamatan"].astype(str).to_numpy(), return_inverse=True)
    rank_arr = ranked["rank"].to_numpy(dtype=float)
    key = np.lexsort((codes, rank_arr))  # rank, then code
    tie_free = np.empty(len(codes), dtype=np.int64)
    tie_free[key] = np.arange(len(codes))
    chosen, reason, skipped = selection_mask(
        tie_free, groups, int(n),
        max_per_kecamatan=max_per_kecamatan,
        min_one_per_kecamatan=min_one_per_kecamatan,
        force_in=np.isin(codes, list(fin_codes)),
        force_out=np.isin(codes, list(fout_codes)),
    )
    chosen, reason, skipped = chosen[0], reason[0], skipped[0]

    reasons: dict[str, Message] = {}
    for i in key[chosen[key]]:
        code = codes[i]
        if reason[i] == REASON_FORCED:
            reasons[code] = Message.of("scoring.engine.forced_in", reason=str(fin_codes[code]))
        elif reason[i] == REASON_MIN_ONE:
            reasons[code] = Message.of("scoring.engine.min_one")
        else:
            reasons[code] = Message.of("scoring.engine.rank", rank=int(rank_arr[i]))
    return Selection(
        chosen=tuple(codes[key[chosen[key]]]),
        reasons=reasons,
        skipped_by_quota=tuple(codes[key[skipped[key]]]),
        excluded={c: Message.of("scoring.engine.forced_out", reason=str(r)) for c, r in fout_codes.items()},
        warnings=_warnings(len(fin_codes), int(chosen.sum()), int(n)),
    )


def _checked_codes(ranked: pd.DataFrame, n: int, max_per_kecamatan: int | None,
                   force_in: Mapping[str, str], force_out: Mapping[str, str]) -> np.ndarray:
    """The codes of ``ranked`` once every rule is known to be valid."""
    missing_cols = [c for c in ("code", "kecamatan", "rank") if c not in ranked.columns]
    if missing_cols:
        raise ValueError(f"ranked lacks columns {missing_cols}")
    codes = ranked["code"].astype(str).to_numpy()
    if len(set(codes)) != len(codes):
        raise ValueError("codes in ranked must be unique")
    if int(n) != n or n < 0:
        raise InputError.of("scoring.error.top_n", rows=[n])
    if max_per_kecamatan is not None and (int(max_per_kecamatan) != max_per_kecamatan
                                          or max_per_kecamatan < 1):
        raise InputError.of("scoring.error.quota", rows=[max_per_kecamatan])
    both = sorted(set(force_in) & set(force_out))
    if both:
        raise InputError.of("scoring.error.forced_both", rows=both)
    unknown = sorted((set(force_in) | set(force_out)) - set(codes))
    if unknown:
        raise InputError.of("scoring.error.forced_unranked", rows=unknown)
    return codes


def _warnings(forced: int, count: int, n: int) -> tuple[Message, ...]:
    if forced > n:
        return (Message.of("scoring.engine.forced_over", n=forced, top_n=n),)
    if count > n:
        return (Message.of("scoring.engine.min_one_over", n=count, top_n=n),)
    if count < n:
        return (Message.of("scoring.engine.too_few", n=count, top_n=n),)
    return ()
