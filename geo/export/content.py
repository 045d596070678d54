"""Rows shared by the XLSX and PDF exports: methodology, data quality, the Aksi 2 matrix.

Each function returns plain tuples in the export language (``lang``, Bahasa Indonesia by
default; every word from the ``export.*`` catalogue) so both writers show the same
words; numbers stay numbers (the writers format them). Text that comes from the data
or the engine (data caveats, warnings, join summaries, village flags) is passed on as it is.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from geo.core.i18n import t
from geo.core.indicators import base_id, catalogue, is_delta
from geo.core.quality import QualityLog
from geo.export.common import (
    ExportContext,
    compact_number,
    criterion_label,
    criterion_source,
    direction_text,
    software_version,
    term,
)
from geo.scoring.ahp import CR_LIMIT
from geo.scoring.pipeline import ScoringResult, methodology

__all__ = ["aksi2_matrix", "method_text", "methodology_rows", "quality_rows"]

Row = tuple[str, str, Any, str]


def method_text(kind: str, value: str, lang: str = "id") -> str:
    """Catalogue text of a config choice (``kind`` = method, norm, smoothing or missing)."""
    key = f"export.{kind}.{value}"
    try:
        return t(key, lang)
    except KeyError:
        return value


def _names(ctx: ExportContext) -> dict[str, str]:
    table = ctx.result.table
    labels = table["nama"].astype(str) + " (" + table["nama_kec"].astype(str) + ")"
    return dict(zip(table["kode"].astype(str), labels, strict=True))


def methodology_rows(ctx: ExportContext, lang: str = "id") -> list[Row]:
    """``(bagian, butir, nilai, keterangan)`` rows describing how the list was made.

    Sections: Umum (region, years, scenario, author, date, software version, the
    SINTETIS notice first when relevant), Kriteria (label, weight, id/direction/source;
    criteria withheld because two years are defined differently), Metode (with the
    empirical-Bayes formula and the rule that outcome data is never filled in), Preset
    (the preset's indicators the data could not give, by label and id, and the effective
    weights), Pemilihan (N, quotas, forced in/out with reasons), Sumber data (files,
    attribution, years), Definisi indikator (how a criterion is defined, e.g. the
    screening ratio's denominator), Catatan data, Peringatan (in ``lang``), Konfigurasi
    (the config JSON); all in ``lang``.
    """
    res, ds, cfg = ctx.result, ctx.dataset, ctx.result.config
    meta = methodology(res, ds)
    names = _names(ctx)

    def sec(key: str) -> str:
        return t(f"export.section.{key}", lang)

    def item(key: str, **values: Any) -> str:
        return t(f"export.meth.{key}", lang, **values)

    def meth(key: str, **values: Any) -> str:
        return t(f"scoring.meth.{key}", lang, **values)

    general, method, select, sources = sec("general"), sec("method"), sec("selection"), sec("sources")
    rows: list[Row] = []
    if ctx.synthetic:
        rows.append((sec("attention"), t("export.synthetic.alert", lang), t("export.synthetic.flag", lang),
                     item("synthetic_note", note=t("export.synthetic.note", lang))))
    rows += [
        (general, item("region"), ctx.kabupaten, ""),
        (general, item("lokus_year"), ctx.lokus_year, ""),
        (general, item("data_year"), cfg.year, ""),
        (general, item("scenario"), ctx.name or item("default_scenario"), ""),
        (general, item("author"), ctx.author or item("not_given"), ""),
        (general, item("export_date"), ctx.created_at.strftime("%Y-%m-%d %H:%M %Z").strip(), ""),
        (general, item("count"), len(ctx.lokus), ""),
        (general, item("software"), f"Lokus {software_version(lang)}", item("software_note")),
    ]
    if ctx.notes:
        rows.append((general, item("notes"), ctx.notes, ""))
    for c in res.criteria:
        rows.append((sec("criteria"), criterion_label(ctx, c, lang), float(c.weight),
                     item("criterion_note", id=c.id, direction=direction_text(c.direction, lang),
                          source=criterion_source(ctx, c, lang))))
    for iid, (prev, missing) in res.withheld.items():
        rows.append((sec("criteria"), iid, meth("withheld"),
                     meth("withheld_note", prev=prev, year=cfg.year, fields=", ".join(missing))))
    rows += [
        (method, item("method"), method_text("method", cfg.method, lang), ""),
        (method, item("normalisation"), method_text("norm", cfg.normalisation, lang), ""),
        (method, item("smoothing"), method_text("smoothing", cfg.smoothing, lang),
         item("smoothing_note", min_n=cfg.min_n)),
    ]
    if cfg.smoothing != "none":
        rows.append((method, meth("eb_formula"), meth("eb_formula_value"), meth(f"eb_note.{cfg.smoothing}")))
    rows += [
        (method, item("missing"), method_text("missing", cfg.missing, lang), ""),
        (method, meth("outcome_rule"), meth("outcome_rule_value"), ""),
        (method, item("stability"),
         item("stability_value", draws=cfg.draws, cv=compact_number(cfg.weight_cv, 2, lang)),
         item("stability_note", seed=cfg.seed)),
        (method, item("hotspot"), meta["hotspot_indikator"] or item("hotspot_none"),
         item("hotspot_criterion") if cfg.hotspot_criterion else item("hotspot_info")),
    ]
    if cfg.ahp_cr is not None:
        rows.append((method, item("ahp"), float(cfg.ahp_cr),
                     item("ahp_note", limit=compact_number(CR_LIMIT, 2, lang))))
    rows += [
        (select, item("top_n"), cfg.top_n, ""),
        (select, item("max_per_kec"),
         cfg.max_per_kecamatan if cfg.max_per_kecamatan is not None else item("no_limit"), ""),
        (select, item("min_one"), term("ya" if cfg.min_one_per_kecamatan else "tidak", lang), ""),
    ]
    rows += _preset_rows(res, lang)
    for code, reason in cfg.force_in.items():
        rows.append((select, item("force_in"), f"{names.get(code, code)} [{code}]", reason))
    for code, reason in cfg.force_out.items():
        rows.append((select, item("force_out"), f"{names.get(code, code)} [{code}]", reason))
    rows += [
        (sources, item("dataset"), meta["dataset"], ""),
        (sources, item("attribution"), meta["atribusi"] or "-", ""),
        (sources, item("boundaries"), meta["batas_wilayah"], ""),
        (sources, item("table"), meta["tabel"],
         item("years_available", years=", ".join(str(y) for y in ds.years))),
    ]
    flag = t("export.synthetic.flag", lang)
    for cov in meta["cakupan"]:
        years = ", ".join(str(y) for y in ds.coverage_years)
        rows.append((sources, item("coverage"), f"{cov['judul'] or cov['berkas']} ({cov['berkas']})",
                     (f"{flag}; " if cov["sintetis"] else "") + (item("coverage_years", years=years)
                                                               if years else "")))
    shown = [c.id for c in res.criteria if c.id in res.indicators]
    if meta["hotspot_indikator"] and meta["hotspot_indikator"] not in shown:
        shown.append(meta["hotspot_indikator"])
    for iid in shown:
        ind = res.indicators.get(iid) or ds.indicator(iid, cfg.year)
        if note := ind.note(lang):
            rows.append((meth("section.definitions"), ind.label(lang), note, iid))
    rows += [(sec("caveats"), "", text, "") for text in meta["catatan_data"]]
    rows += [(sec("warnings"), "", text, "") for text in res.warning_texts(lang)]
    rows.append((sec("config"), "ScoringConfig (JSON)", json.dumps(cfg.to_dict(), ensure_ascii=False),
                 item("config_note")))
    return rows


def _preset_rows(res: ScoringResult, lang: str) -> list[Row]:
    """Preset used, each preset indicator the data could not give (label and id), the
    effective weights, and a loud line when fewer than two preset indicators were left."""
    usage = res.preset
    if usage is None or not usage.used:
        return []

    def meth(key: str, **values: Any) -> str:
        return t(f"scoring.meth.{key}", lang, **values)

    def label(iid: str) -> str:
        ind = res.indicators.get(iid)
        try:
            ind = ind or catalogue()[base_id(iid)]
        except KeyError:
            return iid
        return ind.label(lang) + (" (Δ)" if is_delta(iid) else "")

    section = meth("section.preset")
    held = {i: (p, f) for i, p, f in usage.withheld}
    rows: list[Row] = [(section, meth("preset"), usage.label(lang),
                        meth("preset_note", used=len(usage.used), total=usage.total))]
    for entry in usage.missing:
        held_here = [i for i in entry if i in held]
        note = (meth("preset_withheld_note", prev=held[held_here[0]][0], year=usage.year,
                     fields=", ".join(held[held_here[0]][1])) if held_here
                else meth("preset_missing_note", year=usage.year))
        rows.append((section, meth("preset_missing"),
                     " / ".join(f"{label(i)} [{i}]" for i in entry), note))
    weights = ", ".join(f"{k} {compact_number(100 * v, 1, lang)}%" for k, v in usage.weights.items())
    own = ", ".join(f"{k} {compact_number(100 * v, 1, lang)}%" for k, v in usage.preset_weights.items())
    rows.append((section, meth("preset_weights"), weights, meth("preset_weights_note", weights=own)))
    if len(usage.used) < 2:
        rows.append((section, meth("preset_few"), ", ".join(usage.used), ""))
    return rows


def quality_rows(ctx: ExportContext, lang: str = "id") -> list[tuple[str, str, str, str, str]]:
    """``(bagian, kode, nama, kecamatan, keterangan)``: join report, quality warnings, flags."""
    ds, res = ctx.dataset, ctx.result
    rep = ds.report

    def q(key: str, **values: Any) -> str:
        return t(f"export.quality.{key}", lang, **values)

    out: list[tuple[str, str, str, str, str]] = []
    out += [(q("join"), "", "", "", line) for line in rep.summary_lines(lang)]
    out += [(q("warnings"), "", "", "", line) for line in ds.warnings(lang)]
    for p in rep.polygons_without_data:
        out.append((q("polygon_no_data"), str(p.get("kode", "")), str(p.get("nama", "") or ""),
                    str(p.get("nama_kec", "") or ""), q("polygon_no_data_note")))
    for r in rep.table_unmatched:
        out.append((q("row_no_polygon"), str(r.get("kode", "")), str(r.get("nama_desa", "") or ""),
                    "", q("row", row=r.get("row", ""))))
    for d in rep.duplicates:
        out.append((q("duplicate"), str(d.get("kode", "")), "", "",
                    q("duplicate_note", row=d.get("row", ""), year=d.get("tahun", ""),
                      first=d.get("first_row", ""))))
    groups = {(c.get("kode"), c.get("tahun")): c for c in rep.conflicts}  # one line per group
    for c in groups.values():
        out.append((q("conflict"), str(c.get("kode", "")), str(c.get("nama_desa", "") or ""), "",
                    q("conflict_note", rows=c.get("rows", ""), year=c.get("tahun", ""))))
    for r in rep.invalid_codes:
        out.append((q("invalid_code"), str(r.get("kode_bps_raw", "") or ""),
                    str(r.get("nama_desa", "") or ""), "", q("row", row=r.get("row", ""))))
    for code in rep.boundary_duplicates:
        out.append((q("boundary_duplicate"), str(code), "", "", q("boundary_duplicate_note")))
    for cov_rep, spec in zip(ds.coverage_reports, ds.coverage_sources, strict=False):
        label = spec.title or spec.file.name
        if spec.synthetic:
            out.append((q("coverage"), "", "", "", q("coverage_synthetic", label=label)))
        out += [(q("coverage"), "", "", "", f"{label}: {line}") for line in cov_rep.summary_lines()]
    out += [(q("coverage"), "", "", "", note) for note in ds.coverage_notes]
    out += _excluded_rows(ds.quality_log, lang)
    ranked = res.ranked()
    flagged = ranked[ranked["flags"].astype(str) != ""]
    for _, row in flagged.iterrows():
        out.append((q("flags"), str(row["kode"]), str(row["nama"]), str(row["nama_kec"]),
                    str(row["flags"])))
    return out


#: Excluded rows written into the workbook; the laporan kualitas data download has them all.
MAX_EXCLUDED_ROWS = 5_000


def _excluded_rows(log: QualityLog, lang: str) -> list[tuple[str, str, str, str, str]]:
    """One row per excluded row or cell of the data files (file, row, column, value, reason)."""
    head = t("export.quality.excluded", lang)
    frame = log.to_frame(lang).head(MAX_EXCLUDED_ROWS).astype(object).where(lambda f: f.notna(), "")
    out = [(head, "", "", "", t("export.quality.excluded_note", lang, file=r[0], row=r[1], column=r[2],
                                 value=r[3], reason=r[4], scope=r[5]))
           for r in frame.itertuples(index=False)]
    if len(log) > MAX_EXCLUDED_ROWS:
        out.append((head, "", "", "", t("export.quality.excluded_more", lang, shown=MAX_EXCLUDED_ROWS,
                                         total=len(log))))
    return out


def aksi2_matrix(ctx: ExportContext, lang: str = "id") -> pd.DataFrame | None:
    """Kegiatan × OPD × desa: one row per (kegiatan, OPD) with its villages, volume and budget.

    Columns ``kegiatan, opd, desa, jumlah_desa, volume, satuan, anggaran``; None when
    no plan was given. Rows keep the order in which each kegiatan first appears.
    """
    plan = ctx.plan
    if plan is None:
        return None
    frame = plan.copy()
    frame["kegiatan"] = (frame["kegiatan"].fillna("").astype(str)
                         .replace("", t("export.plan.no_activity", lang)))
    frame["opd"] = frame["opd"].fillna("").astype(str).replace("", t("export.plan.no_opd", lang))
    names = frame["nama"].fillna("").astype(str)
    frame["_desa"] = np.where(names != "", names, frame["kode"].astype(str))
    rows = []
    for (kegiatan, opd), grp in frame.groupby(["kegiatan", "opd"], sort=False):
        desa = list(dict.fromkeys(grp["_desa"]))
        volume = pd.to_numeric(grp["volume"], errors="coerce")
        budget = pd.to_numeric(grp["anggaran"], errors="coerce")
        units = [u for u in dict.fromkeys(grp["satuan"].fillna("").astype(str)) if u]
        rows.append({"kegiatan": kegiatan, "opd": opd, "desa": ", ".join(desa), "jumlah_desa": len(desa),
                     "volume": float(volume.sum()) if volume.notna().any() else np.nan,
                     "satuan": ", ".join(units),
                     "anggaran": float(budget.sum()) if budget.notna().any() else np.nan})
    return pd.DataFrame(rows, columns=["kegiatan", "opd", "desa", "jumlah_desa", "volume", "satuan",
                                       "anggaran"])
