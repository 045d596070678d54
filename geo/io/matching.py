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

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from geo.core.codes import detect_code_system, normalise_codes
from geo.core.errors import InputError
from geo.core.i18n import catalogue, format_number, t

__all__ = [
    "CROSSWALK_COLUMNS",
    "STATUSES",
    "NameMatch",
    "build_crosswalk",
    "crosswalk_path",
    "load_crosswalk",
    "match_names",
    "name_matching_reason",
    "normalise_village_name",
    "normalise_village_names",
    "save_crosswalk",
    "translate_match_line",
]

#: Match statuses, from most to least certain.
STATUSES: Final = ("crosswalk", "exact", "normalised", "fuzzy", "unmatched")
#: Columns of a saved crosswalk.
CROSSWALK_COLUMNS: Final = ("kecamatan", "desa", "kode", "decided_by", "decided_at")
#: Bahasa Indonesia labels of the ``reason`` codes of :attr:`NameMatch.pairs`.
REASONS: Final[dict[str, str]] = {
    "": "",
    "nama_kosong": "nama desa kosong",
    "kecamatan_tidak_ditemukan": "nama kecamatan tidak ditemukan di peta",
    "ambigu": "nama cocok dengan lebih dari satu desa di kecamatan",
    "skor_rendah": "tidak ada nama yang cukup mirip",
    "selisih_kecil": "dua nama sama-sama mirip; pilih salah satu",
}
_N_CANDIDATES = 3

# ----------------------------------------------------------------------------- names

# Administrative prefixes written in front of names: "DESA", "DS.", "KEL.", "KELURAHAN",
# "KEC.", "KECAMATAN" (only as whole words, so DESAMULYA stays intact).
_PREFIX = re.compile(r"^(?:(?:DESA|DS|KELURAHAN|KEL|KECAMATAN|KEC)\b\s*)+")
# Spelling reforms, applied in this order (both sides get the same key, so the key need
# not be the modern spelling, only the same for old and new forms):
#   Soewandi 1947: OE -> U                (SOEMEDANG -> SUMEDANG)
#   EYD 1972:      DJ -> J, TJ -> C, SJ -> SY, CH -> KH, NJ -> NY
# DJ -> J runs before NJ -> NY, so old TANDJUNG and modern TANJUNG both become TANYUNG.
# Old J -> modern Y is *not* applied: it would clash with DJ -> J (DJAJA vs JAYA), and
# J is far more often modern than old.
_SPELLING: Final = (("OE", "U"), ("DJ", "J"), ("TJ", "C"), ("SJ", "SY"), ("CH", "KH"), ("NJ", "NY"))
# Roman numerals as separate words become digits before doubled letters collapse, so
# SUKAMAJU II never turns into SUKAMAJU I.
_ROMAN: Final = {"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5", "VI": "6", "VII": "7",
                 "VIII": "8", "IX": "9", "X": "10"}
_ROMAN_RE = re.compile(r"\b(" + "|".join(sorted(_ROMAN, key=len, reverse=True)) + r")\b")
# Doubled letters collapse: compounds are written with and without the join letter
# doubled (PASIR + REUNGIT = PASIRREUNGIT / PASIREUNGIT; GANJARRESIK / GANJARESIK;
# PADANAAN / PADANAN).  Digits never collapse.
_DOUBLE = re.compile(r"([A-Z])\1+")


def _spaced(text: pd.Series) -> pd.Series:
    """Upper case, single spaces, trimmed (the key of an *exact* match)."""
    return text.astype("string").str.upper().str.replace(r"\s+", " ", regex=True).str.strip()


