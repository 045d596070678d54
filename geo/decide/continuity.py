"""Last year's lokus against this year's: new, continuing and graduating villages.

:func:`read_previous_list` reads a list (CSV or XLSX) of last year's lokus, by
Kemendagri code or by kecamatan + desa name, through the one joining path of every table
(:func:`geo.data.locate.locate_rows`): a Kemendagri code on the map is used, a BPS code column is
detected and routed to name matching, a row without a usable code is matched by name.
Only certain matches are applied (saved decision, exact, normalised spelling); a fuzzy
match is **not** applied unless the caller accepts fuzzy matches: it is reported with its
candidate for the planner to confirm (a wrong village on a lokus list is worse than a
missing one). Rows left out (bad year, no match) are listed in
:attr:`PreviousList.quality_log`.

:func:`continuity` puts both lists side by side: ``baru`` (new this year),
``lanjutan`` (continuing), ``lulus`` (graduating: on last year's list, not on this
one), with the change of every scored indicator between the previous year and the
year scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.core.codes import normalise_codes
from geo.core.errors import InputError
from geo.core.indicators import base_id
from geo.core.messages import Message
from geo.core.quality import FileCount, QualityLog, issues_where
from geo.data.locate import Located, locate_rows
from geo.io.matching import reason_message
from geo.io.schema import ID_ROLES, TABLE_ROLES, detect_columns
from geo.io.tables import clean_years, read_table

if TYPE_CHECKING:
    from geo.data.model import Dataset
    from geo.scoring.result import ScoringResult

__all__ = ["STATUSES", "PreviousList", "continuity", "read_previous_list"]

#: Status of a village between the two lists (described by ``continuity.status.<status>``).
STATUSES = ("lanjutan", "baru", "lulus")
_ROLES = {k: TABLE_ROLES[k] for k in ID_ROLES}
_UNMATCHED_COLS = ["baris", "kode", "kecamatan", "desa", "alasan", "kandidat"]


@dataclass(frozen=True)
class PreviousList:
    """Last year's lokus as read from a file.

    Attributes
    ----------
    codes
        Matched village codes, in file order, each once.
    names
        Code → village name (from the boundaries).
    year
        Year of the list (from a ``tahun`` column or given), None when unknown.
    file
        Base name of the file read ("" when built in code).
    unmatched
        Rows not placed on a village: ``baris`` (spreadsheet row), ``kode``,
        ``kecamatan``, ``desa`` (as written), ``alasan`` (a :class:`~geo.core.messages.Message`),
        ``kandidat`` (up to three ``"nama (kode)"`` suggestions, "; "-joined).
    notes
        Messages: how rows were matched, duplicates, fuzzy matches.
    quality_log
        Rows left out (year invalid, no village found, repeated) with the file's totals.
    """

    codes: tuple[str, ...]
    names: dict[str, str] = field(default_factory=dict)
    year: int | None = None
    file: str = ""
    unmatched: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=_UNMATCHED_COLS))
    notes: tuple[Message, ...] = ()
    quality_log: QualityLog = field(default_factory=QualityLog)

    @classmethod
    def from_codes(cls, codes: Sequence[str], villages: pd.DataFrame, *, year: int | None = None,
                   file: str = "") -> PreviousList:
        """A list from codes already known (e.g. reloaded from the store).

        Raises
        ------
        InputError
            A code that is not a village of ``villages``.
        """
        clean = normalise_codes(pd.Series(list(codes), dtype="object"))
        known = dict(zip(villages["kode"], villages["nama"], strict=True))
        bad = [c for c, n in zip(codes, clean, strict=True) if pd.isna(n) or n not in known]
        if bad:
            raise InputError.of("continuity.error.not_on_map", rows=bad)
        unique = tuple(dict.fromkeys(str(c) for c in clean))
        return cls(codes=unique, names={c: str(known[c]) for c in unique}, year=year, file=file)


def _changes(out: pd.DataFrame, bases: list[str], dataset: Dataset, year: int, wanted: int | None,
             notes: list[Message]) -> dict[str, int | None]:
    """Add ``{id}__sebelum``, ``{id}__sekarang`` and ``{id}__perubahan`` to ``out`` (one row per
    village code); returns the year compared per indicator."""
    position = {c: i for i, c in enumerate(dataset.codes)}
    rows = [position[c] for c in out["kode"]]
    compared: dict[str, int | None] = {}
    for iid in bases:
        years = dataset.indicator_years(iid)
        prev = wanted if wanted is not None else dataset.previous_year(iid, year)
        if prev is not None and prev not in years:
            notes.append(Message.of("continuity.note.no_year_data", indicator=iid, year=str(prev)))
            prev = None
        compared[iid] = prev
        current = dataset.values(iid, year).value[rows] if year in years else np.full(len(rows), np.nan)
        earlier = dataset.values(iid, prev).value[rows] if prev is not None else np.full(len(rows), np.nan)
        out[f"{iid}__sebelum"] = earlier
        out[f"{iid}__sekarang"] = current
        out[f"{iid}__perubahan"] = current - earlier
    if bases and all(v is None for v in compared.values()):
        notes.append(Message.of("continuity.note.no_previous_year"))
    return compared


def _candidates(cands: object) -> str:
    if not isinstance(cands, list):
        return ""
    return "; ".join(f"{c['nama']} ({c['kode']})" for c in cands)


def read_previous_list(
    path: str | Path,
    villages: pd.DataFrame,
    *,
    display_name: str | None = None,
    year: int | None = None,
    crosswalk: pd.DataFrame | None = None,
    accept_fuzzy: bool = False,
) -> PreviousList:
    """Read last year's lokus list (CSV/XLSX) and place each row on a village.

    Parameters
    ----------
    path
        The file; columns are detected like a village table (``kode``/``kode_desa``,
        ``desa``/``nama_desa``, ``kecamatan``, optional ``tahun``).
    villages
        ``kode``, ``nama``, ``nama_kec`` of the dataset (``Dataset.villages``).
    display_name
        Name to show in messages (the uploaded file's name).
    year
        Year of the list; with a ``tahun`` column holding several years, only the
        rows of this year are read.
    crosswalk
        Saved name-matching decisions (:func:`geo.io.matching.load_crosswalk`).
    accept_fuzzy
        Apply fuzzy name matches (still listed in ``notes``); off by default.

    Returns
    -------
    PreviousList

    Raises
    ------
    InputError
        Unreadable file, no code and no desa-name column, several years without
        ``year``, or no row left for ``year``.
    """
    table = read_table(path, display_name=display_name)
    file = Path(display_name or Path(path).name).name
    n_read = len(table)
    ids = detect_columns([c for c in table.columns if c != "_row"], _ROLES, file=file)
    if "kode" not in ids and "nama_desa" not in ids and "kode_bps" not in ids:
        raise InputError.of("continuity.error.no_columns", file=file)
    issues: list[pd.DataFrame] = []
    if "tahun" in ids:
        table, year = _of_year(table, ids["tahun"], year, file, issues)
    names = dict(zip(villages["kode"].astype(str), villages["nama"].astype(str), strict=True))
    located = locate_rows(table, ids, villages, file=file, crosswalk=crosswalk,
                          accept_fuzzy=accept_fuzzy)
    issues.append(located.issues)
    placed = located.kode.where(located.kode.isin(set(names)), pd.NA)
    raw_code = (table[ids["kode"]] if "kode" in ids
                else table[ids["kode_bps"]] if "kode_bps" in ids
                else pd.Series(pd.NA, index=table.index, dtype="string"))
    why, cands, notes = _why_unplaced(located, placed, raw_code, accept_fuzzy)
    got = placed.dropna().astype(str)
    dup = got.duplicated()
    if dup.any():
        notes.append(Message.of("continuity.note.repeated", n=int(got[dup].nunique()),
                                codes=list(got[dup].unique()[:5])))
        issues.append(issues_where(dup.reindex(table.index, fill_value=False), file=file,
                                   rows=table["_row"], reason="duplicate_identical",
                                   values=placed))
    codes = tuple(dict.fromkeys(got))
    miss = placed.isna()
    issues.append(issues_where(miss & located.kode.notna(), file=file, rows=table["_row"],
                               reason="code_unmatched", column=ids.get("kode"), values=located.kode))
    for reason in ("code_invalid", "name_unmatched"):
        issues.append(issues_where(miss & (located.reason == reason), file=file, rows=table["_row"],
                                   reason=reason))
    unmatched = _unmatched(table, ids, miss, raw_code, why, cands)
    notes.insert(0, Message.of("continuity.note.recognised_unmatched" if len(unmatched)
                               else "continuity.note.recognised",
                               n=len(codes), rows=len(table), unmatched=len(unmatched)))
    log = QualityLog.of(issues, [FileCount(file, "lokus_lalu", n_read, len(codes))])
    return PreviousList(codes=codes, names={c: names[c] for c in codes}, year=year, file=file,
                        unmatched=unmatched, notes=tuple(notes), quality_log=log)


def _unmatched(table: pd.DataFrame, ids: dict[str, str], miss: pd.Series, raw_code: pd.Series,
               why: pd.Series, cands: pd.Series) -> pd.DataFrame:
    """The rows not placed, as :attr:`PreviousList.unmatched` lists them."""
    return pd.DataFrame({
        "baris": table.loc[miss, "_row"].astype("int64"),
        "kode": raw_code[miss].astype(object) if ("kode" in ids or "kode_bps" in ids) else pd.NA,
        "kecamatan": table.loc[miss, ids["nama_kec"]].astype(object) if "nama_kec" in ids else pd.NA,
        "desa": table.loc[miss, ids["nama_desa"]].astype(object) if "nama_desa" in ids else pd.NA,
        "alasan": [w or Message.of("continuity.why.no_match") for w in why[miss]],
        "kandidat": cands[miss],
    }, columns=_UNMATCHED_COLS).reset_index(drop=True)


def _of_year(table: pd.DataFrame, column: str, year: int | None, file: str,
             issues: list[pd.DataFrame]) -> tuple[pd.DataFrame, int | None]:
    """The rows of ``year`` (the list's only year when not given); bad years left out."""
    # inf / 1e308 / 2099 are left out as bad years, never turned into an int
    years, keep, bad = clean_years(table[column], file=file, column=column, rows=table["_row"])
    issues += bad
    present = sorted({int(y) for y in years[keep].unique()})
    if year is None and len(present) > 1:
        raise InputError.of("continuity.error.several_years", file=file, column=column, rows=present)
    if year is None and present:
        year = present[0]
    if year is not None:
        keep &= (years == year).fillna(False)
        if not keep.any():
            raise InputError.of("continuity.error.no_rows_year", file=file, column=column,
                                year=str(year))
    return table.loc[keep.to_numpy()].reset_index(drop=True), year


def _why_unplaced(located: Located, placed: pd.Series, raw_code: pd.Series,
                  accept_fuzzy: bool) -> tuple[pd.Series, pd.Series, list[Message]]:
    """Per row not placed: why (a message, None when unknown) and the candidates offered;
    notes on how the names were matched."""
    index = placed.index
    why = pd.Series(None, index=index, dtype=object)
    cands = pd.Series("", index=index, dtype=object)
    notes: list[Message] = []
    why[located.kode.notna() & placed.isna()] = Message.of("continuity.why.unknown_code")
    no_name = located.reason == "code_invalid"
    why[no_name & raw_code.notna()] = Message.of("continuity.why.no_name_bad_code")
    why[no_name & raw_code.isna()] = Message.of("continuity.why.no_name_no_code")
    match = located.name_match
    if match is None:
        return why, cands, notes
    by_name_only = located.code_system == "bps" or (located.via == "nama").sum() < len(index)
    if match.reason is not None and by_name_only:
        notes.append(match.reason)
    status = match.status.to_numpy()
    pairs = match.pairs
    for i, pos in zip(located.name_rows, match.row_pair, strict=True):
        if pd.notna(placed[i]):
            continue
        pair = pairs.iloc[pos]
        if pair["status"] == "fuzzy":
            why[i] = Message.of("continuity.why.fuzzy", nama=str(pair["nama"]), kode=str(pair["kode"]))
        else:
            reason = reason_message(str(pair["reason"])) or Message.of("continuity.why.no_match")
            why[i] = Message.of("continuity.why.both", first=why[i], second=reason) if why[i] else reason
        cands[i] = _candidates(pair["candidates"])
    if accept_fuzzy and (status == "fuzzy").any():
        notes.append(Message.of("continuity.note.fuzzy", n=int((status == "fuzzy").sum())))
    notes.extend(match.notes)
    return why, cands, notes


def continuity(
    previous: PreviousList,
    result: ScoringResult,
    dataset: Dataset,
    *,
    previous_year: int | None = None,
    chosen: Sequence[str] | None = None,
) -> pd.DataFrame:
    """New / continuing / graduating lokus, with the change of each scored indicator.

    Parameters
    ----------
    previous
        Last year's list.
    result
        This year's scoring; ``result.selection.chosen`` is this year's list unless
        ``chosen`` (the scenario's final list) is given.
    dataset
        The dataset scored; values of both years come from :meth:`Dataset.values`
        (raw rates, not the smoothed values scored, so both years compare alike).
    previous_year
        Year to compare with. Default: ``previous.year`` when it is before the year
        scored, else per indicator the latest earlier year with data.

    Returns
    -------
    pandas.DataFrame
        One row per village in either list: ``kode, nama, nama_kec, status``
        (``lanjutan``/``baru``/``lulus``), ``keterangan`` (its description, a message),
        ``peringkat``, ``skor``, then per scored indicator (``__delta`` criteria use
        their base; the hotspot criterion is left out) ``{id}__sebelum``,
        ``{id}__sekarang`` and ``{id}__perubahan`` (now − before; NaN when a year has
        no value). Rows: lanjutan, baru, lulus, each by rank. ``attrs["tahun"]`` is
        the year scored, ``attrs["tahun_sebelum"]`` maps each indicator to the year
        compared (None when there is none), ``attrs["catatan"]`` notes (messages).
    """
    year = int(result.config.year)
    now = list(chosen) if chosen is not None else list(result.selection.chosen)
    before = list(previous.codes)
    table = result.table.set_index("kode")
    notes: list[Message] = []
    outside = [c for c in [*now, *before] if c not in table.index]
    if outside:
        raise InputError.of("continuity.error.not_scored", rows=outside)
    if previous.year is not None and previous.year >= year:
        notes.append(Message.of("continuity.note.year_not_before", previous=str(previous.year),
                                year=str(year)))
    status = {c: "lanjutan" if c in set(before) else "baru" for c in now}
    status.update({c: "lulus" for c in before if c not in status})
    codes = list(status)
    order = {"lanjutan": 0, "baru": 1, "lulus": 2}
    codes.sort(key=lambda c: (order[status[c]], table.loc[c, "peringkat"], c))
    out = pd.DataFrame({
        "kode": codes,
        "nama": [table.loc[c, "nama"] for c in codes],
        "nama_kec": [table.loc[c, "nama_kec"] for c in codes],
        "status": [status[c] for c in codes],
        "keterangan": [Message.of(f"continuity.status.{status[c]}") for c in codes],
        "peringkat": [int(table.loc[c, "peringkat"]) for c in codes],
        "skor": [float(table.loc[c, "skor"]) for c in codes],
    })
    bases = list(dict.fromkeys(base_id(c.id) for c in result.criteria if c.id in result.indicators))
    wanted = previous_year if previous_year is not None else (
        previous.year if previous.year is not None and previous.year < year else None)
    compared = _changes(out, bases, dataset, year, wanted, notes)
    out.attrs["tahun"] = year
    out.attrs["tahun_sebelum"] = compared
    out.attrs["catatan"] = notes
    return out
