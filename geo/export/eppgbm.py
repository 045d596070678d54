"""The files of ``lokus eppgbm``: the village table, its data files and the *laporan kualitas data*."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.export.quality import write_quality_report
from geo.io.eppgbm_result import EppgbmResult, output_paths, save_result

__all__ = ["write_outputs"]


def write_outputs(result: EppgbmResult, out: str | Path, *, table: pd.DataFrame | None = None,
                  lang: str = "id") -> dict[str, Path]:
    """Write the village table (``table``, default ``result.villages``), the quality log, the
    two measurement-quality panels and the quality report in ``lang`` to
    :func:`geo.io.eppgbm_result.output_paths` of ``out``; returns those paths."""
    save_result(result, out, table=table)
    paths = output_paths(out)
    write_quality_report(result.quality, paths["kualitas"], lang)
    return paths