def normalise_village_names(names: pd.Series | Sequence[object]) -> pd.Series:
    """Vectorised :func:`normalise_village_name`; NA (or empty result) stays NA."""
    text = pd.Series(names, dtype="object").astype("string")
    # Accents off (É -> E), then upper case.
    text = text.map(
        lambda s: unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii"),
        na_action="ignore",
    ).astype("string").str.upper()
    text = text.str.replace(r"[^A-Z0-9]+", " ", regex=True).str.strip()
    text = text.str.replace(_PREFIX, "", regex=True)
    text = text.str.replace(_ROMAN_RE, lambda m: _ROMAN[m.group(1)], regex=True)
    for old, new in _SPELLING:
        text = text.str.replace(old, new, regex=False)
    text = text.str.replace(" ", "", regex=False)
    text = text.str.replace(_DOUBLE, r"\1", regex=True)
    return text.mask(text == "")


def normalise_village_name(name: object) -> str:
    """Comparison key of a village or kecamatan name.

    Rules, in order (each one documented at its regular expression in this module):

    1. accents removed, upper case;
    2. every run of punctuation/whitespace becomes one space;
    3. leading prefixes ``DESA``, ``DS``, ``KEL``, ``KELURAHAN``, ``KEC``, ``KECAMATAN``
       (whole words, after punctuation is gone, so ``KEL.`` and ``Ds.`` count) removed;
    4. Roman numerals as separate words become digits (``II`` -> ``2``);
    5. old spellings: ``OE``->``U``, ``DJ``->``J``, ``TJ``->``C``, ``SJ``->``SY``,
       ``CH``->``KH``, ``NJ``->``NY`` (a comparison key, not a spelling: modern
       ``GANJAR`` becomes ``GANYAR`` on both sides alike);
    6. spaces removed (``PASEH KIDUL`` = ``PASEHKIDUL``);
    7. doubled letters collapse (``GANJARRESIK`` = ``GANJARESIK``).

    Returns
    -------
    str
        The key; ``""`` for an empty or missing name.

    Examples
    --------
    >>> normalise_village_name("Kel. Paseh Kidul")
    'PASEHKIDUL'
    >>> normalise_village_name("DESA TJIKONENG-KOELON")
    'CIKONENGKULON'
    """
    if name is None or (not isinstance(name, str) and pd.isna(name)):  # type: ignore[call-overload]
        return ""
    out = normalise_village_names([str(name)]).iloc[0]
    return "" if pd.isna(out) else str(out)


def name_matching_reason(codes: pd.Series | None, known_codes: Sequence[str] | None = None) -> str | None:
    """Why a table must be matched by name, or None when its Kemendagri codes are usable.

    Parameters
    ----------
    codes
        The table's code column (None when it has none).
    known_codes
        Dotted Kemendagri codes of the boundaries.

    Returns
    -------
    str or None
        A sentence in Bahasa Indonesia for the report.
    """
    if codes is None:
        return t("report.match.reason.no_code")
    system = detect_code_system(codes, known_codes)
    if system == "kemendagri":
        return None
    if system == "bps":
        return t("report.match.reason.bps")
    return t("report.match.reason.unknown")


#: Catalogue keys of the sentences a :class:`NameMatch` report is made of.
_MATCH_KEYS: Final = ("report.match.head", *(f"report.match.status.{s}" for s in STATUSES),
                      "report.match.reason.no_code", "report.match.reason.bps",
                      "report.match.reason.unknown", "report.match.note.stale",
                      "report.match.note.no_kecamatan")


