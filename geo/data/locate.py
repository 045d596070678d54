"""Which village each row of a table is: by Kemendagri code, else by name.

The first step of the one joining path of every village table (outcome, coverage, last
year's list); :func:`geo.data.join.join_table` is the second. Per row, in this order:

1. a valid Kemendagri code that one of the polygons has joins **by code**;
2. a code column that holds BPS codes (decided per column by
   :func:`geo.core.codes.detect_code_system`) is never joined as Kemendagri codes: its rows go
   to name matching and each code cell is noted (``code_bps``);
3. a row without a usable code but with a desa name is matched **by name** within its
   kecamatan (:func:`geo.io.matching.match_names`) — in the same table, so a table with codes
   for most rows and only names for a few keeps the name-only rows;
4. a valid code that no polygon has stays unmatched (``code_unmatched``) and is not
   name-matched — a code is an explicit claim of identity — unless the column as a whole
   is not on the map (fewer than 80 % of its codes, e.g. an older Kepmendagri edition):
   then rows of this kabupaten go to name matching; codes of another kabupaten never do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.core.codes import detect_code_system, looks_like_bps_series, normalise_codes
from geo.core.messages import Message
from geo.core.quality import QualityLog, issues_where
from geo.io.matching import NameMatch, match_names

__all__ = ["Located", "locate_rows"]


@dataclass(frozen=True, eq=False)
class Located:
    """Where each row of a table is, from :func:`locate_rows`.

    Attributes
    ----------
    kode
        Per row (same index as the table): the dotted Kemendagri code the row was placed
        on, a valid code that no polygon has (left for :func:`geo.data.join.join_table` to
        report as unmatched), or NA (not placed).
    via
        Per row: ``"kode"`` (placed by code), ``"nama"`` (by name) or ``""``.
    reason
        Per row not placed: ``code_invalid`` or ``name_unmatched``; ``""`` otherwise.
    name_match
        The name match of the rows that went through names; None when none did.
    issues
        Notes on code cells that were not used (``code_bps``), as quality issues.
    code_system
        What the code column holds (``kemendagri``/``bps``/``unknown``), None without one.
    name_rows
        Index labels of the rows that went through name matching, in the order of
        ``name_match.row_pair``.
    """

    kode: pd.Series
    via: pd.Series
    reason: pd.Series
    name_match: NameMatch | None
    issues: pd.DataFrame
    code_system: str | None
    name_rows: pd.Index = field(default_factory=lambda: pd.Index([]))

    def apply(self, table: pd.DataFrame) -> pd.DataFrame:
        """``table`` with ``kode``, ``_via`` and ``_reason`` set, ready for
        :func:`geo.data.join.join_table`."""
        return table.assign(kode=self.kode, _via=self.via, _reason=self.reason)


def _match_reason(system: str | None, n_names: int, n_rows: int, has_code: bool) -> Message:
    """Why rows went through name matching."""
    if system == "bps":
        return Message.of("report.match.reason.bps")
    if not has_code:
        return Message.of("report.match.reason.no_code")
    if n_names < n_rows:
        return Message.of("report.match.reason.partial", n=n_names)
    return Message.of("report.match.reason.unknown")


@dataclass
class _Placing:
    """The per-row state of :func:`locate_rows` while it places rows."""

    kode: pd.Series
    via: pd.Series
    outside: pd.Series
    issues: list[pd.DataFrame]
    system: str | None = None


def _by_code(table: pd.DataFrame, columns: dict[str, str], known: set[str], file: str) -> _Placing:
    """Rows placed by a Kemendagri code on the map; codes that must not be name-matched."""
    index, rows = table.index, table["_row"]
    state = _Placing(kode=pd.Series(pd.NA, index=index, dtype="string"),
                     via=pd.Series("", index=index, dtype=object),
                     outside=pd.Series(False, index=index), issues=[])
    code_col, bps_col = columns.get("kode"), columns.get("kode_bps")
    if code_col is not None:
        raw = table[code_col]
        state.system = detect_code_system(raw)
        if state.system == "bps":  # the whole column: BPS codes of split kecamatan pass as Kemendagri
            state.issues.append(issues_where(raw.notna(), file=file, rows=rows, reason="code_bps",
                                             column=code_col, values=raw, scope="cell"))
            return state
        districts = {k[:5] for k in known}
        clean = normalise_codes(raw)
        hit = clean.isin(known).fillna(False).astype(bool)
        state.kode[hit] = clean[hit]
        state.via[hit] = "kode"
        # a valid code of another kabupaten is a different village: never name-matched here
        outside = (clean.notna() & ~hit & ~clean.str[:5].isin(districts)).fillna(False)
        state.kode[outside] = clean[outside]
        bpsish = looks_like_bps_series(raw) & ~hit
        state.issues.append(issues_where(bpsish, file=file, rows=rows, reason="code_bps",
                                         column=code_col, values=raw, scope="cell"))
        # A valid code of this kabupaten that no polygon has is an explicit claim: in a
        # column whose codes are on the map it stays unmatched (a typo is not guessed
        # away by the name); in a column mostly off the map (an older code edition)
        # its row goes to name matching, and is reported unmatched if that fails too.
        stale = (clean.notna() & ~hit & ~outside).fillna(False)
        state.kode[stale] = clean[stale]
        if detect_code_system(raw, known) == "kemendagri":
            outside |= stale
        state.outside = outside
    elif bps_col is not None:
        state.system = "bps"
        state.issues.append(issues_where(table[bps_col].notna(), file=file, rows=rows,
                                         reason="code_bps", column=bps_col, values=table[bps_col],
                                         scope="cell"))
    return state


def locate_rows(
    table: pd.DataFrame,
    columns: dict[str, str],
    villages: pd.DataFrame,
    *,
    file: str,
    crosswalk: pd.DataFrame | None = None,
    accept_fuzzy: bool = True,
) -> Located:
    """Place each row of a table on a village: by code, else by name (see the module doc).

    Parameters
    ----------
    table
        The table as read (:func:`geo.io.tables.read_table`), with ``_row``.
    columns
        Role → column (roles ``kode``, ``kode_bps``, ``nama_desa``, ``nama_kec``).
    villages
        ``kode``, ``nama``, ``nama_kec`` of the polygons.
    file
        Base file name, for the quality issues.
    crosswalk
        Saved name-matching decisions, applied first.
    accept_fuzzy
        Place rows whose name matched only fuzzily (they are always listed for review);
        off for last year's lokus list, where a wrong village is worse than a missing one.

    Returns
    -------
    Located
    """
    state = _by_code(table, columns, set(villages["kode"].dropna().astype(str)), file)
    kode, via = state.kode, state.via
    reason = pd.Series("", index=table.index, dtype=object)
    name_col = columns.get("nama_desa")
    todo = ~(via == "kode") & ~state.outside
    todo &= table[name_col].notna() if name_col is not None else False
    match = None
    if name_col is not None and todo.any():
        sub = table.loc[todo]
        kec = sub[columns["nama_kec"]] if "nama_kec" in columns else None
        why = _match_reason(state.system, int(todo.sum()), len(table), "kode" in columns)
        match = match_names(kec, sub[name_col], villages[["kode", "nama", "nama_kec"]],
                            crosswalk=crosswalk, reason=why)
        status = match.status.to_numpy(dtype=object)
        found = match.kode.to_numpy(dtype=object)
        sure = np.isin(status, ("crosswalk", "exact", "normalised"))
        if accept_fuzzy:
            sure |= status == "fuzzy"
        idx = sub.index.to_numpy()
        kode.loc[idx[sure]] = found[sure]
        via.loc[idx[sure]] = "nama"
        # a stale code whose name did not match stays as the code (reported as unmatched)
        failed = idx[~sure]
        unplaced = kode.loc[failed].isna().to_numpy()
        reason.loc[failed[unplaced]] = "name_unmatched"
    reason[kode.isna() & (reason == "")] = "code_invalid"
    return Located(kode=kode, via=via, reason=reason, name_match=match,
                   issues=QualityLog.of(state.issues).issues, code_system=state.system,
                   name_rows=table.index[todo.to_numpy()])

