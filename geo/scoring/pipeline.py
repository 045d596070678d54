"""Aksi 1 scoring pipeline: from a dataset and a visible configuration to a defended lokus list.

One call, :func:`run_scoring`, does every step and keeps every number:

1. **Values for the year scored** (``config.year``, always explicit). Rate indicators
   (``kind == "rate"``) are ``100 · k / n`` with a 95 % Wilson interval; with
   ``smoothing="global"`` (the default, "Empirical Bayes ke rerata kabupaten") they
   are empirical-Bayes smoothed toward **their own kabupaten's** rate (kabupaten =
   the first two segments ``PP.KK`` of the Kemendagri code, so a dataset with
   several kabupaten never pulls one toward another), with ``"kecamatan"`` toward
   the kecamatan rate (a kecamatan without any child measured borrows its
   kabupaten's estimate). The estimator is Marshall's (1991) method of moments,
   :func:`geo.core.rates.eb_smooth`: per group g, :math:`B_g = \\sum k/\\sum n`,
   :math:`s_g^2 = \\sum n_i(r_i - B_g)^2/\\sum n_i`, :math:`A_g = \\max(s_g^2 - B_g/\bar n_g, 0)`,
   :math:`w_i = A_g/(A_g + B_g/n_i)`, :math:`\theta_i = w_i r_i + (1-w_i)B_g`.
   Kabupaten is the default because a kecamatan has only ~10 villages, so its own
   prior is itself noisy, and shrinking toward the kecamatan mean would hide a
   kecamatan-wide problem that planners need to see. Villages with fewer than
   ``min_n`` in the denominator are flagged. A ``__delta`` of a rate is the
   difference of the two smoothed rates (raw when smoothing is off). Indicators
   given only as a percentage (``kind == "percent"``, e.g. ``prevalensi_dilaporkan``)
   are scored as given, unsmoothed, and a warning says so.

   **Comparable years** (:func:`geo.core.indicators.definition_gaps_by_year`): when a
   summed field such as ``anak_diukur = merah + kuning + hijau`` lacks a component
   in the scored year (the column is empty in every row of that year, e.g. *kuning*
   in the Jabar screening data 2021), the rate is still shown (planners need it)
   with a warning naming the year and the missing field: it is not comparable with
   years that had the field. A ``__delta`` across two years whose definitions
   differ is **withheld** (dropped from the criteria, weights renormalised; a
   warning names both years and the field); :func:`geo.scoring.presets.preset_config` skips it.
2. **Missing values. Outcome data is never imputed.** Outcome criteria are the
   catalogue's ``hasil`` indicators (:attr:`geo.core.indicators.Indicator.is_outcome`,
   their ``__delta`` and the hotspot criterion derived from them); an outcome count
   whose rate has a zero denominator (``merah = 0`` of ``anak_diukur = 0``) is no
   observation and counts as missing. A village with
   no value for any outcome criterion chosen (it measured no child that year) is
   **not ranked**: NaN score, ranked after every scored village (by code), flag
   ``tanpa data hasil <tahun>``, never recommended unless forced in with a reason.
   The missing policy (:func:`geo.scoring.mcda.impute`) applies to coverage criteria only:
   ``exclude`` leaves the indicator out of that village's score (weights
   renormalised over what it has); ``kecamatan_median``; ``worst``. A missing
   outcome cell of a ranked village is always excluded that way. Every filled or
   excluded cell is named in ``flags``. **TOPSIS cannot take gaps**: missing
   coverage cells are filled (the kecamatan median with ``exclude``, said in
   ``warnings``), and villages missing any outcome criterion are left out of the
   ranking. Villages with no value for any chosen indicator (e.g. kelurahan
   without a row) get the flag ``tanpa data``.
   **Data-quality flags** (never change the score): ``n kecil``; a low outcome rate
   with measurement coverage (``cakupan_pengukuran`` = anak diukur ÷ balita) below
   :data:`LOW_MEASUREMENT` % ("angka rendah karena sedikit yang diukur"); the
   per village-year column ``mutu_pengukuran == "perlu_dicek"`` of ``dataset.measures``.
3. **Score** (:func:`geo.scoring.mcda.score`): SAW, weighted geometric mean or TOPSIS on the
   direction-aware normalised matrix; directions come from the catalogue only.
4. **Rank** (1 = highest priority; ties by code), rank within the kecamatan,
   priority class (quartiles of the scores).
5. **Selection** (:func:`geo.scoring.selection.select_top`): top N with at most K per
   kecamatan, optionally at least one per kecamatan, forced in/out with reasons.
6. **Stability** (:func:`geo.scoring.stability.rank_stability`): P(in the selection) over
   ``draws`` Monte Carlo draws of the weights (Dirichlet, ``weight_cv``) and of the
   counts of every rate indicator (binomial, re-smoothed per draw). ``__delta`` and
   the hotspot criterion are held fixed.
7. **Presets** (:func:`geo.scoring.presets.preset_usage`): a result of a preset names the preset
   indicators the dataset could not give for the year (by id) and the effective,
   renormalised weights, as a warning (UI, ``lokus score``, methodology sheet); with
   fewer than two of its indicators left the warning says so loudly.
8. **Hotspots** (:func:`geo.scoring.hotspots.local_moran`): Local Moran's I of the smoothed
   outcome rate (the first higher-worse rate among the chosen indicators, else the
   dataset's prevalence or screening rate; EB global when smoothing is off), 999
   permutations, α = 0.05 or FDR; the ``lisa`` column holds the cluster label of every
   village. With ``hotspot_criterion`` the membership of a significant High-High
   cluster (1/0) is an extra criterion :data:`HOTSPOT_ID`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from geo.core.errors import InputError
from geo.core.i18n import catalogue, t
from geo.core.indicators import Indicator, base_id, definition_gaps_by_year, is_delta
from geo.core.messages import Message, Num
from geo.core.rates import small_n_flag, wilson_interval
from geo.data.model import Dataset
from geo.scoring.ahp import CR_LIMIT
from geo.scoring.config import HOTSPOT_ID, ScoringConfig
from geo.scoring.explain import explain
from geo.scoring.hotspots import CLUSTER_LABELS, local_moran
from geo.scoring.mcda import Criterion, impute, priority_class, rank, score, weights_normalise
from geo.scoring.presets import PresetUsage, preset_usage
from geo.scoring.quality import quality_flags
from geo.scoring.result import ScoringResult
from geo.scoring.selection import Selection, select_top
from geo.scoring.stability import RateSpec, StabilityResult, rank_stability
from geo.scoring.state import Matrix, Run, Values
from geo.scoring.values import (
    check_year,
    nobody_counted,
    outcome_rate,
    prior_groups,
    rate_parts,
    smooth,
    table_of,
    withheld_delta,
)

__all__ = ["HOTSPOT_LABEL", "run_scoring"]

HOTSPOT_LABEL = t("scoring.hotspot_label")


def _note(text: str) -> Message:
    """A config note as a message: an engine catalogue key as it is, free text as text."""
    if text.startswith("scoring.engine.") and text in catalogue("id"):
        return Message(text)
    return Message.of("scoring.engine.note", text=text)


def _weight_shares(weights: Mapping[str, float]) -> list[Message]:
    return [Message.of("scoring.engine.weight", id=k, share=Num(100 * float(v), 0))
            for k, v in weights.items()]


# --------------------------------------------------------------------------- steps
def _check_inputs(run: Run) -> None:
    check_year(run.dataset, run.year)
    for forced, key in ((run.cfg.force_in, "scoring.error.forced_in_unknown"),
                        (run.cfg.force_out, "scoring.error.forced_out_unknown")):
        unknown = sorted(set(forced) - set(run.dataset.codes))
        if unknown:
            raise InputError.of(key, rows=unknown)


def _indicators(run: Run) -> tuple[dict[str, Indicator], dict[str, tuple[int, tuple[str, ...]]]]:
    """The indicators scored, and the ``__delta`` criteria withheld (definition changed)."""
    dataset, year = run.dataset, run.year
    inds: dict[str, Indicator] = {}
    withheld: dict[str, tuple[int, tuple[str, ...]]] = {}
    for iid in run.cfg.indicators:
        ind = dataset.indicator(iid, year)
        if ind.direction == "context":
            raise InputError.of("scoring.error.context", id=iid)
        if year not in dataset.indicator_years(iid):
            raise InputError.of("scoring.error.indicator_year", id=iid, year=str(year))
        gap = withheld_delta(dataset, iid, year)
        if gap is not None:  # a change of definition is not a change in the village
            withheld[iid] = gap
            run.warn("scoring.engine.delta_withheld", id=iid, year=str(year), prev=str(gap[0]),
                     fields=list(gap[1]))
            continue
        inds[iid] = ind
    if not inds:
        raise InputError.of("scoring.error.all_withheld", year=str(year))
    return inds, withheld


def _preset_notes(run: Run, inds: Mapping[str, Indicator], withheld: Mapping[str, object],
                  weights: dict[str, float]) -> PresetUsage | None:
    cfg, year = run.cfg, run.year
    if cfg.preset is None:
        return None
    usage = preset_usage(run.dataset, cfg.preset, year, chosen=list(inds), weights=weights)
    if not usage.used:
        return usage
    preset = Message(f"scoring.preset.{cfg.preset}")
    for i, prev, fields_ in usage.withheld:
        if i not in withheld:
            run.warn("scoring.engine.delta_withheld", id=i, year=str(year), prev=str(prev),
                     fields=list(fields_))
    if usage.missing:
        run.warn("scoring.engine.preset_missing", preset=preset, n=len(usage.missing), total=usage.total,
                 year=str(year), ids=[" / ".join(e) for e in usage.missing], weights=_weight_shares(weights))
    if len(usage.used) < 2:
        run.warn("scoring.engine.preset_few", preset=preset, n=len(usage.used), total=usage.total,
                 ids=list(usage.used))
    return usage


def _definition_notes(run: Run, inds: Mapping[str, Indicator]) -> None:
    for iid, ind in inds.items():
        if is_delta(iid):
            continue
        gaps = definition_gaps_by_year(ind, table_of(run.dataset, ind))
        if run.year in gaps:
            others = [str(y) for y in run.dataset.indicator_years(iid) if y not in gaps]
            run.warn("scoring.engine.definition_year", id=iid, year=str(run.year),
                     fields=list(gaps[run.year]), years=others)
        if ind.kind == "percent":
            run.warn("scoring.engine.unsmoothed", id=iid)


def _rate_values(run: Run, iid: str, prior: tuple, values: Values) -> None:
    cfg, codes = run.cfg, run.codes
    k, n, valid = rate_parts(run.dataset, iid, run.year)
    k0, n0 = np.where(valid, k, 0.0), np.where(valid, n, 0.0)
    lo, hi = wilson_interval(k0, n0)
    raw = np.where(valid, 100.0 * k0 / np.where(valid, n0, 1.0), np.nan)
    values.used[iid] = raw if cfg.smoothing == "none" else smooth(k, n, valid, prior)
    values.extra.update({f"{iid}__mentah": raw, f"{iid}__k": k, f"{iid}__n": n,
                         f"{iid}__ci_bawah": 100.0 * lo, f"{iid}__ci_atas": 100.0 * hi})
    small = valid & small_n_flag(n0, cfg.min_n)
    values.n_small = small if values.n_small is None else values.n_small | small
    run.flag(small, lambda i: Message.of("scoring.engine.small_n", id=iid, n=int(n0[i]), min_n=cfg.min_n))
    run.flag(~np.isnan(k) & ~np.isnan(n) & (k > n), Message.of("scoring.engine.bad_rate", id=iid))
    groups = [None if g is None else pd.Series(g, index=codes) for g in prior]
    values.rates[iid] = RateSpec(pd.Series(k0, index=codes), pd.Series(n0, index=codes),
                                 smooth=cfg.smoothing, groups=groups[0],  # type: ignore[arg-type]
                                 parents=groups[1])


def _values(run: Run, inds: Mapping[str, Indicator], prior: tuple) -> Values:
    """Step 1: the value of every criterion for every village (see the module docstring)."""
    dataset, year, values = run.dataset, run.year, Values()
    for iid, ind in inds.items():
        if ind.kind == "rate":
            _rate_values(run, iid, prior, values)
        elif ind.kind == "delta" and dataset.indicator(base_id(iid)).kind == "rate":
            pair, raw_pair = [], []
            for y in (year, int(ind.previous_year)):  # type: ignore[arg-type]
                k, n, valid = rate_parts(dataset, base_id(iid), y)
                raw_pair.append(np.where(valid, 100.0 * k / np.where(valid, n, 1.0), np.nan))
                pair.append(raw_pair[-1] if run.cfg.smoothing == "none" else smooth(k, n, valid, prior))
            values.used[iid] = pair[0] - pair[1]
            values.extra[f"{iid}__mentah"] = raw_pair[0] - raw_pair[1]
        else:
            values.used[iid] = dataset.values(iid, year).value
            nobody = nobody_counted(dataset, ind, year)
            if nobody is not None and nobody.any():
                # 0 stunted of 0 measured is not an observation: no outcome data, never a 0
                values.used[iid] = np.where(nobody, np.nan, values.used[iid])
                run.flag(nobody, Message.of("scoring.engine.nobody_counted", id=iid))
    return values


def _hotspots(run: Run, values: Values, wanted: bool) -> tuple[str | None, np.ndarray]:
    """Step 8: Local Moran's I of the outcome rate; the ``lisa`` label of every village."""
    cfg = run.cfg
    lisa = np.full(run.m, "", dtype=object)
    if not (wanted or cfg.hotspot_criterion):
        return None, lisa
    hotspot_id = outcome_rate(run.dataset, cfg.indicators, run.year)
    if hotspot_id is None:
        if cfg.hotspot_criterion:
            raise InputError.of("scoring.error.hotspot_needs_rate")
        run.warn("scoring.engine.no_hotspot")
        return None, lisa
    k, n, valid = rate_parts(run.dataset, hotspot_id, run.year)
    how = "kecamatan" if cfg.smoothing == "kecamatan" else "global"
    y = smooth(k, n, valid, prior_groups(run.codes, run.kec, how))
    hs = local_moran(y, run.dataset.villages.geometry, permutations=999, seed=cfg.seed, fdr=cfg.hotspot_fdr)
    lisa = hs.cluster.to_numpy().astype(object)
    if cfg.hotspot_criterion:
        values.used[HOTSPOT_ID] = np.where(np.isnan(y), np.nan, (lisa == CLUSTER_LABELS["HH"]).astype(float))
    return hotspot_id, lisa


