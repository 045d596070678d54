"""Matching (kecamatan, desa) names to village boundaries when a table has no usable code.

Names are not keys (DOMAIN §7.4): in Sumedang 10 of 270 desa names differ between the
stunting table and the 2025 code list, one completely.  So every match carries a status
and a score, and a wrong automatic match is treated as worse than no match:

1. **crosswalk** — a decision saved by a planner earlier (:func:`load_crosswalk`);
2. **exact** — equal after trimming, collapsing spaces and ignoring case;
3. **normalised** — equal after :func:`normalise_village_name` (prefixes, punctuation,
   spaces, old spellings, doubled letters);
4. **fuzzy** — best :func:`rapidfuzz.fuzz.ratio` of the normalised names within the
   kecamatan is at least ``threshold`` *and* beats the runner-up by at least ``margin``;
   accepted but flagged for review;
5. **unmatched** — everything else (also a normalised name shared by two villages of the
   kecamatan), with up to three candidates for the planner to pick from.

Kecamatan names are matched first by the same rules (without crosswalk); a desa is then
only compared with the villages of its kecamatan.  A row without a kecamatan name is
compared with the whole district.
"""


from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from geo.core.codes import detect_code_system, normalise_codes
from geo.core.messages import Message, Num, render_all
from geo.io.crosswalk import check_crosswalk, crosswalk_lookup
from geo.io.names import normalise_village_names, spaced

__all__ = [
    "REASONS",
    "STATUSES",
    "NameMatch",
    "match_names",
    "name_matching_reason",
    "reason_message",
]

#: Match statuses, from most to least certain.
STATUSES: Final = ("crosswalk", "exact", "normalised", "fuzzy", "unmatched")
#: Why a pair is unmatched (the ``reason`` codes of :attr:`NameMatch.pairs`; ``""`` when
#: matched); their text is the catalogue's ``input.match.why.<code>`` (:func:`reason_message`).
REASONS: Final = ("nama_kosong", "kecamatan_tidak_ditemukan", "ambigu", "skor_rendah", "selisih_kecil")
_N_CANDIDATES = 3


def reason_message(code: str) -> Message | None:
    """Why a pair is unmatched, as a message (None for ``""`` or an unknown code)."""
    return Message.of(f"input.match.why.{code}") if code in REASONS else None


def name_matching_reason(codes: pd.Series | None, known_codes: Sequence[str] | None = None) -> Message | None:
    """Why a table must be matched by name, or None when its Kemendagri codes are usable.

    Parameters
    ----------
    codes
        The table's code column (None when it has none).
    known_codes
        Dotted Kemendagri codes of the boundaries.
    """
    if codes is None:
        return Message.of("report.match.reason.no_code")
    system = detect_code_system(codes, known_codes)
    if system == "kemendagri":
        return None
    return Message.of("report.match.reason.bps" if system == "bps" else "report.match.reason.unknown")


