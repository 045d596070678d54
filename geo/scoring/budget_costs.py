"""What each village costs, for :mod:`geo.scoring.budget`: a cost table, the Aksi 2 plan, or a unit cost.

- :func:`read_costs`: a CSV/XLSX with a village code (or kecamatan + desa name) and either the
  cost in Rp (``biaya``, ``anggaran``, ``pagu``...) or a unit cost × a target number of children
  (``biaya_satuan`` × ``sasaran``; or ``unit_cost=`` given and a ``sasaran`` column). Rows are
  placed through the one joining path of every table (:func:`geo.data.locate.locate_rows`);
  only certain name matches are used unless ``accept_fuzzy``. Every row or cell not used is
  logged in :attr:`Costs.quality_log` (not a number, negative, empty, unmatched, duplicates:
  identical copies collapsed, conflicting ones all left out) — never silently dropped.
- :func:`costs_from_plan`: the sum of the budgets (``anggaran``) of a village's Aksi 2 plan items;
  a village whose items carry no budget has no cost; one where only some do is listed in
  :attr:`Costs.partial`.
- :func:`costs_from_unit`: a unit cost × a number of children per village.

A village without a cost is never given one: :func:`geo.scoring.budget.select_with_budget`
lists it and leaves it out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo.core.errors import InputError
from geo.core.messages import Message
from geo.core.quality import FileCount, QualityLog, issues_where
from geo.data.locate import locate_rows
from geo.io.schema import ID_ROLES, TABLE_ROLES, detect_columns
from geo.io.tables import clean_numbers, read_table
from geo.scoring.values import outcome_rate

if TYPE_CHECKING:
    from geo.data.model import Dataset
    from geo.scoring.result import ScoringResult

__all__ = ["COST_ROLES", "Costs", "candidates_of", "costs_from_plan", "costs_from_unit", "read_costs"]

#: Header aliases of the cost columns (compared without case, spaces or punctuation).
COST_ROLES: dict[str, tuple[str, ...]] = {
    "biaya": ("biaya", "biaya_rp", "total_biaya", "jumlah_biaya", "anggaran", "anggaran_rp", "pagu",
              "biaya_desa", "cost", "cost_rp", "total_cost"),
    "biaya_satuan": ("biaya_satuan", "biaya_per_anak", "harga_satuan", "unit_cost", "cost_per_child"),
    "sasaran": ("sasaran", "jumlah_sasaran", "target", "anak_sasaran", "target_anak", "target_children"),
}


@dataclass(frozen=True)
class Costs:
    """Cost per village (Rp) and how it was obtained.

    Attributes
    ----------
    values
        Code → Rp (only villages with a cost).
    source
        ``"tabel"``, ``"rencana"`` (Aksi 2 plan) or ``"satuan"`` (unit cost × children).
    file
        Base name of the file read ("" otherwise).
    partial
        Villages whose plan items carry a budget for only some activities.
    notes
        Messages (how rows were placed; partial plans).
    quality_log
        Rows and cells of the file not used, with the file's totals.
    """

    values: pd.Series
    source: str
    file: str = ""
    partial: tuple[str, ...] = ()
    notes: tuple[Message, ...] = ()
    quality_log: QualityLog = field(default_factory=QualityLog)


def costs_from_plan(items: Iterable[Any]) -> Costs:
    """Cost per village from Aksi 2 plan items (:class:`geo.decide.plan.PlanItem`: ``kode``,
    ``anggaran`` in whole Rp or None): the sum of the budgets given."""
    total: dict[str, float] = {}
    given: dict[str, list[bool]] = {}
    for item in items:
        code = str(item.kode)
        budget = item.anggaran
        has = budget is not None and not (isinstance(budget, float) and math.isnan(budget))
        given.setdefault(code, []).append(has)
        if has:
            total[code] = total.get(code, 0.0) + float(budget)
    partial = tuple(sorted(c for c, flags in given.items() if any(flags) and not all(flags)))
    none = sorted(c for c, flags in given.items() if not any(flags))
    notes = []
    if partial:
        notes.append(Message.of("analytics.costs.note.partial_plan", n=len(partial), codes=list(partial[:5])))
    if none:
        notes.append(Message.of("analytics.costs.note.plan_no_budget", n=len(none), codes=none[:5]))
    return Costs(values=pd.Series(total, dtype=float).sort_index(), source="rencana", partial=partial,
                 notes=tuple(notes))


def costs_from_unit(unit_cost: float, children: Mapping[str, float] | pd.Series) -> Costs:
    """Cost = ``unit_cost`` (Rp per child) × children per village (villages without a count
    have no cost)."""
    if not isinstance(unit_cost, int | float) or not np.isfinite(unit_cost) or unit_cost < 0:
        raise InputError.of("analytics.costs.error.unit_cost", rows=[unit_cost])
    counts = pd.Series(dict(children) if not isinstance(children, pd.Series) else children, dtype=float)
    if (counts < 0).any():
        raise InputError.of("analytics.costs.error.children_negative", rows=list(counts[counts < 0].index))
    return Costs(values=(counts.dropna() * float(unit_cost)).sort_index(), source="satuan")


def _cost_column(table: pd.DataFrame, found: dict[str, str], unit_cost: float | None, file: str,
                 issues: list[pd.DataFrame]) -> pd.Series:
    """Cost per row: the cost column, else unit cost × target (each bad cell logged)."""
    rows = table["_row"]

    def number(role: str, kind: str) -> pd.Series:
        values, bad = clean_numbers(table[found[role]], file=file, column=found[role], rows=rows, kind=kind)
        issues.extend(bad)
        empty = table[found[role]].isna()
        issues.append(issues_where(empty, file=file, rows=rows, reason="empty_required",
                                   column=found[role], scope="cell"))
        return values

    if "biaya" in found:
        return number("biaya", "share")
    if "sasaran" in found and ("biaya_satuan" in found or unit_cost is not None):
        unit = number("biaya_satuan", "share") if "biaya_satuan" in found else float(unit_cost)  # type: ignore[arg-type]
        return number("sasaran", "count") * unit
    raise InputError.of("analytics.costs.error.no_cost_column", file=file,
                        columns=[c for c in table.columns if c != "_row"])


def _deduplicated(placed: pd.Series, cost: pd.Series, rows: pd.Series, file: str,
                  issues: list[pd.DataFrame]) -> pd.Series:
    """Code → cost: identical repeats collapsed, conflicting repeats all left out (logged)."""
    frame = pd.DataFrame({"kode": placed, "biaya": cost}).dropna(subset=["kode"])
    repeated = frame["kode"].duplicated(keep=False)
    spread = frame.groupby("kode")["biaya"].transform(lambda s: s.nunique(dropna=False))
    conflict = repeated & (spread > 1)
    identical = frame["kode"].duplicated() & ~conflict
    for mask, reason in ((conflict, "duplicate_conflict"), (identical, "duplicate_identical")):
        full = mask.reindex(placed.index, fill_value=False)
        issues.append(issues_where(full, file=file, rows=rows, reason=reason, values=placed))
    kept = frame[~conflict & ~identical]
    return pd.Series(kept["biaya"].to_numpy(), index=kept["kode"].astype(str).to_numpy(), dtype=float)


def read_costs(path: str | Path, villages: pd.DataFrame, *, display_name: str | None = None,
               unit_cost: float | None = None, crosswalk: pd.DataFrame | None = None,
               accept_fuzzy: bool = False) -> Costs:
    """Read a cost table (CSV/XLSX) and place each row on a village; see the module docstring.

    Parameters
    ----------
    path
        The file.
    villages
        ``kode``, ``nama``, ``nama_kec`` of the dataset (``Dataset.villages``).
    display_name
        Name shown in messages (an uploaded file's name).
    unit_cost
        Rp per child, for a table with a target column (``sasaran``) and no cost column.
    crosswalk, accept_fuzzy
        Saved name-matching decisions; apply fuzzy name matches (off by default).

    Raises
    ------
    InputError
        Unreadable file, no code and no name column, no cost column.
    """
    table = read_table(path, display_name=display_name)
    file = Path(display_name or Path(path).name).name
    headers = [c for c in table.columns if c != "_row"]
    ids = detect_columns(headers, {k: TABLE_ROLES[k] for k in ID_ROLES if k != "tahun"}, file=file)
    if "kode" not in ids and "nama_desa" not in ids and "kode_bps" not in ids:
        raise InputError.of("analytics.costs.error.no_id_column", file=file)
    found = detect_columns([h for h in headers if h not in ids.values()], COST_ROLES, file=file)
    issues: list[pd.DataFrame] = []
    cost = _cost_column(table, found, unit_cost, file, issues)
    located = locate_rows(table, ids, villages, file=file, crosswalk=crosswalk, accept_fuzzy=accept_fuzzy)
    issues.append(located.issues)
    known = set(villages["kode"].astype(str))
    placed = located.kode.where(located.kode.isin(known), pd.NA)
    issues.append(issues_where(placed.isna() & located.kode.notna(), file=file, rows=table["_row"],
                               reason="code_unmatched", column=ids.get("kode"), values=located.kode))
    for reason in ("code_invalid", "name_unmatched"):
        issues.append(issues_where(placed.isna() & (located.reason == reason), file=file,
                                   rows=table["_row"], reason=reason))
    values = _deduplicated(placed, cost, table["_row"], file, issues).dropna().sort_index()
    notes = [Message.of("analytics.costs.note.read", n=len(values), rows=len(table),
                        unmatched=int(placed.isna().sum()))]
    if located.name_match is not None:
        notes.extend(located.name_match.notes)
    log = QualityLog.of(issues, [FileCount(file, "biaya", len(table), len(values))])
    return Costs(values=values, source="tabel", file=file, notes=tuple(notes), quality_log=log)


def candidates_of(result: ScoringResult, dataset: Dataset | None = None) -> pd.DataFrame:
    """The candidates of :func:`geo.scoring.budget.select_with_budget` from a scoring result:
    ``code``, ``kecamatan``, ``score`` and ``children`` (stunted children: the numerator of the
    outcome rate scored, else of the dataset's prevalence or screening rate; NaN when unknown)."""
    table = result.table
    out = pd.DataFrame({"code": table["kode"].astype(str).to_numpy(),
                        "kecamatan": table["kode_kec"].astype(str).to_numpy(),
                        "score": table["skor"].to_numpy(dtype=float)})
    year = int(result.config.year)
    rate = None if dataset is None else outcome_rate(dataset, list(result.indicators), year)
    if rate is not None and dataset is not None:
        k = dataset.values(rate, year).numerator
        out["children"] = np.asarray(k, dtype=float) if k is not None else np.nan
    elif any(c.endswith("__k") for c in table.columns):
        out["children"] = table[next(c for c in table.columns if c.endswith("__k"))].to_numpy(dtype=float)
    else:
        out["children"] = np.nan
    return out
