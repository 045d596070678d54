"""e-PPGBM records to village numbers: z-scores, names to codes, one measurement per child.

:func:`compute_haz` (WHO 2006 z-scores, :mod:`geo.core.anthro`) -> :func:`match_villages`
(names to boundary codes, :mod:`geo.io.matching`) -> :func:`aggregate` (one measurement per
child per period, per-village counts, the row-level quality log and the measurement-quality
panel of :mod:`geo.io.eppgbm_quality`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from geo.core.anthro import PLAUSIBLE_LIMIT, haz
from geo.core.messages import Message
from geo.core.quality import FileCount, QualityLog, issues_where
from geo.io.eppgbm import ALASAN, DISAGREE_LIMIT, EppgbmRecords, Period
from geo.io.eppgbm_quality import quality_panel, record_indicators
from geo.io.eppgbm_result import EppgbmReport, EppgbmResult, period_label
from geo.io.matching import NameMatch, match_names

__all__ = ["aggregate", "compute_haz", "match_villages"]

log = logging.getLogger(__name__)


def compute_haz(records: EppgbmRecords) -> pd.DataFrame:
    """The records with ``haz``, ``implausible`` added and ``alasan`` updated.

    ``haz`` is computed for the records usable so far (``alasan == ""``) and is NaN for
    the others; those with ``|HAZ| > 6`` get ``alasan = "haz_implausible"`` and
    ``implausible = True`` (their ``haz`` is kept, for the report).
    """
    d = records.data
    code = d["alasan"].cat.codes.to_numpy().astype(np.int8)
    usable = code == 0
    z = haz(d["tinggi"].to_numpy(), d["umur_hari"].to_numpy(), d["sex"].to_numpy(), d["telentang"].to_numpy())
    z = np.where(usable, z, np.nan)
    implausible = usable & np.isfinite(z) & (np.abs(z) > PLAUSIBLE_LIMIT)
    code = np.where(implausible, ALASAN.index("haz_implausible"), code).astype(np.int8)
    out = d.copy(deep=False)  # new columns only: the records' own arrays are shared, not copied
    out["haz"] = z
    out["alasan"] = pd.Categorical.from_codes(code, categories=list(ALASAN))
    out["implausible"] = implausible
    return out


def _spaced(series: pd.Series) -> pd.Series:
    return series.astype("string").str.upper().str.replace(r"\s+", " ", regex=True).str.strip()


def match_villages(
    records: EppgbmRecords,
    boundaries: pd.DataFrame,
    *,
    crosswalk: pd.DataFrame | None = None,
    threshold: float = 85.0,
    margin: float = 10.0,
) -> NameMatch:
    """Match the distinct (kecamatan, desa) names of the records to ``boundaries``.

    ``n_rows`` of the result counts records.  Parameters as :func:`geo.io.matching.match_names`.
    """
    d = records.data
    pairs = (d.groupby(["nama_kec", "nama_desa"], dropna=False, sort=False, observed=True)
             .size().rename("n").reset_index())
    kec = pairs["nama_kec"] if "nama_kec" in records.columns else None
    return match_names(
        kec, pairs["nama_desa"], boundaries, crosswalk=crosswalk, threshold=threshold, margin=margin,
        reason=Message.of("report.match.reason.eppgbm"),
        weights=pairs["n"].to_numpy(),
    )


@dataclass(frozen=True)
class _Villages:
    """Village of each record (``codes``) and per village code its labels."""

    codes: np.ndarray
    labels: pd.DataFrame  # index = village code: nama_kec, nama_desa, [kode, status_cocok]
    matched: np.ndarray | None  # per record: village has a code on the map (None: no match)


def _village_keys(z: pd.DataFrame, match: NameMatch | None) -> _Villages:
    """Matched code, else the upper-case (kecamatan, desa) names; computed on distinct pairs."""
    pair_codes, pair_uniques = pd.MultiIndex.from_arrays([z["nama_kec"], z["nama_desa"]]).factorize()
    u_kec = _spaced(pd.Series(pair_uniques.get_level_values(0), dtype="string")).fillna("")
    u_desa = _spaced(pd.Series(pair_uniques.get_level_values(1), dtype="string")).fillna("")
    labels = pd.DataFrame({"nama_kec": u_kec.to_numpy(dtype=object),
                           "nama_desa": u_desa.to_numpy(dtype=object)})
    key = "N|" + u_kec + "|" + u_desa
    if match is not None:
        lut = match.pairs.assign(k=_spaced(match.pairs["kecamatan"]).fillna(""),
                                 d=_spaced(match.pairs["desa"]).fillna(""))
        lut = lut.drop_duplicates(["k", "d"]).set_index(["k", "d"])
        pos = lut.index.get_indexer(pd.MultiIndex.from_arrays([u_kec, u_desa]))
        found = pos >= 0
        at = np.maximum(pos, 0)
        kode = pd.Series(np.where(found, lut["kode"].to_numpy(dtype=object)[at], None), dtype="string")
        has = kode.notna().to_numpy()
        labels["nama_kec"] = np.where(has, lut["nama_kec"].to_numpy(dtype=object)[at], labels["nama_kec"])
        labels["nama_desa"] = np.where(has, lut["nama"].to_numpy(dtype=object)[at], labels["nama_desa"])
        labels["kode"] = kode
        labels["status_cocok"] = np.where(found, lut["status"].to_numpy(dtype=object)[at], "unmatched")
        key = kode.where(kode.notna(), key)
    v_of_pair, _ = pd.factorize(key)
    first = pd.Series(np.arange(len(v_of_pair))).groupby(v_of_pair).first()
    v_labels = labels.iloc[first.to_numpy()].reset_index(drop=True)
    v_labels["nama_kec"] = v_labels["nama_kec"].astype("string").replace("", pd.NA)
    v_labels["nama_desa"] = v_labels["nama_desa"].astype("string").replace("", pd.NA)
    codes = v_of_pair[pair_codes] if len(pair_codes) else np.zeros(0, dtype=np.int64)
    matched = None if match is None else v_labels["kode"].notna().to_numpy()[codes]
    return _Villages(codes=codes, labels=v_labels, matched=matched)


def _period_key(measured: pd.Series, period: str) -> np.ndarray:
    """yyyymm (month), yyyy (year) or 0 (all); −1 where the date is missing."""
    year = measured.dt.year.to_numpy(dtype="float64", na_value=np.nan)
    month = measured.dt.month.to_numpy(dtype="float64", na_value=np.nan)
    key = {"month": year * 100 + month, "year": year, "all": np.zeros(len(measured))}[period]
    return np.where(measured.isna().to_numpy(), -1, np.nan_to_num(key, nan=-1)).astype(np.int64)


def _latest(z: pd.DataFrame, usable: np.ndarray, per_key: np.ndarray) -> np.ndarray:
    """Latest usable measurement per child and period (ties: the later spreadsheet row),
    so a mis-typed measurement that was re-measured does not hide the good one."""
    idx = np.flatnonzero(usable)
    order = np.lexsort((z["_row"].to_numpy()[idx], z["tgl_ukur"].to_numpy()[idx].astype("int64"),
                        per_key[idx], z["child"].to_numpy()[idx]))
    sorted_idx = idx[order]
    child_s = z["child"].to_numpy()[sorted_idx]
    per_s = per_key[sorted_idx]
    last = np.ones(len(sorted_idx), dtype=bool)
    if len(sorted_idx) > 1:
        last[:-1] = (child_s[1:] != child_s[:-1]) | (per_s[1:] != per_s[:-1])
    kept = np.zeros(len(z), dtype=bool)
    kept[sorted_idx[last]] = True
    return kept


def _village_table(z: pd.DataFrame, vil: _Villages, per_key: np.ndarray, period: str, kept: np.ndarray,
                   implausible: np.ndarray,
                   matched_only: bool) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Counts per village and period, and the masks of kept records with an export z-score and
    of those disagreeing with it."""
    h = z["haz"].to_numpy()
    zs = z["zs_export"].to_numpy()
    with np.errstate(invalid="ignore"):
        pendek = kept & (h >= -3) & (h < -2)
        sangat = kept & (h < -3)
        has_zs = kept & np.isfinite(zs)
        disagree = has_zs & (np.abs(h - zs) > DISAGREE_LIMIT)
    frame = pd.DataFrame({
        "v": vil.codes, "p": per_key, "anak_diukur": kept, "pendek": pendek, "sangat_pendek": sangat,
        "n_implausible": implausible, "n_disagree_with_export": disagree,
    })
    relevant = kept | implausible  # villages/periods that appear in the table
    if matched_only and vil.matched is not None:
        relevant &= vil.matched
    counts = frame.loc[relevant].groupby(["v", "p"], sort=True).sum().astype("int64").reset_index()
    counts["stunting"] = counts["pendek"] + counts["sangat_pendek"]
    with np.errstate(invalid="ignore", divide="ignore"):
        prev = np.where(counts["anak_diukur"] > 0, counts["stunting"] / counts["anak_diukur"] * 100, np.nan)
    counts["prevalensi"] = np.round(prev, 1)
    out = vil.labels.iloc[counts["v"].to_numpy()].reset_index(drop=True)
    out.insert(0, "v", counts["v"].to_numpy())
    if period in ("month", "year"):
        out["tahun"] = (counts["p"] // (100 if period == "month" else 1)).astype("int64")
    if period == "month":
        out["bulan"] = (counts["p"] % 100).astype("int64")
    for col in ("anak_diukur", "pendek", "sangat_pendek", "stunting", "prevalensi", "n_implausible",
                "n_disagree_with_export"):
        out[col] = counts[col].to_numpy()
    return out, has_zs, disagree


def _with_labels(panel: pd.DataFrame, vil: _Villages, posyandu: pd.Index | None) -> pd.DataFrame:
    """Replace the integer keys of a panel by village (and posyandu) names and the year."""
    labels = vil.labels.iloc[panel["v"].to_numpy()].reset_index(drop=True)
    front = labels.copy()
    if posyandu is not None:
        pos = panel["pos"].to_numpy()
        front["posyandu"] = pd.array(np.where(pos >= 0, np.asarray(posyandu, dtype=object)[np.maximum(pos, 0)]
                                              if len(posyandu) else None, None), dtype="string")
    if "y" in panel:
        front["tahun"] = pd.array(np.where(panel["y"] >= 0, panel["y"], None), dtype="Int64")
    rest = panel.drop(columns=[c for c in ("v", "pos", "y") if c in panel])
    out = pd.concat([front, rest.reset_index(drop=True)], axis=1)
    keys = [c for c in ("nama_kec", "nama_desa", "posyandu", "tahun") if c in out]
    return out.sort_values(keys, na_position="last", kind="stable").reset_index(drop=True)


def _with_quality(table: pd.DataFrame, desa: pd.DataFrame, periode: str) -> pd.DataFrame:
    """The village table with ``sd_haz`` and ``mutu_pengukuran`` of its village-year and
    ``periode``, sorted by names and period."""
    table_year = table["tahun"].to_numpy() if "tahun" in table else np.zeros(len(table), dtype=np.int64)
    joined = pd.DataFrame({"v": table["v"], "y": table_year}).merge(
        desa[["v", "y", "sd_haz", "mutu_pengukuran"]], on=["v", "y"], how="left")
    table["sd_haz"] = joined["sd_haz"].to_numpy()
    table["mutu_pengukuran"] = joined["mutu_pengukuran"].fillna("").to_numpy()
    table["periode"] = periode
    sort_cols = [c for c in ("nama_kec", "nama_desa", "tahun", "bulan") if c in table]
    return (table.sort_values(sort_cols, na_position="last", kind="stable").drop(columns="v")
            .reset_index(drop=True))


def _row_issues(z: pd.DataFrame, records: EppgbmRecords, implausible: np.ndarray,
                unmatched: np.ndarray) -> list[pd.DataFrame]:
    """Issues found after reading: implausible z-scores and (when dropped) unmatched villages."""
    out = []
    rows = z["_row"].to_numpy()
    if implausible.any():
        heights = np.full(len(z), None, dtype=object)
        text = pd.Series(z["tinggi"].to_numpy()[implausible]).map("{:.1f}".format).str.replace(".", ",")
        heights[implausible] = text.to_numpy(dtype=object)
        out.append(issues_where(implausible, file=records.file, rows=rows, reason="haz_implausible",
                                column=records.columns["tinggi"], values=heights))
    if unmatched.any():
        out.append(issues_where(unmatched, file=records.file, rows=rows, reason="name_unmatched",
                                column=records.columns["nama_desa"], values=z["nama_desa"]))
    return out


def aggregate(
    records: EppgbmRecords,
    *,
    period: Period = "year",
    match: NameMatch | None = None,
    drop_unmatched: bool = False,
    lang: str = "id",
) -> EppgbmResult:
    """Per-village stunting counts, the quality log and the measurement-quality panel.

    Steps: z-scores (:func:`compute_haz`); records with a reason (read problems,
    ``|HAZ| > 6``) are left out; among the rest, one measurement per child per period is
    kept — the latest (ties: the later spreadsheet row); the earlier ones are
    ``superseded``.  Then per village and period: children measured, pendek, sangat
    pendek, prevalence, implausible records, disagreements with the export's ZS TB/U
    (``|diff| > 0.1``, kept records only), and the village-year's ``sd_haz`` and
    ``mutu_pengukuran``.

    The panel (``mutu_desa`` per village-year, ``mutu_posyandu`` per posyandu-year; per
    village / posyandu only with ``period="all"``; ``tahun`` empty for records without a
    readable measurement date) has: ``n_dibaca`` (records read), ``n_dipakai`` (used),
    ``n_diganti`` (superseded), ``n_dikeluarkan`` (excluded) and ``n_<reason>`` for each
    of :data:`geo.io.eppgbm.ROW_REASONS`, ``n_haz`` (z-scores computed), ``sd_haz`` (SD of the used
    HAZ), ``n_tinggi_0`` / ``n_tinggi_5`` (used heights ending in .0 / .5),
    ``n_umur_6_59`` / ``n_umur_bulat`` (used ages 6–59 completed months / of those at a
    multiple of 6 months), the shares ``pct_*`` in %, and the flag of
    :func:`geo.io.eppgbm_quality.measurement_flags`.  Its ``n_dipakai`` counts used measurements of the
    period, so with ``period="month"`` a child measured in three months counts three
    times.

    Parameters
    ----------
    records
        From :func:`geo.io.eppgbm.read_eppgbm`.
    period
        ``"year"`` (default: the latest measurement per child per calendar year),
        ``"month"`` (per *bulan timbang*: monthly counts that must not be summed across
        months; labelled so in ``periode``) or ``"all"``.
    match
        Name match (:func:`match_villages`); villages then carry ``kode`` and matched
        villages are grouped by code.  Without it villages are grouped by their names.
    drop_unmatched
        With ``match``: records of villages not on the map are excluded
        (``name_unmatched``) and their villages left out of the tables.
    lang
        Language of the ``periode`` column (the table is written as it is).
    """
    if period not in ("month", "year", "all"):
        raise ValueError(f"period must be month, year or all, got {period!r}")
    z = compute_haz(records)
    n = len(z)
    code = z["alasan"].cat.codes.to_numpy().astype(np.int8)
    vil = _village_keys(z, match)
    unmatched = np.zeros(n, dtype=bool)
    if drop_unmatched and vil.matched is not None:
        unmatched = (code == 0) & ~vil.matched
        code = np.where(unmatched, ALASAN.index("name_unmatched"), code).astype(np.int8)
    implausible = z["implausible"].to_numpy()
    per_key = _period_key(z["tgl_ukur"], period)
    kept = _latest(z, code == 0, per_key)
    superseded = (code == 0) & ~kept

    table, has_zs, disagree = _village_table(z, vil, per_key, period, kept, implausible, drop_unmatched)
    ind = record_indicators(z, code, kept, superseded)
    year = _period_key(z["tgl_ukur"], "all" if period == "all" else "year")
    pos_codes, pos_uniques = pd.factorize(_spaced(z["posyandu"]))
    desa, posy = _panels(ind, vil.codes, year, pos_codes, unmatched if drop_unmatched else None)

    table = _with_quality(table, desa, period_label(period, lang))
    mutu_desa = _with_labels(desa, vil, None)
    mutu_posyandu = _with_labels(posy, vil, pd.Index(pos_uniques))

    quality = _quality_log(records, z, implausible, unmatched, kept, superseded)
    report = _report(records, z, period, code, kept, superseded, has_zs, disagree, match, mutu_desa)
    log.info("e-PPGBM aggregated: %d used, %d superseded, %d excluded, %d villages",
             report.n_used, report.n_superseded, sum(report.n_excluded.values()), len(vil.labels))
    return EppgbmResult(villages=table, report=report, match=match, quality=quality, mutu_desa=mutu_desa,
                        mutu_posyandu=mutu_posyandu)


def _panels(ind: pd.DataFrame, v_codes: np.ndarray, year: np.ndarray, pos_codes: np.ndarray,
            dropped: np.ndarray | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The quality panels per village-year and posyandu-year, without the ``dropped`` records."""
    if dropped is not None and dropped.any():
        scope = ~dropped
        ind, v_codes, year, pos_codes = ind.loc[scope], v_codes[scope], year[scope], pos_codes[scope]
    return (quality_panel(ind, {"v": v_codes, "y": year}),
            quality_panel(ind, {"v": v_codes, "pos": pos_codes, "y": year}))


def _quality_log(records: EppgbmRecords, z: pd.DataFrame, implausible: np.ndarray, unmatched: np.ndarray,
                 kept: np.ndarray, superseded: np.ndarray) -> QualityLog:
    """The row-level log: what reading found, implausible z-scores, unmatched villages."""
    issues = [records.issues, *_row_issues(z, records, implausible, unmatched)]
    quality = QualityLog.of(issues, [FileCount(records.file, "eppgbm", len(z), int(kept.sum()))],
                            [(records.file, "superseded", int(superseded.sum()))])
    return replace(quality, issues=quality.issues.sort_values("row", kind="stable").reset_index(drop=True))


def _report(records: EppgbmRecords, z: pd.DataFrame, period: str, code: np.ndarray, kept: np.ndarray,
            superseded: np.ndarray, has_zs: np.ndarray, disagree: np.ndarray, match: NameMatch | None,
            mutu_desa: pd.DataFrame) -> EppgbmReport:
    counts = np.bincount(code, minlength=len(ALASAN))
    excluded = {r: int(counts[i]) for i, r in enumerate(ALASAN) if i and counts[i]}
    cells = records.issues.loc[records.issues["scope"] == "cell", "reason"].value_counts(sort=False)
    unmatched: list[dict[str, Any]] = []
    if match is not None:
        um = match.pairs.loc[match.pairs["kode"].isna() & match.pairs["desa"].notna()]
        unmatched = [{"kecamatan": None if pd.isna(r.kecamatan) else str(r.kecamatan), "desa": str(r.desa),
                      "n_records": int(r.n_rows), "status": str(r.status), "reason": str(r.reason)}
                     for r in um.itertuples(index=False)]
    diffs = (z["haz"].to_numpy() - z["zs_export"].to_numpy())[has_zs]
    mutu = mutu_desa["mutu_pengukuran"]
    bad = mutu_desa.loc[mutu == "perlu_dicek"]
    flagged = (bad["nama_desa"].fillna("?").astype(str) + " (" + bad["nama_kec"].fillna("?").astype(str)
               + (", " + bad["tahun"].astype("string").fillna("?") if "tahun" in bad else "") + ")")
    return EppgbmReport(
        file=records.file,
        period=period,
        identity=records.identity,
        n_read=len(z),
        n_empty=dict(records.empty),
        n_age_out_of_range=excluded.get("age_over_60m", 0),
        n_implausible=excluded.get("haz_implausible", 0),
        n_duplicates_removed=int(superseded.sum()),
        n_used=int(kept.sum()),
        n_with_export_z=int(has_zs.sum()),
        n_disagree=int(disagree.sum()),
        mean_difference=round(float(diffs.mean()), 4) if len(diffs) else None,
        unmatched_villages=unmatched,
        match_counts=match.counts() if match is not None else None,
        columns=dict(records.columns),
        warnings=list(records.warnings) + ([] if match is None else match.notes),
        n_excluded=excluded,
        n_cells={str(k): int(v) for k, v in cells.items()},
        quality={k: int((mutu == k).sum()) for k in ("perlu_dicek", "baik", "")},
        flagged=flagged.tolist(),
    )
