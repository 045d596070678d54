"""Data-quality flags of a scoring run: they name doubtful values and never change the score."""

from __future__ import annotations

import numpy as np

from geo.core.messages import Message, Num
from geo.scoring.state import Run
from geo.scoring.values import outcome_percent

__all__ = ["LOW_MEASUREMENT", "QUALITY_CHECK", "quality_flags"]

#: Measurement coverage (%) below which a low outcome rate is flagged as possibly an artefact.
LOW_MEASUREMENT = 50.0
#: ``mutu_pengukuran`` value of ``dataset.measures`` that flags a village-year.
QUALITY_CHECK = "perlu_dicek"


def quality_flags(run: Run, chosen: np.ndarray) -> None:
    """Data-quality flags that never change the score: low outcome with low measurement
    coverage, and ``mutu_pengukuran == "perlu_dicek"`` for the year."""
    dataset, year = run.dataset, run.year
    avail = {i.id for i in dataset.scoring_indicators(year)}
    out_id = outcome_percent(dataset, run.cfg.indicators, year)
    if out_id is not None and "cakupan_pengukuran" in avail:
        cov = dataset.values("cakupan_pengukuran", year).value
        rate = dataset.values(out_id, year).value
        cut = float(np.nanmedian(rate)) if np.isfinite(rate).any() else np.nan
        # a rate below the median where fewer than half the under-fives were measured
        low = np.isfinite(rate) & (rate < cut) & (cov < LOW_MEASUREMENT)
        if low.any():
            run.flag(low, lambda i: Message.of("scoring.engine.low_measurement", id=out_id,
                                               cov=Num(float(cov[i]), 0), limit=Num(LOW_MEASUREMENT, 0)))
            run.warn("scoring.engine.low_measurement_n", n=int(low.sum()), id=out_id,
                     limit=Num(LOW_MEASUREMENT, 3, trim=True), chosen=int((low & chosen).sum()))
    measures = dataset.measures
    if "mutu_pengukuran" in measures:
        rows = measures.loc[measures["tahun"] == year]
        check = rows["mutu_pengukuran"].astype(str).str.strip().str.lower() == QUALITY_CHECK
        bad = run.codes.isin(rows.loc[check, "kode"]).astype(bool)
        if bad.any():
            run.flag(bad, Message.of("scoring.engine.quality_check"))
            run.warn("scoring.engine.quality_check_n", n=int(bad.sum()), year=str(year),
                     chosen=int((bad & chosen).sum()))
