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
from geo.core.messages import render_all
from geo.core.quality import QualityLog
from geo.export.analytics import analytics_method_rows
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
from geo.scoring.result import ScoringResult, methodology, with_texts

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
    meta = methodology(ctx.result, ctx.dataset)
    return [*_general_rows(ctx, lang), *_criteria_rows(ctx, lang), *_method_rows(ctx, meta, lang),
            *_selection_rows(ctx, lang), *analytics_method_rows(ctx, lang), *_source_rows(ctx, meta, lang),
            *_closing_rows(ctx, meta, lang)]


def _sec(key: str, lang: str) -> str:
    return t(f"export.section.{key}", lang)


def _item(key: str, lang: str, **values: Any) -> str:
    return t(f"export.meth.{key}", lang, **values)


def _meth(key: str, lang: str, **values: Any) -> str:
    return t(f"scoring.meth.{key}", lang, **values)


def _general_rows(ctx: ExportContext, lang: str) -> list[Row]:
    """The SINTETIS notice first when relevant, then region, years, scenario, author, date."""
    general = _sec("general", lang)
    rows: list[Row] = []
    if ctx.synthetic:
        rows.append((_sec("attention", lang), t("export.synthetic.alert", lang),
                     t("export.synthetic.flag", lang),
                     _item("synthetic_note", lang, note=t("export.synthetic.note", lang))))
    rows += [
        (general, _item("region", lang), ctx.kabupaten, ""),
        (general, _item("lokus_year", lang), ctx.lokus_year, ""),
        (general, _item("data_year", lang), ctx.result.config.year, ""),
        (general, _item("scenario", lang), ctx.name or _item("default_scenario", lang), ""),
        (general, _item("author", lang), ctx.author or _item("not_given", lang), ""),
        (general, _item("export_date", lang), ctx.created_at.strftime("%Y-%m-%d %H:%M %Z").strip(), ""),
        (general, _item("count", lang), len(ctx.lokus), ""),
        (general, _item("software", lang), f"Lokus {software_version(lang)}", _item("software_note", lang)),
    ]
    if ctx.notes:
        rows.append((general, _item("notes", lang), ctx.notes, ""))
    return rows


def _criteria_rows(ctx: ExportContext, lang: str) -> list[Row]:
    """Each criterion with its weight; criteria withheld because two years differ."""
    res, section = ctx.result, _sec("criteria", lang)
    rows: list[Row] = [
        (section, criterion_label(ctx, c, lang), float(c.weight),
         _item("criterion_note", lang, id=c.id, direction=direction_text(c.direction, lang),
               source=criterion_source(ctx, c, lang)))
        for c in res.criteria]
    rows += [(section, iid, _meth("withheld", lang),
              _meth("withheld_note", lang, prev=prev, year=res.config.year, fields=", ".join(missing)))
             for iid, (prev, missing) in res.withheld.items()]
    return rows


def _method_rows(ctx: ExportContext, meta: dict[str, Any], lang: str) -> list[Row]:
    """Method, normalisation, smoothing (with the formula), missing data, stability, hotspots."""
    cfg, method = ctx.result.config, _sec("method", lang)
    rows: list[Row] = [
        (method, _item("method", lang), method_text("method", cfg.method, lang), ""),
        (method, _item("normalisation", lang), method_text("norm", cfg.normalisation, lang), ""),
        (method, _item("smoothing", lang), method_text("smoothing", cfg.smoothing, lang),
         _item("smoothing_note", lang, min_n=cfg.min_n)),
    ]
    if cfg.smoothing != "none":
        rows.append((method, _meth("eb_formula", lang), _meth("eb_formula_value", lang),
                     _meth(f"eb_note.{cfg.smoothing}", lang)))
    rows += [
        (method, _item("missing", lang), method_text("missing", cfg.missing, lang), ""),
        (method, _meth("outcome_rule", lang), _meth("outcome_rule_value", lang), ""),
        (method, _item("stability", lang),
         _item("stability_value", lang, draws=cfg.draws, cv=compact_number(cfg.weight_cv, 2, lang)),
         _item("stability_note", lang, seed=cfg.seed)),
        (method, _item("hotspot", lang), meta["hotspot_indikator"] or _item("hotspot_none", lang),
         _item("hotspot_criterion", lang) if cfg.hotspot_criterion else _item("hotspot_info", lang)),
    ]
    if cfg.ahp_cr is not None:
        rows.append((method, _item("ahp", lang), float(cfg.ahp_cr),
                     _item("ahp_note", lang, limit=compact_number(CR_LIMIT, 2, lang))))
    return rows


