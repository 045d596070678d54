"""What an e-PPGBM aggregation gives: the report, the result, and the files a dataset keeps.

:class:`EppgbmReport` counts what happened to the records (no personal data);
:class:`EppgbmResult` holds the village table, the report, the row-level quality log and
the measurement-quality panels. :func:`output_paths` names the files written beside a
village table and :func:`save_result` writes the data files among them (the human-readable
quality report is an export: :func:`geo.export.eppgbm.write_outputs`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pandas as pd

from geo.core.errors import InputError
from geo.core.i18n import t
from geo.core.messages import Message, Num, render_all
from geo.core.quality import QualityLog
from geo.io.eppgbm import DISAGREE_LIMIT
from geo.io.eppgbm_quality import MIN_N_QUALITY
from geo.io.matching import NameMatch

__all__ = [
    "EppgbmReport",
    "EppgbmResult",
    "output_paths",
    "period_label",
    "save_result",
    "write_safe_csv",
]

def period_label(period: str, lang: str = "id") -> str:
    """What one row of the village table counts; the monthly label warns against summing."""
    return t(f"eppgbm.period.{period}", lang)


@dataclass(frozen=True, eq=False)
class EppgbmReport:
    """What happened to the records (counts and village names only; no personal data).

    ``n_read = n_used + n_duplicates_removed + sum(n_excluded.values())``: every record
    is used, superseded by a later measurement of the same child in the period, or
    excluded for exactly one reason (:data:`geo.io.eppgbm.ROW_REASONS`).  ``n_cells`` counts cell
    issues (the row was still used).  ``quality`` counts village-years by
    ``mutu_pengukuran`` (``baik``, ``perlu_dicek``, ``""`` = not assessable) and
    ``flagged`` names the villages to check.
    """

    file: str
    period: str
    identity: str
    n_read: int
    n_empty: dict[str, int]
    n_age_out_of_range: int
    n_implausible: int
    n_duplicates_removed: int
    n_used: int
    n_with_export_z: int
    n_disagree: int
    mean_difference: float | None
    unmatched_villages: list[dict[str, Any]]
    match_counts: dict[str, dict[str, int]] | None
    columns: dict[str, str]
    warnings: list[Message] = field(default_factory=list)
    n_excluded: dict[str, int] = field(default_factory=dict)
    n_cells: dict[str, int] = field(default_factory=dict)
    quality: dict[str, int] = field(default_factory=dict)
    flagged: list[str] = field(default_factory=list)

    @property
    def n_superseded(self) -> int:
        """Earlier measurements of a child in the period (same as ``n_duplicates_removed``)."""
        return self.n_duplicates_removed

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (reason codes as keys)."""
        return {
            "file": self.file, "period": self.period, "period_label": period_label(self.period),
            "identity": self.identity, "n_read": self.n_read, "n_used": self.n_used,
            "n_superseded": self.n_superseded, "n_excluded_total": sum(self.n_excluded.values()),
            "n_excluded": dict(self.n_excluded), "n_cells": dict(self.n_cells),
            "n_empty": dict(self.n_empty), "n_age_out_of_range": self.n_age_out_of_range,
            "n_implausible": self.n_implausible, "n_duplicates_removed": self.n_duplicates_removed,
            "n_with_export_z": self.n_with_export_z, "n_disagree": self.n_disagree,
            "disagree_limit": DISAGREE_LIMIT, "mean_difference": self.mean_difference,
            "measurement_quality": dict(self.quality), "measurement_quality_flagged": list(self.flagged),
            "unmatched_villages": [dict(v) for v in self.unmatched_villages],
            "match_counts": self.match_counts, "columns": dict(self.columns),
            "warnings": render_all(self.warnings),
        }

    def nothing_usable(self) -> InputError | None:
        """The error to raise when no record was used although some were read, else None."""
        if self.n_used or not self.n_excluded:
            return None
        top = max(self.n_excluded, key=lambda r: self.n_excluded[r])
        return InputError.of("eppgbm.error.nothing_usable", file=self.file,
                             excluded=sum(self.n_excluded.values()), read=self.n_read,
                             reason=Message.of(f"quality.reason.{top}"))

    def summary(self) -> list[Message]:
        """The report, one message per line: read/used/excluded first."""
        period = Message.of(f"eppgbm.period.{self.period}")
        lines = [Message.of("eppgbm.summary.read", read=self.n_read, file=self.file, used=self.n_used,
                            excluded=sum(self.n_excluded.values()), superseded=self.n_superseded)]
        lines += [Message.of("eppgbm.summary.excluded", n=n, reason=Message.of(f"quality.reason.{r}"))
                  for r, n in self.n_excluded.items()]
        lines += [Message.of("eppgbm.summary.cell", n=n, reason=Message.of(f"quality.reason.{r}"))
                  for r, n in self.n_cells.items()]
        lines.append(Message.of("eppgbm.summary.superseded", n=self.n_superseded, period=period))
        lines.append(Message.of("eppgbm.summary.period", label=period))
        if self.n_with_export_z:
            lines.append(Message.of("eppgbm.summary.export_z", n=self.n_disagree, total=self.n_with_export_z,
                                    limit=Num(DISAGREE_LIMIT, 1), mean=Num(self.mean_difference, 3)))
        if self.unmatched_villages:
            names = [f"{v['desa']} ({v['kecamatan']})" for v in self.unmatched_villages]
            lines.append(Message.of("eppgbm.summary.unmatched", n=len(self.unmatched_villages),
                                    names=_first(names, 5)))
        if self.quality:
            lines.append(Message.of("eppgbm.summary.quality", bad=self.quality.get("perlu_dicek", 0),
                                    good=self.quality.get("baik", 0), unknown=self.quality.get("", 0),
                                    min_n=MIN_N_QUALITY))
        if self.flagged:
            lines.append(Message.of("eppgbm.summary.quality_bad", names=_first(self.flagged, 10)))
        return lines + list(self.warnings)

    def summary_lines(self, lang: str = "id") -> list[str]:
        """:meth:`summary` in ``lang``."""
        return render_all(self.summary(), lang)


