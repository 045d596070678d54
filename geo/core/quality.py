"""The row-level data-quality log: what was left out of the numbers, row by row, and why.

A district's real files always hold a few bad rows. Lokus refuses a file only when it is
unusable as a whole; every row or cell with a problem is *excluded from the numbers*,
*counted by reason* and *listed* here — file, spreadsheet row, column, value, reason —
so the planner can fix the source and the Bupati can see what the numbers rest on.

An issue has a ``scope``:

* ``row`` — the whole record was left out (e.g. a measurement dated before birth, a
  conflicting duplicate, an unmatched village);
* ``cell`` — only that value was left out and the rest of the row was used (e.g. a
  ``n/a`` in one count column: the row's other counts still count).

Reasons are codes (:data:`REASONS`); their text lives in the catalogue under
``quality.reason.<code>`` and is rendered in the reader's language at the edge. Values of
personal columns (names, NIK, birth dates) are never stored: pass ``value=None``.

The log is a small table, built vectorised (:func:`issues_where`), so 100,000 bad rows of
a 5-million-record e-PPGBM export cost one DataFrame, not 100,000 objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from geo.core.i18n import t
from geo.core.messages import Message, render_all

__all__ = [
    "ISSUE_COLUMNS",
    "REASONS",
    "FileCount",
    "QualityLog",
    "issues_where",
]

#: Why a row or cell was left out. Text: ``quality.reason.<code>`` in the catalogue.
REASONS: Final = (
    # cells and values
    "not_number",            # a count or rate that is not a number ("n/a", "abc")
    "negative",              # a count below zero
    "fractional_count",      # a count that is not a whole number (12,7 children)
    "out_of_range",          # a value beyond what the column can hold (1e308, a rate > 100 %)
    "value_invalid",         # a text value outside the allowed ones (mutu_pengukuran: baik/perlu_dicek)
    "numerator_gt_denominator",  # e.g. stunted > measured: the rate is left out for that row
    "year_invalid",          # a year that is not a whole number between 1990 and next year
    "year_missing",          # no year and none given for the file
    # identifiers and joining
    "code_invalid",          # no usable village code and no name to match by
    "code_bps",              # a BPS code: never joined as a Kemendagri code, matched by name
    "code_unmatched",        # a valid code that no polygon has
    "name_unmatched",        # a name that matched no village (or two equally well)
    "duplicate_identical",   # the same village (and year) again with identical values: collapsed
    "duplicate_conflict",    # the same village (and year) again with different values: all left out
    # e-PPGBM records
    "date_unreadable",       # a date that cannot be read
    "date_future",           # a measurement after the file was made / today
    "measured_before_birth",  # measurement date before birth date
    "age_over_60m",          # older than 60 months at measurement
    "sex_unknown",           # sex not L/P
    "height_invalid",        # height missing, non-numeric, negative or outside 38–150 cm
    "haz_implausible",       # |HAZ| > 6 (WHO flag): a measurement error, not a child
    "empty_required",        # a required cell is empty
    "superseded",            # an earlier measurement of the same child in the period (not an error)
    "position_unknown",      # e-PPGBM Cara Ukur not Telentang/Berdiri: no 0.7 cm correction (cell)
)

#: Columns of :attr:`QualityLog.issues`.
ISSUE_COLUMNS: Final = ("file", "row", "column", "value", "reason", "scope")
_MAX_VALUE = 80  # characters of a value kept in the log


def _text(values: Iterable[object]) -> list[str | None]:
    out: list[str | None] = []
    for v in values:
        if v is None or (not isinstance(v, str) and pd.isna(v)):  # type: ignore[call-overload]
            out.append(None)
        else:
            s = str(v)
            out.append(s if len(s) <= _MAX_VALUE else s[: _MAX_VALUE - 1] + "…")
    return out


def issues_where(
    mask: Sequence[bool] | np.ndarray | pd.Series,
    *,
    file: str,
    rows: Sequence[object] | np.ndarray | pd.Series,
    reason: str,
    column: str | None = None,
    values: Sequence[object] | np.ndarray | pd.Series | None = None,
    scope: str = "row",
) -> pd.DataFrame:
    """Issues for the positions where ``mask`` is true (vectorised).

    Parameters
    ----------
    mask
        One boolean per record.
    file
        Base file name (never a server path).
    rows
        Spreadsheet row number per record (aligned with ``mask``).
    reason
        One of :data:`REASONS`.
    column
        The column as headed in the file (None for a whole-row reason).
    values
        The offending value per record as written; None for personal columns.
    scope
        ``"row"`` or ``"cell"``.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown quality reason {reason!r}")
    if scope not in ("row", "cell"):
        raise ValueError(f"scope must be 'row' or 'cell', not {scope!r}")
    hit = np.asarray(mask, dtype=bool)
    n = int(hit.sum())
    picked_rows = np.asarray(rows, dtype=object)[hit] if n else np.array([], dtype=object)
    picked_values = (_text(np.asarray(values, dtype=object)[hit]) if values is not None and n
                     else [None] * n)
    return pd.DataFrame({
        "file": [file] * n,
        "row": pd.array([None if pd.isna(r) else int(r) for r in picked_rows], dtype="Int64"),
        "column": [column] * n,
        "value": pd.array(picked_values, dtype="string"),
        "reason": [reason] * n,
        "scope": [scope] * n,
    }, columns=list(ISSUE_COLUMNS))


def _empty_issues() -> pd.DataFrame:
    return issues_where(np.zeros(0, dtype=bool), file="", rows=[], reason="not_number")