# ----------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class NameMatch:
    """Result of :func:`match_names`.

    Attributes
    ----------
    pairs
        One row per distinct input (kecamatan, desa) pair: ``kecamatan``, ``desa`` (as
        written), ``n_rows``, ``kode`` (dotted, NA when unmatched), ``nama``/``nama_kec``
        (boundary names of ``kode``), ``score`` (0–100), ``status`` (:data:`STATUSES`),
        ``review`` (fuzzy or unmatched: the planner should look), ``reason`` (code of
        :data:`REASONS`), ``kec_status``/``kec_score`` (how the kecamatan matched),
        ``candidates`` (list of up to three dicts ``kode``, ``nama``, ``score``).
    row_pair
        For each input row, its position in ``pairs``.
    boundaries
        ``kode``, ``nama``, ``nama_kec`` of the boundaries matched against.
    threshold, margin
        Fuzzy acceptance rule used.
    reason
        Why the table went through name matching (see :func:`name_matching_reason`).
    notes
        What else the report says (stale saved decisions, no kecamatan names).
    """

    pairs: pd.DataFrame
    row_pair: np.ndarray
    boundaries: pd.DataFrame
    threshold: float
    margin: float
    reason: Message | None = None
    notes: list[Message] = field(default_factory=list)

    @property
    def kode(self) -> pd.Series:
        """Matched code per input row (NA when unmatched)."""
        return pd.Series(self.pairs["kode"].to_numpy()[self.row_pair], dtype="string")

    @property
    def status(self) -> pd.Series:
        """Status per input row."""
        return pd.Series(self.pairs["status"].to_numpy()[self.row_pair], dtype="string")

    def review_table(self) -> pd.DataFrame:
        """Every pair the planner should review: the accepted fuzzy ones first (a wrong
        match hides there and already feeds the numbers), then the unmatched ones; within
        each, lowest score first."""
        todo = self.pairs.loc[self.pairs["review"]]
        order = todo["status"].map({"fuzzy": 0, "unmatched": 1}).to_numpy()
        return todo.iloc[np.lexsort((todo["score"].to_numpy(), order))].reset_index(drop=True)

    def review_frame(self, lang: str = "id") -> pd.DataFrame:
        """:meth:`review_table` as a file a planner edits: ``kecamatan``, ``desa``, ``kode``
        (the accepted match, empty when unmatched: correct it, or leave it empty for "not
        on the map") first — so the edited file is a crosswalk
        (:func:`geo.io.crosswalk.load_crosswalk`) — then ``status``, ``skor``, ``nama_peta``,
        ``kecamatan_peta``, ``baris``, ``alasan`` (in ``lang``) and ``kandidat``
        (``nama (kode) skor; ...``)."""
        review = self.review_table()
        return pd.DataFrame({
            "kecamatan": review["kecamatan"], "desa": review["desa"], "kode": review["kode"],
            "status": review["status"], "skor": review["score"], "nama_peta": review["nama"],
            "kecamatan_peta": review["nama_kec"], "baris": review["n_rows"],
            "alasan": [m.render(lang) if (m := reason_message(str(code))) else ""
                       for code in review["reason"]],
            "kandidat": ["; ".join(f"{c['nama']} ({c['kode']}) {c['score']:g}" for c in cands)
                         for cands in review["candidates"]],
        })

    def counts(self) -> dict[str, dict[str, int]]:
        """Per status: distinct pairs and input rows."""
        pairs = self.pairs["status"].value_counts()
        rows = self.pairs.groupby("status")["n_rows"].sum()
        return {
            s: {"pairs": int(pairs.get(s, 0)), "rows": int(rows.get(s, 0))} for s in STATUSES
        }

    def summary(self) -> list[Message]:
        """The report, one message per line: why names were matched, how many of each status."""
        counts = self.counts()
        total = max(len(self.pairs), 1)
        lines = [self.reason] if self.reason else []
        lines.append(Message.of("report.match.head", pairs=len(self.pairs), villages=len(self.boundaries)))
        lines += [Message.of(f"report.match.status.{status}", n=n, share=Num(n / total * 100, 1))
                  for status in STATUSES if (n := counts[status]["pairs"])]
        return lines + list(self.notes)

    def summary_lines(self, lang: str = "id") -> list[str]:
        """:meth:`summary` in ``lang``."""
        return render_all(self.summary(), lang)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (names of villages only, no personal data)."""
        review = self.review_table()
        return {
            "reason": self.reason.render() if self.reason else None,
            "threshold": self.threshold,
            "margin": self.margin,
            "counts": self.counts(),
            "review": [
                {
                    "kecamatan": _none(r.kecamatan), "desa": _none(r.desa), "kode": _none(r.kode),
                    "status": r.status, "score": float(r.score), "reason": r.reason,
                    "candidates": list(r.candidates),
                }
                for r in review.itertuples(index=False)
            ],
            "notes": render_all(self.notes),
        }


def _none(value: object) -> object:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value  # type: ignore[call-overload]


# ----------------------------------------------------------------------------- matching


def _match_level(
    exact_keys: pd.Series,
    keys: pd.Series,
    choice_spaced: np.ndarray,
    choice_keys: np.ndarray,
    threshold: float,
    margin: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Match queries to choices; returns (choice position or -1, score, status, reason, scores matrix)."""
    n = len(keys)
    pos = np.full(n, -1, dtype=np.int64)
    score = np.zeros(n)
    status = np.full(n, "unmatched", dtype=object)
    reason = np.full(n, "skor_rendah", dtype=object)
    q_keys = keys.fillna("").to_numpy(dtype=object)
    q_spaced = exact_keys.fillna("").to_numpy(dtype=object)
    if len(choice_keys) == 0 or n == 0:
        return pos, score, status, reason, np.zeros((n, len(choice_keys)))
    scores = process.cdist(list(q_keys), list(choice_keys), scorer=fuzz.ratio, dtype=np.float64)
    exact_hits = q_spaced[:, None] == choice_spaced[None, :]
    key_hits = (q_keys[:, None] == choice_keys[None, :]) & (q_keys[:, None] != "")
    n_exact = exact_hits.sum(axis=1)
    n_key = key_hits.sum(axis=1)
    order = np.argsort(-scores, axis=1, kind="stable")
    best = scores[np.arange(n), order[:, 0]]
    second = scores[np.arange(n), order[:, 1]] if scores.shape[1] > 1 else np.zeros(n)
    fuzzy_ok = (best >= threshold) & (best - second >= margin)
    is_exact = n_exact == 1
    is_key = ~is_exact & (n_key == 1)
    ambiguous = ~is_exact & (n_key > 1)
    is_fuzzy = ~is_exact & (n_key == 0) & fuzzy_ok
    pos = np.select(
        [is_exact, is_key, is_fuzzy],
        [exact_hits.argmax(axis=1), key_hits.argmax(axis=1), order[:, 0]],
        -1,
    ).astype(np.int64)
    score = np.select([is_exact | is_key, is_fuzzy], [100.0, best], best)
    status = np.select(
        [is_exact, is_key, is_fuzzy], ["exact", "normalised", "fuzzy"], "unmatched"
    ).astype(object)
    low = best < threshold
    reason = np.select(
        [is_exact | is_key | is_fuzzy, ambiguous, low], ["", "ambigu", "skor_rendah"], "selisih_kecil"
    ).astype(object)
    return pos, score, status, reason, scores


