"""The downloadable *laporan kualitas data* (CSV or XLSX): every excluded row or cell."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from geo.core.i18n import t
from geo.core.quality import QualityLog
from geo.export.safe import safe_frame

__all__ = ["quality_report_bytes", "write_quality_report"]


def quality_report_bytes(log: QualityLog, target: BinaryIO, suffix: str, lang: str = "id") -> None:
    """Write ``log`` to ``target`` as CSV (UTF-8 with BOM, for Excel) or XLSX (``suffix``).

    Values come from users' files, so every text cell is protected against spreadsheet
    formula injection.
    """
    frame = safe_frame(log.to_frame(lang).astype(object).where(lambda f: f.notna(), ""))
    if suffix.lower() == ".xlsx":
        frame.to_excel(target, index=False, sheet_name=t("quality.sheet", lang)[:31])
    else:
        target.write(frame.to_csv(index=False).encode("utf-8-sig"))


def write_quality_report(log: QualityLog, path: str | Path, lang: str = "id") -> Path:
    """Write ``log`` to the file ``path``, CSV or XLSX chosen by its suffix."""
    path = Path(path)
    with path.open("wb") as out:
        quality_report_bytes(log, out, path.suffix, lang)
    return path