@dataclass(frozen=True)
class FileCount:
    """How many records of a file were read and how many went into the numbers.

    ``kind`` says what the file was (``batas``, ``tabel``, ``cakupan``, ``lokus_lalu``,
    ``eppgbm``), for the summary sentence.
    """

    file: str
    kind: str
    rows_read: int
    rows_used: int


@dataclass(frozen=True, eq=False)
class QualityLog:
    """Every excluded row or cell of the files behind a result, with per-file totals.

    Attributes
    ----------
    issues
        Table with :data:`ISSUE_COLUMNS`, in the order the problems were found.
    files
        Records read and used per file.
    counted
        ``(file, reason, n)``: records left out for a reason that is counted but not
        listed row by row (an e-PPGBM child's earlier measurements: most rows of a
        yearly export), so that read − used is always explained.
    """

    issues: pd.DataFrame = field(default_factory=_empty_issues)
    files: tuple[FileCount, ...] = ()
    counted: tuple[tuple[str, str, int], ...] = ()

    @classmethod
    def of(cls, parts: Iterable[pd.DataFrame], files: Iterable[FileCount] = (),
           counted: Iterable[tuple[str, str, int]] = ()) -> QualityLog:
        """A log from issue tables (:func:`issues_where`), file totals and counted reasons."""
        frames = [p for p in parts if len(p)]
        issues = (pd.concat(frames, ignore_index=True)[list(ISSUE_COLUMNS)] if frames
                  else _empty_issues())
        return cls(issues=issues, files=tuple(files),
                   counted=tuple((f, r, int(n)) for f, r, n in counted if n))

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> QualityLog:
        """The log :meth:`to_dict` wrote (without ``limit``), e.g. kept in a saved dataset.

        Raises
        ------
        ValueError
            A document that is not such a log (unknown reason, missing keys).
        """
        issues = pd.DataFrame(list(doc["issues"]), columns=list(ISSUE_COLUMNS))
        unknown = set(issues["reason"]) - set(REASONS)
        if unknown:
            raise ValueError(f"unknown quality reasons {sorted(unknown)[:5]}")
        issues["row"] = pd.array(issues["row"], dtype="Int64")
        issues["value"] = pd.array(issues["value"], dtype="string")
        files = tuple(FileCount(str(f["file"]), str(f["kind"]), int(f["rows_read"]), int(f["rows_used"]))
                      for f in doc["files"])
        counted = tuple((str(c["file"]), str(c["reason"]), int(c["n"])) for c in doc.get("counted", ()))
        return cls(issues=issues, files=files, counted=counted)

    def __add__(self, other: QualityLog) -> QualityLog:
        return QualityLog.of([self.issues, other.issues], (*self.files, *other.files),
                             (*self.counted, *other.counted))

    def __len__(self) -> int:
        return len(self.issues)

    def __repr__(self) -> str:
        return f"QualityLog(issues={len(self.issues)}, files={[f.file for f in self.files]})"

    def counts(self) -> pd.DataFrame:
        """Issues per file, reason and scope: ``file``, ``reason``, ``scope``, ``n``."""
        if self.issues.empty:
            return pd.DataFrame({"file": [], "reason": [], "scope": [], "n": []})
        grouped = self.issues.groupby(["file", "reason", "scope"], sort=False).size()
        return grouped.rename("n").reset_index()

    def count(self, reason: str, file: str | None = None) -> int:
        """Issues with ``reason`` (in ``file`` when given)."""
        hit = self.issues["reason"] == reason
        if file is not None:
            hit &= self.issues["file"] == file
        return int(hit.sum())

    def summary(self) -> list[Message]:
        """One message per file (records used of read) and one per file and reason."""
        lines = [Message.of("quality.summary.file", file=f.file, used=f.rows_used, read=f.rows_read,
                            kind=Message.of(f"quality.kind.{f.kind}"))
                 for f in self.files]
        lines += [Message.of("quality.summary.counted", file=file, n=count,
                             reason=Message.of(f"quality.reason.{reason}"))
                  for file, reason, count in self.counted]
        lines += [Message.of(f"quality.summary.{row.scope}", file=row.file, n=int(row.n),
                             reason=Message.of(f"quality.reason.{row.reason}"))
                  for row in self.counts().itertuples(index=False)]
        return lines

    def summary_lines(self, lang: str = "id") -> list[str]:
        """:meth:`summary` in ``lang``."""
        return render_all(self.summary(), lang)

    def to_frame(self, lang: str = "id") -> pd.DataFrame:
        """The downloadable *laporan kualitas data*: one row per issue, headers and reasons
        in ``lang`` (file, row, column, value, reason, scope)."""
        out = self.issues.copy()
        out["reason"] = [t(f"quality.reason.{r}", lang) for r in out["reason"]]
        out["scope"] = [t(f"quality.scope.{s}", lang) for s in out["scope"]]
        return out.rename(columns={c: t(f"quality.col.{c}", lang) for c in ISSUE_COLUMNS})

    def to_dict(self, limit: int | None = None) -> dict[str, Any]:
        """JSON-friendly: totals, counts by reason and (up to ``limit``) issues, codes kept."""
        issues = self.issues if limit is None else self.issues.head(limit)
        return {
            "files": [f.__dict__ for f in self.files],
            "counted": [{"file": f, "reason": r, "n": c} for f, r, c in self.counted],
            "n_issues": len(self.issues),
            "counts": [{"file": r.file, "reason": r.reason, "scope": r.scope, "n": int(r.n)}
                       for r in self.counts().itertuples(index=False)],
            "issues": [{k: (None if pd.isna(v) else (int(v) if k == "row" else v))
                        for k, v in rec.items()} for rec in issues.to_dict("records")],
        }