def _candidates(scores: np.ndarray, bnd: pd.DataFrame, positions: np.ndarray) -> list[list[dict[str, Any]]]:
    """Top candidates per query row (``positions`` maps score columns to boundary rows)."""
    if scores.shape[1] == 0:
        return [[] for _ in range(scores.shape[0])]
    top = np.argsort(-scores, axis=1, kind="stable")[:, :_N_CANDIDATES]
    kode = bnd["kode"].to_numpy(dtype=object)
    nama = bnd["nama"].to_numpy(dtype=object)
    return [
        [{"kode": str(kode[positions[j]]), "nama": str(nama[positions[j]]),
          "score": round(float(scores[i, j]), 1)} for j in row]
        for i, row in enumerate(top)
    ]


def _clean_boundaries(boundaries: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("kode", "nama", "nama_kec") if c not in boundaries.columns]
    if missing:
        raise ValueError(f"boundaries need columns kode, nama, nama_kec; missing {missing}")
    bnd = pd.DataFrame({
        "kode": boundaries["kode"].astype("string").to_numpy(),
        "nama": boundaries["nama"].astype("string").to_numpy(),
        "nama_kec": boundaries["nama_kec"].astype("string").to_numpy(),
    })
    return bnd.loc[bnd["kode"].notna()].drop_duplicates("kode").reset_index(drop=True)


def match_names(
    table_kec: pd.Series | Sequence[object] | None,
    table_desa: pd.Series | Sequence[object],
    boundaries: pd.DataFrame,
    *,
    crosswalk: pd.DataFrame | None = None,
    threshold: float = 85.0,
    margin: float = 10.0,
    reason: Message | None = None,
    weights: Sequence[int] | np.ndarray | None = None,
) -> NameMatch:
    """Match table (kecamatan, desa) names to boundary villages.

    Parameters
    ----------
    table_kec
        Kecamatan name per table row (None: no kecamatan column, compare with the whole
        district).
    table_desa
        Desa/kelurahan name per table row.
    boundaries
        ``kode``, ``nama``, ``nama_kec`` (e.g. ``BoundaryFile.gdf``); not modified.
    crosswalk
        Saved decisions (:data:`geo.io.crosswalk.CROSSWALK_COLUMNS`), applied first.  A decision whose
        ``kode`` is empty means "no village on the map"; one whose ``kode`` is not in
        ``boundaries`` is ignored (noted in the report).
    threshold
        Minimum fuzzy score (0–100) for an automatic fuzzy match.
    margin
        Minimum lead of the best fuzzy score over the runner-up; closer calls are left
        unmatched for review.
    reason
        Why names are matched (:func:`name_matching_reason`), the report's first line.
    weights
        Records each input row stands for (default 1), summed into ``n_rows`` — pass
        distinct pairs with their counts instead of every record.

    Returns
    -------
    NameMatch
    """
    bnd = _clean_boundaries(boundaries)
    pairs, row_pair = _distinct_pairs(table_kec, table_desa, weights)
    pairs = _match_kecamatan(pairs, bnd, threshold, margin)
    found = _match_desa(pairs, bnd, threshold, margin)
    notes: list[Message] = []
    if crosswalk is not None and len(crosswalk):
        known = set(bnd["kode"].dropna())
        stale = int(normalise_codes(check_crosswalk(crosswalk, file=None)["kode"]).dropna()
                    .isin(known).eq(False).sum())
        if stale:
            notes.append(Message.of("report.match.note.stale", n=stale))
        found = _apply_crosswalk(found, pairs, bnd, crosswalk_lookup(crosswalk, known))
    out = _pair_table(pairs, bnd, found)
    if pairs["kec_key"].isna().all() and len(out):
        notes.append(Message.of("report.match.note.no_kecamatan"))
    return NameMatch(
        pairs=out, row_pair=row_pair, boundaries=bnd, threshold=float(threshold),
        margin=float(margin), reason=reason, notes=notes,
    )