def _criteria(inds: Mapping[str, Indicator], weights: Mapping[str, float]) -> tuple[Criterion, ...]:
    return tuple(
        Criterion(id=cid, direction=inds[cid].direction if cid in inds else "higher_worse",  # type: ignore[arg-type]
                  weight=weights[cid], label=inds[cid].label_id if cid in inds else HOTSPOT_LABEL,
                  unit=inds[cid].unit if cid in inds else "")
        for cid in weights)


def _ranked_villages(run: Run, X: pd.DataFrame, inds: Mapping[str, Indicator],
                     outcome_cols: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Step 2: ``(has any value, has no outcome, ranked, left out by TOPSIS)`` per village."""
    has = X[list(inds)].notna().any(axis=1).to_numpy()
    has_outcome = X[outcome_cols].notna().any(axis=1).to_numpy() if outcome_cols else has
    if not has.any():
        raise InputError.of("scoring.error.no_data", year=str(run.year))
    if not outcome_cols:
        run.warn("scoring.engine.no_outcome_chosen")
    run.flag(~has, Message.of("scoring.engine.no_data"))
    no_outcome = has & ~has_outcome
    run.flag(no_outcome, Message.of("scoring.engine.no_outcome", year=str(run.year)))
    ranked = has & has_outcome
    topsis_gap = np.zeros(run.m, bool)
    if run.cfg.method == "topsis" and outcome_cols:
        topsis_gap = ranked & ~X[outcome_cols].notna().all(axis=1).to_numpy()
        for cid in outcome_cols:
            run.flag(topsis_gap & X[cid].isna().to_numpy(),
                     Message.of("scoring.engine.topsis_outcome", id=cid))
        ranked &= ~topsis_gap
    if not ranked.any():
        raise InputError.of("scoring.error.no_outcome", year=str(run.year))
    return has, no_outcome, ranked, topsis_gap


def _matrix(run: Run, values: Values, inds: Mapping[str, Indicator],
            criteria: tuple[Criterion, ...]) -> Matrix:
    """Step 2: who is ranked, and the missing policy on coverage criteria (never on outcomes)."""
    ids = [c.id for c in criteria]
    directions = {c.id: c.direction for c in criteria}
    X = pd.DataFrame({cid: values.used[cid] for cid in ids}, index=run.codes)
    # outcome criteria are never filled in: the hotspot criterion is derived from the outcome rate
    outcome_cols = [c for c in ids if c == HOTSPOT_ID or inds[c].is_outcome]
    coverage_cols = [c for c in ids if c not in outcome_cols]
    has, no_outcome, ranked, topsis_gap = _ranked_villages(run, X, inds, outcome_cols)
    policy = run.cfg.missing
    Xr = X[ranked]
    if run.cfg.method == "topsis" and policy == "exclude" and Xr[coverage_cols].isna().any().any():
        policy = "kecamatan_median"
        run.warn("scoring.engine.topsis_fill")
    filled = Xr.copy()
    if coverage_cols:
        filled[coverage_cols], _ = impute(Xr[coverage_cols], policy,  # type: ignore[arg-type]
                                          directions={c: directions[c] for c in coverage_cols},
                                          groups=pd.Series(run.kec, index=run.codes)[ranked])
    missing = Xr.isna()
    for cid in ids:
        miss = np.zeros(run.m, bool)
        miss[ranked] = missing[cid].to_numpy()
        key = (f"scoring.engine.missing.{policy}" if cid in coverage_cols or policy == "exclude"
               else "scoring.engine.missing.outcome")
        run.flag(miss, Message.of(key, id=cid))
    outcome_gaps = int(missing[outcome_cols].to_numpy().sum()) if outcome_cols else 0
    if policy != "exclude" and outcome_gaps:
        run.warn("scoring.engine.outcome_not_filled", n=outcome_gaps)
    return Matrix(X=X, filled=filled, has=has, no_outcome=no_outcome, ranked=ranked, topsis_gap=topsis_gap,
                   outcome_cols=outcome_cols)


def _score_table(run: Run, values: Values, mat: Matrix, criteria: tuple[Criterion, ...]) -> pd.DataFrame:
    """Steps 3–4: score, rank, rank within the kecamatan, priority class; one row per village."""
    cfg, codes = run.cfg, run.codes
    villages = run.dataset.villages
    table = pd.DataFrame({"kode": codes.to_numpy(), "nama": villages["nama"].to_numpy(),
                          "nama_kec": villages["nama_kec"].to_numpy(), "kode_kec": run.kec,
                          "tahun": run.year})
    res = score(mat.filled, list(criteria), method=cfg.method, normalisation=cfg.normalisation)  # type: ignore[arg-type]
    skor = res.score.reindex(codes)
    ranks = rank(skor)
    contrib = res.contributions.reindex(codes)
    expl = explain(contrib, ranks, pd.Series(run.kec, index=codes))
    norm = res.normalised.reindex(codes)
    used_final = mat.X.copy()
    used_final.loc[mat.ranked] = mat.filled  # villages not ranked keep the values they have
    for c in criteria:
        table[c.id] = used_final[c.id].to_numpy()
        for suffix in ("__mentah", "__k", "__n", "__ci_bawah", "__ci_atas"):
            if f"{c.id}{suffix}" in values.extra:
                table[f"{c.id}{suffix}"] = values.extra[f"{c.id}{suffix}"]
        table[f"{c.id}__norm"] = norm[c.id].to_numpy()
        table[f"{c.id}__kontribusi"] = contrib[c.id].to_numpy()
    table["skor"] = skor.to_numpy()
    table["peringkat"] = ranks.to_numpy()
    table["peringkat_kec"] = expl.table["peringkat_kecamatan"].to_numpy()
    table["n_kec"] = expl.table["jumlah_kecamatan"].to_numpy()
    table["kelas"] = priority_class(skor).astype(str).to_numpy()
    mat.scored = used_final
    return table


def _select(run: Run, table: pd.DataFrame, mat: Matrix) -> tuple[Selection, np.ndarray, dict[str, str]]:
    """Step 5: selection among ranked villages (+ forced-in ones); ``rekomendasi`` and ``alasan``."""
    cfg, codes = run.cfg, run.codes
    eligible = mat.ranked | codes.isin(list(cfg.force_in))
    frame = pd.DataFrame({"code": codes[eligible], "kecamatan": run.kec[eligible],
                          "rank": table["peringkat"].to_numpy()[eligible]})
    force_out = {c: r for c, r in cfg.force_out.items() if c in set(frame["code"])}
    sel = select_top(frame, cfg.top_n, max_per_kecamatan=cfg.max_per_kecamatan,
                     min_one_per_kecamatan=cfg.min_one_per_kecamatan, force_in=cfg.force_in,
                     force_out=force_out)
    run.warnings += sel.warnings
    chosen = codes.isin(list(sel.chosen))
    alasan = np.full(run.m, None, dtype=object)
    for mask, reason in ((~mat.has, Message.of("scoring.engine.no_data")),
                         (mat.no_outcome, Message.of("scoring.engine.no_outcome", year=str(run.year))),
                         (mat.topsis_gap, Message.of("scoring.engine.topsis_not_ranked")),
                         (codes.isin(list(sel.skipped_by_quota)), Message.of("scoring.engine.quota_full"))):
        alasan[mask] = [reason] * int(mask.sum())
    position = {code: i for i, code in enumerate(codes)}
    for code, why in cfg.force_out.items():
        alasan[position[code]] = Message.of("scoring.engine.forced_out", reason=why)
    for code in sel.chosen:
        alasan[position[code]] = sel.reasons[code]
    table["rekomendasi"] = np.where(chosen, "ya", "tidak")
    table["alasan"] = alasan
    return sel, eligible, force_out


def _stability(run: Run, values: Values, mat: Matrix, criteria: tuple[Criterion, ...],
               eligible: np.ndarray, force_out: Mapping[str, str]) -> StabilityResult:
    """Step 6: P(in the selection) under perturbed weights and counts."""
    cfg, codes = run.cfg, run.codes
    Xs = mat.scored.reindex(codes[eligible])  # type: ignore[union-attr]
    if cfg.method == "topsis":
        # only forced-in villages can still have gaps here: they are chosen in every draw
        # whatever their values; the medians just keep TOPSIS's vector norm defined
        Xs = Xs.fillna(mat.filled.median())
    return rank_stability(
        Xs, list(criteria), pd.Series(run.kec, index=codes)[eligible], cfg.top_n, method=cfg.method,  # type: ignore[arg-type]
        normalisation=cfg.normalisation, rates=values.rates,  # type: ignore[arg-type]
        max_per_kecamatan=cfg.max_per_kecamatan, min_one_per_kecamatan=cfg.min_one_per_kecamatan,
        force_in=list(cfg.force_in), force_out=list(force_out), weight_cv=cfg.weight_cv,
        draws=cfg.draws, seed=cfg.seed,
    )


def _summary_warnings(run: Run, mat: Matrix, values: Values, inds: Mapping[str, Indicator]) -> bool:
    """The closing warnings; True when a chosen coverage indicator is synthetic."""
    cfg, year = run.cfg, str(run.year)
    if (~mat.has).any():
        run.warn("scoring.engine.villages_no_data", n=int((~mat.has).sum()), year=year)
    if mat.no_outcome.any():
        run.warn("scoring.engine.villages_no_outcome", n=int(mat.no_outcome.sum()), year=year,
                 ids=mat.outcome_cols)
    if mat.topsis_gap.any():
        run.warn("scoring.engine.topsis_left_out", n=int(mat.topsis_gap.sum()), ids=mat.outcome_cols)
    if cfg.smoothing == "none" and values.n_small is not None and values.n_small.any():
        run.warn("scoring.engine.small_n_raw", n=int(values.n_small.sum()), min_n=cfg.min_n)
    if cfg.ahp_cr is not None and cfg.ahp_cr > CR_LIMIT:
        run.warn("scoring.engine.ahp_inconsistent", cr=Num(round(float(cfg.ahp_cr), 3), 3, trim=True),
                 limit=Num(float(CR_LIMIT), 3, trim=True))
    synthetic = run.dataset.coverage_synthetic and any(
        inds[i].kind == "coverage" or (is_delta(i) and run.dataset.indicator(base_id(i)).kind == "coverage")
        for i in inds)
    if synthetic:
        run.warn("scoring.engine.synthetic")
    return bool(synthetic)


# --------------------------------------------------------------------------- pipeline
def run_scoring(
    dataset: Dataset, config: ScoringConfig, *, stability: bool = True, hotspots: bool = True
) -> ScoringResult:
    """Score, rank and select lokus villages; see the module docstring for every step.

    Raises
    ------
    InputError
        Unknown or context indicator, an indicator without data in ``config.year``,
        every criterion withheld, no village with outcome data, unknown forced codes,
        invalid selection rules.
    """
    run = Run(dataset, config)
    _check_inputs(run)
    run.warnings += [_note(n) for n in config.notes]
    inds, withheld = _indicators(run)
    weights = {k: v for k, v in config.weights.items() if k not in withheld}
    if withheld:
        weights = weights_normalise(weights)
    usage = _preset_notes(run, inds, withheld, weights)
    _definition_notes(run, inds)
    values = _values(run, inds, prior_groups(run.codes, run.kec, config.smoothing))
    hotspot_id, lisa = _hotspots(run, values, hotspots)
    criteria = _criteria(inds, weights)
    mat = _matrix(run, values, inds, criteria)
    table = _score_table(run, values, mat, criteria)
    sel, eligible, force_out = _select(run, table, mat)
    st = _stability(run, values, mat, criteria, eligible, force_out) if stability else None
    quality_flags(run, run.codes.isin(list(sel.chosen)))
    codes = run.codes
    table["p_top_n"] = (np.full(run.m, np.nan) if st is None
                        else st.table["p_top_n"].reindex(codes).fillna(0.0).to_numpy())
    table["stabilitas"] = (np.full(run.m, "", dtype=object) if st is None
                           else st.table["label"].reindex(codes).fillna("jarang").to_numpy().astype(object))
    table["lisa"] = lisa
    table["flags"] = [tuple(f) for f in run.flags]
    synthetic = _summary_warnings(run, mat, values, inds)
    return ScoringResult(config=config, table=table, selection=sel, warnings=tuple(run.warnings),
                         criteria=criteria, indicators=inds, stability=st, hotspot_indicator=hotspot_id,
                         synthetic=synthetic, preset=usage, withheld=withheld)