@cache
def _match_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(key, regular expression of its Indonesian sentence) for :func:`translate_match_line`."""
    out = []
    for key in _MATCH_KEYS:
        parts = re.split(r"\{(\w+)\}", catalogue("id")[key])
        pattern = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                          for i, part in enumerate(parts))
        out.append((key, re.compile(pattern)))
    return tuple(out)


def translate_match_line(line: str, lang: str = "id") -> str:
    """A name-matching sentence (as stored, in Bahasa Indonesia) in ``lang``.

    Reasons and notes are kept as Indonesian sentences (:attr:`NameMatch.reason`,
    :attr:`JoinReport.name_matching`); this finds the catalogue sentence a line was made
    from and writes it again in ``lang``. A line that is no known sentence is returned as is.
    """
    if lang != "en":
        return line
    for key, pattern in _match_patterns():
        found = pattern.fullmatch(line)
        if found:
            values = found.groupdict()
            if "share" in values:  # "12,3" (always one decimal, below 1000)
                values["share"] = values["share"].replace(",", ".")
            return t(key, lang, **values)
    return line


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
    """

    pairs: pd.DataFrame
    row_pair: np.ndarray
    boundaries: pd.DataFrame
    threshold: float
    margin: float
    reason: str | None = None
    notes: list[str] = field(default_factory=list)

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

    def review_frame(self) -> pd.DataFrame:
        """:meth:`review_table` as a file a planner edits: ``kecamatan``, ``desa``, ``kode``
        (the accepted match, empty when unmatched: correct it, or leave it empty for "not
        on the map") first — so the edited file is a crosswalk (:func:`load_crosswalk`) —
        then ``status``, ``skor``, ``nama_peta``, ``kecamatan_peta``, ``baris``,
        ``alasan`` and ``kandidat`` (``nama (kode) skor; ...``)."""
        review = self.review_table()
        return pd.DataFrame({
            "kecamatan": review["kecamatan"], "desa": review["desa"], "kode": review["kode"],
            "status": review["status"], "skor": review["score"], "nama_peta": review["nama"],
            "kecamatan_peta": review["nama_kec"], "baris": review["n_rows"],
            "alasan": review["reason"].map(REASONS).fillna(""),
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

    def summary_lines(self, lang: str = "id") -> list[str]:
        """The report, one sentence per line, in Bahasa Indonesia (default) or English."""
        counts = self.counts()
        total = max(len(self.pairs), 1)
        lines = [translate_match_line(self.reason, lang)] if self.reason else []
        lines.append(t("report.match.head", lang, pairs=len(self.pairs),
                       villages=len(self.boundaries)))
        for status in STATUSES:
            n = counts[status]["pairs"]
            if n:
                lines.append(t(f"report.match.status.{status}", lang, n=n,
                               share=format_number(n / total * 100, 1, lang)))
        return lines + [translate_match_line(note, lang) for note in self.notes]

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (names of villages only, no personal data)."""
        review = self.review_table()
        return {
            "reason": self.reason,
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
            "notes": list(self.notes),
        }


def _none(value: object) -> object:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value  # type: ignore[call-overload]


# ----------------------------------------------------------------------------- matching


def _match_level(
    spaced: pd.Series,
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
    q_spaced = spaced.fillna("").to_numpy(dtype=object)
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


def _crosswalk_lookup(crosswalk: pd.DataFrame | None, known: set[str]) -> dict[tuple[str, str], str | None]:
    if crosswalk is None or len(crosswalk) == 0:
        return {}
    cw = _check_crosswalk(crosswalk, file=None)
    kec = normalise_village_names(cw["kecamatan"]).fillna("")
    desa = normalise_village_names(cw["desa"]).fillna("")
    kode = cw["kode"]
    out: dict[tuple[str, str], str | None] = {}
    for k, d, c in zip(kec, desa, kode, strict=True):  # a few hundred decisions at most
        if pd.isna(c):
            out[(k, d)] = None
        elif c in known:
            out[(k, d)] = str(c)
    return out


def match_names(
    table_kec: pd.Series | Sequence[object] | None,
    table_desa: pd.Series | Sequence[object],
    boundaries: pd.DataFrame,
    *,
    crosswalk: pd.DataFrame | None = None,
    threshold: float = 85.0,
    margin: float = 10.0,
    reason: str | None = None,
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
        Saved decisions (:data:`CROSSWALK_COLUMNS`), applied first.  A decision whose
        ``kode`` is empty means "no village on the map"; one whose ``kode`` is not in
        ``boundaries`` is ignored (noted in the report).
    threshold
        Minimum fuzzy score (0–100) for an automatic fuzzy match.
    margin
        Minimum lead of the best fuzzy score over the runner-up; closer calls are left
        unmatched for review.
    reason
        Sentence explaining why names are matched (:func:`name_matching_reason`).
    weights
        Records each input row stands for (default 1), summed into ``n_rows`` — pass
        distinct pairs with their counts instead of every record.

    Returns
    -------
    NameMatch
    """
    desa_in = pd.Series(table_desa, dtype="object").reset_index(drop=True)
    kec_in = (pd.Series([pd.NA] * len(desa_in), dtype="object") if table_kec is None
              else pd.Series(table_kec, dtype="object").reset_index(drop=True))
    if len(kec_in) != len(desa_in):
        raise ValueError("table_kec and table_desa differ in length")
    bnd = _clean_boundaries(boundaries)

    # Distinct pairs by their exact (spaced, upper-case) form.
    raw = pd.DataFrame({"kecamatan": kec_in.astype("string"), "desa": desa_in.astype("string")})
    keyed = pd.DataFrame({"k": _spaced(raw["kecamatan"]).fillna(""), "d": _spaced(raw["desa"]).fillna("")})
    codes, uniques = pd.MultiIndex.from_frame(keyed).factorize()
    first = pd.Series(np.arange(len(raw))).groupby(codes).first().to_numpy()
    pairs = raw.iloc[first].reset_index(drop=True)
    w = np.ones(len(raw)) if weights is None else np.asarray(weights, dtype="float64")
    if len(w) != len(raw):
        raise ValueError("weights and table_desa differ in length")
    pairs["n_rows"] = np.bincount(codes, weights=w, minlength=len(uniques)).astype(np.int64)
    pairs["kec_spaced"] = _spaced(pairs["kecamatan"])
    pairs["desa_spaced"] = _spaced(pairs["desa"])
    pairs["kec_key"] = normalise_village_names(pairs["kecamatan"])
    pairs["desa_key"] = normalise_village_names(pairs["desa"])

    # Kecamatan level.
    kec_names = pd.Series(bnd["nama_kec"].dropna().unique(), dtype="string")
    kq = pairs[["kecamatan", "kec_spaced", "kec_key"]].drop_duplicates("kec_spaced").reset_index(drop=True)
    kq = kq.loc[kq["kec_key"].notna()].reset_index(drop=True)
    k_pos, k_score, k_status, _, _ = _match_level(
        kq["kec_spaced"], kq["kec_key"], _spaced(kec_names).to_numpy(dtype=object),
        normalise_village_names(kec_names).fillna("").to_numpy(dtype=object), threshold, margin,
    )
    kq["kec_match"] = np.where(k_pos >= 0, kec_names.to_numpy(dtype=object)[np.maximum(k_pos, 0)], None)
    kq["kec_score"] = k_score
    kq["kec_status"] = k_status
    kec_cols = ["kec_spaced", "kec_match", "kec_score", "kec_status"]
    pairs = pairs.merge(kq[kec_cols], on="kec_spaced", how="left")
    pairs["kec_status"] = pairs["kec_status"].fillna("kosong")
    pairs["kec_score"] = pairs["kec_score"].fillna(0.0)

    n = len(pairs)
    pos = np.full(n, -1, dtype=np.int64)
    score = np.zeros(n)
    status = np.full(n, "unmatched", dtype=object)
    why = np.full(n, "", dtype=object)
    cands: list[list[dict[str, Any]]] = [[] for _ in range(n)]
    b_spaced = _spaced(bnd["nama"]).fillna("").to_numpy(dtype=object)
    b_keys = normalise_village_names(bnd["nama"]).fillna("").to_numpy(dtype=object)
    b_kec = bnd["nama_kec"].to_numpy(dtype=object)
    group = pairs["kec_match"].astype(object).where(pairs["kec_match"].notna(), "\0district")
    no_kec = pairs["kec_key"].isna()
    lost_kec = ~no_kec & pairs["kec_match"].isna()
    for name, idx in pairs.groupby(group, sort=False).indices.items():  # one loop per kecamatan
        scope = np.arange(len(bnd)) if name == "\0district" else np.flatnonzero(b_kec == name)
        sub = pairs.iloc[idx]
        p, s, st, r, sc = _match_level(sub["desa_spaced"], sub["desa_key"], b_spaced[scope], b_keys[scope],
                                       threshold, margin)
        pos[idx] = np.where(p >= 0, scope[np.maximum(p, 0)], -1)
        score[idx], status[idx], why[idx] = s, st, r
        for i, c in zip(idx, _candidates(sc, bnd, scope), strict=True):
            cands[i] = c
    # A kecamatan that was named but not found: never auto-match across the district.
    lost = lost_kec.to_numpy()
    pos[lost], status[lost], why[lost] = -1, "unmatched", "kecamatan_tidak_ditemukan"
    empty = pairs["desa_key"].isna().to_numpy()
    pos[empty], status[empty], why[empty], score[empty] = -1, "unmatched", "nama_kosong", 0.0

    # Saved decisions win.
    notes: list[str] = []
    known = set(bnd["kode"].dropna())
    lookup = _crosswalk_lookup(crosswalk, known)
    if crosswalk is not None and len(crosswalk):
        stale = int(normalise_codes(_check_crosswalk(crosswalk, file=None)["kode"]).dropna()
                    .isin(known).eq(False).sum())
        if stale:
            notes.append(t("report.match.note.stale", n=stale))
    if lookup:
        keys = list(zip(pairs["kec_key"].fillna(""), pairs["desa_key"].fillna(""), strict=True))
        hit = np.array([k in lookup for k in keys], dtype=bool)
        kode_of = {k: i for i, k in enumerate(bnd["kode"])}
        decided = [kode_of.get(lookup[k], -1) if h and lookup[k] is not None else -1
                   for k, h in zip(keys, hit, strict=True)]
        pos = np.where(hit, np.array(decided, dtype=np.int64), pos)
        status = np.where(hit, "crosswalk", status).astype(object)
        score = np.where(hit, 100.0, score)
        why = np.where(hit, "", why).astype(object)

    matched = pos >= 0
    safe = np.maximum(pos, 0)
    out = pd.DataFrame({
        "kecamatan": pairs["kecamatan"],
        "desa": pairs["desa"],
        "n_rows": pairs["n_rows"],
        "kode": pd.array(np.where(matched, bnd["kode"].to_numpy(dtype=object)[safe], None), dtype="string"),
        "nama": pd.array(np.where(matched, bnd["nama"].to_numpy(dtype=object)[safe], None), dtype="string"),
        "nama_kec": pd.array(np.where(matched, b_kec[safe], None), dtype="string"),
        "score": np.round(score, 1),
        "status": status.astype(str),
        "review": np.isin(status.astype(str), ("fuzzy", "unmatched")),
        "reason": why.astype(str),
        "kec_status": pairs["kec_status"].astype(str),
        "kec_score": np.round(pairs["kec_score"].to_numpy(dtype=float), 1),
        "candidates": pd.Series(cands, dtype="object"),
    })
    if no_kec.all() and len(out):
        notes.append(t("report.match.note.no_kecamatan"))
    return NameMatch(
        pairs=out, row_pair=codes.astype(np.int64), boundaries=bnd, threshold=float(threshold),
        margin=float(margin), reason=reason, notes=notes,
    )


# ----------------------------------------------------------------------------- crosswalk


def _check_crosswalk(frame: pd.DataFrame, *, file: str | None) -> pd.DataFrame:
    missing = [c for c in ("kecamatan", "desa", "kode") if c not in frame.columns]
    if missing:
        raise InputError("crosswalk tidak punya kolom " + ", ".join(missing) + ".", file=file)
    out = pd.DataFrame({c: frame[c].astype("string") if c in frame.columns else pd.Series(
        pd.NA, index=frame.index, dtype="string") for c in CROSSWALK_COLUMNS})
    raw = out["kode"].str.strip().mask(lambda s: s == "")
    out["kode"] = normalise_codes(raw).astype("string")
    bad = raw.notna() & out["kode"].isna()
    if bad.any():
        raise InputError("crosswalk berisi kode desa yang bukan kode Kemendagri.", file=file, column="kode",
                         rows=(np.flatnonzero(bad.to_numpy()) + 2).tolist())
    return out.reset_index(drop=True)


def build_crosswalk(
    match: NameMatch,
    decisions: pd.DataFrame,
    *,
    decided_by: str,
    decided_at: datetime | None = None,
    previous: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Crosswalk from a planner's decisions, merged over an earlier crosswalk.

    Parameters
    ----------
    match
        The match the planner reviewed (its boundary codes validate the decisions).
    decisions
        ``kecamatan``, ``desa``, ``kode``: accepted or corrected pairs; an empty ``kode``
        records "no village on the map".
    decided_by
        Who decided (user name or role), stored with each decision.
    decided_at
        When; default now (UTC).
    previous
        Earlier crosswalk; a new decision for the same normalised pair replaces it.

    Raises
    ------
    InputError
        A decision names a code that is not in the boundaries.
    """
    new = _check_crosswalk(decisions, file=None)
    known = set(match.boundaries["kode"])
    bad = new["kode"].notna() & ~new["kode"].isin(known).fillna(False).astype(bool)
    if bad.any():
        raise InputError("kode yang dipilih tidak ada di peta batas desa.", column="kode",
                         rows=new.loc[bad, "kode"].tolist())
    stamp = (decided_at or datetime.now(UTC)).isoformat(timespec="seconds")
    new["decided_by"] = decided_by
    new["decided_at"] = stamp
    frames = [new] if previous is None or len(previous) == 0 else [_check_crosswalk(previous, file=None), new]
    both = pd.concat(frames, ignore_index=True)
    key = (normalise_village_names(both["kecamatan"]).fillna("") + "\0"
           + normalise_village_names(both["desa"]).fillna(""))
    keep = ~key.duplicated(keep="last")
    return both.loc[keep.to_numpy()].reset_index(drop=True).astype("string")


def save_crosswalk(crosswalk: pd.DataFrame, path: str | Path) -> Path:
    """Write a crosswalk as UTF-8 CSV (only :data:`CROSSWALK_COLUMNS`); returns the path."""
    path = Path(path)
    out = _check_crosswalk(crosswalk, file=path.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    out.to_csv(tmp, index=False, encoding="utf-8")
    tmp.replace(path)  # atomic: a half-written crosswalk is never read
    return path


def load_crosswalk(path: str | Path, *, display_name: str | None = None) -> pd.DataFrame:
    """Read a crosswalk saved by :func:`save_crosswalk` (or edited by hand).

    Raises
    ------
    InputError
        Unreadable file, missing columns, invalid codes.
    """
    path = Path(path)
    file = display_name or path.name
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError("crosswalk tidak bisa dibaca sebagai CSV.", file=file) from exc
    frame = frame.replace("", pd.NA)
    return _check_crosswalk(frame, file=file)


def crosswalk_path(folder: str | Path, kode_kab: str) -> Path:
    """Where the crosswalk of one district lives: ``<folder>/crosswalk_<PP.KK>.csv``."""
    safe = re.sub(r"[^0-9.]", "", str(kode_kab))[:5]
    if not re.fullmatch(r"\d{2}\.\d{2}", safe):
        raise ValueError(f"kode_kab must be PP.KK, got {kode_kab!r}")
    return Path(folder) / f"crosswalk_{safe}.csv"