def _distinct_pairs(table_kec: pd.Series | Sequence[object] | None, table_desa: pd.Series | Sequence[object],
                    weights: Sequence[int] | np.ndarray | None) -> tuple[pd.DataFrame, np.ndarray]:
    """Distinct (kecamatan, desa) pairs by their exact (spaced, upper-case) form with their
    keys and ``n_rows``, and the pair of each input row."""
    desa_in = pd.Series(table_desa, dtype="object").reset_index(drop=True)
    kec_in = (pd.Series([pd.NA] * len(desa_in), dtype="object") if table_kec is None
              else pd.Series(table_kec, dtype="object").reset_index(drop=True))
    if len(kec_in) != len(desa_in):
        raise ValueError("table_kec and table_desa differ in length")
    raw = pd.DataFrame({"kecamatan": kec_in.astype("string"), "desa": desa_in.astype("string")})
    keyed = pd.DataFrame({"k": spaced(raw["kecamatan"]).fillna(""), "d": spaced(raw["desa"]).fillna("")})
    codes, uniques = pd.MultiIndex.from_frame(keyed).factorize()
    first = pd.Series(np.arange(len(raw))).groupby(codes).first().to_numpy()
    pairs = raw.iloc[first].reset_index(drop=True)
    w = np.ones(len(raw)) if weights is None else np.asarray(weights, dtype="float64")
    if len(w) != len(raw):
        raise ValueError("weights and table_desa differ in length")
    pairs["n_rows"] = np.bincount(codes, weights=w, minlength=len(uniques)).astype(np.int64)
    pairs["kec_spaced"] = spaced(pairs["kecamatan"])
    pairs["desa_spaced"] = spaced(pairs["desa"])
    pairs["kec_key"] = normalise_village_names(pairs["kecamatan"])
    pairs["desa_key"] = normalise_village_names(pairs["desa"])
    return pairs, codes.astype(np.int64)


def _match_kecamatan(pairs: pd.DataFrame, bnd: pd.DataFrame, threshold: float, margin: float) -> pd.DataFrame:
    """``pairs`` with ``kec_match`` (the boundary kecamatan name), ``kec_score``, ``kec_status``."""
    kec_names = pd.Series(bnd["nama_kec"].dropna().unique(), dtype="string")
    kq = pairs[["kecamatan", "kec_spaced", "kec_key"]].drop_duplicates("kec_spaced").reset_index(drop=True)
    kq = kq.loc[kq["kec_key"].notna()].reset_index(drop=True)
    k_pos, k_score, k_status, _, _ = _match_level(
        kq["kec_spaced"], kq["kec_key"], spaced(kec_names).to_numpy(dtype=object),
        normalise_village_names(kec_names).fillna("").to_numpy(dtype=object), threshold, margin,
    )
    kq["kec_match"] = np.where(k_pos >= 0, kec_names.to_numpy(dtype=object)[np.maximum(k_pos, 0)], None)
    kq["kec_score"] = k_score
    kq["kec_status"] = k_status
    kec_cols = ["kec_spaced", "kec_match", "kec_score", "kec_status"]
    pairs = pairs.merge(kq[kec_cols], on="kec_spaced", how="left")
    pairs["kec_status"] = pairs["kec_status"].fillna("kosong")
    pairs["kec_score"] = pairs["kec_score"].fillna(0.0)
    return pairs