def _first(names: list[str], shown: int) -> Message | str:
    """The first ``shown`` names, then how many more."""
    text = ", ".join(names[:shown])
    more = len(names) - shown
    return Message.of("eppgbm.summary.unmatched_more", names=text, n=more) if more > 0 else text


@dataclass(frozen=True, eq=False)
class EppgbmResult:
    """Per-village stunting table, the report, the quality log and the quality panel.

    ``villages`` columns: ``nama_kec``, ``nama_desa``, [``kode``, ``status_cocok``],
    [``tahun``], [``bulan``], ``anak_diukur``, ``pendek`` (−3 ≤ HAZ < −2),
    ``sangat_pendek`` (HAZ < −3), ``stunting``, ``prevalensi`` (%), ``n_implausible``,
    ``n_disagree_with_export``, ``sd_haz`` and ``mutu_pengukuran`` (of the village-year,
    see :func:`geo.io.eppgbm_quality.measurement_flags`), ``periode`` (what a row counts;
    monthly rows must not be summed across months).

    ``mutu_desa`` / ``mutu_posyandu``: the measurement-quality panel per village-year and
    per posyandu-year (columns in :func:`geo.io.eppgbm_aggregate.aggregate`).  ``quality``: the row-level log.
    """

    villages: pd.DataFrame
    report: EppgbmReport
    match: NameMatch | None = None
    quality: QualityLog = field(default_factory=QualityLog)
    mutu_desa: pd.DataFrame = field(default_factory=pd.DataFrame)
    mutu_posyandu: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __repr__(self) -> str:
        return (f"EppgbmResult(villages={len(self.villages)} rows, issues={len(self.quality)}, "
                f"report={self.report.to_dict()!r})")


# ----------------------------------------------------------------------------- output

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_safe_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as UTF-8 CSV with BOM, text cells safe against formula injection.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
    leading ``'`` so a spreadsheet shows it as text instead of running it.  Numbers are
    written as numbers (a negative number is not text).
    """
    path = Path(path)
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            text = out[col].astype("string")
            risky = text.str.startswith(_FORMULA_START).fillna(False).astype(bool)
            out[col] = text.where(~risky, "'" + text)
    out.to_csv(path, index=False, encoding="utf-8-sig")
    return path


#: Suffixes of the files written beside the village table (:func:`output_paths`).
_OUTPUT_SUFFIXES: Final = {"kualitas": "_kualitas.csv", "mutu_desa": "_mutu_pengukuran.csv",
                           "mutu_posyandu": "_mutu_posyandu.csv", "log": "_kualitas.json"}


def output_paths(out: str | Path) -> dict[str, Path]:
    """The village table ``out`` and the files written beside it: ``kualitas`` (the
    row-level *laporan kualitas data*), ``mutu_desa`` and ``mutu_posyandu`` (the
    measurement-quality panel), e.g. ``desa.csv`` -> ``desa_kualitas.csv``,
    ``desa_mutu_pengukuran.csv``, ``desa_mutu_posyandu.csv``; ``log`` is the report with its
    reason codes (JSON, :meth:`geo.core.quality.QualityLog.from_dict`)."""
    out = Path(out)
    beside = {key: out.with_name(out.stem + suffix) for key, suffix in _OUTPUT_SUFFIXES.items()}
    return {"table": out, **beside}


def save_result(result: EppgbmResult, out: str | Path, *,
                table: pd.DataFrame | None = None) -> dict[str, Path]:
    """Write the data of ``result`` to :func:`output_paths` of ``out``: the village table
    (``table``, default ``result.villages``), the quality log with its reason codes (so a
    saved dataset shows it again in any language) and the two panels; returns the paths
    written. The *laporan kualitas data* is rendered from the log where it is read (page,
    command line: :func:`geo.export.eppgbm.write_outputs`)."""
    paths = output_paths(out)
    write_safe_csv(result.villages if table is None else table, paths["table"])
    paths["log"].write_text(json.dumps(result.quality.to_dict()), encoding="utf-8")
    write_safe_csv(result.mutu_desa, paths["mutu_desa"])
    write_safe_csv(result.mutu_posyandu, paths["mutu_posyandu"])
    return {key: path for key, path in paths.items() if key != "kualitas"}
