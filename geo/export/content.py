"""Rows shared by the XLSX and PDF exports: methodology, data quality, the Aksi 2 matrix.

Each function returns plain tuples in Bahasa Indonesia so both writers show the same
words; numbers stay numbers (the writers format them).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from geo.export.common import DIRECTION_TEXT, SYNTHETIC_NOTE, ExportContext, software_version
from geo.mcda import format_id
from geo.scoring import methodology

__all__ = ["METHOD_TEXT", "aksi2_matrix", "methodology_rows", "quality_rows"]

METHOD_TEXT = {
    "saw": "SAW (jumlah berbobot nilai ternormalisasi)",
    "geomean": "rata-rata geometrik berbobot",
    "topsis": "TOPSIS (kedekatan relatif ke solusi ideal)",
}
NORMALISATION_TEXT = {
    "minmax": "min-maks (0 = terbaik, 1 = paling prioritas)",
    "zscore": "skor-z",
    "percentile": "persentil",
}
SMOOTHING_TEXT = {
    "none": "tanpa penghalusan (laju mentah)",
    "global": "empirical Bayes ke rata-rata kabupaten",
    "kecamatan": "empirical Bayes ke rata-rata kecamatan",
}
MISSING_TEXT = {
    "exclude": "dikecualikan dari skor desa itu (bobot dinormalisasi ulang)",
    "kecamatan_median": "diisi median kecamatan",
    "worst": "diisi nilai terburuk",
}

Row = tuple[str, str, Any, str]


def _names(ctx: ExportContext) -> dict[str, str]:
    table = ctx.result.table
    labels = table["nama"].astype(str) + " (" + table["nama_kec"].astype(str) + ")"
    return dict(zip(table["kode"].astype(str), labels, strict=True))


def methodology_rows(ctx: ExportContext) -> list[Row]:
    """``(bagian, butir, nilai, keterangan)`` rows describing how the list was made.

    Sections: Umum (region, years, scenario, author, date, software version, the
    SINTETIS notice first when relevant), Kriteria (label, weight, id/direction/source),
    Metode, Pemilihan (N, quotas, forced in/out with reasons), Sumber data (files,
    attribution, years), Catatan data, Peringatan, Konfigurasi (the config JSON).
    """
    res, ds, cfg = ctx.result, ctx.dataset, ctx.result.config
    meta = methodology(res, ds)
    names = _names(ctx)
    rows: list[Row] = []
    if ctx.synthetic:
        rows.append(("PERHATIAN", "DATA SINTETIS", "SINTETIS",
                     f"Skor memakai indikator {SYNTHETIC_NOTE}; jangan dipakai untuk keputusan nyata."))
    rows += [
        ("Umum", "Wilayah", ctx.kabupaten, ""),
        ("Umum", "Tahun lokus", ctx.lokus_year, ""),
        ("Umum", "Tahun data yang dinilai", cfg.year, ""),
        ("Umum", "Nama skenario", ctx.name or "(rekomendasi bawaan)", ""),
        ("Umum", "Penyusun", ctx.author or "(tidak diisi)", ""),
        ("Umum", "Tanggal ekspor", ctx.created_at.strftime("%Y-%m-%d %H:%M %Z").strip(), ""),
        ("Umum", "Jumlah desa lokus", len(ctx.lokus), ""),
        ("Umum", "Perangkat lunak", f"Lokus {software_version()}", "dasbor penentuan desa lokus stunting"),
    ]
    if ctx.notes:
        rows.append(("Umum", "Catatan skenario", ctx.notes, ""))
    for c in meta["kriteria"]:
        direction = DIRECTION_TEXT.get(c["arah"], c["arah"])
        rows.append(("Kriteria", c["label"], float(c["bobot"]),
                     f"id {c['id']}; arah: {direction}; sumber: {c['sumber']}"))
    rows += [
        ("Metode", "Metode skor", METHOD_TEXT.get(cfg.method, cfg.method), ""),
        ("Metode", "Normalisasi", NORMALISATION_TEXT.get(cfg.normalisation, cfg.normalisation), ""),
        ("Metode", "Penghalusan laju", SMOOTHING_TEXT.get(cfg.smoothing, cfg.smoothing),
         f"penyebut < {cfg.min_n} ditandai n kecil"),
        ("Metode", "Data kosong", MISSING_TEXT.get(cfg.missing, cfg.missing), ""),
        ("Metode", "Stabilitas peringkat",
         f"{cfg.draws} simulasi Monte Carlo (bobot CV {format_id(cfg.weight_cv)}, jumlah binomial)",
         f"seed {cfg.seed}; P(top-N) = peluang masuk daftar"),
        ("Metode", "Hotspot (LISA)", meta["hotspot_indikator"] or "tidak dihitung",
         "dipakai sebagai kriteria" if cfg.hotspot_criterion else "hanya informasi"),
    ]
    if cfg.ahp_cr is not None:
        rows.append(("Metode", "Bobot AHP, rasio konsistensi (CR)", float(cfg.ahp_cr), "batas 0,1"))
    rows += [
        ("Pemilihan", "Jumlah desa lokus (N)", cfg.top_n, ""),
        ("Pemilihan", "Maksimum per kecamatan",
         cfg.max_per_kecamatan if cfg.max_per_kecamatan is not None else "tanpa batas", ""),
        ("Pemilihan", "Minimal satu per kecamatan", "ya" if cfg.min_one_per_kecamatan else "tidak", ""),
    ]
    for code, reason in cfg.force_in.items():
        rows.append(("Pemilihan", "Dipaksa masuk", f"{names.get(code, code)} [{code}]", reason))
    for code, reason in cfg.force_out.items():
        rows.append(("Pemilihan", "Dikeluarkan", f"{names.get(code, code)} [{code}]", reason))
    rows += [
        ("Sumber data", "Dataset", meta["dataset"], ""),
        ("Sumber data", "Atribusi", meta["atribusi"] or "-", ""),
        ("Sumber data", "Batas wilayah", meta["batas_wilayah"], ""),
        ("Sumber data", "Tabel jumlah", meta["tabel"],
         "tahun tersedia: " + ", ".join(str(y) for y in ds.years)),
    ]
    for cov in meta["cakupan"]:
        years = ", ".join(str(y) for y in ds.coverage_years)
        rows.append(("Sumber data", "Tabel cakupan", f"{cov['judul'] or cov['berkas']} ({cov['berkas']})",
                     ("SINTETIS; " if cov["sintetis"] else "") + (f"tahun: {years}" if years else "")))
    rows += [("Catatan data", "", text, "") for text in meta["catatan_data"]]
    rows += [("Peringatan", "", text, "") for text in meta["peringatan"]]
    rows.append(("Konfigurasi", "ScoringConfig (JSON)", json.dumps(cfg.to_dict(), ensure_ascii=False),
                 "muat ulang untuk mengulang peringkat yang sama"))
    return rows


def quality_rows(ctx: ExportContext) -> list[tuple[str, str, str, str, str]]:
    """``(bagian, kode, nama, kecamatan, keterangan)``: join report, quality warnings, flags."""
    ds, res = ctx.dataset, ctx.result
    rep = ds.report
    out: list[tuple[str, str, str, str, str]] = []
    out += [("Ringkasan penggabungan", "", "", "", line) for line in rep.summary_lines()]
    out += [("Peringatan kualitas", "", "", "", line) for line in ds.quality]
    for p in rep.polygons_without_data:
        out.append(("Poligon tanpa data", str(p.get("kode", "")), str(p.get("nama", "") or ""),
                    str(p.get("nama_kec", "") or ""), "tidak ada baris tabel untuk desa ini"))
    for r in rep.table_unmatched:
        out.append(("Baris tabel tanpa poligon", str(r.get("kode", "")), str(r.get("nama_desa", "") or ""),
                    "", f"baris {r.get('row', '')}"))
    for d in rep.duplicates:
        out.append(("Baris berkode ganda", str(d.get("kode", "")), "", "",
                    f"baris {d.get('row', '')} (tahun {d.get('tahun', '')}) diabaikan; "
                    f"baris {d.get('first_row', '')} dipakai"))
    for r in rep.invalid_codes:
        out.append(("Kode tidak valid", str(r.get("kode_bps_raw", "") or ""),
                    str(r.get("nama_desa", "") or ""), "", f"baris {r.get('row', '')}"))
    for code in rep.boundary_duplicates:
        out.append(("Kode ganda di batas wilayah", str(code), "", "",
                    "kode muncul di lebih dari satu poligon"))
    for cov_rep, spec in zip(ds.coverage_reports, ds.coverage_sources, strict=False):
        label = spec.title or spec.file.name
        if spec.synthetic:
            out.append(("Data cakupan", "", "", "", f"{label}: SINTETIS, bukan data nyata"))
        out += [("Data cakupan", "", "", "", f"{label}: {line}") for line in cov_rep.summary_lines()]
    out += [("Data cakupan", "", "", "", note) for note in ds.coverage_notes]
    ranked = res.ranked()
    flagged = ranked[ranked["flags"].astype(str) != ""]
    for _, row in flagged.iterrows():
        out.append(("Tanda per desa", str(row["kode"]), str(row["nama"]), str(row["nama_kec"]),
                    str(row["flags"])))
    return out


def aksi2_matrix(ctx: ExportContext) -> pd.DataFrame | None:
    """Kegiatan × OPD × desa: one row per (kegiatan, OPD) with its villages, volume and budget.

    Columns ``kegiatan, opd, desa, jumlah_desa, volume, satuan, anggaran``; None when
    no plan was given. Rows keep the order in which each kegiatan first appears.
    """
    plan = ctx.plan
    if plan is None:
        return None
    frame = plan.copy()
    frame["kegiatan"] = frame["kegiatan"].fillna("").astype(str).replace("", "(kegiatan belum diisi)")
    frame["opd"] = frame["opd"].fillna("").astype(str).replace("", "(OPD belum diisi)")
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