def _selection_rows(ctx: ExportContext, lang: str) -> list[Row]:
    """N, quotas, the preset's gaps and weights, villages forced in or out with reasons."""
    cfg, select, names = ctx.result.config, _sec("selection", lang), _names(ctx)
    rows: list[Row] = [
        (select, _item("top_n", lang), cfg.top_n, ""),
        (select, _item("max_per_kec", lang),
         cfg.max_per_kecamatan if cfg.max_per_kecamatan is not None else _item("no_limit", lang), ""),
        (select, _item("min_one", lang), term("ya" if cfg.min_one_per_kecamatan else "tidak", lang), ""),
    ]
    rows += _preset_rows(ctx.result, lang)
    for key, forced in (("force_in", cfg.force_in), ("force_out", cfg.force_out)):
        rows += [(select, _item(key, lang), f"{names.get(code, code)} [{code}]", reason)
                 for code, reason in forced.items()]
    return rows


def _source_rows(ctx: ExportContext, meta: dict[str, Any], lang: str) -> list[Row]:
    """Files, attribution and years of the data."""
    ds, sources = ctx.dataset, _sec("sources", lang)
    rows: list[Row] = [
        (sources, _item("dataset", lang), meta["dataset"], ""),
        (sources, _item("attribution", lang), meta["atribusi"] or "-", ""),
        (sources, _item("boundaries", lang), meta["batas_wilayah"], ""),
        (sources, _item("table", lang), meta["tabel"],
         _item("years_available", lang, years=", ".join(str(y) for y in ds.years))),
    ]
    flag = t("export.synthetic.flag", lang)
    years = ", ".join(str(y) for y in ds.coverage_years)
    for cov in meta["cakupan"]:
        note = (f"{flag}; " if cov["sintetis"] else "") + (_item("coverage_years", lang, years=years)
                                                           if years else "")
        rows.append((sources, _item("coverage", lang), f"{cov['judul'] or cov['berkas']} ({cov['berkas']})",
                     note))
    return rows


def _closing_rows(ctx: ExportContext, meta: dict[str, Any], lang: str) -> list[Row]:
    """Indicator definitions, data caveats, warnings and the configuration JSON."""
    res, ds, cfg = ctx.result, ctx.dataset, ctx.result.config
    shown = [c.id for c in res.criteria if c.id in res.indicators]
    if meta["hotspot_indikator"] and meta["hotspot_indikator"] not in shown:
        shown.append(meta["hotspot_indikator"])
    rows: list[Row] = []
    for iid in shown:
        ind = res.indicators.get(iid) or ds.indicator(iid, cfg.year)
        if note := ind.note(lang):
            rows.append((_meth("section.definitions", lang), ind.label(lang), note, iid))
    rows += [(_sec("caveats", lang), "", text, "") for text in meta["catatan_data"]]
    rows += [(_sec("warnings", lang), "", text, "") for text in render_all(res.warnings, lang)]
    rows.append((_sec("config", lang), "ScoringConfig (JSON)", json.dumps(cfg.to_dict(), ensure_ascii=False),
                 _item("config_note", lang)))
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
    out += [(q("join"), "", "", "", line) for line in render_all(rep.summary(), lang)]
    out += [(q("warnings"), "", "", "", line) for line in render_all(ds.warnings, lang)]
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
        out += [(q("coverage"), "", "", "", f"{label}: {line}")
                for line in render_all(cov_rep.summary(), lang)]
    out += [(q("coverage"), "", "", "", note.render(lang)) for note in ds.coverage_notes]
    out += _excluded_rows(ds.quality_log, lang)
    ranked = with_texts(res.ranked()[["kode", "nama", "nama_kec", "flags"]], lang)
    flagged = ranked[ranked["flags"] != ""]
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