@dataclass
class _Found:
    """Per pair: boundary position (−1 unmatched), score, status, reason code, candidates."""

    pos: np.ndarray
    score: np.ndarray
    status: np.ndarray
    why: np.ndarray
    cands: list[list[dict[str, Any]]]


def _match_desa(pairs: pd.DataFrame, bnd: pd.DataFrame, threshold: float, margin: float) -> _Found:
    """Match each desa within its kecamatan (the whole district when it has none)."""
    n = len(pairs)
    found = _Found(pos=np.full(n, -1, dtype=np.int64), score=np.zeros(n),
                   status=np.full(n, "unmatched", dtype=object), why=np.full(n, "", dtype=object),
                   cands=[[] for _ in range(n)])
    b_spaced = spaced(bnd["nama"]).fillna("").to_numpy(dtype=object)
    b_keys = normalise_village_names(bnd["nama"]).fillna("").to_numpy(dtype=object)
    b_kec = bnd["nama_kec"].to_numpy(dtype=object)
    group = pairs["kec_match"].astype(object).where(pairs["kec_match"].notna(), "\0district")
    for name, idx in pairs.groupby(group, sort=False).indices.items():  # one loop per kecamatan
        scope = np.arange(len(bnd)) if name == "\0district" else np.flatnonzero(b_kec == name)
        sub = pairs.iloc[idx]
        p, s, st, r, sc = _match_level(sub["desa_spaced"], sub["desa_key"], b_spaced[scope], b_keys[scope],
                                       threshold, margin)
        found.pos[idx] = np.where(p >= 0, scope[np.maximum(p, 0)], -1)
        found.score[idx], found.status[idx], found.why[idx] = s, st, r
        for i, c in zip(idx, _candidates(sc, bnd, scope), strict=True):
            found.cands[i] = c
    # A kecamatan that was named but not found: never auto-match across the district.
    lost = (pairs["kec_key"].notna() & pairs["kec_match"].isna()).to_numpy()
    found.pos[lost], found.status[lost], found.why[lost] = -1, "unmatched", "kecamatan_tidak_ditemukan"
    empty = pairs["desa_key"].isna().to_numpy()
    found.pos[empty], found.status[empty], found.why[empty] = -1, "unmatched", "nama_kosong"
    found.score[empty] = 0.0
    return found


def _apply_crosswalk(found: _Found, pairs: pd.DataFrame, bnd: pd.DataFrame,
                     lookup: dict[tuple[str, str], str | None]) -> _Found:
    """Saved decisions win."""
    if not lookup:
        return found
    keys = list(zip(pairs["kec_key"].fillna(""), pairs["desa_key"].fillna(""), strict=True))
    hit = np.array([k in lookup for k in keys], dtype=bool)
    kode_of = {k: i for i, k in enumerate(bnd["kode"])}
    decided = [kode_of.get(lookup[k], -1) if h and lookup[k] is not None else -1
               for k, h in zip(keys, hit, strict=True)]
    return _Found(pos=np.where(hit, np.array(decided, dtype=np.int64), found.pos),
                  score=np.where(hit, 100.0, found.score),
                  status=np.where(hit, "crosswalk", found.status).astype(object),
                  why=np.where(hit, "", found.why).astype(object), cands=found.cands)


def _pair_table(pairs: pd.DataFrame, bnd: pd.DataFrame, found: _Found) -> pd.DataFrame:
    """The :attr:`NameMatch.pairs` table."""
    matched = found.pos >= 0
    safe = np.maximum(found.pos, 0)

    def boundary(column: str) -> pd.arrays.StringArray:
        return pd.array(np.where(matched, bnd[column].to_numpy(dtype=object)[safe], None), dtype="string")

    status = found.status.astype(str)
    return pd.DataFrame({
        "kecamatan": pairs["kecamatan"],
        "desa": pairs["desa"],
        "n_rows": pairs["n_rows"],
        "kode": boundary("kode"),
        "nama": boundary("nama"),
        "nama_kec": boundary("nama_kec"),
        "score": np.round(found.score, 1),
        "status": status,
        "review": np.isin(status, ("fuzzy", "unmatched")),
        "reason": found.why.astype(str),
        "kec_status": pairs["kec_status"].astype(str),
        "kec_score": np.round(pairs["kec_score"].to_numpy(dtype=float), 1),
        "candidates": pd.Series(found.cands, dtype="object"),
    })
