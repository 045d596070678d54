"""The downloadable *laporan kualitas data* (CSV or XLSX): every excluded row or cell."""

from __future__ import annotations

from pathlib import Path

from geo.export.safe import safe_frame
from geo.i18n import t
from geo.quality import QualityLog

__all__ = ["write_quality_report"]


def write_quality_report(log: QualityLog, path: str | Path, lang: str = "id") -> Path:
    """Write ``log`` as CSV (UTF-8 with BOM, for Excel) or XLSX, chosen by the suffix.

    Values come from users' files, so every text cell is protected against spreadsheet
    formula injection.
    """
    path = Path(path)
    frame = safe_frame(log.to_frame(lang).astype(object).where(lambda f: f.notna(), ""))
    if path.suffix.lower() == ".xlsx":
        frame.to_excel(path, index=False, sheet_name=t("quality.sheet", lang)[:31])
    else:
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path
